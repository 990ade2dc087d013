"""The FAQ in Teams: answer cards for yes / no / partly, the not-sure fallback, feedback, forwarding."""
from __future__ import annotations

import json

from sqlalchemy import select

from storage.db import session_factory
from storage.models import FaqQuery
from tests.utils.teams import aad, installation_update, message, submit


def only_card(sent, card_id):
    cards = [x.cards[0] for x in sent if card_id in x.card_ids]
    assert cards, f"no {card_id} card in {[x.card_ids for x in sent]}"
    return cards[-1]


async def ask(bot, text, aad_id=aad("0a1")):
    bot.connector.clear()
    await bot.post(message(text, service_url=bot.connector.url, aad_id=aad_id))
    return await bot.connector.wait_for(lambda s: any(c.startswith("faq-") for x in s for c in x.card_ids))


def verdict_of(card):
    return card["body"][0]["text"], card["body"][0]["color"]


async def test_yes_answer_card(bot):
    card = only_card(await ask(bot, "Does the Virtual School chair PEP meetings?"), "faq-answer")
    assert verdict_of(card) == ("Yes", "Good")
    assert "PEP" in card["body"][1]["text"]
    assert any(b.get("text", "").startswith("Source:") for b in card["body"])
    assert [a["data"]["action"] for a in card["actions"]][-2:] == ["faq.feedback", "faq.feedback"]


async def test_no_answer_card_with_instead(bot):
    card = only_card(await ask(bot, "will the virtual school sort out school transport for my pupil?"), "faq-answer")
    assert verdict_of(card) == ("No", "Attention")
    assert any(b.get("text", "").startswith("**Instead:**") for b in card["body"])


async def test_partly_answer_card(bot):
    kb = bot.services.knowledge.kb
    partly = next(e for e in kb if e.verdict == "partly")
    card = only_card(await ask(bot, partly.phrasings[0]), "faq-answer")
    assert verdict_of(card) == ("Partly", "Warning")
    assert card["body"][1]["text"] == partly.title


async def test_typed_ask_command_and_typos(bot):
    card = only_card(await ask(bot, "ask do you chiar pep meetngs"), "faq-answer")
    assert verdict_of(card)[0] == "Yes"


async def test_out_of_scope_gets_no_verdict_and_is_logged_for_staff(bot, engine):
    sent = await ask(bot, "what's the weather like in Harrow tomorrow?")
    card = only_card(sent, "faq-unsure")
    assert "Yes" not in [b.get("text") for b in card["body"]] and "No" not in [b.get("text") for b in card["body"]]
    assert card["actions"][-1]["data"]["action"] == "faq.forward"
    async with session_factory(engine)() as session:
        row = (await session.execute(select(FaqQuery))).scalar_one()
    assert row.verdict == "unknown" and row.question.startswith("what's the weather")


async def test_low_confidence_offers_three_closest_questions(bot):
    sent = await ask(bot, "what about school?")
    card = only_card(sent, "faq-unsure")
    picks = [a for a in card["actions"] if a["data"]["action"] == "faq.pick"]
    assert len(picks) == 3
    bot.connector.clear()
    await bot.post(submit(picks[0]["data"], service_url=bot.connector.url))
    sent = await bot.connector.wait_for(lambda s: any("faq-answer" in x.card_ids for x in s))
    assert only_card(sent, "faq-answer")["body"][1]["text"] == bot.services.knowledge.kb.get(picks[0]["data"]["entry_id"]).title


async def test_personal_case_is_not_answered_and_not_stored(bot, engine):
    sent = await ask(bot, "Is Jake Smith going to be excluded from Meadow Lane?")
    only_card(sent, "faq-personal")
    async with session_factory(engine)() as session:
        row = (await session.execute(select(FaqQuery))).scalar_one()
    assert row.question is None and row.reason == "personal_case"


async def test_feedback_is_stored_and_forged_feedback_refused(bot, engine):
    card = only_card(await ask(bot, "Do you chair PEP meetings?"), "faq-answer")
    no_vote = next(a["data"] for a in card["actions"] if a["data"].get("helpful") == "no")
    bot.connector.clear()
    await bot.post(submit(no_vote, service_url=bot.connector.url))
    await bot.connector.wait_for(lambda s: any("Thanks" in x.text for x in s))
    bot.connector.clear()
    await bot.post(submit(no_vote | {"helpful": "yes"}, service_url=bot.connector.url, aad_id=aad("0b1")))  # not theirs
    await bot.post(submit(no_vote | {"query_id": "99999"}, service_url=bot.connector.url))
    await bot.connector.wait_for(lambda s: len([x for x in s if "not valid" in x.text]) == 2)
    async with session_factory(engine)() as session:
        row = (await session.execute(select(FaqQuery))).scalar_one()
    assert row.helpful is False


async def test_forward_to_the_virtual_school(bot, engine):
    for persona, name in (("0d1", "Mina Shah"), ("0e1", "Virtual School Admin")):
        await bot.post(installation_update(service_url=bot.connector.url, aad_id=aad(persona), name=name))
    card = only_card(await ask(bot, "what's the weather like in Harrow tomorrow?"), "faq-unsure")
    forward = card["actions"][-1]["data"]
    bot.connector.clear()
    await bot.post(submit(forward, service_url=bot.connector.url))
    sent = await bot.connector.wait_for(lambda s: len([x for x in s if "faq-forwarded" in x.card_ids]) == 2
                                        and any("passed your question" in x.text for x in s))
    staff_card = only_card(sent, "faq-forwarded")
    assert "weather" in json.dumps(staff_card) and "Sam Reed" in json.dumps(staff_card)


async def test_staff_edit_is_picked_up_without_restart_and_a_broken_edit_is_refused(bot, tmp_path):
    import os

    import yaml

    from dialogs.faq.knowledge.loader import DEFAULT_KB_PATH
    from dialogs.faq.service import KnowledgeHolder

    path = tmp_path / "kb.yaml"
    data = yaml.safe_load(DEFAULT_KB_PATH.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    bot.services.knowledge = KnowledgeHolder(path)
    only_card(await ask(bot, "do you run holiday activity camps in the summer?"), "faq-unsure")

    data["entries"].append({
        "id": "holiday-camps", "title": "Does the Virtual School run summer holiday activity camps?",
        "phrasings": ["Do you run summer camps?", "Are there holiday activity camps?", "Summer holiday activities camp"],
        "verdict": "no", "answer": "No. The Virtual School does not run holiday activity camps.",
        "instead": "The local authority's holiday activities programme.", "cohorts": ["cwsw"],
        "source": "004_78a1ed2eeea5494f.txt", "actions": []})
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    os.utime(path, ns=(1, os.stat(path).st_mtime_ns + 10_000_000))
    card = only_card(await ask(bot, "do you run holiday activity camps in the summer?"), "faq-answer")
    assert card["body"][1]["text"] == "Does the Virtual School run summer holiday activity camps?"

    path.write_text("entries: [this is: not valid", encoding="utf-8")
    os.utime(path, ns=(1, os.stat(path).st_mtime_ns + 20_000_000))
    card = only_card(await ask(bot, "do you run holiday activity camps in the summer?"), "faq-answer")
    assert card["body"][1]["text"] == "Does the Virtual School run summer holiday activity camps?"
