"""Proactive sends: at most once per delivery key, retried on 429/412/5xx with Retry-After, paced; and
Action.Execute routed like Action.Submit."""
from __future__ import annotations

import pytest

from bot.pacing import Pacer
from bot.proactive import backoff
from cards.menu import notice_card
from storage import outbox
from storage.db import session_factory
from tests.utils.teams import aad, installation_update, message


async def _enqueue(engine, key: str, recipient: str = aad("0a1")) -> None:
    async with session_factory(engine)() as session:
        await outbox.enqueue(session=session, key=key, recipient_aad_id=recipient,
                             card=notice_card("Hello", "Proactive test", card_id="proactive-test"), summary="Test")
        await session.commit()


async def _status(engine, key: str):
    async with session_factory(engine)() as session:
        return await outbox.get(session=session, key=key)


@pytest.fixture
async def sam_installed(bot):
    await bot.post(installation_update(service_url=bot.connector.url))
    await bot.connector.wait_for(lambda s: bool(s))
    bot.connector.clear()
    return bot


async def test_a_delivery_key_is_sent_once_even_when_dispatched_again(sam_installed, engine):
    bot = sam_installed
    await _enqueue(engine, "k1")
    await _enqueue(engine, "k1")  # the same key again: ignored
    assert await bot.services.notifier.dispatch() == 1
    assert await bot.services.notifier.dispatch() == 0
    assert [x.card_ids for x in bot.connector.sent] == [["proactive-test"]]
    row = await _status(engine, "k1")
    assert row.status == "sent" and row.activity_id and row.conversation_id == f"a:personal-{aad('0a1')}"


@pytest.mark.parametrize("status", [429, 412, 502, 503, 504])
async def test_retryable_statuses_are_retried(sam_installed, engine, status):
    bot = sam_installed
    bot.connector.fail_next = [status, status]
    await _enqueue(engine, f"retry-{status}")
    assert await bot.services.notifier.dispatch() == 1
    row = await _status(engine, f"retry-{status}")
    assert row.status == "sent" and len(bot.connector.sent) == 1


async def test_persistent_throttling_leaves_it_queued_for_the_sweeper(sam_installed, engine):
    bot = sam_installed
    bot.connector.fail_next = [429] * 3
    await _enqueue(engine, "later")
    assert await bot.services.notifier.dispatch() == 0
    row = await _status(engine, "later")
    assert row.status == "pending" and row.attempts == 1 and "429" in row.last_error


async def test_non_retryable_fails_and_unknown_recipient_is_recorded(sam_installed, engine):
    bot = sam_installed
    bot.connector.fail_next = [403]
    await _enqueue(engine, "forbidden")
    await _enqueue(engine, "nobody", recipient="never-installed")
    assert await bot.services.notifier.dispatch() == 0
    assert (await _status(engine, "forbidden")).status == "failed"
    assert (await _status(engine, "nobody")).status == "no_reference"


def test_backoff_honours_retry_after_and_caps():
    assert backoff(0, 3.0) == 3.0
    assert backoff(10, 9999) == 60.0
    assert all(0 <= backoff(n, None) <= min(60.0, 0.5 * 2 ** n) for n in range(12))


async def test_pacer_keeps_a_conversation_under_teams_limits():
    clock = [0.0]
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        clock[0] += seconds

    pacer = Pacer(clock=lambda: clock[0], sleep=fake_sleep)
    stamps = []
    for _ in range(70):
        await pacer.acquire("conv")
        stamps.append(clock[0])
    for i in range(len(stamps)):
        assert sum(1 for t in stamps if stamps[i] <= t < stamps[i] + 1.0) <= 7
        assert sum(1 for t in stamps if stamps[i] <= t < stamps[i] + 2.0) <= 8
        assert sum(1 for t in stamps if stamps[i] <= t < stamps[i] + 30.0) <= 60
    assert stamps[-1] >= 30.0  # the 61st message had to wait for the 30-second window
    await pacer.acquire("another")  # other conversations are not held up by this one's limit
    assert clock[0] == stamps[-1]


async def test_action_execute_is_routed_like_action_submit(bot):
    activity = message(None, service_url=bot.connector.url)
    activity.update({"type": "invoke", "name": "adaptiveCard/action",
                     "value": {"action": {"type": "Action.Execute", "verb": "menu.open", "data": {"target": "book"}}}})
    async with bot.http.post(f"{bot.url}/api/messages", json=activity) as resp:
        assert resp.status == 200
        body = await resp.json()
    assert body["statusCode"] == 200
    await bot.connector.wait_for(lambda s: any("not-yet" in x.card_ids for x in s))
    activity["value"] = {"action": {"type": "Action.Submit"}}
    async with bot.http.post(f"{bot.url}/api/messages", json=activity) as resp:
        assert resp.status == 400
