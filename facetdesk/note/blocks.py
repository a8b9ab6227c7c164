"""The note's building blocks as plain data: tables, letterhead, coding, botulinum toxin and pain blocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from facetdesk.domain.enums import Side
from facetdesk.domain.timefmt import fmt_date, fmt_datetime  # noqa: F401 (the note's names)
from facetdesk.domain.wording import (  # noqa: F401 (shared with the FHIR export; the note's names too)
    NONE_RECORDED,
    NOT_DOCUMENTED,
    NOT_RECORDED,
    Fields,
    num,
)
from facetdesk.note.chart_data import ChartData

DRAFT_STATUS = "DRAFT — not signed"
SIGNED_STATUS = "Signed"
SAME_AS_PRE = "Same as pre-procedure"
TITLE = "Facet joint procedure note"
TOXIN_TITLE = "Botulinum toxin procedure note"
VERIFY = "(verify)"


def signed_line(signed_by: str, signed_at: datetime | str, key_fingerprint: str = "") -> str:
    """The attestation line; with the signing key's fingerprint (its first 128 bits) when signed with a key."""
    when = signed_at if isinstance(signed_at, str) else f"{signed_at:%Y-%m-%d %H:%M}"
    key = f" · signing key SHA-256 {key_fingerprint}" if key_fingerprint else ""
    return f"Electronically signed by {signed_by} on {when}{key}"


@dataclass(frozen=True)
class AddendumBlock:
    """One addendum as printed: who wrote it and when, its text, and its signature line."""

    heading: str
    text: str
    signed: str


@dataclass(frozen=True)
class Table:
    """A header row and body rows of text; an empty table renders as its placeholder."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = NONE_RECORDED


@dataclass(frozen=True)
class NoteImage:
    """An image printed small on the note: its caption ('AP, L4-L5') and its de-identified PNG."""

    caption: str
    png: bytes
    width: int
    height: int


# Images printed on a note at most: one row, so the note keeps its two pages; the rest are named, not printed.
NOTE_IMAGES_MAX = 4


@dataclass(frozen=True)
class Letterhead:
    name: str
    address: tuple[str, ...]
    phone: str
    logo: bytes | None = None

    @property
    def empty(self) -> bool:
        return not (self.name or self.address or self.phone or self.logo)


@dataclass(frozen=True)
class PatientBlock:
    name: str
    mrn: str
    date_of_birth: str
    sex: str
    age_at_procedure: str
    weight: str


@dataclass(frozen=True)
class CodingBlock:
    """Suggested codes as printed; a code whose reference is unconfirmed or secondary carries (verify)."""

    procedure_codes: Table
    drug_codes: Table
    notes: tuple[str, ...]


@dataclass(frozen=True)
class BotoxBlock:
    product: str
    dilution: str
    sites: Table
    total_units: str


@dataclass(frozen=True)
class PainBlock:
    scale: str
    baseline: str
    scores: Table
    peak: str
    durations: tuple[str, ...]
    chart: ChartData | None = None
    chart_note: str = ""


# ---- formatting helpers ---------------------------------------------------


def yes_no(value: bool | None) -> str:
    if value is None:
        return NOT_RECORDED
    return "Yes" if value else "No"


def sides_label(sides: list[Side]) -> str:
    return ", ".join(s.label for s in sides)


# ---- sections -------------------------------------------------------------
