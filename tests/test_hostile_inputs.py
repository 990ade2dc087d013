"""Small inputs that broke things: NUL and control characters in a referral (PostgreSQL refused it on every retry
while the user was told "nothing you entered has been lost"), ids too large for the database (an apology
instead of a refusal), and lengths judged on a truncated text ("you have 5000" for 100,000 characters)."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from storage.db import session_factory
from storage.models import FaqQuery, Referral
from tests.test_referrals import (
    NAMES,
    SAM,
    WEST,
    _action_data,
    _officer_card,
    cards_to,
    count_referrals,
    installed,  # noqa: F401 - fixture
    make_referral,
    open_form,
    valid_form,
)
from tests.utils.teams import message, submit

HUGE_ID = "99999999999999999999"


async def test_nul_and_control_characters_never_reach_the_database(installed, engine):  # noqa: F811
    bot = installed
    token = await open_form(bot)
    await bot.post(submit(valid_form(token, child_first_name="Ava\x00", child_last_name="Ex\u200bample",
                                     school_name="Meadow\x00 Lane\x07 Primary", details="Out of school\x00 since May.\x1b"),
                          service_url=bot.connector.url))
    sent = await bot.connector.wait_for(lambda s: cards_to(s, SAM, "referral-confirmation") or
                                        any("went wrong" in x.text for x in s))
    assert not any("went wrong" in x.text for x in sent)
    async with session_factory(engine)() as session:
        referral = (await session.execute(select(Referral))).scalar_one()
    assert (referral.child_first_name, referral.child_last_name) == ("Ava", "Example")
    assert referral.school_name == "Meadow Lane Primary" and referral.details == "Out of school since May."
    await bot.post(message("does the virtual school\x00 arrange school transport?\x00", service_url=bot.connector.url))
    await bot.connector.wait_for(lambda s: any("faq-answer" in x.card_ids for x in s))
    async with session_factory(engine)() as session:
        questions = (await session.execute(select(FaqQuery.question))).scalars().all()
    assert questions and not any("\x00" in (q or "") for q in questions)


async def test_ids_too_large_for_the_database_are_refused_not_apologised_for(installed, engine):  # noqa: F811
    bot = installed
    await make_referral(bot)
    card = (await _officer_card(bot)).cards[0]
    cases = [
        ({**_action_data(card, "Reassign"), "locality_id": HUGE_ID}, WEST, "choose a different locality"),
        ({**_action_data(card, "Reassign"), "locality_id": int(HUGE_ID)}, WEST, "choose a different locality"),
        ({**_action_data(card, "Accept"), "version": HUGE_ID}, WEST, "card is not valid"),
        ({**_action_data(card, "Accept"), "version": True}, WEST, "card is not valid"),
        ({"action": "faq.feedback", "query_id": HUGE_ID, "helpful": "yes"}, SAM, "not valid"),
        ({"action": "faq.feedback", "query_id": int(HUGE_ID), "helpful": "no"}, SAM, "not valid"),
        ({"action": "faq.forward", "query_id": HUGE_ID}, SAM, "can't pass that on"),
        ({"action": "faq.forward", "query_id": -1}, SAM, "can't pass that on"),
    ]
    for data, who, expected in cases:
        bot.connector.clear()
        resp = await bot.post(submit(data, service_url=bot.connector.url, aad_id=who, name=NAMES[who]))
        assert resp.status == 201
        sent = await bot.connector.wait_for(lambda s: any(x.text for x in s))
        texts = " ".join(x.text for x in sent)
        assert expected in texts and "went wrong" not in texts, (data, texts)
    async with session_factory(engine)() as session:
        referral = (await session.execute(select(Referral))).scalar_one()
    assert referral.status == "new" and referral.version == 1


@pytest.mark.parametrize("length", [4_001, 5_000, 100_000])
async def test_lengths_are_judged_on_the_whole_text(installed, engine, length):  # noqa: F811
    bot = installed
    token = await open_form(bot)
    await bot.post(submit(valid_form(token, details="x" * length), service_url=bot.connector.url))
    sent = await bot.connector.wait_for(lambda s: any("referral-form" in x.card_ids for x in s))
    form = sent[-1].cards[0]
    text = json.dumps(form)
    assert f"(you have {length})" in text
    inputs = {b["id"]: b for b in form["body"] if b.get("id")}
    assert inputs["details"]["value"] == "x" * min(length, 5_000)  # what is shown back is cut to fit a card
    assert await count_referrals(engine) == 0
