"""Referrals day to day, over HTTP on both databases: the information loop (the officer asks, the referrer
replies in the bot), duplicates (an open referral for the same child), lists people can tell apart with rows
that open the details card, and withdrawal. Real app, real activities, fake connector."""
from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text

from bot.jobs import run_job
from storage import referrals
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import AuditEvent, Delivery, Referral, ReferralEvent
from tests.test_referrals import (
    DANA,
    MINA,
    NAMES,
    NORTH,
    SAM,
    SOUTH,
    WEST,
    _action_data,
    _officer_card,
    another_child,
    cards_to,
    count_referrals,
    installed,  # noqa: F401 - fixture
    make_referral,
    open_form,
    personal,
    valid_form,
)
from tests.utils.teams import aad, card_fields, message, submit

ADMIN = aad("0e1")
QUESTION = "Which *school* is he on roll at {now}? [link](https://evil.example)"
REPLY = "Meadow Lane, two days a week — **since** {October}. <at>x</at>"


# --- helpers --------------------------------------------------------------------------------------------
def post_as(bot, who: str, value: dict | None = None, text: str | None = None, reply_to_id: str | None = None):
    if value is not None:
        return bot.post(submit(value, service_url=bot.connector.url, aad_id=who, name=NAMES.get(who, "Someone"),
                               reply_to_id=reply_to_id))
    return bot.post(message(text, service_url=bot.connector.url, aad_id=who, name=NAMES.get(who, "Someone")))


def texts_to(sent, who: str) -> list[str]:
    return [x.text for x in sent if x.conversation_id == personal(who) and x.text]


def puts(sent, card_id: str) -> list:
    return [x for x in sent if x.method == "PUT" and card_id in x.card_ids]


def runs(card: dict) -> list[str]:
    """Every TextRun's text (typed text lives only there)."""
    out: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "TextRun":
                out.append(node.get("text", ""))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return out


def markdown_places(node):
    """Every string Teams renders as markdown: TextBlock text and FactSet values."""
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


def submit_data(card: dict, title: str) -> dict:
    """The data of a card's button (inside an opened ShowCard too)."""
    def walk(actions):
        for action in actions or []:
            if action.get("title") == title and action["type"] == "Action.Submit":
                return dict(action["data"])
            if action["type"] == "Action.ShowCard":
                found = walk(action["card"].get("actions"))
                if found:
                    return found
        return None

    found = walk(card.get("actions"))
    assert found is not None, f"no button {title!r} in {[a.get('title') for a in card.get('actions', [])]}"
    return found


def input_ids(card: dict) -> set[str]:
    ids: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input.") and node.get("id"):
                ids.add(node["id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return ids


async def audit_rows(engine, action: str, entity_id: str | None = None) -> list[AuditEvent]:
    async with session_factory(engine)() as session:
        query = select(AuditEvent).where(AuditEvent.action == action)
        if entity_id is not None:
            query = query.where(AuditEvent.entity_id == entity_id)
        return list((await session.execute(query.order_by(AuditEvent.id))).scalars())


async def referral_row(engine, reference: str) -> Referral:
    async with session_factory(engine)() as session:
        return (await session.execute(select(Referral).where(Referral.reference == reference))).scalar_one()


async def events(engine, reference: str) -> list[tuple[str, str | None, str | None]]:
    async with session_factory(engine)() as session:
        rows = (await session.execute(select(ReferralEvent.kind, ReferralEvent.actor_aad_id, ReferralEvent.note)
                                      .join(Referral, Referral.id == ReferralEvent.referral_id)
                                      .where(Referral.reference == reference).order_by(ReferralEvent.id))).all()
    return [tuple(r) for r in rows]


async def ask_for_information(bot, question: str = QUESTION, officer: str = WEST):
    """The officer asks; returns the referrer's request card message (the card with the reply box)."""
    card = (await _officer_card(bot, officer)).cards[0]
    bot.connector.clear()
    await post_as(bot, officer, _action_data(card, "Ask for information") | {"info_request": question})
    sent = await bot.connector.wait_for(lambda s: cards_to(s, SAM, "referral-info-request")
                                        and any(x.method == "PUT" for x in s))
    return cards_to(sent, SAM, "referral-info-request")[-1]


async def list_card(bot, who: str, value: dict | None = None) -> dict:
    bot.connector.clear()
    if value is None:
        await post_as(bot, who, text="my referrals")
    else:
        await post_as(bot, who, {"action": "my_referrals", **value})
    sent = await bot.connector.wait_for(lambda s: bool(cards_to(s, who, "referral-list")))
    return cards_to(sent, who, "referral-list")[-1].cards[0]


def rows_of(card: dict) -> list[dict]:
    """The list's rows: (child label + age, the subtle line, the data its selection sends)."""
    rows = []
    for block in card["body"]:
        if block.get("type") == "Container" and block.get("selectAction"):
            first, second = block["items"]
            rows.append({"who": "".join(r["text"] for r in first["inlines"]), "line": second["text"],
                         "data": block["selectAction"]["data"]})
    return rows


def headings(card: dict) -> list[str]:
    """Section titles and locality groups (not the card's own heading)."""
    return [b["text"] for b in card["body"] if b.get("type") == "TextBlock" and b.get("weight") == "Bolder"
            and b.get("style") != "heading"]


# --- 1. the information loop ----------------------------------------------------------------------------
async def test_information_loop_end_to_end(installed, engine, caplog):  # noqa: F811
    caplog.set_level(logging.INFO)
    bot = installed
    reference = await make_referral(bot)
    request = await ask_for_information(bot)

    # The referrer's card shows the question (as plain text), a reply box `info_reply` and Send (`referral.reply`).
    card = request.cards[0]
    assert QUESTION in runs(card) and not [t for t in markdown_places(card) if "evil.example" in t]
    assert "info_reply" in input_ids(card)
    send = submit_data(card, "Send reply")
    assert send == {"action": "referral.reply", "reference": reference, "version": 2}
    assert card_fields(card)["Status"] == "More information requested"

    # The referrer replies from that card.
    bot.connector.clear()
    await post_as(bot, SAM, send | {"info_reply": REPLY}, reply_to_id=request.id)
    sent = await bot.connector.wait_for(lambda s: cards_to(s, WEST, "referral-officer-note")
                                        and puts(s, "referral-officer") and puts(s, "referral-reply-sent")
                                        and texts_to(s, SAM))
    assert texts_to(sent, SAM) == [f"Sent: your reply on referral {reference} has gone to the officer."]
    # ... the request card is replaced in place: no reply box left to press twice
    [answered] = puts(sent, "referral-reply-sent")
    assert answered.id == request.id and "info_reply" not in input_ids(answered.cards[0])
    assert REPLY in runs(answered.cards[0]) and QUESTION in runs(answered.cards[0])
    # ... the officer is told, with the question and the reply (plain text)
    note = cards_to(sent, WEST, "referral-officer-note")[0].cards[0]
    fields = card_fields(note)
    assert fields["You asked"] == QUESTION and fields["Reply"] == REPLY and fields["From"] == "Sam Reed"
    assert not [t for t in markdown_places(note) if "evil.example" in t or "since" in t]
    # ... and the officer's card shows it, with the referral's status moved on, updated in place
    officer = puts(sent, "referral-officer")[-1].cards[0]
    assert "Information received — over to you" in json.dumps(officer, ensure_ascii=False)
    lines = runs(officer)
    assert any(t.startswith("Information requested ") and t.endswith("by Olu Adeyemi") for t in lines)
    assert any(t.startswith("Reply ") and t.endswith("by Sam Reed") for t in lines)
    assert QUESTION in lines and REPLY in lines
    assert [a["title"] for a in officer["actions"]] == ["Accept", "Ask for information", "Close", "Reassign"]

    # The history has both; the audit rows carry ids only.
    assert [(k, a, n) for k, a, n in await events(engine, reference)] == [
        ("created", SAM, "West"), ("info_requested", WEST, QUESTION), ("info_replied", SAM, REPLY)]
    row = await referral_row(engine, reference)
    assert row.status == "info_received" and row.version == 3
    [audited] = await audit_rows(engine, "referral.reply", reference)
    assert audited.actor_aad_id == SAM and "Meadow" not in (audited.detail or "")

    # The referrer's details card shows both too.
    bot.connector.clear()
    await post_as(bot, SAM, {"action": "referral.view", "reference": reference})
    sent = await bot.connector.wait_for(lambda s: cards_to(s, SAM, "referral-details"))
    details = cards_to(sent, SAM, "referral-details")[0].cards[0]
    assert QUESTION in runs(details) and REPLY in runs(details)
    assert "info_reply" not in input_ids(details), "nothing left to reply to"

    # Teams resending the reply: told it was done, nothing sent twice.
    bot.connector.clear()
    await post_as(bot, SAM, send | {"info_reply": REPLY}, reply_to_id=request.id)
    sent = await bot.connector.wait_for(lambda s: texts_to(s, SAM))
    assert texts_to(sent, SAM)[0].startswith(f"That's already done: you replied to the officer's request on referral "
                                             f"{reference} at ")
    await bot.sender.drain()
    assert not cards_to(bot.connector.sent, WEST, "referral-officer-note")
    assert [k for k, _, _ in await events(engine, reference)].count("info_replied") == 1

    # The officer carries on from "information received".
    bot.connector.clear()
    await post_as(bot, WEST, submit_data(officer, "Accept"))
    await bot.connector.wait_for(lambda s: any("Done: you accepted" in t for t in texts_to(s, WEST)))
    assert (await referral_row(engine, reference)).status == "accepted"

    # Neither the request nor the reply ever reached the logs.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged and "Meadow" not in logged and "on roll" not in logged and "Sam Reed" not in logged


async def test_reply_by_anyone_but_the_referrer_is_refused(installed, engine):  # noqa: F811
    bot = installed
    reference = await make_referral(bot)
    request = await ask_for_information(bot)
    send = submit_data(request.cards[0], "Send reply") | {"info_reply": "Not mine to answer."}
    other_sw = str(uuid.uuid4())
    bot.connector.clear()
    # the assigned officer and a manager may see it but did not make it; another professional may not see it
    for who in (WEST, MINA, DANA, other_sw):
        await post_as(bot, who, send)
    sent = await bot.connector.wait_for(lambda s: all(texts_to(s, w) for w in (WEST, MINA, DANA, other_sw)))
    for who in (WEST, MINA):
        assert texts_to(sent, who) == [f"Only the person who made it can reply to the officer's request on referral "
                                       f"{reference}, so nothing was changed."], who
    for who in (DANA, other_sw):
        assert texts_to(sent, who) == ["I couldn't find a referral you can act on, so nothing was changed."], who
        assert reference not in json.dumps([x.body for x in sent if x.conversation_id == personal(who)])
    assert {a.actor_aad_id for a in await audit_rows(engine, "referral.act_denied", reference)} == {WEST, MINA}
    assert {a.actor_aad_id for a in await audit_rows(engine, "referral.read_denied", reference)} == {DANA, other_sw}
    # nothing changed, and nobody was told anything
    row = await referral_row(engine, reference)
    assert row.status == "info_requested" and row.version == 2
    assert [k for k, _, _ in await events(engine, reference)] == ["created", "info_requested"]
    await bot.sender.drain()
    assert not cards_to(bot.connector.sent, WEST, "referral-officer-note")

    # The referrer with an empty reply, then one too long: refused, what was typed kept in the card sent back.
    bot.connector.clear()
    await post_as(bot, SAM, send | {"info_reply": "   "})
    await post_as(bot, SAM, send | {"info_reply": "x" * 2001})
    sent = await bot.connector.wait_for(lambda s: len(cards_to(s, SAM, "referral-details")) >= 2)
    assert texts_to(sent, SAM) == ["Please write your reply before sending it; nothing was sent.",
                                   "Please keep your reply under 2,000 characters (it has 2,001); nothing was sent."]
    kept = cards_to(sent, SAM, "referral-details")[1].cards[0]
    box = next(b for b in kept["body"] if b.get("id") == "info_reply")
    assert box["value"] == "x" * 2001
    assert (await referral_row(engine, reference)).version == 2


async def test_reply_after_the_referral_is_closed_is_refused_politely(installed, engine):  # noqa: F811
    bot = installed
    reference = await make_referral(bot)
    request = await ask_for_information(bot)
    officer = (await bot.connector.wait_for(lambda s: puts(s, "referral-officer")))
    refreshed = puts(officer, "referral-officer")[-1].cards[0]
    bot.connector.clear()
    await post_as(bot, WEST, _action_data(refreshed, "Close") | {"outcome": "signposted"})
    await bot.connector.wait_for(lambda s: cards_to(s, SAM, "referral-update"))
    bot.connector.clear()
    await post_as(bot, SAM, submit_data(request.cards[0], "Send reply") | {"info_reply": "Here it is."},
                  reply_to_id=request.id)
    sent = await bot.connector.wait_for(lambda s: texts_to(s, SAM))
    [said] = texts_to(sent, SAM)
    assert said.startswith(f"Thank you, but referral {reference} has ended — it was closed (signposted) on ")
    assert "your reply was not sent" in said
    await bot.sender.drain()
    assert not cards_to(bot.connector.sent, WEST, "referral-officer-note")
    assert not puts(bot.connector.sent, "referral-reply-sent")
    assert [k for k, _, _ in await events(engine, reference)] == ["created", "info_requested", "closed"]
    assert (await referral_row(engine, reference)).status == "closed"


async def test_a_reply_to_an_older_request_gets_the_current_one_with_the_text_kept(installed, engine):  # noqa: F811
    bot = installed
    reference = await make_referral(bot)
    first = await ask_for_information(bot, "First question?")
    await ask_for_information(bot, "Second, sharper question?")
    bot.connector.clear()
    await post_as(bot, SAM, submit_data(first.cards[0], "Send reply") | {"info_reply": "My careful answer"})
    sent = await bot.connector.wait_for(lambda s: cards_to(s, SAM, "referral-details"))
    assert texts_to(sent, SAM)[0].startswith(f"Referral {reference} has changed since that card was sent")
    current = cards_to(sent, SAM, "referral-details")[0].cards[0]
    assert next(b for b in current["body"] if b.get("id") == "info_reply")["value"] == "My careful answer"
    assert "Second, sharper question?" in runs(current)
    bot.connector.clear()
    await post_as(bot, SAM, submit_data(current, "Send reply") | {"info_reply": "My careful answer"})
    sent = await bot.connector.wait_for(lambda s: cards_to(s, WEST, "referral-officer-note"))
    assert card_fields(cards_to(sent, WEST, "referral-officer-note")[0].cards[0])["You asked"] == "Second, sharper question?"
    assert (await referral_row(engine, reference)).status == "info_received"


# --- 2. duplicates --------------------------------------------------------------------------------------
CHILD = {"child_first_name": "Mary Jane", "child_last_name": "Example", "child_dob": "2014-06-01"}
SAME_CHILD = {"child_first_name": "maryjane", "child_last_name": "  EXAMPLE ", "child_dob": "2014-06-01"}


async def duplicate_card_for(bot, who: str, child: dict = SAME_CHILD, postcode: str = "HA4 1AA"):
    """`who` fills a form for the child; returns (the form's token, the duplicate card message)."""
    token = await open_form(bot, who)
    role = {"referrer_role": "dsl", "is_allocated_sw": "false", "social_worker_name": "Sam Reed",
            "social_worker_email": "sam.reed@example.org"} if who != SAM else {}
    await post_as(bot, who, valid_form(token, home_postcode=postcode, details="What I know: new school.", **child,
                                       **role))
    sent = await bot.connector.wait_for(lambda s: cards_to(s, who, "referral-duplicate"))
    return token, cards_to(sent, who, "referral-duplicate")[-1]


async def test_duplicate_warning_then_add_information_to_the_open_referral(installed, engine):  # noqa: F811
    bot = installed
    first = await make_referral(bot, **CHILD)
    await _officer_card(bot)
    bot.connector.clear()
    token, warning = await duplicate_card_for(bot, SAM)
    card = warning.cards[0]
    # not accepted silently: nothing made, and the reference number was not used up
    assert await count_referrals(engine) == 1
    fields = card_fields(card)
    assert (fields["Reference"], fields["Officer"], fields["Locality"], fields["Made by"]) == (first, "Olu Adeyemi",
                                                                                             "West", "you")
    assert [a["title"] for a in card["actions"]] == ["Add to the open referral", "Send a new referral anyway", "Cancel"]
    assert next(b for b in card["actions"][0]["card"]["body"] if b["id"] == "added_info")["value"] == \
        "What I know: new school."
    assert str(first) not in json.dumps(card["actions"]), "the open referral is named by the server's state only"
    [warned] = await audit_rows(engine, "referral.duplicate_warning", first)
    assert warned.actor_aad_id == SAM and json.loads(warned.detail) == {"visible": True}

    # An older form's button meanwhile: nothing is sent, and the choice stays open.
    bot.connector.clear()
    await post_as(bot, SAM, valid_form("an-older-form", **SAME_CHILD))
    sent = await bot.connector.wait_for(lambda s: texts_to(s, SAM))
    assert texts_to(sent, SAM)[0].startswith("That card is out of date, so nothing was sent. There is already an open")
    assert await count_referrals(engine) == 1

    # Way 1: add to the open referral.
    bot.connector.clear()
    added = "Now at Harrow Primary from Monday; mum's phone has changed."
    await post_as(bot, SAM, {"action": "referral.add_info", "token": token, "added_info": added},
                  reply_to_id=warning.id)
    sent = await bot.connector.wait_for(lambda s: texts_to(s, SAM) and cards_to(s, WEST, "referral-officer-note")
                                        and puts(s, "referral-officer"))
    assert texts_to(sent, SAM) == [f"Done: your information was added to referral {first}, and its officer has been told."]
    assert card_fields(cards_to(sent, WEST, "referral-officer-note")[0].cards[0])["Added"] == added
    officer = puts(sent, "referral-officer")[-1].cards[0]
    assert added in runs(officer) and any(t.startswith("Information added ") for t in runs(officer))
    assert any("Added to the open referral" in json.dumps(x.cards) for x in puts(sent, "referral-form-closed"))
    assert await count_referrals(engine) == 1
    assert [k for k, _, _ in await events(engine, first)] == ["created", "info_added"]
    assert (await referral_row(engine, first)).version == 1, "adding information leaves the officer's buttons valid"
    assert [a.actor_aad_id for a in await audit_rows(engine, "referral.add_info", first)] == [SAM]

    # Teams resending it: said to be done, added once.
    bot.connector.clear()
    await post_as(bot, SAM, {"action": "referral.add_info", "token": token, "added_info": added})
    sent = await bot.connector.wait_for(lambda s: texts_to(s, SAM))
    assert texts_to(sent, SAM)[0].startswith(f"That's already done: your information was added to referral {first} at ")
    assert [k for k, _, _ in await events(engine, first)] == ["created", "info_added"]

    # The next referral still gets the next reference: the warning took no number.
    assert await make_referral(bot) == "VS-2026-00002"


async def test_duplicate_warning_then_send_a_new_referral_anyway_linked(installed, engine):  # noqa: F811
    bot = installed
    first = await make_referral(bot, **CHILD)
    first_officer_card = await _officer_card(bot)
    bot.connector.clear()
    token, warning = await duplicate_card_for(bot, SAM)
    # a reason is required: the card comes back with the problem and nothing is lost
    bot.connector.clear()
    await post_as(bot, SAM, {"action": "referral.submit_anyway", "token": token, "duplicate_reason": " "},
                  reply_to_id=warning.id)
    sent = await bot.connector.wait_for(lambda s: cards_to(s, SAM, "referral-duplicate"))
    again = cards_to(sent, SAM, "referral-duplicate")[-1]
    assert "Say why a new referral is needed." in json.dumps(again.cards[0])
    assert await count_referrals(engine) == 1

    bot.connector.clear()
    reason = "A sibling with the same name — twins, different needs."
    await post_as(bot, SAM, {"action": "referral.submit_anyway", "token": token, "duplicate_reason": reason},
                  reply_to_id=again.id)
    sent = await bot.connector.wait_for(lambda s: cards_to(s, SAM, "referral-confirmation")
                                        and cards_to(s, NORTH, "referral-officer") and puts(s, "referral-officer"))
    confirmation = card_fields(cards_to(sent, SAM, "referral-confirmation")[0].cards[0])
    second = confirmation["Reference"]
    assert second == "VS-2026-00002" and confirmation["Linked to"] == first and confirmation["Goes to"] == "North"
    # the new referral's officer sees the link and the reason
    new_card = cards_to(sent, NORTH, "referral-officer")[0].cards[0]
    assert card_fields(new_card)["Possible duplicate of"] == first and card_fields(new_card)["Sent anyway because"] == reason
    # the open referral's officer sees it too: their card updated in place
    [update] = [x for x in puts(sent, "referral-officer") if x.conversation_id == personal(WEST)]
    assert update.id == first_officer_card.id
    assert card_fields(update.cards[0])["Later referral for this child"] == second
    async with session_factory(engine)() as session:
        rows = {r.reference: r for r in (await session.execute(select(Referral))).scalars()}
    assert rows[second].duplicate_of_id == rows[first].id and rows[second].duplicate_reason == reason
    assert rows[second].child_key == rows[first].child_key == "maryjane|example|2014-06-01"
    assert [k for k, _, _ in await events(engine, first)] == ["created", "duplicate_linked"]
    [created] = await audit_rows(engine, "referral.create", second)
    assert json.loads(created.detail)["duplicate_of_id"] == rows[first].id

    # A resend of the same choice: the same confirmation, no third referral.
    bot.connector.clear()
    await post_as(bot, SAM, {"action": "referral.submit_anyway", "token": token, "duplicate_reason": reason})
    sent = await bot.connector.wait_for(lambda s: cards_to(s, SAM, "referral-confirmation"))
    assert card_fields(cards_to(sent, SAM, "referral-confirmation")[0].cards[0])["Reference"] == second
    assert await count_referrals(engine) == 2


async def test_duplicate_shown_only_as_far_as_the_referrer_may_see_it(installed, engine):  # noqa: F811
    bot = installed
    first = await make_referral(bot, **CHILD)
    bot.connector.clear()
    # Dana (a DSL) did not make it and may not see it: told one exists, not which or whose.
    token, warning = await duplicate_card_for(bot, DANA)
    shown = json.dumps(warning.cards[0])
    assert first not in shown and "Olu" not in shown and "West" not in shown
    assert "You can't see its details" in shown
    [warned] = await audit_rows(engine, "referral.duplicate_warning", first)
    assert warned.actor_aad_id == DANA and json.loads(warned.detail) == {"visible": False}
    bot.connector.clear()
    await post_as(bot, DANA, {"action": "referral.add_info", "token": token, "added_info": "Excluded on Friday."})
    sent = await bot.connector.wait_for(lambda s: texts_to(s, DANA) and cards_to(s, WEST, "referral-officer-note"))
    assert texts_to(sent, DANA) == ["Done: your information was added to the open referral, and its officer has been told."]
    assert first not in json.dumps([x.body for x in sent if x.conversation_id == personal(DANA)])
    note = card_fields(cards_to(sent, WEST, "referral-officer-note")[0].cards[0])
    assert note["From"] == "Dana Cole" and note["Added"] == "Excluded on Friday."
    # The referrer's own view of the referral does not show what someone else added (the officer's does).
    bot.connector.clear()
    await post_as(bot, SAM, {"action": "referral.view", "reference": first})
    sent = await bot.connector.wait_for(lambda s: cards_to(s, SAM, "referral-details"))
    assert "Excluded on Friday." not in runs(cards_to(sent, SAM, "referral-details")[0].cards[0])
    # A manager may see every referral: shown in full.
    _, warning = await duplicate_card_for(bot, MINA)
    assert card_fields(warning.cards[0])["Reference"] == first
    # Cancel on the duplicate card: nothing sent or added.
    token, warning = await duplicate_card_for(bot, SAM)
    bot.connector.clear()
    await post_as(bot, SAM, {"action": "referral.cancel", "token": token}, reply_to_id=warning.id)
    sent = await bot.connector.wait_for(lambda s: texts_to(s, SAM) and puts(s, "referral-form-closed"))
    assert texts_to(sent, SAM) == ["Referral cancelled — nothing was sent or added."]
    assert await count_referrals(engine) == 1


async def test_what_counts_as_the_same_child(installed, engine):  # noqa: F811
    bot = installed
    first = await make_referral(bot, **CHILD)
    # another date of birth, or another last name: another child
    await make_referral(bot, **(CHILD | {"child_dob": "2014-06-02"}))
    await make_referral(bot, **(CHILD | {"child_last_name": "Examples"}))
    assert await count_referrals(engine) == 3
    # once the open referral is closed, the same child again is a new referral without a warning
    async with session_factory(engine)() as session:
        card_of_first = (await session.execute(select(Delivery).where(Delivery.key.like(f"referral:{first}:officer:%"))
                                               )).scalars().first()
    first_card = json.loads(card_of_first.payload)["card"]
    await post_as(bot, WEST, _action_data(first_card, "Close") | {"outcome": "not_eligible"})
    await bot.connector.wait_for(lambda s: any("Done: you closed" in t for t in texts_to(s, WEST)))
    assert await make_referral(bot, **SAME_CHILD) == "VS-2026-00004"


async def test_two_referrers_racing_for_the_same_child_make_one_referral(installed, engine):  # noqa: F811
    bot = installed
    sam_token, dana_token = await open_form(bot, SAM), await open_form(bot, DANA)
    dana = {"referrer_role": "dsl", "is_allocated_sw": "false", "social_worker_name": "Sam Reed",
            "social_worker_email": "sam.reed@example.org"}
    await asyncio.gather(post_as(bot, SAM, valid_form(sam_token, **CHILD)),
                         post_as(bot, DANA, valid_form(dana_token, **SAME_CHILD, **dana)))
    sent = await bot.connector.wait_for(lambda s: len([x for x in s if {"referral-confirmation", "referral-duplicate"}
                                                       & set(x.card_ids)]) == 2)
    kinds = sorted(card_id for x in sent for card_id in x.card_ids
                   if card_id in ("referral-confirmation", "referral-duplicate"))
    assert kinds == ["referral-confirmation", "referral-duplicate"]
    assert await count_referrals(engine) == 1


# --- 3. lists and details -------------------------------------------------------------------------------
async def test_lists_per_role_rows_people_can_tell_apart_with_audit(installed, engine):  # noqa: F811
    bot = installed
    today = datetime.now(ZoneInfo("Europe/London")).date()
    ten = date(today.year - 10, 1, 1).isoformat()  # born on 1 January ten years ago: 10 all year
    age = 10
    west = await make_referral(bot, child_first_name="Ava", child_last_name="Example", child_dob=ten)
    east = await make_referral(bot, postcode="N8 1AA", child_first_name="Ben", child_last_name="Sample",
                               child_dob="2013-05-05")
    triage = await make_referral(bot, postcode="SW1A 1AA", child_first_name="Cara", child_last_name="Testcase",
                                 child_dob="2016-07-07")
    danas = await make_referral(bot, aad_id=DANA, child_first_name="Dev", child_last_name="Placeholder",
                                child_dob="2012-08-08")
    async with session_factory(engine)() as session:  # make the ages of the referrals differ and be known
        for n, reference in enumerate((west, east, triage, danas)):
            await session.execute(Referral.__table__.update().where(Referral.reference == reference)
                                  .values(created_at=datetime.now(timezone.utc) - timedelta(days=10 - n, hours=1)))
        await session.commit()

    # the referrer: their own, newest first — first name and last initial, age, locality, status, waiting
    card = await list_card(bot, SAM)
    assert headings(card)[0] == "Referrals you made (3)"
    rows = rows_of(card)
    assert [r["data"] for r in rows] == [{"action": "referral.view", "reference": ref} for ref in (triage, east, west)]
    assert rows[2]["who"] == f"Ava E., {age}"
    assert rows[2]["line"] == f"West · New · waiting 10 days · {west}"
    assert rows[0]["line"] == f"Triage · New · waiting 8 days · {triage}"
    assert "Example" not in json.dumps(card) and danas not in json.dumps(card)

    # the assigned officer: their open queue, oldest first
    card = await list_card(bot, WEST)
    assert headings(card) == ["Your open queue (2)"]
    assert [r["data"]["reference"] for r in rows_of(card)] == [west, danas]
    assert rows_of(card)[1]["who"].startswith("Dev P., ")

    # the manager: every open referral grouped by locality (triage first), oldest first; their triage queue too
    card = await list_card(bot, MINA)
    assert headings(card) == ["Your open queue (1)", "All open referrals (4)", "Triage", "East", "West"]
    assert [r["data"]["reference"] for r in rows_of(card)] == [triage, triage, east, west, danas]

    # nobody else sees any of it
    for who in (ADMIN, NORTH, SOUTH, str(uuid.uuid4())):
        card = await list_card(bot, who)
        assert rows_of(card) == [] and "no referrals to see" in json.dumps(card), who
        assert not any(ref in json.dumps(card) for ref in (west, east, triage, danas)), who

    # each list is audited with what it showed
    listed = {a.actor_aad_id: json.loads(a.detail or "{}") for a in await audit_rows(engine, "referral.list")}
    assert listed[SAM] == {"made": [triage, east, west]} and listed[WEST] == {"assigned": [west, danas]}
    assert listed[MINA] == {"assigned": [triage], "all_open": [triage, east, west, danas]}
    assert listed[ADMIN] == {}


async def test_each_row_opens_the_details_card_with_the_same_checks_and_audit(installed, engine):  # noqa: F811
    bot = installed
    reference = await make_referral(bot, child_first_name="Ava", child_last_name="Example", **another_child())
    row = rows_of(await list_card(bot, SAM))[0]["data"]

    # the referrer: their view (no officer buttons), with Withdraw
    bot.connector.clear()
    await post_as(bot, SAM, row)
    sent = await bot.connector.wait_for(lambda s: cards_to(s, SAM, "referral-details"))
    details = cards_to(sent, SAM, "referral-details")[0].cards[0]
    assert card_fields(details)["Child"] == "Ava E." and card_fields(details)["Officer"] == "Olu Adeyemi"
    assert [a["title"] for a in details["actions"]] == ["Withdraw"]
    assert "Example" not in json.dumps(details)

    # the assigned officer and a manager: the officer's card, with its buttons
    for who in (WEST, MINA):
        bot.connector.clear()
        await post_as(bot, who, row)
        sent = await bot.connector.wait_for(lambda s, who=who: cards_to(s, who, "referral-officer"))
        card = cards_to(sent, who, "referral-officer")[0].cards[0]
        assert [a["title"] for a in card["actions"]] == ["Accept", "Ask for information", "Close", "Reassign"]
        assert not cards_to(sent, who, "referral-details")

    # anyone else: the same answer as for a referral that does not exist
    bot.connector.clear()
    for who in (DANA, NORTH, ADMIN):
        await post_as(bot, who, row)
    await post_as(bot, DANA, {"action": "referral.view", "reference": "VS-2026-09999"})
    await post_as(bot, DANA, {"action": "referral.view", "reference": "DROP TABLE"})
    sent = await bot.connector.wait_for(lambda s: len(texts_to(s, DANA)) >= 3 and texts_to(s, NORTH)
                                        and texts_to(s, ADMIN))
    nothing = "I couldn't find a referral you can see with that reference."
    assert texts_to(sent, DANA) == [nothing, nothing, "That card is not valid, so there is nothing to show."]
    assert texts_to(sent, NORTH) == texts_to(sent, ADMIN) == [nothing]
    assert not [x for x in sent if x.cards and x.card_ids != ["welcome"]], "no card for those who may not see it"

    views = [(a.actor_aad_id, a.entity_id) for a in await audit_rows(engine, "referral.view")]
    assert views == [(SAM, reference), (WEST, reference), (MINA, reference)]
    denied = [(a.actor_aad_id, a.entity_id) for a in await audit_rows(engine, "referral.read_denied")]
    assert denied == [(DANA, reference), (NORTH, reference), (ADMIN, reference)]


async def test_a_long_list_pages(installed, engine):  # noqa: F811
    bot = installed
    made = [await make_referral(bot) for _ in range(23)]
    card = await list_card(bot, SAM)
    assert headings(card)[0] == "Referrals you made (1–20 of 23)"
    assert [r["data"]["reference"] for r in rows_of(card)] == made[::-1][:20]
    more = submit_data(card, "More: referrals you made")
    assert more == {"action": "my_referrals", "section": "made", "offset": 20}
    card = await list_card(bot, SAM, more)
    assert headings(card)[0] == "Referrals you made (21–23 of 23)"
    assert [r["data"]["reference"] for r in rows_of(card)] == made[::-1][20:]
    assert "actions" not in card
    # a forged section shows only what the person may see anyway
    card = await list_card(bot, SAM, {"section": "all_open", "offset": "x"})
    assert headings(card)[0] == "Referrals you made (1–20 of 23)"


# --- 4. withdrawal --------------------------------------------------------------------------------------
async def test_withdraw_tells_the_officer_and_updates_their_card_in_place(installed, engine, caplog):  # noqa: F811
    caplog.set_level(logging.INFO)
    bot = installed
    reference = await make_referral(bot)
    officer_msg = await _officer_card(bot)
    bot.connector.clear()
    await post_as(bot, WEST, _action_data(officer_msg.cards[0], "Accept"))
    await bot.connector.wait_for(lambda s: cards_to(s, SAM, "referral-update") and puts(s, "referral-officer"))

    bot.connector.clear()
    await post_as(bot, SAM, {"action": "referral.view", "reference": reference})
    sent = await bot.connector.wait_for(lambda s: cards_to(s, SAM, "referral-details"))
    details = cards_to(sent, SAM, "referral-details")[0]
    withdraw = submit_data(details.cards[0], "Withdraw referral")
    assert withdraw == {"action": "referral.withdraw", "reference": reference, "version": 2}
    assert "withdraw_reason" in input_ids(details.cards[0])

    # a reason is required; the officer cannot withdraw the referrer's referral
    bot.connector.clear()
    await post_as(bot, SAM, withdraw | {"withdraw_reason": ""})
    await post_as(bot, WEST, withdraw | {"withdraw_reason": "Not mine"})
    sent = await bot.connector.wait_for(lambda s: texts_to(s, SAM) and texts_to(s, WEST))
    assert texts_to(sent, SAM) == ["Please say why you are withdrawing the referral; nothing was changed."]
    assert texts_to(sent, WEST) == [f"Only the person who made it can withdraw referral {reference}, so nothing was "
                                    "changed."]
    assert (await referral_row(engine, reference)).status == "accepted"

    reason = "The family moved to another authority {yesterday}."
    bot.connector.clear()
    await post_as(bot, SAM, withdraw | {"withdraw_reason": reason}, reply_to_id=details.id)
    sent = await bot.connector.wait_for(lambda s: texts_to(s, SAM) and cards_to(s, WEST, "referral-officer-note")
                                        and puts(s, "referral-officer") and puts(s, "referral-details"))
    assert texts_to(sent, SAM) == [f"Done: you withdrew referral {reference}. The officer has been told."]
    [mine] = puts(sent, "referral-details")
    assert mine.id == details.id and "actions" not in mine.cards[0] and "Withdrawn" in json.dumps(mine.cards[0])
    note = cards_to(sent, WEST, "referral-officer-note")[0].cards[0]
    assert card_fields(note)["Reason"] == reason and card_fields(note)["Reference"] == reference
    [officer] = [x for x in puts(sent, "referral-officer") if x.conversation_id == personal(WEST)]
    assert officer.id == officer_msg.id, "the officer's card is updated in place"
    assert "actions" not in officer.cards[0] and "Withdrawn" in json.dumps(officer.cards[0])
    assert reason in runs(officer.cards[0])

    row = await referral_row(engine, reference)
    assert row.status == "withdrawn" and row.closed_at is not None and row.version == 3
    assert (await events(engine, reference))[-1] == ("withdrawn", SAM, reason)
    assert [a.actor_aad_id for a in await audit_rows(engine, "referral.withdraw", reference)] == [SAM]

    # a resend says it was done; the old officer card's buttons are refused; a reply now is refused politely
    bot.connector.clear()
    await post_as(bot, SAM, withdraw | {"withdraw_reason": reason})
    await post_as(bot, SAM, {"action": "referral.reply", "reference": reference, "version": 3, "info_reply": "x"})
    await post_as(bot, WEST, _action_data(officer_msg.cards[0], "Ask for information") | {"info_request": "?"})
    sent = await bot.connector.wait_for(lambda s: len(texts_to(s, SAM)) >= 2 and texts_to(s, WEST))
    said = texts_to(sent, SAM)
    assert said[0].startswith(f"That's already done: you withdrew referral {reference} at ")
    assert said[1].startswith(f"Thank you, but referral {reference} has ended — you withdrew it on ")
    assert "has changed since that card was sent (it is now withdrawn)" in texts_to(sent, WEST)[0]

    # it leaves the open lists and stays in the referrer's, as withdrawn
    assert rows_of(await list_card(bot, WEST)) == []
    assert rows_of(await list_card(bot, MINA)) == []
    [row] = rows_of(await list_card(bot, SAM))
    assert row["line"] == f"West · Withdrawn · withdrawn after 0 min · {reference}"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "moved to another" not in logged


async def test_withdrawn_referrals_are_purged_after_retention(installed, engine):  # noqa: F811
    bot = installed
    reference = await make_referral(bot)
    bot.connector.clear()
    await post_as(bot, SAM, {"action": "referral.withdraw", "reference": reference, "version": 1,
                             "withdraw_reason": "Duplicate of a phone referral."})
    await bot.connector.wait_for(lambda s: texts_to(s, SAM))
    later = datetime.now(timezone.utc) + timedelta(days=bot.services.settings.referral_retention_days + 1)
    assert "1 closed" in await run_job("purge", bot.runtime, later)
    assert await count_referrals(engine) == 0


async def test_purging_a_referral_keeps_a_later_linked_one(installed, engine):  # noqa: F811
    bot = installed
    first = await make_referral(bot, **CHILD)
    token, _ = await duplicate_card_for(bot, SAM)
    await post_as(bot, SAM, {"action": "referral.submit_anyway", "token": token, "duplicate_reason": "Twins."})
    await bot.connector.wait_for(lambda s: cards_to(s, SAM, "referral-confirmation"))
    async with session_factory(engine)() as session:
        await session.execute(Referral.__table__.update().where(Referral.reference == first).values(
            status="closed", closed_at=datetime.now(timezone.utc) - timedelta(days=800)))
        await session.commit()
    assert "1 closed" in await run_job("purge", bot.runtime, datetime.now(timezone.utc))
    async with session_factory(engine)() as session:
        [left] = (await session.execute(select(Referral))).scalars().all()
    assert left.reference == "VS-2026-00002" and left.duplicate_of_id is None


# --- the child key migration ----------------------------------------------------------------------------
async def test_migration_backfills_the_child_key(database_url):
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:  # an empty database: start from the revision before this one
            if engine.dialect.name == "sqlite":
                for table in (await conn.execute(text("SELECT name FROM sqlite_master WHERE type='table' "
                                                      "AND name NOT LIKE 'sqlite_%'"))).scalars():
                    await conn.execute(text(f'DROP TABLE "{table}"'))
            else:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
        await upgrade(engine, "0005")
        now = datetime.now(timezone.utc)
        async with engine.begin() as conn:
            await conn.execute(insert(_old_referral_table()), [
                dict(reference=f"VS-2026-0000{n}", submit_token=f"t{n}", status="new", version=1,
                     child_first_name=first, child_last_name=last, child_dob=date(2014, 6, 1), home_postcode="HA1 2AB",
                     school_name="S", legal_status="cin", reasons="attendance", details="d", referrer_aad_id=SAM,
                     referrer_role="social_worker", created_at=now, updated_at=now)
                for n, (first, last) in enumerate((("Mary Jane", "O’Neil"), ("ÉLODIE", "Smith")), start=1)])
        await upgrade(engine)
        async with session_factory(engine)() as session:
            keys = (await session.execute(select(Referral.child_key).order_by(Referral.id))).scalars().all()
            assert keys == ["maryjane|o'neil|2014-06-01", "élodie|smith|2014-06-01"]
            assert keys[0] == referrals.child_key("mary  JANE", "o'neil", date(2014, 6, 1))
            assert await session.scalar(select(func.count()).select_from(Referral)) == 2
    finally:
        await engine.dispose()


def _old_referral_table():
    """The referral table as revision 0005 left it (without this issue's columns)."""
    from sqlalchemy import Column, Date, DateTime, Integer, MetaData, String, Table, Text

    return Table("referral", MetaData(), Column("id", Integer, primary_key=True), Column("reference", String),
                 Column("submit_token", String), Column("status", String), Column("version", Integer),
                 Column("child_first_name", String), Column("child_last_name", String), Column("child_dob", Date),
                 Column("home_postcode", String), Column("school_name", String), Column("legal_status", String),
                 Column("reasons", String), Column("details", Text), Column("referrer_aad_id", String),
                 Column("referrer_role", String), Column("created_at", DateTime(timezone=True)),
                 Column("updated_at", DateTime(timezone=True)))
