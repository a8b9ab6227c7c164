"""No silent corrections: out-of-range typing is refused visibly at the field, unusual values are confirmed."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from facetdesk.ui.common.widgets import OptionalFloatSpin, OptionalIntSpin, named
from facetdesk.ui.shell.questions import WindowQuestions


def _type(qtbot, spin, text: str) -> None:
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)


def test_an_nrs_of_11_is_refused_with_the_allowed_range_not_turned_into_1(qtbot):
    spin = named(OptionalIntSpin(0, 10), "NRS")
    qtbot.addWidget(spin)
    spin.show()
    _type(qtbot, spin, "11")
    assert spin.value_or_none() == 1  # Qt keeps what was valid ...
    assert spin.refused_text == "NRS: 11 is not allowed; enter 0 to 10"  # ... and now says why the 1 stayed


def test_a_disability_score_of_0_is_kept_not_read_as_not_recorded(qtbot):
    spin = OptionalFloatSpin(100, 0, " %")
    qtbot.addWidget(spin)
    spin.set_value_or_none(0)
    assert spin.value_or_none() == 0 and spin.text() != "not recorded"
    spin.set_value_or_none(None)
    assert spin.value_or_none() is None and spin.text() == "not recorded"


def test_a_weight_of_0_is_refused_at_the_field_not_stored_as_not_recorded(qtbot, window):
    form = window.patient_page.form
    form.clear()
    weight = form.weight
    _type(qtbot, weight, "0")
    qtbot.keyClick(weight.lineEdit(), Qt.Key.Key_Enter)
    assert weight.refused_text == "Weight: 0 is not allowed; enter 0.1 to 500 kg"
    assert weight.value_or_none() is None and weight.text() == "not recorded"  # left as it was: nothing entered
    _type(qtbot, weight, "0.8")  # a 0 on the way to a real number is not refused
    qtbot.keyClick(weight.lineEdit(), Qt.Key.Key_Enter)
    assert weight.value_or_none() == 0.8


def test_a_weight_of_0_from_outside_the_form_is_refused_by_name(ctx):
    from facetdesk.domain.errors import InvalidRecord

    data = {"mrn": "W-0", "family_name": "Synthetic", "given_name": "Zero", "date_of_birth": "1970-03-04",
            "sex": "female", "weight_kg": 0}  # fmt: skip
    with pytest.raises(InvalidRecord) as exc:
        ctx.records.save_patient(data)
    assert [(e.path, e.message) for e in exc.value.errors] == [(("weight_kg",), "must be greater than 0")]


@pytest.mark.parametrize(("weight", "answer", "saved"), [(25, False, False), (25, True, True), (70, False, True)])
def test_an_unusual_adult_weight_is_confirmed_before_it_is_saved(qtbot, window, monkeypatch, weight, answer, saved):
    asked: list[str] = []
    monkeypatch.setattr(WindowQuestions, "confirm_weight", lambda self, why: asked.append(why) or answer)
    form = window.patient_page.form
    form.clear()
    form.mrn.setText(f"W-{weight}-{answer}")
    form.family_name.setText("Synthetic")
    form.given_name.setText("Weigh")
    form.date_of_birth.setText("1970-03-04")
    form.sex.setCurrentIndex(1)
    form.weight.set_value_or_none(weight)
    result = window.patients.save_patient()
    assert (result is not None) == saved
    assert asked == ([] if weight == 70 else ["25 kg is unusual for an adult (usually 30-300 kg)."])


def test_a_childs_low_weight_is_not_questioned(qtbot, window, monkeypatch):
    monkeypatch.setattr(WindowQuestions, "confirm_weight", lambda self, why: pytest.fail(f"asked: {why}"))
    form = window.patient_page.form
    form.clear()
    form.mrn.setText("W-CHILD")
    form.family_name.setText("Synthetic")
    form.given_name.setText("Kid")
    form.date_of_birth.setText(f"{date.today().year - 10}-01-01")
    form.sex.setCurrentIndex(1)
    form.weight.set_value_or_none(25)
    assert window.patients.save_patient() is not None


def test_typing_past_the_maximum_in_the_editors_pain_boxes_is_refused_visibly(qtbot):
    spin = named(OptionalIntSpin(0, 10), "Pre-injection pain (NRS)")
    qtbot.addWidget(spin)
    spin.show()
    _type(qtbot, spin, "7")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_5)
    assert spin.value_or_none() == 7 and "75 is not allowed; enter 0 to 10" in spin.refused_text
