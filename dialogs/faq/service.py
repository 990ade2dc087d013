"""FAQ service: the knowledge base held for the bot (reloaded off the event loop when staff edit it), answering
and logging a question, feedback, and passing a question to staff. No botbuilder, no SQL."""
from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cards.faq import forwarded_staff_card
from dialogs.common.ids import card_id
from dialogs.common.services import Services
from dialogs.faq.knowledge.loader import DEFAULT_KB_PATH, KnowledgeBaseError, KnowledgeBaseStore
from dialogs.faq.knowledge.matcher import Answer
from storage import directory, faq_log, outbox
from storage.models import FaqQuery
from storage.vocabulary import Role

log = logging.getLogger("vsbot.faq")


class KnowledgeHolder:
    """The current knowledge base. A staff edit is loaded in a worker thread (parsing takes ~0.2 s and must
    not stall other people's turns); a broken file is reported once and never re-parsed until it changes
    again, while the previous version keeps answering."""

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path) if path is not None else DEFAULT_KB_PATH
        self._store = KnowledgeBaseStore(self.path)  # an invalid file at start-up is an error: raise
        self._seen_mtime = self._mtime()
        self._reload: asyncio.Task | None = None
        self.last_problems: list[str] = []

    @property
    def kb(self):
        return self._store.kb

    def answer(self, question: str) -> Answer:
        return self._store.answer(question)

    def _mtime(self) -> int:
        try:
            return self.path.stat().st_mtime_ns
        except OSError:
            return 0

    async def refresh(self) -> None:
        """Reload if the file changed since it was last seen (a stat per question: microseconds)."""
        if self._reload is not None:
            await asyncio.shield(self._reload)  # a reload already running: answer with its result
            return
        mtime = self._mtime()
        if mtime == self._seen_mtime:
            return
        self._seen_mtime = mtime  # seen, whatever the outcome: a broken file is parsed once, not per question
        self._reload = asyncio.create_task(self._load_in_thread())
        try:
            await asyncio.shield(self._reload)
        finally:
            self._reload = None

    async def _load_in_thread(self) -> None:
        try:
            kb = await asyncio.to_thread(self._store.reload)
        except (KnowledgeBaseError, OSError) as exc:
            self.last_problems = list(getattr(exc, "problems", [str(exc)]))
            log.error("knowledge base edit refused, the previous version keeps answering: %s problem(s): %s",
                      len(self.last_problems), "; ".join(self.last_problems[:5]))
            return
        self.last_problems = []
        log.info("knowledge base reloaded: %s entries, version %s", len(kb), kb.version[:12])


def load_knowledge(path: str | None = None) -> KnowledgeHolder | None:
    """A broken knowledge base must not take referrals down with it: log the problems loudly and run
    without answers (the FAQ says it cannot answer; /readyz reports it)."""
    try:
        return KnowledgeHolder(path)
    except (KnowledgeBaseError, OSError) as exc:
        log.error("knowledge base not loaded: %s", exc)
        return None


@dataclass(frozen=True)
class Answered:
    answer: Answer
    query_id: str  # the recorded question's ref, which the card's buttons carry


def query_log(services: Services) -> faq_log.QueryLog:
    if services.query_log is None:
        services.query_log = faq_log.QueryLog(services.sessions, delay=0)
    return services.query_log


async def answer(services: Services, *, asker_aad_id: str, question: str) -> Answered | None:
    """Answer and record the question for staff (its text is not kept when it is about a particular child).
    None when there is no knowledge base to answer from."""
    holder: KnowledgeHolder | None = services.knowledge
    if holder is None:
        return None
    await holder.refresh()
    result = holder.answer(question)
    shown = result.entry or result.offered
    # A child's details, or a parent's words about their own child, are never kept (Answer.keep_text).
    ref = await query_log(services).record(
        asker_aad_id=asker_aad_id, question=question if result.keep_text else None,
        entry_id=shown.id if shown else None, verdict=result.verdict, reason=result.reason, score=result.score)
    log.info("faq answered query=%s entry=%s verdict=%s reason=%s score=%.2f", ref,
             shown.id if shown else "-", result.verdict, result.reason, result.score)
    return Answered(result, ref)


async def record_pick(services: Services, *, asker_aad_id: str, entry) -> str:
    return await query_log(services).record(asker_aad_id=asker_aad_id, question=entry.title, entry_id=entry.id,
                                            verdict=entry.verdict, reason="picked", score=1.0)


async def _query_id(services: Services, raw) -> int | str | None:
    """A ref (what cards carry; the row is written first if it is still waiting), an id the database could hold
    (cards from before refs), or None: a refusal."""
    if faq_log.is_ref(raw):
        await query_log(services).flush()
        return raw
    return card_id(raw)


async def feedback(services: Services, *, asker_aad_id: str, query_id, helpful: bool) -> bool:
    """Record a vote on the asker's own question; False when the button is not theirs (or not valid)."""
    qid = await _query_id(services, query_id)
    if qid is None:
        return False
    async with services.sessions() as session:
        row = await faq_log.own_query(session=session, query_id=qid, asker_aad_id=asker_aad_id)
        if row is None:
            return False
        row.helpful = helpful
        await session.commit()
    return True


@dataclass(frozen=True)
class Forwarded:
    ok: bool
    recipients: int = 0


async def forward(services: Services, *, asker_aad_id: str, asker_name: str | None, query_id) -> Forwarded:
    """Pass the asker's own unanswered question to Virtual School managers and admins (once)."""
    qid = await _query_id(services, query_id)
    if qid is None:
        return Forwarded(False)
    async with services.sessions() as session:
        row: FaqQuery | None = await faq_log.own_query(session=session, query_id=qid, asker_aad_id=asker_aad_id)
        if row is None or not row.question:
            return Forwarded(False)
        faq_log.mark_forwarded(row)
        recipients = await directory.staff_with_roles(session=session, roles=(Role.MANAGER, Role.ADMIN))
        for recipient in recipients:
            await outbox.enqueue(session=session, key=f"faq:{row.id}:forward:{recipient}", recipient_aad_id=recipient,
                                 summary="A question for the Virtual School",
                                 card=forwarded_staff_card(question=row.question, query_id=row.id,
                                                           asker_name=asker_name or "A Teams user"))
        await session.commit()
    return Forwarded(True, len(recipients))
