"""Dose and volume rules: local anaesthetic maxima, steroid MPE, particulate steroids, injectate volumes."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta

import pytest

from facetdesk.domain.catalog import get_catalog
from facetdesk.resources import resources_dir
from facetdesk.rules.doses import months_before
from facetdesk.rules.finding import Severity, Status
from tests.builders.records import WHEN, med, procedure, screened_patient
from tests.rules.rule_runs import one, use_threshold, value

MET, NOT_MET, NOT_EVAL = Status.MET, Status.NOT_MET, Status.NOT_EVALUATED
LA = "dose.local_anesthetic.max"


def _bilateral(*levels: str) -> list[dict[str, str]]:
    return [{"level": lv, "side": s} for lv in levels for s in ("left", "right")]


# ---- months_before -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "months", "expected"),
    [
        (datetime(2024, 3, 31, 9, 30), 1, datetime(2024, 2, 29, 9, 30)),
        (datetime(2024, 3, 31), 12, datetime(2023, 3, 31)),
        (datetime(2024, 1, 15), 1, datetime(2023, 12, 15)),
        (datetime(2024, 5, 31), 3, datetime(2024, 2, 29)),
        (datetime(2024, 3, 14), 36, datetime(2021, 3, 14)),
        (datetime(2024, 3, 14), 0, datetime(2024, 3, 14)),
    ],
)
def test_months_before_is_calendar_arithmetic_clamped_to_month_end(when, months, expected):
    assert months_before(when, months) == expected


# ---- dose.local_anesthetic ---------------------------------------------------------------------


def test_local_anesthetic_message_sums_fractions_across_agents():
    proc = procedure(medications=[med("lidocaine", 10, 5), med("bupivacaine", 5, 9)])
    f = one("dose.local_anesthetic", proc, patient=screened_patient(weight_kg=45))
    assert (f.status, f.severity) == (MET, Severity.INFO)
    assert "lidocaine 1% 5 mL = 50 mg (24.7% of 202.5 mg" in f.message
    assert "bupivacaine 0.5% 9 mL = 45 mg (40% of 112.5 mg" in f.message
    assert "64.7% of the combined maximum for 45 kg" in f.message
    assert f.field == ("medications",)
    assert "S29" in f.source


@pytest.mark.parametrize(("delta_ml", "status"), [(-0.1, MET), (0, MET), (0.1, NOT_MET)])
def test_local_anesthetic_weight_based_boundary(delta_ml, status):
    weight = 40.0
    limit_mg = value(LA)["lidocaine"]["mg_per_kg"] * weight
    assert limit_mg < value(LA)["lidocaine"]["max_mg"]  # the weight-based maximum is the limiting one here
    proc = procedure(medications=[med("lidocaine", 10, limit_mg / 10 + delta_ml)])
    f = one("dose.local_anesthetic", proc, patient=screened_patient(weight_kg=weight))
    assert f.status == status
    assert f.severity == (Severity.CRITICAL if status == NOT_MET else Severity.INFO)
    assert f"of {limit_mg:g} mg, {value(LA)['lidocaine']['mg_per_kg']:g} mg/kg" in f.message


@pytest.mark.parametrize(("delta_ml", "status"), [(-0.1, MET), (0, MET), (0.1, NOT_MET)])
def test_local_anesthetic_absolute_maximum_limits_a_heavy_patient(delta_ml, status):
    entry = value(LA)["lidocaine"]
    weight = 2 * entry["max_mg"] / entry["mg_per_kg"]  # weight-based maximum twice the absolute one
    proc = procedure(medications=[med("lidocaine", 20, entry["max_mg"] / 20 + delta_ml)])
    f = one("dose.local_anesthetic", proc, patient=screened_patient(weight_kg=weight))
    assert f.status == status
    assert f"of {entry['max_mg']:g} mg, absolute maximum" in f.message


@pytest.mark.parametrize(("extra_ml", "status"), [(0, MET), (0.1, NOT_MET)])
def test_local_anesthetic_toxicity_is_additive(extra_ml, status):
    # Half of each agent's maximum: each alone is safe, together exactly 100%.
    weight = 40.0
    lido = value(LA)["lidocaine"]["mg_per_kg"] * weight / 2
    bupi = value(LA)["bupivacaine"]["mg_per_kg"] * weight / 2
    proc = procedure(medications=[med("lidocaine", 10, lido / 10), med("bupivacaine", 5, bupi / 5 + extra_ml)])
    f = one("dose.local_anesthetic", proc, patient=screened_patient(weight_kg=weight))
    assert f.status == status
    assert " plus " in f.message


def test_local_anesthetic_two_syringes_of_one_agent_are_added():
    weight = 40.0
    limit = value(LA)["lidocaine"]["mg_per_kg"] * weight
    proc = procedure(medications=[med("lidocaine", 10, limit / 20), med("lidocaine", 20, limit / 40 + 0.1)])
    f = one("dose.local_anesthetic", proc, patient=screened_patient(weight_kg=weight))
    assert f.status == NOT_MET
    assert "together" in f.message


def test_local_anesthetic_per_joint_volume_counts_every_joint():
    weight = 40.0
    limit = value(LA)["lidocaine"]["mg_per_kg"] * weight
    # Exactly half the maximum per joint: two joints reach it, four exceed it.
    two = procedure(targets=_bilateral("L4-L5"), medications=[med("lidocaine", 10, limit / 20, "per_joint")])
    four = procedure(targets=_bilateral("L3-L4", "L4-L5"), medications=[med("lidocaine", 10, limit / 20, "per_joint")])
    assert one("dose.local_anesthetic", two, patient=screened_patient(weight_kg=weight)).status == MET
    assert one("dose.local_anesthetic", four, patient=screened_patient(weight_kg=weight)).status == NOT_MET


def test_local_anesthetic_without_mg_per_kg_uses_the_absolute_maximum_and_says_so():
    entry = value(LA)["mepivacaine"]
    assert entry["mg_per_kg"] is None
    at = procedure(medications=[med("mepivacaine", 20, entry["max_mg"] / 20)])
    over = procedure(medications=[med("mepivacaine", 20, entry["max_mg"] / 20 + 0.1)])
    f = one("dose.local_anesthetic", at, patient=screened_patient(weight_kg=None))  # weight not needed for mepivacaine
    assert f.status == MET
    assert "no mg/kg maximum in the table" in f.message
    assert one("dose.local_anesthetic", over, patient=screened_patient(weight_kg=None)).status == NOT_MET


def test_local_anesthetic_without_weight_is_not_evaluated_but_still_computed():
    proc = procedure(medications=[med("lidocaine", 10, 5)])
    f = one("dose.local_anesthetic", proc, patient=screened_patient(weight_kg=None))
    assert (f.status, f.severity) == (NOT_EVAL, Severity.CAUTION)
    assert "weight is not recorded" in f.message
    assert f"of {value(LA)['lidocaine']['max_mg']:g} mg" in f.message
    assert f.field == ("patient", "weight_kg")


def test_local_anesthetic_without_weight_above_the_absolute_maximum_is_not_met():
    proc = procedure(medications=[med("lidocaine", 20, value(LA)["lidocaine"]["max_mg"] / 20 + 0.1)])
    f = one("dose.local_anesthetic", proc, patient=screened_patient(weight_kg=None))
    assert (f.status, f.severity) == (NOT_MET, Severity.CRITICAL)
    assert "weight not recorded" in f.message


def test_local_anesthetic_agent_missing_from_the_table(monkeypatch, tmp_path):
    table = {k: v for k, v in value(LA).items() if k != "ropivacaine"}
    use_threshold(monkeypatch, tmp_path, LA, table)
    proc = procedure(medications=[med("ropivacaine", 2, 5)])
    f = one("dose.local_anesthetic", proc)
    assert (f.status, f.severity) == (NOT_EVAL, Severity.CAUTION)
    assert "ropivacaine" in f.message


def test_local_anesthetic_not_applicable_without_local_anaesthetic():
    f = one("dose.local_anesthetic", procedure(medications=[med("dexamethasone_sodium_phosphate", 4, 1)]))
    assert (f.status, f.severity) == (Status.NOT_APPLICABLE, Severity.INFO)
    assert "not applicable" in f.message


def test_local_anesthetic_follows_an_edited_threshold(monkeypatch, tmp_path):
    proc_args = {"medications": [med("lidocaine", 10, 10)]}  # 100 mg
    assert one("dose.local_anesthetic", procedure(**proc_args), patient=screened_patient(weight_kg=40)).status == MET
    table = json.loads(json.dumps(value(LA)))
    table["lidocaine"]["mg_per_kg"] = 2
    use_threshold(monkeypatch, tmp_path, LA, table)
    f = one("dose.local_anesthetic", procedure(**proc_args), patient=screened_patient(weight_kg=40))
    assert f.status == NOT_MET
    assert "of 80 mg, 2 mg/kg" in f.message


# ---- dose.steroid_session ----------------------------------------------------------------------


@pytest.mark.parametrize(("delta_ml", "status"), [(-0.1, MET), (0, MET), (0.1, NOT_MET)])
def test_steroid_session_boundary_methylprednisolone(delta_ml, status):
    limit = value("dose.steroid.session_max_mpe")
    proc = procedure(medications=[med("methylprednisolone_acetate", 40, limit / 40 + delta_ml)])
    f = one("dose.steroid_session", proc)
    assert f.status == status
    assert f.severity == (Severity.WARNING if status == NOT_MET else Severity.INFO)
    assert f"{limit:g} mg MPE per-session maximum" in f.message
    assert "approximate" in f.message


@pytest.mark.parametrize(("delta_ml", "status"), [(-0.1, MET), (0, MET), (0.1, NOT_MET)])
def test_steroid_session_boundary_dexamethasone_converted(delta_ml, status):
    limit = value("dose.steroid.session_max_mpe")
    eq = value("dose.steroid.equivalent_mg")
    mg_at_limit = limit * eq["dexamethasone_sodium_phosphate"] / eq["methylprednisolone_acetate"]
    proc = procedure(medications=[med("dexamethasone_sodium_phosphate", 4, mg_at_limit / 4 + delta_ml)])
    assert one("dose.steroid_session", proc).status == status


def test_steroid_session_adds_agents():
    proc = procedure(medications=[med("methylprednisolone_acetate", 40, 0.5), med("triamcinolone_acetonide", 40, 0.5)])
    f = one("dose.steroid_session", proc)
    assert "methylprednisolone acetate 20 mg = 20 mg MPE" in f.message
    assert "40 mg MPE this session" in f.message


def test_steroid_session_not_applicable_without_steroid():
    f = one("dose.steroid_session", procedure(medications=[med("lidocaine", 10, 1)]))
    assert (f.status, f.severity) == (Status.NOT_APPLICABLE, Severity.INFO)
    assert "not applicable" in f.message


def test_steroid_session_agent_without_equivalent(monkeypatch, tmp_path):
    eq = {k: v for k, v in value("dose.steroid.equivalent_mg").items() if k != "betamethasone"}
    use_threshold(monkeypatch, tmp_path, "dose.steroid.equivalent_mg", eq)
    f = one("dose.steroid_session", procedure(medications=[med("betamethasone", 6, 1)]))
    assert (f.status, f.severity) == (NOT_EVAL, Severity.CAUTION)
    assert "betamethasone" in f.message
    # The known part alone above the maximum is enough to say not met.
    big = procedure(medications=[med("betamethasone", 6, 1), med("methylprednisolone_acetate", 80, 1)])
    assert one("dose.steroid_session", big).status == NOT_MET


def test_steroid_session_follows_an_edited_threshold(monkeypatch, tmp_path):
    proc_args = {"medications": [med("methylprednisolone_acetate", 40, 0.5)]}  # 20 mg MPE
    assert one("dose.steroid_session", procedure(**proc_args)).status == MET
    use_threshold(monkeypatch, tmp_path, "dose.steroid.session_max_mpe", 10)
    f = one("dose.steroid_session", procedure(**proc_args))
    assert f.status == NOT_MET
    assert "10 mg MPE" in f.message


# ---- dose.steroid_cumulative -------------------------------------------------------------------


def _mp(mg: float) -> list[dict]:
    """Methylprednisolone acetate (the MPE reference agent) as mg = mg MPE."""
    return [med("methylprednisolone_acetate", 80, mg / 80)]


def _prior(days_before: float = 0, months: int = 0, mg: float = 40, **kw) -> object:
    at = months_before(WHEN, months) - timedelta(days=days_before)
    return procedure(performed_at=at, medications=_mp(mg), **kw)


@pytest.mark.parametrize(("extra_mg", "status"), [(-8, MET), (0, MET), (8, NOT_MET)])
def test_steroid_cumulative_year_cap_for_women(extra_mg, status):
    year_max = value("dose.steroid.year_max_mpe")
    this = procedure(medications=_mp(40))
    prior = _prior(days_before=30, mg=year_max - 40 + extra_mg)
    f = one("dose.steroid_cumulative", this, (prior,), patient=screened_patient(sex="female"))
    assert f.status == status
    assert f.severity == (Severity.WARNING if status == NOT_MET else Severity.INFO)
    assert "postmenopausal" in f.message
    assert (
        f"{year_max + extra_mg:g} mg MPE in the last {value('dose.steroid.year_window_months'):g} months" in f.message
    )


def test_steroid_cumulative_year_cap_reported_not_applied_for_men():
    year_max = value("dose.steroid.year_max_mpe")
    prior = _prior(days_before=30, mg=year_max)
    f = one("dose.steroid_cumulative", procedure(medications=_mp(40)), (prior,), patient=screened_patient(sex="male"))
    assert (f.status, f.severity) == (MET, Severity.INFO)
    assert "not applied" in f.message and "postmenopausal" in f.message


@pytest.mark.parametrize("sex", ["female", "male"])
@pytest.mark.parametrize(("extra_mg", "status"), [(-8, MET), (0, MET), (8, NOT_MET)])
def test_steroid_cumulative_three_year_cap_for_everyone(sex, extra_mg, status):
    three_max = value("dose.steroid.three_year_max_mpe")
    # Outside the 12-month window, inside the 36-month one.
    prior = _prior(months=value("dose.steroid.year_window_months"), days_before=1, mg=three_max - 40 + extra_mg)
    f = one("dose.steroid_cumulative", procedure(medications=_mp(40)), (prior,), patient=screened_patient(sex=sex))
    assert f.status == status
    assert f"against {three_max:g} mg MPE" in f.message


# One window edge for every rule (domain.months.in_rolling_window): the same calendar day N months earlier is
# outside, the day after it inside, whatever the time of day.
@pytest.mark.parametrize(("days_before", "counted"), [(-1, True), (0, False), (1, False)])
def test_steroid_cumulative_year_window_edge(days_before, counted):
    months = value("dose.steroid.year_window_months")
    year_max = value("dose.steroid.year_max_mpe")
    prior = _prior(months=months, days_before=days_before, mg=year_max)
    f = one("dose.steroid_cumulative", procedure(medications=_mp(40)), (prior,), patient=screened_patient(sex="female"))
    assert f.status == (NOT_MET if counted else MET)


@pytest.mark.parametrize(("days_before", "counted"), [(-1, True), (0, False), (1, False)])
def test_steroid_cumulative_three_year_window_edge(days_before, counted):
    months = value("dose.steroid.three_year_window_months")
    prior = _prior(months=months, days_before=days_before, mg=value("dose.steroid.three_year_max_mpe"))
    f = one("dose.steroid_cumulative", procedure(medications=_mp(40)), (prior,), patient=screened_patient(sex="male"))
    assert f.status == (NOT_MET if counted else MET)


def test_steroid_cumulative_ignores_later_procedures():
    later = procedure(performed_at=WHEN + timedelta(days=3), medications=_mp(value("dose.steroid.three_year_max_mpe")))
    f = one("dose.steroid_cumulative", procedure(medications=_mp(40)), (later,), patient=screened_patient())
    assert f.status == MET


def test_steroid_cumulative_unknown_agent_in_a_prior(monkeypatch, tmp_path):
    eq = {k: v for k, v in value("dose.steroid.equivalent_mg").items() if k != "betamethasone"}
    use_threshold(monkeypatch, tmp_path, "dose.steroid.equivalent_mg", eq)
    prior = procedure(performed_at=WHEN - timedelta(days=30), medications=[med("betamethasone", 6, 1)])
    f = one("dose.steroid_cumulative", procedure(medications=_mp(40)), (prior,), patient=screened_patient())
    assert (f.status, f.severity) == (NOT_EVAL, Severity.CAUTION)
    assert "betamethasone" in f.message


def test_steroid_cumulative_not_applicable_without_steroid_this_session():
    prior = _prior(days_before=30, mg=value("dose.steroid.three_year_max_mpe"))
    f = one(
        "dose.steroid_cumulative",
        procedure(medications=[med("lidocaine", 10, 1)]),
        (prior,),
        patient=screened_patient(),
    )
    assert (f.status, f.severity) == (Status.NOT_APPLICABLE, Severity.INFO)
    assert "not applicable" in f.message


def test_steroid_cumulative_follows_an_edited_threshold(monkeypatch, tmp_path):
    prior = _prior(days_before=30, mg=100)
    assert (
        one("dose.steroid_cumulative", procedure(medications=_mp(40)), (prior,), patient=screened_patient()).status
        == MET
    )
    use_threshold(monkeypatch, tmp_path, "dose.steroid.three_year_max_mpe", 100)
    prior = _prior(days_before=30, mg=100)
    f = one("dose.steroid_cumulative", procedure(medications=_mp(40)), (prior,), patient=screened_patient())
    assert f.status == NOT_MET


# ---- dose.steroid_in_diagnostic_mbb ------------------------------------------------------------

DEX = [med("lidocaine", 10, 1), med("dexamethasone_sodium_phosphate", 4, 0.5)]


@pytest.mark.parametrize("intent", ["diagnostic_first", "diagnostic_confirmatory"])
def test_steroid_in_diagnostic_mbb_is_flagged(intent):
    f = one("dose.steroid_in_diagnostic_mbb", procedure(intent=intent, medications=DEX))
    assert (f.status, f.severity) == (NOT_MET, Severity.WARNING)
    assert "dexamethasone" in f.message and "LCD does not require LA-only" in f.message


@pytest.mark.parametrize(
    ("kw", "status"),
    [
        ({"intent": "therapeutic", "medications": DEX}, Status.NOT_APPLICABLE),
        ({"technique": "intra_articular", "medications": DEX}, Status.NOT_APPLICABLE),
        ({"medications": [med("lidocaine", 10, 1)]}, MET),
    ],
)
def test_steroid_in_diagnostic_mbb_met_otherwise(kw, status):
    f = one("dose.steroid_in_diagnostic_mbb", procedure(**kw))
    assert (f.status, f.severity) == (status, Severity.INFO)


def test_steroid_in_diagnostic_mbb_follows_an_edited_threshold(monkeypatch, tmp_path):
    use_threshold(monkeypatch, tmp_path, "dose.steroid.diagnostic_mbb_allowed", True)
    f = one("dose.steroid_in_diagnostic_mbb", procedure(medications=DEX))
    assert f.status == MET


# ---- dose.particulate_cervical -----------------------------------------------------------------

CERVICAL = [{"level": "C5-C6", "side": "left"}]


def test_particulate_steroid_at_cervical_level_is_critical():
    proc = procedure(targets=CERVICAL, medications=[med("triamcinolone_acetonide", 40, 0.5)])
    f = one("dose.particulate_cervical", proc)
    assert (f.status, f.severity) == (NOT_MET, Severity.CRITICAL)
    assert "triamcinolone acetonide" in f.message and "dexamethasone" in f.message
    assert "C5-C6" in f.message


@pytest.mark.parametrize(
    ("targets", "meds", "status"),
    [
        (CERVICAL, [med("dexamethasone_sodium_phosphate", 4, 0.5)], MET),
        ([{"level": "L4-L5", "side": "left"}], [med("triamcinolone_acetonide", 40, 0.5)], Status.NOT_APPLICABLE),
        (CERVICAL, [med("lidocaine", 10, 0.5)], Status.NOT_APPLICABLE),
    ],
)
def test_particulate_cervical_met_otherwise(targets, meds, status):
    f = one("dose.particulate_cervical", procedure(targets=targets, medications=meds))
    assert (f.status, f.severity) == (status, Severity.INFO)


def test_particulate_cervical_unknown_particulate_status(monkeypatch, tmp_path):
    target = tmp_path / "resources"
    shutil.copytree(resources_dir(), target)
    drugs = json.loads((target / "drugs.json").read_text(encoding="utf-8"))
    for a in drugs["agents"]:
        if a["key"] == "dexamethasone_sodium_phosphate":
            a["particulate"] = None
    (target / "drugs.json").write_text(json.dumps(drugs), encoding="utf-8")
    monkeypatch.setenv("FACETDESK_RESOURCES", str(target))
    assert get_catalog().agent("dexamethasone_sodium_phosphate").particulate is None
    proc = procedure(targets=CERVICAL, medications=[med("dexamethasone_sodium_phosphate", 4, 0.5)])
    f = one("dose.particulate_cervical", proc)
    assert (f.status, f.severity) == (NOT_EVAL, Severity.CAUTION)
    assert "dexamethasone" in f.message


def test_particulate_cervical_follows_an_edited_threshold(monkeypatch, tmp_path):
    use_threshold(monkeypatch, tmp_path, "dose.particulate.cervical_allowed", True)
    proc = procedure(targets=CERVICAL, medications=[med("triamcinolone_acetonide", 40, 0.5)])
    assert one("dose.particulate_cervical", proc).status == MET


# ---- volume.intra_articular --------------------------------------------------------------------

IA_MAX = "volume.intra_articular.max_ml"


# Lumbar is "<1.5 mL" (volume.intra_articular.strict_regions): the limit itself is over.
@pytest.mark.parametrize(("delta_ml", "status"), [(-0.2, MET), (0, NOT_MET), (0.2, NOT_MET)])
def test_intra_articular_lumbar_boundary_includes_contrast(delta_ml, status):
    limit = value(IA_MAX)["lumbar"]
    joints = 2
    contrast_ml = 0.5
    meds = [med("bupivacaine", 2.5, limit * joints - contrast_ml + delta_ml), med("iohexol", 240, contrast_ml)]
    proc = procedure(technique="intra_articular", targets=_bilateral("L4-L5"), medications=meds)
    f = one("volume.intra_articular", proc)
    assert f.status == status
    assert f.severity == (Severity.WARNING if status == NOT_MET else Severity.INFO)
    assert f"{limit + delta_ml / joints:g} mL per joint" in f.message
    assert "including 0.5 mL contrast" in f.message
    assert "<1.5 mL" in f.message  # the source's own wording


@pytest.mark.parametrize(("delta_ml", "status"), [(-0.1, MET), (0, MET), (0.1, NOT_MET)])
def test_intra_articular_cervical_boundary(delta_ml, status):
    limit = value(IA_MAX)["cervical"]
    proc = procedure(
        technique="intra_articular", targets=CERVICAL, medications=[med("lidocaine", 10, limit + delta_ml)]
    )
    f = one("volume.intra_articular", proc)
    assert f.status == status
    assert "cervical maximum" in f.message


@pytest.mark.parametrize(("delta_ml", "status"), [(-0.05, MET), (0, MET), (0.05, NOT_MET)])
def test_intra_articular_t12_l1_is_thoracic(delta_ml, status):
    limit = value(IA_MAX)["thoracic"]
    proc = procedure(
        technique="intra_articular",
        targets=[{"level": "T12-L1", "side": "left"}],
        medications=[med("lidocaine", 10, limit + delta_ml)],
    )
    f = one("volume.intra_articular", proc)
    assert f.status == status
    assert "thoracic maximum" in f.message and "unconfirmed" in f.message


def test_intra_articular_per_joint_syringes_are_shared_over_the_joints():
    limit = value(IA_MAX)["lumbar"]
    ok = procedure(
        technique="intra_articular",
        targets=_bilateral("L4-L5"),
        medications=[med("lidocaine", 10, limit - 0.1, "per_joint")],
    )
    assert one("volume.intra_articular", ok).status == MET
    over = procedure(
        technique="intra_articular",
        targets=_bilateral("L4-L5"),
        medications=[med("lidocaine", 10, limit, "per_joint"), med("lidocaine", 10, 0.5)],
    )
    assert one("volume.intra_articular", over).status == NOT_MET


def test_intra_articular_contrast_marked_without_volume_is_said():
    proc = procedure(technique="intra_articular", contrast=True, medications=[med("lidocaine", 10, 1)])
    assert "no contrast volume is recorded" in one("volume.intra_articular", proc).message


def test_intra_articular_without_injectate_is_not_evaluated():
    f = one("volume.intra_articular", procedure(technique="intra_articular"))
    assert (f.status, f.severity) == (NOT_EVAL, Severity.CAUTION)


def test_intra_articular_region_missing_from_table(monkeypatch, tmp_path):
    use_threshold(monkeypatch, tmp_path, IA_MAX, {"lumbar": 1.5})
    proc = procedure(technique="intra_articular", targets=CERVICAL, medications=[med("lidocaine", 10, 0.5)])
    f = one("volume.intra_articular", proc)
    assert f.status == NOT_EVAL and "cervical" in f.message


def test_intra_articular_not_applicable_to_mbb():
    f = one("volume.intra_articular", procedure(medications=[med("lidocaine", 10, 5)]))
    assert (f.status, f.severity) == (Status.NOT_APPLICABLE, Severity.INFO)
    assert "not applicable" in f.message


def test_intra_articular_follows_an_edited_threshold(monkeypatch, tmp_path):
    args = {"technique": "intra_articular", "medications": [med("lidocaine", 10, 1)]}
    assert one("volume.intra_articular", procedure(**args)).status == MET
    use_threshold(monkeypatch, tmp_path, IA_MAX, {**value(IA_MAX), "lumbar": 0.8})
    f = one("volume.intra_articular", procedure(**args))
    assert f.status == NOT_MET and "0.8 mL" in f.message


# ---- volume.medial_branch ----------------------------------------------------------------------

MB_MAX = "volume.medial_branch.max_ml_per_nerve"


@pytest.mark.parametrize(("delta_ml", "status"), [(-0.1, MET), (0, MET), (0.1, NOT_MET)])
def test_medial_branch_boundary(delta_ml, status):
    limit = value(MB_MAX)
    proc = procedure(medications=[med("lidocaine", 10, 2 * limit + delta_ml)])  # L4-L5 left: two nerves
    assert len(proc.nerves()) == 2
    f = one("volume.medial_branch", proc)
    assert f.status == status
    assert f.severity == (Severity.WARNING if status == NOT_MET else Severity.INFO)
    assert f"{limit:g} mL per nerve maximum" in f.message


def test_medial_branch_shared_nerves_count_once():
    limit = value(MB_MAX)
    targets = [{"level": "L4-L5", "side": "left"}, {"level": "L5-S1", "side": "left"}]
    proc = procedure(targets=targets, medications=[med("lidocaine", 10, 3 * limit)])
    assert len(proc.nerves()) == 3
    f = one("volume.medial_branch", proc)
    assert f.status == MET and "3 nerve(s)" in f.message


def test_medial_branch_contrast_is_reported_but_not_counted():
    # The consensus lists the per-nerve limit and the contrast volume separately (S8 Table 11).
    limit = value(MB_MAX)
    meds = [med("lidocaine", 10, limit, "per_nerve"), med("iohexol", 240, 0.2)]
    f = one("volume.medial_branch", procedure(medications=meds))
    assert f.status == MET and "plus 0.2 mL contrast, not counted" in f.message


def test_medial_branch_skin_infiltration_is_not_counted():
    limit = value(MB_MAX)
    meds = [med("bupivacaine", 5, limit, "per_nerve"), {**med("lidocaine", 10, 4), "site": "skin"}]
    f = one("volume.medial_branch", procedure(medications=meds))
    assert f.status == MET, f.message
    over = [med("bupivacaine", 5, limit * 1.2, "per_nerve"), {**med("lidocaine", 10, 4), "site": "skin"}]
    assert one("volume.medial_branch", procedure(medications=over)).status == NOT_MET


def test_medial_branch_without_injectate_is_not_evaluated():
    f = one("volume.medial_branch", procedure())
    assert (f.status, f.severity) == (NOT_EVAL, Severity.CAUTION)


def test_medial_branch_not_applicable_to_intra_articular():
    f = one("volume.medial_branch", procedure(technique="intra_articular", medications=[med("lidocaine", 10, 1)]))
    assert (f.status, f.severity) == (Status.NOT_APPLICABLE, Severity.INFO) and "not applicable" in f.message


def test_medial_branch_follows_an_edited_threshold(monkeypatch, tmp_path):
    args = {"medications": [med("lidocaine", 10, 0.8)]}  # 0.4 mL per nerve
    assert one("volume.medial_branch", procedure(**args)).status == MET
    use_threshold(monkeypatch, tmp_path, MB_MAX, 0.25)
    assert one("volume.medial_branch", procedure(**args)).status == NOT_MET


# ---- dose.local_anesthetic_24h ------------------------------------------------------------------

LA_24H = "dose.local_anesthetic.max_24h"


def _bupivacaine_session(mg: float, hours_before: float = 0):
    """A session with ``mg`` of bupivacaine 0.5% (5 mg/mL), ``hours_before`` this case's session."""
    return procedure(performed_at=WHEN - timedelta(hours=hours_before), medications=[med("bupivacaine", 5.0, mg / 5)])


def test_bupivacaine_over_several_sessions_in_24_hours_is_added_against_its_daily_maximum():
    """Each session under the 175 mg single dose, three in one day: 450 mg, above the 400 mg in 24 h (S30)."""
    cap = value(LA_24H)["agents"]["bupivacaine"]["max_mg"]
    priors = (_bupivacaine_session(150, hours_before=20), _bupivacaine_session(150, hours_before=6))
    f = one("dose.local_anesthetic_24h", _bupivacaine_session(150), priors=priors)
    assert (f.status, f.severity) == (NOT_MET, Severity.CRITICAL)
    assert "bupivacaine 150 mg this session plus 300 mg earlier" in f.message
    assert f"= 450 mg in 24 hours, above the {cap:g} mg maximum" in f.message
    assert (WHEN - timedelta(hours=6)).strftime("%Y-%m-%d %H:%M") in f.message
    assert "S30" in f.source


@pytest.mark.parametrize(("hours_before", "counted"), [(23.9, True), (24, False), (30, False)])
def test_only_sessions_inside_the_24_hours_count(hours_before, counted):
    f = one("dose.local_anesthetic_24h", _bupivacaine_session(150), priors=(_bupivacaine_session(300, hours_before),))
    assert f.status == (NOT_MET if counted else MET)
    assert ("earlier" in f.message) == counted


def test_a_later_session_the_same_day_is_not_counted_before_it_happens():
    later = procedure(performed_at=WHEN + timedelta(hours=3), medications=[med("bupivacaine", 5.0, 60)])
    f = one("dose.local_anesthetic_24h", _bupivacaine_session(150), priors=(later,))
    assert f.status == MET and "150 mg in 24 hours, within" in f.message


def test_an_agent_without_a_24_hour_maximum_is_not_applicable_and_says_why():
    f = one("dose.local_anesthetic_24h", procedure(medications=[med("lidocaine", 20, 2)]))
    assert f.status == Status.NOT_APPLICABLE and "no local anaesthetic given has a 24-hour maximum" in f.message


def test_the_24_hour_maximum_follows_an_edited_threshold(monkeypatch, tmp_path):
    table = value(LA_24H)
    use_threshold(monkeypatch, tmp_path, LA_24H, {**table, "agents": {"bupivacaine": {"max_mg": 100}}})
    f = one("dose.local_anesthetic_24h", _bupivacaine_session(150))
    assert f.status == NOT_MET and "above the 100 mg maximum" in f.message
