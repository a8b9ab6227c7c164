"""Clinic settings shared by every workstation: letterhead, page size of printed notes, the EHR interface."""

from __future__ import annotations

from pydantic import Field, field_validator

from facetdesk.domain.base import Model
from facetdesk.domain.ehr import EhrInterface
from facetdesk.domain.enums import PageSize

# Logos are stored in the database; a letterhead logo has no business being megabytes.
MAX_LOGO_BYTES = 512 * 1024
DEFAULT_IDLE_LOCK_MINUTES = 10
MAX_IDLE_LOCK_MINUTES = 240
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"


class ClinicSettings(Model):
    clinic_name: str = Field(default="", max_length=120)
    address: str = Field(default="", max_length=400)
    phone: str = Field(default="", max_length=60)
    logo: bytes | None = None
    page_size: PageSize = PageSize.LETTER
    # Minutes without keyboard or mouse before the workstation locks (patient data on an unattended screen).
    idle_lock_minutes: int = Field(default=DEFAULT_IDLE_LOCK_MINUTES, ge=1, le=MAX_IDLE_LOCK_MINUTES)
    # The long note: coding notes and the LCD documentation appendix, for payers that want them.
    note_long_form: bool = False
    # Print the procedure's images, small, on the note (the clinic's choice; de-identified renderings only).
    note_images: bool = False
    # Identifier systems and where signed notes go to reach the EHR (issue 20): off until the clinic sets it up.
    ehr: EhrInterface = EhrInterface()

    @field_validator("logo")
    @classmethod
    def _image(cls, v: bytes | None) -> bytes | None:
        if v is None:
            return None
        if len(v) > MAX_LOGO_BYTES:
            raise ValueError(
                f"the logo is {len(v) // 1024} KiB; use a PNG or JPEG of at most {MAX_LOGO_BYTES // 1024} KiB"
            )
        if not (v.startswith(_PNG) or v.startswith(_JPEG)):
            raise ValueError("the logo must be a PNG or JPEG image")
        return v
