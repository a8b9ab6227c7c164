"""Printing a note through a real print system: the preview's Print sends the note through Qt to CUPS, a virtual
PDF printer (cups-pdf) puts it on paper, and the paper is compared with the note: its pages, their size, their
page codes and their content (tests/ui/printed_pages.py). The same comparison runs on Qt's own PDF writer, so it
guards the printing path on machines without CUPS too.

The CUPS half needs a cups-pdf queue: FACETDESK_TEST_CUPS_PRINTER names it and FACETDESK_TEST_CUPS_OUT is the
folder cups-pdf writes into (its Out setting); .ci/run sets both up. Without them the CUPS half is skipped with a
reason; under CI (``CI`` set) it fails instead, so CI never passes by skipping it.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from facetdesk.services.rendering import render_case_note
from facetdesk.ui.shell.note_preview import NotePreview
from tests.builders.cases import LONG_NOTES, clinic, mbb_botox_case
from tests.pg import under_ci
from tests.ui import printed_pages

PRINTER_ENV, OUT_ENV = "FACETDESK_TEST_CUPS_PRINTER", "FACETDESK_TEST_CUPS_OUT"
HOW_TO_ENABLE = (
    f"set {PRINTER_ENV} to a cups-pdf queue and {OUT_ENV} to its output folder (Debian: cups, "
    "printer-driver-cups-pdf; .ci/run shows the setup)"
)
# From Print to the finished file; a five-page job took 6 to 9 s on a loaded two-core machine.
JOB_TIMEOUT_S = 90
# A three-page note: the page order and the page breaks are checked too, in a job small enough for a loaded machine.
NOTES = "\n\n".join(LONG_NOTES.split("\n\n")[:6])
PAPER = {"letter": (QPageSize.PageSizeId.Letter, (612, 792)), "a4": (QPageSize.PageSizeId.A4, (595, 842))}

# The queue's jobs with the attributes the test checks; the requesting user sees their own jobs' names.
JOBS_REQUEST = """{
    NAME "FacetDesk test jobs"
    OPERATION Get-Jobs
    GROUP operation-attributes-tag
    ATTR charset attributes-charset utf-8
    ATTR language attributes-natural-language en
    ATTR uri printer-uri $uri
    ATTR name requesting-user-name $user
    ATTR keyword which-jobs all
    ATTR keyword requested-attributes job-id,job-name,job-state,sides
    STATUS successful-ok
    DISPLAY job-id
    DISPLAY job-name
    DISPLAY job-state
    DISPLAY sides
}
"""
FINISHED_BADLY = {"aborted", "canceled", "processing-stopped"}


def _unavailable(why: str) -> None:
    if under_ci():
        pytest.fail(f"printing through CUPS cannot be tested under CI: {why}", pytrace=False)
    pytest.skip(f"printing through CUPS skipped: {why}; {HOW_TO_ENABLE}")


@pytest.fixture(scope="module", autouse=True)
def _tools():
    missing = [tool for tool in printed_pages.TOOLS if not shutil.which(tool)]
    if missing:
        if under_ci():
            pytest.fail(f"{', '.join(missing)} needed under CI (poppler-utils, zbar-tools)", pytrace=False)
        pytest.skip(f"{', '.join(missing)} not installed (Debian: poppler-utils zbar-tools)")


class FilePrinter:
    """Qt's own PDF writer: the printout is the file, written when Print returns."""

    def __init__(self, folder: Path):
        self.folder = folder

    def printer(self, paper: QPageSize.PageSizeId, job: str) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(self.folder / f"{job}.pdf"))
        printer.setPageSize(QPageSize(paper))
        return printer

    def printout(self, qtbot, job: str) -> Path:
        return self.folder / f"{job}.pdf"


class CupsPrinter:
    """A cups-pdf queue: Qt hands the job to CUPS, whose filters and backend write the PDF into the out folder."""

    def __init__(self, name: str, out: Path, work: Path):
        self.name, self.out = name, out
        self.printouts: list[Path] = []
        self.request = work / "jobs.test"
        self.request.write_text(JOBS_REQUEST, encoding="utf-8")

    def printer(self, paper: QPageSize.PageSizeId, job: str) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPrinterName(self.name)
        printer.setPageSize(QPageSize(paper))
        printer.setDuplex(QPrinter.DuplexMode.DuplexNone)
        # The job's name is cups-pdf's file name, so the test finds its own job's output among others'.
        printer.setDocName(job)
        return printer

    def job(self, name: str) -> dict[str, str] | None:
        """The queue's job of that name, as CUPS reports it."""
        found = subprocess.run(
            ["ipptool", "-c", f"ipp://localhost/printers/{self.name}", str(self.request)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert found.returncode == 0, f"ipptool could not list the jobs: {found.stdout}{found.stderr}"
        return next((row for row in csv.DictReader(io.StringIO(found.stdout)) if row["job-name"] == name), None)

    def printout(self, qtbot, job: str) -> Path:
        seen: dict[str, str] = {}
        last = [0.0]

        def finished() -> bool:
            # Asking CUPS a few times a second is enough; waitUntil polls far more often.
            if time.monotonic() - last[0] < 0.25:
                return False
            last[0] = time.monotonic()
            seen.update(self.job(job) or {})
            return seen.get("job-state") in {"completed", *FINISHED_BADLY}

        qtbot.waitUntil(finished, timeout=JOB_TIMEOUT_S * 1000)
        assert seen["job-state"] == "completed", f"CUPS did not print the job: {seen} (see /var/log/cups/error_log)"
        # Duplex off reached the print system: each page on a sheet of its own.
        assert seen["sides"] == "one-sided"
        (printout,) = self.out.glob(f"{job}*.pdf")
        self.printouts.append(printout)
        return printout


@pytest.fixture(params=["pdf-file", "cups"])
def printing(request, tmp_path):
    if request.param == "pdf-file":
        yield FilePrinter(tmp_path)
        return
    name, out = os.environ.get(PRINTER_ENV, "").strip(), os.environ.get(OUT_ENV, "").strip()
    if not name or not out:
        _unavailable(f"{PRINTER_ENV} or {OUT_ENV} is not set")
    if not shutil.which("ipptool"):
        _unavailable("ipptool (Debian: cups-ipp-utils) is not installed")
    if name not in QPrinterInfo.availablePrinterNames():
        _unavailable(f"Qt sees no printer {name!r} (printers: {QPrinterInfo.availablePrinterNames()})")
    if not Path(out).is_dir():
        _unavailable(f"{OUT_ENV}={out} is not a folder")
    cups = CupsPrinter(name, Path(out), tmp_path)
    yield cups
    for printout in cups.printouts:  # a few MB each: the folder outlives the test run
        printout.unlink(missing_ok=True)


@pytest.mark.parametrize(
    "note_size, paper",
    [("letter", "letter"), ("a4", "a4"), ("letter", "a4")],
    ids=["Letter note on Letter", "A4 note on A4", "Letter note on A4"],
)
def test_the_printout_is_the_note_page_for_page(qtbot, printing, note_size, paper, tmp_path, monkeypatch):
    case = mbb_botox_case(notes=NOTES)
    pdf = render_case_note(case, clinic=clinic(page_size=note_size)).pdf
    note = tmp_path / "note.pdf"
    note.write_bytes(pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages == 3
    paper_id, paper_points = PAPER[paper]
    job = f"facetdesk-test-{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(NotePreview, "choose_printer", lambda self: printing.printer(paper_id, job))
    preview = NotePreview(pdf, "Note")
    qtbot.addWidget(preview)

    assert preview.print_note() == pages
    printout = printing.printout(qtbot, job)

    printed = printed_pages.read(printout, tmp_path)
    assert [size.rounded() for size in printed.sizes] == [paper_points] * pages
    assert printed_pages.page_codes(printed) == [
        f"FACETDESK;DOC=procedure-note;MRN=FD-000456;UID={case.procedure.uid};PAGE={n}" for n in range(1, pages + 1)
    ]
    assert printed_pages.differences(printed_pages.read(note, tmp_path), printed) == []
