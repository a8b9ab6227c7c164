"""A follow-up visit after a procedure: pain, function, daily activities, analgesics and the patient's impression.

Entered by a nurse or a physician at a later visit (or by phone). What counts as an improvement sustained for
months (sustained_improvement) and how long an improvement lasted (relief_span) are defined once here, from the
same visits, and used by every rule, summary and export that asks them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pydantic import Field, ValidationInfo, field_validator

from facetdesk.domain.base import LongText, Model, Name, RowId, is_stored, not_in_future
from facetdesk.domain.enums import DisabilityScale, LabelledEnum
from facetdesk.domain.procedure import Nrs, Procedure
from facetdesk.domain.procedure_form import FormField


class AnalgesicUse(LabelledEnum):
    """Pain medication since the procedure, as the patient reports it."""

    NONE = "none", "None"
    LESS = "less", "Less than before the procedure"
    SAME = "same", "The same as before"
    MORE = "more", "More than before"


class GlobalImpression(LabelledEnum):
    """The patient's global impression of change since the procedure (seven points, as the PGIC asks it)."""

    VERY_MUCH_IMPROVED = "very_much_improved", "Very much improved"
    MUCH_IMPROVED = "much_improved", "Much improved"
    MINIMALLY_IMPROVED = "minimally_improved", "Minimally improved"
    NO_CHANGE = "no_change", "No change"
    MINIMALLY_WORSE = "minimally_worse", "Minimally worse"
    MUCH_WORSE = "much_worse", "Much worse"
    VERY_MUCH_WORSE = "very_much_worse", "Very much worse"


class FollowUp(Model):
    id: RowId | None = None
    version: int = Field(default=0, ge=0)
    # The procedure followed up, by its stable identifier (the same in every database and case file).
    procedure_uid: str = Field(min_length=1, max_length=64)
    seen_on: date
    recorded_by: Name
    pain_nrs: Nrs | None = None
    disability_scale: DisabilityScale | None = None
    disability_score: float | None = Field(default=None, ge=0, le=100)
    # Improvement in activities of daily living since before the procedure, on the patient's usual scale.
    adl_improvement_pct: float | None = Field(default=None, ge=-100, le=100)
    analgesic_use: AnalgesicUse | None = None
    global_impression: GlobalImpression | None = None
    notes: LongText = ""

    @field_validator("seen_on")
    @classmethod
    def _past(cls, v: date, info: ValidationInfo) -> date:
        return v if is_stored(info) else not_in_future(datetime.combine(v, datetime.min.time())).date()

    @field_validator("disability_score")
    @classmethod
    def _scale_named(cls, v: float | None, info: ValidationInfo) -> float | None:
        if v is not None and info.data.get("disability_scale") is None:
            raise ValueError("name the disability scale (ODI or NDI) the score is on")
        return v

    def recorded(self) -> bool:
        """Whether anything was measured or reported (a visit with only notes measures nothing)."""
        return any(
            v is not None
            for v in (self.pain_nrs, self.disability_score, self.adl_improvement_pct, self.global_impression)
        )


def pain_improvement_pct(procedure: Procedure, visit: FollowUp) -> float | None:
    """Pain improvement at ``visit`` against the pain before the procedure (the usual pain at evaluation when the
    day's pre-procedure score is missing); None when either is missing or the baseline is 0."""
    baseline = procedure.pre_procedure_pain
    if baseline is None:
        baseline = procedure.indication.baseline_pain
    if baseline is None or baseline == 0 or visit.pain_nrs is None:
        return None
    return round(100 * (baseline - visit.pain_nrs) / baseline, 1)


@dataclass(frozen=True)
class _Measured:
    """A visit that measured pain or daily activities, with its improvements (the better one decides)."""

    visit: FollowUp
    pain: float | None
    adl: float | None

    @property
    def best(self) -> float:
        return max(x for x in (self.pain, self.adl) if x is not None)

    def describe(self) -> str:
        parts = (
            f"pain {self.pain:g}% better" if self.pain is not None else "",
            f"daily activities {self.adl:g}% better" if self.adl is not None else "",
        )
        return f"{self.visit.seen_on:%Y-%m-%d}: " + ", ".join(part for part in parts if part)


def _measured(procedure: Procedure, visits: list[FollowUp]) -> list[_Measured]:
    """The visits after the day of ``procedure`` that measured pain or daily activities, oldest first; a visit
    with neither recorded does not count either way."""
    day = procedure.performed_at.date()
    ordered = sorted((v for v in visits if v.seen_on > day), key=lambda v: v.seen_on)
    out = []
    for visit in ordered:
        pain, adl = pain_improvement_pct(procedure, visit), visit.adl_improvement_pct
        if pain is not None or adl is not None:
            out.append(_Measured(visit, pain, adl))
    return out


@dataclass(frozen=True)
class Sustained:
    """Whether an improvement of at least ``min_pct`` lasted ``months`` after a procedure, by its follow-ups."""

    met: bool | None  # None: the visits do not reach that far, or measured nothing comparable
    reason: str


def improvement_due(procedure: Procedure, months: float, days_per_month: float) -> date:
    """The day ``months`` months of relief after ``procedure`` have passed (a month: ``days_per_month`` days)."""
    return procedure.performed_at.date() + timedelta(days=math.ceil(months * days_per_month))


def sustained_improvement(
    procedure: Procedure, visits: list[FollowUp], min_pct: float, months: float, days_per_month: float
) -> Sustained:
    """At least ``min_pct`` improvement in pain, or in daily activities on the same scale, at every follow-up up to
    and including the first at ``months`` or later after ``procedure``.

    The one definition of "improvement for N months" after a procedure; a visit with neither pain nor activities
    recorded does not count either way. A month is ``days_per_month`` days (time.days_per_month), as in the pain
    diary and relief_span, so the diary and the follow-ups agree on when 3 months have passed.
    """
    due = improvement_due(procedure, months, days_per_month)
    checked = []
    for measured in _measured(procedure, visits):
        what = measured.describe()
        checked.append(what)
        if measured.best < min_pct:
            return Sustained(False, f"below {min_pct:g}% at {what}")
        if measured.visit.seen_on >= due:
            return Sustained(True, f"at least {min_pct:g}% through {months:g} months: " + "; ".join(checked))
    if not checked:
        return Sustained(None, "no follow-up with pain or daily activities recorded")
    return Sustained(None, f"follow-ups reach {checked[-1].split(':')[0]}, not yet {months:g} months ({due:%Y-%m-%d})")


@dataclass(frozen=True)
class ReliefSpan:
    """How long an improvement of at least ``min_pct`` lasted after a procedure, by its follow-ups (relief_span)."""

    days: int | None  # None: no follow-up measured pain or daily activities
    ended: bool | None  # True: a later visit fell below; False: still at or above at the last visit (at least ``days``)
    reason: str

    def months(self, days_per_month: float) -> float | None:
        """``days`` in months of ``days_per_month`` days (time.days_per_month: the one month of relief)."""
        return None if self.days is None else self.days / days_per_month


def relief_span(procedure: Procedure, visits: list[FollowUp], min_pct: float) -> ReliefSpan:
    """How long relief of at least ``min_pct`` (pain, or daily activities on the same scale) lasted after
    ``procedure``: the days from the procedure to the last follow-up of the unbroken run of visits at or above
    ``min_pct`` from the first visit on.

    The one definition of "how long relief lasted" after a procedure, read from the same visits as
    sustained_improvement (a visit with neither pain nor activities recorded does not count either way):

    - ended: a visit fell below ``min_pct``; the duration runs to the last visit before it that was at or above,
      0 when the first visit was already below (relief that is not shown at any visit is not counted). Relief
      ended somewhere between the two visits: the duration is what the visits show, never more.
    - still at or above at the last visit (censored): the duration is at least the days to that visit; whoever
      summarises many procedures must treat it as "at least", never as an end (clinic_outcomes counts it until
      that visit and no further).
    - no visit measured anything: unknown (``days`` None), never 0.
    """
    measured = _measured(procedure, visits)
    if not measured:
        return ReliefSpan(None, None, "no follow-up with pain or daily activities recorded")
    day = procedure.performed_at.date()
    last_at_or_above = None
    for m in measured:
        if m.best < min_pct:
            days = 0 if last_at_or_above is None else (last_at_or_above.visit.seen_on - day).days
            return ReliefSpan(days, True, f"below {min_pct:g}% at {m.describe()}")
        last_at_or_above = m
    assert last_at_or_above is not None
    days = (last_at_or_above.visit.seen_on - day).days
    return ReliefSpan(days, False, f"still at least {min_pct:g}% at the last follow-up, {last_at_or_above.describe()}")


# The follow-up form, described once (as the procedure form is): the dialog builds its widgets from it.
FIELDS: tuple[FormField, ...] = (
    FormField(("pain_nrs",), "Pain now (NRS)", "Follow-up", "number"),
    FormField(("disability_scale",), "Disability scale", "Follow-up", "choice"),
    FormField(("disability_score",), "Disability score", "Follow-up", "number", unit=" %", decimals=0),
    FormField(("adl_improvement_pct",), "Daily activities, change since before", "Follow-up", "number",
              "On the patient's usual activities scale: positive when better, negative when worse", unit=" %",
              decimals=0),
    FormField(("analgesic_use",), "Pain medication since", "Follow-up", "choice"),
    FormField(("global_impression",), "Patient's impression of change", "Follow-up", "choice"),
    FormField(("notes",), "Notes", "Follow-up", "text"),
)  # fmt: skip


def follow_up_summary(procedure: Procedure, visit: FollowUp) -> str:
    """One line for a visit, as the screen and the note say it; what was not recorded is left out."""
    parts = []
    if visit.pain_nrs is not None:
        better = pain_improvement_pct(procedure, visit)
        parts.append(f"pain {visit.pain_nrs}/10" + (f" ({better:g}% better)" if better is not None else ""))
    if visit.disability_score is not None and visit.disability_scale is not None:
        parts.append(f"{visit.disability_scale.value} {visit.disability_score:g}%")
    if visit.adl_improvement_pct is not None:
        parts.append(f"daily activities {visit.adl_improvement_pct:+g}%")
    if visit.analgesic_use is not None:
        parts.append(f"pain medication: {visit.analgesic_use.label.lower()}")
    if visit.global_impression is not None:
        parts.append(visit.global_impression.label.lower())
    measured = "; ".join(parts) or "nothing measured"
    return f"{visit.seen_on:%Y-%m-%d}: {measured} ({visit.recorded_by})"
