"""Answer one question from the knowledge base and handle the answer card's buttons (feedback, "did you
mean", pass to the Virtual School). Every button is checked on the server."""
from __future__ import annotations

from cards.faq import answer_card, faq_card, unavailable_card
from dialogs.common.services import Services
from dialogs.common.turn import Turn
from dialogs.faq import service


async def send_answer(turn: Turn, services: Services, question: str) -> None:
    answered = await service.answer(services, asker_aad_id=turn.actor_id, question=question)
    if answered is None:
        await turn.reply(unavailable_card())
        return
    answer = answered.answer
    card = faq_card(answer=answer, question=question, query_id=answered.query_id)
    await turn.reply(card, summary=answer.entry.title if answer.entry else "Question")


async def on_question(turn: Turn, services: Services, value: dict) -> None:
    await send_answer(turn, services, str(value.get("question") or turn.text))


async def on_feedback(turn: Turn, services: Services, value: dict) -> None:
    helpful = {"yes": True, "no": False}.get(str(value.get("helpful")))
    if helpful is None or not await service.feedback(services, asker_aad_id=turn.actor_id,
                                                     query_id=value.get("query_id"), helpful=helpful):
        await turn.reply("That feedback button is not valid, so nothing was recorded.")
        return
    await turn.reply("Thanks — noted." if helpful else
                     "Thanks for telling us. The Virtual School reviews unhelpful answers to improve them.")


async def on_pick(turn: Turn, services: Services, value: dict) -> None:
    holder = services.knowledge
    entry = holder.kb.get(str(value.get("entry_id") or "")) if holder else None
    if entry is None:
        await turn.reply("That question is no longer in the knowledge base. Type your question again.")
        return
    query_id = await service.record_pick(services, asker_aad_id=turn.actor_id, entry=entry)
    await turn.reply(answer_card(entry=entry, query_id=query_id), summary=entry.title)


async def on_forward(turn: Turn, services: Services, value: dict) -> None:
    forwarded = await service.forward(services, asker_aad_id=turn.actor_id, asker_name=turn.actor_name,
                                      query_id=value.get("query_id"))
    if not forwarded.ok:
        await turn.reply("I can't pass that on, so nothing was sent.")
        return
    await turn.reply("I've passed your question to the Virtual School; someone will reply to you in Teams."
                     if forwarded.recipients else "I've noted your question for the Virtual School team.")
