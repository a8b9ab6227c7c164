"""Domain test fixtures: the shared builders (tests/builders) as fixtures, and readable validation errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from facetdesk.domain.errors import FieldError, field_errors
from facetdesk.domain.patient import Patient
from facetdesk.domain.procedure import Procedure
from tests.builders.records import bilateral, patient_data, procedure_data


def errors_for(model: type[BaseModel], data: dict[str, Any]) -> list[FieldError]:
    """Validate ``data`` expecting failure; return the readable field errors."""
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    errors = field_errors(info.value)
    assert errors, "a ValidationError must carry at least one field error"
    return errors


def only_error(model: type[BaseModel], data: dict[str, Any]) -> FieldError:
    errors = errors_for(model, data)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


@pytest.fixture
def make_patient() -> Callable[..., Patient]:
    return lambda **kw: Patient.model_validate(patient_data(**kw))


@pytest.fixture
def make_procedure() -> Callable[..., Procedure]:
    return lambda **kw: Procedure.model_validate(procedure_data(**kw))


@pytest.fixture
def patient_error() -> Callable[..., FieldError]:
    return lambda **kw: only_error(Patient, patient_data(**kw))


@pytest.fixture
def procedure_error() -> Callable[..., FieldError]:
    return lambda **kw: only_error(Procedure, procedure_data(**kw))


@pytest.fixture
def tomorrow() -> datetime:
    return datetime.now() + timedelta(days=1)


@pytest.fixture
def targets_bilateral() -> Callable[..., list[dict[str, str]]]:
    return bilateral
