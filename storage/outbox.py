"""Outbox of proactive messages (see models.Delivery).

A change and the messages that announce it are written in one transaction (`enqueue`); a dispatcher
outside the user's request claims what is due (`claim_due`), sends it and records the outcome (`mark`).
Keys are unique, so a job run twice or a replayed action never queues a message twice."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, cast, delete, exists, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import utcnow
from storage.models import Delivery, FaqQuery
from storage.vocabulary import UNDELIVERED_STATUSES, DeliveryOperation, DeliveryStatus

# A claim older than this belongs to an instance that died mid-send and is taken over. A live claim can get
# this old (a long queue to one chat is paced at 60 per 30 s), so the dispatcher renews an aging claim just before
# its send (`renew`) and sends only if that succeeds; the send then ends well within the lease (bot.sender).
CLAIM_LEASE = timedelta(seconds=45)
SESSION_FLAG = "outbox_enqueued"  # set on the session's info; storage.db wakes the dispatcher after commit


@dataclass(frozen=True)
class Escalation:
    """Who is told, once, if this message cannot be delivered (for a referral: the manager)."""

    to: tuple[str, ...]
    subject: str  # what the message was about, e.g. "referral VS-2026-00042" (never a child's name)
    recipient_name: str | None = None  # how the escalation card names the intended recipient


@dataclass(frozen=True)
class Payload:
    card: dict
    summary: str
    reference: dict | None = None  # a conversation to post to instead of the recipient's personal chat
    escalation: Escalation | None = None
    activity: dict | None = None  # a whole message (a reply queued after its turn) instead of card + summary


def _insert(session: AsyncSession):
    return pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


async def enqueue(*, session: AsyncSession, key: str, recipient_aad_id: str, card: dict, summary: str,
                  referral_id: int | None = None, reference: dict | None = None,
                  escalation: Escalation | None = None, updates_key: str | None = None,
                  not_before: datetime | None = None, activity: dict | None = None) -> bool:
    """Add a message unless one with this key exists. True when added. `updates_key` makes it an update
    in place of the message with that key (a refreshed card)."""
    now = utcnow()
    payload = {"card": card, "summary": summary}
    if reference is not None:
        payload["reference"] = reference
    if activity is not None:
        payload["activity"] = activity
    if escalation is not None:
        payload["escalation"] = {"to": list(escalation.to), "subject": escalation.subject,
                                 "recipient_name": escalation.recipient_name}
    result = await session.execute(
        _insert(session)(Delivery).values(
            key=key, recipient_aad_id=recipient_aad_id, referral_id=referral_id, payload=json.dumps(payload),
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=not_before or now, created_at=now,
            operation=DeliveryOperation.UPDATE if updates_key else DeliveryOperation.SEND, updates_key=updates_key,
        ).on_conflict_do_nothing(index_elements=["key"])
    )
    session.info[SESSION_FLAG] = True
    return result.rowcount == 1


def payload_of(delivery: Delivery) -> Payload:
    data = json.loads(delivery.payload)
    escalation = data.get("escalation")
    return Payload(card=data.get("card") or {}, summary=data.get("summary") or "", reference=data.get("reference"),
                   activity=data.get("activity"),
                   escalation=Escalation(tuple(escalation["to"]), escalation["subject"], escalation.get("recipient_name"))
                   if escalation else None)


async def claim_due(*, session: AsyncSession, holder: str, now: datetime | None = None, limit: int = 100) -> list[Delivery]:
    """Claim pending messages that are due (and stale claims), so no other instance sends them. Commits."""
    now = now or utcnow()
    query = select(Delivery).where(
        or_(
            (Delivery.status == DeliveryStatus.PENDING) & (Delivery.next_attempt_at <= now),
            (Delivery.status == DeliveryStatus.SENDING) & (Delivery.claimed_at < now - CLAIM_LEASE),
        )
    ).order_by(Delivery.id).limit(limit)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list((await session.execute(query)).scalars())
    for row in rows:
        row.status, row.claimed_by, row.claimed_at = DeliveryStatus.SENDING, holder, now
        row.attempts += 1
    await session.commit()
    return rows


async def renew(*, session: AsyncSession, delivery_id: int, holder: str, now: datetime) -> bool:
    """Just before sending: True if `holder` still holds the claim, which is fresh again for the send's duration.
    False: it went stale and another instance took it over (or it was settled), so it must not be sent here."""
    result = await session.execute(
        update(Delivery).where(Delivery.id == delivery_id, Delivery.claimed_by == holder,
                               Delivery.status == DeliveryStatus.SENDING).values(claimed_at=now))
    await session.commit()
    return result.rowcount == 1


async def release(*, session: AsyncSession, delivery_ids: list[int], holder: str) -> int:
    """Claims `holder` will not send after all (it is stopping): pending again at once rather than at the lease's
    end, and not counted as an attempt. Claims it no longer holds are left alone. Commits."""
    if not delivery_ids:
        return 0
    result = await session.execute(
        update(Delivery).where(Delivery.id.in_(delivery_ids), Delivery.claimed_by == holder,
                               Delivery.status == DeliveryStatus.SENDING)
        .values(status=DeliveryStatus.PENDING, attempts=Delivery.attempts - 1, claimed_by=None, claimed_at=None))
    await session.commit()
    return result.rowcount


async def next_due_at(*, session: AsyncSession) -> datetime | None:
    """When the earliest pending message falls due (the dispatcher sleeps until then, or until woken)."""
    return (await session.execute(
        select(Delivery.next_attempt_at).where(Delivery.status == DeliveryStatus.PENDING)
        .order_by(Delivery.next_attempt_at).limit(1))).scalar_one_or_none()


async def mark(*, session: AsyncSession, delivery_id: int, status: DeliveryStatus, holder: str | None = None,
               activity_id: str | None = None, conversation_id: str | None = None, error: str | None = None,
               next_attempt_at: datetime | None = None, refund_attempt: bool = False) -> bool:
    """Record an outcome. With `holder`, only if this instance still holds the claim (False otherwise).
    `refund_attempt`: the claim did not try to send (it was held back), so it does not count as an attempt."""
    values: dict = {"status": status, "last_error": error}
    if refund_attempt:
        values["attempts"] = Delivery.attempts - 1
    if status == DeliveryStatus.SENT:
        values.update(sent_at=utcnow(), activity_id=activity_id, conversation_id=conversation_id, last_error=None)
    if status != DeliveryStatus.SENDING:
        values.update(claimed_by=None, claimed_at=None)
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    statement = update(Delivery).where(Delivery.id == delivery_id)
    if holder is not None:
        statement = statement.where(Delivery.claimed_by == holder, Delivery.status == DeliveryStatus.SENDING)
    result = await session.execute(statement.values(**values))
    await session.commit()
    return result.rowcount == 1


async def get(*, session: AsyncSession, key: str) -> Delivery | None:
    return (await session.execute(select(Delivery).where(Delivery.key == key))).scalar_one_or_none()


async def newer_update_exists(*, session: AsyncSession, delivery: Delivery) -> bool:
    """An update superseded by a later update of the same message need not be sent at all."""
    return (await session.execute(select(Delivery.id).where(
        Delivery.updates_key == delivery.updates_key, Delivery.id > delivery.id).limit(1))).first() is not None


async def requeue_for(*, session: AsyncSession, recipient_aad_id: str) -> int:
    """A person who had never opened a chat with the bot just did: what waited for them goes out now."""
    result = await session.execute(
        update(Delivery).where(Delivery.recipient_aad_id == recipient_aad_id,
                               Delivery.status == DeliveryStatus.NO_REFERENCE)
        .values(status=DeliveryStatus.PENDING, next_attempt_at=utcnow(), attempts=0))
    if result.rowcount:
        session.info[SESSION_FLAG] = True
    return result.rowcount


async def sent_copies(*, session: AsyncSession, key_prefix: str) -> list[Delivery]:
    """Messages already delivered whose key starts with this prefix (e.g. every officer card of a referral)."""
    return list((await session.execute(select(Delivery).where(
        Delivery.key.like(f"{key_prefix}%"), Delivery.operation == DeliveryOperation.SEND,
        Delivery.status.in_((DeliveryStatus.SENT, DeliveryStatus.PENDING, DeliveryStatus.SENDING)))
        .order_by(Delivery.id))).scalars())


async def undelivered(*, session: AsyncSession, limit: int = 200) -> list[Delivery]:
    """Messages that have not reached their recipient: failed, no chat with the bot yet, or still queued."""
    return list((await session.execute(
        select(Delivery).where(Delivery.status.in_(tuple(UNDELIVERED_STATUSES)))
        .order_by(Delivery.created_at.desc()).limit(limit))).scalars())


async def purge_payloads(*, session: AsyncSession, sent_before: datetime) -> int:
    """Messages that will not be sent again keep their key and outcome, not their content, past retention:
    delivered, skipped and failed ones, and ones whose recipient never opened a chat (those expire: sending
    a months-old card when someone first opens a chat would do more harm than good). Pending and in-flight
    messages keep theirs until they are sent."""
    expired = await session.execute(
        update(Delivery).where(Delivery.status == DeliveryStatus.NO_REFERENCE, Delivery.created_at < sent_before)
        .values(status=DeliveryStatus.SKIPPED, last_error="expired: the recipient never opened a chat"))
    result = await session.execute(
        update(Delivery).where(Delivery.status.in_((DeliveryStatus.SENT, DeliveryStatus.SKIPPED, DeliveryStatus.FAILED)),
                               Delivery.created_at < sent_before, Delivery.payload != "{}")
        .values(payload="{}"))
    return max(result.rowcount, expired.rowcount)


async def purge_faq_forwards(*, session: AsyncSession) -> int:
    """Questions passed to staff (`faq:<query id>:forward:<recipient>`) carry the question and the asker's name:
    they go with their question when the FAQ log's retention removes it."""
    still_kept = exists().where(Delivery.key.like(literal("faq:") + cast(FaqQuery.id, String) + literal(":%")))
    result = await session.execute(delete(Delivery).where(Delivery.key.like("faq:%:forward:%"), ~still_kept)
                                   .execution_options(synchronize_session=False))
    return result.rowcount


async def delete_for_referrals(*, session: AsyncSession, referral_ids: list[int]) -> None:
    await session.execute(delete(Delivery).where(Delivery.referral_id.in_(referral_ids)))


async def enqueue_many(*, session: AsyncSession, messages: list[dict]) -> int:
    """Many messages at once (a job's fan-out): each a dict of `key`, `recipient_aad_id`, `card`, `summary`.
    Keys that exist are skipped, as with `enqueue`. Returns how many were added."""
    if not messages:
        return 0
    now = utcnow()
    rows = [{"key": m["key"], "recipient_aad_id": m["recipient_aad_id"], "referral_id": None,
             "payload": json.dumps({"card": m["card"], "summary": m["summary"]}), "status": DeliveryStatus.PENDING,
             "attempts": 0, "next_attempt_at": now, "created_at": now, "operation": DeliveryOperation.SEND,
             "updates_key": None} for m in messages]
    result = await session.execute(_insert(session)(Delivery).on_conflict_do_nothing(index_elements=["key"])
                                   .returning(Delivery.id), rows)
    added = len(result.all())
    if added:
        session.info[SESSION_FLAG] = True
    return added
