"""Databases as FacetDesk revisions 0001 and 0002 left them: the rows, to upgrade or move from."""

from __future__ import annotations

# Rows as FacetDesk wrote them at revision 0001 (before the coverage reasons and overrides).
REV_0001_ROWS = (
    "insert into patients (id, mrn, family_name, given_name, mrn_key, family_key, given_key, date_of_birth, sex,"
    " created_at, updated_at) values (1, 'TST-00001', 'Testperson', 'Alex', 'tst-00001', 'testperson', 'alex',"
    " '1960-01-02', 'female', '2024-03-05 09:00:00.000000', '2024-03-05 09:00:00.000000')",
    "insert into procedures (id, uid, patient_id, version_id, performed_at, physician, conservative_care_details,"
    " pain_scale, technique, intent, guidance, contrast, sedation, complication_details, follow_up, notes,"
    " created_at, updated_at) values (1, 'rev-0001-procedure', 1, 3, '2024-03-05 09:30:00.000000',"
    " 'Dr. Synthetic Example', '', 'NRS', 'intra_articular', 'diagnostic_first', 'fluoroscopy', 1, 'none', '',"
    " '', 'written at 0001', '2024-03-05 09:40:00.000000', '2024-03-05 09:40:00.000000')",
    "insert into procedure_targets (procedure_id, level, side) values (1, 'L4-L5', 'left')",
    "insert into pain_scores (procedure_id, minutes_after, nrs, activity) values (1, 30, 2, 'walking')",
)


REV_0002_ROWS = (
    *REV_0001_ROWS,
    "update procedures set mbb_not_possible_reason = 'fusion hardware' where id = 1",
    "insert into procedure_diagnoses (procedure_id, position, code) values (1, 0, 'M47.816')",
    "insert into procedure_medications (procedure_id, position, agent, concentration_mg_per_ml, volume_ml,"
    " volume_basis, site) values (1, 0, 'lidocaine', 10.0, 2.0, 'total', 'skin')",
    "insert into procedure_overrides (procedure_id, rule, reason, acknowledged_by, acknowledged_at)"
    " values (1, 'ANTICOAGULANT_INTERVAL', 'Cleared by cardiology.', 'Dr. Synthetic Example',"
    " '2024-03-05 09:20:00.000000')",
)
