"""Procedure sections of the note as data: what was done, codes, technique fields, drugs, toxin, pain."""

from __future__ import annotations

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.coding import CodeLine, CodingSummary
from facetdesk.domain.enums import Technique
from facetdesk.domain.procedure import BotoxTreatment, Procedure
from facetdesk.domain.relief import NO_POST_SCORES, procedure_relief
from facetdesk.domain.settings import ClinicSettings
from facetdesk.domain.timefmt import format_minutes
from facetdesk.domain.wording import (
    documentation_fields,
    peak_relief_text,
    relief_duration_text,
    strength_text,
    volume_text,
)
from facetdesk.note.blocks import (
    NOT_DOCUMENTED,
    NOT_RECORDED,
    VERIFY,
    BotoxBlock,
    CodingBlock,
    Fields,
    Letterhead,
    PainBlock,
    Table,
    num,
    sides_label,
)
from facetdesk.note.chart_data import relief_chart

MAX_ADDRESS_LINES = 5


def consent_fields(procedure: Procedure) -> Fields:
    def told(value: bool | None, yes: str, no: str) -> str:
        return NOT_DOCUMENTED if value is None else (yes if value else no)

    return (
        ("Informed consent", told(procedure.consent_obtained, "Obtained", "Not obtained")),
        *documentation_fields(procedure, "consent"),
        ("Time-out", told(procedure.time_out_performed, "Performed", "Not performed")),
    )


def _code_rows(lines: tuple[CodeLine, ...]) -> tuple[tuple[str, ...], ...]:
    rows = []
    for line in lines:
        code = "-".join((line.code, *line.modifiers))
        if line.confidence in ("U", "S"):
            code += f" {VERIFY}"
        rows.append((code, str(line.units), line.description, line.detail))
    return tuple(rows)


def coding_block(summary: CodingSummary) -> CodingBlock:
    header = ("Code", "Units", "Description", "Detail")
    return CodingBlock(
        procedure_codes=Table(header, _code_rows(summary.procedure_codes), empty="No procedure code derived"),
        drug_codes=Table(header, _code_rows(summary.drug_codes), empty="No drug code derived"),
        notes=summary.notes,
    )


def letterhead(clinic: ClinicSettings | None) -> Letterhead:
    if clinic is None:
        return Letterhead("", (), "")
    address = tuple(line.strip() for line in clinic.address.replace("\r\n", "\n").split("\n") if line.strip())
    if len(address) > MAX_ADDRESS_LINES:
        # A letterhead taller than the page would leave no room for the note: fold the rest into one line.
        address = address[: MAX_ADDRESS_LINES - 1] + (", ".join(address[MAX_ADDRESS_LINES - 1 :]),)
    return Letterhead(clinic.clinic_name.strip(), address, clinic.phone.strip(), clinic.logo)


def targets_table(procedure: Procedure, catalog: Catalog) -> Table:
    mbb = procedure.technique.on_nerves
    header: tuple[str, ...] = ("Level", "Side(s)", "Region")
    if mbb:
        header += ("Nerves lesioned" if procedure.technique == Technique.RADIOFREQUENCY_ABLATION else "Nerves blocked",)
    rows = []
    for level in procedure.levels():
        joint = catalog.joint(level)
        assert joint is not None  # targets are validated against the catalog
        row: tuple[str, ...] = (level, sides_label(procedure.sides_at(level)), joint.region.capitalize())
        if mbb:
            row += (", ".join(joint.nerves),)
        rows.append(row)
    return Table(header, tuple(rows))


def nerve_lines(procedure: Procedure, catalog: Catalog) -> tuple[str, ...]:
    """What the levels table cannot say: innervation the reference does not confirm (thoracic), printed as such,
    never as fact. The nerves themselves are in the table, once per level."""
    unconfirmed = [j for lv in procedure.levels() if (j := catalog.joint(lv)) is not None and j.confidence == "U"]
    if not (procedure.nerves(catalog) and unconfirmed):
        return ()
    levels = ", ".join(j.level for j in unconfirmed)
    note = f": {unconfirmed[0].note}" if unconfirmed[0].note else ""
    return (f"Unconfirmed innervation at {levels} (check before relying on it){note}",)


def medications_table(procedure: Procedure, catalog: Catalog) -> Table:
    rows = []
    for med in procedure.medications:
        agent = med.catalog_agent(catalog)
        label = strength_text(med, catalog)
        volume = volume_text(med, procedure)
        rows.append(
            (
                agent.name,
                label,
                volume,
                f"{num(med.total_volume_ml(procedure))} mL",
                f"{num(med.total_dose_mg(procedure))} {agent.dose_unit}",
            )
        )
    return Table(("Agent", "Strength", "Volume", "Total", "Dose"), tuple(rows))


def botox_block(bt: BotoxTreatment | None, catalog: Catalog) -> BotoxBlock | None:
    if bt is None:
        return None
    per_ml = bt.units_per_ml
    rows = []
    for site in bt.sites:
        muscle = catalog.muscle(site.muscle)
        units = site.units or 0
        rows.append(
            (
                muscle.name if muscle else site.muscle,
                site.level,
                site.side.label,
                f"{num(units)} U",
                f"{round(units / per_ml, 2):g} mL",
            )
        )
    return BotoxBlock(
        product=bt.product.label,
        dilution=f"{num(bt.vial_units)} U in {num(bt.diluent_ml)} mL ({num(per_ml)} U/mL)",
        sites=Table(("Muscle", "Level", "Side", "Units", "Volume"), tuple(rows)),
        total_units=f"{num(bt.total_units)} U",
    )


def pain_block(procedure: Procedure, catalog: Catalog) -> PainBlock:
    chart, chart_note = relief_chart(procedure, catalog)
    thresholds = sorted(
        (catalog.threshold(k).value for k in ("relief.positive_block_pct", "relief.meaningful_pct")), reverse=True
    )
    summary = procedure_relief(procedure, catalog, tuple(thresholds))
    scale = procedure.indication.pain_scale.value
    rows = tuple(
        (
            format_minutes(p.minutes_after),
            str(p.nrs),
            f"{num(p.relief_pct)}%" if p.relief_pct is not None else "—",
            p.activity,
        )
        for p in summary.points
    )
    baseline = f"{summary.baseline}/10" if summary.baseline is not None else NOT_RECORDED
    if summary.reason_not_computed:
        # One line says why there is neither a relief figure nor a chart.
        peak = f"Relief not computed, no relief chart: {summary.reason_not_computed}"
        chart_note = ""
        durations: tuple[str, ...] = ()
    else:
        peak = peak_relief_text(summary)
        durations = tuple(relief_duration_text(d) for d in summary.durations)
    return PainBlock(
        scale=scale,
        baseline=baseline,
        # With no scores, the reason relief is not computed says so already: said once, not twice in a row.
        scores=Table(
            ("Time after injection", scale, "Relief", "Activity"),
            rows,
            empty="" if summary.reason_not_computed == NO_POST_SCORES else "No post-injection scores",
        ),
        peak=peak,
        durations=durations,
        chart=chart,
        chart_note=chart_note,
    )
