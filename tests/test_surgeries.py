"""Surgeries end to end over HTTP: real app, real Teams activities, the fake connector, both databases.

The demo seed (day 2026-11-23) gives a group surgery "Attendance network (group)" with 5 places on Mon 7 Dec 2026
15:30–16:30 and a surgery of 20-minute slots on Mon 30 Nov 2026 10:00–12:00; the service's clock is set to the
seed's morning so those are upcoming."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from bot.jobs import run_job
from storage.db import session_factory
from storage.models import AuditEvent, Delivery, Surgery, SurgeryBooking, SurgerySlot
from tests.utils.teams import aad, installation_update, message, submit

SAM, DANA, WEST, MINA = aad("0a1"), aad("0b1"), aad("0c1"), aad("0d1")
NAMES = {SAM: "Sam Reed", DANA: "Dana Cole", WEST: "Olu Adeyemi", MINA: "Mina Shah"}
GROUP = "Attendance network (group)"
SLOTS = "Inclusion advice surgery"
SEED_MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
BOOKING_REPLIES = {"surgery-booked", "surgery-waitlisted", "surgery-booking", "surgery-offer"}


def personal(aad_id: str) -> str:
    return f"a:personal-{aad_id}"


def external(n: int) -> str:
    """Someone not in the staff directory: an external professional, who may book."""
    return f"99999999-0000-0000-0000-{n:012d}"


def to(sent, aad_id: str, card_id: str) -> list[dict]:
    return [c for x in sent if x.conversation_id == personal(aad_id) for c in x.cards if c.get("id") == card_id]


def text_of(card: dict) -> str:
    return json.dumps(card, ensure_ascii=False)


def choices(card: dict) -> dict[str, str]:
    """The booking card's slot choices: title -> slot id."""
    element = next(e for e in card["body"] if e.get("id") == "slot_id")
    return {c["title"]: c["value"] for c in element["choices"]}


def choice(card: dict, needle: str, index: int = 0) -> str:
    matches = [value for title, value in choices(card).items() if needle in title]
    assert matches, f"no choice with {needle!r} in {list(choices(card))}"
    return matches[index]


def book_data(card: dict) -> dict:
    return dict(next(a for a in card["actions"] if a["data"].get("action") == "surgery.book")["data"])


@pytest.fixture
async def sbot(bot):
    """The bot at the seed's morning, with the demo people's chats open (so proactive cards reach them)."""
    bot.services.clock = lambda: SEED_MORNING
    for aad_id, name in NAMES.items():
        await bot.post(installation_update(service_url=bot.connector.url, aad_id=aad_id, name=name))
    await bot.connector.wait_for(lambda s: len(s) >= len(NAMES))
    bot.connector.clear()
    return bot


async def say(bot, text: str, aad_id: str = DANA, *, expect: set[str] | str, conversation_id: str | None = None
              ) -> dict:
    expect = {expect} if isinstance(expect, str) else expect
    bot.connector.clear()
    await bot.post(message(text, service_url=bot.connector.url, aad_id=aad_id, name=NAMES.get(aad_id, "Pat Example"),
                           conversation_id=conversation_id))
    sent = await bot.connector.wait_for(lambda s: any(set(x.card_ids) & expect for x in s))
    return next(c for x in sent for c in x.cards if c.get("id") in expect)


async def press(bot, data: dict, aad_id: str = DANA, *, expect: set[str] | str, **inputs) -> dict:
    expect = {expect} if isinstance(expect, str) else expect
    bot.connector.clear()
    await bot.post(submit({**data, **inputs}, service_url=bot.connector.url, aad_id=aad_id,
                          name=NAMES.get(aad_id, "Pat Example")))
    sent = await bot.connector.wait_for(lambda s: any(set(x.card_ids) & expect for x in s))
    return next(c for x in sent for c in x.cards if c.get("id") in expect)


async def open_list(bot, aad_id: str = DANA) -> dict:
    return await say(bot, "book", aad_id, expect="surgery-booking")


async def book(bot, needle: str, aad_id: str = DANA, *, topic: str = "", index: int = 0) -> dict:
    card = await open_list(bot, aad_id)
    return await press(bot, book_data(card), aad_id, expect=BOOKING_REPLIES, slot_id=choice(card, needle, index),
                       topic=topic)


async def bookings(engine, **where) -> list[SurgeryBooking]:
    async with session_factory(engine)() as session:
        query = select(SurgeryBooking).order_by(SurgeryBooking.id)
        for key, value in where.items():
            query = query.where(getattr(SurgeryBooking, key) == value)
        return list((await session.execute(query)).scalars())


async def surgery_named(engine, title: str) -> Surgery:
    async with session_factory(engine)() as session:
        return (await session.execute(select(Surgery).where(Surgery.title.startswith(title))
                                      .order_by(Surgery.starts_at))).scalars().first()


async def invite_text(bot, url: str) -> tuple[int, str]:
    path = url.split("/surgeries/", 1)[1]
    async with bot.http.get(f"{bot.url}/surgeries/{path}") as resp:
        return resp.status, await resp.text()


def action_url(card: dict, title_start: str) -> str:
    return next(a["url"] for a in card.get("actions", []) if a["type"] == "Action.OpenUrl"
                and a["title"].startswith(title_start))


# --- publish, book, double booking, cut-off ---------------------------------------------------------------------
async def test_staff_publish_a_surgery_in_teams_and_a_dsl_books_it(sbot, engine):
    bot = sbot
    form = await say(bot, "publish a surgery", MINA, expect="surgery-publish-form")
    token = form["actions"][0]["data"]["token"]
    values = {"title": "PEP surgery for designated teachers", "subject": "peps", "audience": "dsl,designated_teacher",
              "date": "2026-12-02", "start_time": "14:00", "end_time": "15:00", "kind": "slots", "slot_minutes": "30",
              "join_url": "", "venue": "", "cutoff_hours": "24", "repeat": "none"}
    again = await press(bot, {"action": "surgery.publish", "token": token}, MINA, expect="surgery-publish-form",
                        **values)
    assert "Give a Teams meeting link or a venue" in text_of(again)  # the form comes back, values kept
    assert next(e for e in again["body"] if e.get("id") == "title")["value"] == values["title"]
    token = again["actions"][0]["data"]["token"]
    done = await press(bot, {"action": "surgery.publish", "token": token}, MINA, expect="surgery-published",
                       **{**values, "join_url": "https://teams.example.org/l/meetup-join/pep"})
    assert "Wed 2 Dec 2026" in text_of(done)

    listed = await open_list(bot, DANA)
    assert [t for t in choices(listed) if "PEP surgery" in t] == [
        "Wed 2 Dec 2026, 14:00–14:30 · PEP surgery for designated teachers",
        "Wed 2 Dec 2026, 14:30–15:00 · PEP surgery for designated teachers"]
    assert not [t for t in choices(await open_list(bot, SAM)) if "PEP surgery" in t], "social workers aren't invited"

    reply = await press(bot, book_data(listed), DANA, expect=BOOKING_REPLIES,
                        slot_id=choice(listed, "PEP surgery", 1), topic="Setting PEP targets")
    assert reply["id"] == "surgery-booked"
    body = text_of(reply)
    assert "Wed 2 Dec 2026, 14:30–15:00" in body and "Setting PEP targets" in body
    assert action_url(reply, "Join") == "https://teams.example.org/l/meetup-join/pep"
    assert action_url(reply, "Add to my calendar").startswith(bot.settings.public_url + "/surgeries/")
    [row] = await bookings(engine, attendee_aad_id=DANA)
    assert row.status == "confirmed" and row.topic == "Setting PEP targets" and row.attendee_name == "Dana Cole"
    async with session_factory(engine)() as session:
        published = (await session.execute(select(AuditEvent).where(AuditEvent.action == "surgery.publish"))).scalars()
        assert [a.actor_aad_id for a in published] == [MINA]


async def test_book_is_three_interactions_at_most_and_a_second_booking_is_refused(sbot, engine):
    bot = sbot
    card = await say(bot, "can I book a surgery?", DANA, expect="surgery-booking")  # typed: 0 clicks
    data, slot_id = book_data(card), choice(card, SLOTS)
    first = await press(bot, data, DANA, expect=BOOKING_REPLIES, slot_id=slot_id, topic="")  # click 1: booked
    assert first["id"] == "surgery-booked" and "Mon 30 Nov 2026, 10:00–10:20" in text_of(first)
    # The same submit again (Teams retrying one it thought timed out) and another slot of the same surgery.
    again = await press(bot, data, DANA, expect=BOOKING_REPLIES, slot_id=slot_id, topic="")
    other = await press(bot, data, DANA, expect=BOOKING_REPLIES, slot_id=choice(card, SLOTS, 2), topic="")
    for reply in (again, other):
        assert reply["id"] == "surgery-booked" and "You already have this place" in text_of(reply)
        assert "10:00–10:20" in text_of(reply)
    assert [b.status for b in await bookings(engine, attendee_aad_id=DANA)] == ["confirmed"]
    async with session_factory(engine)() as session:
        booked = await session.scalar(select(func.sum(SurgerySlot.booked)))
    assert booked == 1
    # The list now says she's booked on it instead of offering it again.
    listed = await open_list(bot, DANA)
    assert not [t for t in choices(listed) if SLOTS in t] and "You're already booked on" in text_of(listed)


async def test_no_booking_after_the_cut_off_or_once_started(sbot, engine):
    bot = sbot
    card = await open_list(bot, DANA)
    surgery = await surgery_named(engine, SLOTS)
    bot.services.clock = lambda: surgery.booking_closes_at + timedelta(minutes=1)
    refused = await press(bot, book_data(card), DANA, expect="surgery-booking", slot_id=choice(card, SLOTS),
                          topic="Managed moves")
    assert "closed for booking at 08:00 on 30 Nov" in text_of(refused)
    assert next(e for e in refused["body"] if e.get("id") == "topic")["value"] == "Managed moves"  # kept
    assert not [t for t in choices(refused) if SLOTS in t], "a closed surgery is not offered"
    bot.services.clock = lambda: surgery.starts_at + timedelta(minutes=5)
    started = await press(bot, book_data(card), DANA, expect="surgery-booking", slot_id=choice(card, SLOTS, 3))
    assert "has started" in text_of(started)
    assert await bookings(engine) == []


# --- full -> waiting list -> offer -> expiry passes it on -------------------------------------------------------
async def test_full_group_waitlist_offer_on_cancel_and_expiry_passes_it_on(sbot, engine):
    bot = sbot
    people = [external(n) for n in range(1, 8)]
    replies = [await book(bot, GROUP, person) for person in people]
    assert [r["id"] for r in replies] == ["surgery-booked"] * 5 + ["surgery-waitlisted"] * 2
    assert "Your place in the queue" in text_of(replies[5]) and '"value": "1"' in text_of(replies[5])
    assert '"value": "2"' in text_of(replies[6])
    assert "full: join the waiting list" in " ".join(choices(await open_list(bot, DANA)))

    # The first booker cancels: the place goes at once to the first in line, held as an offer.
    first_booking = (await bookings(engine, attendee_aad_id=people[0]))[0]
    cancelled = await press(bot, {"action": "surgery.cancel", "booking_id": first_booking.id}, people[0],
                            expect="surgery-booking-cancelled")
    assert "Booking cancelled" in text_of(cancelled)
    await bot.sender.drain()
    offers = to(bot.connector.sent, people[5], "surgery-offer")
    assert len(offers) == 1 and "held for you until" in text_of(offers[0])
    sixth = (await bookings(engine, attendee_aad_id=people[5]))[0]
    assert sixth.status == "offered" and sixth.slot_id is not None
    assert sixth.offer_expires_at == SEED_MORNING + timedelta(hours=bot.settings.surgery_offer_hours)
    async with session_factory(engine)() as session:
        assert await session.scalar(select(SurgerySlot.booked).where(SurgerySlot.id == sixth.slot_id)) == 5  # held

    # Nobody takes it: after the hold the job passes it to the next in line (twice at once: passed on once).
    later = sixth.offer_expires_at + timedelta(minutes=1)
    bot.services.clock = lambda: later
    bot.connector.clear()
    results = await asyncio.gather(run_job("surgery-offers", bot.runtime, later),
                                   run_job("surgery-offers", bot.runtime, later))
    assert sorted(results) == ["", "1 expired surgery offer(s) passed on"]
    await bot.sender.drain()
    assert len(to(bot.connector.sent, people[5], "surgery-offer-expired")) == 1
    [seventh_offer] = to(bot.connector.sent, people[6], "surgery-offer")
    assert [b.status for b in await bookings(engine, attendee_aad_id=people[5])] == ["expired"]

    # The sixth person's old offer button no longer works; the seventh takes the place.
    stale = await press(bot, {"action": "surgery.accept", "booking_id": sixth.id, "version": sixth.version},
                        people[5], expect="surgery-refused")
    assert "no longer open" in text_of(stale)
    take = next(a["data"] for a in seventh_offer["actions"] if a["data"].get("action") == "surgery.accept")
    booked = await press(bot, take, people[6], expect="surgery-booked")
    assert "You're booked" in text_of(booked)
    statuses = {b.attendee_aad_id: b.status for b in await bookings(engine)}
    assert [statuses[p] for p in people] == ["cancelled", "confirmed", "confirmed", "confirmed", "confirmed",
                                             "expired", "confirmed"]
    async with session_factory(engine)() as session:
        group = await surgery_named(engine, GROUP)
        assert await session.scalar(select(SurgerySlot.booked).where(SurgerySlot.surgery_id == group.id)) == 5


async def test_an_unwanted_offer_can_be_released_and_the_waiting_list_left(sbot, engine):
    bot = sbot
    people = [external(n) for n in range(11, 18)]
    for person in people:
        await book(bot, GROUP, person)
    first = (await bookings(engine, attendee_aad_id=people[0]))[0]
    await press(bot, {"action": "surgery.cancel", "booking_id": first.id}, people[0], expect="surgery-booking-cancelled")
    await bot.sender.drain()
    offer = to(bot.connector.sent, people[5], "surgery-offer")[0]
    release = next(a["data"] for a in offer["actions"] if a["title"] == "Release it")
    released = await press(bot, release, people[5], expect="surgery-booking-cancelled")
    assert "Place released" in text_of(released)
    await bot.sender.drain()
    assert to(bot.connector.sent, people[6], "surgery-offer"), "the released place goes to the next in line"
    # Someone else's booking can't be cancelled: refused, and their own bookings are shown.
    seventh = (await bookings(engine, attendee_aad_id=people[6]))[0]
    refused = await press(bot, {"action": "surgery.cancel", "booking_id": seventh.id}, DANA, expect="surgery-refused")
    assert "couldn't find that booking among yours" in text_of(refused)
    assert (await bookings(engine, attendee_aad_id=people[6]))[0].status == "offered"


# --- staff cancel, stale cards, edits ------------------------------------------------------------------------------
async def test_staff_cancel_tells_everyone_and_a_stale_card_is_refused_with_a_fresh_one(sbot, engine):
    bot = sbot
    people = [external(n) for n in range(21, 27)]  # 5 places: five booked, one waiting
    for person in people:
        await book(bot, GROUP, person)
    old_card = await open_list(bot, DANA)  # shown before the cancellation
    manage = await say(bot, "manage surgeries", MINA, expect="surgery-manage")
    group = await surgery_named(engine, GROUP)
    assert "5 of 5 taken" in text_of(manage)
    cancel = next(a["card"]["actions"][0]["data"] for c in manage["body"] if c.get("type") == "Container"
                  and GROUP in text_of(c) for a in c["items"][-1]["actions"] if a["type"] == "Action.ShowCard")
    assert cancel == {"action": "surgery.cancel_surgery", "surgery_id": group.id, "version": group.version}
    done = await press(bot, cancel, MINA, expect="surgery-staff-done")
    assert "6 people have been told" in text_of(done)
    await bot.sender.drain()
    for person in people:
        [notice] = to(bot.connector.sent, person, "surgery-cancelled")
        assert "The Virtual School has cancelled this surgery" in text_of(notice)
    assert {b.status for b in await bookings(engine)} == {"surgery_cancelled"}
    # Pressing it twice tells nobody twice.
    await press(bot, cancel, MINA, expect={"surgery-staff-done", "surgery-refused"})
    async with session_factory(engine)() as session:
        notices = await session.scalar(select(func.count()).select_from(Delivery)
                                       .where(Delivery.key.like(f"surgery:{group.id}:cancelled:%")))
    assert notices == 6

    refused = await press(bot, book_data(old_card), DANA, expect="surgery-booking",
                          slot_id=choice(old_card, GROUP), topic="Persistent absence")
    assert "has been cancelled, so nothing was booked" in text_of(refused)
    assert not [t for t in choices(refused) if GROUP in t]
    assert await bookings(engine, attendee_aad_id=DANA) == []


async def test_a_card_shown_before_an_edit_is_stale_and_attendees_are_told_of_a_new_time(sbot, engine):
    bot = sbot
    await book(bot, GROUP, SAM)
    old_card = await open_list(bot, DANA)
    group = await surgery_named(engine, GROUP)
    form = await press(bot, {"action": "surgery.edit", "surgery_id": group.id}, MINA, expect="surgery-publish-form")
    values = {e["id"]: e.get("value", "") for e in form["body"] if e.get("id")}
    assert values["start_time"] == "15:30" and values["places"] == "5" and values["date"] == "2026-12-07"
    data = form["actions"][0]["data"]
    saved = await say_after_press(bot, data, MINA, **{**values, "start_time": "16:00", "end_time": "17:00"})
    assert "Saved: 1 surgery date updated" in saved
    await bot.sender.drain()
    [changed] = to(bot.connector.sent, SAM, "surgery-changed")
    assert "Mon 7 Dec 2026, 16:00–17:00" in text_of(changed) and "the date and time" in text_of(changed)

    refused = await press(bot, book_data(old_card), DANA, expect="surgery-booking", slot_id=choice(old_card, GROUP))
    assert "has changed since this list was shown" in text_of(refused)
    assert "16:00–17:00" in " ".join(choices(refused))
    # A bad value comes back on the form with the problem; nothing changes.
    form = await press(bot, {"action": "surgery.edit", "surgery_id": group.id}, MINA, expect="surgery-publish-form")
    values = {e["id"]: e.get("value", "") for e in form["body"] if e.get("id")}
    refused_form = await press(bot, form["actions"][0]["data"], MINA, expect="surgery-publish-form",
                               **{**values, "places": "0"})
    assert "Enter the number of places" in text_of(refused_form)
    assert (await surgery_named(engine, GROUP)).version == group.version + 1


async def say_after_press(bot, data: dict, aad_id: str, **inputs) -> str:
    bot.connector.clear()
    await bot.post(submit({**data, **inputs}, service_url=bot.connector.url, aad_id=aad_id, name=NAMES[aad_id]))
    sent = await bot.connector.wait_for(lambda s: any(x.text for x in s))
    return " ".join(x.text for x in sent)


async def test_a_slot_that_does_not_exist_and_a_booking_from_a_shared_chat_are_refused(sbot, engine):
    bot = sbot
    card = await open_list(bot, DANA)
    nowhere = await press(bot, book_data(card), DANA, expect="surgery-booking", slot_id="987654", topic="EHCP advice")
    assert "doesn't exist" in text_of(nowhere)
    assert next(e for e in nowhere["body"] if e.get("id") == "topic")["value"] == "EHCP advice"
    forged = await press(bot, book_data(card), DANA, expect="surgery-booking", slot_id="1; DROP TABLE surgery")
    assert "choose a surgery and time" in text_of(forged)
    group_chat = "19:group-chat-surgeries@thread.v2"
    bot.connector.clear()
    activity = submit({**book_data(card), "slot_id": choice(card, GROUP)}, service_url=bot.connector.url, aad_id=DANA,
                      name="Dana Cole", conversation_id=group_chat)
    activity["conversation"]["conversationType"] = "groupChat"
    await bot.post(activity)
    sent = await bot.connector.wait_for(lambda s: any("personal-only" in x.card_ids for x in s))
    assert all(x.conversation_id == group_chat for x in sent)
    assert await bookings(engine) == []


async def test_a_topic_that_names_a_child_is_not_stored(sbot, engine):
    bot = sbot
    reply = await book(bot, GROUP, DANA, topic="Jayden's attendance has dropped since September")
    assert reply["id"] == "surgery-booked" and "might name a child" in text_of(reply)
    assert "Jayden" not in text_of(reply)
    [row] = await bookings(engine, attendee_aad_id=DANA)
    assert row.topic is None
    kept = await book(bot, SLOTS, SAM, topic="Attendance support for a Year 9 pupil in care")
    assert "might name a child" not in text_of(kept)
    assert (await bookings(engine, attendee_aad_id=SAM))[0].topic == "Attendance support for a Year 9 pupil in care"


# --- my bookings, reminders, attendee lists ---------------------------------------------------------------------------
async def test_my_bookings_lists_and_cancels_at_once(sbot, engine):
    bot = sbot
    await book(bot, SLOTS, DANA)
    await book(bot, GROUP, DANA)
    mine = await say(bot, "my bookings", DANA, expect="surgery-my-bookings")
    containers = [c for c in mine["body"] if c.get("type") == "Container"]
    assert [SLOTS in text_of(c) for c in containers] == [True, False], "soonest first"
    cancel = containers[0]["items"][-1]["actions"][0]["data"]
    await press(bot, cancel, DANA, expect="surgery-booking-cancelled")
    listed = await open_list(bot, SAM)
    assert "Mon 30 Nov 2026, 10:00–10:20 · Inclusion advice surgery (20-minute slots)" in choices(listed)
    mine = await say(bot, "my bookings", DANA, expect="surgery-my-bookings")
    assert SLOTS not in text_of(mine) and GROUP in text_of(mine)


async def test_reminder_the_day_before_is_sent_once_when_the_job_runs_twice(sbot, engine):
    bot = sbot
    await book(bot, SLOTS, DANA)   # Mon 30 Nov: reminded on Fri 27 Nov (the working day before)
    await book(bot, GROUP, SAM)    # Mon 7 Dec: not yet
    thursday = datetime(2026, 11, 26, 9, tzinfo=timezone.utc)
    assert (await run_job("surgery-reminders", bot.runtime, thursday)).startswith("0 surgery reminder(s)")
    friday = datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc)
    bot.connector.clear()
    first, second = await asyncio.gather(run_job("surgery-reminders", bot.runtime, friday),
                                         run_job("surgery-reminders", bot.runtime, friday))
    third = await run_job("surgery-reminders", bot.runtime, friday + timedelta(hours=3))
    assert sorted([first, second, third])[-1].startswith("1 surgery reminder(s)")
    assert sum(r.startswith("1 surgery reminder") for r in (first, second, third)) == 1
    await bot.sender.drain()
    reminders = [c for x in bot.connector.sent for c in x.cards if c.get("id") == "surgery-reminder"]
    assert len(reminders) == 1 and to(bot.connector.sent, DANA, "surgery-reminder")
    assert action_url(reminders[0], "Join") == "https://teams.example.org/l/meetup-join/demo"
    assert "Reminder: your surgery is on Mon 30 Nov 2026" in text_of(reminders[0])

    # The morning of the surgery the host (the demo manager) gets the attendee list, once.
    monday = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)
    bot.connector.clear()
    await run_job("surgery-reminders", bot.runtime, monday)
    await run_job("surgery-reminders", bot.runtime, monday + timedelta(hours=1))
    await bot.sender.drain()
    [attendees] = to(bot.connector.sent, MINA, "surgery-attendees")
    assert "Dana Cole" in text_of(attendees) and "1 of 6 taken" in text_of(attendees)


async def test_staff_see_who_booked_with_topics(sbot, engine):
    bot = sbot
    await book(bot, GROUP, DANA, topic="Persistent absence strategies")
    group = await surgery_named(engine, GROUP)
    card = await press(bot, {"action": "surgery.attendees", "surgery_id": group.id}, WEST, expect="surgery-attendees")
    assert "Dana Cole" in text_of(card) and "Persistent absence strategies" in text_of(card)
    refused = await press(bot, {"action": "surgery.attendees", "surgery_id": group.id}, DANA, expect="not-your-role")
    assert "Dana Cole" not in text_of(refused)


# --- the calendar invite ----------------------------------------------------------------------------------------------
async def test_invite_ics_has_utc_times_with_the_right_offset_either_side_of_the_october_clock_change(sbot, engine):
    bot = sbot
    bot.services.clock = lambda: datetime(2027, 10, 1, 9, tzinfo=timezone.utc)
    form = await say(bot, "publish a surgery", MINA, expect="surgery-publish-form")
    token = form["actions"][0]["data"]["token"]
    # Weekly on Tuesdays at 10:00 UK time across the last Sunday of October 2027 (the 31st).
    await press(bot, {"action": "surgery.publish", "token": token}, MINA, expect="surgery-published",
                title="SEND surgery", subject="send", audience="all", date="2027-10-26", start_time="10:00",
                end_time="10:30", kind="group", places="8", join_url="https://teams.example.org/l/meetup-join/send",
                venue="", cutoff_hours="2", repeat="weekly", repeat_until="2027-11-02", term_time_only="false")
    urls = {}
    for day in ("Tue 26 Oct 2027", "Tue 2 Nov 2027"):  # the first date offered: then, once booked, the next
        booked = await book(bot, "SEND surgery", DANA)
        assert day in text_of(booked), text_of(booked)
        urls[day] = action_url(booked, "Add to my calendar")
    expected = {"Tue 26 Oct 2027": (datetime(2027, 10, 26, 9, 0, tzinfo=timezone.utc), "+0100"),   # BST
                "Tue 2 Nov 2027": (datetime(2027, 11, 2, 10, 0, tzinfo=timezone.utc), "+0000")}    # GMT
    for day, (utc_start, offset) in expected.items():
        status, body = await invite_text(bot, urls[day])
        assert status == 200
        calendar = Calendar.from_ical(body)
        [event] = calendar.walk("VEVENT")
        assert event.decoded("dtstart").astimezone(timezone.utc) == utc_start
        assert event.decoded("dtend").astimezone(timezone.utc) == utc_start + timedelta(minutes=30)
        assert "DTSTART;TZID=Europe/London:" in body and event.decoded("dtstart").utcoffset().total_seconds() == \
            (3600 if offset == "+0100" else 0)
        [vtimezone] = calendar.walk("VTIMEZONE")
        assert vtimezone["TZID"] == "Europe/London"
        assert {str(c.name) for c in vtimezone.subcomponents} == {"STANDARD", "DAYLIGHT"}
        assert "TZOFFSETTO:+0100" in body and "TZOFFSETTO:+0000" in body
        assert str(event["summary"]) == "SEND surgery (Virtual School surgery)"
        assert str(event["url"]) == "https://teams.example.org/l/meetup-join/send"
        assert calendar["method"] == "PUBLISH" and str(event["status"]) == "CONFIRMED"
    # A wrong token finds nothing; a cancelled booking's invite cancels the event.
    status, _ = await invite_text(bot, urls["Tue 2 Nov 2027"].replace("?t=", "?t=x"))
    assert status == 404
    row = (await bookings(engine, attendee_aad_id=DANA))[-1]
    await press(bot, {"action": "surgery.cancel", "booking_id": row.id}, DANA, expect="surgery-booking-cancelled")
    status, body = await invite_text(bot, urls["Tue 2 Nov 2027"])
    assert status == 200 and "METHOD:CANCEL" in body and "STATUS:CANCELLED" in body


async def test_every_way_in_leads_to_the_booking_card(sbot):
    """The menu, the welcome card, an FAQ answer's button and typed questions all open the booking card."""
    bot = sbot
    newcomer = external(99)
    welcome = await say(bot, "hello", newcomer, expect="welcome")
    answer = await say(bot, "Does the Virtual School run surgeries for professionals?", DANA, expect="faq-answer")
    for card, who in ((welcome, newcomer), (answer, DANA)):
        button = next(a for a in card["actions"] if a["title"] == "Book a surgery")
        assert button["data"] == {"action": "menu.open", "target": "book"}
        booking = await press(bot, button["data"], who, expect="surgery-booking")
        assert any(GROUP in title for title in choices(booking))
        assert "not available" not in text_of(booking).lower()
    for typed in ("book", "can I book a surgery?", "How do I book onto a surgery", "surgeries"):
        assert choices(await say(bot, typed, DANA, expect="surgery-booking"))


async def test_a_time_taken_meanwhile_asks_for_another_and_a_full_slot_surgery_waitlists(sbot, engine):
    bot = sbot
    dana_card, sam_card = await open_list(bot, DANA), await open_list(bot, SAM)
    first_time = choice(dana_card, SLOTS)
    await press(bot, book_data(dana_card), DANA, expect="surgery-booked", slot_id=first_time)
    again = await press(bot, book_data(sam_card), SAM, expect="surgery-booking", slot_id=first_time,
                        topic="Part-time timetables")
    assert "Someone has just booked that time" in text_of(again)
    assert next(e for e in again["body"] if e.get("id") == "topic")["value"] == "Part-time timetables"
    assert len([t for t in choices(again) if SLOTS in t]) == 5
    assert await bookings(engine, attendee_aad_id=SAM) == []
    for n in range(5):  # the other five times go
        await book(bot, SLOTS, external(200 + n))
    full = await open_list(bot, SAM)
    [waitlist_choice] = [t for t in choices(full) if SLOTS in t]
    assert "every slot taken: join the waiting list" in waitlist_choice
    reply = await press(bot, book_data(full), SAM, expect="surgery-waitlisted", slot_id=choices(full)[waitlist_choice])
    assert "This surgery is full" in text_of(reply)


async def test_a_repeating_surgery_is_edited_and_cancelled_as_one(sbot, engine):
    bot = sbot
    form = await say(bot, "new surgery", WEST, expect="surgery-publish-form")
    await press(bot, {"action": "surgery.publish", "token": form["actions"][0]["data"]["token"]}, WEST,
                expect="surgery-published", title="Exclusions clinic", subject="exclusions", audience="all",
                date="2026-12-01", start_time="09:30", end_time="10:30", kind="group", places="4", venue="Room 4",
                join_url="", cutoff_hours="1", repeat="weekly", repeat_until="2026-12-15", term_time_only="false")
    async with session_factory(engine)() as session:
        dates = list((await session.execute(select(Surgery).where(Surgery.title == "Exclusions clinic")
                                            .order_by(Surgery.starts_at))).scalars())
    assert [d.starts_at.date().isoformat() for d in dates] == ["2026-12-01", "2026-12-08", "2026-12-15"]
    assert len({d.series_id for d in dates}) == 1 and dates[0].series_id is not None
    await book(bot, "Exclusions clinic", DANA)  # the first date
    form = await press(bot, {"action": "surgery.edit", "surgery_id": dates[0].id}, WEST, expect="surgery-publish-form")
    values = {e["id"]: e.get("value", "") for e in form["body"] if e.get("id")}
    assert "apply_to_series" in values
    saved = await say_after_press(bot, form["actions"][0]["data"], WEST,
                                  **{**values, "venue": "Room 9", "apply_to_series": "true"})
    assert "3 surgery dates updated" in saved
    await bot.sender.drain()
    [changed] = to(bot.connector.sent, DANA, "surgery-changed")
    assert "Room 9" in text_of(changed) and "the venue" in text_of(changed)
    async with session_factory(engine)() as session:
        venues = (await session.execute(select(Surgery.venue).where(Surgery.title == "Exclusions clinic"))).scalars()
        assert set(venues) == {"Room 9"}
    manage = await say(bot, "manage surgeries", WEST, expect="surgery-manage")
    first = await surgery_named(engine, "Exclusions clinic")
    cancel = next(a["card"]["actions"][0]["data"] for c in manage["body"] if c.get("type") == "Container"
                  and "Exclusions clinic" in text_of(c) for a in c["items"][-1]["actions"] if a["type"] == "Action.ShowCard")
    assert cancel["surgery_id"] == first.id
    done = await press(bot, {**cancel, "whole_series": "true"}, WEST, expect="surgery-staff-done")
    assert "Cancelled the 3 surgery dates. 1 person has been told." in text_of(done)
    async with session_factory(engine)() as session:
        statuses = (await session.execute(select(Surgery.status).where(Surgery.title == "Exclusions clinic"))).scalars()
        assert set(statuses) == {"cancelled"}
