"""Never more confirmed bookings than places, also when many people press Book at once: 200 people book a group
surgery with 10 places at the same moment, over HTTP, on SQLite and PostgreSQL. Exactly 10 are confirmed and 190
wait-listed, in a strict queue (positions 1..190, each once). Timing is measured by
tools/bench/surgery_contention.py, not asserted here."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from sqlalchemy import select

from dialogs.surgeries import service
from dialogs.surgeries.rules import validate
from storage.db import session_factory
from storage.models import SurgeryBooking, SurgerySlot
from tests.utils.teams import submit

NOW = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
PEOPLE, PLACES = 200, 10


async def test_200_people_book_10_places_at_once(bot, engine):
    bot.services.clock = lambda: NOW
    plan, errors = validate({"title": "Contended group surgery", "subject": "attendance", "audience": "all",
                             "date": "2026-12-09", "start_time": "15:30", "end_time": "16:30", "kind": "group",
                             "places": str(PLACES), "join_url": "https://teams.example.org/l/meetup-join/x"},
                            now=NOW, tz="Europe/London")
    assert not errors
    [surgery] = (await service.publish(bot.services, actor_aad_id=None, plan=plan)).surgeries
    async with session_factory(engine)() as session:
        slot = (await session.execute(select(SurgerySlot).where(SurgerySlot.surgery_id == surgery.id))).scalar_one()
    people = [f"88888888-0000-0000-0000-{n:012d}" for n in range(PEOPLE)]
    value = {"action": "surgery.book", "shown": f"{surgery.id}:{surgery.version}", "full": "", "slot_id": str(slot.id),
             "topic": ""}
    responses = await asyncio.gather(*(bot.post(submit(value, service_url=bot.connector.url, aad_id=person,
                                                       name=f"Person {n}"))
                                       for n, person in enumerate(people)))
    assert {r.status for r in responses} <= {200, 201}

    async with session_factory(engine)() as session:
        rows = list((await session.execute(select(SurgeryBooking).where(SurgeryBooking.surgery_id == surgery.id)
                                           .order_by(SurgeryBooking.queued_at, SurgeryBooking.id))).scalars())
        booked = await session.scalar(select(SurgerySlot.booked).where(SurgerySlot.id == slot.id))
    statuses = [r.status for r in rows]
    assert len(rows) == PEOPLE and len({r.attendee_aad_id for r in rows}) == PEOPLE
    assert statuses.count("confirmed") == PLACES and statuses.count("waitlisted") == PEOPLE - PLACES
    assert booked == PLACES

    # Everyone was answered: 10 confirmations and 190 waiting-list cards with positions 1..190, each once.
    sent = await bot.connector.wait_for(lambda s: sum(1 for x in s for c in x.card_ids
                                                      if c in ("surgery-booked", "surgery-waitlisted")) >= PEOPLE,
                                        timeout=60)
    replies = [c for x in sent for c in x.cards if c.get("id") in ("surgery-booked", "surgery-waitlisted")]
    assert sum(c["id"] == "surgery-booked" for c in replies) == PLACES
    positions = sorted(int(f["value"]) for c in replies if c["id"] == "surgery-waitlisted" for e in c["body"]
                       if e.get("type") == "FactSet" for f in e["facts"] if f["title"] == "Your place in the queue")
    assert positions == list(range(1, PEOPLE - PLACES + 1))


async def test_the_database_itself_refuses_more_places_than_capacity(bot, engine):
    """Without the service's surgery lock: 50 sessions take a place in a 10-place slot at once through the
    conditional UPDATE, and exactly 10 succeed; writing past capacity directly breaks the CHECK constraint."""
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    from storage import surgeries as repo

    bot.services.clock = lambda: NOW
    plan, _ = validate({"title": "Counter check", "audience": "all", "date": "2026-12-10", "start_time": "10:00",
                        "end_time": "11:00", "kind": "group", "places": "10", "venue": "Room 1"},
                       now=NOW, tz="Europe/London")
    [surgery] = (await service.publish(bot.services, actor_aad_id=None, plan=plan)).surgeries
    sessions = session_factory(engine)
    async with sessions() as session:
        slot_id = (await session.execute(select(SurgerySlot.id).where(SurgerySlot.surgery_id == surgery.id))).scalar_one()

    async def attempt() -> bool:
        async with sessions() as session:
            taken = await repo.take_place(session=session, slot_id=slot_id)
            await asyncio.sleep(0.01)  # hold the transaction open a moment, so attempts overlap
            await session.commit()
            return taken

    results = await asyncio.gather(*(attempt() for _ in range(50)))
    assert results.count(True) == 10
    async with sessions() as session:
        assert await session.scalar(select(SurgerySlot.booked).where(SurgerySlot.id == slot_id)) == 10
        try:
            await session.execute(update(SurgerySlot).where(SurgerySlot.id == slot_id).values(booked=11))
            await session.commit()
        except IntegrityError:
            await session.rollback()
        else:
            raise AssertionError("the CHECK constraint must refuse more bookings than places")
