"""SettingsService: clinic settings validated, one row, one transaction per call."""

from __future__ import annotations

import struct
import zlib

import pytest
import sqlalchemy as sa

from facetdesk.domain.enums import PageSize
from facetdesk.domain.errors import InvalidRecord
from facetdesk.domain.settings import ClinicSettings
from facetdesk.services.settings import SettingsService

# A 1x1 PNG: signature, IHDR, IDAT, IEND with correct CRCs.
_IHDR = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
_IDAT = zlib.compress(b"\x00\x80")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PNG = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", _IHDR) + _chunk(b"IDAT", _IDAT) + _chunk(b"IEND", b"")


@pytest.fixture
def service(ctx) -> SettingsService:
    return SettingsService(ctx.database, ctx.work)


def _rows(ctx) -> int:
    with ctx.database.read() as s:
        return s.scalar(sa.text("select count(*) from clinic_settings"))


def test_defaults(service, ctx):
    assert service.load() == ClinicSettings()
    assert service.load().page_size == PageSize.LETTER
    assert _rows(ctx) == 0


def test_save_dict_round_trip_with_png_logo(service):
    saved = service.save(
        {
            "clinic_name": " Synthetic Spine Clinic ",
            "address": "1 Example Road",
            "phone": "555 0100",
            "logo": PNG,
            "page_size": "a4",
        }
    )
    assert saved.clinic_name == "Synthetic Spine Clinic" and saved.page_size == PageSize.A4
    assert service.load() == saved and service.load().logo == PNG


def test_invalid_logo_refused_and_nothing_saved(service, ctx):
    with pytest.raises(InvalidRecord) as info:
        service.save({"clinic_name": "Clinic", "logo": b"GIF89a not a png"})
    assert [e.path for e in info.value.errors] == [("logo",)]
    assert "PNG or JPEG" in str(info.value)
    assert _rows(ctx) == 0 and service.load() == ClinicSettings()


def test_bad_page_size_named(service):
    with pytest.raises(InvalidRecord) as info:
        service.save({"page_size": "legal"})
    assert info.value.errors[0].path == ("page_size",)


def test_a_page_replaces_the_settings_and_a_save_naming_some_keeps_the_others(service, ctx):
    service.save(ClinicSettings(clinic_name="First", logo=PNG, page_size=PageSize.A4), based_on=service.load())
    second = service.save({"clinic_name": "Second"})
    assert service.load() == second
    assert (second.clinic_name, second.logo, second.page_size) == ("Second", PNG, PageSize.A4)
    assert _rows(ctx) == 1


def test_whole_settings_without_what_they_were_based_on_are_refused(service):
    read_earlier = service.load()
    service.save({"phone": "555-0100"})  # another workstation, meanwhile
    with pytest.raises(InvalidRecord) as info:
        service.save(read_earlier.model_copy(update={"clinic_name": "Synthetic Spine Clinic"}))
    assert [e.path for e in info.value.errors] == [("based_on",)]
    assert "undo a change made meanwhile on another workstation" in str(info.value)
    assert service.load().phone == "555-0100" and service.load().clinic_name == ""


def test_a_save_naming_some_settings_keeps_a_change_another_workstation_made_since(ctx):
    from facetdesk.services.context import build_context
    from tests.actors import ADMIN_PHYSICIAN

    other = build_context(ctx.database.url, actor=ADMIN_PHYSICIAN)
    try:
        assert ctx.settings.load() == other.settings.load()  # both read the settings
        other.settings.save({"ehr": {"mllp_host": "ehr.example.org", "mllp_port": 2575}})
        ctx.settings.save({"ehr": {"outbox_folder": "/srv/synthetic-outbox"}, "phone": "555-0199"})
    finally:
        other.close()
    stored = ctx.settings.load()
    assert (stored.phone, stored.ehr.outbox_folder) == ("555-0199", "/srv/synthetic-outbox")
    assert (stored.ehr.mllp_host, stored.ehr.mllp_port) == ("ehr.example.org", 2575)


def test_a_settings_page_saved_over_another_workstations_change_is_refused_naming_it(ctx, make_database_url):
    from facetdesk.services.context import build_context
    from facetdesk.storage.errors import StaleRecord
    from tests.actors import ADMIN_PHYSICIAN

    ctx.settings.save({"clinic_name": "Synthetic Pain Clinic", "phone": "555-0100"})
    other = build_context(ctx.database.url, actor=ADMIN_PHYSICIAN)
    try:
        mine = ctx.settings.load()  # both workstations open the settings page
        theirs = other.settings.load()
        other.settings.save(
            theirs.model_copy(
                update={"ehr": theirs.ehr.model_copy(update={"mllp_host": "ehr.example.org", "mllp_port": 2575})}
            ),
            based_on=theirs,
        )
        with pytest.raises(StaleRecord) as info:
            ctx.settings.save(mine.model_copy(update={"phone": "555-0199"}), based_on=mine)
    finally:
        other.close()
    assert "EHR interface: mllp host" in str(info.value) and "Nothing was saved" in str(info.value)
    stored = ctx.settings.load()
    assert (stored.phone, stored.ehr.mllp_host) == ("555-0100", "ehr.example.org")
    # Reopened, the page saves.
    assert ctx.settings.save(stored.model_copy(update={"phone": "555-0199"}), based_on=stored).phone == "555-0199"


def test_based_on_must_be_settings(ctx):
    with pytest.raises(InvalidRecord) as info:
        ctx.settings.save({}, based_on={"clinic_name": "x"})  # type: ignore[arg-type]
    assert info.value.errors[0].path == ("based_on",)
