"""The turn benchmark keeps working (it is the operator's latency evidence); timings are not asserted here."""
from __future__ import annotations

from bot.bench_turns import run


async def test_turn_benchmark_runs_every_kind_of_turn():
    result = await run(rounds=2)
    for name in ("help", "faq question", "referral submit"):
        assert result[name]["n"] == 2
    assert result["peak_rss_mb"] > 0
