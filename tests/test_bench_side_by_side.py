"""The side-by-side benchmark keeps working end to end: every server starts, every workload's conversations do
what they should (a referral gets its confirmation, a booking its booked or waiting card), and it writes its JSON.
Timings are not asserted here; targets are `make bench`'s job."""
from __future__ import annotations

import json

from tools.bench.side_by_side.run import main


def test_side_by_side_bench_runs_every_server_and_workload(tmp_path):
    out = tmp_path / "bench.json"
    main(["--only", "raw,echo,ours-sqlite", "--seconds", "0.3", "--warmup", "0.1", "--paced-seconds", "0.5", "--rate", "20",
          "--rounds", "2", "--slice-seconds", "0.3", "--out", str(out)])
    result = json.loads(out.read_text())
    servers = result["servers"]
    assert set(servers) == {"raw", "echo", "ours-sqlite"}
    for name, loads in servers.items():
        for load in ("faq_flat_1", "faq_flat_20", "faq_flat_100", "faq_paced"):
            assert loads[load]["turns"] > 0 and loads[load]["errors"] == 0, (name, load, loads[load])
    ours = servers["ours-sqlite"]
    for load in ("referral_flat_20", "referral_paced", "booking_flat_20", "booking_paced"):
        assert ours[load]["turns"] > 0 and ours[load]["errors"] == 0 and ours[load]["wrong"] == 0, (load, ours[load])
    assert ours["peak_rss_mb"] > 0
    assert "x_echo_20" in result["comparison"]["ours-sqlite"]
    # The target's multiple comes from slices taking turns between the echo bot and ours, all up at once.
    assert set(result["interleaved_faq_20"]) == {"echo", "ours-sqlite"}
    assert all(rate > 0 for rate in result["interleaved_faq_20"].values())
    assert "x_echo_20_sequential" in result["comparison"]["ours-sqlite"]
