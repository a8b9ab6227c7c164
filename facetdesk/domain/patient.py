"""Patient: identity plus the facts decision support needs (diabetes, anticoagulants, ...)."""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import Field, ValidationInfo, field_validator

from facetdesk.domain.base import (
    MAX_ROW_ID,
    Model,
    Name,
    RowId,
    ShortText,
    date_not_in_future,
    duplicates,
    is_stored,
    not_in_future,
)
from facetdesk.domain.catalog import get_catalog
from facetdesk.domain.enums import Sex
from facetdesk.domain.text import shown
from facetdesk.domain.toxin import ToxinElsewhere

_MRN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{0,31}$")
EARLIEST_BIRTH = date(1900, 1, 1)
# Beyond this an INR is a typing slip (an input range, not a clinical threshold).
INR_INPUT_MAX = 20


class AnticoagulantUse(Model):
    """An anticoagulant or antiplatelet drug the patient takes, with the last dose taken."""

    agent: str
    last_dose_at: datetime | None = None

    @field_validator("agent", mode="before")
    @classmethod
    def _chosen(cls, v: object) -> object:
        if v is None:
            raise ValueError("choose the anticoagulant or antiplatelet agent")
        return v

    @field_validator("agent")
    @classmethod
    def _known_agent(cls, v: str) -> str:
        catalog = get_catalog()
        if catalog.anticoagulant(v) is None:
            allowed = ", ".join(a.key for a in catalog.anticoagulants)
            raise ValueError(f"{shown(v)} is not in the anticoagulant catalog; allowed: {allowed}")
        return v

    @field_validator("last_dose_at")
    @classmethod
    def _past(cls, v: datetime | None, info: ValidationInfo) -> datetime | None:
        if v is None or is_stored(info):
            return v
        return not_in_future(v)


class Patient(Model):
    id: RowId | None = None
    # Row version for optimistic concurrency, as a procedure's: a save with a stale version is refused.
    version: int = Field(default=0, ge=0, le=MAX_ROW_ID)
    mrn: str
    family_name: Name
    given_name: Name
    date_of_birth: date
    sex: Sex = Sex.UNKNOWN
    weight_kg: float | None = Field(default=None, gt=0, le=500)
    # None means "not recorded": rules report not_evaluated instead of assuming "no".
    diabetes: bool | None = None
    anticoagulants: list[AnticoagulantUse] = Field(default_factory=list)
    # Whether the patient takes any agent of the anticoagulant catalog (anticoagulant, antiplatelet, NSAID): an
    # empty list alone cannot tell "takes none" from "not asked". None: not asked; listing an agent answers yes.
    takes_anticoagulants: bool | None = Field(default=None, validate_default=True)
    # Empty: not recorded. A patient without allergies has an entry that says so ("NKDA", allergy_names.json).
    allergies: list[ShortText] = Field(default_factory=list)
    pregnant: bool | None = None
    neuromuscular_disease: bool | None = None
    injection_site_infection: bool | None = None
    # Renal impairment lengthens the dabigatran hold (ASRA 2018); None means not recorded.
    renal_impairment: bool | None = None
    # The latest INR: its value, when the blood was taken, and whether the laboratory reports it within its
    # normal range. The reference gives no number for "normal INR" (it is the laboratory's range), so the
    # physician records the laboratory's judgement beside the value. All three or none.
    inr: float | None = Field(default=None, gt=0, le=INR_INPUT_MAX)
    inr_taken_at: datetime | None = Field(default=None, validate_default=True)
    inr_normal: bool | None = Field(default=None, validate_default=True)
    # Botulinum toxin given elsewhere, oldest first: counted by every toxin rule with the toxin given here.
    toxin_elsewhere: list[ToxinElsewhere] = Field(default_factory=list)
    # Whether the patient has had botulinum toxin elsewhere, asked apart from the doses listed (as for blood
    # thinners): None is not asked; listing a dose answers yes.
    had_toxin_elsewhere: bool | None = Field(default=None, validate_default=True)

    @field_validator("sex", "date_of_birth", mode="before")
    @classmethod
    def _entered(cls, v: object, info: ValidationInfo) -> object:
        # Given as empty (the form sends None until it is entered): required, and the message says so. Left
        # out altogether (an older case file), sex is unknown, as recorded.
        if v is None:
            what = "choose Female, Male, Other or Unknown" if info.field_name == "sex" else "enter it as YYYY-MM-DD"
            raise ValueError(f"is required: {what}")
        return v

    @field_validator("mrn", mode="before")
    @classmethod
    def _mrn(cls, v: object) -> object:
        if isinstance(v, str):
            v = v.strip()
            if not _MRN.match(v):
                raise ValueError("use 1-32 letters, digits or hyphens, starting with a letter or digit")
        return v

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, v: date, info: ValidationInfo) -> date:
        if not is_stored(info):
            date_not_in_future(v)
        if v < EARLIEST_BIRTH:
            raise ValueError(f"{v:%Y-%m-%d} is before {EARLIEST_BIRTH:%Y-%m-%d}")
        return v

    @field_validator("allergies")
    @classmethod
    def _allergies(cls, v: list[str]) -> list[str]:
        cleaned = [a for a in v if a]
        seen: set[str] = set()
        for a in cleaned:
            if a.casefold() in seen:
                raise ValueError(f"{a!r} is listed twice")
            seen.add(a.casefold())
        return cleaned

    @field_validator("toxin_elsewhere")
    @classmethod
    def _toxin_after_birth(cls, v: list[ToxinElsewhere], info: ValidationInfo) -> list[ToxinElsewhere]:
        born = info.data.get("date_of_birth")
        for i, dose in enumerate(v):
            if born is not None and dose.given_on < born:
                raise ValueError(f"row {i + 1}: {dose.given_on:%Y-%m-%d} is before the date of birth")
        return sorted(v, key=lambda d: d.given_on)

    @field_validator("anticoagulants")
    @classmethod
    def _no_duplicate_agent(cls, v: list[AnticoagulantUse]) -> list[AnticoagulantUse]:
        dup = duplicates(a.agent for a in v)
        if dup:
            raise ValueError(f"{', '.join(dup)} listed more than once")
        return v

    @field_validator("takes_anticoagulants")
    @classmethod
    def _takes_listed(cls, v: bool | None, info: ValidationInfo) -> bool | None:
        return _answered_by_list(v, info.data.get("anticoagulants"), "agents are listed under Anticoagulants")

    @field_validator("had_toxin_elsewhere")
    @classmethod
    def _had_listed(cls, v: bool | None, info: ValidationInfo) -> bool | None:
        return _answered_by_list(v, info.data.get("toxin_elsewhere"), "doses are listed under toxin given elsewhere")

    @field_validator("inr_taken_at")
    @classmethod
    def _inr_time(cls, v: datetime | None, info: ValidationInfo) -> datetime | None:
        has_value = info.data.get("inr") is not None
        if v is None:
            if has_value:
                raise ValueError("record when the blood for the INR was taken")
            return v
        if not has_value and "inr" in info.data:
            raise ValueError("no INR value is recorded for this time: enter the INR or clear the time")
        return v if is_stored(info) else not_in_future(v)

    @field_validator("inr_normal")
    @classmethod
    def _inr_judged(cls, v: bool | None, info: ValidationInfo) -> bool | None:
        has_value = info.data.get("inr") is not None
        if v is None and has_value:
            raise ValueError("say whether the laboratory reports this INR within its normal range")
        if v is not None and not has_value and "inr" in info.data:
            raise ValueError("no INR value is recorded: enter the INR or leave this not recorded")
        return v

    @field_validator("pregnant")
    @classmethod
    def _pregnancy_needs_sex(cls, v: bool | None, info: ValidationInfo) -> bool | None:
        if v and info.data.get("sex") == Sex.MALE:
            raise ValueError("cannot be yes when sex is male")
        return v

    def toxin_elsewhere_until(self, day: date) -> list[ToxinElsewhere]:
        """The toxin given elsewhere up to and including ``day``, oldest first (what a session that day follows)."""
        return [t for t in self.toxin_elsewhere if t.given_on <= day]

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}"

    def age_on(self, day: date) -> int:
        return age_on(self.date_of_birth, day)


def _answered_by_list(answer: bool | None, listed: object, what: str) -> bool | None:
    """A yes/no question asked apart from its list: an entry in the list answers yes, and No beside one is refused."""
    if listed:
        if answer is False:
            raise ValueError(f"is No, but {what}: choose Yes or remove them")
        return True
    return answer


def age_on(born: date, day: date) -> int:
    """Whole years from ``born`` to ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def unusual_adult_weight(weight: object, born: object, day: date) -> str | None:
    """Why a weight typed for an adult looks like a slip (input.adult_weight_plausible_kg), or None.

    Not a validation: the value may be true, so the form asks before saving rather than refusing it.
    """
    if not isinstance(weight, (int, float)) or isinstance(weight, bool) or not isinstance(born, date):
        return None
    check = get_catalog().threshold("input.adult_weight_plausible_kg").value
    (low, high), adult = check["range_kg"], check["adult_from_years"]
    if age_on(born, day) < adult or low <= weight <= high:
        return None
    return f"{weight:g} kg is unusual for an adult (usually {low}-{high} kg)."
