"""Fixtures for the procedure-note tests."""

from __future__ import annotations

import pytest

from facetdesk.domain.case import CaseFile
from tests.builders.cases import make_case


@pytest.fixture
def case() -> CaseFile:
    return make_case()
