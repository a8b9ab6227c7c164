"""Allergies matched by ingredient, US brand and class (clinical reference section 10); unmatched ones shown."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from facetdesk.domain.allergy import words
from facetdesk.domain.catalog import get_catalog, load_catalog
from facetdesk.resources import resources_dir
from facetdesk.rules.finding import Severity, Status
from facetdesk.rules.risks import concerns_present_risk
from tests.builders.records import BOTOX, LIDOCAINE, med, procedure, screened_patient
from tests.rules.rule_runs import run

NOT_MATCHED = "not matched — check by hand"

# Section 10 of the clinical reference, as written there: ingredient -> (US brand names, class).
SECTION_10 = {
    "lidocaine": (("Xylocaine",), "amide local anaesthetic"),
    "bupivacaine": (("Marcaine", "Sensorcaine"), "amide local anaesthetic"),
    "ropivacaine": (("Naropin",), "amide local anaesthetic"),
    "mepivacaine": (("Carbocaine", "Polocaine"), "amide local anaesthetic"),
    "chloroprocaine": (("Nesacaine",), "ester local anaesthetic"),
    "procaine": ((), "ester local anaesthetic"),
    "tetracaine": ((), "ester local anaesthetic"),
    "triamcinolone acetonide": (("Kenalog",), "corticosteroid"),
    "methylprednisolone acetate": (("Depo-Medrol",), "corticosteroid"),
    "dexamethasone sodium phosphate": (("Decadron",), "corticosteroid"),
    "betamethasone sodium phosphate / acetate": (("Celestone Soluspan",), "corticosteroid"),
    "iohexol": (("Omnipaque",), "iodinated contrast"),
    "iopamidol": (("Isovue",), "iodinated contrast"),
    "iodixanol": (("Visipaque",), "iodinated contrast"),
    "onabotulinumtoxinA": (("Botox",), "botulinum toxin"),
    "abobotulinumtoxinA": (("Dysport",), "botulinum toxin"),
    "incobotulinumtoxinA": (("Xeomin",), "botulinum toxin"),
    "rimabotulinumtoxinB": (("Myobloc",), "botulinum toxin"),
    "daxibotulinumtoxinA": (("Daxxify",), "botulinum toxin"),
    "prabotulinumtoxinA": (("Jeuveau",), "botulinum toxin"),
}

# One recordable dose of each catalogue agent (catalogue strengths), and the name the findings give it.
GIVEN = {
    "lidocaine": (med("lidocaine", 20, 0.5), "lidocaine"),
    "bupivacaine": (med("bupivacaine", 5.0, 0.5), "bupivacaine"),
    "ropivacaine": (med("ropivacaine", 2.0, 0.5), "ropivacaine"),
    "mepivacaine": (med("mepivacaine", 10, 0.5), "mepivacaine"),
    "triamcinolone_acetonide": (med("triamcinolone_acetonide", 40, 0.5), "triamcinolone acetonide"),
    "methylprednisolone_acetate": (med("methylprednisolone_acetate", 40, 0.5), "methylprednisolone acetate"),
    "dexamethasone_sodium_phosphate": (med("dexamethasone_sodium_phosphate", 4, 0.5), "dexamethasone"),
    "betamethasone": (med("betamethasone", 6, 0.5), "betamethasone"),
    "iohexol": (med("iohexol", 240, 0.3), "iohexol"),
    "iopamidol": (med("iopamidol", 300, 0.3), "iopamidol"),
}
TOXIN_PRODUCTS = ("onabotulinumtoxinA", "abobotulinumtoxinA", "incobotulinumtoxinA")


def _procedure(*agents: str, **overrides):
    meds = [GIVEN[a][0] for a in agents]
    contrast = any(m["agent"] in ("iohexol", "iopamidol") for m in meds)
    return procedure(medications=meds, contrast=overrides.pop("contrast", contrast), **overrides)


def _toxin(product: str) -> dict:
    return {**BOTOX, "product": product}


def _allergy(allergies: list[str], procedure) -> list:
    return run("risk.allergy", patient=screened_patient(allergies=allergies), procedure=procedure)


def _one(allergies: list[str], procedure):
    findings = _allergy(allergies, procedure)
    assert len(findings) == 1, findings
    return findings[0]


# ---- the resource ------------------------------------------------------------------


def test_resource_gives_exactly_the_brands_and_classes_of_section_10():
    names = get_catalog().allergy_names
    classes = {c.key: c for c in names.classes}
    table = {a.ingredient: (a.brands, classes[a.class_key].name) for a in names.agents}
    assert table == SECTION_10


def test_every_entry_has_a_source_and_confidence_and_every_catalogue_agent_an_entry():
    catalog = get_catalog()
    names = catalog.allergy_names
    for entry in (*names.classes, *names.agents):
        assert entry.source.strip() and entry.confidence in ("C", "S", "U"), entry
    keys = {a.key for a in names.agents}
    assert {a.key for a in catalog.agents} | set(TOXIN_PRODUCTS) <= keys
    # Hypersensitivity to any botulinum toxin product contraindicates each: read in the Botox label (S37) [C].
    toxin = next(c for c in names.classes if c.key == "botulinum_toxin")
    assert toxin.any_product_matches_all and toxin.confidence == "C" and "S37" in toxin.source


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Amide local anaesthetics", ("amide", "local", "anesthetic")),
        ("amide local anesthetic", ("amide", "local", "anesthetic")),
        ("Marcaine®", ("marcaine",)),
        ("DEPO-MEDROL", ("depo", "medrol")),
        ("botulinum toxins", ("botulinum", "toxin")),
        ("iodinated contrast media", ("iodinated", "contrast", "media")),
        ("Isovue", ("isovue",)),
    ],
)
def test_normalisation(text, expected):
    assert words(text) == expected


# ---- brands --------------------------------------------------------------------------

_CATALOGUE_BRANDS = [
    ("Xylocaine", "lidocaine"),
    ("Marcaine", "bupivacaine"),
    ("Sensorcaine", "bupivacaine"),
    ("Naropin", "ropivacaine"),
    ("Carbocaine", "mepivacaine"),
    ("Polocaine", "mepivacaine"),
    ("Kenalog", "triamcinolone_acetonide"),
    ("Depo-Medrol", "methylprednisolone_acetate"),
    ("Decadron", "dexamethasone_sodium_phosphate"),
    ("Celestone Soluspan", "betamethasone"),
    ("Omnipaque", "iohexol"),
    ("Isovue", "iopamidol"),
]


@pytest.mark.parametrize(("brand", "agent"), _CATALOGUE_BRANDS)
def test_each_brand_matches_its_agent_given(brand, agent):
    f = _one([brand], _procedure(agent))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL)
    assert f"'{brand}'" in f.message and GIVEN[agent][1] in f.message and f"by brand ({brand})" in f.message
    assert "S60" in f.source and f.field == ("patient", "allergies")


@pytest.mark.parametrize(
    ("allergy", "agent"),
    [("Marcaine®", "bupivacaine"), ("MARCAINE", "bupivacaine"), ("Depo Medrol", "methylprednisolone_acetate")]
    + [("DepoMedrol", "methylprednisolone_acetate"), ("Kenalog-40", "triamcinolone_acetonide")]
    + [("Omnipaque 300", "iohexol"), ("xylocaine (rash)", "lidocaine")],
)
def test_brand_matching_tolerates_case_punctuation_and_spacing(allergy, agent):
    f = _one([allergy], _procedure(agent))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL)
    assert "by brand" in f.message and GIVEN[agent][1] in f.message


@pytest.mark.parametrize("brand", ["Botox", "Dysport", "Xeomin"])
def test_each_toxin_brand_matches_its_own_product(brand):
    product = _OWN_PRODUCT[brand]
    f = _one([brand], procedure(botulinum_toxin=_toxin(product)))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL)
    assert f"by brand ({brand})" in f.message and product in f.message


_OWN_PRODUCT = {"Botox": "onabotulinumtoxinA", "Dysport": "abobotulinumtoxinA", "Xeomin": "incobotulinumtoxinA"}


@pytest.mark.parametrize(
    ("allergy", "product"),
    [
        (brand, product)
        for brand in ("Botox", "Dysport", "Xeomin", "Myobloc", "Daxxify", "Jeuveau")
        for product in TOXIN_PRODUCTS
        if _OWN_PRODUCT.get(brand) != product
    ],
)
def test_any_botulinum_toxin_product_matches_every_toxin_product(allergy, product):
    f = _one([allergy], procedure(botulinum_toxin=_toxin(product)))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL)
    assert product in f.message and allergy in f.message and "by class (botulinum toxin" in f.message
    assert "S37" in f.message and "S37" in f.source


@pytest.mark.parametrize("allergy", ["botulinum toxins", "Botulinum toxin type A", "rimabotulinumtoxinB"])
def test_toxin_class_and_other_toxin_ingredient_match(allergy):
    f = _one([allergy], procedure(botulinum_toxin=_toxin("incobotulinumtoxinA")))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL)
    assert "incobotulinumtoxinA (Xeomin) by class (botulinum toxin" in f.message


# ---- classes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "allergy", ["amide local anaesthetics", "amide local anesthetic", "Amide-type local anaesthetics"]
)
def test_amide_class_matches_lidocaine_and_bupivacaine(allergy):
    f = _one([allergy], _procedure("lidocaine", "bupivacaine"))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL)
    assert "lidocaine by class (amide local anaesthetic)" in f.message
    assert "bupivacaine by class (amide local anaesthetic)" in f.message


@pytest.mark.parametrize(
    "allergy", ["ester local anaesthetics", "ester-type local anesthetic", "Nesacaine", "procaine", "tetracaine"]
)
def test_ester_allergy_does_not_match_an_amide_but_says_so(allergy):
    f = _one([allergy], _procedure("lidocaine", "bupivacaine"))
    assert (f.status, f.severity) == (Status.MET, Severity.INFO)
    assert "no class match" in f.message and "ester local anaesthetic" in f.message
    assert "amide local anaesthetic" in f.message
    assert "an ester allergy does not imply an amide allergy (S61)" in f.message and "S61" in f.source


def test_ester_statement_is_kept_beside_a_match():
    findings = _allergy(["Nesacaine", "Xylocaine"], _procedure("lidocaine"))
    assert [(f.status, f.severity) for f in findings] == [
        (Status.NOT_MET, Severity.CRITICAL),
        (Status.MET, Severity.INFO),
    ]
    assert "Xylocaine" in findings[0].message and "no class match" in findings[1].message


@pytest.mark.parametrize(
    ("allergy", "how"),
    [
        ("Omnipaque", "by brand (Omnipaque)"),
        ("iodinated contrast", "by class (iodinated contrast)"),
        ("Iodinated contrast media", "by class (iodinated contrast)"),
        ("iohexol", "by ingredient (iohexol)"),
    ],
)
def test_contrast_allergy_with_iohexol(allergy, how):
    f = _one([allergy], _procedure("iohexol"))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL)
    assert f"iohexol (iodinated contrast) {how}" in f.message


@pytest.mark.parametrize("allergy", ["Omnipaque", "Visipaque", "iodinated contrast"])
def test_contrast_used_without_a_recorded_agent_uses_the_same_matching(allergy):
    f = _one([allergy], procedure(contrast=True, medications=[LIDOCAINE]))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL)
    assert "contrast (agent not recorded) by class (iodinated contrast" in f.message


@pytest.mark.parametrize("allergy", ["Kenalog", "triamcinolone"])
def test_kenalog_and_triamcinolone_match_triamcinolone(allergy):
    f = _one([allergy], _procedure("triamcinolone_acetonide"))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL)
    assert "triamcinolone acetonide by" in f.message


@pytest.mark.parametrize("allergy", ["corticosteroids", "Steroids"])
def test_corticosteroid_class(allergy):
    f = _one([allergy], _procedure("methylprednisolone_acetate"))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL)
    assert "methylprednisolone acetate by class (corticosteroid)" in f.message


@pytest.mark.parametrize(
    ("allergy", "given", "named"),
    [
        ("Kenalog", "dexamethasone_sodium_phosphate", "Kenalog (triamcinolone acetonide; class corticosteroid)"),
        ("Marcaine", "lidocaine", "Marcaine (bupivacaine; class amide local anaesthetic)"),
        ("Visipaque", "iohexol", "Visipaque (iodixanol; class iodinated contrast)"),
    ],
)
def test_another_agent_of_the_same_class_is_for_a_person_to_check(allergy, given, named):
    f = _one([allergy], _procedure(given))
    assert (f.status, f.severity) == (Status.NOT_EVALUATED, Severity.CAUTION)
    assert f.message.startswith(f"check by hand: recorded allergy '{allergy}' names {named}")
    assert GIVEN[given][1] in f.message and "same class" in f.message


def test_a_recognised_allergy_to_an_agent_not_given_is_met():
    f = _one(["Kenalog", "Omnipaque"], _procedure("lidocaine"))
    assert (f.status, f.severity) == (Status.MET, Severity.INFO)
    assert f.message.startswith("no recorded allergy (Kenalog; Omnipaque) matches the agents given (lidocaine)")


# ---- unmatched free text -------------------------------------------------------------


def test_unmatched_free_text_is_for_a_person_to_check_never_all_clear():
    f = _one(["shellfish", "latex", "penicillin"], _procedure("lidocaine"))
    assert (f.status, f.severity) == (Status.NOT_EVALUATED, Severity.CAUTION)
    assert f.message.startswith(f"{NOT_MATCHED}: 'shellfish', 'latex', 'penicillin'")
    assert "lidocaine" in f.message and "no recorded allergy" not in f.message


def test_unmatched_entries_are_named_beside_matched_ones():
    findings = _allergy(["latex", "Marcaine"], _procedure("bupivacaine"))
    assert [(f.status, f.severity) for f in findings] == [
        (Status.NOT_MET, Severity.CRITICAL),
        (Status.NOT_EVALUATED, Severity.CAUTION),
    ]
    assert "bupivacaine by brand (Marcaine)" in findings[0].message
    assert findings[1].message.startswith(f"{NOT_MATCHED}: 'latex'") and "Marcaine" not in findings[1].message


@pytest.mark.parametrize(
    ("allergy", "unnamed"),
    [
        ("Marcaine; Solu-Medrol", "Solu-Medrol"),
        ("Solu-Medrol, Marcaine", "Solu-Medrol"),
        ("Marcaine and latex", "latex"),
        ("Marcaine\nsulfa", "sulfa"),
        ("Sensorcaine / shellfish", "shellfish"),
    ],
)
def test_an_unrecognised_item_beside_a_recognised_one_in_one_entry_is_for_a_person_to_check(allergy, unnamed):
    """A list typed as one allergy: the brand it names matches, and the item naming nothing known (here a
    methylprednisolone product the names do not hold, with a corticosteroid given) is not silently dropped."""
    findings = _allergy([allergy], _procedure("bupivacaine", "triamcinolone_acetonide"))
    assert [(f.status, f.severity) for f in findings] == [
        (Status.NOT_MET, Severity.CRITICAL),
        (Status.NOT_EVALUATED, Severity.CAUTION),
    ], findings
    assert "bupivacaine by brand" in findings[0].message
    assert findings[1].message.startswith(f"{NOT_MATCHED}: '{unnamed}' (in '{allergy}')"), findings[1].message


@pytest.mark.parametrize(
    "allergy", ["betamethasone sodium phosphate / acetate", "Marcaine, Kenalog", "Xylocaine and Marcaine", "Kenalog-40"]
)
def test_a_list_whose_every_item_names_something_known_leaves_nothing_to_check(allergy):
    findings = _allergy([allergy], _procedure("lidocaine", "bupivacaine", "triamcinolone_acetonide"))
    assert not any(f.message.startswith(NOT_MATCHED) for f in findings), findings


@pytest.mark.parametrize("said", ["NKDA", "nkda", "N.K.D.A.", "None", "No known drug allergies", "NKA", " nil "])
def test_no_known_allergies_written_out_is_none_known_not_an_unmatched_allergy(said):
    f = _one([said], _procedure("lidocaine"))
    assert (f.status, f.severity) == (Status.MET, Severity.INFO), f.message
    assert f.message.startswith("no known allergies") and NOT_MATCHED not in f.message


def test_none_known_alone_is_not_pinned_as_a_risk_the_patient_has():
    for allergies, pinned in ((["NKDA"], False), (["NKDA", "latex"], True), (["Marcaine"], True)):
        patient = screened_patient(allergies=allergies)
        findings = run("risk.allergy", patient=patient, procedure=_procedure("lidocaine"))
        assert any(concerns_present_risk(f, patient) for f in findings) is pinned, allergies


def test_free_text_that_only_resembles_none_known_is_still_for_a_person_to_check():
    for text in ("none to lidocaine?", "NKDA except sulfa", "nonsteroidal"):
        findings = _allergy([text], _procedure("bupivacaine"))
        assert all(f.status is not Status.MET or "no known allergies" not in f.message for f in findings), findings
    f = _allergy(["NKDA except sulfa"], _procedure("bupivacaine"))
    assert any(x.message.startswith(NOT_MATCHED) for x in f), f


def test_none_known_beside_a_recorded_allergy_is_a_contradiction_to_check():
    findings = _allergy(["NKDA", "Marcaine"], _procedure("bupivacaine"))
    assert [(f.status, f.severity) for f in findings] == [
        (Status.NOT_MET, Severity.CRITICAL),
        (Status.NOT_EVALUATED, Severity.CAUTION),
    ], findings
    assert "bupivacaine by brand (Marcaine)" in findings[0].message
    assert findings[1].message.startswith("check by hand: 'NKDA' is recorded beside allergies (Marcaine)")
    # ... and beside an allergy that names nothing known: both are shown, never all clear.
    findings = _allergy(["none", "latex"], _procedure("bupivacaine"))
    assert {f.status for f in findings} == {Status.NOT_EVALUATED}, findings
    assert any("'latex'" in f.message for f in findings)
    assert any("'none' is recorded beside" in f.message for f in findings)


def test_no_allergies_recorded_asks_rather_than_clears():
    f = _one([], _procedure("lidocaine"))
    assert (f.status, f.severity) == (Status.NOT_EVALUATED, Severity.CAUTION)
    assert f.message.startswith("not evaluated: no allergies recorded")


# ---- a clinic's edited copy ----------------------------------------------------------


def _edited(tmp_path: Path, edit: Callable[[dict], None]) -> Path:
    target = tmp_path / "resources"
    shutil.copytree(resources_dir(), target)
    path = target / "allergy_names.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    return target


def _entry(data: dict, key: str) -> dict:
    return next(a for a in data["agents"] if a["key"] == key)


def test_a_clinic_can_add_a_brand(monkeypatch, tmp_path):
    monkeypatch.setenv(
        "FACETDESK_RESOURCES", str(_edited(tmp_path, lambda d: _entry(d, "lidocaine")["brands"].append("Synthocaine")))
    )
    f = _one(["Synthocaine"], _procedure("lidocaine"))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL) and "by brand (Synthocaine)" in f.message


def test_an_unconfirmed_entry_says_so(monkeypatch, tmp_path):
    monkeypatch.setenv(
        "FACETDESK_RESOURCES", str(_edited(tmp_path, lambda d: _entry(d, "lidocaine").update(confidence="U")))
    )
    f = _one(["Xylocaine"], _procedure("lidocaine"))
    assert f.unconfirmed and "unconfirmed" in f.message


@pytest.mark.parametrize(
    ("edit", "error"),
    [
        (lambda d: _entry(d, "lidocaine").update({"class": "amides"}), "class 'amides' is not a class"),
        (lambda d: _entry(d, "bupivacaine")["brands"].append("Xylocaine"), "'Xylocaine' names both"),
        (lambda d: d["agents"].remove(_entry(d, "iohexol")), "drugs.json agent 'iohexol' has no entry"),
        (lambda d: d["agents"].remove(_entry(d, "abobotulinumtoxinA")), "product 'abobotulinumtoxinA' has no entry"),
        (lambda d: _entry(d, "iohexol").update({"class": "corticosteroid"}), "'iohexol' is 'contrast' in drugs.json"),
        (lambda d: _entry(d, "lidocaine").update({"brand": ["Xylocaine"]}), "brand"),
        (lambda d: _entry(d, "lidocaine").update({"confidence": "X"}), "confidence"),
        (lambda d: _entry(d, "lidocaine").update({"brands": ["®"]}), "no letters or digits"),
        (lambda d: d["classes"][0].update({"parent": "amide_local_anaesthetic"}), "parents form a loop"),
        (lambda d: d["classes"][1].update({"parent": "anaesthetic"}), "parent 'anaesthetic' is not a class"),
    ],
)
def test_an_edited_copy_is_checked_on_load(tmp_path, edit, error):
    with pytest.raises(ValidationError, match=error.replace("(", r"\(").replace(")", r"\)")):
        load_catalog(_edited(tmp_path, edit))


def test_without_allergy_names_json_ingredients_still_match_and_brands_are_for_a_person(monkeypatch, tmp_path):
    # A clinic's copy of resources/ older than allergy_names.json.
    target = tmp_path / "resources"
    shutil.copytree(resources_dir(), target)
    (target / "allergy_names.json").unlink()
    monkeypatch.setenv("FACETDESK_RESOURCES", str(target))
    f = _one(["bupivacaine"], _procedure("bupivacaine"))
    assert (f.status, f.severity) == (Status.NOT_MET, Severity.CRITICAL)
    f = _one(["Marcaine"], _procedure("bupivacaine"))
    assert (f.status, f.severity) == (Status.NOT_EVALUATED, Severity.CAUTION) and NOT_MATCHED in f.message
