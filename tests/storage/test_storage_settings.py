"""Clinic settings repository: defaults, round trip, single-row upsert."""

from __future__ import annotations

import struct
import zlib

import pytest
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from facetdesk.domain.enums import PageSize
from facetdesk.domain.settings import ClinicSettings
from facetdesk.storage.settings import load_settings, save_settings
from facetdesk.storage.tables import ClinicSettingsRow


def png_1x1() -> bytes:
    """A valid 1x1 grey PNG, built by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b"")
    )


def _rows(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(ClinicSettingsRow))


def test_defaults_when_nothing_saved(db):
    with db.read() as s:
        assert load_settings(s) == ClinicSettings()
        assert _rows(s) == 0


def test_round_trip_and_replace(db):
    first = ClinicSettings(
        clinic_name="Synthetic Spine Clinic",
        address="1 Example Road\nTestville",
        phone="+1 555 0100",
        logo=png_1x1(),
        page_size=PageSize.A4,
    )
    with db.transaction() as s:
        assert save_settings(s, first) == first
    with db.read() as s:
        assert load_settings(s) == first
    second = ClinicSettings(clinic_name="Renamed Clinic")
    with db.transaction() as s:
        save_settings(s, second)
    with db.read() as s:
        loaded = load_settings(s)
        assert _rows(s) == 1
    assert loaded == second and loaded.logo is None and loaded.page_size == PageSize.LETTER


def test_only_row_one_allowed(db):
    with pytest.raises(sa_exc.IntegrityError):
        with db.transaction() as s:
            s.add(ClinicSettingsRow(id=2, clinic_name="x", page_size="letter"))
