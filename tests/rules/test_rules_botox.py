"""Botulinum toxin rules: unit cap per window, interval, neuromuscular disease, products, off-label use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from facetdesk.rules.doses import months_before
from facetdesk.rules.finding import Severity, Status
from tests.builders.records import WHEN, botox, procedure, screened_patient
from tests.rules.rule_runs import one, use_threshold, value

MET, NOT_MET, NOT_EVAL = Status.MET, Status.NOT_MET, Status.NOT_EVALUATED
ONA, ABO = "onabotulinumtoxinA", "abobotulinumtoxinA"


def _session(units: float, product: str = ONA, **kw):
    return procedure(botulinum_toxin=botox([units], product), **kw)


def _prior(units: float, product: str = ONA, days: float = 0, months: int = 0):
    at = months_before(WHEN, months) - timedelta(days=days)
    return _session(units, product, performed_at=at)


# ---- botox.units_window ------------------------------------------------------------------------


@pytest.mark.parametrize(("extra", "status"), [(-1, MET), (0, MET), (1, NOT_MET)])
def test_units_window_boundary(extra, status):
    cap = value("botox.max_units_window")
    prior = _prior(cap / 2, days=30)
    f = one("botox.units_window", _session(cap / 2 + extra), priors=(prior,))
    assert f.status == status
    assert f.severity == (Severity.CRITICAL if status == NOT_MET else Severity.INFO)
    assert f"{cap + extra:g} U in {value('botox.window_months'):g} months" in f.message
    assert f"{cap:g} U maximum" in f.message
    assert f.field == ("botulinum_toxin",)


# One window edge for every rule (domain.months.in_rolling_window): the same calendar day N months earlier is
# outside, the day after it inside, whatever the time of day.
@pytest.mark.parametrize(("days", "counted"), [(-1, True), (0, False), (1, False)])
def test_units_window_edge_is_the_same_day_n_months_earlier(days, counted):
    cap = value("botox.max_units_window")
    prior = _prior(cap, days=days, months=value("botox.window_months"))
    f = one("botox.units_window", _session(10), priors=(prior,))
    assert f.status == (NOT_MET if counted else MET)


def test_units_window_ignores_later_sessions():
    cap = value("botox.max_units_window")
    later = _session(cap, performed_at=WHEN + timedelta(days=2))
    f = one("botox.units_window", _session(cap), priors=(later,))
    assert f.status == MET
    assert "earlier" not in f.message


def test_units_window_with_another_product_in_the_window_is_not_called_within():
    """Dysport given 10 days ago is not Botox units: the total is not "within" the cap, it is for a person to
    check; the message says what was counted and names the other product's dose."""
    cap = value("botox.max_units_window")
    other = _prior(cap * 2, product=ABO, days=10)
    f = one("botox.units_window", _session(cap / 2), priors=(other,))
    assert (f.status, f.severity) == (NOT_EVAL, Severity.CAUTION)
    assert "counting onabotulinumtoxinA only" in f.message and "Dysport" in f.message
    assert "check the total exposure by hand" in f.message


def test_units_window_over_the_cap_stays_above_beside_another_product():
    cap = value("botox.max_units_window")
    other = _prior(100, product=ABO, days=10)
    f = one("botox.units_window", _session(cap + 1), priors=(other,))
    assert (f.status, f.severity) == (NOT_MET, Severity.CRITICAL)
    assert "above the" in f.message and "Dysport" in f.message


def test_units_window_other_product_this_session_is_not_evaluated():
    f = one("botox.units_window", _session(100, ABO))
    assert (f.status, f.severity) == (NOT_EVAL, Severity.CAUTION)
    assert "not converted" in f.message and "onabotulinumtoxinA" in f.message


def test_units_window_not_applicable_without_botox():
    f = one("botox.units_window", procedure())
    assert (f.status, f.severity) == (Status.NOT_APPLICABLE, Severity.INFO) and "not applicable" in f.message


def test_units_window_follows_an_edited_threshold(monkeypatch, tmp_path):
    assert one("botox.units_window", _session(200)).status == MET
    use_threshold(monkeypatch, tmp_path, "botox.max_units_window", 150)
    f = one("botox.units_window", _session(200))
    assert f.status == NOT_MET and "150 U maximum" in f.message


# ---- botox.interval ----------------------------------------------------------------------------


@pytest.mark.parametrize(("delta_days", "status"), [(-1, NOT_MET), (0, MET), (1, MET)])
def test_interval_boundary(delta_days, status):
    days = value("botox.min_interval_weeks") * 7 + delta_days
    f = one("botox.interval", _session(100), priors=(_prior(100, days=days),))
    assert f.status == status
    assert f.severity == (Severity.WARNING if status == NOT_MET else Severity.INFO)
    assert f"({days} days)" in f.message


def test_interval_counts_any_product_and_uses_the_most_recent():
    weeks = value("botox.min_interval_weeks")
    old = _prior(100, days=weeks * 7 * 3)
    recent = _prior(100, product=ABO, days=7)
    f = one("botox.interval", _session(100), priors=(recent, old))
    assert f.status == NOT_MET and "Dysport" in f.message


def test_interval_without_prior_is_met():
    f = one("botox.interval", _session(100))
    assert (f.status, f.severity) == (MET, Severity.INFO) and "no earlier" in f.message


def test_interval_not_applicable_without_botox():
    f = one("botox.interval", procedure(), priors=(_prior(100, days=1),))
    assert f.status == Status.NOT_APPLICABLE and "not applicable" in f.message


def test_interval_follows_an_edited_threshold(monkeypatch, tmp_path):
    prior_days = 30
    assert one("botox.interval", _session(100), priors=(_prior(100, days=prior_days),)).status == NOT_MET
    use_threshold(monkeypatch, tmp_path, "botox.min_interval_weeks", 4)
    assert one("botox.interval", _session(100), priors=(_prior(100, days=prior_days),)).status == MET


# ---- botox.neuromuscular_disease ---------------------------------------------------------------


def test_neuromuscular_disease_is_critical():
    f = one("botox.neuromuscular_disease", _session(100), patient=screened_patient(neuromuscular_disease=True))
    assert (f.status, f.severity) == (NOT_MET, Severity.CRITICAL)
    assert "dysphagia" in f.message and "S38" in f.source and "S36" in f.source
    assert f.field == ("patient", "neuromuscular_disease")


def test_neuromuscular_disease_not_recorded_is_not_evaluated():
    f = one("botox.neuromuscular_disease", _session(100), patient=screened_patient(neuromuscular_disease=None))
    assert (f.status, f.severity) == (NOT_EVAL, Severity.CAUTION)
    assert "not recorded" in f.message


def test_neuromuscular_disease_absent_is_met():
    f = one("botox.neuromuscular_disease", _session(100), patient=screened_patient(neuromuscular_disease=False))
    assert (f.status, f.severity) == (MET, Severity.INFO)


def test_neuromuscular_disease_not_applicable_without_botox():
    f = one("botox.neuromuscular_disease", procedure(), patient=screened_patient(neuromuscular_disease=True))
    assert f.status == Status.NOT_APPLICABLE and "not applicable" in f.message


# ---- botox.product_units -----------------------------------------------------------------------


def test_product_units_names_both_products_and_does_not_add():
    f = one("botox.product_units", _session(100), priors=(_prior(300, product=ABO, days=20),))
    assert (f.status, f.severity) == (MET, Severity.INFO)
    assert "NOT added" in f.message and "Botox" in f.message and "Dysport" in f.message
    assert "S37" in f.source and "S38" in f.source


@pytest.mark.parametrize(("days", "mixed"), [(-1, True), (0, False), (1, False)])
def test_product_units_window_edge(days, mixed):
    prior = _prior(300, product=ABO, days=days, months=value("botox.window_months"))
    f = one("botox.product_units", _session(100), priors=(prior,))
    assert ("NOT added" in f.message) is mixed
    assert ("one product only" in f.message) is not mixed


def test_product_units_same_product_is_one_product_only():
    f = one("botox.product_units", _session(100), priors=(_prior(100, days=20),))
    assert f.status == MET and "one product only" in f.message


def test_product_units_not_applicable_without_botox():
    f = one("botox.product_units", procedure())
    assert f.status == Status.NOT_APPLICABLE and "not applicable" in f.message


# ---- botox.off_label ---------------------------------------------------------------------------


def test_off_label_is_stated_and_marked_unconfirmed():
    f = one("botox.off_label", _session(100))
    # An advisory, not a check that was "met" (issue 14): its own status, always info.
    assert (f.status, f.severity) == (Status.ADVISORY, Severity.INFO)
    assert not f.applies
    assert "off-label" in f.title and "not an FDA indication" in f.message and "LCD" in f.message
    assert f.source == "S41; coverage [U]"
    assert f.unconfirmed


def test_off_label_not_applicable_without_botox():
    f = one("botox.off_label", procedure())
    assert f.status == Status.NOT_APPLICABLE and "not applicable" in f.message


# ---- toxin given elsewhere: part of the exposure every toxin rule counts ------------------------


def _elsewhere(units: float, product: str = ONA, days: int = 30, indication: str = "chronic migraine"):
    given_on = (WHEN - timedelta(days=days)).date()
    return {"given_on": given_on, "product": product, "units": units, "indication": indication,
            "source": "neurology clinic, letter"}  # fmt: skip


def _patient_with(*doses):
    return screened_patient(toxin_elsewhere=list(doses))


def test_toxin_for_migraine_elsewhere_counts_against_the_cap():
    # The false pass the issue names: 200 U here looks within 400 U until the migraine doses are counted.
    cap = value("botox.max_units_window")
    here = _session(cap / 2)
    alone = one("botox.units_window", here, patient=_patient_with())
    assert alone.status == MET
    f = one("botox.units_window", here, patient=_patient_with(_elsewhere(cap / 2 + 5, days=40)))
    assert (f.status, f.severity) == (NOT_MET, Severity.CRITICAL)
    assert f"{cap + 5:g} U in" in f.message
    assert "elsewhere (chronic migraine; neurology clinic, letter)" in f.message


def test_toxin_elsewhere_outside_the_window_or_after_the_session_is_not_counted():
    cap = value("botox.max_units_window")
    months = value("botox.window_months")
    outside = _elsewhere(cap, days=(WHEN - months_before(WHEN, months)).days + 1)
    later = _elsewhere(cap, days=-1)  # recorded as given after this session's day
    f = one("botox.units_window", _session(cap), patient=_patient_with(outside))
    assert f.status == MET and "earlier" not in f.message
    g = one("botox.units_window", _session(cap), patient=_patient_with(later))
    assert g.status == MET and "earlier" not in g.message


def test_units_elsewhere_of_another_product_are_named_never_added():
    cap = value("botox.max_units_window")
    patient = _patient_with(_elsewhere(3000, "rimabotulinumtoxinB", days=20, indication="cervical dystonia"))
    total = one("botox.units_window", _session(cap), patient=patient)
    # Named, never added: the onabotulinumtoxinA total stands alone and is left for a person to weigh.
    assert total.status == NOT_EVAL and f"= {cap:g} U in" in total.message and f"{cap + 3000:g}" not in total.message
    assert "3000 U rimabotulinumtoxinB (Myobloc)" in total.message and "cervical dystonia" in total.message
    kept = one("botox.product_units", _session(cap), patient=patient)
    assert "Myobloc" in kept.message and "NOT added" in kept.message and "cervical dystonia" in kept.message


def test_interval_counts_toxin_elsewhere_as_the_last_dose():
    weeks = value("botox.min_interval_weeks")
    old_here = _prior(100, days=weeks * 7 * 2)
    f = one("botox.interval", _session(100), priors=(old_here,), patient=_patient_with(_elsewhere(50, days=14)))
    assert f.status == NOT_MET
    assert "14 days" in f.message and "elsewhere" in f.message
    # The same day elsewhere is still an earlier dose for this session: 0 days.
    g = one("botox.interval", _session(100), patient=_patient_with(_elsewhere(50, days=0)))
    assert g.status == NOT_MET and "(0 days)" in g.message


def test_toxin_elsewhere_without_toxin_now_leaves_the_rules_not_applicable():
    f = one("botox.units_window", procedure(), patient=_patient_with(_elsewhere(400)))
    assert f.status == Status.NOT_APPLICABLE


# ---- toxin elsewhere never asked: an empty list is not "none elsewhere" ----------------------------


def test_a_total_within_the_cap_from_toxin_here_only_is_not_evaluated_when_elsewhere_was_never_asked():
    cap = value("botox.max_units_window")
    f = one("botox.units_window", _session(cap / 2), patient=screened_patient(had_toxin_elsewhere=None))
    assert (f.status, f.severity) == (NOT_EVAL, Severity.CAUTION)
    assert "counting toxin given here only" in f.message and "record the doses or No" in f.message
    assert f.field == ("patient", "had_toxin_elsewhere")
    asked = one("botox.units_window", _session(cap / 2), patient=screened_patient(had_toxin_elsewhere=False))
    assert asked.status == MET


def test_an_interval_is_not_evaluated_when_elsewhere_was_never_asked_but_too_short_stays_not_met():
    weeks = value("botox.min_interval_weeks")
    unasked = screened_patient(had_toxin_elsewhere=None)
    first = one("botox.interval", _session(100), patient=unasked)
    assert first.status == NOT_EVAL and "no earlier botulinum toxin (counting toxin given here only)" in first.message
    assert one("botox.interval", _session(100), patient=screened_patient()).message.endswith("none elsewhere (asked)")
    recent = _prior(100, days=weeks * 7 - 7)
    assert one("botox.interval", _session(100), priors=(recent,), patient=unasked).status == NOT_MET


def test_a_dose_listed_elsewhere_answers_yes_and_no_beside_it_is_refused():
    assert _patient_with(_elsewhere(50)).had_toxin_elsewhere is True
    with pytest.raises(ValidationError) as err:
        screened_patient(toxin_elsewhere=[_elsewhere(50)], had_toxin_elsewhere=False)
    assert err.value.errors()[0]["loc"] == ("had_toxin_elsewhere",)
    assert "doses are listed under toxin given elsewhere" in str(err.value)
