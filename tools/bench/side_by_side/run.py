"""Side-by-side speed benchmark: ours (SQLite, and PostgreSQL when reachable), botbuilder's stock echo bot and a
raw aiohttp handler, each a server process of its own, under the same loads in one run, so that noise on a shared
machine falls on all of them alike.

Loads (every message is a real Bot Framework activity posted to /api/messages; replies go to a fake connector in
a process of its own; this process generates the load):
  flat out   1, 20 and 100 users, each sending the next message the moment the answer arrives (throughput);
  paced      100 users sending 50 messages a second in all at random moments (Poisson arrivals): latency as a
             person feels it, measured from the moment the message was due, so a slow turn is not hidden;
each user has talked to the bot once before a load starts (untimed); a booking is a new person each time, so
bookings include first contacts;
on FAQ questions (all four servers), and for ours also whole referral conversations (`refer`, then the form's
submit) and bookings (`book`, then Book on a surgery). Prints turns/s, p50, p99 and errors, ours as a multiple
of the echo bot and as a fraction of the raw handler, the server's peak RSS, and writes JSON to var/bench.json.

    python -m tools.bench.side_by_side.run [--seconds 6] [--paced-seconds 15] [--only ours-sqlite,echo]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp

from tools.bench.common import percentile, pg_database, publish_group_surgery

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
TIMEOUT = aiohttp.ClientTimeout(total=30)

# Questions people ask, in their words (the evaluation set's style); each user cycles through them.
QUESTIONS = [
    "does the virtual school chair PEP meetings?", "can you fund a tutor for a child in care?",
    "who do I ask about a school place for a looked after child?", "do you do training for designated teachers?",
    "can the virtual school help with an EHCP?", "is there pupil premium plus for previously looked after children?",
    "do you support children in need?", "can I get advice about an exclusion?",
]

# Issue 8's targets, checked against what this run measured.
TARGETS = {"faq_multiple_of_echo_20_users": 5.0, "paced_faq_p99_ms": 50.0, "paced_referral_p99_ms": 150.0,
           "peak_rss_mb": 300.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def letters(n: int) -> str:
    """A distinct surname for each referral (names take letters only; the same child twice is a duplicate)."""
    out = ""
    while True:
        n, r = divmod(n, 26)
        out += "abcdefghijklmnopqrstuvwxyz"[r]
        if not n:
            return "Bench" + out


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM: the process's peak resident set so far (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU the process has used so far (Linux): CPU a turn is a figure that noise on a shared
    machine moves far less than latency."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def cpu_ms_a_turn(before: float | None, after: float | None, turns: int) -> float | None:
    return round(1000 * (after - before) / turns, 2) if before is not None and after is not None and turns else None


# --- processes --------------------------------------------------------------------------------------------
class Server:
    def __init__(self, name: str, argv: list[str], port: int, env: dict | None = None, log: Path | None = None):
        self.name, self.argv, self.port = name, argv, port
        self.env = {**os.environ, **(env or {})}
        self.log = log
        self.proc: subprocess.Popen | None = None
        self._out = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, http: aiohttp.ClientSession) -> None:
        self._out = open(self.log, "ab") if self.log else None  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=self._out or subprocess.DEVNULL,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} (log: {self.log})")
            try:
                async with http.get(f"{self.url}/healthz", timeout=aiohttp.ClientTimeout(total=2)) as resp:
                    if resp.status == 200:
                        return
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start (log: {self.log})")

    def stop(self) -> float | None:
        if self.proc is None:
            return None
        rss = peak_rss_mb(self.proc.pid)
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self._out is not None:
            self._out.close()
        return rss


# --- workloads: a user's next message, given what they did before -----------------------------------------
def activity(service_url: str, user: str, *, text: str | None = None, value: dict | None = None) -> dict:
    body = {"type": "message", "id": uuid.uuid4().hex, "channelId": "msteams", "serviceUrl": service_url,
            "timestamp": datetime.now(ZoneInfo("UTC")).isoformat(),
            "from": {"id": f"29:{user}", "name": "Bench User", "aadObjectId": user},
            "recipient": {"id": "28:bench-bot", "name": "Virtual School Assistant"},
            "conversation": {"id": f"a:bench-{user}", "conversationType": "personal", "tenantId": "bench-tenant"},
            "channelData": {"tenant": {"id": "bench-tenant"}}, "locale": "en-GB"}
    if text is not None:
        body["text"] = text
    if value is not None:
        body["value"] = value
    return body


@dataclass
class Context:
    http: aiohttp.ClientSession
    bot_url: str
    connector_url: str
    surgery: dict | None = None
    children: int = 0
    server_pid: int | None = None  # for the server's CPU time a turn


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    wrong: int = 0  # answered, but not with what the step expects (a refused submit, an error card)

    def summary(self, seconds: float) -> dict:
        n = len(self.latencies)
        return {"turns": n, "turns_per_s": round(n / seconds, 1) if seconds else None,
                "p50_ms": round(statistics.median(self.latencies), 1) if n else None,
                "p99_ms": round(percentile(self.latencies, 0.99), 1) if n else None,
                "max_ms": round(max(self.latencies), 1) if n else None, "errors": self.errors, "wrong": self.wrong}


async def post(ctx: Context, body: dict, tally: Tally, started: float | None = None) -> bool:
    started = time.perf_counter() if started is None else started
    try:
        async with ctx.http.post(f"{ctx.bot_url}/api/messages", json=body, timeout=TIMEOUT) as resp:
            await resp.read()
            ok = resp.status in (200, 201, 202)
    except (aiohttp.ClientError, asyncio.TimeoutError):
        ok = False
    if ok:
        tally.latencies.append((time.perf_counter() - started) * 1000)
    else:
        tally.errors += 1
    return ok


async def last_card(ctx: Context, user: str) -> dict:
    async with ctx.http.get(f"{ctx.connector_url}/bench/last-card", params={"cid": f"a:bench-{user}"}) as resp:
        return await resp.json() if resp.status == 200 else {}


class User:
    """One person: a stable id, and where they are in their conversation."""

    def __init__(self, workload: str, n: int):
        self.workload, self.step, self.asked = workload, 0, n
        self.id = f"bench-{workload}-{n:04d}-{uuid.uuid4().hex[:8]}"
        self.token: str | None = None
        self.lock = asyncio.Lock()

    def fresh(self) -> None:
        """A booking is once a person: the next conversation is another person's."""
        self.id = f"bench-{self.workload}-{uuid.uuid4().hex[:12]}"

    async def next_message(self, ctx: Context, tally: Tally, started: float | None = None) -> None:
        if self.workload == "faq":
            self.asked += 1
            await post(ctx, activity(ctx.connector_url, self.id, text=QUESTIONS[self.asked % len(QUESTIONS)]),
                       tally, started)
        elif self.workload == "referral":
            await self._referral(ctx, tally, started)
        elif self.workload == "booking":
            await self._booking(ctx, tally, started)

    async def _referral(self, ctx: Context, tally: Tally, started: float | None) -> None:
        if self.step == 0:
            if await post(ctx, activity(ctx.connector_url, self.id, text="refer"), tally, started):
                card = await last_card(ctx, self.id)
                self.token = ((card.get("actions") or [{}])[0].get("data") or {}).get("token")
                if card.get("id") != "referral-form" or not self.token:
                    tally.wrong += 1
                    return
                self.step = 1
            return
        ctx.children += 1
        n = ctx.children
        value = {"action": "referral.submit", "token": self.token, "child_first_name": "Bench",
                 "child_last_name": letters(n), "child_dob": (date(2012, 1, 1) + timedelta(days=n % 3000)).isoformat(),
                 "home_postcode": f"HA{n % 10} 1AA", "school_name": "Bench Primary School", "legal_status": "cin",
                 "reasons": "attendance", "details": "Benchmark referral: attendance has dropped this term.",
                 "consent": "true", "referrer_role": "social_worker", "is_allocated_sw": "true"}
        self.step = 0
        if await post(ctx, activity(ctx.connector_url, self.id, value=value), tally, started):
            if (await last_card(ctx, self.id)).get("id") != "referral-confirmation":
                tally.wrong += 1

    async def _booking(self, ctx: Context, tally: Tally, started: float | None) -> None:
        if self.step == 0:
            if await post(ctx, activity(ctx.connector_url, self.id, text="book"), tally, started):
                self.step = 1
            return
        self.step = 0
        value = {"action": "surgery.book", "slot_id": ctx.surgery["slot_id"], "topic": "", "full": "",
                 "shown": ctx.surgery["shown"]}
        if await post(ctx, activity(ctx.connector_url, self.id, value=value), tally, started):
            if (await last_card(ctx, self.id)).get("id") not in ("surgery-booked", "surgery-waitlisted"):
                tally.wrong += 1
        self.fresh()


# --- loads ------------------------------------------------------------------------------------------------
async def first_contact(ctx: Context, people: list[User]) -> None:
    """Each user's first message, untimed: at 09:00 on a Monday the people asking have used the bot before (a
    first contact also stores where to reach them and greets them, once in their life)."""
    gate = asyncio.Semaphore(10)

    async def hello(user: User) -> None:
        async with gate:
            await post(ctx, activity(ctx.connector_url, user.id, text=QUESTIONS[0]), Tally())

    await asyncio.gather(*(hello(p) for p in people))


async def flat_out(ctx: Context, workload: str, users: int, seconds: float, warmup: float = 1.0) -> dict:
    people = [User(workload, n) for n in range(users)]
    await first_contact(ctx, people)
    tally, warm = Tally(), Tally()
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + seconds

    cpu: dict = {}

    async def mark_cpu() -> None:
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        cpu["from"] = cpu_seconds(ctx.server_pid)

    marker = asyncio.create_task(mark_cpu())

    async def loop(user: User) -> None:
        # A turn counts when it ends inside the window (or is the one running when the window closes), so a
        # window shorter than a turn still measures something.
        while time.perf_counter() < stop_at:
            turn = Tally()
            await user.next_message(ctx, turn)
            into = tally if time.perf_counter() >= measure_from else warm
            into.latencies += turn.latencies
            into.errors += turn.errors
            into.wrong += turn.wrong

    await asyncio.gather(*(loop(p) for p in people))
    await marker
    # Turns finished after stop_at count too; the window is from measure_from to the last turn's end.
    result = tally.summary(time.perf_counter() - measure_from)
    result["cpu_ms_a_turn"] = cpu_ms_a_turn(cpu.get("from"), cpu_seconds(ctx.server_pid), result["turns"])
    return result


async def paced(ctx: Context, workload: str, users: int, rate: float, seconds: float, seed: int = 8) -> dict:
    """Poisson arrivals at `rate` a second, each a random user's next message. A message to a user whose
    previous turn is still running waits for it, and its latency counts from when it was due."""
    rng = random.Random(seed)
    people = [User(workload, n) for n in range(users)]
    await first_contact(ctx, people)
    tally = Tally()
    tasks: list[asyncio.Task] = []

    async def send(user: User, due: float) -> None:
        async with user.lock:
            await user.next_message(ctx, tally, started=due)

    start = time.perf_counter()
    cpu_from = cpu_seconds(ctx.server_pid)
    due = start
    while due < start + seconds:
        due += rng.expovariate(rate)
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(rng.choice(people), due)))
    await asyncio.gather(*tasks)
    result = tally.summary(seconds)
    result["offered_per_s"] = rate
    result["cpu_ms_a_turn"] = cpu_ms_a_turn(cpu_from, cpu_seconds(ctx.server_pid), result["turns"])
    return result


# --- the servers ------------------------------------------------------------------------------------------
def vsbot_env(database_url: str) -> dict:
    return {"DATABASE_URL": database_url, "VSB_ENVIRONMENT": "development", "MicrosoftAppId": "",
            "MicrosoftAppPassword": "", "PYTHONUNBUFFERED": "1"}


async def prepare_database(database_url: str) -> dict:
    """Migrations, the demo data, and a group surgery with room for the booking load (then its waiting list)."""
    from bot.settings import Settings  # pylint: disable=import-outside-toplevel
    from dialogs.common.services import Services  # pylint: disable=import-outside-toplevel
    from storage.db import create_engine, session_factory  # pylint: disable=import-outside-toplevel
    from storage.demo import seed  # pylint: disable=import-outside-toplevel
    from storage.migrate import upgrade  # pylint: disable=import-outside-toplevel

    settings = Settings(_env_file=None, MicrosoftAppId="", DATABASE_URL=database_url, VSB_ENVIRONMENT="development")
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        services = Services(settings=settings, sessions=session_factory(engine), knowledge=None)
        async with services.sessions() as session:
            await seed(session=session, today=services.today(), timezone=settings.timezone)
            await session.commit()
        surgery, slot_id = await publish_group_surgery(services, title="Bench surgery", places=200)
        return {"slot_id": str(slot_id), "shown": f"{surgery.id}:{surgery.version}"}
    finally:
        await engine.dispose()


async def warm_officers(ctx: Context) -> None:
    """Officers have a chat with the bot, so a referral's card to them goes out (not queued for first contact)."""
    from storage.demo import EAST, MINA, NORTH, SOUTH, WEST  # pylint: disable=import-outside-toplevel

    for officer in (WEST, NORTH, SOUTH, EAST, MINA):
        await post(ctx, activity(ctx.connector_url, officer, text="help"), Tally())


async def bench_server(name: str, server: Server, ctx_base: dict, args, *, ours: bool, surgery: dict | None) -> dict:
    results: dict = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=False)) as http:
        await server.start(http)
        ctx = Context(http=http, bot_url=server.url, surgery=surgery, server_pid=server.proc.pid, **ctx_base)
        try:
            if ours:
                await warm_officers(ctx)
            for users in (1, 20, 100) if "faq" in args.loads else ():
                spy = start_profile(server, args, f"{name}-faq-20") if ours and users == 20 else None
                results[f"faq_flat_{users}"] = await flat_out(ctx, "faq", users, args.seconds, args.warmup)
                if spy is not None:
                    spy.wait()
                print(f"  {name:<16} faq flat out, {users:>3} users: {_line(results[f'faq_flat_{users}'])}", flush=True)
            if "faq" in args.loads:
                results["faq_paced"] = await paced(ctx, "faq", 100, args.rate, args.paced_seconds)
                print(f"  {name:<16} faq paced {args.rate:.0f}/s, 100 users: {_line(results['faq_paced'])}", flush=True)
            if ours:
                for workload in [w for w in ("referral", "booking") if w in args.loads]:
                    spy = start_profile(server, args, f"{name}-{workload}-20")
                    results[f"{workload}_flat_20"] = await flat_out(ctx, workload, 20, args.seconds, args.warmup)
                    if spy is not None:
                        spy.wait()
                    print(f"  {name:<16} {workload} flat out, 20 users: {_line(results[f'{workload}_flat_20'])}",
                          flush=True)
                    results[f"{workload}_paced"] = await paced(ctx, workload, 100, args.rate, args.paced_seconds)
                    print(f"  {name:<16} {workload} paced {args.rate:.0f}/s, 100 users: "
                          f"{_line(results[f'{workload}_paced'])}", flush=True)
        finally:
            results["peak_rss_mb"] = server.stop()
    return results


def start_profile(server: Server, args, label: str) -> subprocess.Popen | None:
    """py-spy on the server during a load (--profile): collapsed stacks in var/profiles/, summarised by
    tools/bench/side_by_side/profile_summary.py."""
    if not args.profile:
        return None
    out = ROOT / "var" / "profiles"
    out.mkdir(parents=True, exist_ok=True)
    spy = str(Path(sys.executable).parent / "py-spy")
    return subprocess.Popen([spy, "record", "--pid", str(server.proc.pid), "--duration", str(int(args.seconds + 1)),
                             "--rate", "250", "--format", "raw", "--nonblocking", "--output",
                             str(out / f"{label}.txt")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _line(r: dict) -> str:
    if not r["turns"]:
        return f"no turns ended in the window  errors {r['errors']}"
    return (f"{r['turns_per_s']:>7} turns/s  p50 {r['p50_ms']:>7} ms  p99 {r['p99_ms']:>7} ms  "
            f"errors {r['errors']}" + (f"  wrong {r['wrong']}" if r.get("wrong") else "")
            + (f"  CPU {r['cpu_ms_a_turn']} ms a turn" if r.get("cpu_ms_a_turn") is not None else ""))


async def run(args) -> dict:
    logs = Path(args.out).parent / "bench-logs"
    logs.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    connector = Server("connector", [python, str(HERE / "fake_connector.py"), str(port := free_port())], port,
                       log=logs / "connector.log")
    results: dict = {"when": datetime.now(ZoneInfo("UTC")).isoformat(timespec="seconds"), "machine": {
        "cpus": os.cpu_count(), "python": sys.version.split()[0]}, "settings": {
        "seconds": args.seconds, "paced_seconds": args.paced_seconds, "rate": args.rate}, "servers": {}}
    wanted = [s.strip() for s in args.only.split(",")] if args.only else ["raw", "echo", "ours-sqlite",
                                                                         "ours-postgresql"]
    async with aiohttp.ClientSession() as http:
        await connector.start(http)
    try:
        ctx_base = {"connector_url": connector.url}
        for name in wanted:
            port = free_port()
            if name == "raw":
                server = Server(name, [python, str(HERE / "raw_handler.py"), str(port)], port, log=logs / "raw.log")
                results["servers"][name] = await bench_server(name, server, ctx_base, args, ours=False, surgery=None)
            elif name == "echo":
                server = Server(name, [python, str(HERE / "echo_bot.py"), str(port)], port, log=logs / "echo.log")
                results["servers"][name] = await bench_server(name, server, ctx_base, args, ours=False, surgery=None)
            elif name in ("ours-sqlite", "ours-postgresql"):
                results["servers"][name] = await bench_ours(name, port, ctx_base, args, logs)
            else:
                raise SystemExit(f"unknown server {name!r} (raw, echo, ours-sqlite, ours-postgresql)")
        if "faq" in args.loads and args.rounds and "echo" in wanted and len(wanted) > 1:
            ours = [n for n in wanted if n.startswith("ours-")]
            if ours:
                results["interleaved_faq_20"] = await interleaved(["echo", *ours], ctx_base, args, logs)
    finally:
        connector.stop()
    # A partial run (--loads) prints each load's line as it goes; the comparison needs them all.
    results["comparison"] = (compare(results["servers"], results.get("interleaved_faq_20"))
                             if args.loads >= ALL_LOADS else {})
    return results


@asynccontextmanager
async def ours_process(name: str, port: int, logs: Path):
    """Our server on a fresh, prepared database: (Server, the bench surgery), or None when PostgreSQL is not
    reachable. The database goes when the block ends."""
    vsbot = str(Path(sys.executable).parent / "vsbot")
    argv = [vsbot, "serve", "--host", "127.0.0.1", "--port", str(port)]
    if name == "ours-sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            surgery = await prepare_database(url)
            yield Server(name, argv, port, env=vsbot_env(url), log=logs / f"{name}.log"), surgery
        return
    async with AsyncExitStack() as stack:
        try:
            url = await stack.enter_async_context(pg_database())
        except Exception as exc:  # noqa: BLE001 - unreachable PostgreSQL is reported, not fatal
            print(f"  {name:<16} skipped: PostgreSQL not reachable ({type(exc).__name__})")
            yield None
            return
        surgery = await prepare_database(url)
        yield Server(name, argv, port, env=vsbot_env(url), log=logs / f"{name}.log"), surgery


async def bench_ours(name: str, port: int, ctx_base: dict, args, logs: Path) -> dict:
    async with ours_process(name, port, logs) as started:
        if started is None:
            return {"skipped": "PostgreSQL not reachable"}
        server, surgery = started
        return await bench_server(name, server, ctx_base, args, ours=True, surgery=surgery)


async def interleaved(names: list[str], ctx_base: dict, args, logs: Path) -> dict:
    """FAQ questions from 20 users flat out, in short slices taking turns between the echo bot and ours (the
    order rotating each round), all servers up at once: a host whose speed drifts by a third within minutes
    (seen here) then slows every server alike, and the multiple of the echo bot compares like with like. The
    per-server loads above run minutes apart."""
    python = sys.executable
    async with AsyncExitStack() as stack:
        servers: dict[str, Server] = {}
        for name in names:
            port = free_port()
            if name == "echo":
                servers[name] = Server(name, [python, str(HERE / "echo_bot.py"), str(port)], port,
                                       log=logs / "echo-interleaved.log")
            else:
                started = await stack.enter_async_context(ours_process(name, port, logs))
                if started is not None:
                    servers[name] = started[0]
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            try:
                for server in servers.values():
                    await server.start(http)
                totals = {name: [0, 0.0] for name in servers}
                order = list(servers)
                for round_ in range(args.rounds):
                    for name in order[round_ % len(order):] + order[:round_ % len(order)]:
                        ctx = Context(http=http, bot_url=servers[name].url, server_pid=servers[name].proc.pid,
                                      **ctx_base)
                        r = await flat_out(ctx, "faq", 20, args.slice_seconds, 0.5)
                        totals[name][0] += r["turns"]
                        totals[name][1] += r["turns"] / r["turns_per_s"] if r["turns_per_s"] else 0.0
            finally:
                for server in servers.values():
                    server.stop()
    out = {name: round(turns / seconds, 1) if seconds else None for name, (turns, seconds) in totals.items()}
    print("  interleaved, FAQ 20 users flat out, turns/s: " + ", ".join(f"{n} {v}" for n, v in out.items()),
          flush=True)
    return out


ALL_LOADS = {"faq", "referral", "booking"}


def compare(servers: dict, interleaved_rates: dict | None = None) -> dict:
    """Ours against the echo bot (multiple) and the raw handler (fraction), on FAQ flat out; and the targets. The
    20-user multiple the target is checked on comes from the interleaved slices when they ran."""
    out: dict = {}
    echo, raw = servers.get("echo", {}), servers.get("raw", {})
    for name in ("ours-sqlite", "ours-postgresql"):
        ours = servers.get(name)
        if not ours or "skipped" in ours:
            continue
        row: dict = {}
        for users in (1, 20, 100):
            key = f"faq_flat_{users}"
            mine = ours[key]["turns_per_s"] or 0
            if (echo.get(key) or {}).get("turns_per_s"):
                row[f"x_echo_{users}"] = round(mine / echo[key]["turns_per_s"], 2)
            if (raw.get(key) or {}).get("turns_per_s"):
                row[f"of_raw_{users}"] = round(mine / raw[key]["turns_per_s"], 3)
        if (interleaved_rates or {}).get(name) and (interleaved_rates or {}).get("echo"):
            row["x_echo_20_sequential"] = row.get("x_echo_20")
            row["x_echo_20"] = round(interleaved_rates[name] / interleaved_rates["echo"], 2)
        errors = sum(v.get("errors", 0) + v.get("wrong", 0) for v in ours.values() if isinstance(v, dict))
        row["targets"] = {
            "20 users FAQ >= 5x echo": (row.get("x_echo_20") or 0) >= TARGETS["faq_multiple_of_echo_20_users"],
            "paced FAQ p99 < 50 ms": (ours["faq_paced"]["p99_ms"] or 1e9) < TARGETS["paced_faq_p99_ms"],
            "paced referral p99 < 150 ms": (ours["referral_paced"]["p99_ms"] or 1e9) < TARGETS["paced_referral_p99_ms"],
            "100 users no errors": ours["faq_flat_100"]["errors"] == 0,
            "peak RSS < 300 MB": (ours.get("peak_rss_mb") or 1e9) < TARGETS["peak_rss_mb"],
            "no errors anywhere": errors == 0,
        }
        out[name] = row
    return out


def print_table(results: dict) -> None:
    servers = results["servers"]
    print("\nFAQ, turns/s (p99 ms)        1 user           20 users          100 users         paced 50/s p99   "
          "peak RSS")
    for name, r in servers.items():
        if "skipped" in r:
            print(f"  {name:<26} skipped: {r['skipped']}")
            continue
        cells = [f"{r[f'faq_flat_{u}']['turns_per_s']:>7} ({r[f'faq_flat_{u}']['p99_ms']:>6})" for u in (1, 20, 100)]
        print(f"  {name:<26} " + "   ".join(f"{c:<15}" for c in cells)
              + f"   {r['faq_paced']['p99_ms']:>8} ms      {r.get('peak_rss_mb')} MB")
    for name, row in results["comparison"].items():
        print(f"\n  {name}: x echo " + ", ".join(f"{row.get(f'x_echo_{u}')} ({u})" for u in (1, 20, 100))
              + (f" [20 users interleaved; one after another {row['x_echo_20_sequential']}]"
                 if "x_echo_20_sequential" in row else "")
              + "; of raw " + ", ".join(f"{row.get(f'of_raw_{u}')} ({u})" for u in (1, 20, 100)))
        r = servers[name]
        for workload in ("referral", "booking"):
            print(f"    {workload:<9} flat 20 users {_line(r[f'{workload}_flat_20'])}")
            print(f"    {workload:<9} paced 50/s    {_line(r[f'{workload}_paced'])}")
        for target, ok in row["targets"].items():
            print(f"    {'met    ' if ok else 'MISSED '} {target}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="side_by_side", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="each flat-out load, after a 1 s warm-up")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of each flat-out load not measured")
    parser.add_argument("--paced-seconds", type=float, default=15.0)
    parser.add_argument("--rate", type=float, default=50.0, help="paced load, messages a second in all")
    parser.add_argument("--only", default="", help="servers to run: raw,echo,ours-sqlite,ours-postgresql")
    parser.add_argument("--rounds", type=int, default=5,
                        help="interleaved FAQ slices a server (0: none): the echo multiple is taken from these")
    parser.add_argument("--slice-seconds", type=float, default=3.0)
    parser.add_argument("--loads", default="faq,referral,booking",
                        help="workloads to run (a quicker look at one): faq,referral,booking")
    parser.add_argument("--out", default=str(ROOT / "var" / "bench.json"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", action="store_true", help="py-spy ours during 20 users flat out (needs py-spy)")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    args.loads = {w.strip() for w in args.loads.split(",") if w.strip()}
    started = time.perf_counter()
    print(f"Side by side: flat out {args.seconds:.0f} s a load, paced {args.paced_seconds:.0f} s at {args.rate:.0f}/s",
          flush=True)
    results = asyncio.run(run(args))
    results["wall_seconds"] = round(time.perf_counter() - started, 1)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    if args.json:
        print(json.dumps(results))
    elif results["comparison"]:
        print_table(results)
        print(f"\n  whole run {results['wall_seconds']} s; JSON in {args.out}")
    met = all(ok for row in results["comparison"].values() for ok in row["targets"].values())
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
