"""Patient form: identity, weight and the risk facts decision support needs."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from facetdesk.domain.base import STORED
from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import Sex
from facetdesk.domain.patient import INR_INPUT_MAX, Patient
from facetdesk.domain.toxin import ToxinElsewhere
from facetdesk.ui.common.date_fields import DateTimeField
from facetdesk.ui.common.error_router import ErrorRouter
from facetdesk.ui.common.widgets import (
    ChoiceCombo,
    ErrorLabel,
    OptionalFloatSpin,
    YesNoUnknown,
    named,
    usual_first,
)
from facetdesk.ui.patients.toxin_elsewhere import ToxinElsewhereList

# An unchosen entry reads as a question, not as a value that looks recorded.
CHOOSE = "— choose —"


class PatientForm(QWidget):
    """Collects a patient's data as a plain dict; the services validate it."""

    changed = Signal()

    def __init__(self, catalog: Catalog):
        super().__init__()
        self._catalog = catalog
        self._patient_id: int | None = None
        # The clinic's usual agents, most recorded first (set_usual_agents); the rest follow by class and name.
        self._usual: list[str] = []
        # The stored version this form was loaded from: a save over a newer one is refused (StaleRecord).
        self._version = 0
        # The patient as loaded (None: a new one) and the form's values then: edits since are unsaved.
        self._shown: Patient | None = None
        self._loaded: dict = {}
        self.general_error = ErrorLabel()
        self.errors = ErrorRouter(self.general_error)

        self.mrn = named(QLineEdit(), "MRN", "Medical record number: letters, digits and hyphens")
        self.family_name = named(QLineEdit(), "Family name")
        self.given_name = named(QLineEdit(), "Given name")
        # Empty until entered: no date of birth or sex is ever stored because the form started with one.
        self.date_of_birth = named(DateTimeField(with_time=False), "Date of birth")
        self.sex = named(ChoiceCombo(((s, s.label) for s in Sex), optional=True, none_label=CHOOSE), "Sex")
        # From 0.1 kg: a 0 typed is refused at the field with the range, never kept or read as "not recorded".
        self.weight = named(
            OptionalFloatSpin(500, 1, " kg", minimum=0.1), "Weight", "Needed for weight-based dose limits"
        )
        self.diabetes = named(YesNoUnknown(), "Diabetes")
        self.pregnant = named(YesNoUnknown(), "Pregnant")
        self.neuromuscular = named(
            YesNoUnknown(), "Neuromuscular disease", "e.g. myasthenia gravis, ALS, Lambert-Eaton"
        )
        self.infection = named(YesNoUnknown(), "Infection at the injection site")
        self.renal = named(YesNoUnknown(), "Renal impairment", "Lengthens the dabigatran hold (ASRA 2018)")
        self.inr = named(
            OptionalFloatSpin(INR_INPUT_MAX, 1), "INR", "Latest INR (warfarin: must be normal before a cervical block)"
        )
        self.inr_taken = named(DateTimeField(), "INR taken", "When the blood for this INR was taken")
        self.inr_normal = named(YesNoUnknown(), "INR normal", "Within the laboratory's normal range?")
        self.allergies = named(QLineEdit(), "Allergies", "Separate several allergies with semicolons")
        # Empty reads as not asked (decision support says so); "NKDA" records that there are none.
        self.allergies.setPlaceholderText(self.tr("e.g. iodinated contrast; latex — or NKDA if none"))
        self.takes_anticoagulants = named(
            YesNoUnknown(),
            "Takes anticoagulant, antiplatelet or NSAID",
            "Asked of the patient: No is recorded as none taken; not recorded is not asked",
        )

        self.anticoag_table = named(QTableWidget(0, 2), "Anticoagulants")
        # "Agent": the row is labelled Anticoagulants, and the last dose needs the width more than a long header.
        self.anticoag_table.setHorizontalHeaderLabels([self.tr("Agent"), self.tr("Last dose")])
        agent_header = self.anticoag_table.horizontalHeaderItem(0)
        assert agent_header is not None  # the labels were just set
        agent_header.setToolTip(self.tr("Anticoagulant or antiplatelet agent"))
        self.anticoag_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # The last dose's date and time must show whole (timing decides whether a block is safe); the agent's
        # name takes the rest (its full text is the combo's tooltip, as every ChoiceCombo's).
        header = self.anticoag_table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        # One pixel more for the grid line beside the cell.
        header.resizeSection(1, max(DateTimeField().sizeHint().width() + 1, header.sectionSizeHint(1)))
        self.anticoag_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.anticoag_table.verticalHeader().hide()
        self.anticoag_table.setMaximumHeight(110)
        add_ac = named(QPushButton(self.tr("Add medication")), "Add anticoagulant")
        del_ac = named(QPushButton(self.tr("Remove")), "Remove anticoagulant")
        add_ac.clicked.connect(self._add_anticoagulant_taken)
        del_ac.clicked.connect(self._remove_anticoagulant)

        self.toxin_elsewhere = ToxinElsewhereList()
        self.toxin_elsewhere.changed.connect(self.changed)
        self.had_toxin_elsewhere = named(
            YesNoUnknown(),
            "Had botulinum toxin elsewhere",
            "Asked of the patient (any indication): No is recorded as none; not recorded is not asked",
        )
        self.toxin_elsewhere.added.connect(lambda: self.had_toxin_elsewhere.set_value(True))

        self.save_button = named(QPushButton(self.tr("Save patient")), "Save patient")

        ident = QGroupBox(self.tr("Patient"))
        f1 = QFormLayout(ident)
        for label, widget, path in (
            ("MRN", self.mrn, ("mrn",)),
            ("Family name", self.family_name, ("family_name",)),
            ("Given name", self.given_name, ("given_name",)),
            ("Date of birth", self.date_of_birth, ("date_of_birth",)),
            ("Sex", self.sex, ("sex",)),
            ("Weight", self.weight, ("weight_kg",)),
        ):
            f1.addRow(self.tr(label), self.errors.field(widget, path))
        risks = QGroupBox(self.tr("Risk factors"))
        f2 = QFormLayout(risks)
        for label, widget, path in (
            ("Diabetes", self.diabetes, ("diabetes",)),
            ("Pregnant", self.pregnant, ("pregnant",)),
            ("Neuromuscular disease", self.neuromuscular, ("neuromuscular_disease",)),
            ("Infection at injection site", self.infection, ("injection_site_infection",)),
            ("Renal impairment", self.renal, ("renal_impairment",)),
            ("Allergies", self.allergies, ("allergies",)),
            ("Takes blood thinner / NSAID", self.takes_anticoagulants, ("takes_anticoagulants",)),
        ):
            f2.addRow(self.tr(label), self.errors.field(widget, path))
        ac_box = QWidget()
        acl = QVBoxLayout(ac_box)
        acl.setContentsMargins(0, 0, 0, 0)
        acl.addWidget(self.anticoag_table)
        buttons = QHBoxLayout()
        buttons.addWidget(add_ac)
        buttons.addWidget(del_ac)
        buttons.addStretch()
        acl.addLayout(buttons)
        acl.addWidget(self.errors.register(("anticoagulants",), ErrorLabel()))
        f2.addRow(self.tr("Anticoagulants"), ac_box)
        # One row each: beside the identity group, a single INR row would widen the window past small screens.
        for label, widget, path in (
            ("INR", self.inr, ("inr",)),
            ("INR taken", self.inr_taken, ("inr_taken_at",)),
            ("INR normal (lab range)", self.inr_normal, ("inr_normal",)),
        ):
            f2.addRow(self.tr(label), self.errors.field(widget, path))

        toxin = QGroupBox(self.tr("Botulinum toxin given elsewhere"))
        toxin.setToolTip(self.tr("Counted by every toxin check with the toxin given here"))
        tl = QVBoxLayout(toxin)
        asked = QFormLayout()
        asked.addRow(
            self.tr("Had toxin elsewhere"), self.errors.field(self.had_toxin_elsewhere, ("had_toxin_elsewhere",))
        )
        tl.addLayout(asked)
        tl.addWidget(self.toxin_elsewhere)
        tl.addWidget(self.errors.register(("toxin_elsewhere",), ErrorLabel()))

        self._sections = (ident, risks, toxin)
        left = QVBoxLayout()
        left.addWidget(ident)
        left.addWidget(toxin)
        top = QHBoxLayout()
        top.addLayout(left, 2)
        top.addWidget(risks, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.general_error)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(self.save_button)
        layout.addLayout(row)
        self._loaded = self.data()  # an empty form has nothing unsaved

    def set_editable(self, editable: bool, reason: str = "") -> None:
        """Read only for a role that may not change patient details; ``reason`` says so on the Save button."""
        for section in self._sections:
            section.setEnabled(editable)
        self.save_button.setEnabled(editable)
        self.save_button.setToolTip("" if editable else reason)

    # ---- anticoagulant rows ---------------------------------------------
    def add_anticoagulant(self, agent: str | None = None, last_dose: datetime | None = None) -> int:
        row = self.anticoag_table.rowCount()
        self.anticoag_table.insertRow(row)
        # No agent and no time until chosen: a new row is a question, not "aspirin taken now".
        combo = named(
            ChoiceCombo(self._agent_choices(), optional=True, none_label=CHOOSE), f"Anticoagulant {row + 1} agent"
        )
        combo.set_value(agent)
        when = named(DateTimeField(), f"Anticoagulant {row + 1} last dose")
        when.set_value(last_dose)
        self.anticoag_table.setCellWidget(row, 0, combo)
        self.anticoag_table.setCellWidget(row, 1, when)
        return row

    def _add_anticoagulant_taken(self) -> None:
        """A row added by the user answers the question too: the patient takes one."""
        self.add_anticoagulant()
        self.takes_anticoagulants.set_value(True)

    def set_usual_agents(self, keys: list[str]) -> None:
        """Agents this clinic records most come first in new rows' lists."""
        self._usual = list(keys)

    def _agent_choices(self) -> list[tuple[str, str]]:
        """The clinic's usual agents first, then every agent grouped by class (anticoagulants, antiplatelets,
        NSAIDs) and by name: 27 agents in an order a physician can scan."""
        classes = {"anticoagulant": 0, "antiplatelet": 1, "nsaid": 2}
        usual, rest = usual_first(
            self._catalog.anticoagulants,
            self._usual,
            key=lambda a: a.key,
            rest_order=lambda a: (classes.get(a.drug_class, len(classes)), a.name.casefold()),
        )
        label = {"anticoagulant": "anticoagulant", "antiplatelet": "antiplatelet", "nsaid": "NSAID"}
        return [(a.key, a.name) for a in usual] + [
            (a.key, f"{a.name} ({label.get(a.drug_class, a.drug_class)})") for a in rest
        ]

    def _remove_anticoagulant(self) -> None:
        row = self.anticoag_table.currentRow()
        if row < 0:
            row = self.anticoag_table.rowCount() - 1
        if row >= 0:
            self.anticoag_table.removeRow(row)

    # ---- data in / out --------------------------------------------------
    @property
    def patient_id(self) -> int | None:
        return self._patient_id

    @property
    def version(self) -> int:
        """The stored version the form was loaded from (0: a new patient)."""
        return self._version

    def clear(self) -> None:
        self.load(None)

    def has_unsaved_changes(self) -> bool:
        """Anything typed or chosen since the patient was loaded, saved or the form cleared."""
        return self.data() != self._loaded

    def discard_changes(self) -> None:
        """Back to the patient as loaded (an empty form for a new one)."""
        self.load(self._shown)

    def load(self, patient: Patient | None) -> None:
        self.errors.clear()
        self._shown = patient
        self._patient_id = patient.id if patient else None
        self._version = patient.version if patient else 0
        self._fill(patient.model_dump() if patient else {})
        self._loaded = self.data()

    def restore(self, patient: Patient | None, values: dict) -> None:
        """Unsaved values (as ``data`` gave them) put back over ``patient`` as stored now (None: a new one).

        They stay unsaved, and based on the version they were typed over: a save over a change made since is
        refused as stale, naming what changed, and offers a reload, as for any edit.
        """
        self.load(patient)
        self._fill(values)
        self._version = values.get("version") or 0

    def _fill(self, values: dict) -> None:
        """Every field from ``values`` (keys as ``data``); a missing key leaves its field empty."""
        self.mrn.setText(values.get("mrn") or "")
        self.family_name.setText(values.get("family_name") or "")
        self.given_name.setText(values.get("given_name") or "")
        self.date_of_birth.set_value(values.get("date_of_birth"))
        self.sex.set_value(values.get("sex"))
        self.weight.set_value_or_none(values.get("weight_kg"))
        self.diabetes.set_value(values.get("diabetes"))
        self.pregnant.set_value(values.get("pregnant"))
        self.neuromuscular.set_value(values.get("neuromuscular_disease"))
        self.infection.set_value(values.get("injection_site_infection"))
        self.renal.set_value(values.get("renal_impairment"))
        self.inr.set_value_or_none(values.get("inr"))
        self.inr_taken.set_value(values.get("inr_taken_at"))
        self.inr_normal.set_value(values.get("inr_normal"))
        self.allergies.setText("; ".join(values.get("allergies") or []))
        self.takes_anticoagulants.set_value(values.get("takes_anticoagulants"))
        # Entries the form itself accepted (each validated when added): read back as they were.
        self.toxin_elsewhere.set_records(
            [ToxinElsewhere.model_validate(t, context=STORED) for t in values.get("toxin_elsewhere") or []]
        )
        self.had_toxin_elsewhere.set_value(values.get("had_toxin_elsewhere"))
        self.anticoag_table.setRowCount(0)
        for use in values.get("anticoagulants") or []:
            self.add_anticoagulant(use.get("agent"), use.get("last_dose_at"))

    def data(self) -> dict:
        anticoagulants = []
        for row in range(self.anticoag_table.rowCount()):
            combo = self.anticoag_table.cellWidget(row, 0)
            when = self.anticoag_table.cellWidget(row, 1)
            assert isinstance(combo, ChoiceCombo) and isinstance(when, DateTimeField)
            anticoagulants.append({"agent": combo.value(), "last_dose_at": when.value()})
        return {
            "id": self._patient_id,
            "version": self._version,
            "mrn": self.mrn.text(),
            "family_name": self.family_name.text(),
            "given_name": self.given_name.text(),
            "date_of_birth": self.date_of_birth.value(),
            "sex": self.sex.value(),
            "weight_kg": self.weight.value_or_none(),
            "diabetes": self.diabetes.value(),
            "pregnant": self.pregnant.value(),
            "neuromuscular_disease": self.neuromuscular.value(),
            "injection_site_infection": self.infection.value(),
            "renal_impairment": self.renal.value(),
            "inr": self.inr.value_or_none(),
            "inr_taken_at": self.inr_taken.value(),
            "inr_normal": self.inr_normal.value(),
            "allergies": [a.strip() for a in self.allergies.text().split(";") if a.strip()],
            "anticoagulants": anticoagulants,
            "takes_anticoagulants": self.takes_anticoagulants.value(),
            "toxin_elsewhere": self.toxin_elsewhere.records(),
            "had_toxin_elsewhere": self.had_toxin_elsewhere.value(),
        }
