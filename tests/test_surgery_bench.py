"""The surgery contention benchmark keeps working (its figures are the evidence; timings are not asserted here)."""
from __future__ import annotations

from tools.bench.surgery_contention import run


async def test_contention_benchmark_runs_and_checks_its_outcome():
    result = (await run(["sqlite"], people=12, places=3))["sqlite"]
    assert result["correct"] and (result["confirmed"], result["waitlisted"], result["answered"]) == (3, 9, 12)
    assert result["wall_ms"] > 0 and result["p99_ms"] >= result["p50_ms"]
