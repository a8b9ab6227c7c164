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


def _definitions(catalog: Catalog) -> list[str]:
    """The shared clinical definitions, from the modules that implement them (one text, one place)."""
    import facetdesk.domain.block_response as block

    doc = (block.__doc__ or "").strip().splitlines()
    threshold_rows = [
        f"| `{k}` | {_value(catalog.threshold(k).value)} | {catalog.threshold(k).unit} | "
        f"{catalog.threshold(k).confidence}: {CONFIDENCE[catalog.threshold(k).confidence]} | "
        f"{catalog.threshold(k).source} |"
        for k in (*block.KEYS, "time.days_per_month")
    ]
    return [
        "## Definitions used by every rule, the note and the exports",
        "",
        "### Block response (`facetdesk/domain/block_response.py`)",
        "",
        *doc[2:],
        "",
        "Every rule that asks whether a block was positive uses this definition: `relief.diagnostic_block`,"
        " `lcd.confirmatory_block`, `lcd.therapeutic_prerequisite`, `relief.concordance` (only two positive blocks"
        " are compared: a negative one is 'not concordant') and `relief.rfa_candidate` (verdict candidate, not yet"
        " or not a candidate; the two positive blocks must be at least `lcd.confirmatory.min_interval_days`"
        " apart). Verdicts: positive, negative, indeterminate, not evaluated; the finding's status follows the"
        " verdict (positive met; negative and indeterminate not met, caution: results to act on, not rules to override;"
        " not evaluated).",
        "",
        "### Months of relief",
        "",
        "A month of relief is `time.days_per_month` days, the pain diary's own unit (its '3 months' point is"
        " 90 days after the injection); relief that reached the minimum within the onset allowance counts from the"
        " injection, later relief from when it began. Rolling windows ('sessions per 12 months', 'steroid per 12"
        " and 36 months', 'toxin per 3 months') count calendar months back from the procedure's date, by calendar"
        " day, the same for every rule (`domain/months.py` in_rolling_window): 12 months up to 2026-03-14 run from"
        " 2025-03-15, so a session on 2025-03-14, at any hour, is outside. The 24-hour local anaesthetic window"
        " counts sessions that began less than 24 hours before this one.",
        "",
        "| threshold | value | unit | confidence | source |",
        "|---|---|---|---|---|",
        *threshold_rows,
        "",
        "### Anticoagulant holds that need a laboratory value (`risk.anticoagulant`)",
        "",
        "Warfarin before an intermediate-risk (cervical) procedure needs the hold time *and* a normal INR (ASRA"
        " 2018, S21: '5 d + normal INR'; the classes are listed under `normal_inr` in"
        " `risk.anticoagulant_hold_hours`). The reference gives no number for a normal INR, so the physician"
        " records the value, when the blood was taken and whether the laboratory reports it within its normal"
        " range. The INR counts only when it was taken after the last warfarin dose and before the procedure;"
        " none recorded, or one from before the last dose, is not met (warning); one outside the normal range is"
        " critical. Dabigatran's hold is longer with renal impairment (`renal_impairment` in the same table,"
        " [U]); with renal function not recorded, a hold long enough only for normal kidneys is not evaluated"
        " (warning) until it is recorded.",
        "",
        "### LCD exclusions (`lcd.exclusions`, `resources/lcd_exclusions.json`)",
        "",
        "Asked on every procedure's Indication tab, each answered no, yes or (where the LCD names one) its"
        " exception. Any yes is not met (warning, verdict 'excluded'); any question not answered is not"
        " evaluated (verdict 'not recorded', never all clear); all no is met (verdict 'not excluded').",
        "",
        "| exclusion | the LCD's exception | confidence | source |",
        "|---|---|---|---|",
        *(
            f"| {e.question} | {e.exception or '—'} | {e.confidence}: {CONFIDENCE[e.confidence]} |"
            f" {e.source}{f' ({e.note})' if e.note else ''} |"
            for e in catalog.exclusions
        ),
        "",
    ]


def rules_markdown(catalog: Catalog) -> str:
    lines = [
        "# Decision-support rules",
        "",
        "Generated from the rule catalog in `facetdesk/rules/` and the thresholds in `resources/thresholds.json`"
        " by `python tools/rules_doc.py`; a test fails when this file and the code disagree.",
        "Each finding has a severity (info, caution, warning, critical), a status (met, not_met, not_evaluated:"
        " data missing, never a silent pass; not_applicable: the rule does not apply to this case; advisory:"
        " information such as an off-label use, always info; both counted apart from the checks that applied)"
        " and, where the rule answers more than met or not, a verdict (below)."
        " Confidence: C confirmed in the cited source, S secondary source, U unconfirmed (the finding says so)."
        " FacetDesk warns; the physician decides, and a warning or critical finding can be acknowledged with a"
        " reason that is stored and printed.",
        "",
        *_definitions(catalog),
        "### Toxin-only visits",
        "",
        "A visit for paraspinal botulinum toxin alone (technique 'Botulinum toxin only') treats no facet joint:"
        " the rules marked 'facet procedures only' below (the LCD's and the block-response rules) read 'not"
        " applicable' for it and do not count it as a facet session; the toxin, dose and patient-risk rules"
        " apply, and every toxin rule counts its units, and toxin given elsewhere, in the patient's exposure.",
        "",
    ]
    category = None
    for r in all_rules():
        if r.category != category:
            category = r.category
            lines += [f"## {category.capitalize()}", ""]
        scope = " Facet procedures only (not applicable to a toxin-only visit)." if r.facet_only else ""
        lines += [f"### {r.title} (`{r.id}`)", "", r.checks + scope, ""]
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
