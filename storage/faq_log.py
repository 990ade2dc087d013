"""Questions put to the knowledge base and the feedback on answers, for staff to close gaps."""
from __future__ import annotations

import asyncio
import logging
import re
import uuid
from datetime import datetime

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.clock import utcnow
from storage.models import FaqQuery

log = logging.getLogger("vsbot.faq_log")
_REF = re.compile(r"[0-9a-f]{32}")


def query_values(*, asker_aad_id: str | None, question: str | None, entry_id: str | None, verdict: str, reason: str,
                 score: float, ref: str | None = None) -> dict:
    """A question's row, as it is kept (the text cut to the column, the score rounded)."""
    return {"ref": ref, "at": utcnow(), "asker_aad_id": asker_aad_id, "question": (question or "")[:1000] or None,
            "entry_id": entry_id, "verdict": verdict, "reason": reason, "score": round(score, 4)}


def query_row(**values) -> FaqQuery:
    return FaqQuery(**query_values(**values))


async def record_query(*, session: AsyncSession, asker_aad_id: str | None, question: str | None,
                       entry_id: str | None, verdict: str, reason: str, score: float) -> FaqQuery:
    row = query_row(asker_aad_id=asker_aad_id, question=question, entry_id=entry_id, verdict=verdict, reason=reason,
                    score=score)
    session.add(row)
    await session.flush()
    return row


def is_ref(raw) -> bool:
    return isinstance(raw, str) and _REF.fullmatch(raw) is not None


async def own_query(*, session: AsyncSession, query_id: int | str, asker_aad_id: str) -> FaqQuery | None:
    """A query row only for the person who asked it (feedback from anyone else is refused). `query_id` is a row's
    ref (what cards carry) or its id (cards sent before refs existed)."""
    if isinstance(query_id, str):
        row = (await session.execute(select(FaqQuery).where(FaqQuery.ref == query_id))).scalar_one_or_none()
    else:
        row = await session.get(FaqQuery, query_id)
    return row if row is not None and row.asker_aad_id == asker_aad_id else None


class QueryLog:
    """Questions are recorded off the turn's path: `record` returns the row's ref at once and the rows are written
    together, `delay` seconds later, in one transaction (a row and a commit each turn were a fifth of a FAQ turn,
    measured). A crash loses at most the last `delay` seconds of rows, which are statistics for staff, never a
    referral or a booking. `delay` 0 writes each row before `record` returns."""

    def __init__(self, sessions, *, delay: float):
        self._sessions = sessions
        self._delay = delay
        # Plain values, inserted in one statement: making an ORM object per question was 4 % of a FAQ turn (measured).
        self._pending: list[dict] = []
        self._timer: asyncio.Task | None = None
        self._lock = asyncio.Lock()

    async def record(self, *, asker_aad_id: str | None, question: str | None, entry_id: str | None, verdict: str,
                     reason: str, score: float) -> str:
        ref = uuid.uuid4().hex
        self._pending.append(query_values(ref=ref, asker_aad_id=asker_aad_id, question=question, entry_id=entry_id,
                                          verdict=verdict, reason=reason, score=score))
        if self._delay <= 0:
            await self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().create_task(self._flush_later())
        return ref

    async def _flush_later(self) -> None:
        try:
            await asyncio.sleep(self._delay)
        finally:
            self._timer = None  # rows recorded from here on schedule the next write
        await self.flush()

    async def flush(self) -> int:
        """Write what is pending (before a lookup by ref, and at shutdown). Returns the rows written."""
        async with self._lock:
            rows, self._pending = self._pending, []
            if not rows:
                return 0
            try:
                async with self._sessions() as session:
                    await session.execute(insert(FaqQuery), rows)
                    await session.commit()
            except Exception as exc:  # noqa: BLE001 - statistics: logged and dropped, never a user's error
                log.error("faq questions not recorded rows=%s error=%s", len(rows), type(exc).__name__)
                return 0
            return len(rows)

    async def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        await self.flush()


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
