"""Benchmark: re-evaluate every decision-support rule for a patient with 200 prior procedures.

Run: python benchmarks/bench_rules.py   (writes docs/benchmarks-rules.md)
"""

from __future__ import annotations

import platform
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from sample_case import sample_case  # noqa: E402

from facetdesk.domain.catalog import get_catalog  # noqa: E402
from facetdesk.rules import evaluate  # noqa: E402

PRIORS = 200
RUNS = 300


def main() -> None:
    case = sample_case()
    base = case.prior_procedures[0]
    # 200 synthetic prior procedures, one every 9 days back from the sample's prior.
    priors = [
        base.model_copy(update={"uid": f"bench-{i}", "performed_at": base.performed_at - timedelta(days=9 * i)})
        for i in range(PRIORS)
    ]
    catalog = get_catalog()
    evaluate(case.patient, case.procedure, priors, catalog)  # warm up: imports and caches
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        findings = evaluate(case.patient, case.procedure, priors, catalog)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    median = statistics.median(times)
    p95 = times[int(0.95 * len(times)) - 1]
    text = f"""# Benchmark: decision-support rules

Re-evaluating every rule ({len({f.rule for f in findings})} rules, {len(findings)} findings) for one procedure of a
patient with {PRIORS} prior procedures, {RUNS} runs in a warm process.

| figure | ms |
|---|---|
| median | {median:.2f} |
| 95th percentile | {p95:.2f} |
| target (issue 7) | 5 at the 95th percentile |

Machine: {platform.platform()}, Python {platform.python_version()}, {platform.processor() or platform.machine()}.
Reproduce: `python benchmarks/bench_rules.py` (writes this file).
"""
    out = ROOT / "docs" / "benchmarks-rules.md"
    out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
