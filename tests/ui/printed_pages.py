"""What a printout holds, read with tools we did not write (poppler, zbar): page sizes, page codes, and where the
ink is, compared with the note the printout was made from.

Printing rasterises each page (facetdesk/ui/common/printing.py draws QPdfDocument's 300 dpi image of it), so a
printout has no text layer to extract. Instead each printed page is compared with the note's page as an image:
the note rendered by poppler, placed on the paper where the note should land, against the printout rendered by
poppler at the same resolution. Together with the QR code every page carries (read back with zbarimg), this says
which page of which note each sheet is, that nothing on it is missing, moved or resized, and nothing added.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

TOOLS = ("pdfinfo", "pdftoppm", "zbarimg")

# Both documents are read at the printout's own resolution (printing.PRINT_DPI), then compared at a third of it:
# a pixel is a quarter of a millimetre, each the average of nine, for the note and the printout alike.
READ_DPI = 300
SCALE = 3
DPI = READ_DPI // SCALE
# Ink is a pixel darker than INK; the other page "has something there" when a pixel within one pixel of it
# is darker than NEAR. Anti-aliasing moves edges by less than that.
INK, NEAR = 64, 200
# Half-inch squares: in any of them, at most this many ink pixels may have no counterpart. Measured on five-page
# Letter and A4 printouts through cups-pdf: none on any page; one blanked word (10 mm) leaves 13, one blanked line
# 88, the page shrunk by 3 % and moved 10 pt (printing before the placement fix) over 200.
SQUARE = DPI // 2
UNMATCHED_PER_SQUARE = 6


@dataclass(frozen=True)
class PageSize:
    width: float
    height: float

    def rounded(self) -> tuple[int, int]:
        return round(self.width), round(self.height)


@dataclass(frozen=True)
class Read:
    """A PDF as the tools see it: each page's media box in points (pdfinfo) and image (pdftoppm, grey)."""

    sizes: list[PageSize]
    images: list[Path]


def read(pdf: Path, work: Path) -> Read:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "100000", str(pdf)], capture_output=True, text=True, check=True)
    found = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info.stdout, re.MULTILINE)
    stem = work / pdf.stem
    subprocess.run(["pdftoppm", "-gray", "-r", str(READ_DPI), str(pdf), str(stem)], check=True)
    images = sorted(work.glob(f"{pdf.stem}-*.pgm"), key=lambda f: int(f.stem.rsplit("-", 1)[1]))
    return Read([PageSize(float(w), float(h)) for w, h in found], images)


def page_codes(pdf: Read) -> list[str]:
    """What zbarimg reads on each page."""
    return [
        subprocess.run(["zbarimg", "--raw", "-q", str(image)], capture_output=True, text=True).stdout.strip()
        for image in pdf.images
    ]


def expected_sheet(note_image: Path, note: PageSize, paper: PageSize, sheet_size: tuple[int, int]) -> Image.Image:
    """The note's page where it should land on the paper: at its own size, centred, shrunk only as far as it must
    to fit (a Letter note on A4 paper), never enlarged. cups-pdf's paper is printable to its edges."""
    scale = min(1.0, paper.width / note.width, paper.height / note.height)
    w, h = round(note.width * scale / 72 * DPI), round(note.height * scale / 72 * DPI)
    sheet_w, sheet_h = sheet_size
    sheet = Image.new("L", sheet_size, 255)
    with Image.open(note_image) as full:
        page = full.convert("L").resize((w, h), Image.Resampling.BOX)
    sheet.paste(page, (round((sheet_w - w) / 2), round((sheet_h - h) / 2)))
    return sheet


def worst_unmatched(a: Image.Image, b: Image.Image) -> int:
    """The most ink pixels of ``a``, in any half-inch square, with no ink within one pixel on ``b``."""
    ink = np.asarray(a) < INK
    near = np.asarray(b.filter(ImageFilter.MinFilter(3))) < NEAR
    unmatched = ink & ~near
    h, w = unmatched.shape
    return max(
        int(unmatched[y : y + SQUARE, x : x + SQUARE].sum()) for y in range(0, h, SQUARE) for x in range(0, w, SQUARE)
    )


def differences(note: Read, printout: Read) -> list[str]:
    """Where the printout is not the note, page by page: empty when every sheet carries its page of the note."""
    if len(note.images) != len(printout.images):
        return [f"{len(printout.images)} pages printed, the note has {len(note.images)}"]
    problems = []
    pages = zip(note.images, note.sizes, printout.images, printout.sizes, strict=True)
    for n, (note_image, note_size, sheet_image, paper) in enumerate(pages, start=1):
        with Image.open(sheet_image) as full:
            sheet = full.convert("L").reduce(SCALE)
        expected = expected_sheet(note_image, note_size, paper, sheet.size)
        missing, added = worst_unmatched(expected, sheet), worst_unmatched(sheet, expected)
        if max(missing, added) > UNMATCHED_PER_SQUARE:
            problems.append(f"page {n}: up to {missing} pixels of the note missing, {added} added, per half inch")
    return problems
