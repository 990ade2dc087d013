"""Outbox of proactive messages (see models.Delivery): enqueue in the change's transaction, claim, mark."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import utcnow
from storage.models import Delivery

STALE_CLAIM = timedelta(minutes=5)  # a claim this old belongs to an instance that died mid-send


async def enqueue(*, session: AsyncSession, key: str, recipient_aad_id: str, card: dict, summary: str,
                  referral_id: int | None = None) -> bool:
    """Add a message unless one with this key exists. True when added."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(Delivery).values(
            key=key, recipient_aad_id=recipient_aad_id, referral_id=referral_id,
            payload=json.dumps({"card": card, "summary": summary}), status="pending", attempts=0,
            next_attempt_at=utcnow(), created_at=utcnow(),
        ).on_conflict_do_nothing(index_elements=["key"])
    )
    return result.rowcount == 1


async def claim_due(*, session: AsyncSession, holder: str, now: datetime | None = None,
                    keys: list[str] | None = None, limit: int = 50) -> list[Delivery]:
    """Claim pending messages that are due (and stale claims), so no other instance sends them."""
    now = now or utcnow()
    query = select(Delivery).where(
        or_(
            (Delivery.status == "pending") & (Delivery.next_attempt_at <= now),
            (Delivery.status == "sending") & (Delivery.claimed_at < now - STALE_CLAIM),
        )
    ).order_by(Delivery.id).limit(limit)
    if keys is not None:
        query = query.where(Delivery.key.in_(keys))
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list((await session.execute(query)).scalars())
    for row in rows:
        row.status, row.claimed_by, row.claimed_at = "sending", holder, now
        row.attempts += 1
    await session.commit()
    return rows


async def mark(*, session: AsyncSession, delivery_id: int, status: str, activity_id: str | None = None,
               conversation_id: str | None = None, error: str | None = None,
               next_attempt_at: datetime | None = None) -> None:
    values: dict = {"status": status, "last_error": error}
    if status == "sent":
        values.update(sent_at=utcnow(), activity_id=activity_id, conversation_id=conversation_id)
    if next_attempt_at is not None:
        values["next_attempt_at"] = next_attempt_at
    await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))
    await session.commit()


async def get(*, session: AsyncSession, key: str) -> Delivery | None:
    return (await session.execute(select(Delivery).where(Delivery.key == key))).scalar_one_or_none()


def payload_of(delivery: Delivery) -> tuple[dict, str]:
    data = json.loads(delivery.payload)
    return data["card"], data.get("summary") or ""


async def undelivered(*, session: AsyncSession, limit: int = 200) -> list[Delivery]:
    """Messages that have not reached their recipient: failed, no chat with the bot yet, or still queued."""
    return list((await session.execute(
        select(Delivery).where(Delivery.status.in_(("failed", "no_reference", "pending", "sending")))
        .order_by(Delivery.created_at.desc()).limit(limit))).scalars())
