"""Proactive messages: from the outbox to Teams, paced, retried, each sent at most once.

botbuilder has no retry (any non-2xx raises) and its pipeline would hand a failed send to on_turn_error,
so the send happens inside our callback and the outcome is carried out of it."""
from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
from datetime import timedelta

import aiohttp
from botbuilder.core import TurnContext

from bot.adapter import conversation_hash
from bot.messages import card_activity, reference_from_dict
from bot.pacing import Pacer
from bot.services import Services
from storage import conversations, outbox
from storage.clock import utcnow

log = logging.getLogger("vsbot.proactive")

RETRYABLE = frozenset({412, 429, 502, 503, 504})
MAX_ATTEMPTS = 8
INLINE_TRIES = 3  # tries within one dispatch before leaving the message to the outbox sweeper
BACKOFF_BASE, BACKOFF_CAP = 0.5, 60.0


def backoff(attempt: int, retry_after: float | None) -> float:
    """Retry-After when Teams gives it, else exponential back-off with full jitter, capped."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), BACKOFF_CAP)
    return random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt))


def _status_and_retry_after(exc: BaseException) -> tuple[int | None, float | None]:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(exc, "status", None)
    headers = getattr(response, "headers", None) or {}
    retry_after = None
    try:
        if headers.get("Retry-After") is not None:
            retry_after = float(headers.get("Retry-After"))
    except (TypeError, ValueError):
        retry_after = None
    return status, retry_after


class Notifier:
    def __init__(self, adapter, services: Services, *, sleep=asyncio.sleep):
        self.adapter = adapter
        self.services = services
        self.pacer = Pacer(sleep=sleep)
        self._sleep = sleep
        self.holder = f"{socket.gethostname()}:{os.getpid()}"

    async def dispatch(self, keys: list[str] | None = None) -> int:
        """Send what is due (only `keys` if given). Returns how many were sent."""
        async with self.services.sessions() as session:
            claimed = await outbox.claim_due(session=session, holder=self.holder, keys=keys)
        sent = 0
        for delivery in claimed:
            sent += await self._deliver(delivery)
        return sent

    async def _deliver(self, delivery) -> int:
        async with self.services.sessions() as session:
            reference = await conversations.get_reference(
                session=session, scope=conversations.USER_SCOPE, key=delivery.recipient_aad_id)
            if reference is None:
                # The person has never opened a chat with the bot: Teams will not let us start one without
                # the app installed for them. Kept visible for staff (status no_reference), not retried.
                await outbox.mark(session=session, delivery_id=delivery.id, status="no_reference")
                log.warning("no conversation reference for recipient delivery=%s", delivery.id)
                return 0
        card, summary = outbox.payload_of(delivery)
        conversation_id = (reference.get("conversation") or {}).get("id", "")
        attempts = delivery.attempts
        for try_number in range(INLINE_TRIES):
            await self.pacer.acquire(conversation_id)
            activity_id, error = await self._send_once(reference, card, summary)
            if error is None:
                async with self.services.sessions() as session:
                    await outbox.mark(session=session, delivery_id=delivery.id, status="sent",
                                      activity_id=activity_id, conversation_id=conversation_id)
                log.info("sent delivery=%s conv=%s", delivery.id, conversation_hash(conversation_id))
                return 1
            status, retry_after = _status_and_retry_after(error)
            retryable = status in RETRYABLE or isinstance(error, (aiohttp.ClientError, asyncio.TimeoutError, OSError))
            log.warning("send failed delivery=%s status=%s error=%s", delivery.id, status, type(error).__name__)
            if not retryable or attempts + try_number + 1 >= MAX_ATTEMPTS:
                async with self.services.sessions() as session:
                    await outbox.mark(session=session, delivery_id=delivery.id, status="failed",
                                      error=f"{type(error).__name__} {status or ''}".strip())
                return 0
            wait = backoff(attempts + try_number, retry_after)
            if try_number + 1 < INLINE_TRIES:
                await self._sleep(wait)
                continue
            async with self.services.sessions() as session:
                await outbox.mark(session=session, delivery_id=delivery.id, status="pending",
                                  error=f"{type(error).__name__} {status or ''}".strip(),
                                  next_attempt_at=utcnow() + timedelta(seconds=wait))
        return 0

    async def _send_once(self, reference: dict, card: dict, summary: str) -> tuple[str | None, BaseException | None]:
        outcome: dict = {}

        async def callback(turn_context: TurnContext) -> None:
            try:
                response = await turn_context.send_activity(card_activity(card, summary=summary))
                outcome["id"] = response.id if response else None
            except Exception as exc:  # noqa: BLE001 - carried out of the pipeline and classified above
                outcome["error"] = exc

        try:
            await self.adapter.continue_conversation(reference_from_dict(reference), callback,
                                                     self.services.settings.app_id)
        except Exception as exc:  # noqa: BLE001 - e.g. token acquisition failed
            return None, exc
        return outcome.get("id"), outcome.get("error")

    async def update(self, delivery, card: dict) -> bool:
        """Replace a message we sent earlier (e.g. an officer's referral card after an action)."""
        if not delivery.activity_id:
            return False
        async with self.services.sessions() as session:
            reference = await conversations.get_reference(
                session=session, scope=conversations.USER_SCOPE, key=delivery.recipient_aad_id)
        if reference is None:
            return False
        outcome: dict = {}

        async def callback(turn_context: TurnContext) -> None:
            activity = card_activity(card)
            activity.id = delivery.activity_id
            try:
                await turn_context.update_activity(activity)
            except Exception as exc:  # noqa: BLE001 - a failed refresh must not undo the change itself
                outcome["error"] = exc

        await self.pacer.acquire((reference.get("conversation") or {}).get("id", ""))
        await self.adapter.continue_conversation(reference_from_dict(reference), callback,
                                                 self.services.settings.app_id)
        if "error" in outcome:
            log.warning("card update failed delivery=%s error=%s", delivery.id, type(outcome["error"]).__name__)
            return False
        return True
