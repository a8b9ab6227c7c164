"""Writes docs/rules.md from the rule catalog and resources/thresholds.json."""

from pathlib import Path

from facetdesk.domain.catalog import get_catalog
from facetdesk.rules.doc import rules_markdown

if __name__ == "__main__":
    out = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
    out.write_text(rules_markdown(get_catalog()), encoding="utf-8")
    print(f"wrote {out}")
