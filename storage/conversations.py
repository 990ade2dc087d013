"""Stored ConversationReferences for proactive messages, per user and per team channel."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import utcnow
from storage.models import ConversationRef

USER_SCOPE = "user"
CHANNEL_SCOPE = "channel"


async def save_reference(
    *, session: AsyncSession, scope: str, key: str, reference: dict, tenant_id: str | None
) -> ConversationRef:
    row = (
        await session.execute(select(ConversationRef).where(ConversationRef.scope == scope, ConversationRef.key == key))
    ).scalar_one_or_none()
    payload = json.dumps(reference, sort_keys=True)
    if row is None:
        row = ConversationRef(scope=scope, key=key, reference=payload, tenant_id=tenant_id)
        session.add(row)
    elif row.reference != payload or row.tenant_id != tenant_id:
        row.reference, row.tenant_id, row.updated_at = payload, tenant_id, utcnow()
    return row


async def get_reference(*, session: AsyncSession, scope: str, key: str) -> dict | None:
    row = (
        await session.execute(select(ConversationRef).where(ConversationRef.scope == scope, ConversationRef.key == key))
    ).scalar_one_or_none()
    return json.loads(row.reference) if row else None


async def get_references(*, session: AsyncSession, scope: str, keys: list[str]) -> dict[str, dict]:
    """Many people's references in one query (the outbox sender's batches); those with none are absent."""
    found: dict[str, dict] = {}
    for start in range(0, len(keys), 500):
        rows = (await session.execute(select(ConversationRef.key, ConversationRef.reference).where(
            ConversationRef.scope == scope, ConversationRef.key.in_(keys[start:start + 500])))).all()
        found.update({row.key: json.loads(row.reference) for row in rows})
    return found
