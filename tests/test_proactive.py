"""The outbox sender: each message once, retried on 429/412/5xx/timeouts honouring Retry-After, paced, never
silent when it cannot be delivered; and Action.Execute routed like Action.Submit."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from aiohttp import web
from sqlalchemy import update

from bot.connector import BotConnector
from bot.pacing import Pacer
from bot.sender import BACKOFF_CAP, OutboxSender, backoff
from cards.menu import notice_card
from storage import conversations, outbox
from storage.clock import utcnow
from storage.db import create_engine, session_factory
from storage.models import Delivery
from tests.conftest import serve
from tests.utils.teams import TENANT, FakeConnector, aad, installation_update, message

SAM, MINA = aad("0a1"), aad("0d1")


async def _enqueue(bot, key: str, recipient: str = SAM, escalate_to: tuple[str, ...] = ()) -> None:
    async with bot.services.sessions() as session:  # the bot's own sessions: the commit wakes the sender
        await outbox.enqueue(session=session, key=key, recipient_aad_id=recipient,
                             card=notice_card("Hello", "Proactive test", card_id="proactive-test"), summary="Test",
                             escalation=outbox.Escalation(escalate_to, "a test message", "Someone") if escalate_to else None)
        await session.commit()


async def _row(engine, key: str):
    async with session_factory(engine)() as session:
        return await outbox.get(session=session, key=key)


async def _until(engine, key: str, status: str, timeout: float = 10.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        row = await _row(engine, key)
        if row is not None and row.status == status:
            return row
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{key} is {row.status if row else 'missing'}, not {status}")
        await asyncio.sleep(0.05)


@pytest.fixture
async def sam_installed(bot):
    for aad_id, name in ((SAM, "Sam Reed"), (MINA, "Mina Shah")):
        await bot.post(installation_update(service_url=bot.connector.url, aad_id=aad_id, name=name))
    await bot.connector.wait_for(lambda s: len(s) >= 2)
    bot.connector.clear()
    return bot


async def test_a_delivery_key_is_sent_once_even_when_queued_and_swept_again(sam_installed, engine):
    bot = sam_installed
    await _enqueue(bot, "k1")
    await _enqueue(bot, "k1")  # the same key again: ignored
    row = await _until(engine, "k1", "sent")
    assert await bot.sender.drain() == 0
    assert [x.card_ids for x in bot.connector.sent] == [["proactive-test"]]
    assert row.activity_id and row.conversation_id == f"a:personal-{SAM}"


@pytest.mark.parametrize("status", [429, 412, 500, 502, 503, 504])
async def test_retryable_statuses_are_retried_until_delivered(sam_installed, engine, status):
    bot = sam_installed
    bot.connector.fail_next = [status]
    await _enqueue(bot, f"retry-{status}")
    row = await _until(engine, f"retry-{status}", "sent")
    assert row.attempts == 2 and len(bot.connector.sent) == 1


async def test_retry_after_is_honoured_and_only_that_chat_waits(sam_installed, engine):
    bot = sam_installed
    bot.connector.fail_chat[f"a:personal-{SAM}"] = [(429, 20)]
    await _enqueue(bot, "throttled")
    await _enqueue(bot, "to-mina", recipient=MINA)
    await _until(engine, "to-mina", "sent")  # another chat is not held up
    row = await _until(engine, "throttled", "pending")
    assert row.last_error == "HTTP 429"
    wait = (row.next_attempt_at - utcnow()).total_seconds()
    assert 15 < wait <= 20


async def test_a_timeout_is_retried(sam_installed, engine):
    bot = sam_installed
    bot.connector.delay_next = [2.0]
    bot.sender.send_timeout = 0.5
    await _enqueue(bot, "slow")
    row = await _until(engine, "slow", "sent")
    assert row.attempts == 2


async def test_refused_and_undeliverable_messages_are_listed_and_escalated_once(sam_installed, engine):
    bot = sam_installed
    bot.connector.fail_next = [403]
    await _enqueue(bot, "forbidden", escalate_to=(MINA,))
    await _enqueue(bot, "nobody", recipient=aad("0b1"), escalate_to=(MINA,))  # Dana never opened a chat
    assert (await _until(engine, "forbidden", "failed")).last_error == "HTTP 403"
    await _until(engine, "nobody", "no_reference")
    await _until(engine, f"undeliverable:forbidden:{MINA}", "sent")
    await _until(engine, f"undeliverable:nobody:{MINA}", "sent")
    told = [x for x in bot.connector.sent if "undeliverable" in x.card_ids]
    assert len(told) == 2 and all(x.conversation_id == f"a:personal-{MINA}" for x in told)
    # Dana opens a chat with the bot: what waited for her goes out then.
    await bot.post(installation_update(service_url=bot.connector.url, aad_id=aad("0b1"), name="Dana Cole"))
    await _until(engine, "nobody", "sent")
    assert len([x for x in bot.connector.sent if "undeliverable" in x.card_ids]) == 2  # told once only


async def test_out_of_attempts_is_failed(sam_installed, engine):
    bot = sam_installed
    bot.connector.fail_next = [503]
    async with bot.services.sessions() as session:
        await outbox.enqueue(session=session, key="doomed", recipient_aad_id=SAM, card=notice_card("x", "y"), summary="x")
        await session.execute(update(Delivery).where(Delivery.key == "doomed").values(attempts=7))
        await session.commit()
    assert (await _until(engine, "doomed", "failed")).attempts == 8


async def test_a_claim_left_by_a_dead_instance_is_taken_over_within_a_minute(sam_installed, engine):
    bot = sam_installed
    async with session_factory(engine)() as session:
        await outbox.enqueue(session=session, key="orphan", recipient_aad_id=SAM, card=notice_card("x", "y"),
                             summary="x")
        await session.execute(update(Delivery).where(Delivery.key == "orphan").values(
            status="sending", claimed_by="dead-host:1", claimed_at=utcnow() - timedelta(seconds=50), attempts=1))
        await session.commit()
    assert (await _row(engine, "orphan")).status == "sending"
    await bot.sender.drain()
    row = await _until(engine, "orphan", "sent")
    assert row.attempts == 2 and len(bot.connector.sent) == 1


def test_backoff_honours_retry_after_and_caps():
    assert backoff(0, 3.0) == 3.0
    assert backoff(10, 9999) == BACKOFF_CAP
    assert all(0 <= backoff(n, None) <= min(BACKOFF_CAP, 2 ** n) for n in range(12))


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
    pacer.block("conv", 5.0)
    assert pacer.blocked_for("conv") == 5.0 and pacer.blocked_for("another") == 0.0


async def test_action_execute_is_routed_like_action_submit(bot):
    activity = message(None, service_url=bot.connector.url)
    activity.update({"type": "invoke", "name": "adaptiveCard/action",
                     "value": {"action": {"type": "Action.Execute", "verb": "menu.open", "data": {"target": "book"}}}})
    async with bot.http.post(f"{bot.url}/api/messages", json=activity) as resp:
        assert resp.status == 200
        body = await resp.json()
    assert body["statusCode"] == 200
    await bot.connector.wait_for(lambda s: any("surgery-booking" in x.card_ids for x in s))
    activity["value"] = {"action": {"type": "Action.Submit"}}
    async with bot.http.post(f"{bot.url}/api/messages", json=activity) as resp:
        assert resp.status == 400


# --- two instances, and stopping: driven directly (no bot), each sender on its own engine like a process ---------
class HeldOnTheWire(FakeConnector):
    """Holds the first message to `chat` until `release` is set: a send on the wire."""

    def __init__(self, chat: str):
        super().__init__()
        self.chat, self.arrived, self.release = chat, asyncio.Event(), asyncio.Event()

    async def _send(self, request: web.Request) -> web.Response:
        if request.match_info["cid"] == self.chat and not self.arrived.is_set():
            self.arrived.set()
            await self.release.wait()
        return await super()._send(request)


def _virtual_pacer(on_sleep=None) -> Pacer:
    """Teams' limits on a clock of its own that a wait moves on at once; `on_sleep` runs at each wait."""
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds
        if on_sleep is not None:
            await on_sleep()

    return Pacer(clock=lambda: now[0], sleep=sleep)


async def _queue(engine, url: str, count: dict[str, int]) -> list[str]:
    """`count[person]` messages to each person, who has a chat with the bot at `url`. Returns their keys in order."""
    keys = []
    async with session_factory(engine)() as session:
        for person, n in count.items():
            await conversations.save_reference(session=session, scope=conversations.USER_SCOPE, key=person,
                                               tenant_id=TENANT, reference={
                "serviceUrl": url, "channelId": "msteams", "bot": {"id": "28:bot"},
                "conversation": {"id": f"a:personal-{person}", "conversationType": "personal", "tenantId": TENANT},
                "user": {"id": f"29:{person}", "aadObjectId": person}})
            for i in range(n):
                key = f"{person[-3:]}-{i:03d}"
                await outbox.enqueue(session=session, key=key, recipient_aad_id=person, summary="x",
                                     card=notice_card("x", "y", card_id=key))
                keys.append(key)
        await session.commit()
    return keys


def _copies(connector: FakeConnector) -> Counter:
    return Counter(card_id for sent in connector.sent for card_id in sent.card_ids)


async def _statuses(engine, keys: list[str]) -> list[tuple[str, int, str | None]]:
    rows = [await _row(engine, key) for key in keys]
    return [(row.status, row.attempts, row.claimed_by) for row in rows]


async def test_stopping_finishes_the_send_on_the_wire_and_puts_the_rest_back_at_once(engine):
    """200 alerts for one person are paced over minutes: stopping must not wait for them (it waited its full 20 s
    and left them claimed for the 45-s lease). The send in flight finishes; the rest are pending again, not counted
    as attempts; the next instance sends them at once, and nothing arrives twice."""
    connector = HeldOnTheWire(f"a:personal-{MINA}")
    pacing = asyncio.Event()

    async def a_long_wait(_seconds: float) -> None:  # Sam's 8th message waits for the pacer (7 a second)
        pacing.set()
        await asyncio.Event().wait()

    async with serve(connector.app()) as url:
        connector.url = url
        keys = await _queue(engine, url, {SAM: 20, MINA: 1})
        sam, mina = keys[:20], keys[20]
        first = OutboxSender(session_factory(engine), BotConnector(None), holder="first", sleep=a_long_wait)
        first.start()
        stopping = None
        try:
            await asyncio.wait_for(asyncio.gather(pacing.wait(), connector.arrived.wait()), 10)
            stopping = asyncio.create_task(first.stop())
            # Sam's unsent messages are back in the queue while Mina's is still on the wire.
            await _until(engine, sam[-1], "pending")
            assert not stopping.done()
        finally:
            connector.release.set()
            await (stopping or first.stop())
            await first.connector.close()
        assert (await _row(engine, mina)).status == "sent"  # the send on the wire finished and was recorded
        assert await _statuses(engine, sam) == [("sent", 1, None)] * 7 + [("pending", 0, None)] * 13
        assert sorted(_copies(connector)) == sorted(sam[:7] + [mina])

        second = OutboxSender(session_factory(engine), BotConnector(None), holder="second")  # no lease to wait for
        second.pacer = _virtual_pacer()
        try:
            assert await second.drain() == 13
        finally:
            await second.connector.close()
    assert _copies(connector) == Counter({key: 1 for key in keys})


@pytest.mark.parametrize("waited, sent_by_one, taken_over", [(46, 7, 3), (30, 10, 0)])
async def test_a_claim_that_outlives_its_lease_is_sent_by_one_instance_only(engine, database_url, connector, waited,
                                                                            sent_by_one, taken_over):
    """Instance one claims Sam's 10 messages, sends 7 and waits for the pacer while `waited` seconds pass, and then
    instance two runs a pass. Past the 45-s lease, two takes the last 3 over as a dead instance's claims, and one,
    renewing each old claim just before its send, leaves them to it; within the lease, one renews and sends them.
    Either way each message arrives once."""
    keys = await _queue(engine, connector.url, {SAM: 10})
    now = [utcnow()]
    other_engine = create_engine(database_url)
    two = OutboxSender(session_factory(other_engine), BotConnector(None), holder="two", clock=lambda: now[0])
    two.pacer = _virtual_pacer()
    sent_by_two: list[int] = []

    async def meanwhile() -> None:  # at instance one's first wait for the pacer
        if not sent_by_two:
            now[0] += timedelta(seconds=waited)
            sent_by_two.append(await two.drain())

    one = OutboxSender(session_factory(engine), BotConnector(None), holder="one", clock=lambda: now[0])
    one.pacer = _virtual_pacer(on_sleep=meanwhile)
    try:
        delivered = await one.drain()
    finally:
        await one.connector.close()
        await two.connector.close()
        await other_engine.dispose()
    assert _copies(connector) == Counter({key: 1 for key in keys})
    assert (delivered, sent_by_two) == (sent_by_one, [taken_over])
    assert [status for status, _, _ in await _statuses(engine, keys)] == ["sent"] * 10
