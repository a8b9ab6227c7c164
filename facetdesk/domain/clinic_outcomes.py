"""Clinic outcomes over a date range: procedures by type, diagnostic block responses, conversion from a positive
block to radiofrequency ablation (RF), how long relief lasted after an RF, complications.

Pure: the service (services.outcomes) reads the range's procedures in pages and hands each to an OutcomesTally,
then the RFs of the patients whose block was positive; the tally keeps only what the summary needs (counts, each
positive block's time and regions, each RF's relief span), never the records. What is counted, precisely (the
dialog and the PDF say the same, through domain.outcome_figures):

- procedures: every procedure performed from the first to the last day (both included), by technique and intent
  (a toxin-only visit is a technique of its own; a block given with botulinum toxin counts as the block).
- diagnostic blocks: the range's procedures with a diagnostic intent (first or confirmatory, intra-articular or
  medial branch), each judged by domain.block_response, the one definition. Shares are of the blocks that could be
  judged (positive, negative or indeterminate); "not evaluated" ones (no usable scores) are counted apart, never
  as negative.
- conversion: the patients with at least one positive diagnostic block in the range; of them, those with an RF
  performed after such a block, in a spinal region (cervical, thoracic, lumbar) that block treated, on any later
  day recorded (also after the range's last day). Patients, not blocks: two positive blocks before one RF are one
  patient converted. A block near the range's end has had less time to lead to an RF.
- relief after RF: the RFs performed in the range, each with domain.follow_up.relief_span at RELIEF_PCT_KEY (the
  improvement lcd.rfa_repeat asks of an RF), in months of time.days_per_month days. The median is the
  Kaplan-Meier median: an RF still at or above the threshold at its last follow-up counts as relieved until that
  visit and is then left out (censored), never counted as ended; the median is the first time at which at most
  half are estimated to be still relieved, "not reached" when more than half still were when follow-up ran out.
  RFs without a follow-up that measured pain or daily activities are counted apart, not in n.
- complications: the range's procedures with at least one complication recorded, of all its procedures; and how
  many procedures recorded each complication (one procedure may record several).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from facetdesk.domain.block_response import THRESHOLD_KEY as BLOCK_THRESHOLD_KEY
from facetdesk.domain.block_response import BlockVerdict, block_response
from facetdesk.domain.catalog import Catalog
from facetdesk.domain.enums import Complication, Intent, Technique
from facetdesk.domain.follow_up import FollowUp, relief_span
from facetdesk.domain.procedure import Procedure

# The improvement an RF is judged by: the one lcd.rfa_repeat asks of the RF before a repeat.
RELIEF_PCT_KEY = "lcd.rfa.repeat_min_improvement_pct"
DAYS_PER_MONTH_KEY = "time.days_per_month"
RF = Technique.RADIOFREQUENCY_ABLATION
MEDIAN_SHARE = Fraction(1, 2)  # what a median is, not a clinical number


@dataclass(frozen=True)
class Share:
    """``count`` of ``n``; no percentage when ``n`` is 0."""

    count: int
    n: int

    @property
    def pct(self) -> float | None:
        return None if self.n == 0 else 100 * self.count / self.n


@dataclass(frozen=True)
class ReliefAfterRf:
    """How long relief of at least ``threshold_pct`` lasted after the range's RFs (see the module docstring)."""

    threshold_pct: float
    ended: int  # RFs whose relief ended at a follow-up (or was below at the first one)
    ongoing: int  # RFs still relieved at their last follow-up (censored there)
    unmeasured: int  # RFs with no follow-up that measured pain or daily activities: not in n
    median_months: float | None  # None: not reached, or n is 0
    longest_months: float | None  # the longest follow-up among the n
    # The Kaplan-Meier estimate: (months, % still relieved) at 0 and at each time relief ended, then at the
    # longest follow-up (the curve holds its last value until there).
    curve: tuple[tuple[float, float], ...]

    @property
    def n(self) -> int:
        return self.ended + self.ongoing


@dataclass(frozen=True)
class ClinicOutcomes:
    """The figures of a date range; each carries its n (see the module docstring for what is counted)."""

    first: date
    last: date
    procedures: int
    by_type: tuple[tuple[Technique, Intent, int], ...]  # only the kinds performed, in the enums' order
    blocks: tuple[tuple[BlockVerdict, int], ...]  # every verdict, in BlockVerdict's order
    block_threshold_pct: float
    conversion: Share  # patients with a positive diagnostic block -> of them, with an RF afterwards
    relief: ReliefAfterRf
    complicated: Share  # procedures with any complication, of all procedures
    by_complication: tuple[tuple[Complication, int], ...]  # only those recorded, in the enum's order

    @property
    def diagnostic_blocks(self) -> int:
        return sum(count for _, count in self.blocks)

    @property
    def judged_blocks(self) -> int:
        """Diagnostic blocks that could be judged: positive, negative or indeterminate."""
        return sum(count for verdict, count in self.blocks if verdict is not BlockVerdict.NOT_EVALUATED)

    def block_share(self, verdict: BlockVerdict) -> Share:
        """A verdict's blocks: of the judged blocks, or for "not evaluated" of every diagnostic block."""
        count = dict(self.blocks)[verdict]
        n = self.diagnostic_blocks if verdict is BlockVerdict.NOT_EVALUATED else self.judged_blocks
        return Share(count, n)


def kaplan_meier(spans: Sequence[tuple[int, bool]]) -> tuple[int | None, tuple[tuple[int, Fraction], ...]]:
    """(median, curve) of (days, ended) spans: the product-limit estimate of the share still relieved.

    At a time where relief ended for some and follow-up stopped for others, the endings are counted first (the
    censored were still at risk then). The median is the first time the estimate is at most one half; None when
    it never is. Exact fractions, so a half is a half.
    """
    at_risk = len(spans)
    still = Fraction(1)
    curve: list[tuple[int, Fraction]] = [(0, still)]
    median = None
    ended = Counter(days for days, end in spans if end)
    leaving = Counter(days for days, _ in spans)
    for day in sorted(leaving):
        if ended[day]:
            still *= 1 - Fraction(ended[day], at_risk)
            curve.append((day, still))
            if median is None and still <= MEDIAN_SHARE:
                median = day
        at_risk -= leaving[day]
    if spans:
        curve.append((max(leaving), still))
    return median, tuple(curve)


class OutcomesTally:
    """Counts one procedure at a time (add), then the RFs of the patients with a positive block
    (add_later_rf); result() gives the figures."""

    def __init__(self, catalog: Catalog):
        self._catalog = catalog
        self._relief_pct = float(catalog.threshold(RELIEF_PCT_KEY).value)
        self._days_per_month = float(catalog.threshold(DAYS_PER_MONTH_KEY).value)
        self._procedures = 0
        self._types: Counter[tuple[Technique, Intent]] = Counter()
        self._verdicts: Counter[BlockVerdict] = Counter()
        self._positive: dict[int, list[tuple[datetime, frozenset[str]]]] = {}
        self._converted: set[int] = set()
        self._spans: list[tuple[int, bool]] = []
        self._unmeasured = 0
        self._complicated = 0
        self._complications: Counter[Complication] = Counter()

    def add(self, patient_id: int, procedure: Procedure, follow_ups: Sequence[FollowUp] = ()) -> None:
        """A procedure performed in the range, with its follow-up visits (read for an RF only)."""
        self._procedures += 1
        self._types[(procedure.technique, procedure.intent)] += 1
        if procedure.intent.diagnostic:
            verdict = block_response(procedure, self._catalog).verdict
            self._verdicts[verdict] += 1
            if verdict is BlockVerdict.POSITIVE:
                regions = frozenset(procedure.regions(self._catalog))
                self._positive.setdefault(patient_id, []).append((procedure.performed_at, regions))
        if procedure.technique is RF:
            span = relief_span(procedure, list(follow_ups), self._relief_pct)
            if span.days is None or span.ended is None:
                self._unmeasured += 1
            else:
                self._spans.append((span.days, span.ended))
        if procedure.complications:
            self._complicated += 1
            self._complications.update(set(procedure.complications))

    def positive_block_patients(self) -> list[int]:
        """The patients with a positive diagnostic block in the range: whose RFs add_later_rf wants."""
        return sorted(self._positive)

    def add_later_rf(self, patient_id: int, procedure: Procedure) -> None:
        """An RF of a patient with a positive block, performed on any day (before the block it does not count)."""
        blocks = self._positive.get(patient_id)
        if procedure.technique is not RF or not blocks:
            return
        regions = set(procedure.regions(self._catalog))
        if any(when < procedure.performed_at and regions & treated for when, treated in blocks):
            self._converted.add(patient_id)

    def result(self, first: date, last: date) -> ClinicOutcomes:
        by_type = tuple(
            (technique, intent, self._types[(technique, intent)])
            for technique in Technique
            for intent in Intent
            if self._types[(technique, intent)]
        )
        return ClinicOutcomes(
            first=first,
            last=last,
            procedures=self._procedures,
            by_type=by_type,
            blocks=tuple((verdict, self._verdicts[verdict]) for verdict in BlockVerdict),
            block_threshold_pct=float(self._catalog.threshold(BLOCK_THRESHOLD_KEY).value),
            conversion=Share(len(self._converted), len(self._positive)),
            relief=self._relief(),
            complicated=Share(self._complicated, self._procedures),
            by_complication=tuple((c, self._complications[c]) for c in Complication if self._complications[c]),
        )

    def _relief(self) -> ReliefAfterRf:
        median, curve = kaplan_meier(self._spans)

        def months(days: int) -> float:
            return days / self._days_per_month

        return ReliefAfterRf(
            threshold_pct=self._relief_pct,
            ended=sum(1 for _, end in self._spans if end),
            ongoing=sum(1 for _, end in self._spans if not end),
            unmeasured=self._unmeasured,
            median_months=None if median is None else months(median),
            longest_months=months(max(days for days, _ in self._spans)) if self._spans else None,
            curve=tuple((months(day), float(100 * still)) for day, still in curve) if self._spans else (),
        )
