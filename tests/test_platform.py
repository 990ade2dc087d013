"""The platform's shape, over HTTP on both databases: messages to other people go after the reply and survive
throttling and transient errors; a saved referral always reaches its referrer; conversations people actually
have (a question mid-form, help, cancel); typed text stays text."""
from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

from sqlalchemy import func, select, update

from storage.clock import utcnow
from storage.db import session_factory
from storage.models import Delivery, Referral
from tests.test_referrals import (
    NAMES,
    SAM,
    WEST,
    _action_data,
    _officer_card,
    cards_to,
    installed,  # noqa: F401 - fixture
    make_referral,
    open_form,
    personal,
    valid_form,
)
from tests.utils.teams import card_fields, message, submit


async def _delivery(engine, key_like: str) -> list[Delivery]:
    async with session_factory(engine)() as session:
        return list((await session.execute(select(Delivery).where(Delivery.key.like(key_like)))).scalars())


async def test_officer_accept_answers_fast_while_the_referrers_chat_is_throttled(installed, engine):  # noqa: F811
    bot = installed
    await make_referral(bot)
    card = (await _officer_card(bot)).cards[0]
    bot.connector.clear()
    bot.connector.fail_chat[personal(SAM)] = [(429, 20)]
    started = time.perf_counter()
    response = await bot.post(submit(_action_data(card, "Accept"), service_url=bot.connector.url, aad_id=WEST,
                                     name=NAMES[WEST]))
    elapsed = time.perf_counter() - started
    assert response.status in (200, 201) and elapsed < 2.0, elapsed
    await bot.connector.wait_for(lambda s: any("Done: you accepted" in x.text for x in s))
    # The referrer's chat said "wait 20 s": the update waits for it, nobody else does.
    deadline = asyncio.get_running_loop().time() + 5
    while True:
        [row] = await _delivery(engine, "referral:%:referrer:%")
        if row.last_error == "HTTP 429" or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(0.05)
    assert row.status == "pending" and 15 < (row.next_attempt_at - utcnow()).total_seconds() <= 20
    assert not cards_to(bot.connector.sent, SAM, "referral-update")
    # Twenty seconds pass (moved on rather than waited out); the chat has recovered: told exactly once.
    async with session_factory(engine)() as session:
        await session.execute(update(Delivery).where(Delivery.id == row.id).values(next_attempt_at=utcnow()))
        await session.commit()
    bot.sender.pacer.unblock(personal(SAM))
    bot.sender.wake()
    await bot.connector.wait_for(lambda s: cards_to(s, SAM, "referral-update"))
    await bot.sender.drain()
    assert len(cards_to(bot.connector.sent, SAM, "referral-update")) == 1


async def test_one_server_error_then_success_delivers_the_officers_card_within_a_minute(installed, engine):  # noqa: F811
    bot = installed
    bot.connector.fail_chat[personal(WEST)] = [500]
    await make_referral(bot)
    await bot.connector.wait_for(lambda s: cards_to(s, WEST, "referral-officer"), timeout=60)
    await bot.sender.drain()  # the connector has the card; the sender may not have recorded it yet
    [row] = await _delivery(engine, "referral:%:officer:%")
    assert row.status == "sent" and row.attempts == 2


async def test_throttled_confirmation_still_brings_the_reference_to_the_referrer(installed, engine):  # noqa: F811
    bot = installed
    token = await open_form(bot)
    # The form is closed in place (two tries) and the confirmation replied (three tries): all throttled.
    bot.connector.fail_chat[personal(SAM)] = [(429, None)] * 5
    response = await bot.post(submit(valid_form(token), service_url=bot.connector.url))
    assert response.status in (200, 201)
    sent = await bot.connector.wait_for(lambda s: cards_to(s, SAM, "referral-confirmation"), timeout=30)
    assert card_fields(cards_to(sent, SAM, "referral-confirmation")[0].cards[0])["Reference"] == "VS-2026-00001"
    assert not any("something went wrong" in x.text.lower() for x in sent)
    await bot.sender.drain()  # the connector has the card; the sender may not have recorded it yet
    [fallback] = await _delivery(engine, "reply:%")
    assert fallback.status == "sent"


async def test_a_question_mid_form_is_answered_and_the_form_still_submits(installed, engine):  # noqa: F811
    bot = installed
    token = await open_form(bot)
    await bot.post(message("does the virtual school arrange school transport?", service_url=bot.connector.url))
    sent = await bot.connector.wait_for(lambda s: any("faq-answer" in x.card_ids for x in s)
                                        and any("still open above" in x.text for x in s))
    assert not any("Please fill in" in x.text for x in sent)
    await bot.post(message("help", service_url=bot.connector.url))
    sent = await bot.connector.wait_for(lambda s: any("flow-help" in x.card_ids for x in s))
    assert "Send referral" in json.dumps([x.cards for x in sent if "flow-help" in x.card_ids])
    await bot.post(submit(valid_form(token), service_url=bot.connector.url))
    await bot.connector.wait_for(lambda s: cards_to(s, SAM, "referral-confirmation"))
    async with session_factory(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(Referral)) == 1


async def test_cancel_closes_the_form_card_in_place(installed):  # noqa: F811
    bot = installed
    await bot.post(message("refer", service_url=bot.connector.url))
    sent = await bot.connector.wait_for(lambda s: any("referral-form" in x.card_ids for x in s))
    form = next(x for x in sent if "referral-form" in x.card_ids)
    bot.connector.clear()
    await bot.post(message("cancel", service_url=bot.connector.url))
    sent = await bot.connector.wait_for(lambda s: any(x.method == "PUT" for x in s) and any("cancelled" in x.text for x in s))
    put = next(x for x in sent if x.method == "PUT")
    assert put.id == form.id and put.card_ids == ["referral-form-closed"]


async def test_a_childs_name_written_as_a_markdown_link_is_refused(installed, engine):  # noqa: F811
    bot = installed
    token = await open_form(bot)
    await bot.post(submit(valid_form(token, child_first_name="A[x](https://evil.example)"), service_url=bot.connector.url))
    sent = await bot.connector.wait_for(lambda s: any("referral-form" in x.card_ids for x in s))
    form = [x for x in sent if "referral-form" in x.card_ids][-1].cards[0]
    assert "letters, spaces, hyphens and apostrophes" in json.dumps(form)
    async with session_factory(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(Referral)) == 0


async def test_display_names_and_typed_text_reach_the_officer_as_plain_text(installed):  # noqa: F811
    bot = installed
    evil = "[Click me](https://evil.example) **now**"
    await bot.post(message("refer", service_url=bot.connector.url, aad_id="outside-1", name=evil))
    sent = await bot.connector.wait_for(lambda s: any("referral-form" in x.card_ids for x in s))
    token = [x for x in sent if "referral-form" in x.card_ids][-1].cards[0]["actions"][0]["data"]["token"]
    await bot.post(submit(valid_form(token, referrer_role="dsl", is_allocated_sw="false", social_worker_name=evil,
                                     social_worker_email="sw@example.org", school_name=evil, details=evil),
                          service_url=bot.connector.url, aad_id="outside-1", name=evil))
    officer = (await bot.connector.wait_for(lambda s: cards_to(s, WEST, "referral-officer")))
    card = cards_to(officer, WEST, "referral-officer")[0].cards[0]

    def markdown_places(node):
        """Every string Teams would render as markdown: TextBlock text and FactSet values."""
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                yield node.get("text", "")
            if node.get("type") == "FactSet":
                yield from (f["value"] for f in node.get("facts", []))
            for value in node.values():
                yield from markdown_places(value)
        elif isinstance(node, list):
            for value in node:
                yield from markdown_places(value)

    assert not [t for t in markdown_places(card) if "evil.example" in t or "Click me" in t]
    assert evil in json.dumps(card)  # shown, as plain text (TextRuns)
    welcome = [x for x in bot.connector.sent if "welcome" in x.card_ids and x.conversation_id == "a:personal-outside-1"]
    assert welcome and not [t for t in markdown_places(welcome[0].cards[0]) if "evil" in t]


async def test_control_and_invisible_characters_are_stripped_from_every_input(installed, engine):  # noqa: F811
    bot = installed
    token = await open_form(bot)
    dirty = valid_form(token, child_first_name="A\u200bva\u0000", school_name="Meadow\u202e Lane\u0007",
                       details="Line one\r\nline two\u0000")
    await bot.post(submit(dirty, service_url=bot.connector.url))
    await bot.connector.wait_for(lambda s: cards_to(s, SAM, "referral-confirmation"))
    async with session_factory(engine)() as session:
        referral = (await session.execute(select(Referral))).scalar_one()
    assert (referral.child_first_name, referral.school_name, referral.details) == (
        "Ava", "Meadow Lane", "Line one\nline two")


async def test_no_retry_storm_after_the_outbox_takes_a_reply(installed, engine):  # noqa: F811
    """A reply that failed in its turn is sent once by the outbox, not again by a later sweep."""
    bot = installed
    bot.connector.fail_chat[personal(SAM)] = [(503, None)] * 3
    await bot.post(message("help", service_url=bot.connector.url))
    await bot.connector.wait_for(lambda s: any("main-menu" in x.card_ids for x in s), timeout=30)
    async with session_factory(engine)() as session:
        await session.execute(update(Delivery).values(next_attempt_at=utcnow() - timedelta(minutes=1)))
        await session.commit()
    await bot.sender.drain()
    assert len([x for x in bot.connector.sent if "main-menu" in x.card_ids]) == 1
