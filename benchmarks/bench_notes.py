"""Benchmark: one procedure note rendered warm against a bare reportlab document of the same text; 1,000 in a batch.

Run: python benchmarks/bench_notes.py [--notes N] [--runs N]   (prints the figures as a Markdown table)

Issue 7's targets:
- one procedure note rendered in a warm process: at most 1.3 times a bare reportlab document of the same text and
  tables (the floor, measured in the same process, interleaved run by run with the note);
- 1,000 notes exported in one ``facetdesk note --batch`` run, using both cores (CPU time / wall time > 1.5), with
  the single-process run (``--jobs 1``, same files) as comparison.

The floor is derived from what the note prints, not re-typed: every Paragraph's text (with its inline markup) and
every table's cell texts and column widths are read once from the flowables facetdesk.note builds for the case,
and each floor run builds a fresh SimpleDocTemplate of plain Paragraphs and Tables from them. What differs is
what the note adds on top: its stylesheet (sizes, colours, table rules and shading), keep-together groups, and a
header table, footer and watermark on every page. The floor draws its per-page identification and footer as
plain strings with the page number ("Page N", not "Page N of M"), and registers the same DejaVu TTF faces the note
embeds, because the standard Type 1 fonts cannot draw every character of the same text (a fair floor must subset
and embed the same font). The relief chart is in both: the floor holds a reportlab Drawing with the same plotted
points, markers, grid, ticks, threshold lines and labels, without the note's dashes and rotated axis title.
The floor's paragraphs are plain reportlab Paragraphs; the note's keep their line breaking for a width they were
already wrapped at (facetdesk/note/paragraphs.py), which is part of what is measured.

The note is timed through facetdesk.services.rendering.render_case_note (rules, note content, layout, PDF); the
layout and PDF alone (render_note) are timed too. The verdict is the median ratio of each note run to the floor
run right after it, which other processes on the machine shift less than either median.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import unescape

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from common import Figure, machine, median  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from reportlab.graphics import renderPDF  # noqa: E402
from reportlab.graphics.barcode.qr import QrCodeWidget  # noqa: E402
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String  # noqa: E402
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.styles import getSampleStyleSheet  # noqa: E402
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table  # noqa: E402

from facetdesk.domain.case import CaseFile  # noqa: E402
from facetdesk.domain.catalog import get_catalog  # noqa: E402
from facetdesk.interop.casefile import dump_case, read_case  # noqa: E402
from facetdesk.note import render as note_render  # noqa: E402
from facetdesk.note import styles as st  # noqa: E402
from facetdesk.note.chart_data import ChartData  # noqa: E402
from facetdesk.note.content import NoteContent, build_note_content  # noqa: E402
from facetdesk.note.fonts import REGULAR, register_fonts  # noqa: E402
from facetdesk.note.story import build_story  # noqa: E402
from facetdesk.rules import evaluate  # noqa: E402
from facetdesk.rules.context import RuleCase  # noqa: E402
from facetdesk.rules.risks import discharge_instructions  # noqa: E402
from facetdesk.services.rendering import render_case_note  # noqa: E402

SAMPLE = ROOT / "docs" / "sample-case.json"
GENERATED_AT = datetime(2026, 10, 5, 12, 0)
RUNS = 30
BATCH_NOTES = 1000
TARGET_RATIO = 1.3
TARGET_CPU_RATIO = 1.5


# ---- the floor: the same text and tables as a bare reportlab document ------------------------------------------


def _texts(cell: object) -> object:
    """A table cell as data: a Paragraph's text, a list of them, or a plain string."""
    if isinstance(cell, Paragraph):
        return cell.text
    if isinstance(cell, (list, tuple)):
        return [_texts(c) for c in cell]
    return "" if cell is None else str(cell)


def floor_items(content: NoteContent) -> list[tuple]:
    """What the note prints, read from the flowables facetdesk.note builds: paragraphs, tables, spacers, chart."""
    register_fonts()
    out: list[tuple] = []

    def walk(flowable: Flowable) -> None:
        if isinstance(flowable, Paragraph):
            bullet = flowable.bulletText if isinstance(flowable.bulletText, str) else None
            out.append(("p", flowable.text, bullet))
        elif isinstance(flowable, Table):
            out.append(("t", [[_texts(c) for c in row] for row in flowable._cellvalues], list(flowable._argW)))
        elif isinstance(flowable, KeepTogether):
            for inner in flowable._content:
                walk(inner)
        elif isinstance(flowable, Spacer):
            out.append(("s", flowable.height))
        elif isinstance(flowable, Drawing):
            assert content.pain.chart is not None
            out.append(("d", content.pain.chart, flowable.width, flowable.height))
        else:
            raise TypeError(f"the floor has no equivalent of {type(flowable).__name__}")

    for flowable in build_story(content):
        walk(flowable)
    return out


def _plain(markup: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", markup))


def furniture(content: NoteContent) -> tuple[list[str], str, str]:
    """The per-page identification strings, footer and watermark the note prints, as plain text."""
    header = [_plain(t) for row in _texts(note_render.page_header(content)._cellvalues) for c in row for t in c]
    return header, _plain(note_render.page_footer(content).text), content.watermark


def _floor_chart(data: ChartData, width: float, height: float) -> Drawing:
    """The same plotted points, markers, grid, ticks, thresholds and labels as the note's chart, drawn plainly."""
    d = Drawing(width, height)
    d.initialFontName = REGULAR
    x0, y0, pw, ph = 45.0, 34.0, width - 141.0, height - 57.0

    def x(minutes: float) -> float:
        return x0 + pw * min(minutes, data.axis_minutes) / data.axis_minutes

    def y(score: float) -> float:
        return y0 + ph * score / 10

    if data.shade_minutes:
        d.add(Rect(x0, y0, x(data.shade_minutes) - x0, ph, fillColor=colors.lightblue, strokeColor=None))
        d.add(String(x0, y0 + ph + 6, data.shade_label, fontName=REGULAR, fontSize=6.5))
    for score in range(0, 11, 2):
        d.add(Line(x0, y(score), x0 + pw, y(score), strokeColor=colors.lightgrey))
        d.add(String(x0 - 4, y(score) - 2, str(score), fontName=REGULAR, fontSize=7, textAnchor="end"))
    for minutes, label in data.ticks:
        d.add(Line(x(minutes), y0, x(minutes), y0 - 3))
        d.add(String(x(minutes), y0 - 11, label, fontName=REGULAR, fontSize=7, textAnchor="middle"))
    d.add(Line(x0, y0, x0 + pw, y0))
    d.add(Line(x0, y0, x0, y0 + ph))
    d.add(String(x0 + pw / 2, 3, data.axis_title, fontName=REGULAR, fontSize=7, textAnchor="middle"))
    d.add(String(2, y0 + ph + 6, f"Pain ({data.scale})", fontName=REGULAR, fontSize=7))
    for line in data.relief_lines:
        d.add(Line(x0, y(line.nrs), x0 + pw, y(line.nrs), strokeColor=colors.grey))
        d.add(String(x0 + pw + 4, y(line.nrs) - 2, line.label, fontName=REGULAR, fontSize=6.5))
    d.add(Line(x(0), y(data.baseline), x(data.points[0][0]), y(data.points[0][1])))
    if len(data.points) > 1:
        d.add(PolyLine([c for m, s in data.points for c in (x(m), y(s))], strokeColor=colors.black))
    d.add(Circle(x(0), y(data.baseline), 1.5, fillColor=colors.white))
    for m, s in data.points:
        d.add(Circle(x(m), y(s), 1.5, fillColor=colors.black))
    return d


def floor_pdf(items: list[tuple], header: list[str], footer: str, watermark: str, code: str = "") -> bytes:
    """A bare SimpleDocTemplate: sample styles set in the same TTF face, plain tables with a grid; with ``code``,
    each page's QR code (``code`` + the page number), as the note has, drawn by reportlab's own QR widget."""
    styles = getSampleStyleSheet()
    normal = styles["Normal"].clone("normal_ttf", fontName=REGULAR, bulletFontName=REGULAR)
    story: list[Flowable] = []
    for item in items:
        kind = item[0]
        if kind == "p":
            story.append(Paragraph(item[1], normal, bulletText=item[2]))
        elif kind == "t":

            def cell(value: object) -> object:
                if isinstance(value, list):
                    return [cell(v) for v in value]
                return Paragraph(value, normal) if value else ""

            table = Table([[cell(c) for c in row] for row in item[1]], colWidths=item[2])
            table.setStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey)])
            story.append(table)
        elif kind == "s":
            story.append(Spacer(1, item[1]))
        else:
            story.append(_floor_chart(item[1], item[2], item[3]))

    def on_page(canv, doc) -> None:
        width, height = doc.pagesize
        canv.saveState()
        if watermark:
            canv.setFont(REGULAR, 110)
            canv.setFillColor(colors.HexColor("#EDEFF2"))
            canv.drawCentredString(width / 2, height / 2, watermark)
            canv.setFillColor(colors.black)
        canv.setFont(REGULAR, 8.5)
        for n, text in enumerate(header):
            canv.drawString(doc.leftMargin, height - 40 - 11 * n, text)
        canv.drawString(doc.leftMargin, 25, footer)
        canv.drawRightString(width - doc.rightMargin, 25, f"Page {doc.page}")
        if code:
            size = st.PAGE_CODE_SIZE
            widget = QrCodeWidget(f"{code}{doc.page}", barLevel="L", barWidth=size, barHeight=size)
            drawing = Drawing(size, size)
            drawing.add(widget)
            renderPDF.draw(drawing, canv, width - doc.rightMargin - size, height - 40 - size)
        canv.restoreState()

    buf = io.BytesIO()
    side = (st.PAGE_SIZES["letter"][0] - st.CONTENT_WIDTH) / 2
    doc = SimpleDocTemplate(buf, pagesize=st.PAGE_SIZES["letter"], leftMargin=side, rightMargin=side, topMargin=90)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buf.getvalue()


def _words(pdf: bytes) -> Counter[str]:
    return Counter(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages).split())


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def note_content(case: CaseFile) -> NoteContent:
    """The content render_case_note builds (same findings and discharge lines), for the floor to copy."""
    catalog = get_catalog()
    rule_case = RuleCase(case.patient, case.procedure, tuple(case.prior_procedures), catalog)
    return build_note_content(
        case,
        generated_at=GENERATED_AT,
        findings=evaluate(case.patient, case.procedure, case.prior_procedures, catalog),
        discharge_instructions=discharge_instructions(rule_case),
    )


def warm_render(runs: int = RUNS) -> list[Figure]:
    """The sample note through the service (rules, content, layout) and its floor, interleaved in one process."""
    case = read_case(SAMPLE)
    content = note_content(case)
    items = floor_items(content)
    header, footer, watermark = furniture(content)
    # The page code's text without the page number, which each page adds.
    code = note_render.page_code_text(content, 0)[:-1]
    note_pdf = render_case_note(case, generated_at=GENERATED_AT).pdf
    floor = floor_pdf(items, header, footer, watermark, code)
    # The floor must print the note's words: only line wraps and "of N" after the page number may differ.
    note_words, floor_words = _words(note_pdf), _words(floor)
    differing = sum(((note_words - floor_words) + (floor_words - note_words)).values())

    def note() -> None:
        render_case_note(case, generated_at=GENERATED_AT)

    def bare() -> None:
        floor_pdf(items, header, footer, watermark, code)

    def layout_only() -> None:
        note_render.render_note(content)

    for _ in range(3):
        note(), bare(), layout_only()
    times: dict[str, list[float]] = {"note": [], "floor": [], "layout": []}
    for _ in range(runs):
        for key, fn in (("note", note), ("floor", bare), ("layout", layout_only)):
            t0 = time.perf_counter()
            fn()
            times[key].append((time.perf_counter() - t0) * 1000)
    value, floor_ms, layout_ms = median(times["note"]), median(times["floor"]), median(times["layout"])
    # The verdict is the median of each note run over the floor run right after it: work by other processes
    # shifts the two alike, where a burst can move one median and not the other.
    paired = median([n / f for n, f in zip(times["note"], times["floor"], strict=True)])
    ratio = value / floor_ms
    tables = sum(1 for i in items if i[0] == "t")
    return [
        Figure(
            name="one note, warm (sample two-level bilateral MBB with Botox)",
            value=value,
            unit="ms",
            floor=floor_ms,
            floor_name="bare SimpleDocTemplate, same text/tables/chart/page QR codes, same DejaVu TTF",
            target=f"≤ {TARGET_RATIO} × floor",
            met=paired <= TARGET_RATIO,
            note=(
                f"ratio {ratio:.2f} of medians, {paired:.2f} median of paired runs; {runs} interleaved runs; "
                f"layout+PDF alone (render_note) {layout_ms:.1f} ms, so rules+content ≈ {value - layout_ms:.1f} ms; "
                f"pages: note {_pages(note_pdf)}, floor {_pages(floor)}; words: note {sum(note_words.values())}, "
                f"floor {sum(floor_words.values())}, {differing} differ (wraps, 'of N'); floor: "
                f"{sum(1 for i in items if i[0] == 'p')} paragraphs, {tables} tables, 1 chart, each page's QR code "
                "(reportlab's QrCodeWidget, as the note's page codes carry), header/footer as plain strings, "
                "'Page N' without 'of M'"
            ),
        )
    ]


# ---- the batch: 1,000 case files through one `facetdesk note --batch` run --------------------------------------


def write_cases(folder: Path, count: int) -> list[Path]:
    """``count`` synthetic variants of the sample case (MRN, uid and names differ, so every note differs)."""
    base = read_case(SAMPLE)
    paths = []
    for i in range(count):
        patient = base.patient.model_copy(update={"mrn": f"BENCH-{i:05d}", "given_name": f"María {i}"})
        procedure = base.procedure.model_copy(update={"uid": f"5f0c1a52-3d52-4d7c-9a55-{i:012d}"})
        path = folder / f"case-{i:05d}.json"
        path.write_text(dump_case(base.model_copy(update={"patient": patient, "procedure": procedure})), "utf-8")
        paths.append(path)
    return paths


def timed_batch(folder: Path, out: Path, jobs: int | None) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (the command and every worker it waited for) and stdout of one batch run."""
    args = [sys.executable, "-m", "facetdesk", "note", "--batch", str(folder), "-o", str(out)]
    if jobs is not None:
        args += ["--jobs", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=3600)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"batch failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout.strip()


def batch(count: int = BATCH_NOTES) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="facetdesk-bench-") as tmp:
        folder, out_many, out_one = Path(tmp) / "cases", Path(tmp) / "many", Path(tmp) / "one"
        folder.mkdir()
        write_cases(folder, count)
        wall, cpu, summary = timed_batch(folder, out_many, None)
        written = len(list(out_many.glob("*.pdf")))
        one_wall, one_cpu, _ = timed_batch(folder, out_one, 1)
    cpus = os.cpu_count() or 1
    busy = cpu / wall
    return [
        Figure(
            name=f"{count:,} notes, one `note --batch` run ({cpus} workers)",
            value=wall,
            unit="s",
            floor=one_wall,
            floor_name="same files, --jobs 1 (one process)",
            target=f"{count:,} notes in one run, both cores (CPU/wall > {TARGET_CPU_RATIO})",
            met=written == count and busy > TARGET_CPU_RATIO,
            note=(
                f"{count / wall:.1f} notes/s against {count / one_wall:.1f} notes/s in one process "
                f"(speed-up {one_wall / wall:.2f}×); CPU/wall {busy:.2f}, one process {one_cpu / one_wall:.2f}"
                f"{' (other work on the machine)' if one_cpu / one_wall < 0.9 else ''}, so the workers got "
                f"{busy / (one_cpu / one_wall):.2f}× the CPU one process got; "
                f"{written} PDFs written; wall time includes interpreter start-up; `{summary}`"
            ),
        )
    ]


def run(db_path: Path | None = None, *, notes: int = BATCH_NOTES, runs: int = RUNS) -> list[Figure]:
    """Every figure of this benchmark; ``db_path`` is unused: rendering a case file needs no database."""
    return warm_render(runs) + batch(notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=BATCH_NOTES, help="case files in the batch (default 1000)")
    parser.add_argument("--runs", type=int, default=RUNS, help="timed warm renders (default 30)")
    parser.add_argument("--skip-batch", action="store_true", help="only the warm single-note figure")
    args = parser.parse_args()
    figures = warm_render(args.runs) if args.skip_batch else run(notes=args.notes, runs=args.runs)
    print("| figure | value | floor | target | verdict | note |")
    print("|---|---|---|---|---|---|")
    for figure in figures:
        print(figure.row())
    print(f"\nMachine: {machine()}; load average {os.getloadavg()[0]:.2f} at the end.")


if __name__ == "__main__":
    main()
