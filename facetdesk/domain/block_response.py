"""What makes a diagnostic block positive: one definition, used by every rule, the note and the exports.

Definition (docs/rules.md, "Block response"; LCD L38773: >= the threshold "for the agent's expected
duration"). Let T be relief.positive_block_pct, W the expected duration of the block's local anaesthetic
(relief.expected_duration_hours, the longest-acting one given at the targets) and O the onset allowance
(relief.onset_allowance_minutes, an assumption the clinic reviews):

- positive: every recorded score from O through W is at or above T, and the first score at or after W
  still is (relief sustained through the expected duration; scores before O may be lower while the block
  takes effect; gaps between recorded scores are not held against it);
- negative: no score up to W reaches T (relief that appears only after W is not the anaesthetic's), or
  relief reached T and then fell below it before W;
- indeterminate: T was reached within W but the scores cannot show it was sustained (a score from O on
  was still below T when relief first reached it, i.e. a late onset; no score at or after W; or relief
  below T at the first score after W);
- not evaluated: no agent with an expected duration, no pre-injection score (or 0), or no score up to W.

Durations are counted from when relief began (the first score at or above T; a dip below T before O restarts the
run), not from the injection. The note, the FHIR and registry exports and the screens print the same run
(domain.relief.procedure_relief, with O).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from facetdesk.domain.catalog import Catalog
from facetdesk.domain.procedure import PainScore, Procedure
from facetdesk.domain.relief import ReliefDuration, relief_pct, summarize_relief, targeted_anaesthetics
from facetdesk.domain.timefmt import format_minutes

THRESHOLD_KEY = "relief.positive_block_pct"
DURATION_KEY = "relief.expected_duration_hours"
ONSET_KEY = "relief.onset_allowance_minutes"
KEYS = (THRESHOLD_KEY, DURATION_KEY, ONSET_KEY)


class BlockVerdict(str, Enum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    INDETERMINATE = "indeterminate"
    NOT_EVALUATED = "not evaluated"


@dataclass(frozen=True)
class BlockResponse:
    """A diagnostic block's response against the definition above, with the numbers behind the verdict."""

    verdict: BlockVerdict
    reason: str
    threshold_pct: float
    agent: str | None = None  # catalogue key of the anaesthetic judged
    agent_name: str | None = None
    expected_hours: float | None = None
    onset_minutes: float | None = None
    peak_pct: float | None = None  # highest relief up to the expected duration
    peak_at: int | None = None
    began_at: int | None = None  # first score at or above the threshold
    lasted_until: int | None = None  # last score of the unbroken run from began_at
    ended_before: int | None = None  # first score below the threshold after began_at

    @property
    def positive(self) -> bool:
        return self.verdict is BlockVerdict.POSITIVE

    @property
    def duration_minutes(self) -> int | None:
        """How long relief at or above the threshold lasted, from when it began (at least, if still at the end)."""
        if self.began_at is None or self.lasted_until is None:
            return None
        return self.lasted_until - self.began_at

    @property
    def seen_to_end(self) -> bool:
        """Whether a score shows relief falling below the threshold; if not, the duration is only a lower bound."""
        return self.ended_before is not None

    def describe_duration(self) -> str:
        if self.began_at is None or self.duration_minutes is None:
            return f"relief never reached {self.threshold_pct:g}%"
        run = ReliefDuration(self.threshold_pct, self.began_at, self.lasted_until, self.ended_before)
        return f"relief >={self.threshold_pct:g}% {run.run_text()}"

    def summary(self) -> str:
        """One readable sentence with the numbers, for findings and the note."""
        parts = [f"diagnostic block {self.verdict.value}"]
        if self.peak_pct is not None:
            parts.append(f"peak relief {self.peak_pct:g}% at {format_minutes(self.peak_at or 0)}")
            parts.append(self.describe_duration())
        if self.agent_name is not None and self.expected_hours is not None:
            parts.append(f"expected duration of {self.agent_name} {self.expected_hours:g} h")
        parts.append(f"threshold {self.threshold_pct:g}%")
        text = "; ".join(parts)
        return f"{text} ({self.reason})" if self.reason else text


def block_response(procedure: Procedure, catalog: Catalog) -> BlockResponse:
    """The block's verdict by the definition in this module's docstring (thresholds read through ``catalog``)."""
    threshold = float(catalog.threshold(THRESHOLD_KEY).value)
    table = catalog.threshold(DURATION_KEY).value
    onset = float(catalog.threshold(ONSET_KEY).value)
    given = targeted_anaesthetics(procedure, catalog)
    if not given:
        return BlockResponse(BlockVerdict.NOT_EVALUATED, "no local anaesthetic recorded at the targets", threshold)
    known = [a for a in given if isinstance(table.get(a), (int, float))]
    if not known:
        return BlockResponse(
            BlockVerdict.NOT_EVALUATED, f"no expected duration of {', '.join(given)} in {DURATION_KEY}", threshold
        )
    agent = max(known, key=lambda a: table[a])
    hours = float(table[agent])
    note = ""
    if len(given) > 1:
        note = f"several local anaesthetics ({', '.join(given)}): the longest expected duration, {agent}, is used"
    found = catalog.agent(agent)
    agent_name = found.name if found else agent

    def result(verdict: BlockVerdict, why: str, **numbers) -> BlockResponse:
        return BlockResponse(
            verdict,
            "; ".join(r for r in (why, note) if r),
            threshold,
            agent=agent,
            agent_name=agent_name,
            expected_hours=hours,
            onset_minutes=onset,
            **numbers,
        )

    baseline = procedure.pre_procedure_pain
    scores = sorted(procedure.pain_scores, key=lambda s: s.minutes_after)
    if baseline is None:
        return result(BlockVerdict.NOT_EVALUATED, "no pre-injection pain score")
    if baseline == 0:
        return result(BlockVerdict.NOT_EVALUATED, "pre-injection pain was 0, so relief cannot be a percentage")
    if not scores:
        return result(BlockVerdict.NOT_EVALUATED, "no post-injection pain scores")
    window = hours * 60
    in_window = [s for s in scores if s.minutes_after <= window]
    if not in_window:
        return result(
            BlockVerdict.NOT_EVALUATED,
            f"no pain score within the expected duration of {agent_name} ({hours:g} h); "
            f"first score at {format_minutes(scores[0].minutes_after)}",
        )

    def rel(s: PainScore) -> float:
        return relief_pct(baseline, s.nrs)

    peak = max(in_window, key=lambda s: (rel(s), -s.minutes_after))
    # The run at the threshold as the note and the exports print it (domain.relief, with the onset allowance).
    run = summarize_relief(baseline, scores, (threshold,), onset).durations[0]
    began = run.reached_at
    numbers = {
        "peak_pct": rel(peak),
        "peak_at": peak.minutes_after,
        "began_at": began,
        "lasted_until": run.lasted_until,
        "ended_before": run.ended_before,
    }
    if rel(peak) < threshold:
        late = [s for s in scores if s.minutes_after > window and rel(s) >= threshold]
        why = (
            f"relief reached {threshold:g}% only at {format_minutes(late[0].minutes_after)}, after the expected "
            f"duration: not a response to the anaesthetic"
            if late
            else ""
        )
        # The relief that did appear late is no block response: no duration is claimed for it.
        numbers.update(began_at=None, lasted_until=None, ended_before=None)
        return result(BlockVerdict.NEGATIVE, why, **numbers)
    core = [s for s in scores if onset <= s.minutes_after <= window]
    below = [s for s in core if rel(s) < threshold]
    if below:
        first_below = below[0]
        if began is not None and began < first_below.minutes_after:
            why = f"relief fell below {threshold:g}% at {format_minutes(first_below.minutes_after)}, before {hours:g} h"
            return result(BlockVerdict.NEGATIVE, why, **numbers)
        why = (
            f"relief first reached {threshold:g}% at {format_minutes(began or 0)}, later than the onset allowance "
            f"of {format_minutes(int(onset))}"
        )
        return result(BlockVerdict.INDETERMINATE, why, **numbers)
    after = [s for s in scores if s.minutes_after >= window]
    if not after:
        why = (
            f"no score at or after the expected duration ({hours:g} h); "
            f"last score at {format_minutes(scores[-1].minutes_after)}"
        )
        return result(BlockVerdict.INDETERMINATE, why, **numbers)
    if rel(after[0]) < threshold:
        why = (
            f"relief was >={threshold:g}% until {format_minutes(core[-1].minutes_after)} and below it at "
            f"{format_minutes(after[0].minutes_after)}: not shown to last {hours:g} h"
        )
        return result(BlockVerdict.INDETERMINATE, why, **numbers)
    return result(BlockVerdict.POSITIVE, "", **numbers)


def blocks_apart_enough(first: Procedure, second: Procedure, catalog: Catalog) -> bool:
    """Whether two diagnostic blocks are far enough apart to count as two (lcd.confirmatory.min_interval_days)."""
    days = float(catalog.threshold("lcd.confirmatory.min_interval_days").value)
    return abs((second.performed_at.date() - first.performed_at.date()).days) >= days


def month_minutes(months: float, catalog: Catalog) -> float:
    """``months`` of relief in minutes by the one convention (time.days_per_month), the diary's own unit."""
    return months * float(catalog.threshold("time.days_per_month").value) * 24 * 60
