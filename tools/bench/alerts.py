"""Alerts benchmarks, on PostgreSQL (the production database), each against its target:

  data        50,000 children, one daily register row each per weekday for 80 weekdays (4,000,000 rows):
              3% severely absent, 10% persistently, 5% dropped over the last four weeks, the rest attending well;
              one PEP review each, due dates spread over a term (-30..+89 days), nine in ten past ones done

  evaluation  the attendance and PEP rules for 50,000 children and 4,000,000 attendance rows: under 5 s
              (the first run, when many children cross a line and alerts are written, and a steady-state rerun)
  import      `vsbot import attendance` of 1,000,000 rows in a subprocess: under 60 s, with its peak memory
              (and the same file again: nothing changes)
  fan-out     2,000 alert cards to 2,000 different people through the outbox sender, against a fake Bot
              Connector that enforces Teams' limits (429 + Retry-After past 50 requests/s per app or a
              conversation's own limits): at least 90% of 50/s, none lost, none doubled

Each runs in a database of its own, created from VSB_BENCH_PG_URL's server and dropped afterwards.
Run: `python -m tools.bench.alerts [--only evaluation|import|fanout] [--json]`; exit status 1 if a target is missed."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.bench.common import pg_database  # noqa: E402 - after the path above (run as a script too)

PG_URL = os.environ.get("VSB_BENCH_PG_URL", os.environ.get("VSB_TEST_PG_URL",
                                                           "postgresql+asyncpg://postgres@127.0.0.1:5432/test"))
TODAY = date(2026, 11, 23)  # a Monday in the autumn term
NOW = datetime(2026, 11, 23, 7, 30, tzinfo=ZoneInfo("Europe/London"))
TARGETS = {"evaluation_s": 5.0, "import_s": 60.0, "fanout_share": 0.90}
TEAMS_APP_RATE = 50  # requests a second per app per tenant


# --- databases -------------------------------------------------------------------------------------------------
@asynccontextmanager
async def bench_database():
    from storage.db import create_engine
    from storage.migrate import upgrade

    async with pg_database(PG_URL) as url:
        engine = create_engine(url)
        try:
            await upgrade(engine)
            yield url, engine
        finally:
            await engine.dispose()


async def _seed_directory(engine) -> None:
    from storage.db import session_factory
    from storage.demo import seed

    async with session_factory(engine)() as session:
        await seed(session=session, today=TODAY, timezone="Europe/London")
        await session.commit()


async def _children(engine, count: int) -> None:
    """`count` children, one social worker for every 15, spread over the demo localities' postcodes."""
    from sqlalchemy import text

    async with engine.begin() as conn:
        for table in ("attendance_record", "pep_review", "child"):
            await conn.execute(text(f"DELETE FROM {table}"))
        await conn.execute(text("""
            INSERT INTO child (local_id, first_name, last_name, date_of_birth, legal_status, social_worker_aad_id,
                               designated_teacher_aad_id, home_postcode)
            SELECT 'B' || lpad(n::text, 6, '0'), 'Kid' || n, 'Bench', DATE '2010-01-01' + (n % 4000), 'cic',
                   'sw-' || (n / 15), 'dt-' || (n / 30),
                   (ARRAY['HA1','HA4','HA8','N8','N12','SW1A'])[1 + n % 6] || ' ' || (n % 10) || 'AB'
            FROM generate_series(1, :count) AS n"""), {"count": count})


async def _attendance(engine, days: int) -> int:
    """A daily register row per child per weekday over `days` weekdays before TODAY: most children attend well,
    some are persistently or severely absent, some have dropped over the last four weeks."""
    from sqlalchemy import text

    weekdays = []
    day = TODAY - timedelta(days=1)
    while len(weekdays) < days:
        if day.weekday() < 5:
            weekdays.append(day)
        day -= timedelta(days=1)
    recent = TODAY - timedelta(days=28)
    async with engine.begin() as conn:
        await conn.execute(text("SET LOCAL synchronous_commit = off"))
        await conn.execute(text("""
            INSERT INTO attendance_record (child_id, period_start, period_end, possible_sessions, attended_sessions)
            SELECT c.id, d, d, 2, CASE WHEN random() < (CASE
                    WHEN c.id % 100 < 3 THEN 0.6
                    WHEN c.id % 100 < 13 THEN 0.15
                    WHEN c.id % 100 < 18 AND d >= :recent THEN 0.3
                    ELSE 0.02 END) THEN (CASE WHEN random() < 0.5 THEN 0 ELSE 1 END) ELSE 2 END
            FROM child c CROSS JOIN unnest(CAST(:days AS date[])) AS d"""), {"days": weekdays, "recent": recent})
        total = (await conn.execute(text("SELECT COUNT(*) FROM attendance_record"))).scalar_one()
        await conn.execute(text("""
            INSERT INTO pep_review (child_id, due_date, completed_date)
            SELECT id, CAST(:today AS date) + ((id % 120) - 30),
                   -- nine in ten reviews already due were held on time (a few days early)
                   CASE WHEN (id % 120) < 30 AND id % 10 <> 0 THEN CAST(:today AS date) + ((id % 120) - 33) END
            FROM child"""), {"today": TODAY})
    async with engine.connect() as conn:
        await conn.execute(text("COMMIT"))
        await conn.execute(text("VACUUM ANALYZE attendance_record"))
        await conn.execute(text("VACUUM ANALYZE child"))
        await conn.execute(text("VACUUM ANALYZE pep_review"))
    return total


# --- evaluation ------------------------------------------------------------------------------------------------
async def bench_evaluation(children: int, days: int) -> dict:
    from bot.app import build_runtime
    from bot.settings import Settings
    from dialogs.alerts import service
    from storage import alerts as repo
    from storage.db import session_factory

    async with bench_database() as (url, engine):
        await _seed_directory(engine)
        started = time.perf_counter()
        await _children(engine, children)
        rows = await _attendance(engine, days)
        setup = time.perf_counter() - started
        runtime = build_runtime(Settings(_env_file=None, MicrosoftAppId="", DATABASE_URL=url,
                                         VSB_TERM_DATES="2026-09-02..2026-12-18"), load_faq=False)
        try:
            services = runtime.services
            windows, thresholds = service.windows_for(services, TODAY), service.thresholds_of(services)
            friday = NOW - timedelta(days=3)
            timed = {}

            async def clock(name, work):
                started = time.perf_counter()
                result = await work
                timed[name] = round(time.perf_counter() - started, 2)
                return result

            async def evaluate():
                async with session_factory(engine)() as session:
                    await repo.prepare_for_aggregates(session=session)
                    return await repo.attendance_changes(session=session, windows=windows, thresholds=thresholds)

            async def peps():
                async with session_factory(engine)() as session:
                    await repo.prepare_for_aggregates(session=session)
                    return await repo.peps_due(session=session, today=TODAY, nudge_by=TODAY + timedelta(days=14),
                                               remind_by=TODAY + timedelta(days=3))

            changes = await clock("attendance_rules_s", evaluate())
            due = await clock("pep_rules_s", peps())
            # The first run meets the backlog (every child already under a line, every overdue review) ...
            backlog_att = await clock("attendance_first_run_s", service.attendance_alerts(services, now=friday))
            backlog_pep = await clock("pep_first_run_s", service.pep_nudges(services, now=friday))
            # ... a school day's run only what changed since the last one: the daily cost.
            daily_att = await clock("attendance_daily_run_s", service.attendance_alerts(services, now=NOW))
            daily_pep = await clock("pep_daily_run_s", service.pep_nudges(services, now=NOW))
            await clock("attendance_rerun_s", service.attendance_alerts(services, now=NOW))
            digests = await clock("digest_s", service.build_digests(services, now=NOW))
        finally:
            await runtime.close()
    levels = Counter(str(c.level) for c in changes)
    daily = [timed[k] for k in ("attendance_rules_s", "pep_rules_s", "attendance_daily_run_s", "pep_daily_run_s")]
    return {"children": children, "attendance_rows": rows, "setup_s": round(setup, 1), **timed,
            "children_crossing_now": len(changes), "levels": dict(levels), "pep_reviews_due": len(due),
            "first_run_alerts": sum(backlog_att.queued.values()) + sum(backlog_pep.queued.values()),
            "daily_alerts": sum(daily_att.queued.values()) + sum(daily_pep.queued.values()),
            "digests": len(digests), "ok": max(daily) < TARGETS["evaluation_s"]}


# --- import ------------------------------------------------------------------------------------------------------
def _write_attendance_csv(path: Path, children: int, rows: int) -> None:
    per_child = rows // children
    start = TODAY - timedelta(days=per_child + 1)
    days = [(start + timedelta(days=n)).isoformat() for n in range(per_child)]
    with path.open("w", encoding="utf-8") as out:
        out.write("local_id,period_start,period_end,possible_sessions,attended_sessions\n")
        for n in range(1, children + 1):
            local_id = f"B{n:06d}"
            out.write("".join(f"{local_id},{d},{d},2,{2 if (n + i) % 17 else 1}\n" for i, d in enumerate(days)))


def _run_import(url: str, path: Path) -> tuple[float, float, str]:
    """Wall time, peak resident memory (MiB) of the `vsbot import` process, and what it printed."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a child of a big bench process would report
    # the parent's peak; VmHWM belongs to the process image that ran the import.
    script = ("import sys\nfrom bot.cli import main\ncode = main(sys.argv[1:])\n"
              "hwm = next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:'))\n"
              "print('peak_kib', hwm, file=sys.stderr)\nsys.exit(code)")
    env = {**os.environ, "MicrosoftAppId": "", "DATABASE_URL": url}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script, "import", "attendance", str(path)], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=900, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"vsbot import failed: {done.stderr[-2000:]}")
    peak = next(int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("peak_kib"))
    return elapsed, peak / 1024, done.stdout.strip()


async def bench_import(children: int, rows: int) -> dict:
    async with bench_database() as (url, engine):
        await _seed_directory(engine)
        await _children(engine, children)
        with tempfile.TemporaryDirectory(prefix="vsb-bench-") as tmp:
            path = Path(tmp) / "attendance.csv"
            _write_attendance_csv(path, children, rows)
            size = path.stat().st_size
            first, first_peak, first_out = await asyncio.to_thread(_run_import, url, path)
            again, again_peak, again_out = await asyncio.to_thread(_run_import, url, path)
    return {"rows": rows, "file_mib": round(size / 2 ** 20, 1), "import_s": round(first, 1),
            "rows_per_s": round(rows / first), "peak_mib": round(first_peak), "reimport_s": round(again, 1),
            "reimport_peak_mib": round(again_peak), "first": first_out, "again": again_out,
            "ok": first < TARGETS["import_s"] and f"{rows} attendance rows: {rows} new" in first_out
            and "0 new, 0 updated" in again_out}


# --- fan-out -------------------------------------------------------------------------------------------------------
class RateLimitedConnector:
    """The Bot Connector as Teams throttles it: past 50 requests in any second for the app, or a conversation's own
    limits (7/1 s, 8/2 s, 60/30 s), it answers 429 with Retry-After. Records every card it accepted."""

    def __init__(self):
        self.app_calls: deque[float] = deque()
        self.chats: dict[str, deque[float]] = {}
        self.accepted: Counter = Counter()
        self.throttled = 0
        self.first = self.last = None
        self.url = ""

    def app(self):
        from aiohttp import web

        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities", self.send)
        app.router.add_get("/stats", self.stats)
        return app

    async def stats(self, _request):
        from aiohttp import web

        span = (self.last - self.first) if self.first else None
        return web.json_response({"accepted": self.accepted, "throttled": self.throttled, "span": span})

    async def send(self, request):
        from aiohttp import web

        now = time.monotonic()
        cid = request.match_info["cid"]
        while self.app_calls and now - self.app_calls[0] >= 1.0:
            self.app_calls.popleft()
        chat = self.chats.setdefault(cid, deque())
        while chat and now - chat[0] >= 30.0:
            chat.popleft()
        over = (len(self.app_calls) >= TEAMS_APP_RATE or sum(1 for t in chat if now - t < 1) >= 7
                or sum(1 for t in chat if now - t < 2) >= 8 or len(chat) >= 60)
        if over:
            self.throttled += 1
            return web.json_response({"error": {"code": "Throttled"}}, status=429, headers={"Retry-After": "1"})
        self.app_calls.append(now)
        chat.append(now)
        body = await request.json()
        key = body["attachments"][0]["content"]["actions"][0]["data"]["alert_id"]
        self.accepted[key] += 1
        self.first = self.first or now
        self.last = now
        return web.json_response({"id": f"m-{sum(self.accepted.values())}"})


async def bench_fanout(cards: int) -> dict:
    from sqlalchemy import func, select, text

    from bot.app import build_runtime
    from bot.settings import Settings
    from cards.alerts import alert_card
    from storage import outbox
    from storage.db import session_factory
    from storage.models import Delivery
    from storage.vocabulary import AlertKind

    # The fake Teams runs in a process of its own, as Teams is elsewhere: it sees requests when they arrive.
    port = _free_port()
    connector_url = f"http://127.0.0.1:{port}"
    fake = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--fake-connector", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    await _until_up(connector_url)
    async with bench_database() as (url, engine):
        people = [f"person-{n:05d}" for n in range(cards)]
        async with engine.begin() as conn:
            await conn.execute(text("""
                INSERT INTO conversation_ref (scope, key, tenant_id, reference, updated_at)
                SELECT 'user', p, 't', json_build_object('serviceUrl', CAST(:url AS text), 'channelId', 'msteams',
                    'conversation', json_build_object('id', 'a:' || p))::text, now()
                FROM unnest(CAST(:people AS text[])) AS p"""), {"people": people, "url": connector_url})
        runtime = build_runtime(Settings(_env_file=None, MicrosoftAppId="", DATABASE_URL=url), load_faq=False)
        try:
            async with session_factory(engine)() as session:
                await outbox.enqueue_many(session=session, messages=[
                    {"key": f"bench:{p}", "recipient_aad_id": p, "summary": "Persistent absence",
                     "card": alert_card(alert_id=n, kind=AlertKind.PERSISTENT_ABSENCE, child_initials="A.B.",
                                        local_id=f"B{n:06d}", figures={"four_weeks": 80.0, "previous": 95.0,
                                                                       "term": 88.0, "persistent": 90.0,
                                                                       "severe": 50.0, "drop": 10.0})}
                    for n, p in enumerate(people)])
                await session.commit()
            started = time.perf_counter()
            runtime.sender.start()
            runtime.sender.wake()
            deadline = time.monotonic() + cards / TEAMS_APP_RATE * 3 + 60
            while time.monotonic() < deadline:
                async with session_factory(engine)() as session:
                    sent = await session.scalar(select(func.count()).select_from(Delivery).where(Delivery.status == "sent"))
                if sent >= cards:
                    break
                await asyncio.sleep(0.25)
            elapsed = time.perf_counter() - started
            async with session_factory(engine)() as session:
                statuses = dict(Counter((await session.execute(select(Delivery.status))).scalars()))
        finally:
            await runtime.close()
    import aiohttp

    async with aiohttp.ClientSession() as http, http.get(f"{connector_url}/stats") as resp:
        stats = await resp.json()
    fake.terminate()
    fake.wait(timeout=10)
    accepted = stats["accepted"]
    span = stats["span"] or float("inf")
    rate = (sum(accepted.values()) - 1) / span if span else 0.0
    lost = cards - len(accepted)
    doubled = sum(1 for n in accepted.values() if n > 1)
    share = rate / TEAMS_APP_RATE
    throttled = stats["throttled"]
    return {"cards": cards, "seconds": round(elapsed, 1), "rate_per_s": round(rate, 1),
            "share_of_teams_limit": round(share, 3), "throttled_429": throttled, "lost": lost,
            "doubled": doubled, "statuses": statuses, "ok": share >= TARGETS["fanout_share"] and not lost and not doubled}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _until_up(url: str) -> None:
    import aiohttp

    for _ in range(100):
        try:
            async with aiohttp.ClientSession() as http, http.get(f"{url}/stats") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError("the fake connector did not start")


def _serve_fake_connector(port: int) -> None:
    from aiohttp import web

    web.run_app(RateLimitedConnector().app(), host="127.0.0.1", port=port, print=None)


# --- main ----------------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench-alerts", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["evaluation", "import", "fanout"], action="append")
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=80, help="daily register rows per child (80 → 4,000,000)")
    parser.add_argument("--import-rows", type=int, default=1_000_000)
    parser.add_argument("--cards", type=int, default=2_000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--fake-connector", type=int, help=argparse.SUPPRESS)  # the fan-out's fake Teams
    args = parser.parse_args(argv)
    if args.fake_connector:
        _serve_fake_connector(args.fake_connector)
        return 0
    chosen = args.only or ["evaluation", "import", "fanout"]
    results: dict = {}
    if "evaluation" in chosen:
        results["evaluation"] = asyncio.run(bench_evaluation(args.children, args.days))
    if "import" in chosen:
        results["import"] = asyncio.run(bench_import(args.children, args.import_rows))
    if "fanout" in chosen:
        results["fanout"] = asyncio.run(bench_fanout(args.cards))
    if args.json:
        print(json.dumps(results, indent=1, default=str))
    else:
        _print(results)
    return 0 if all(r["ok"] for r in results.values()) else 1


def _print(results: dict) -> None:
    mark = {True: "ok", False: "MISSED"}
    if "evaluation" in results:
        r = results["evaluation"]
        print(f"alerts evaluation ({r['children']:,} children, {r['attendance_rows']:,} attendance rows, PostgreSQL): "
              f"attendance rules {r['attendance_rules_s']} s ({r['children_crossing_now']:,} children crossing), PEP rules "
              f"{r['pep_rules_s']} s ({r['pep_reviews_due']:,} reviews); a school day's jobs: attendance-alerts "
              f"{r['attendance_daily_run_s']} s, pep-nudges {r['pep_daily_run_s']} s ({r['daily_alerts']:,} alerts "
              f"queued), a rerun {r['attendance_rerun_s']} s; first run with the whole backlog "
              f"{r['attendance_first_run_s']} s + {r['pep_first_run_s']} s ({r['first_run_alerts']:,} alerts); "
              f"digests {r['digest_s']} s — target < {TARGETS['evaluation_s']:g} s: {mark[r['ok']]}")
    if "import" in results:
        r = results["import"]
        print(f"attendance import ({r['rows']:,} rows, {r['file_mib']} MiB CSV, PostgreSQL): {r['import_s']} s "
              f"({r['rows_per_s']:,} rows/s), peak memory {r['peak_mib']} MiB; the same file again {r['reimport_s']} s "
              f"(peak {r['reimport_peak_mib']} MiB): {r['again']} — target < {TARGETS['import_s']:g} s: {mark[r['ok']]}")
    if "fanout" in results:
        r = results["fanout"]
        print(f"fan-out ({r['cards']:,} cards to {r['cards']:,} people, rate-limited fake connector): "
              f"{r['rate_per_s']}/s = {r['share_of_teams_limit']:.1%} of Teams' 50/s, {r['seconds']} s in all, "
              f"{r['throttled_429']} answered 429, lost {r['lost']}, doubled {r['doubled']} — target ≥ 90%, none lost "
              f"or doubled: {mark[r['ok']]}")


if __name__ == "__main__":
    sys.exit(main())
