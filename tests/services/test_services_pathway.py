"""The whole pathway through a case file: two diagnostic blocks, an ablation, two follow-ups, a repeat ablation 8
months on, toxin for migraine elsewhere; imported, then read back as the pathway view reads it."""

from __future__ import annotations

import pytest

from facetdesk.domain.case import CaseFile
from facetdesk.interop.casefile import dump_case, parse_case
from facetdesk.rules.finding import Status
from facetdesk.services.records import NotFound
from tests.rules.test_pathway import TODAY, _full_pathway


def test_a_full_pathway_imported_from_a_case_file_reads_back_with_every_gate(other_ctx):
    patient, procedures, visits = _full_pathway()
    *priors, last = procedures
    case = CaseFile(patient=patient, procedure=last, prior_procedures=priors, follow_ups=visits)
    result = other_ctx.cases.import_case(parse_case(dump_case(case)))
    assert result.procedures_added == 4
    stored = other_ctx.records.get_patient(result.patient_id)
    assert [t.indication for t in stored.toxin_elsewhere] == ["chronic migraine"]
    [lumbar] = other_ctx.pathway.of_patient(result.patient_id, today=TODAY)
    assert [s.what for s in lumbar.steps].count("Follow-up") == 2
    repeat = lumbar.steps[-1]
    assert {g.rule: g.status for g in repeat.gates}["lcd.rfa_repeat"] == Status.MET
    assert lumbar.next_step is not None and lumbar.next_step.gates


def test_the_pathway_of_no_patient_is_not_found(ctx):
    with pytest.raises(NotFound):
        ctx.pathway.of_patient(424242)
