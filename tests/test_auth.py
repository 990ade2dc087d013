"""With an app id configured, nothing unauthenticated reaches a dialog; the token is checked before the body is
read; an unreachable key endpoint never blocks anything (401 within the timeout); the default refuses to start
without an app id; the tenant allow-list reads what Teams sends; only a verified request (or development
mode) may change where an officer's cards go."""
from __future__ import annotations

import asyncio
import json
import statistics
import time

import pytest
from botbuilder.core import TurnContext
from botbuilder.schema import Activity
from sqlalchemy import select

from bot.adapter import ProductionGuardError, VsbAdapter
from bot.app import BOT_KEY, create_app
from bot.auth import KeySet, Unauthorized
from bot.connector import BotConnector
from bot.settings import Settings
from storage.db import session_factory
from storage.models import ConversationRef, Delivery
from tests.conftest import make_settings, running_bot
from tests.utils.teams import TENANT, aad, message
from tests.utils.tokens import APP_ID, KEY_ID, bearer, other_key

WEST = aad("0c1")


def secured(database_url, connector, key_server, **overrides):
    values = {"MicrosoftAppId": APP_ID, "MicrosoftAppPassword": "not-a-real-secret",
              "VSB_AUTH_METADATA_URL": key_server.metadata_url, "VSB_ENVIRONMENT": "production", **overrides}
    return running_bot(database_url, connector, **values)


@pytest.fixture
async def secured_bot(seeded, database_url, connector, key_server):
    async with secured(database_url, connector, key_server) as bot:
        yield bot


async def test_unsigned_request_is_401_and_nothing_is_sent(secured_bot):
    resp = await secured_bot.post(message("help", service_url=secured_bot.connector.url))
    assert resp.status == 401
    assert secured_bot.connector.sent == []


async def test_a_channel_token_for_this_bot_and_this_service_url_is_accepted(secured_bot):
    url = secured_bot.connector.url
    resp = await secured_bot.post(message("help", service_url=url), headers=bearer(url))
    assert resp.status == 201
    await secured_bot.connector.wait_for(lambda s: any("main-menu" in x.card_ids for x in s))


async def test_badly_signed_or_misbound_tokens_are_401(secured_bot):
    url = secured_bot.connector.url
    refused = {
        "signed by someone else": bearer(url, key=other_key()),
        "unknown key id": bearer(url, key=other_key(), key_id="forged-key"),
        "another bot's audience": bearer(url, audience="another-app"),
        "another issuer": bearer(url, issuer="https://evil.example"),
        "expired": bearer(url, lifetime=-600),
        "another serviceUrl": bearer("https://attacker.example/"),
        "emulator token in production": bearer(url, issuer="https://login.microsoftonline.com/"
                                                            "d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0"),
        "not a JWT": {"Authorization": "Bearer not.a.jwt"},
        "basic auth": {"Authorization": "Basic dXNlcjpwYXNz"},
        "bearer, no token": {"Authorization": "Bearer "},
    }
    for why, headers in refused.items():
        resp = await secured_bot.post(message("help", service_url=url), headers=headers)
        assert resp.status == 401, why
    # A channel the signing key does not endorse (the token is fine, the activity claims another channel).
    activity = message("help", service_url=url)
    activity["channelId"] = "slack"
    assert (await secured_bot.post(activity, headers=bearer(url))).status == 401
    assert secured_bot.connector.sent == []


async def test_the_token_is_checked_before_the_body_is_read(secured_bot):
    """Wrong JSON types gave 500 before the login check; now a stranger gets 401 whatever they send."""
    url = secured_bot.connector.url
    for junk in ({"type": "message", "entities": 5}, {"type": "message", "from": []}, {"conversation": "x"},
                 {"type": "message", "timestamp": "yesterday"}, {"type": "conversationUpdate", "membersAdded": "x"}):
        async with secured_bot.http.post(f"{secured_bot.url}/api/messages", json=junk) as resp:
            assert resp.status == 401, junk
    async with secured_bot.http.post(f"{secured_bot.url}/api/messages", data=b"{not json",
                                     headers={"Content-Type": "application/json"}) as resp:
        assert resp.status == 401
    # With a valid token, the same junk is a 400 with a short reason that does not quote it.
    async with secured_bot.http.post(f"{secured_bot.url}/api/messages", headers=bearer(url),
                                     json={**message("hi", service_url=url), "timestamp": "yesterday"}) as resp:
        assert resp.status == 400
        assert (await resp.json()) == {"error": "timestamp: wrong type"}


async def test_keys_are_prefetched_at_start(seeded, database_url, connector, key_server):
    async with secured(database_url, connector, key_server):
        deadline = time.monotonic() + 10
        while "keys" not in key_server.requests and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
    assert key_server.requests[:2] == ["metadata", "keys"]


async def test_a_hanging_key_endpoint_blocks_nothing_and_unverifiable_requests_get_401(
        seeded, database_url, connector, key_server):
    key_server.hang = True
    async with secured(database_url, connector, key_server, VSB_AUTH_KEY_TIMEOUT="1.0") as bot:
        latencies: dict[str, list[float]] = {"/healthz": [], "/readyz": []}
        stop = asyncio.Event()

        async def probe():
            while not stop.is_set():
                for path, seen in latencies.items():
                    started = time.perf_counter()
                    async with bot.http.get(f"{bot.url}{path}") as resp:
                        await resp.read()
                        assert resp.status == 200, path
                    seen.append(time.perf_counter() - started)
                await asyncio.sleep(0.02)

        probing = asyncio.create_task(probe())
        await asyncio.sleep(0.1)  # the prefetch at start is hanging by now
        started = time.perf_counter()
        resp = await bot.post(message("help", service_url=connector.url), headers=bearer(connector.url))
        elapsed = time.perf_counter() - started
        await asyncio.sleep(0.2)
        stop.set()
        await probing
    assert resp.status == 401
    assert elapsed < 1.0 + 1.5, elapsed  # its timeout (1 s), generously: the machine is shared
    print(f"\nunverifiable request: 401 after {elapsed * 1000:.0f} ms (timeout 1 s); while it waited: " + "; ".join(
        f"{path} {len(seen)} probes, median {statistics.median(seen) * 1000:.1f} ms, max {max(seen) * 1000:.1f} ms"
        for path, seen in latencies.items()))
    for path, seen in latencies.items():  # under 100 ms typically; a shared machine can stall one probe briefly
        assert statistics.median(seen) < 0.1 and max(seen) < 1.0, (path, seen)


async def test_a_failed_key_fetch_is_remembered_briefly(seeded, database_url, connector, key_server):
    key_server.fail = True
    async with secured(database_url, connector, key_server) as bot:
        deadline = time.monotonic() + 10
        while "metadata" not in key_server.requests and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)
        fetched = len(key_server.requests)
        for _ in range(5):
            started = time.perf_counter()
            resp = await bot.post(message("help", service_url=connector.url), headers=bearer(connector.url))
            assert resp.status == 401 and time.perf_counter() - started < 1.0
        assert len(key_server.requests) == fetched, "no new fetch while the failure is remembered"


async def test_key_set_serves_from_cache_and_refreshes_stale_keys_in_the_background(key_server):
    now = [1000.0]
    keys = KeySet(key_server.metadata_url, timeout=2.0, refresh_every=3600, clock=lambda: now[0])
    try:
        key = await keys.get(KEY_ID)
        assert key.endorsements == {"msteams", "webchat"} and key_server.requests == ["metadata", "keys"]
        assert await keys.get(KEY_ID) is key and len(key_server.requests) == 2  # cached
        with pytest.raises(Unauthorized):
            await keys.get("unknown")  # fetched moments ago: not fetched again for an unknown id
        assert len(key_server.requests) == 2
        now[0] += 7200  # stale: answered from the cache at once, refreshed behind it
        key_server.hang = True
        started = time.perf_counter()
        assert await keys.get(KEY_ID) is key
        assert time.perf_counter() - started < 0.1
        await asyncio.sleep(0.1)
        assert len(key_server.requests) == 3
    finally:
        await keys.close()


def test_the_default_environment_refuses_to_start_without_an_app_id(tmp_path, monkeypatch):
    """Auth-off was the default: a forged request could redirect an officer's cards. Now it must be asked for."""
    monkeypatch.delenv("VSB_ENVIRONMENT", raising=False)
    settings = Settings(_env_file=None, MicrosoftAppId="", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert not settings.is_development
    with pytest.raises(ProductionGuardError):
        VsbAdapter(settings, BotConnector(None))
    with pytest.raises(ProductionGuardError):
        create_app(settings)
    for environment in ("production", "staging", ""):
        with pytest.raises(ProductionGuardError):
            VsbAdapter(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", VSB_ENVIRONMENT=environment),
                       BotConnector(None))


def test_development_without_app_id_warns_loudly(tmp_path, caplog):
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", VSB_ENVIRONMENT="development")
    with caplog.at_level("WARNING", logger="vsbot.adapter"):
        VsbAdapter(settings, BotConnector(None))
    assert "NOT authenticated" in caplog.text


async def test_tenant_allow_list_reads_what_teams_sends(seeded, database_url, connector):
    foreign = "99999999-0000-0000-0000-000000000000"
    async with running_bot(database_url, connector, VSB_ALLOWED_TENANTS=TENANT) as bot:
        ok = message("help", service_url=connector.url)
        assert (await bot.post(ok)).status == 201
        # Teams' own field, conversation.tenantId, says another tenant: refused even though channelData agrees.
        mixed = message("help", service_url=connector.url)
        mixed["conversation"]["tenantId"] = foreign
        assert (await bot.post(mixed)).status == 403
        only_conversation = message("help", service_url=connector.url, tenant=foreign)
        del only_conversation["channelData"]
        assert (await bot.post(only_conversation)).status == 403
        nothing = message("help", service_url=connector.url)
        del nothing["channelData"], nothing["conversation"]["tenantId"]
        assert (await bot.post(nothing)).status == 403
        await connector.wait_for(lambda s: any("main-menu" in x.card_ids for x in s))
        await asyncio.sleep(0.2)
        assert sum("main-menu" in x.card_ids for x in connector.sent) == 1  # the allowed request's answer only


async def _stored_reference(engine, aad_id: str) -> dict | None:
    async with session_factory(engine)() as session:
        row = (await session.execute(select(ConversationRef).where(ConversationRef.key == aad_id))).scalar_one_or_none()
    return json.loads(row.reference) if row else None


async def test_only_a_verified_request_replaces_a_stored_conversation_reference(
        seeded, engine, database_url, connector, key_server):
    url = connector.url
    async with secured(database_url, connector, key_server) as bot:
        # The officer's real chat, from a verified request.
        assert (await bot.post(message("help", service_url=url, aad_id=WEST), headers=bearer(url))).status == 201
        before = await _stored_reference(engine, WEST)
        assert before["serviceUrl"] == url
        # A turn that reached the bot without a verified token (a bug upstream, or a future code path) and names
        # the officer with an attacker's serviceUrl: the stored reference stays.
        forged = Activity().deserialize(message("help", service_url="https://attacker.example/", aad_id=WEST))
        adapter = VsbAdapter(bot.settings, BotConnector(None))
        vsb_bot = bot.app[BOT_KEY]
        assert await vsb_bot._remember_user(TurnContext(adapter, forged)) is False  # pylint: disable=protected-access
        vsb_bot._known_addressing.clear()  # pylint: disable=protected-access
        assert await vsb_bot._remember_user(TurnContext(adapter, forged)) is False  # pylint: disable=protected-access
        assert await _stored_reference(engine, WEST) == before
        # A verified request from the officer's new chat does move it.
        moved = message("help", service_url=url, aad_id=WEST, conversation_id="a:new-chat")
        assert (await bot.post(moved, headers=bearer(url))).status == 201
        assert (await _stored_reference(engine, WEST))["conversation"]["id"] == "a:new-chat"
    async with session_factory(engine)() as session:
        assert not (await session.execute(select(Delivery))).scalars().all()
