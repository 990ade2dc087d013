"""Alerts reach people exactly once: through a connector that throttles every third call, from two `vsbot serve`
processes with their schedulers (and two `vsbot jobs run`) on one PostgreSQL database, and to people who never
opened a chat with the bot, by installing the app for them through Microsoft Graph (a fake Graph server)."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta

import pytest
from aiohttp import web
from sqlalchemy import delete, select

from bot.jobs import run_job
from storage import conversations
from storage.db import session_factory
from storage.importers import import_csv
from storage.models import AttendanceRecord, Child, Delivery, PepReview
from tests.conftest import free_port, running_bot, serve
from tests.test_alerts import FOUR_WEEKS, MONDAY, PREVIOUS, at
from tests.utils.teams import FakeConnector, aad

MINA = aad("0d1")
TENANT = "11111111-2222-3333-4444-555555555555"


def social_worker(n: int) -> str:
    return f"00000000-0000-0000-0000-00000000f{n:03d}"


async def _children_under_the_line(engine, count: int, *, pep_days: int | None = 10) -> None:
    """`count` children, each with their own social worker, all at 80% over the last four weeks."""
    async with session_factory(engine)() as session:
        await session.execute(delete(AttendanceRecord))
        await session.execute(delete(PepReview))
        await session.execute(delete(Child))
        kids = "".join(f"Q{n:03d},Kid{n},Test,2014-01-01,cic,,{social_worker(n)},,HA1 2AB\n" for n in range(count))
        await import_csv(session=session, kind="children", today=date(2027, 1, 1), content=(
            "local_id,first_name,last_name,date_of_birth,legal_status,school_name,social_worker,designated_teacher,"
            "home_postcode\n" + kids))
        rows = "".join(f"Q{n:03d},{PREVIOUS[0]},{PREVIOUS[1]},50,50\nQ{n:03d},{FOUR_WEEKS[0]},{FOUR_WEEKS[1]},50,40\n"
                       for n in range(count))
        await import_csv(session=session, kind="attendance", today=date(2027, 1, 1), content=(
            "local_id,period_start,period_end,possible_sessions,attended_sessions\n" + rows))
        if pep_days is not None:
            peps = "".join(f"Q{n:03d},{(MONDAY + timedelta(days=pep_days)).isoformat()},\n" for n in range(count))
            await import_csv(session=session, kind="peps", today=date(2027, 1, 1),
                             content="local_id,due_date,completed_date\n" + peps)
        await session.commit()


async def _chats(engine, url: str, people: list[str]) -> None:
    """Each person has opened a chat with the bot (their stored conversation reference)."""
    async with session_factory(engine)() as session:
        for person in people:
            await conversations.save_reference(session=session, scope=conversations.USER_SCOPE, key=person,
                                               tenant_id=TENANT, reference={
                "serviceUrl": url, "channelId": "msteams", "bot": {"id": "28:bot"},
                "conversation": {"id": f"a:personal-{person}", "conversationType": "personal", "tenantId": TENANT},
                "user": {"id": f"29:{person}", "aadObjectId": person}})
        await session.commit()


def _alert_copies(connector: FakeConnector) -> Counter:
    """(chat, alert id) → how many times it arrived."""
    copies: Counter = Counter()
    for sent in connector.sent:
        for card in sent.cards:
            if card.get("id", "").startswith("alert-") and sent.method == "POST":
                alert_id = next(a["data"]["alert_id"] for a in card["actions"] if a["data"]["action"] == "alert.ack")
                copies[(sent.conversation_id, alert_id)] += 1
    return copies


class ThrottlesEveryThird(FakeConnector):
    """Answers 429 (Retry-After: 1) to every third call, whatever the chat."""

    calls: int = 0
    throttled: int = 0

    async def _send(self, request: web.Request) -> web.Response:
        self.calls += 1
        if self.calls % 3 == 0:
            self.throttled += 1
            self.attempts.append((request.method, request.match_info["cid"], 429))
            return web.json_response({"error": {"code": "Throttled"}}, status=429, headers={"Retry-After": "1"})
        return await super()._send(request)


async def test_every_alert_arrives_once_when_every_third_call_is_throttled(seeded, database_url):
    connector = ThrottlesEveryThird()
    async with serve(connector.app()) as url:
        connector.url = url
        await _children_under_the_line(seeded, 20)
        await _chats(seeded, url, [social_worker(n) for n in range(20)] + [MINA])
        async with running_bot(database_url, connector) as bot:
            await run_job("attendance-alerts", bot.runtime, at(MONDAY))
            await run_job("pep-nudges", bot.runtime, at(MONDAY))
            async with session_factory(seeded)() as session:
                expected = (await session.execute(select(Delivery.key).where(
                    Delivery.key.like("attendance-alerts:%") | Delivery.key.like("pep-nudges:%")))).scalars().all()
            assert len(expected) == 60  # 20 × (social worker + manager) + 20 PEP nudges to the social workers
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                async with session_factory(seeded)() as session:
                    statuses = Counter((await session.execute(select(Delivery.status).where(
                        Delivery.key.in_(expected)))).scalars())
                if statuses == {"sent": 60}:
                    break
                await asyncio.sleep(0.5)
            assert statuses == {"sent": 60}, statuses
            await asyncio.sleep(1.5)  # anything that would go twice has had its chance
    copies = _alert_copies(connector)
    assert len(copies) == 60 and set(copies.values()) == {1}, [k for k, v in copies.items() if v != 1]
    assert connector.throttled >= 20


# --- Microsoft Graph: install the app for someone who never opened a chat ------------------------------------------
class FakeGraph:
    def __init__(self):
        self.requests: list[tuple[str, str, str]] = []  # (method, path, authorization)
        self.installed: set[str] = set()
        self.fail_install: list[int] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/login/{tenant}/oauth2/v2.0/token", self.token)
        app.router.add_post("/v1.0/users/{user}/teamwork/installedApps", self.install)
        app.router.add_get("/v1.0/users/{user}/teamwork/installedApps", self.list)
        app.router.add_get("/v1.0/users/{user}/teamwork/installedApps/{installation}/chat", self.chat)
        return app

    def _log(self, request):
        self.requests.append((request.method, request.path_qs, request.headers.get("Authorization", "")))

    async def token(self, request):
        self._log(request)
        form = await request.post()
        assert form["grant_type"] == "client_credentials" and form["client_secret"] == "graph-secret"
        return web.json_response({"access_token": "graph-token", "expires_in": 3600, "token_type": "Bearer"})

    async def install(self, request):
        self._log(request)
        if self.fail_install:
            return web.json_response({}, status=self.fail_install.pop(0), headers={"Retry-After": "1"})
        user = request.match_info["user"]
        if user.endswith("404"):
            return web.json_response({"error": {"code": "NotFound"}}, status=404)
        body = await request.json()
        assert body["teamsApp@odata.bind"].endswith("/appCatalogs/teamsApps/catalog-app-id")
        if user in self.installed:
            return web.json_response({"error": {"code": "Conflict"}}, status=409)
        self.installed.add(user)
        return web.Response(status=201)

    async def list(self, request):
        self._log(request)
        user = request.match_info["user"]
        return web.json_response({"value": [{"id": f"inst-{user}", "teamsApp": {"id": "catalog-app-id"}}]
                                  if user in self.installed else []})

    async def chat(self, request):
        self._log(request)
        return web.json_response({"id": f"19:installed-{request.match_info['user']}@unq.gbl.spaces"})


async def test_people_with_no_chat_get_the_app_installed_through_graph_then_the_alert(seeded, database_url, connector):
    graph = FakeGraph()
    graph.fail_install = [503]  # Graph stumbles once: retried, not given up
    async with serve(graph.app()) as graph_url:
        await _children_under_the_line(seeded, 2, pep_days=None)
        await _chats(seeded, connector.url, [MINA, social_worker(0)])  # social worker 1 never opened a chat
        async with running_bot(database_url, connector, VSB_GRAPH_TENANT_ID=TENANT, VSB_GRAPH_CLIENT_ID="graph-app",
                               VSB_GRAPH_CLIENT_SECRET="graph-secret", VSB_TEAMS_APP_ID="catalog-app-id",
                               VSB_GRAPH_URL=f"{graph_url}/v1.0", VSB_GRAPH_LOGIN_URL=f"{graph_url}/login",
                               VSB_TEAMS_SERVICE_URL=connector.url) as bot:
            await run_job("attendance-alerts", bot.runtime, at(MONDAY))
            chat = f"19:installed-{social_worker(1)}@unq.gbl.spaces"
            await connector.wait_for(lambda s: any(x.conversation_id == chat for x in s), timeout=20)
            await bot.sender.drain()
    copies = _alert_copies(connector)
    assert copies[(chat, next(k[1] for k in copies if k[0] == chat))] == 1 and len(copies) == 4
    assert set(copies.values()) == {1}
    installs = [r for r in graph.requests if r[0] == "POST" and "installedApps" in r[1]]
    assert len(installs) == 2 and all(r[2] == "Bearer graph-token" for r in installs)  # one 503, then 201
    assert graph.installed == {social_worker(1)}
    async with session_factory(seeded)() as session:
        stored = await conversations.get_reference(session=session, scope=conversations.USER_SCOPE,
                                                   key=social_worker(1))
    assert stored["conversation"]["id"] == chat


async def test_without_graph_they_are_listed_as_undeliverable(seeded, database_url, connector):
    await _children_under_the_line(seeded, 1, pep_days=None)
    await _chats(seeded, connector.url, [MINA])
    async with running_bot(database_url, connector) as bot:
        await run_job("attendance-alerts", bot.runtime, at(MONDAY))
        await bot.sender.drain()
    env = {**os.environ, "MicrosoftAppId": "", "DATABASE_URL": database_url}
    out = subprocess.run([sys.executable, "-m", "bot.cli", "outbox"], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.returncode == 0
    line = next(x for x in out.stdout.splitlines() if social_worker(0) in x)
    assert "no_reference" in line and "attendance-alerts:" in line and "never opened a chat" in line


# --- two `vsbot serve` processes with their schedulers on one PostgreSQL database -----------------------------------
def _vsbot_env(database_url: str, **extra) -> dict:
    return {**os.environ, "MicrosoftAppId": "", "DATABASE_URL": database_url, "VSB_ENVIRONMENT": "development",
            "PYTHONUNBUFFERED": "1", **extra}


async def test_two_serve_processes_and_two_job_runs_send_each_alert_once(seeded, database_url, connector, tmp_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("several instances share PostgreSQL (SQLite is for one process)")
    await _children_under_the_line(seeded, 15)
    await _chats(seeded, connector.url, [social_worker(n) for n in range(15)] + [MINA])
    # The schedulers' clock starts at 07:29:50 on the Monday, and the two jobs run every two seconds.
    env = _vsbot_env(database_url, VSB_CLOCK_START="2026-11-23T07:29:50",
                     VSB_JOB_SCHEDULE=json.dumps({"attendance-alerts": {"second": "*/2"},
                                                  "pep-nudges": {"second": "*/2"}}))
    procs = []
    try:
        for n in range(2):
            with (tmp_path / f"serve-{n}.log").open("wb") as log:
                procs.append(subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(free_port())],
                                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        runs = [await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "jobs", "run", job, "--now", "2026-11-23T07:30:00",
            env=_vsbot_env(database_url), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for job in ("attendance-alerts", "pep-nudges", "attendance-alerts", "pep-nudges")]
        outputs = [await run.communicate() for run in runs]
        assert all(run.returncode == 0 for run in runs), outputs
        expected = 15 * 2 + 15  # attendance: social worker and manager; PEP: the social worker
        deadline = time.monotonic() + 60
        while len(_alert_copies(connector)) < expected and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        await asyncio.sleep(6)  # several more scheduled runs in both processes: still nothing twice
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    logs = "".join((tmp_path / f"serve-{n}.log").read_text(errors="replace") for n in range(2))
    assert "Traceback" not in logs, logs[-3000:]
    assert logs.count("scheduler leadership taken") == 1, logs[-3000:]
    copies = _alert_copies(connector)
    assert len(copies) == expected and set(copies.values()) == {1}, {k: v for k, v in copies.items() if v != 1}
