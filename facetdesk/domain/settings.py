"""Clinic settings shared by every workstation: letterhead, page size of printed notes, the EHR interface."""

from __future__ import annotations

import hashlib
import json

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


def settings_digests(settings: ClinicSettings) -> dict[str, str]:
    """SHA-256 of each setting, by its dotted path ("ehr.outbox_folder"): what the audit trail keeps of a save, so
    `facetdesk verify` and the EHR sender can tell a setting changed in the database from one FacetDesk saved, and
    name it. Per path, so a setting added by a later version is not checked until it is first saved."""
    flat = _flat(loggable_settings(settings))
    return {path: hashlib.sha256(_canonical(value)).hexdigest() for path, value in flat.items()}


def changed_settings(settings: ClinicSettings, audited: dict[str, str]) -> list[str]:
    """The settings whose stored value is not the one last saved through FacetDesk (``audited``: its digests)."""
    now = settings_digests(settings)
    return sorted(path for path, digest in audited.items() if now.get(path) != digest)


def loggable_settings(settings: ClinicSettings) -> dict:
    """The settings as plain JSON values, the logo as its SHA-256 (what the audit trail may compare and keep)."""
    data = settings.model_dump(mode="json", exclude={"logo"})
    # The logo as its SHA-256: bytes have no JSON form, and the trail keeps hashes, not images.
    data["logo"] = None if settings.logo is None else hashlib.sha256(settings.logo).hexdigest()
    return data


def setting_label(path: str) -> str:
    """A setting as the settings page names it: "ehr.mllp_host" -> "EHR interface: mllp host"."""
    head, _, rest = path.partition(".")
    if head == "ehr":
        return f"EHR interface: {rest.replace('_', ' ')}" if rest else "EHR interface"
    return path.replace("_", " ")


def _flat(data: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
