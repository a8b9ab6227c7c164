"""What the relief chart shows, as data: points, relief lines, the anaesthetic's expected duration."""

from __future__ import annotations

from dataclasses import dataclass

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.procedure import Procedure
from facetdesk.domain.relief import block_anaesthetic, summarize_relief
from facetdesk.domain.timefmt import format_minutes
from facetdesk.domain.wording import num

# The chart shows the first day, where diagnostic-block relief is read; later diary points
# (days, weeks) would crush it, so they stay in the table and the caption says so.
CHART_WINDOW_MIN = 24 * 60
# Axis lengths (hours) and their tick steps (minutes): the smallest one holding every plotted point wins.
_AXES = ((1, 15), (2, 30), (3, 30), (4, 60), (6, 60), (8, 60), (12, 120), (16, 120), (24, 240))
EXPECTED_DURATION_KEY = "relief.expected_duration_hours"
RELIEF_LINE_KEYS = ("relief.meaningful_pct", "relief.positive_block_pct")


@dataclass(frozen=True)
class ReliefLine:
    pct: float
    nrs: float
    label: str


@dataclass(frozen=True)
class ChartData:
    scale: str
    baseline: int
    points: tuple[tuple[int, int], ...]  # (minutes after injection, score)
    axis_minutes: int
    ticks: tuple[tuple[int, str], ...]
    axis_title: str
    relief_lines: tuple[ReliefLine, ...]
    shade_minutes: int | None
    shade_label: str
    caption: str


def expected_duration(procedure: Procedure, catalog: Catalog) -> tuple[str, float, bool] | None:
    """(agent name, hours, unconfirmed) of the longest-acting anaesthetic given at the targets, if listed."""
    block = block_anaesthetic(procedure, catalog)
    return (block.name, block.hours, block.unconfirmed) if block else None


def _axis(last_minute: int) -> tuple[int, tuple[tuple[int, str], ...], str]:
    hours, step = next(((h, s) for h, s in _AXES if h * 60 >= last_minute), _AXES[-1])
    minutes = hours * 60
    if hours == 1:
        ticks = tuple((m, str(m)) for m in range(0, minutes + 1, step))
        return minutes, ticks, "Minutes after injection"
    ticks = tuple((m, num(m / 60)) for m in range(0, minutes + 1, step))
    return minutes, ticks, "Hours after injection"


def relief_chart(procedure: Procedure, catalog: Catalog) -> tuple[ChartData | None, str]:
    """The chart's data, or None and the one line that says why there is no chart."""
    scale = procedure.indication.pain_scale.value
    summary = summarize_relief(procedure.pre_procedure_pain, procedure.pain_scores, ())
    if summary.reason_not_computed:
        return None, f"No relief chart: {summary.reason_not_computed}."
    baseline = summary.baseline
    assert baseline is not None
    plotted = tuple((p.minutes_after, p.nrs) for p in summary.points if p.minutes_after <= CHART_WINDOW_MIN)
    later = [p.minutes_after for p in summary.points if p.minutes_after > CHART_WINDOW_MIN]
    if not plotted:
        return None, "No relief chart: no scores in the first 24 h after injection (later scores are in the table)."
    duration = expected_duration(procedure, catalog)
    shade_minutes = round(duration[1] * 60) if duration else None
    axis_minutes, ticks, axis_title = _axis(max([plotted[-1][0], shade_minutes or 0]))
    if duration:
        name, hours, unconfirmed = duration
        shade_label = f"expected duration of {name}: {num(hours)} h{' (unconfirmed)' if unconfirmed else ''}"
    else:
        shade_label = ""
    lines = []
    for key in RELIEF_LINE_KEYS:
        pct = float(catalog.threshold(key).value)
        nrs = baseline * (1 - pct / 100)
        lines.append(ReliefLine(pct, nrs, f"{num(pct)}% relief ({scale} {num(nrs)})"))
    caption = (
        f"Pain ({scale} 0-10) after injection against the pre-injection score of {baseline}/10 (hollow marker at 0);"
        " dashed lines mark the relief thresholds."
    )
    if shade_label:
        caption += f" Shaded: {shade_label}."
    else:
        caption += " No expected anaesthetic duration is listed for the agents given at the targets, so none is shaded."
    if later:
        caption += (
            f" Scores after 24 h ({', '.join(format_minutes(m) for m in later)}) are in the table, not the chart."
        )
    return (
        ChartData(
            scale=scale,
            baseline=baseline,
            points=plotted,
            axis_minutes=axis_minutes,
            ticks=ticks,
            axis_title=axis_title,
            relief_lines=tuple(lines),
            shade_minutes=shade_minutes,
            shade_label=shade_label,
            caption=caption,
        ),
        "",
    )
