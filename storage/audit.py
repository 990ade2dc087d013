"""Audit rows: who read or changed what. Ids and codes only — never names or free text."""
from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEvent


def record(
    *,
    session: AsyncSession,
    actor_aad_id: str | None,
    action: str,
    entity_type: str,
    entity_id: str | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    row = AuditEvent(
        actor_aad_id=actor_aad_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        detail=json.dumps(detail, sort_keys=True) if detail else None,
    )
    session.add(row)
    return row
