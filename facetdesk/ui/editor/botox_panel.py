"""Botulinum toxin: product, dilution and units per paraspinal muscle site."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import BotoxProduct, Side
from facetdesk.ui.common import style
from facetdesk.ui.common.row_table import RowTable
from facetdesk.ui.common.widgets import ChoiceCombo, ErrorLabel, OptionalFloatSpin, enum_combo, named

MUSCLE, LEVEL, SIDE, UNITS, VOLUME = range(5)
CHOOSE = "— choose —"


def _spin(maximum: float, decimals: int, suffix: str, empty_text: str) -> OptionalFloatSpin:
    """Empty ("enter ...") until the user enters a value above 0; 0 typed is refused with the range."""
    spin = OptionalFloatSpin(maximum, decimals, suffix, minimum=10.0**-decimals, empty_text=empty_text)
    spin.setMaximumWidth(style.SPIN_MAX_WIDTH)
    return spin


class BotoxPanel(QWidget):
    def __init__(self, catalog: Catalog):
        super().__init__()
        self._catalog = catalog
        self.group = named(QGroupBox(self.tr("Botulinum toxin given")), "Botulinum toxin given")
        self.group.setCheckable(True)
        self.group.setChecked(False)
        # Product and preparation start empty (a clinic preset fills its usual ones): never a vial that
        # looks recorded but was not.
        self.product = named(enum_combo(BotoxProduct, optional=True, none_label=CHOOSE), "Botulinum toxin product")
        self.product.setMaximumWidth(style.COMBO_MAX_WIDTH)
        self.vial_units = named(_spin(10000, 0, " U", self.tr("enter vial units")), "Vial units")
        self.diluent = named(
            _spin(100, 1, " mL", self.tr("enter volume")),
            "Diluent volume",
            "Preservative-free saline added to the vial",
        )
        self.dilution = QLabel()
        self.dilution.setStyleSheet(f"color: {style.DERIVED_COLOR};")
        self.sites = RowTable(
            "Botulinum toxin sites",
            [self.tr("Muscle"), self.tr("Level"), self.tr("Side"), self.tr("Units"), self.tr("Volume")],
            self._make_row,
            self.tr("Add injection site"),
        )
        self.total = QLabel()
        self.total.setStyleSheet(f"color: {style.DERIVED_COLOR}; font-weight: bold;")
        self.window_status = named(QLabel(), "Botulinum toxin window total")
        self.window_status.setWordWrap(True)
        self._regions: tuple[str, ...] = ()
        self.error = ErrorLabel()
        form = QFormLayout()
        form.addRow(self.tr("Product"), self.product)
        form.addRow(self.tr("Vial"), self.vial_units)
        form.addRow(self.tr("Diluted in"), self.diluent)
        form.addRow("", self.dilution)
        inner = QVBoxLayout(self.group)
        inner.addLayout(form)
        note = QLabel(
            self.tr("Units of different botulinum toxin products are not interchangeable and are never converted.")
        )
        note.setWordWrap(True)
        note.setStyleSheet(f"color: {style.MUTED_COLOR};")
        inner.addWidget(note)
        inner.addWidget(self.sites)
        inner.addWidget(self.total)
        inner.addWidget(self.window_status)
        inner.addWidget(self.error)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.group)
        layout.addStretch()
        self.changed = self.sites.changed
        for w in (self.vial_units, self.diluent):
            w.valueChanged.connect(self.sites.changed)
        self.product.currentIndexChanged.connect(self.sites.changed)
        self.group.toggled.connect(self.sites.changed)
        self.sites.changed.connect(self.update_derived)
        self.update_derived()

    def _make_row(self, row: int) -> list:
        n = row + 1
        # The treated region's muscles first; the others stay reachable below them.
        ordered = sorted(self._catalog.muscles, key=lambda m: (m.region not in self._regions, m.region))
        muscles = ((m.key, m.name if m.region in self._regions or not self._regions else f"{m.name} ({m.region})")
                   for m in ordered)  # fmt: skip
        # Nothing chosen for a first site (no level or side that looks recorded); a further site starts as a
        # copy of the one above, the usual next site being the same muscle and level on the other side.
        choose = self.tr(CHOOSE)
        muscle = named(ChoiceCombo(muscles, optional=True, none_label=choose), f"Botox site {n} muscle")
        level = named(
            ChoiceCombo(((v, v) for v in self._catalog.vertebrae), optional=True, none_label=choose),
            f"Botox site {n} level",
        )
        side = named(
            ChoiceCombo(((s, s.label) for s in Side), optional=True, none_label=choose), f"Botox site {n} side"
        )
        units = named(_spin(1000, 1, " U", self.tr("enter units")), f"Botox site {n} units")
        if row > 0 and self.sites.rows() >= row:
            m, lv, sd = self._next_site(row)
            muscle.set_value(m)
            level.set_value(lv)
            side.set_value(sd)
            units.set_value_or_none(self.sites.cell(row - 1, UNITS).value_or_none())
        for w in (muscle, level, side):
            w.currentIndexChanged.connect(self.sites.changed)
        units.valueChanged.connect(self.sites.changed)
        return [muscle, level, side, units, ""]

    def _next_site(self, row: int) -> tuple[object, object, object]:
        """The usual next site after the one above: the same muscle and level on the other side; once both
        sides are there, the next level down, starting on the side the pair started on. One click per site."""
        m, lv, sd = (self.sites.cell(row - 1, c).value() for c in (MUSCLE, LEVEL, SIDE))
        if m is None or lv is None or sd not in (Side.LEFT, Side.RIGHT):
            return m, lv, sd
        taken = {tuple(self.sites.cell(r, c).value() for c in (MUSCLE, LEVEL, SIDE)) for r in range(row)}
        other = Side.RIGHT if sd == Side.LEFT else Side.LEFT
        if (m, lv, other) not in taken:
            return m, lv, other
        vertebrae = list(self._catalog.vertebrae)
        below = (
            vertebrae[vertebrae.index(lv) + 1] if lv in vertebrae and vertebrae.index(lv) + 1 < len(vertebrae) else lv
        )
        return m, below, other

    def set_regions(self, regions: list[str]) -> None:
        """The spinal regions being treated: their muscles are offered first for new sites."""
        self._regions = tuple(regions)

    def set_window_status(self, text: str, within: bool | None) -> None:
        """The running total against the window limit, as decision support computed it."""
        color = style.DERIVED_COLOR if within else (style.ERROR_COLOR if within is False else style.MUTED_COLOR)
        self.window_status.setStyleSheet(f"color: {color};")
        self.window_status.setText(text)

    def units_per_ml(self) -> float | None:
        vial, diluent = self.vial_units.value_or_none(), self.diluent.value_or_none()
        return vial / diluent if vial and diluent else None

    def update_derived(self) -> None:
        per_ml = self.units_per_ml()
        self.dilution.setText(f"= {per_ml:g} U/mL" if per_ml else "")
        total = 0.0
        for row in range(self.sites.rows()):
            units = self.sites.cell(row, UNITS).value_or_none()
            total += units or 0
            self.sites.set_text(row, VOLUME, f"{units / per_ml:.2g} mL" if per_ml and units else "")
        product = self.product.value()
        self.total.setText(
            self.tr("Total: {u:g} U of {p}").format(
                u=total, p=product.value if isinstance(product, BotoxProduct) else self.tr("(product not chosen)")
            )
            if self.sites.rows()
            else ""
        )

    def data(self) -> dict | None:
        if not self.group.isChecked():
            return None
        sites = []
        for row in range(self.sites.rows()):
            units = self.sites.cell(row, UNITS).value_or_none()
            sites.append(
                {
                    "muscle": self.sites.cell(row, MUSCLE).value(),
                    "level": self.sites.cell(row, LEVEL).value(),
                    "side": self.sites.cell(row, SIDE).value(),
                    "units": units or None,
                }
            )
        return {
            "product": self.product.value(),
            "vial_units": self.vial_units.value_or_none(),
            "diluent_ml": self.diluent.value_or_none(),
            "sites": sites,
        }

    def set_preparation(self, product=None, vial_units: float | None = None, diluent_ml: float | None = None) -> None:
        """Product and dilution (None: not entered)."""
        self.product.set_value(product)
        self.vial_units.set_value_or_none(vial_units)
        self.diluent.set_value_or_none(diluent_ml)

    def load(self, treatment) -> None:
        self.sites.clear()
        self.group.setChecked(treatment is not None)
        self.set_preparation(
            *(() if treatment is None else (treatment.product, treatment.vial_units, treatment.diluent_ml))
        )
        if treatment is None:
            return
        for site in treatment.sites:
            row = self.sites.add_row()
            self.sites.cell(row, MUSCLE).set_value(site.muscle)
            self.sites.cell(row, LEVEL).set_value(site.level)
            self.sites.cell(row, SIDE).set_value(site.side)
            self.sites.cell(row, UNITS).set_value_or_none(site.units)
        self.update_derived()
