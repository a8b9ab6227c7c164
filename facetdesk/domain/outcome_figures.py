"""The clinic outcomes as figures, described once: title, axes, bars or curve, the n and what is counted.

The outcomes dialog draws them with Qt and the charts PDF with reportlab, from the same Figure, so the screen
and the paper never say different things. A figure with nothing to show says "Not enough data" and why,
never 0%.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from facetdesk.domain.block_response import BlockVerdict
from facetdesk.domain.clinic_outcomes import MEDIAN_SHARE, ClinicOutcomes, Share
from facetdesk.domain.enums import Intent, Technique

NOT_ENOUGH = "Not enough data"
# Ticks on a value axis: about this many, at 1, 2 or 5 times a power of ten (a drawing convention).
TICK_TARGET = 5
_NICE = (1, 2, 5, 10)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    text: str  # written at the bar's end: the count, and its share when it has one


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    n_text: str  # "n = 34 procedures"
    headline: str  # the figure in one sentence, or "Not enough data: ..."
    explains: str  # what is counted, precisely
    value_axis: str
    category_axis: str
    bars: tuple[Bar, ...] = ()
    # A step curve of (months, %) points, drawn as steps (each value holds until the next point).
    curve: tuple[tuple[float, float], ...] = ()
    reference_pct: float | None = None  # a dashed level on the curve (the half a median is read at)
    marker: float | None = None  # a dashed time on the curve (the median)
    marker_label: str = ""

    @property
    def empty(self) -> bool:
        return not self.bars and not self.curve


def percent(share: Share) -> str:
    """ "40%", "7.5%", "66.7%"; "-" without an n."""
    if share.pct is None:
        return "-"
    return f"{share.pct:.1f}".rstrip("0").rstrip(".") + "%"


def months_text(months: float) -> str:
    return f"{months:.1f} months"


def axis_ticks(maximum: float) -> tuple[int, ...]:
    """Ticks from 0 to at least ``maximum``, a whole step of 1, 2 or 5 times a power of ten apart (0 and 1 when
    empty): counts are whole, and a month is the finest the months axis needs."""
    if maximum <= 0:
        return (0, 1)
    rough = maximum / TICK_TARGET
    power = 10 ** max(0, math.floor(math.log10(rough)))
    step = next(n * power for n in _NICE if n * power >= rough)
    return tuple(step * i for i in range(math.ceil(maximum / step) + 1))


# Short enough for a chart's category labels; the intents say "diagnostic" once.
_TECHNIQUE = {
    Technique.INTRA_ARTICULAR: "Intra-articular",
    Technique.MEDIAL_BRANCH_BLOCK: "Medial branch block",
    Technique.RADIOFREQUENCY_ABLATION: "Radiofrequency ablation",
    Technique.TOXIN_ONLY: "Botulinum toxin only",
}
_INTENT = {
    Intent.DIAGNOSTIC_FIRST: "first diagnostic",
    Intent.DIAGNOSTIC_CONFIRMATORY: "confirmatory",
    Intent.THERAPEUTIC: "therapeutic",
}


def type_label(technique: Technique, intent: Intent) -> str:
    """ "Medial branch block, first diagnostic"; an RF and a toxin-only visit are therapeutic only."""
    if technique in (Technique.RADIOFREQUENCY_ABLATION, Technique.TOXIN_ONLY):
        return _TECHNIQUE[technique]
    return f"{_TECHNIQUE[technique]}, {_INTENT[intent]}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _range(o: ClinicOutcomes) -> str:
    return f"from {o.first:%Y-%m-%d} to {o.last:%Y-%m-%d}"


def procedures_figure(o: ClinicOutcomes) -> Figure:
    bars = tuple(
        Bar(type_label(t, i), count, f"{count} ({percent(Share(count, o.procedures))})") for t, i, count in o.by_type
    )
    headline = (
        f"{_plural(o.procedures, 'procedure')} performed {_range(o)}"
        if o.procedures
        else f"{NOT_ENOUGH}: no procedure performed {_range(o)}"
    )
    return Figure(
        key="procedures",
        title="Procedures by type",
        n_text=f"n = {_plural(o.procedures, 'procedure')}",
        headline=headline,
        explains="Each procedure by its technique and intent; a block given with botulinum toxin counts as the block.",
        value_axis="Procedures",
        category_axis="Technique and intent",
        bars=bars,
    )


def blocks_figure(o: ClinicOutcomes) -> Figure:
    bars = []
    for verdict, count in o.blocks:
        share = (
            "counted apart" if verdict is BlockVerdict.NOT_EVALUATED else f"{percent(o.block_share(verdict))} of judged"
        )
        bars.append(Bar(verdict.value.capitalize(), count, f"{count} ({share})"))
    positive = o.block_share(BlockVerdict.POSITIVE)
    if o.judged_blocks:
        headline = f"Positive: {positive.count} of {_plural(o.judged_blocks, 'judged block')} ({percent(positive)})"
    elif o.diagnostic_blocks:
        headline = f"{NOT_ENOUGH}: none of the {_plural(o.diagnostic_blocks, 'diagnostic block')} could be judged"
    else:
        headline = f"{NOT_ENOUGH}: no diagnostic block {_range(o)}"
    return Figure(
        key="blocks",
        title="Diagnostic blocks by response",
        n_text=f"n = {_plural(o.diagnostic_blocks, 'diagnostic block')} ({o.judged_blocks} judged)",
        headline=headline,
        explains=(
            f"Positive: at least {o.block_threshold_pct:g}% relief through the anaesthetic's expected duration "
            "(FacetDesk's one definition of a block response). Shares are of the judged blocks (positive, negative, "
            "indeterminate); not evaluated (no usable pain scores) is counted apart, never as negative."
        ),
        value_axis="Diagnostic blocks",
        category_axis="Response",
        bars=tuple(bars) if o.diagnostic_blocks else (),
    )


def conversion_figure(o: ClinicOutcomes) -> Figure:
    c = o.conversion
    if c.n:
        headline = (
            f"{c.count} of {_plural(c.n, 'patient')} with a positive diagnostic block ({percent(c)}) "
            "had an RF of the same region afterwards"
        )
        bars: tuple[Bar, ...] = (
            Bar("RF afterwards", c.count, f"{c.count} ({percent(c)})"),
            Bar("No RF (yet)", c.n - c.count, f"{c.n - c.count} ({percent(Share(c.n - c.count, c.n))})"),
        )
    else:
        headline = f"{NOT_ENOUGH}: no patient had a positive diagnostic block {_range(o)}"
        bars = ()
    return Figure(
        key="conversion",
        title="From a positive block to RF",
        n_text=f"n = {_plural(c.n, 'patient')} with a positive diagnostic block",
        headline=headline,
        explains=(
            "Patients with at least one positive diagnostic block in the range; of them, those with a "
            "radiofrequency ablation after such a block in a spinal region it treated (cervical, thoracic, lumbar), "
            "on any later day recorded, also after the range. Blocks near the range's end have had less time."
        ),
        value_axis="Patients",
        category_axis="After the positive block",
        bars=bars,
    )


def relief_figure(o: ClinicOutcomes) -> Figure:
    r = o.relief
    pct = f"{r.threshold_pct:g}%"
    half = float(100 * MEDIAN_SHARE)
    n_text = f"n = {_plural(r.n, 'RF')} with follow-up ({r.ended} ended, {r.ongoing} still relieved at the last visit)"
    if r.unmeasured:
        n_text += f"; {r.unmeasured} more without a measured follow-up"
    if not r.n:
        headline = f"{NOT_ENOUGH}: no RF {_range(o)} has a follow-up that measured pain or daily activities"
    elif r.median_months is not None:
        headline = f"Median {months_text(r.median_months)} of relief of at least {pct} after RF"
    else:
        longest = months_text(r.longest_months or 0)
        headline = (
            f"Median not reached: more than half still had at least {pct} relief when follow-up ran out "
            f"(longest {longest})"
        )
    return Figure(
        key="relief",
        title=f"Relief of at least {pct} after RF",
        n_text=n_text,
        headline=headline,
        explains=(
            f"Months from the RF to the last follow-up at or above {pct} (pain, or daily activities) before one "
            "below it; 0 when the first follow-up was below. An RF still relieved at its last follow-up counts "
            "until that visit and no further (Kaplan-Meier); the median is read where the curve reaches "
            f"{half:g}%."
        ),
        value_axis=f"RFs still at {pct} or better (%)",
        category_axis="Months after the RF",
        curve=r.curve,
        reference_pct=half if r.n else None,
        marker=r.median_months,
        marker_label=f"median {months_text(r.median_months)}" if r.median_months is not None else "",
    )


def complications_figure(o: ClinicOutcomes) -> Figure:
    c = o.complicated
    bars = [Bar("Any complication", c.count, f"{c.count} ({percent(c)})")] if c.n else []
    for complication, count in o.by_complication:
        bars.append(Bar(complication.label, count, f"{count} ({percent(Share(count, c.n))})"))
    headline = (
        f"{c.count} of {_plural(c.n, 'procedure')} ({percent(c)}) recorded a complication"
        if c.n
        else f"{NOT_ENOUGH}: no procedure performed {_range(o)}"
    )
    return Figure(
        key="complications",
        title="Complications",
        n_text=f"n = {_plural(c.n, 'procedure')}",
        headline=headline,
        explains="Procedures with at least one complication recorded; below, each complication (one procedure may "
        "record several).",
        value_axis="Procedures",
        category_axis="Complication",
        bars=tuple(bars),
    )


_FIGURES = (procedures_figure, blocks_figure, conversion_figure, relief_figure, complications_figure)
# Each figure's key, in order: where a view places it before anything is counted.
FIGURE_KEYS = ("procedures", "blocks", "conversion", "relief", "complications")


def outcome_figures(o: ClinicOutcomes) -> tuple[Figure, ...]:
    """Every figure of the clinic outcomes, in FIGURE_KEYS' order (the dialog and the PDF show them so)."""
    return tuple(make(o) for make in _FIGURES)
