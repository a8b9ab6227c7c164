"""The pain response table: every time point, score and relief printed whole, however long the diary."""

from __future__ import annotations

import pytest

from facetdesk.domain.procedure import PainScore
from facetdesk.services.rendering import render_case_note
from tests.builders.cases import clinic, mbb_botox_case
from tests.pdf_pages import pages_text

# A day's diary: every quarter of an hour, then hourly, then daily (minutes after the injection, NRS).
DIARY = [(15, 1), (30, 1), (45, 1), (60, 1), (90, 1), (120, 1), (150, 1), (180, 1), (240, 1), (300, 2), (360, 2),
         (420, 3), (480, 3), (540, 3), (600, 4), (720, 5), (900, 5), (1080, 6), (1260, 6), (1440, 7)]  # fmt: skip


def _diary_case(points: int):
    case = mbb_botox_case()
    scores = [PainScore(minutes_after=m, nrs=n, activity="walking") for m, n in DIARY[:points]]
    procedure = case.procedure.model_copy(update={"pre_procedure_pain": 8, "pain_scores": scores})
    return case.model_copy(update={"procedure": procedure})


@pytest.mark.parametrize("page_size", ["letter", "a4"])
@pytest.mark.parametrize("points", [5, 11, 20])
def test_no_score_relief_or_heading_is_broken_across_lines(points, page_size):
    """A narrow column broke "87.5%" into "87", ".5", "%" and "Before" into "Be", "fo", "re": misread numbers."""
    pages = pages_text(render_case_note(_diary_case(points), clinic=clinic(page_size=page_size)).pdf)
    table = " ".join(pages).split("Pain response", 1)[1].split("Provoking activity", 1)[0]
    words = table.split()
    assert "Before" in words and "8/10" in words
    relief = {1: "87.5%", 2: "75%", 3: "62.5%", 4: "50%", 5: "37.5%", 6: "25%", 7: "12.5%"}
    for nrs in {n for _, n in DIARY[:points]}:
        expected = sum(1 for _, n in DIARY[:points] if n == nrs)
        assert words.count(relief[nrs]) == expected, (relief[nrs], table)
    for fragment in (".5", "%", ".5%", "fo", "re", "mi", "n"):
        assert fragment not in words, (fragment, table)
