"""Surgery contention benchmark: N people press Book on one group surgery with P places at the same moment.

The real app on a loopback port, a minimal Bot Connector on another, a fresh database (SQLite in a temp dir, and
PostgreSQL when reachable: a temporary database created and dropped). Every person's first message is the
booking submit itself (so each turn also stores the person's conversation reference and greets them, as Teams'
first contact does). Reports the wall time for all N, each submit's turn latency (p50, p99, max), and checks the
outcome: exactly P confirmed, N - P on the waiting list, the places counter at P, everyone answered.

    python -m tools.bench.surgery_contention [--people 200] [--places 10] [--databases sqlite,postgresql] [--json]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import AsyncExitStack
from pathlib import Path

import aiohttp
from aiohttp import web

from tools.bench.common import percentile, pg_database, publish_group_surgery



async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # pylint: disable=protected-access


def _connector() -> tuple[web.Application, list[dict]]:
    received: list[dict] = []

    async def send(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.json_response({"id": f"m{len(received)}"})

    app = web.Application()
    for route in ("/v3/conversations/{cid}/activities", "/v3/conversations/{cid}/activities/{aid}"):
        app.router.add_post(route, send)
    app.router.add_put("/v3/conversations/{cid}/activities/{aid}", send)
    return app, received


def _submit(service_url: str, aad_id: str, value: dict) -> dict:
    return {"type": "message", "id": uuid.uuid4().hex, "channelId": "msteams", "serviceUrl": service_url,
            "from": {"id": f"29:{aad_id}", "name": "Bench Person", "aadObjectId": aad_id},
            "recipient": {"id": "28:bot"}, "conversation": {"id": f"a:bench-{aad_id}", "conversationType": "personal"},
            "channelData": {"tenant": {"id": "bench-tenant"}}, "value": value}


async def run_once(database_url: str, *, people: int, places: int) -> dict:
    from sqlalchemy import func, select  # pylint: disable=import-outside-toplevel

    from bot.app import build_runtime, create_app  # pylint: disable=import-outside-toplevel
    from bot.settings import Settings  # pylint: disable=import-outside-toplevel
    from storage.migrate import upgrade  # pylint: disable=import-outside-toplevel
    from storage.models import SurgeryBooking, SurgerySlot  # pylint: disable=import-outside-toplevel

    settings = Settings(_env_file=None, MicrosoftAppId="", DATABASE_URL=database_url, VSB_LOG_LEVEL="WARNING",
                        VSB_ENVIRONMENT="development")
    runtime = build_runtime(settings, load_faq=False)
    services = runtime.services
    await upgrade(runtime.engine)
    surgery, slot_id = await publish_group_surgery(services, title="Contention bench", places=places)
    value = {"action": "surgery.book", "slot_id": str(slot_id), "topic": "", "full": "",
             "shown": f"{surgery.id}:{surgery.version}"}
    connector_app, received = _connector()
    connector_runner, connector_url = await _serve(connector_app)
    bot_runner, bot_url = await _serve(create_app(settings, runtime))
    latencies: list[float] = []
    errors_seen = 0
    try:
        connector = aiohttp.TCPConnector(limit=people)
        async with aiohttp.ClientSession(connector=connector) as http:
            async def press(n: int) -> None:
                nonlocal errors_seen
                activity = _submit(connector_url, f"bench-{n:05d}-{uuid.uuid4().hex[:8]}", value)
                started = time.perf_counter()
                async with http.post(f"{bot_url}/api/messages", json=activity) as resp:
                    await resp.read()
                    if resp.status not in (200, 201):
                        errors_seen += 1
                latencies.append((time.perf_counter() - started) * 1000)

            wall_started = time.perf_counter()
            await asyncio.gather(*(press(n) for n in range(people)))
            wall_ms = (time.perf_counter() - wall_started) * 1000
        async with services.sessions() as session:
            counts = dict((await session.execute(select(SurgeryBooking.status, func.count()).where(
                SurgeryBooking.surgery_id == surgery.id).group_by(SurgeryBooking.status))).all())
            booked = await session.scalar(select(SurgerySlot.booked).where(SurgerySlot.id == slot_id))
        replies = [a for a in received for att in a.get("attachments") or []
                   if (att.get("content") or {}).get("id") in ("surgery-booked", "surgery-waitlisted")]
    finally:
        await bot_runner.cleanup()
        await connector_runner.cleanup()
        await runtime.close()
    confirmed, waitlisted = counts.get("confirmed", 0), counts.get("waitlisted", 0)
    return {"people": people, "places": places, "wall_ms": round(wall_ms, 1),
            "bookings_per_s": round(people / (wall_ms / 1000), 1),
            "p50_ms": round(statistics.median(latencies), 1), "p99_ms": round(percentile(latencies, 0.99), 1),
            "max_ms": round(max(latencies), 1), "confirmed": confirmed, "waitlisted": waitlisted,
            "places_counter": booked, "answered": len(replies), "http_errors": errors_seen,
            "correct": (confirmed == places and waitlisted == people - places and booked == places
                        and len(replies) == people and errors_seen == 0)}


async def run(databases: list[str], *, people: int, places: int) -> dict:
    results: dict[str, dict] = {}
    for kind in databases:
        if kind == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                results[kind] = await run_once(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", people=people,
                                               places=places)
        elif kind == "postgresql":
            async with AsyncExitStack() as stack:
                try:
                    url = await stack.enter_async_context(pg_database())
                except Exception as exc:  # noqa: BLE001 - unreachable PostgreSQL is reported, not fatal
                    results[kind] = {"skipped": f"PostgreSQL not reachable ({type(exc).__name__})"}
                    continue
                results[kind] = await run_once(url, people=people, places=places)
        else:
            raise ValueError(f"unknown database {kind!r} (sqlite, postgresql)")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="surgery_contention", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--places", type=int, default=10)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv if argv is not None else [])
    logging.getLogger("vsbot").setLevel(logging.ERROR)  # per-turn log lines are noise in a benchmark
    results = asyncio.run(run([d.strip() for d in args.databases.split(",") if d.strip()], people=args.people,
                              places=args.places))
    if args.json:
        print(json.dumps({"surgery_contention": results}))
    else:
        print(f"\nSurgery contention: {args.people} people press Book at once on a group surgery with {args.places} "
              "places (HTTP, fake connector)")
        for kind, r in results.items():
            if "skipped" in r:
                print(f"  {kind:<11} skipped: {r['skipped']}")
                continue
            print(f"  {kind:<11} all {r['people']} answered in {r['wall_ms'] / 1000:.2f} s ({r['bookings_per_s']}/s)   "
                  f"per submit p50 {r['p50_ms']:.0f} ms  p99 {r['p99_ms']:.0f} ms  max {r['max_ms']:.0f} ms   "
                  f"{r['confirmed']} confirmed, {r['waitlisted']} waiting, counter {r['places_counter']}   "
                  f"{'correct' if r['correct'] else 'WRONG'}")
    return 0 if all(r.get("correct", True) for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
