"""Surgeries, their slots (places) and bookings. Keyword-only repository functions; the rules live in
dialogs/surgeries/service.py.

Places are enforced by the database, never by a read then a write in Python: `take_place` is one conditional
UPDATE (`booked = booked + 1 WHERE booked < capacity`), so however many people press Book at once, a slot's
counter never passes its capacity (a CHECK constraint backs it up). Changes to one surgery's bookings also
take the surgery's row lock first (`lock_surgery`), so a place freed by a cancellation and a booking that just
joined the waiting list cannot miss each other."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Surgery, SurgeryBooking, SurgerySeries, SurgerySlot
from storage.vocabulary import ACTIVE_BOOKING_STATUSES, BookingStatus, SurgeryKind, SurgeryStatus


@dataclass(frozen=True)
class Places:
    """A surgery's places at a glance (for lists and cards)."""

    capacity: int
    booked: int  # confirmed and offered (an offered place is held)
    waitlisted: int

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.booked)


def new_invite_token() -> str:
    return secrets.token_urlsafe(24)


# --- surgeries --------------------------------------------------------------------------------------------
async def create_series(*, session: AsyncSession, series: SurgerySeries) -> SurgerySeries:
    session.add(series)
    await session.flush()
    return series


async def create_surgery(*, session: AsyncSession, surgery: Surgery, places: int) -> Surgery:
    """A surgery and its slots: one slot with `places` places for a group, else one place per slot of
    `slot_minutes` from the start (a remainder too short for a slot is not bookable)."""
    session.add(surgery)
    await session.flush()
    for starts, ends, capacity in slot_plan(surgery, places):
        session.add(SurgerySlot(surgery_id=surgery.id, starts_at=starts, ends_at=ends, capacity=capacity, booked=0))
    await session.flush()
    return surgery


def slot_plan(surgery: Surgery, places: int) -> list[tuple[datetime, datetime, int]]:
    if surgery.kind == SurgeryKind.GROUP:
        return [(surgery.starts_at, surgery.ends_at, places)]
    step = timedelta(minutes=surgery.slot_minutes or 0)
    plan, start = [], surgery.starts_at
    while step and start + step <= surgery.ends_at:
        plan.append((start, start + step, 1))
        start += step
    return plan


async def get_surgery(*, session: AsyncSession, surgery_id: int) -> Surgery | None:
    return await session.get(Surgery, surgery_id)


async def lock_surgery(*, session: AsyncSession, surgery_id: int) -> Surgery | None:
    """The surgery, locked until the transaction ends (PostgreSQL; SQLite's writers are serialised anyway)."""
    query = select(Surgery).where(Surgery.id == surgery_id).execution_options(populate_existing=True)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def lock_surgery_of_slot(*, session: AsyncSession, slot_id: int) -> tuple[Surgery, SurgerySlot] | None:
    """A slot and its surgery, the surgery locked as by `lock_surgery` (one round trip for both)."""
    query = (select(Surgery, SurgerySlot).join(SurgerySlot, SurgerySlot.surgery_id == Surgery.id)
             .where(SurgerySlot.id == slot_id).execution_options(populate_existing=True))
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update(of=Surgery)
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row else None


async def upcoming(*, session: AsyncSession, now: datetime, limit: int = 50, include_cancelled: bool = False,
                   until: datetime | None = None) -> list[Surgery]:
    """Surgeries that have not started yet, soonest first."""
    query = select(Surgery).where(Surgery.starts_at > now)
    if not include_cancelled:
        query = query.where(Surgery.status == SurgeryStatus.PUBLISHED)
    if until is not None:
        query = query.where(Surgery.starts_at < until)
    return list((await session.execute(query.order_by(Surgery.starts_at, Surgery.id).limit(limit))).scalars())


async def starting_between(*, session: AsyncSession, start: datetime, end: datetime) -> list[Surgery]:
    return list((await session.execute(select(Surgery).where(
        Surgery.status == SurgeryStatus.PUBLISHED, Surgery.starts_at >= start, Surgery.starts_at < end)
        .order_by(Surgery.starts_at, Surgery.id))).scalars())


async def series_from(*, session: AsyncSession, series_id: int, starts_from: datetime) -> list[Surgery]:
    """The published dates of a series from a moment on (an edit or cancellation of 'every upcoming date')."""
    return list((await session.execute(select(Surgery).where(
        Surgery.series_id == series_id, Surgery.status == SurgeryStatus.PUBLISHED, Surgery.starts_at >= starts_from)
        .order_by(Surgery.starts_at))).scalars())


def touch(surgery: Surgery, now: datetime) -> None:
    surgery.version += 1
    surgery.updated_at = now


# --- places ---------------------------------------------------------------------------------------------
async def slots_of(*, session: AsyncSession, surgery_id: int) -> list[SurgerySlot]:
    return list((await session.execute(select(SurgerySlot).where(SurgerySlot.surgery_id == surgery_id)
                                       .order_by(SurgerySlot.starts_at, SurgerySlot.id)
                                       .execution_options(populate_existing=True))).scalars())


async def get_slot(*, session: AsyncSession, slot_id: int) -> SurgerySlot | None:
    return await session.get(SurgerySlot, slot_id, populate_existing=True)


async def take_place(*, session: AsyncSession, slot_id: int) -> bool:
    """Take one place in the slot if one is free, atomically in the database. True when taken."""
    result = await session.execute(update(SurgerySlot).where(SurgerySlot.id == slot_id,
                                                             SurgerySlot.booked < SurgerySlot.capacity)
                                   .values(booked=SurgerySlot.booked + 1))
    return result.rowcount == 1


async def free_place(*, session: AsyncSession, slot_id: int) -> None:
    await session.execute(update(SurgerySlot).where(SurgerySlot.id == slot_id, SurgerySlot.booked > 0)
                          .values(booked=SurgerySlot.booked - 1))


async def free_slot_ids(*, session: AsyncSession, surgery_id: int) -> list[int]:
    return list((await session.execute(select(SurgerySlot.id).where(
        SurgerySlot.surgery_id == surgery_id, SurgerySlot.booked < SurgerySlot.capacity)
        .order_by(SurgerySlot.starts_at))).scalars())


async def places_of(*, session: AsyncSession, surgery_ids: list[int]) -> dict[int, Places]:
    if not surgery_ids:
        return {}
    sums = {row.surgery_id: row for row in (await session.execute(
        select(SurgerySlot.surgery_id, func.sum(SurgerySlot.capacity).label("capacity"),
               func.sum(SurgerySlot.booked).label("booked"))
        .where(SurgerySlot.surgery_id.in_(surgery_ids)).group_by(SurgerySlot.surgery_id))).all()}
    waiting = dict((await session.execute(
        select(SurgeryBooking.surgery_id, func.count()).where(SurgeryBooking.surgery_id.in_(surgery_ids),
                                                              SurgeryBooking.status == BookingStatus.WAITLISTED)
        .group_by(SurgeryBooking.surgery_id))).all())
    return {sid: Places(capacity=int(sums[sid].capacity or 0) if sid in sums else 0,
                        booked=int(sums[sid].booked or 0) if sid in sums else 0,
                        waitlisted=int(waiting.get(sid, 0))) for sid in surgery_ids}


async def shift_slots(*, session: AsyncSession, surgery_id: int, by: timedelta) -> None:
    for slot in await slots_of(session=session, surgery_id=surgery_id):
        slot.starts_at, slot.ends_at = slot.starts_at + by, slot.ends_at + by


async def set_group_places(*, session: AsyncSession, surgery_id: int, places: int, starts_at: datetime,
                           ends_at: datetime) -> bool:
    """A group surgery's places and times; False if more people hold places than `places`."""
    result = await session.execute(update(SurgerySlot).where(SurgerySlot.surgery_id == surgery_id,
                                                             SurgerySlot.booked <= places)
                                   .values(capacity=places, starts_at=starts_at, ends_at=ends_at))
    return result.rowcount == 1


async def replace_slots(*, session: AsyncSession, surgery: Surgery, places: int) -> None:
    """New slots for a surgery nobody holds a place at (its times or slot length changed)."""
    for slot in await slots_of(session=session, surgery_id=surgery.id):
        await session.delete(slot)
    await session.flush()
    for starts, ends, capacity in slot_plan(surgery, places):
        session.add(SurgerySlot(surgery_id=surgery.id, starts_at=starts, ends_at=ends, capacity=capacity, booked=0))
    await session.flush()


# --- bookings -------------------------------------------------------------------------------------------
async def find_booking(*, session: AsyncSession, surgery_id: int, attendee_aad_id: str) -> SurgeryBooking | None:
    return (await session.execute(select(SurgeryBooking).where(
        SurgeryBooking.surgery_id == surgery_id, SurgeryBooking.attendee_aad_id == attendee_aad_id)
        .execution_options(populate_existing=True))).scalar_one_or_none()


async def get_booking(*, session: AsyncSession, booking_id: int) -> SurgeryBooking | None:
    return await session.get(SurgeryBooking, booking_id, populate_existing=True)


def add_booking(*, session: AsyncSession, booking: SurgeryBooking) -> SurgeryBooking:
    session.add(booking)
    return booking


def change(booking: SurgeryBooking, status: BookingStatus, now: datetime, **values) -> None:
    """Move a booking on (every change bumps its version: outbox keys and card buttons carry it)."""
    booking.status = status
    booking.version += 1
    booking.updated_at = now
    for key, value in values.items():
        setattr(booking, key, value)


async def first_in_line(*, session: AsyncSession, surgery_id: int) -> SurgeryBooking | None:
    return (await session.execute(select(SurgeryBooking).where(
        SurgeryBooking.surgery_id == surgery_id, SurgeryBooking.status == BookingStatus.WAITLISTED)
        .order_by(SurgeryBooking.queued_at, SurgeryBooking.id).limit(1)
        .execution_options(populate_existing=True))).scalar_one_or_none()


async def waitlist_position(*, session: AsyncSession, booking: SurgeryBooking) -> int:
    """1 for the first in line."""
    ahead = await session.scalar(select(func.count()).select_from(SurgeryBooking).where(
        SurgeryBooking.surgery_id == booking.surgery_id, SurgeryBooking.status == BookingStatus.WAITLISTED,
        (SurgeryBooking.queued_at < booking.queued_at)
        | ((SurgeryBooking.queued_at == booking.queued_at) & (SurgeryBooking.id < booking.id))))
    return int(ahead or 0) + 1


async def active_bookings(*, session: AsyncSession, surgery_id: int) -> list[SurgeryBooking]:
    return list((await session.execute(select(SurgeryBooking).where(
        SurgeryBooking.surgery_id == surgery_id, SurgeryBooking.status.in_(tuple(ACTIVE_BOOKING_STATUSES)))
        .order_by(SurgeryBooking.queued_at, SurgeryBooking.id).execution_options(populate_existing=True))).scalars())


async def bookings_of(*, session: AsyncSession, attendee_aad_id: str, now: datetime
                      ) -> list[tuple[SurgeryBooking, Surgery, SurgerySlot | None]]:
    """A person's active bookings of surgeries that have not started, soonest first."""
    rows = (await session.execute(
        select(SurgeryBooking, Surgery, SurgerySlot)
        .join(Surgery, Surgery.id == SurgeryBooking.surgery_id)
        .outerjoin(SurgerySlot, SurgerySlot.id == SurgeryBooking.slot_id)
        .where(SurgeryBooking.attendee_aad_id == attendee_aad_id,
               SurgeryBooking.status.in_(tuple(ACTIVE_BOOKING_STATUSES)), Surgery.starts_at > now)
        .order_by(Surgery.starts_at, SurgerySlot.starts_at))).all()
    return [(row[0], row[1], row[2]) for row in rows]


async def attendee_ids(*, session: AsyncSession, attendee_aad_id: str, surgery_ids: list[int]
                       ) -> dict[int, SurgeryBooking]:
    """This person's active bookings among these surgeries, by surgery id."""
    if not surgery_ids:
        return {}
    rows = (await session.execute(select(SurgeryBooking).where(
        SurgeryBooking.attendee_aad_id == attendee_aad_id, SurgeryBooking.surgery_id.in_(surgery_ids),
        SurgeryBooking.status.in_(tuple(ACTIVE_BOOKING_STATUSES))))).scalars()
    return {booking.surgery_id: booking for booking in rows}


async def expired_offers(*, session: AsyncSession, now: datetime, limit: int = 200) -> list[SurgeryBooking]:
    return list((await session.execute(select(SurgeryBooking).where(
        SurgeryBooking.status == BookingStatus.OFFERED, SurgeryBooking.offer_expires_at <= now)
        .order_by(SurgeryBooking.offer_expires_at).limit(limit))).scalars())


async def confirmed_between(*, session: AsyncSession, start: datetime, end: datetime
                            ) -> list[tuple[SurgeryBooking, Surgery, SurgerySlot | None]]:
    """Confirmed bookings of published surgeries starting in [start, end)."""
    rows = (await session.execute(
        select(SurgeryBooking, Surgery, SurgerySlot)
        .join(Surgery, Surgery.id == SurgeryBooking.surgery_id)
        .outerjoin(SurgerySlot, SurgerySlot.id == SurgeryBooking.slot_id)
        .where(SurgeryBooking.status == BookingStatus.CONFIRMED, Surgery.status == SurgeryStatus.PUBLISHED,
               Surgery.starts_at >= start, Surgery.starts_at < end)
        .order_by(Surgery.starts_at, SurgeryBooking.id))).all()
    return [(row[0], row[1], row[2]) for row in rows]


async def attendees(*, session: AsyncSession, surgery_id: int) -> list[tuple[SurgeryBooking, SurgerySlot | None]]:
    """Everyone with an active booking (places first, in time order; then the waiting list in order)."""
    rows = (await session.execute(
        select(SurgeryBooking, SurgerySlot).outerjoin(SurgerySlot, SurgerySlot.id == SurgeryBooking.slot_id)
        .where(SurgeryBooking.surgery_id == surgery_id, SurgeryBooking.status.in_(tuple(ACTIVE_BOOKING_STATUSES)))
        .order_by(SurgerySlot.starts_at.is_(None), SurgerySlot.starts_at, SurgeryBooking.queued_at,
                  SurgeryBooking.id))).all()
    return [(row[0], row[1]) for row in rows]


async def status_counts(*, session: AsyncSession, surgery_id: int) -> dict[str, int]:
    return dict((await session.execute(select(SurgeryBooking.status, func.count()).where(
        SurgeryBooking.surgery_id == surgery_id).group_by(SurgeryBooking.status))).all())
