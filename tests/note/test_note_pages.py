"""A note a physician signs at a glance: typical cases fit on two pages, Letter and A4, with decision support run."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from facetdesk.domain.case import CaseFile
from facetdesk.domain.enums import Intent, RfMethod, Side, Technique, VolumeBasis
from facetdesk.domain.procedure import MedicationAdministration, Target
from facetdesk.domain.radiofrequency import Lesioning, MotorTest
from facetdesk.services.rendering import render_case_note
from tests.builders.cases import clinic, mbb_botox_case

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from sample_case import sample_case  # noqa: E402


def _with(case: CaseFile, **changes) -> CaseFile:
    return case.model_copy(update={"procedure": case.procedure.model_copy(update=changes)})


def _cervical_one_level() -> CaseFile:
    case = sample_case()
    return _with(
        case,
        targets=[Target(level="C4-C5", side=Side.LEFT)],
        botulinum_toxin=None,
        medications=[
            MedicationAdministration(
                agent="bupivacaine", concentration_mg_per_ml=5, volume_ml=0.3, volume_basis=VolumeBasis.PER_NERVE
            )
        ],  # fmt: skip
        contrast=False,
        diagnoses=["M47.812"],
    )


def _intra_articular_steroid() -> CaseFile:
    case = sample_case()
    return _with(
        case,
        technique=Technique.INTRA_ARTICULAR,
        intent=Intent.THERAPEUTIC,
        targets=[Target(level="L4-L5", side=Side.LEFT), Target(level="L4-L5", side=Side.RIGHT)],
        botulinum_toxin=None,
        contrast=False,
        medications=[
            MedicationAdministration(agent="triamcinolone_acetonide", concentration_mg_per_ml=40, volume_ml=1),
            MedicationAdministration(
                agent="lidocaine", concentration_mg_per_ml=10, volume_ml=0.4, volume_basis=VolumeBasis.PER_JOINT
            ),  # fmt: skip
        ],
    )


def _ablation() -> CaseFile:
    """The documented MBB's patient and levels, ablated: every lesioning field recorded, no toxin."""
    case = mbb_botox_case()
    return _with(
        case,
        technique=Technique.RADIOFREQUENCY_ABLATION,
        intent=Intent.THERAPEUTIC,
        botulinum_toxin=None,
        radiofrequency=Lesioning(
            method=RfMethod.CONVENTIONAL, cannula_gauge=18, active_tip_mm=10, sensory_threshold_v=0.4,
            motor_test=MotorTest.NO_RADICULAR_RESPONSE, temperature_c=80, seconds_per_lesion=90, lesions_per_nerve=2,
        ),
    )  # fmt: skip


TYPICAL = {
    "two-level bilateral radiofrequency ablation, every lesioning field documented": _ablation,
    "two-level bilateral MBB with Botox and a diary (the sample)": sample_case,
    "two-level bilateral MBB with Botox, every field documented": mbb_botox_case,
    "one-level cervical MBB": _cervical_one_level,
    "bilateral intra-articular steroid": _intra_articular_steroid,
}


@pytest.mark.parametrize("page_size", ["letter", "a4"])
@pytest.mark.parametrize("name", sorted(TYPICAL))
def test_a_typical_note_is_two_pages(name, page_size):
    note = render_case_note(TYPICAL[name](), clinic=clinic(page_size=page_size))
    pages = PdfReader(io.BytesIO(note.pdf)).pages
    assert len(pages) <= 2, f"{name}: {len(pages)} {page_size} pages"


def test_a_table_is_not_split_across_pages():
    """The levels, medication and toxin tables each stay on one page, their header row with their rows."""
    note = render_case_note(mbb_botox_case(), clinic=clinic())
    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(note.pdf)).pages]
    for first, last in (("Level Side(s) Region", "L5-S1"), ("Agent Strength Volume", "bupivacaine"),
                        ("Muscle Level Side Units", "longissimus")):  # fmt: skip
        holding = [i for i, page in enumerate(pages) if first in page]
        assert len(holding) == 1 and last in pages[holding[0]].split(first, 1)[1], first


def test_the_clinics_long_form_adds_the_documentation_appendix():
    from facetdesk.domain.settings import ClinicSettings

    short = render_case_note(sample_case(), clinic=clinic())
    long = render_case_note(sample_case(), clinic=clinic().model_copy(update={"note_long_form": True}))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(long.pdf)).pages)
    for expected in ("Appendix: LCD documentation", "Technique", "Informed consent", "Procedure codes (CPT)",
                     "Facet joint (or its nerves) injection", "Coding notes", "Modifier 50"):  # fmt: skip
        assert expected in text, expected
    short_text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(short.pdf)).pages)
    assert "Appendix" not in short_text and "Coding notes" not in short_text
    assert ClinicSettings().note_long_form is False  # the two-page note unless the clinic asks


def test_a_long_history_stays_one_line_listing_only_what_the_rules_weigh():
    """199 prior procedures, alternating lumbar and cervical every 9 days back: the note lists the lumbar ones of
    the last 12 months (lcd.sessions.window_months) and sums up the rest in one line; twice the history makes no
    longer a note."""
    from datetime import timedelta

    case = mbb_botox_case()
    base = case.procedure

    def pages_with(count: int) -> list[str]:
        history = case.model_copy(update={"prior_procedures": _history(base, count)})
        note = render_case_note(history, clinic=clinic())
        return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(note.pdf)).pages]

    pages = pages_with(199)
    assert len(pages) <= 3 and len(pages_with(399)) == len(pages)
    text = " ".join(pages)
    # Within 12 months (2025-10-01 .. 2026-10-01) and lumbar: n odd and 9n <= 365 -> n = 1, 3, ..., 39 (20 rows).
    listed = sorted(base.performed_at - timedelta(days=9 * n) for n in range(1, 41, 2))
    kind = "Prior facet procedures: Medial branch block, Diagnostic, first block, L4-L5, L5-S1 (bilateral): "
    assert kind + ", ".join(f"{when:%Y-%m-%d}" for when in listed) + ". " in text
    # Everything else, cervical ones of last month included, is one line with its span.
    first, last = base.performed_at - timedelta(days=9 * 199), base.performed_at - timedelta(days=9 * 2)
    assert (f"179 more not listed (80 in this region before 2025-10-01; 99 in other regions; {first:%Y-%m-%d} to "
            f"{last:%Y-%m-%d}); all are in the record") in text  # fmt: skip


def _history(base, count: int) -> list:
    from datetime import timedelta

    return [
        base.model_copy(update={
            "uid": f"prior-{n}", "botulinum_toxin": None, "performed_at": base.performed_at - timedelta(days=9 * n),
            "targets": base.targets if n % 2 else [Target(level="C4-C5", side=Side.LEFT)],
        })
        for n in range(1, count + 1)
    ]  # fmt: skip


_PER_NERVE = VolumeBasis.PER_NERVE
_MORE_MEDICATIONS = [
    MedicationAdministration(agent="lidocaine", concentration_mg_per_ml=20, volume_ml=0.5, volume_basis=_PER_NERVE),
    MedicationAdministration(agent="triamcinolone_acetonide", concentration_mg_per_ml=40, volume_ml=0.25,
                             volume_basis=_PER_NERVE),
    MedicationAdministration(agent="dexamethasone_sodium_phosphate", concentration_mg_per_ml=4, volume_ml=1),
    MedicationAdministration(agent="ropivacaine", concentration_mg_per_ml=2, volume_ml=0.5, volume_basis=_PER_NERVE),
    MedicationAdministration(agent="methylprednisolone_acetate", concentration_mg_per_ml=40, volume_ml=1),
]  # fmt: skip


@pytest.mark.parametrize("page_size", ["letter", "a4"])
@pytest.mark.parametrize("extra", range(len(_MORE_MEDICATIONS) + 1))
def test_the_medications_heading_stands_on_the_page_of_its_table(extra, page_size):
    """However many drugs push the table down, 'Medications' is never left alone at the foot of a page: the heading
    and the table it names print on one page (a heading's keepWithNext does not hold a KeepTogether to it)."""
    case = sample_case()
    case = _with(case, medications=[*case.procedure.medications, *_MORE_MEDICATIONS[:extra]])
    for clinic_settings in (None, clinic(page_size=page_size)):
        pdf = render_case_note(case, clinic=clinic_settings, page_size=page_size).pdf
        pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]
        holding = [i for i, page in enumerate(pages) if "Agent Strength Volume" in page]
        assert len(holding) == 1 and "Medications Agent Strength Volume" in pages[holding[0]], (extra, pages)


@pytest.mark.parametrize("page_size", ["letter", "a4"])
def test_a_long_notes_paragraph_starts_under_the_section_before_it(page_size):
    """One long paragraph of notes (dictated, no blank lines) flows on from where decision support ends, its heading
    over its first lines: it does not leave the rest of that page blank to start on the next one."""
    sentence = "Needle repositioned twice at L5-S1 because of a hypertrophic superior articular process. "
    case = _with(sample_case(), notes=sentence * 40)
    pdf = render_case_note(case, clinic=clinic(page_size=page_size)).pdf
    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    sources = next(i for i, page in enumerate(pages) if "Sources: [1]" in page)
    assert "Notes Needle repositioned" in pages[sources], [len(p) for p in pages]


def test_a_long_addendum_starts_under_the_signature():
    """An addendum dictated as one long paragraph starts under the signature, its headings over its first lines,
    rather than leaving the signature's page blank below it."""
    from tests.builders.cases import ADDENDA, SIGNATURE

    text = "Patient called on day 2: pain 2/10, walking further; no fever, no new numbness or weakness. " * 30
    case = _with(_cervical_one_level(), signature=SIGNATURE, addenda=[ADDENDA[0].model_copy(update={"text": text})])
    pdf = render_case_note(case, clinic=clinic()).pdf
    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]
    signed = next(i for i, page in enumerate(pages) if "reviewed this note. Electronically signed" in page)
    assert "Addenda Addendum 1 — Dr. Synthetic Example, 2026-10-02 08:15 Patient called" in pages[signed], pages
