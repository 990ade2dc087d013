"""Questions put to the knowledge base and the feedback on answers, for staff to close gaps."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import utcnow
from storage.models import FaqQuery


async def record_query(*, session: AsyncSession, asker_aad_id: str | None, question: str | None,
                       entry_id: str | None, verdict: str, reason: str, score: float) -> FaqQuery:
    row = FaqQuery(asker_aad_id=asker_aad_id, question=(question or "")[:1000] or None, entry_id=entry_id,
                   verdict=verdict, reason=reason, score=round(score, 4))
    session.add(row)
    await session.flush()
    return row


async def own_query(*, session: AsyncSession, query_id: int, asker_aad_id: str) -> FaqQuery | None:
    """A query row only for the person who asked it (feedback from anyone else is refused)."""
    row = await session.get(FaqQuery, query_id)
    return row if row is not None and row.asker_aad_id == asker_aad_id else None


async def gaps(*, session: AsyncSession, since: datetime | None = None, limit: int = 200) -> list[FaqQuery]:
    """Unanswered questions (abstentions other than personal cases) and answers voted unhelpful."""
    query = select(FaqQuery).where(
        or_(FaqQuery.reason.in_(("low_confidence", "out_of_scope", "mismatch", "not_covered")), FaqQuery.helpful.is_(False),
            FaqQuery.forwarded_at.is_not(None))
    ).order_by(FaqQuery.at.desc()).limit(limit)
    if since is not None:
        query = query.where(FaqQuery.at >= since)
    return list((await session.execute(query)).scalars())


def mark_forwarded(row: FaqQuery) -> None:
    row.forwarded_at = row.forwarded_at or utcnow()


async def purge_before(*, session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(FaqQuery).where(FaqQuery.at < before))
    return result.rowcount
