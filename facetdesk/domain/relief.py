"""Derived relief: % relief at each time point, peak relief, and how long relief lasted."""

from __future__ import annotations

from dataclasses import dataclass

from facetdesk.domain.procedure import PainScore
from facetdesk.domain.timefmt import format_minutes, format_minutes_at_most


@dataclass(frozen=True)
class ReliefPoint:
    minutes_after: int
    nrs: int
    relief_pct: float | None
    activity: str = ""


@dataclass(frozen=True)
class ReliefDuration:
    """How long relief stayed at or above a threshold.

    ``reached_at`` is the first time point at or above it; ``lasted_until`` the last point of the
    unbroken run from there; ``ended_before`` the first point below it afterwards (None: the run
    reaches the last recorded score, so relief lasted at least until then).
    """

    threshold_pct: float
    reached_at: int | None
    lasted_until: int | None
    ended_before: int | None

    @property
    def reached(self) -> bool:
        return self.reached_at is not None

    @property
    def minutes(self) -> int | None:
        """How long relief stayed at or above the threshold, counted from when it reached it (not the injection)."""
        if self.reached_at is None or self.lasted_until is None:
            return None
        return self.lasted_until - self.reached_at

    @property
    def one_score(self) -> bool:
        """Only one score of the run is at or above the threshold: its length is unknown, not zero (relief may
        have held until just before the next score)."""
        return self.reached_at is not None and self.lasted_until == self.reached_at

    def run_text(self) -> str:
        """'from 15 min, lasted 45 min', 'from 15 min, lasted at least 2 h' (still at the last score), or 'at
        30 min only' (one score; below at the next): how every output says how long relief lasted."""
        if self.reached_at is None or self.minutes is None:
            return "not reached"
        if self.one_score:
            last = " (the last score)" if self.ended_before is None else ""
            return f"at {format_minutes(self.reached_at)} only{last}"
        at_least = "at least " if self.ended_before is None else ""
        return f"from {format_minutes(self.reached_at)}, lasted {at_least}{format_minutes(self.minutes)}"

    def short_text(self) -> str:
        """For a table cell: '45 min', '2 h+' (still at the last score), '<30 min' (one score, below 30 min
        later), 'last score' (one score, the last), 'not reached'."""
        if self.reached_at is None or self.minutes is None:
            return "not reached"
        if self.one_score:
            if self.ended_before is None:
                return "last score"
            return f"<{format_minutes_at_most(self.ended_before - self.reached_at)}"
        return format_minutes(self.minutes) + ("+" if self.ended_before is None else "")


@dataclass(frozen=True)
class ReliefSummary:
    baseline: int | None
    points: tuple[ReliefPoint, ...]
    peak_pct: float | None
    peak_at: int | None
    durations: tuple[ReliefDuration, ...]
    reason_not_computed: str | None = None

    def duration(self, threshold_pct: float) -> ReliefDuration | None:
        return next((d for d in self.durations if d.threshold_pct == threshold_pct), None)


def relief_pct(baseline: int, nrs: int) -> float:
    """Percent relief from baseline; negative when pain got worse."""
    return round((baseline - nrs) / baseline * 100, 1)


def _duration(points: tuple[ReliefPoint, ...], threshold: float, onset_minutes: float) -> ReliefDuration:
    """The run of points at or above ``threshold``; a dip before ``onset_minutes`` (the anaesthetic still taking
    effect) restarts the run rather than ending it, as the block-response definition reads it."""
    reached_at = lasted_until = ended_before = None
    for p in points:
        at_or_above = p.relief_pct is not None and p.relief_pct >= threshold
        if reached_at is None:
            if at_or_above:
                reached_at = lasted_until = p.minutes_after
        elif at_or_above:
            lasted_until = p.minutes_after
        elif p.minutes_after < onset_minutes:
            reached_at = lasted_until = None
        else:
            ended_before = p.minutes_after
            break
    return ReliefDuration(threshold, reached_at, lasted_until, ended_before)


# Why relief is not computed when the diary is empty (the note prints it as the only word on the missing scores).
NO_POST_SCORES = "no post-injection pain scores"


def summarize_relief(
    baseline: int | None, scores: list[PainScore], thresholds_pct: tuple[float, ...], onset_minutes: float = 0.0
) -> ReliefSummary:
    """Summarise post-procedure scores against the pre-injection baseline.

    The thresholds (e.g. 50% and 80%) and the onset allowance come from resources/thresholds.json, not from here;
    ``procedure_relief`` reads them. With no onset allowance a dip in relief at any time ends its run.
    """
    ordered = sorted(scores, key=lambda s: s.minutes_after)
    reason = None
    if baseline is None:
        reason = "no pre-injection pain score"
    elif baseline == 0:
        reason = "pre-injection pain was 0, so relief cannot be expressed as a percentage"
    elif not ordered:
        reason = NO_POST_SCORES
    points = tuple(
        ReliefPoint(
            s.minutes_after,
            s.nrs,
            relief_pct(baseline, s.nrs) if baseline else None,
            s.activity,
        )
        for s in ordered
    )
    computed = [p for p in points if p.relief_pct is not None]
    peak = max(computed, key=lambda p: (p.relief_pct, -p.minutes_after), default=None)
    return ReliefSummary(
        baseline=baseline,
        points=points,
        peak_pct=peak.relief_pct if peak else None,
        peak_at=peak.minutes_after if peak else None,
        durations=tuple(_duration(points, t, onset_minutes) for t in thresholds_pct),
        reason_not_computed=reason,
    )


RELIEF_THRESHOLD_KEYS = ("relief.meaningful_pct", "relief.positive_block_pct")
ONSET_KEY = "relief.onset_allowance_minutes"


def relief_thresholds(catalog) -> tuple[float, ...]:
    """The relief thresholds in force (meaningful, positive block), from resources/thresholds.json."""
    return tuple(catalog.threshold(k).value for k in RELIEF_THRESHOLD_KEYS)


def onset_allowance(catalog) -> float:
    """Minutes after the injection during which relief may still dip while the anaesthetic takes effect."""
    return float(catalog.threshold(ONSET_KEY).value)


def procedure_relief(procedure, catalog, thresholds_pct: tuple[float, ...] | None = None) -> ReliefSummary:
    """The procedure's relief as the note, the exports and the screens show it: at the thresholds in force (or
    ``thresholds_pct``), with the onset allowance the block-response definition uses, so the durations printed
    are the ones the rules judged."""
    thresholds = relief_thresholds(catalog) if thresholds_pct is None else thresholds_pct
    return summarize_relief(procedure.pre_procedure_pain, procedure.pain_scores, thresholds, onset_allowance(catalog))


EXPECTED_DURATION_KEY = "relief.expected_duration_hours"


@dataclass(frozen=True)
class BlockAnaesthetic:
    """The anaesthetic a block's relief is judged against: the longest-acting one given at the targets."""

    key: str
    name: str
    hours: float
    unconfirmed: bool


def targeted_anaesthetics(procedure, catalog) -> list[str]:
    """Local anaesthetics given at the targets, in order; skin infiltration blocks neither joint nor nerve."""
    keys: list[str] = []
    for med in procedure.medications:
        agent = med.catalog_agent(catalog)
        if med.site.value == "target" and agent.drug_class == "local_anesthetic" and agent.key not in keys:
            keys.append(agent.key)
    return keys


def block_anaesthetic(procedure, catalog) -> BlockAnaesthetic | None:
    """The block's anaesthetic with its expected duration (thresholds.json), or None when none is listed."""
    threshold = catalog.threshold(EXPECTED_DURATION_KEY)
    table = threshold.value
    known = [k for k in targeted_anaesthetics(procedure, catalog) if isinstance(table.get(k), (int, float))]
    if not known:
        return None
    key = max(known, key=lambda k: table[k])
    return BlockAnaesthetic(key, catalog.agent(key).name, float(table[key]), threshold.unconfirmed)
