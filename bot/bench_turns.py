"""Turn latency benchmark: the real app on a port, a minimal Bot Connector on another, SQLite in a temp dir.

Measures what a Teams user waits for (Teams gives a bot about 15 s): `help`, a FAQ question, and a full
referral submit (validation, routing, the record, the officer's proactive card and the confirmation).
Target: p99 under 1 s for each on this machine. Also reports peak memory of the process."""
from __future__ import annotations

import asyncio
import json
import logging
import resource
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

TARGET_P99_MS = 1000.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # pylint: disable=protected-access
    return runner, f"http://127.0.0.1:{port}"


def _connector() -> tuple[web.Application, list]:
    received: list = []

    async def send(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.json_response({"id": f"m{len(received)}"})

    app = web.Application()
    app.router.add_post("/v3/conversations/{cid}/activities", send)
    app.router.add_post("/v3/conversations/{cid}/activities/{aid}", send)
    app.router.add_put("/v3/conversations/{cid}/activities/{aid}", send)
    return app, received


def _activity(service_url: str, aad_id: str, text: str | None = None, value: dict | None = None) -> dict:
    activity = {"type": "message", "id": uuid.uuid4().hex, "channelId": "msteams", "serviceUrl": service_url,
                "from": {"id": f"29:{aad_id}", "name": "Bench User", "aadObjectId": aad_id},
                "recipient": {"id": "28:bot"},
                "conversation": {"id": f"a:bench-{aad_id}", "conversationType": "personal"},
                "channelData": {"tenant": {"id": "bench-tenant"}}}
    if text is not None:
        activity["text"] = text
    if value is not None:
        activity["value"] = value
    return activity


async def run(rounds: int = 60) -> dict:
    from bot.app import build_runtime, create_app  # pylint: disable=import-outside-toplevel
    from bot.settings import Settings  # pylint: disable=import-outside-toplevel
    from storage.demo import EAST, MINA, NORTH, SOUTH, WEST, seed  # pylint: disable=import-outside-toplevel
    from storage.migrate import upgrade  # pylint: disable=import-outside-toplevel

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(_env_file=None, MicrosoftAppId="", VSB_ENVIRONMENT="development", DATABASE_URL=f"sqlite+aiosqlite:///{Path(tmp) / 'b.db'}",
                            VSB_LOG_LEVEL="WARNING")
        runtime = build_runtime(settings)
        services = runtime.services
        await upgrade(runtime.engine)
        async with services.sessions() as session:
            await seed(session=session, today=services.today(), timezone=settings.timezone)
            await session.commit()
        connector_app, received = _connector()
        connector_runner, connector_url = await _serve(connector_app)
        bot_runner, bot_url = await _serve(create_app(settings, runtime))
        timings: dict[str, list[float]] = {"help": [], "faq question": [], "referral submit": []}
        try:
            async with aiohttp.ClientSession() as http:
                async def post(activity: dict) -> float:
                    started = time.perf_counter()
                    async with http.post(f"{bot_url}/api/messages", json=activity) as resp:
                        await resp.read()
                        assert resp.status in (200, 201), resp.status
                    return (time.perf_counter() - started) * 1000

                for officer in (WEST, NORTH, SOUTH, EAST, MINA):  # officers have a chat with the bot
                    await post(_activity(connector_url, officer, "help"))
                # A different child each round (a later date of birth): the same child twice is a duplicate.
                for n in range(rounds):
                    user = str(uuid.uuid4())
                    timings["help"].append(await post(_activity(connector_url, user, "help")))
                    timings["faq question"].append(await post(_activity(connector_url, user, "do you chair PEP meetings?")))
                    await post(_activity(connector_url, user, "refer"))
                    form = next(a for a in reversed(received) if any(
                        (att.get("content") or {}).get("id") == "referral-form" for att in a.get("attachments") or []))
                    token = form["attachments"][0]["content"]["actions"][0]["data"]["token"]
                    timings["referral submit"].append(await post(_activity(connector_url, user, value={
                        "action": "referral.submit", "token": token, "child_first_name": "Bench",
                        "child_last_name": "Child", "child_dob": (date(2015, 1, 1) + timedelta(days=n)).isoformat(), "home_postcode": f"HA{n % 10} 1AA",
                        "school_name": "Bench School", "legal_status": "cin", "reasons": "attendance",
                        "details": "Benchmark referral.", "consent": "true", "referrer_role": "social_worker",
                        "is_allocated_sw": "true"})))
        finally:
            await bot_runner.cleanup()
            await connector_runner.cleanup()
    result = {name: {"p50_ms": round(statistics.median(v), 1), "p99_ms": round(_percentile(v, 0.99), 1),
                     "max_ms": round(max(v), 1), "n": len(v)} for name, v in timings.items()}
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["meets_targets"] = all(v["p99_ms"] < TARGET_P99_MS for k, v in result.items() if isinstance(v, dict))
    return result


def main(argv: list[str] | None = None) -> int:
    as_json = "--json" in (argv or [])
    logging.getLogger("vsbot").setLevel(logging.ERROR)  # the bench measures; the per-turn log lines are noise here
    result = asyncio.run(run())
    if as_json:
        print(json.dumps(result))
    else:
        print("\nTurn latency over HTTP (SQLite, demo data, fake connector on loopback)")
        for name, v in result.items():
            if isinstance(v, dict):
                print(f"  {name:<16} p50 {v['p50_ms']:>7.1f} ms   p99 {v['p99_ms']:>7.1f} ms   max {v['max_ms']:>7.1f} ms"
                      f"   ({v['n']} turns; target p99 < {TARGET_P99_MS:.0f} ms)")
        print(f"  peak memory      {result['peak_rss_mb']} MB (whole process)")
        print(f"  result           {'targets met' if result['meets_targets'] else 'TARGET MISSED'}")
    return 0 if result["meets_targets"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
