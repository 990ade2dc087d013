"""A flow half way through survives the server being killed: state is in the database, not the process."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import aiohttp

from tests.conftest import free_port
from tests.test_referrals import valid_form
from tests.utils.teams import message, submit


async def _start_server(database_url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "MicrosoftAppId": "", "VSB_ALLOWED_TENANTS": "",
           "VSB_ENVIRONMENT": "development",
           "VSB_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            if proc.poll() is not None:
                raise AssertionError(f"server exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                async with http.get(f"http://127.0.0.1:{port}/readyz") as resp:
                    if resp.status == 200:
                        return proc
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    proc.kill()
    raise AssertionError("server did not become ready")


def _stop(proc: subprocess.Popen, *, kill: bool) -> int:
    """SIGKILL the whole process group (no chance to save anything), or SIGTERM for a clean shutdown."""
    if kill:
        os.killpg(proc.pid, signal.SIGKILL)
    else:
        proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=15)
    proc.stderr.close()
    return code


async def _post(port: int, activity: dict) -> int:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"http://127.0.0.1:{port}/api/messages", json=activity) as resp:
            return resp.status


async def test_killed_mid_referral_continues_after_restart(seeded, database_url, connector):
    """Half way through a referral (form sent, one error fixed-to-be), the server is SIGKILLed; a new process
    on the same database takes the corrected submit of the same form and records the referral."""
    port = free_port()
    first = await _start_server(database_url, port)
    try:
        assert await _post(port, message("refer", service_url=connector.url)) in (200, 201)
        sent = await connector.wait_for(lambda s: any("referral-form" in x.card_ids for x in s), timeout=10)
        token = sent[-1].cards[0]["actions"][0]["data"]["token"]
        connector.clear()
        await _post(port, submit(valid_form(token, home_postcode="nonsense"), service_url=connector.url))
        sent = await connector.wait_for(lambda s: any("referral-form" in x.card_ids for x in s), timeout=10)
        kept = {b["id"]: b.get("value") for b in sent[-1].cards[0]["body"] if b.get("id")}
        assert kept["child_first_name"] == "Ava" and kept["home_postcode"] == "nonsense"
    finally:
        _stop(first, kill=True)  # no graceful shutdown: state must already be saved
    connector.clear()

    port2 = free_port()
    second = await _start_server(database_url, port2)
    try:
        assert await _post(port2, submit(valid_form(token), service_url=connector.url)) in (200, 201)
        sent = await connector.wait_for(lambda s: any("referral-confirmation" in x.card_ids for x in s), timeout=10)
        assert "VS-2026-00001" in str(sent[-1].cards[0]) or "VS-" in str(sent[-1].cards[0])
        assert not any("main-menu" in x.card_ids or "referral-form" in x.card_ids for x in sent)
    finally:
        assert _stop(second, kill=False) == 0, "SIGTERM shuts down cleanly"


async def test_killed_mid_question_continues_after_restart(seeded, database_url, connector):
    """`ask` makes the bot wait for a question; after a SIGKILL and restart the next message is that question."""
    port = free_port()
    first = await _start_server(database_url, port)
    try:
        assert await _post(port, message("ask", service_url=connector.url)) in (200, 201)
        await connector.wait_for(lambda s: any("What would you like to know" in x.text for x in s), timeout=10)
    finally:
        _stop(first, kill=True)
    connector.clear()
    port2 = free_port()
    second = await _start_server(database_url, port2)
    try:
        assert await _post(port2, message("chair PEP meetings", service_url=connector.url)) in (200, 201)
        sent = await connector.wait_for(lambda s: any(c.startswith("faq-") for x in s for c in x.card_ids), timeout=10)
        assert any("faq-answer" in x.card_ids for x in sent)
    finally:
        assert _stop(second, kill=False) == 0


async def test_vsbot_serve_install_and_help_from_sam(seeded, database_url, connector, engine):
    """The brief's smoke check against the real command: install + help from …0a1 → welcome and main menu at
    the connector, and Sam's conversation reference in the database."""
    from storage import conversations
    from storage.db import session_factory
    from tests.utils.teams import aad, installation_update

    port = free_port()
    server = await _start_server(database_url, port)
    try:
        assert await _post(port, installation_update(service_url=connector.url)) in (200, 201)
        assert await _post(port, message("help", service_url=connector.url)) in (200, 201)
        sent = await connector.wait_for(lambda s: any("main-menu" in x.card_ids for x in s), timeout=10)
        assert [c for x in sent for c in x.card_ids] == ["welcome", "main-menu"]
        async with session_factory(engine)() as session:
            ref = await conversations.get_reference(session=session, scope="user", key=aad("0a1"))
        assert ref and ref["conversation"]["id"] == f"a:personal-{aad('0a1')}"
    finally:
        assert _stop(server, kill=False) == 0
