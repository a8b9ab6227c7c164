"""The storage API services use: repository functions over a Session, speaking domain models."""

from __future__ import annotations

from facetdesk.storage.patients import (
    PatientCursor,
    PatientSummary,
    anticoagulant_counts,
    find_patient_by_mrn,
    get_patient,
    lock_patient,
    patients_by_id,
    save_patient,
    search_patients,
)
from facetdesk.storage.performed import (
    PerformedPage,
    patients_performed_between,
    performed_between,
    performed_by_patients,
)
from facetdesk.storage.procedures import (
    MAX_PAGE,
    ProcedureCursor,
    ProcedureSummary,
    add_addendum,
    earliest_procedure_time,
    get_procedure,
    list_procedures,
    procedure_by_uid,
    procedures_for_patient,
    save_procedure,
    sign_procedure,
    usual_medication_agents,
)
from facetdesk.storage.settings import load_settings, save_settings
from facetdesk.storage.versions import ProcedureVersion, RecordVersions, record_versions

__all__ = [
    "MAX_PAGE",
    "PatientCursor",
    "PatientSummary",
    "PerformedPage",
    "ProcedureCursor",
    "add_addendum",
    "ProcedureSummary",
    "ProcedureVersion",
    "RecordVersions",
    "find_patient_by_mrn",
    "get_patient",
    "anticoagulant_counts",
    "lock_patient",
    "get_procedure",
    "earliest_procedure_time",
    "list_procedures",
    "load_settings",
    "patients_by_id",
    "patients_performed_between",
    "performed_between",
    "performed_by_patients",
    "procedure_by_uid",
    "procedures_for_patient",
    "record_versions",
    "save_patient",
    "save_procedure",
    "usual_medication_agents",
    "save_settings",
    "search_patients",
    "sign_procedure",
]
