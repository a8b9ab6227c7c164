"""The patient list and the patient's timeline read a page at a time: more as the view scrolls, never a whole table."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt

from facetdesk.domain.enums import Side, Technique
from facetdesk.domain.procedure import PainScore, Procedure, Signature, Target
from facetdesk.domain.relief import procedure_relief, relief_thresholds
from facetdesk.domain.timefmt import format_minutes
from facetdesk.storage import procedures as procedures_module
from facetdesk.storage import repository as repo
from facetdesk.ui.patients.patient_list import PAGE_SIZE, PatientListPanel
from facetdesk.ui.patients.patient_page import TIMELINE_PAGE_SIZE, PatientPage, timeline_row
from tests.builders.records import rich_patient, rich_procedure
from tests.ui.helpers import click, find, type_into

PATIENTS = 2 * PAGE_SIZE + 30
PROCEDURES = TIMELINE_PAGE_SIZE + 12
ROOT = QModelIndex()


def _patient(n: int, **overrides):
    return rich_patient(n, anticoagulants=[], allergies=[], **overrides)


def _save_special(ctx) -> dict:
    with ctx.database.transaction() as s:
        return {
            "muller": repo.save_patient(s, _patient(9001, family_name="Müller", given_name="Anna", mrn="AB-77")),
            "zed": repo.save_patient(s, _patient(9002, family_name="Zed", given_name="Élodie", mrn="ZZ-1")),
            "quist": repo.save_patient(s, _patient(9003, family_name="Quist", given_name="Önder", mrn="QQ-5")),
        }


@pytest.fixture
def special(ctx):
    """A few patients whose names and MRNs the search must find, beside others it must not."""
    with ctx.database.transaction() as s:
        for n in range(1, 6):
            repo.save_patient(s, _patient(n, family_name=f"Other{n}", given_name="Kim", mrn=f"OT-{n:04d}"))
    return _save_special(ctx)


@pytest.fixture
def clinic(ctx):
    """More synthetic patients than two pages, and the special ones."""
    with ctx.database.transaction() as s:
        for n in range(1, PATIENTS - 2):
            repo.save_patient(s, _patient(n, family_name=f"Lazyfamily{n:03d}", given_name="Kim", mrn=f"LZ-{n:04d}"))
    return _save_special(ctx)


@pytest.fixture
def panel(qtbot, ctx):
    widget = PatientListPanel(ctx.records)
    qtbot.addWidget(widget)
    return widget


def test_the_empty_search_reads_the_first_page_and_more_on_demand(panel, clinic):
    panel.refresh()
    model = panel.model
    assert model.rowCount() == PAGE_SIZE and model.canFetchMore(ROOT)
    assert "scroll for more" in panel.count_label.text()
    model.fetchMore(ROOT)
    assert model.rowCount() == 2 * PAGE_SIZE and model.canFetchMore(ROOT)
    model.fetchMore(ROOT)
    assert model.rowCount() == PATIENTS and not model.canFetchMore(ROOT)
    model.fetchMore(ROOT)  # nothing left: a no-op
    assert model.rowCount() == PATIENTS
    rows = [model.summary(r) for r in range(model.rowCount())]
    assert len({r.id for r in rows}) == PATIENTS
    keys = [(r.cursor.family_key, r.cursor.given_key, r.id) for r in rows]
    assert keys == sorted(keys)
    assert panel.count_label.text() == f"{PATIENTS} patient(s)"


def test_every_read_is_one_page(panel, ctx, clinic, monkeypatch):
    limits = []
    search = ctx.records.search_patients

    def recording(text, limit=200, *, after=None):
        limits.append(limit)
        return search(text, limit, after=after)

    monkeypatch.setattr(ctx.records, "search_patients", recording)
    panel.refresh()
    panel.model.fetchMore(ROOT)
    assert limits == [PAGE_SIZE + 1, PAGE_SIZE + 1]  # one row more than a page says whether there is more


def test_scrolling_to_the_end_of_the_list_reads_the_next_page(qtbot, panel, clinic):
    panel.resize(400, 500)
    panel.show()
    panel.refresh()
    assert panel.model.rowCount() == PAGE_SIZE
    panel.table.scrollToBottom()
    qtbot.waitUntil(lambda: panel.model.rowCount() > PAGE_SIZE)


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("mül", "muller"),  # family name, as written
        ("MULLER", "muller"),  # any case, accents folded
        ("anna", "muller"),  # given name
        ("ab-7", "muller"),  # MRN
        ("elodie", "zed"),  # accented given name typed without the accent
        ("Élo", "zed"),
        ("önd", "quist"),
        ("zz-1", "zed"),
    ],
)
def test_search_as_you_type_still_finds_by_name_mrn_and_folded_accents(qtbot, panel, special, typed, found):
    type_into(qtbot, panel.search, typed)
    ids = [panel.model.summary(r).id for r in range(panel.model.rowCount())]
    assert ids == [special[found].id]
    assert panel.model.complete and panel.count_label.text() == "1 patient(s)"


def test_a_narrowing_search_starts_afresh_and_enter_opens_the_only_match(qtbot, panel, clinic):
    panel.refresh()
    panel.model.fetchMore(ROOT)
    opened = []
    panel.patient_selected.connect(opened.append)
    type_into(qtbot, panel.search, "lazyfamily00")
    assert panel.model.rowCount() == 9 and not panel.model.canFetchMore(ROOT)
    type_into(qtbot, panel.search, "ab-77")
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert opened == [clinic["muller"].id]


# ---- the timeline ---------------------------------------------------------------------------------------------------


@pytest.fixture
def long_history(ctx):
    """A patient with more procedures than one timeline page, one a week, the last one signed."""
    start = datetime(2023, 1, 2, 9, 30)
    with ctx.database.transaction() as s:
        patient = repo.save_patient(s, _patient(1))
        saved = []
        for n in range(PROCEDURES):
            when = start + timedelta(days=7 * n)
            extra = {"signature": Signature(signed_by="Dr. Synthetic Signer", signed_at=when)} if n == 0 else {}
            saved.append(repo.save_procedure(s, patient.id, rich_procedure(n + 1, performed_at=when, **extra)))
    return patient, saved


@pytest.fixture
def page(qtbot, ctx):
    widget = PatientPage(ctx.catalog, ctx.records)
    qtbot.addWidget(widget)
    return widget


def _open(page, patient) -> None:
    page.form.load(patient)
    page.refresh_procedures()


def test_the_timeline_reads_the_newest_page_and_older_ones_on_demand(qtbot, page, long_history):
    patient, saved = long_history
    _open(page, patient)
    table, model = page.procedures, page.timeline
    assert table.rowCount() == TIMELINE_PAGE_SIZE and model.canFetchMore(ROOT)
    newest = max(saved, key=lambda p: p.performed_at)
    assert table.item(0, 0).text() == f"{newest.performed_at:%Y-%m-%d %H:%M}"
    assert table.currentRow() == 0 and page.open_button.isEnabled() and page.copy_button.isEnabled()
    model.fetchMore(ROOT)
    assert table.rowCount() == PROCEDURES and not model.canFetchMore(ROOT)
    status = [table.item(r, table.columnCount() - 1).text() for r in range(table.rowCount())]
    assert status[-1].startswith("Signed ") and set(status[:-1]) == {"Draft"}
    opened = []
    page.open_procedure.connect(opened.append)
    click(qtbot, find(page, "Open procedure"))
    assert opened == [newest.id]


def test_scrolling_the_timeline_reads_older_procedures(qtbot, page, long_history):
    patient, _ = long_history
    page.resize(900, 600)
    page.show()
    _open(page, patient)
    page.procedures.scrollToBottom()
    qtbot.waitUntil(lambda: page.timeline.rowCount() > TIMELINE_PAGE_SIZE)


def test_opening_a_patient_builds_no_whole_procedure(page, long_history, monkeypatch):
    patient, _ = long_history

    def refused(row):
        raise AssertionError("the timeline validated a whole Procedure")

    monkeypatch.setattr(procedures_module, "procedure_from_row", refused)
    _open(page, patient)
    page.timeline.fetchMore(ROOT)
    assert page.procedures.rowCount() == PROCEDURES


def test_a_patient_without_procedures_and_no_patient_show_an_empty_timeline(page, ctx):
    patient = ctx.records.save_patient(
        {"mrn": "EMPTY-1", "family_name": "Testperson", "given_name": "Noa", "date_of_birth": "1970-01-01"}
    )
    _open(page, patient)
    assert page.procedures.rowCount() == 0 and not page.timeline.canFetchMore(ROOT)
    assert not page.open_button.isEnabled() and page.new_button.isEnabled()
    page.form.clear()
    page.refresh_procedures()
    assert page.procedures.rowCount() == 0 and page.hint.isVisibleTo(page)


def _row_from_the_whole_record(procedure: Procedure, catalog) -> tuple[str, ...]:
    """The timeline row as it was computed from a whole Procedure, before the timeline read summaries."""
    thresholds = relief_thresholds(catalog)
    summary = procedure_relief(procedure, catalog)
    peak = f"{summary.peak_pct:g}%" if summary.peak_pct is not None else "—"
    meaningful = summary.duration(thresholds[0])
    if meaningful is None or not meaningful.reached:
        lasted = "—" if summary.peak_pct is None else "not reached"
    else:
        lasted = format_minutes(meaningful.lasted_until - meaningful.reached_at) + (
            "+" if meaningful.ended_before is None else ""
        )
    return (
        f"{procedure.performed_at:%Y-%m-%d %H:%M}",
        ", ".join(r.capitalize() for r in procedure.regions(catalog)),
        procedure.technique.label,
        procedure.intent.label,
        f"{', '.join(procedure.levels())} {procedure.laterality()}",
        peak,
        lasted,
        procedure.physician,
        f"Signed {procedure.signature.signed_at:%Y-%m-%d}" if procedure.signature else "Draft",
    )


VARIANTS = {
    "bilateral, two levels": {},
    "mixed sides": {
        "targets": [
            Target(level="L4-L5", side=Side.LEFT),
            Target(level="L4-L5", side=Side.RIGHT),
            Target(level="L5-S1", side=Side.LEFT),
        ]
    },
    "two regions, one side": {
        "targets": [Target(level="T1-T2", side=Side.RIGHT), Target(level="C7-T1", side=Side.RIGHT)],
        "technique": Technique.INTRA_ARTICULAR,
        "medications": [],
        "botulinum_toxin": None,
    },
    "no scores": {"pain_scores": [], "pre_procedure_pain": None},
    "no baseline": {"pre_procedure_pain": None},
    "relief never reached": {"pain_scores": [PainScore(minutes_after=30, nrs=6)]},
    "relief to the last score": {
        "pain_scores": [PainScore(minutes_after=30, nrs=1), PainScore(minutes_after=60, nrs=2)]
    },
    "signed": {"signature": Signature(signed_by="Dr. Synthetic Signer", signed_at=datetime(2024, 3, 6, 8, 0))},
}


def test_a_timeline_row_from_the_summary_reads_as_from_the_whole_record(ctx):
    with ctx.database.transaction() as s:
        patient = repo.save_patient(s, _patient(1))
        saved = {
            name: repo.save_procedure(
                s, patient.id, rich_procedure(n + 1, performed_at=datetime(2024, 3, 5, 9, n), **overrides)
            )
            for n, (name, overrides) in enumerate(VARIANTS.items())
        }
    summaries = {p.id: p for p in ctx.records.list_procedures(patient.id)}
    for name, procedure in saved.items():
        assert timeline_row(summaries[procedure.id], ctx.catalog) == _row_from_the_whole_record(
            procedure, ctx.catalog
        ), name


def test_a_clinic_style_mrn_shows_whole_in_the_patient_list(qtbot, ctx, panel):
    # Patients are told apart by MRN: "DEMO-0042" (letters are wider than digits) must not be elided.
    with ctx.database.transaction() as s:
        repo.save_patient(s, _patient(7001, family_name="Wide", given_name="Mrn", mrn="DEMO-0042"))
        repo.save_patient(s, _patient(7002, family_name="Wider", given_name="Mrn", mrn="WMWM-004242"))
    panel.show()
    panel.refresh()
    qtbot.waitUntil(lambda: panel.table.model().rowCount() == 2)
    table = panel.table
    for row in range(2):
        index = table.model().index(row, 1)
        rect = table.visualRect(index)
        text = index.data()
        # The delegate's text needs its advance plus a few pixels of margin inside the cell.
        assert table.fontMetrics().horizontalAdvance(text) + 6 <= rect.width(), text


def test_the_timeline_shows_which_joints_were_treated_whole(qtbot, ctx, page):
    # At the 1360-pixel window of the screenshots the targets column used to be squeezed to "L4-L5, L5-S…".
    with ctx.database.transaction() as s:
        patient = repo.save_patient(s, _patient(1))
        targets = [Target(level=level, side=side) for level in ("L3-L4", "L4-L5", "L5-S1") for side in Side]
        repo.save_procedure(s, patient.id, rich_procedure(1, performed_at=datetime(2026, 3, 2, 9, 0), targets=targets))
    page.resize(960, 500)
    page.show()
    _open(page, patient)
    table = page.procedures
    column = page.timeline.HEADERS.index("Targets")
    index = page.timeline.index(0, column)
    text = index.data()
    assert "L5-S1" in text
    assert table.fontMetrics().horizontalAdvance(text) + 6 <= table.columnWidth(column), text
