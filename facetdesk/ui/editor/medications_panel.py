"""Medications: agent, strength, volume and basis per row, with the total dose computed as you type."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QVBoxLayout, QWidget

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import MedicationSite, VolumeBasis
from facetdesk.ui.common.row_table import RowTable
from facetdesk.ui.common.widgets import ChoiceCombo, OptionalFloatSpin, enum_combo, named, usual_first

AGENT, STRENGTH, VOLUME, BASIS, SITE, TOTAL = range(6)
CHOOSE = "— choose —"
# The catalog's classes in the order a procedure uses them.
CLASS_ORDER = {"local_anesthetic": 0, "corticosteroid": 1, "contrast": 2}


class MedicationsPanel(QWidget):
    def __init__(self, catalog: Catalog):
        super().__init__()
        self._catalog = catalog
        self._targets = 0
        self._nerves = 0
        # The clinic's usual agents (set_usual_agents), offered first; the rest follow by class and name.
        self._usual: list[str] = []
        self.rows = RowTable(
            "Medications",
            [
                self.tr("Agent"),
                self.tr("Strength"),
                self.tr("Volume"),
                self.tr("Volume is"),
                self.tr("Given"),
                self.tr("Total"),
            ],
            self._make_row,
            self.tr("Add medication"),
        )
        header = self.rows.table.horizontalHeader()
        for col, width in ((AGENT, 190), (STRENGTH, 140), (VOLUME, 90), (BASIS, 95), (SITE, 150)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.changed = self.rows.changed
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.rows)

    def set_usual_agents(self, keys: list[str]) -> None:
        """Agents in the clinic's presets and most recorded come first in new rows' lists."""
        self._usual = list(keys)

    def _agent_choices(self) -> list[tuple[str, str]]:
        usual, rest = usual_first(
            self._catalog.agents,
            self._usual,
            key=lambda a: a.key,
            rest_order=lambda a: (CLASS_ORDER.get(a.drug_class, len(CLASS_ORDER)), a.name.casefold()),
        )
        return [(a.key, a.name) for a in (*usual, *rest)]

    def _make_row(self, row: int) -> list:
        n = row + 1
        # Nothing chosen and no volume until entered: a new row never looks like a recorded medication.
        agent = named(ChoiceCombo(self._agent_choices(), optional=True, none_label=CHOOSE), f"Medication {n} agent")
        strength = named(ChoiceCombo([]), f"Medication {n} strength")
        volume = named(
            OptionalFloatSpin(100, 2, " mL", minimum=0.01, empty_text=self.tr("enter volume")), f"Medication {n} volume"
        )
        volume.setSingleStep(0.1)
        basis = named(enum_combo(VolumeBasis), f"Medication {n} volume basis")
        site = named(enum_combo(MedicationSite), f"Medication {n} given", "At the targets, or skin and needle track")

        def fill_strengths() -> None:
            chosen = agent.value()
            a = self._catalog.agent(chosen) if isinstance(chosen, str) else None
            strength.clear()
            for s in a.strengths if a else ():
                # The mark leads, so a narrow column that cuts the label off still shows it.
                label = f"⚠ {s.label} (unconfirmed)" if s.confidence == "U" else s.label
                strength.add_choice(s.mg_per_ml, label)

        agent.currentIndexChanged.connect(fill_strengths)
        fill_strengths()
        for w in (agent, strength, basis, site):
            w.currentIndexChanged.connect(self.rows.changed)
        volume.valueChanged.connect(self.rows.changed)
        return [agent, strength, volume, basis, site, ""]

    def set_counts(self, targets: int, nerves: int) -> None:
        """The joint and nerve counts that 'per joint' and 'per nerve' volumes multiply by."""
        self._targets, self._nerves = targets, nerves
        self.update_totals()

    def update_totals(self) -> None:
        for row in range(self.rows.rows()):
            med = self._row_data(row)
            agent = self._catalog.agent(med["agent"])
            if agent is None or med["concentration_mg_per_ml"] is None or med["volume_ml"] is None:
                self.rows.set_text(row, TOTAL, "")
                continue
            factor = {VolumeBasis.TOTAL: 1, VolumeBasis.PER_JOINT: self._targets, VolumeBasis.PER_NERVE: self._nerves}[
                med["volume_basis"]
            ]
            volume = med["volume_ml"] * factor
            dose = volume * med["concentration_mg_per_ml"]
            self.rows.set_text(row, TOTAL, f"{volume:g} mL = {dose:g} {agent.dose_unit}")

    def _row_data(self, row: int) -> dict:
        return {
            "agent": self.rows.cell(row, AGENT).value(),
            "concentration_mg_per_ml": self.rows.cell(row, STRENGTH).value(),
            "volume_ml": self.rows.cell(row, VOLUME).value_or_none(),
            "volume_basis": self.rows.cell(row, BASIS).value(),
            "site": self.rows.cell(row, SITE).value(),
        }

    def data(self) -> list[dict]:
        return [self._row_data(r) for r in range(self.rows.rows())]

    def load(self, medications) -> None:
        self.rows.clear()
        for med in medications:
            row = self.rows.add_row()
            self.rows.cell(row, AGENT).set_value(med.agent)
            strength = self.rows.cell(row, STRENGTH)
            if med.concentration_mg_per_ml is not None and strength.index_of(med.concentration_mg_per_ml) < 0:
                # Keep what was recorded visible; saving it again reports the catalog change.
                strength.add_choice(
                    med.concentration_mg_per_ml, f"{med.concentration_mg_per_ml:g} mg/mL (not in catalog)"
                )
            strength.set_value(med.concentration_mg_per_ml)
            self.rows.cell(row, VOLUME).set_value_or_none(med.volume_ml)
            self.rows.cell(row, BASIS).set_value(med.volume_basis)
            self.rows.cell(row, SITE).set_value(med.site)
        self.update_totals()
