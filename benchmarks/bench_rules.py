"""Benchmark: re-evaluate every decision-support rule for a patient with 200 prior procedures.

Run alone: python benchmarks/bench_rules.py   (or all benchmarks: python benchmarks/run_all.py)
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tools"), str(ROOT / "benchmarks")]

from common import Figure, median, p95, timings_ms  # noqa: E402
from sample_case import sample_case  # noqa: E402

from facetdesk.domain.catalog import get_catalog  # noqa: E402
from facetdesk.rules import evaluate  # noqa: E402

PRIORS = 200
RUNS = 300
TARGET_P95_MS = 5.0


def run(db_path: Path | None = None) -> list[Figure]:
    case = sample_case()
    base = case.prior_procedures[0]
    # 200 synthetic prior procedures, one every 9 days back from the sample's prior.
    priors = [
        base.model_copy(update={"uid": f"bench-{i}", "performed_at": base.performed_at - timedelta(days=9 * i)})
        for i in range(PRIORS)
    ]
    catalog = get_catalog()
    findings = evaluate(case.patient, case.procedure, priors, catalog)
    times = timings_ms(lambda: evaluate(case.patient, case.procedure, priors, catalog), RUNS)
    # Floor: the rules with no history at all, the least any re-evaluation after an edit costs.
    bare = timings_ms(lambda: evaluate(case.patient, case.procedure, [], catalog), RUNS)
    rules = len({f.rule for f in findings})
    return [
        Figure(
            f"all {rules} rules after an edit, {PRIORS} prior procedures (p95; median {median(times):.2f} ms)",
            p95(times),
            "ms",
            floor=p95(bare),
            floor_name="same rules, no prior procedures",
            target=f"≤ {TARGET_P95_MS:g} ms at p95",
            met=p95(times) <= TARGET_P95_MS,
        )
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure.row())
