"""lcd.exclusions: the LCD's patient-selection exclusions, answered per procedure and checked."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from facetdesk.domain.catalog import get_catalog, load_catalog
from facetdesk.domain.enums import ExclusionAnswer
from facetdesk.domain.procedure import Indication
from facetdesk.rules import coverage  # noqa: F401  (registers lcd.exclusions)
from facetdesk.rules.context import RuleCase
from facetdesk.rules.finding import Severity, Status
from facetdesk.rules.registry import RULES, run_rule
from tests.builders.records import procedure, screened_patient
from tests.rules.rule_runs import edited_resources, one

KEYS = [e.key for e in get_catalog().exclusions]


def _answers(**answers: str) -> dict:
    """Every exclusion answered 'absent', except those given."""
    given = {k: answers.get(k, "absent") for k in KEYS}
    return {"exclusions": [{"key": k, "answer": v} for k, v in given.items()]}


def _finding(indication: dict):
    return one("lcd.exclusions", procedure=procedure(indication=indication))


def test_the_catalog_asks_the_four_exclusions_of_the_reference_with_sources():
    exclusions = get_catalog().exclusions
    assert KEYS == ["untreated_radiculopathy", "non_facet_pathology", "generalised_pain", "prior_alif"]
    assert all("L38773" in e.source for e in exclusions)
    assert [e.key for e in exclusions if e.exception] == ["untreated_radiculopathy"]
    assert "synovial cyst" in (exclusions[0].exception or "")


def test_all_answered_no_is_met():
    f = _finding(_answers())
    assert (f.status, f.verdict) == (Status.MET, "not excluded")
    assert "none of the 4 LCD exclusions applies" in f.message


@pytest.mark.parametrize("key", KEYS)
def test_each_exclusion_answered_yes_is_a_warning_naming_it(key):
    f = _finding(_answers(**{key: "present"}))
    question = get_catalog().exclusion(key).question
    assert (f.status, f.severity, f.verdict) == (Status.NOT_MET, Severity.WARNING, "excluded")
    assert question in f.message and f.needs_acknowledgement
    assert f.field == ("indication", "exclusions")
    assert "L38773" in f.source


def test_radiculopathy_from_a_synovial_cyst_is_the_lcds_exception_not_an_exclusion():
    f = _finding(_answers(untreated_radiculopathy="excepted"))
    assert (f.status, f.verdict) == (Status.MET, "not excluded")
    assert "synovial cyst" in f.message


@pytest.mark.parametrize("missing", [KEYS[:1], KEYS[1:3], KEYS])
def test_an_unanswered_exclusion_is_check_by_hand_never_all_clear(missing):
    indication = {"exclusions": [{"key": k, "answer": "absent"} for k in KEYS if k not in missing]}
    f = _finding(indication)
    assert (f.status, f.verdict) == (Status.NOT_EVALUATED, "not recorded")
    for key in missing:
        assert get_catalog().exclusion(key).question in f.message
    for key in set(KEYS) - set(missing):
        assert get_catalog().exclusion(key).question not in f.message


def test_a_present_exclusion_outweighs_unanswered_ones():
    f = _finding({"exclusions": [{"key": "generalised_pain", "answer": "present"}]})
    assert f.verdict == "excluded" and f.status == Status.NOT_MET


def test_an_exception_is_refused_for_an_exclusion_without_one():
    with pytest.raises(ValidationError, match="names no exception"):
        Indication.model_validate({"exclusions": [{"key": "prior_alif", "answer": "excepted"}]})


def test_an_unknown_exclusion_and_a_second_answer_are_refused():
    with pytest.raises(ValidationError, match="not an LCD exclusion"):
        Indication.model_validate({"exclusions": [{"key": "obesity", "answer": "absent"}]})
    with pytest.raises(ValidationError, match="answered more than once"):
        Indication.model_validate(
            {"exclusions": [{"key": "prior_alif", "answer": "absent"}, {"key": "prior_alif", "answer": "present"}]}
        )


def test_answers_are_kept_in_the_catalogs_order():
    ind = Indication.model_validate(
        {"exclusions": [{"key": "prior_alif", "answer": "absent"}, {"key": "non_facet_pathology", "answer": "absent"}]}
    )
    assert [e.key for e in ind.exclusions] == ["non_facet_pathology", "prior_alif"]
    assert ind.exclusion_answer("prior_alif") == ExclusionAnswer.ABSENT
    assert ind.exclusion_answer("generalised_pain") is None


def test_a_clinic_without_the_exclusions_file_is_told_none_are_checked(tmp_path):
    directory = edited_resources(tmp_path, lambda t: None)
    (directory / "lcd_exclusions.json").unlink()
    catalog = load_catalog(directory)
    case = RuleCase(screened_patient(), procedure(), (), catalog)
    (f,) = run_rule(RULES["lcd.exclusions"], case)
    assert f.status == Status.NOT_APPLICABLE and "no LCD exclusions are configured" in f.message


def test_the_exclusions_file_is_valid_json_with_a_source_per_entry():
    from facetdesk.resources import resources_dir

    data = json.loads((resources_dir() / "lcd_exclusions.json").read_text(encoding="utf-8"))
    assert all(e["source"] and e["confidence"] in ("C", "S", "U") for e in data["exclusions"])
