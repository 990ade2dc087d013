"""The outbox dispatcher: messages to other people, sent after the reply, paced, retried, never silent.

A service commits a change together with the messages it causes (storage.outbox); the commit wakes this
dispatcher, which runs beside the request handlers in the same process (and in `vsbot worker`). Each pass
claims what is due, sends each conversation's messages in order and different conversations side by side,
and records every outcome:
  * 429 / 412 / 5xx / 401 / timeouts: retried, honouring Retry-After, else capped exponential back-off with
    jitter; the conversation waits, the others go on; after MAX_ATTEMPTS the message is `failed`.
  * Teams refused it for good (400, 403, 404) → `failed`; nobody to send to (never opened a chat) →
    `no_reference`. Either way the people concerned are told once (Escalation) and `vsbot outbox` lists it.
  * A claim older than the lease (an instance died mid-send) is taken over by the next pass. A live instance's
    claim can get that old too (a long queue to one chat waits for the pacer), so an aging claim is renewed just
    before its message is sent, and a message whose claim another instance took over is left to that instance.
  * Stopping: the send on the wire finishes, nothing new starts (a wait for the pacer ends at once), and what was
    claimed but not sent goes back to the queue at once, not counted as an attempt.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Awaitable, Callable

from bot.connector import BotConnector, ConnectorError
from bot.messages import card_activity_json, conversation_hash
from bot.pacing import Pacer
from cards.menu import undeliverable_card
from storage import conversations, outbox
from storage.clock import utcnow
from storage.db import statements_inline
from storage.models import Delivery
from storage.vocabulary import DeliveryOperation, DeliveryStatus

log = logging.getLogger("vsbot.sender")

MAX_ATTEMPTS = 8
BACKOFF_BASE, BACKOFF_CAP = 1.0, 300.0  # seconds: 1, 2, 4 ... capped at 5 minutes
POLL_SECONDS = 5.0  # the backstop: a pass at least this often even if nothing woke us
CONCURRENT_CONVERSATIONS = 32
CLAIM_BATCH = 100  # messages claimed at a time; a full batch means more may be waiting
SEND_TIMEOUT = 15.0
# A claim older than this is renewed just before its send, which then ends within RENEW_AFTER + SEND_TIMEOUT
# (30 s) of the claim or its renewal: 15 s of the lease to spare for hosts' clocks differing and slow writes.
RENEW_AFTER = outbox.CLAIM_LEASE - 2 * timedelta(seconds=SEND_TIMEOUT)


def backoff(attempt: int, retry_after: float | None) -> float:
    """Retry-After when Teams gives it, else exponential back-off with full jitter, capped."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), BACKOFF_CAP)
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt))


def _why(status: str, error: str | None) -> str:
    if status == DeliveryStatus.NO_REFERENCE:
        return "they have not opened a chat with the assistant yet"
    return f"Teams did not accept it ({error or 'unknown error'})"


class OutboxSender:
    def __init__(self, sessions, connector: BotConnector, *, holder: str | None = None,
                 clock: Callable[[], datetime] = utcnow, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 installer=None, reads=None):
        self.sessions = sessions
        # Reads (what is due, where people are) beside the one SQLite writer rather than taking it; the same
        # sessions where there is no such split (PostgreSQL, tests).
        self.reads = reads or sessions
        self.connector = connector
        # bot.graph.GraphInstaller when Microsoft Graph is configured: people with no chat get the app installed.
        self.installer = installer
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}"
        self.clock = clock
        self.pacer = Pacer(sleep=sleep)
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pass_lock = asyncio.Lock()
        self._inflight: set[asyncio.Future] = set()
        self._order: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)  # per recipient, across batches
        self._order_users: dict[str, int] = defaultdict(int)
        self._stopping = False
        self.send_timeout = SEND_TIMEOUT

    @contextlib.asynccontextmanager
    async def _writes(self):
        """A claim or an outcome: a few small statements, run on SQLite without a trip to its thread each
        (storage.db.statements_inline), so the one writer is not held across rounds of the busy event loop."""
        with statements_inline():
            async with self.sessions() as session:
                yield session

    @contextlib.asynccontextmanager
    async def _reads(self):
        """What is due, where people are: small reads beside the writer, on SQLite without a trip at all."""
        with statements_inline():
            async with self.reads() as session:
                yield session

    # --- running ------------------------------------------------------------------------------------
    def wake(self) -> None:
        """Called after a commit that queued messages (storage.db's hook); safe from any thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._wake.set()
        else:
            loop.call_soon_threadsafe(self._wake.set)

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = False
        self.pacer.resume()
        self._task = asyncio.create_task(self._run(), name="outbox-dispatcher")

    async def stop(self) -> None:
        """Let the sends on the wire finish and record their outcomes (a cancelled database call can strand its
        connection), start no more, and put the rest of the pass's claims back in the queue (_send_batch). The
        time limit is a backstop only: the pass ends as soon as its sends in flight do."""
        if self._task is None:
            return
        self._stopping = True
        self.pacer.halt()
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=self.send_timeout + 5)
        except asyncio.TimeoutError:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            timeout = await self._sleep_for()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()
            if self._stopping:
                return
            try:
                await self._pump()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a database blip must not stop the dispatcher; next pass retries
                log.exception("outbox pass failed")
                await asyncio.sleep(1.0)

    async def _pump(self) -> None:
        """Keep going while there is work, claiming the next batch while the last one is still being sent:
        with a single pass at a time the sender idled at every batch's tail (a fan-out of 2,000 cards reached
        only ~74% of Teams' rate). At most two batches are in flight; a conversation's messages stay in order."""
        previous: asyncio.Future | None = None
        try:
            while not self._stopping:
                claimed = await self._claim()
                if not claimed:
                    break
                current = self._track(asyncio.ensure_future(self._send_batch(claimed)))
                if previous is not None:
                    await previous
                previous = current
                if len(claimed) < CLAIM_BATCH:  # nothing more was waiting: finish this one before looking again
                    await current
                    previous = None
        finally:
            if previous is not None:
                await previous

    async def _sleep_for(self) -> float:
        try:
            async with self._reads() as session:
                due = await outbox.next_due_at(session=session)
        except Exception:  # noqa: BLE001 - poll again soon
            return POLL_SECONDS
        if due is None:
            return POLL_SECONDS
        return min(POLL_SECONDS, max(0.05, (due - self.clock()).total_seconds()))

    # --- one pass -------------------------------------------------------------------------------------
    async def dispatch_once(self) -> int:
        """Claim what is due and send it. Returns how many messages were delivered (sent or updated)."""
        claimed = await self._claim()
        if not claimed:
            return 0
        return await self._track(asyncio.ensure_future(self._send_batch(claimed)))

    async def _claim(self) -> list[Delivery]:
        async with self._pass_lock:  # one claim at a time in this process (SKIP LOCKED between processes)
            async with self._writes() as session:
                return await outbox.claim_due(session=session, holder=self.holder, now=self.clock(),
                                              limit=CLAIM_BATCH)

    def _track(self, batch: asyncio.Future) -> asyncio.Future:
        self._inflight.add(batch)
        batch.add_done_callback(self._inflight.discard)
        return batch

    async def _send_batch(self, claimed: list[Delivery]) -> int:
        by_recipient: dict[str, list[Delivery]] = defaultdict(list)
        for delivery in claimed:  # one conversation's messages go in order, one at a time
            by_recipient[delivery.recipient_aad_id].append(delivery)
        # Where to reach everyone in the batch, in one query rather than one a message.
        async with self._reads() as session:
            known = await conversations.get_references(session=session, scope=conversations.USER_SCOPE,
                                                       keys=list(by_recipient))
        gate = asyncio.Semaphore(CONCURRENT_CONVERSATIONS)

        async def run(recipient: str, deliveries: list[Delivery]) -> int:
            # A conversation's messages in a later batch wait for those of an earlier batch still in flight.
            self._order_users[recipient] += 1
            try:
                async with self._order[recipient], gate:
                    done = 0
                    for n, delivery in enumerate(deliveries):
                        if self._stopping:  # back in the queue now, for the next start or another instance
                            await self._release(deliveries[n:])
                            break
                        done += await self._deliver(delivery, known.get(recipient))
                    return done
            finally:
                self._order_users[recipient] -= 1
                if not self._order_users[recipient]:
                    del self._order_users[recipient], self._order[recipient]

        return sum(await asyncio.gather(*(run(r, d) for r, d in by_recipient.items())))

    async def _release(self, deliveries: list[Delivery]) -> None:
        async with self._writes() as session:
            await outbox.release(session=session, delivery_ids=[d.id for d in deliveries], holder=self.holder)

    async def drain(self, *, rounds: int = 20) -> int:
        """Dispatch until nothing is due (tests, `vsbot jobs run outbox`), and until nothing is in flight."""
        total = 0
        for _ in range(rounds):
            sent = await self.dispatch_once()
            total += sent
            if not sent:
                break
        while self._inflight:  # batches the background dispatcher is still sending
            await asyncio.gather(*list(self._inflight), return_exceptions=True)
        return total

    async def _deliver(self, delivery: Delivery, known_reference: dict | None = None) -> int:
        payload = outbox.payload_of(delivery)
        reference = payload.reference or known_reference
        if reference is None and self.installer is not None:
            reference = await self._install_for(delivery, payload)
            if reference is False:
                return 0  # Graph asked us to wait: back in the queue
        if reference is None:
            # Teams will not let a bot start a chat with someone who has not installed it; it waits for
            # them (sent when they first open a chat) and the people concerned are told now.
            await self._finish(delivery, DeliveryStatus.NO_REFERENCE, payload, error="no conversation")
            return 0
        conversation_id = (reference.get("conversation") or {}).get("id", "")
        service_url = reference.get("serviceUrl") or reference.get("service_url") or ""
        activity = payload.activity or card_activity_json(payload.card, summary=payload.summary)
        blocked = self.pacer.blocked_for(conversation_id)
        if blocked > 0:  # Teams asked us to wait for this chat: back in the queue, not an attempt
            async with self._writes() as session:
                await outbox.mark(session=session, delivery_id=delivery.id, status=DeliveryStatus.PENDING,
                                  holder=self.holder, refund_attempt=True,
                                  next_attempt_at=self.clock() + timedelta(seconds=blocked))
            return 0
        target = None
        if delivery.operation == DeliveryOperation.UPDATE:
            target = await self._update_target(delivery)
            if target is None:
                return 0
        if not await self.pacer.acquire(conversation_id):  # stopping
            await self._release([delivery])
            return 0
        # A claim can outlive its lease waiting for the pacer or for an earlier batch to this chat (60 per 30 s),
        # and another instance may then have taken it over: an old claim is sent only if renewed, so still ours.
        # Only old ones (a long queue to one chat, which goes at most 2 a second): renewing every claim put a write
        # and a database trip between the pacer and every send (measured: twice the 429s in the fan-out bench as
        # sends bunched, and 290 rather than 490 messages/s unpaced on SQLite's one writer).
        now = self.clock()
        if now - delivery.claimed_at >= RENEW_AFTER:
            async with self._writes() as session:
                if not await outbox.renew(session=session, delivery_id=delivery.id, holder=self.holder, now=now):
                    log.info("not sent delivery=%s: its claim was taken over by another instance", delivery.id)
                    return 0
            delivery.claimed_at = now
        try:
            if target is not None:
                sent = await self.connector.update(service_url, conversation_id, target, activity, timeout=self.send_timeout)
            else:
                sent = await self.connector.send(service_url, conversation_id, activity, timeout=self.send_timeout)
        except ConnectorError as exc:
            await self._failed_attempt(delivery, payload, conversation_id, exc)
            return 0
        async with self._writes() as session:  # whoever holds the claim now: it went out and must not go again
            await outbox.mark(session=session, delivery_id=delivery.id, status=DeliveryStatus.SENT,
                              activity_id=sent.id if delivery.operation == DeliveryOperation.SEND else None,
                              conversation_id=conversation_id)
        log.info("delivered delivery=%s op=%s conv=%s", delivery.id, delivery.operation, conversation_hash(conversation_id))
        return 1

    async def _install_for(self, delivery: Delivery, payload):
        """Install the app for a recipient with no chat (Microsoft Graph) and keep the chat it creates. None: it
        cannot be done (no such user, no permission); False: try again later (throttled, unreachable)."""
        from bot.graph import GraphError  # pylint: disable=import-outside-toplevel

        try:
            reference = await self.installer.reference_for(delivery.recipient_aad_id)
        except GraphError as exc:
            log.warning("graph install failed delivery=%s status=%s", delivery.id, exc.status or exc.reason)
            if exc.retryable and delivery.attempts < MAX_ATTEMPTS:
                async with self._writes() as session:
                    await outbox.mark(session=session, delivery_id=delivery.id, status=DeliveryStatus.PENDING,
                                      holder=self.holder, error=exc.reason[:200],
                                      next_attempt_at=self.clock() + timedelta(
                                          seconds=backoff(delivery.attempts - 1, exc.retry_after)))
                return False
            return None
        if reference is not None:
            async with self._writes() as session:
                await conversations.save_reference(session=session, scope=conversations.USER_SCOPE,
                                                   key=delivery.recipient_aad_id, reference=reference,
                                                   tenant_id=reference["conversation"].get("tenantId"))
                await session.commit()
        return reference

    async def _update_target(self, delivery: Delivery) -> str | None:
        """The message an update replaces. Waits for it if it is still queued; skipped if it never arrived
        or a newer update of it is queued (only the newest state matters)."""
        async with self._writes() as session:
            if await outbox.newer_update_exists(session=session, delivery=delivery):
                await outbox.mark(session=session, delivery_id=delivery.id, status=DeliveryStatus.SKIPPED,
                                  holder=self.holder)
                return None
            original = await outbox.get(session=session, key=delivery.updates_key or "")
            if original is not None and original.status == DeliveryStatus.SENT and original.activity_id:
                return original.activity_id
            if original is not None and original.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING):
                await outbox.mark(session=session, delivery_id=delivery.id, status=DeliveryStatus.PENDING,
                                  holder=self.holder, next_attempt_at=self.clock() + timedelta(seconds=2))
                return None
            await outbox.mark(session=session, delivery_id=delivery.id, status=DeliveryStatus.SKIPPED,
                              holder=self.holder, error="the message it updates was not delivered")
            return None

    async def _failed_attempt(self, delivery: Delivery, payload, conversation_id: str, exc: ConnectorError) -> None:
        log.warning("send failed delivery=%s attempt=%s status=%s", delivery.id, delivery.attempts,
                    exc.status or exc.reason)
        if exc.retryable and delivery.attempts < MAX_ATTEMPTS:
            wait = backoff(delivery.attempts - 1, exc.retry_after)
            if exc.status == 429 and exc.retry_after is not None:
                self.pacer.block(conversation_id, wait)  # the rest of this chat waits too; others do not
            async with self._writes() as session:
                await outbox.mark(session=session, delivery_id=delivery.id, status=DeliveryStatus.PENDING,
                                  holder=self.holder, error=exc.reason,
                                  next_attempt_at=self.clock() + timedelta(seconds=wait))
            return
        await self._finish(delivery, DeliveryStatus.FAILED, payload, error=exc.reason)

    async def _finish(self, delivery: Delivery, status: DeliveryStatus, payload, *, error: str) -> None:
        """A message that will not arrive: recorded, and the people concerned told once."""
        async with self._writes() as session:
            if not await outbox.mark(session=session, delivery_id=delivery.id, status=status, holder=self.holder,
                                     error=error):
                return  # another instance took the claim over: its outcome, and its telling, are its own
            escalation = payload.escalation
            if escalation and delivery.operation == DeliveryOperation.SEND:
                card = undeliverable_card(subject=escalation.subject, recipient_name=escalation.recipient_name,
                                          reason=_why(status, error))
                for person in escalation.to:
                    await outbox.enqueue(session=session, key=f"undeliverable:{delivery.key}:{person}"[:200],
                                         recipient_aad_id=person, card=card,
                                         summary="A message could not be delivered", referral_id=delivery.referral_id)
                await session.commit()
        log.warning("undelivered delivery=%s status=%s", delivery.id, status)

    # --- replies that could not be sent in the user's own turn -----------------------------------------
    async def enqueue_reply(self, *, key: str, recipient_aad_id: str, reference: dict, activity: dict) -> None:
        async with self._writes() as session:
            await outbox.enqueue(session=session, key=key, recipient_aad_id=recipient_aad_id or "-", card={},
                                 summary=activity.get("summary") or "", reference=reference, activity=activity)
            await session.commit()
        self.wake()
