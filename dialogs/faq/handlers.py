"""Answer one question from the knowledge base, record it for staff, and handle the answer card's buttons
(feedback, "did you mean", pass to the Virtual School). Every button is checked on the server."""
from __future__ import annotations

import logging

from sqlalchemy import select

from bot.messages import card_activity
from bot.services import Services
from cards.faq import answer_card, forwarded_staff_card, personal_case_card, unavailable_card, unsure_card
from dialogs.common.intents import actor_id
from storage import faq_log, outbox
from storage.models import StaffMember

log = logging.getLogger("vsbot.faq")


def _store(services: Services):
    store = services.knowledge
    if store is not None:
        try:
            store.reload_if_changed()  # staff edits take effect without a restart; a bad edit keeps the old KB
        except Exception as exc:  # noqa: BLE001 - KnowledgeBaseError or a file error: keep answering
            log.error("knowledge base reload failed, keeping the previous version: %s", exc)
    return store


async def send_answer(context, services: Services, question: str) -> None:
    store = _store(services)
    if store is None:
        await context.send_activity(card_activity(unavailable_card()))
        return
    answer = store.answer(question)
    keep_text = answer.reason != "personal_case"  # a child's details are not kept
    async with services.sessions() as session:
        row = await faq_log.record_query(
            session=session, asker_aad_id=actor_id(context), question=question if keep_text else None,
            entry_id=answer.entry.id if answer.entry else None, verdict=answer.verdict, reason=answer.reason,
            score=answer.score)
        await session.commit()
    log.info("faq answered query=%s entry=%s verdict=%s reason=%s score=%.2f", row.id,
             answer.entry.id if answer.entry else "-", answer.verdict, answer.reason, answer.score)
    if answer.entry is not None and answer.verdict in ("yes", "no", "partly"):
        card = answer_card(entry=answer.entry, query_id=row.id)
    elif answer.reason == "personal_case":
        card = personal_case_card()
    else:
        card = unsure_card(question=question, suggestions=list(answer.suggestions), query_id=row.id,
                           out_of_scope=answer.reason == "out_of_scope")
    await context.send_activity(card_activity(card, summary=answer.entry.title if answer.entry else "Question"))


async def _own_query(context, session, value: dict):
    """The query row a card's button refers to, only if the person pressing it asked that question."""
    try:
        query_id = int(value.get("query_id"))
    except (TypeError, ValueError):
        return None
    return await faq_log.own_query(session=session, query_id=query_id, asker_aad_id=actor_id(context))


async def on_feedback(context, services: Services, value: dict) -> None:
    helpful = {"yes": True, "no": False}.get(str(value.get("helpful")))
    async with services.sessions() as session:
        row = await _own_query(context, session, value)
        if row is None or helpful is None:
            await context.send_activity("That feedback button is not valid, so nothing was recorded.")
            return
        row.helpful = helpful
        await session.commit()
    await context.send_activity("Thanks — noted." if helpful else
                                "Thanks for telling us. The Virtual School reviews unhelpful answers to improve them.")


async def on_pick(context, services: Services, value: dict) -> None:
    store = _store(services)
    entry = store.kb.get(str(value.get("entry_id") or "")) if store else None
    if entry is None:
        await context.send_activity("That question is no longer in the knowledge base. Type your question again.")
        return
    async with services.sessions() as session:
        row = await faq_log.record_query(session=session, asker_aad_id=actor_id(context), question=entry.title,
                                         entry_id=entry.id, verdict=entry.verdict, reason="picked", score=1.0)
        await session.commit()
    await context.send_activity(card_activity(answer_card(entry=entry, query_id=row.id), summary=entry.title))


async def on_forward(context, services: Services, value: dict) -> None:
    async with services.sessions() as session:
        row = await _own_query(context, session, value)
        if row is None or not row.question:
            await context.send_activity("I can't pass that on, so nothing was sent.")
            return
        already = row.forwarded_at is not None
        faq_log.mark_forwarded(row)
        recipients = (await session.execute(select(StaffMember.aad_object_id).where(
            StaffMember.role.in_(("admin", "manager")), StaffMember.active.is_(True)))).scalars().all()
        asker_name = (context.activity.from_property.name if context.activity.from_property else None) or "A Teams user"
        keys = []
        for recipient in recipients:
            key = f"faq:{row.id}:forward:{recipient}"
            await outbox.enqueue(session=session, key=key, recipient_aad_id=recipient, summary="A question for the Virtual School",
                                 card=forwarded_staff_card(question=row.question, query_id=row.id, asker_name=asker_name))
            keys.append(key)
        await session.commit()
    if keys and services.notifier and not already:
        await services.notifier.dispatch(keys)
    await context.send_activity("I've passed your question to the Virtual School; someone will reply to you in Teams."
                                if recipients else "I've noted your question for the Virtual School team.")


ACTIONS = {"faq.feedback": on_feedback, "faq.pick": on_pick, "faq.forward": on_forward}
