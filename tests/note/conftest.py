"""Fixtures for the procedure-note tests."""

from __future__ import annotations

import pytest
from note_case import make_case

from facetdesk.domain.case import CaseFile


@pytest.fixture
def case() -> CaseFile:
    return make_case()
