"""Renders the rule catalog (ids, what each checks, thresholds, sources, confidence) as Markdown."""

from __future__ import annotations

import json

from facetdesk.domain.catalog import Catalog
from facetdesk.rules.registry import all_rules

CONFIDENCE = {"C": "confirmed in the cited source", "S": "secondary source", "U": "UNCONFIRMED: review"}


def _value(value) -> str:
    if isinstance(value, (dict, list)):
        return "`" + json.dumps(value, ensure_ascii=False, separators=(", ", ": ")) + "`"
    return f"`{value}`"


def rules_markdown(catalog: Catalog) -> str:
    lines = [
        "# Decision-support rules",
        "",
        "Generated from the rule catalog in `facetdesk/rules/` and the thresholds in `resources/thresholds.json`"
        " by `python tools/rules_doc.py`; a test fails when this file and the code disagree.",
        "Each finding has a severity (info, caution, warning, critical) and a status (met, not_met, not_evaluated:"
        " data missing, never a silent pass). Confidence: C confirmed in the cited source, S secondary source,"
        " U unconfirmed (the finding says so). FacetDesk warns; the physician decides, and a warning or critical"
        " finding can be acknowledged with a reason that is stored and printed.",
        "",
    ]
    category = None
    for r in all_rules():
        if r.category != category:
            category = r.category
            lines += [f"## {category.capitalize()}", ""]
        lines += [f"### `{r.id}`", "", r.checks, ""]
        if r.thresholds:
            lines += ["| threshold | value | unit | confidence | source |", "|---|---|---|---|---|"]
            for key in r.thresholds:
                t = catalog.threshold(key)
                note = f" ({t.note})" if t.note else ""
                lines.append(
                    f"| `{key}` | {_value(t.value)} | {t.unit} | {t.confidence}: {CONFIDENCE[t.confidence]} |"
                    f" {t.source}{note} |"
                )
            lines.append("")
        else:
            lines += ["No numeric threshold.", ""]
    return "\n".join(lines)
