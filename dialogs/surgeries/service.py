"""Surgeries: the rules and the transactions. No botbuilder, no SQL (storage/surgeries.py holds the queries).

Every change to a surgery's bookings runs in one transaction that first takes the surgery's row lock, takes or
frees places only through the database's conditional counter (storage.surgeries.take_place), and writes the
messages it causes for other people (an offer to the first in line, notices when staff cancel or change a
surgery) into the outbox in the same transaction. A request does its own person's work and returns; the outbox
sender delivers the rest after the reply. Jobs (reminders, attendee lists, offer expiry) are idempotent by their
outbox keys and by conditional state changes, so a job run twice or on two instances does its work once."""
from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from cards.surgeries import (
    attendee_list_card,
    offer_card,
    offer_expired_card,
    reminder_card,
    surgery_cancelled_card,
    surgery_changed_card,
)
from dialogs.common.services import Services
from dialogs.surgeries.invite import invite_ics
from dialogs.surgeries.rules import SurgeryPlan, occurrence_dates
from dialogs.surgeries.topic import clean_topic, names_a_child
from storage import audit, directory, outbox
from storage import surgeries as repo
from storage.db import UniqueViolation, statements_inline
from storage.models import Surgery, SurgeryBooking, SurgerySeries, SurgerySlot
from storage.vocabulary import (
    ACTIVE_BOOKING_STATUSES,
    PLACE_HOLDING_STATUSES,
    SURGERY_PUBLISHERS,
    BookingStatus,
    Role,
    SurgeryKind,
    SurgeryStatus,
)
from storage.working_days import is_working_day

log = logging.getLogger("vsbot.surgeries")


# --- what the cards need -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Offer:
    """A surgery as the booking card shows it to one person."""

    surgery: Surgery
    places: repo.Places
    free_slots: list[SurgerySlot]
    any_slot: SurgerySlot | None  # a full slots surgery is chosen (to join its waiting list) by any of its slots
    mine: SurgeryBooking | None  # this person's active booking, if any


@dataclass
class Booked:
    """The outcome of a booking attempt. `kind`: confirmed | waitlisted | already | refused."""

    kind: str
    message: str = ""
    booking: SurgeryBooking | None = None
    surgery: Surgery | None = None
    slot: SurgerySlot | None = None
    position: int = 0
    topic_dropped: bool = False
    raced: bool = False
    keep: dict = field(default_factory=dict)  # what the fresh card keeps (slot choice, topic)


@dataclass
class Changed:
    """The outcome of cancel / accept / staff actions. `ok` False: nothing was changed (message says why)."""

    ok: bool
    message: str
    booking: SurgeryBooking | None = None
    surgery: Surgery | None = None
    slot: SurgerySlot | None = None
    headline: str = ""
    retry: bool = False  # a rule stopped it: the form comes back with what was entered


def _tz(services: Services) -> str:
    return services.settings.timezone


def invite_url(services: Services, booking: SurgeryBooking) -> str:
    return f"{services.settings.public_url}/surgeries/{booking.id}/invite.ics?t={booking.invite_token}"


def _uid_domain(services: Services) -> str:
    return urlsplit(services.settings.public_url).hostname or "virtual-school.invalid"


def audience_of(surgery: Surgery) -> set[str]:
    return {part for part in surgery.audience.split(",") if part}


def _id(raw) -> int | None:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2 ** 31 else None


def _shown_versions(raw) -> dict[int, int] | None:
    """The booking card's `shown` ("7:2,8:1": surgery id → version when the card was made). None if absent."""
    if raw is None or raw == "":
        return None
    shown: dict[int, int] = {}
    for part in str(raw).split(","):
        surgery_id, _, version = part.partition(":")
        if _id(surgery_id) and _id(version):
            shown[int(surgery_id)] = int(version)
    return shown


# --- browsing -----------------------------------------------------------------------------------------------
async def offers_for(services: Services, *, actor_aad_id: str, role: Role, limit: int = 8) -> list[Offer]:
    """Upcoming surgeries this person's role may book and that still take bookings, soonest first."""
    now = services.now()
    async with services.sessions() as session:
        candidates = [s for s in await repo.upcoming(session=session, now=now, limit=200)
                      if str(role) in audience_of(s) and s.booking_closes_at > now][:limit]
        ids = [s.id for s in candidates]
        places = await repo.places_of(session=session, surgery_ids=ids)
        mine = await repo.attendee_ids(session=session, attendee_aad_id=actor_aad_id, surgery_ids=ids)
        offers = []
        for surgery in candidates:
            slots = await repo.slots_of(session=session, surgery_id=surgery.id)
            offers.append(Offer(surgery=surgery, places=places[surgery.id],
                                free_slots=[s for s in slots if s.booked < s.capacity],
                                any_slot=slots[0] if slots else None, mine=mine.get(surgery.id)))
    return [o for o in offers if o.any_slot is not None]


async def my_bookings(services: Services, *, actor_aad_id: str) -> list[tuple]:
    """(booking, surgery, slot, waiting-list position or None) for this person's upcoming bookings."""
    async with services.sessions() as session:
        rows = await repo.bookings_of(session=session, attendee_aad_id=actor_aad_id, now=services.now())
        out = []
        for booking, surgery, slot in rows:
            position = (await repo.waitlist_position(session=session, booking=booking)
                        if booking.status == BookingStatus.WAITLISTED else None)
            out.append((booking, surgery, slot, position))
    return out


# --- booking ------------------------------------------------------------------------------------------------
async def book(services: Services, *, actor_aad_id: str, actor_name: str | None, role: Role, slot_id,
               topic, shown, full=None) -> Booked:
    """Book the chosen slot, or join the waiting list when the surgery is full. Refusals change nothing."""
    topic_text = clean_topic(topic)
    keep = {"topic": topic_text, "chosen": str(slot_id or "")}
    chosen = _id(slot_id)
    if chosen is None:
        return Booked("refused", "Please choose a surgery and time from the list; nothing was booked.", keep=keep)
    topic_dropped = bool(topic_text) and names_a_child(topic_text, services.knowledge)
    if topic_dropped:
        topic_text = ""
    try:
        # A few small indexed statements under the surgery's lock: on SQLite without a trip to its thread each, so
        # the one writer is not held across rounds of the busy event loop (storage.db.statements_inline).
        with statements_inline():
            return await _book_once(services, actor_aad_id=actor_aad_id, actor_name=actor_name, role=role,
                                    slot_id=chosen, topic=topic_text, topic_dropped=topic_dropped,
                                    shown=_shown_versions(shown), keep=keep,
                                    full_when_shown={_id(p) for p in str(full or "").split(",")})
    except UniqueViolation:
        # The same person's two submits raced (Teams retrying one it thought timed out, or a double click) on
        # PostgreSQL: the loser's transaction, its place included, rolled back. The winner's booking stands.
        async with services.sessions() as session:
            slot = await repo.get_slot(session=session, slot_id=chosen)
            booking = await repo.find_booking(session=session, surgery_id=slot.surgery_id,
                                              attendee_aad_id=actor_aad_id) if slot else None
            if booking is None:
                raise
            return await _already(session, booking, topic_dropped)


async def _book_once(services: Services, *, actor_aad_id: str, actor_name: str | None, role: Role, slot_id: int,
                     topic: str, topic_dropped: bool, shown: dict[int, int] | None, keep: dict,
                     full_when_shown: set) -> Booked:
    now = services.now()
    tz = _tz(services)
    async with services.sessions() as session:
        found = await repo.lock_surgery_of_slot(session=session, slot_id=slot_id)
        surgery, slot = found if found else (None, None)
        if slot is None or surgery is None:
            return Booked("refused", "That surgery time doesn't exist (any more), so nothing was booked. Here is "
                                     "what is open now.", keep={"topic": keep["topic"]})
        existing = await repo.find_booking(session=session, surgery_id=surgery.id, attendee_aad_id=actor_aad_id)
        if existing is not None and existing.status in ACTIVE_BOOKING_STATUSES:
            return await _already(session, existing, topic_dropped)  # a resent or repeated Book: same answer
        if surgery.status != SurgeryStatus.PUBLISHED:
            return Booked("refused", "That surgery has been cancelled, so nothing was booked. Here is what is open "
                                     "now.", keep={"topic": keep["topic"]})
        if shown is not None and shown.get(surgery.id) != surgery.version:
            return Booked("refused", "That surgery has changed since this list was shown, so nothing was booked. "
                                     "Please check the details below and choose again.", keep={"topic": keep["topic"]})
        if str(role) not in audience_of(surgery):
            return Booked("refused", "That surgery isn't open to your role, so nothing was booked. Here is what you "
                                     "can book.", keep={"topic": keep["topic"]})
        if now >= surgery.booking_closes_at:
            closed = "has started" if now >= surgery.starts_at else \
                f"closed for booking at {surgery.booking_closes_at.astimezone(ZoneInfo(tz)):%H:%M on %d %b}"
            return Booked("refused", f"That surgery {closed}, so nothing was booked. Here is what is still open.",
                          keep={"topic": keep["topic"]})

        now = services.now()  # read under the surgery's lock: waiting-list order is the order people got in
        taken = await repo.take_place(session=session, slot_id=slot.id)
        raced = False
        if not taken:
            free = surgery.kind == SurgeryKind.SLOTS and await repo.free_slot_ids(session=session, surgery_id=surgery.id)
            if free:  # that time went, others are free: let the person choose again (nothing is queued)
                return Booked("refused", "Someone has just booked that time, so nothing was booked. Please choose "
                                         "another — what you typed is kept.", keep={"topic": keep["topic"]})
            # The card showed free places and they went while the person was choosing: say so.
            raced = shown is not None and surgery.id not in full_when_shown
        status = BookingStatus.CONFIRMED if taken else BookingStatus.WAITLISTED
        values = dict(slot_id=slot.id if taken else None, topic=topic or None, attendee_name=actor_name,
                      queued_at=now, offer_expires_at=None, confirmed_at=now if taken else None, cancelled_at=None)
        if existing is None:
            booking = repo.add_booking(session=session, booking=SurgeryBooking(
                surgery_id=surgery.id, attendee_aad_id=actor_aad_id, status=status, invite_token=repo.new_invite_token(),
                created_at=now, updated_at=now, **values))
        else:  # booking again after a cancellation: the same row (one booking per person per surgery)
            booking = existing
            repo.change(booking, status, now, **values)
        await session.flush()
        position = 0 if taken else await repo.waitlist_position(session=session, booking=booking)
        audit.record(session=session, actor_aad_id=actor_aad_id, action=f"surgery.{status}", entity_type="surgery",
                     entity_id=str(surgery.id), detail={"booking": booking.id})
        await session.commit()
    log.info("surgery booking surgery=%s booking=%s status=%s", surgery.id, booking.id, status)
    return Booked(str(status), booking=booking, surgery=surgery, slot=slot if taken else None, position=position,
                  topic_dropped=topic_dropped, raced=raced)


async def _already(session, booking: SurgeryBooking, topic_dropped: bool) -> Booked:
    surgery = await repo.get_surgery(session=session, surgery_id=booking.surgery_id)
    slot = await repo.get_slot(session=session, slot_id=booking.slot_id) if booking.slot_id else None
    position = await repo.waitlist_position(session=session, booking=booking) \
        if booking.status == BookingStatus.WAITLISTED else 0
    return Booked("already", booking=booking, surgery=surgery, slot=slot, position=position,
                  topic_dropped=topic_dropped)


# --- a place frees up -----------------------------------------------------------------------------------------
async def _place_freed(session, services: Services, surgery: Surgery, slot_id: int, now: datetime) -> None:
    """A held place is no longer held: it passes to the first in line as an offer (still held, so the counter
    stays), or, with nobody waiting or booking closed, it is freed."""
    if surgery.status == SurgeryStatus.PUBLISHED and now < surgery.booking_closes_at:
        nxt = await repo.first_in_line(session=session, surgery_id=surgery.id)
        if nxt is not None:
            expires = min(now + timedelta(hours=services.settings.surgery_offer_hours), surgery.booking_closes_at)
            repo.change(nxt, BookingStatus.OFFERED, now, slot_id=slot_id, offer_expires_at=expires)
            await session.flush()
            slot = await repo.get_slot(session=session, slot_id=slot_id)
            await outbox.enqueue(session=session, key=f"surgery-booking:{nxt.id}:offer:v{nxt.version}",
                                 recipient_aad_id=nxt.attendee_aad_id, summary="A surgery place has come free for you",
                                 card=offer_card(booking=nxt, surgery=surgery, slot=slot, tz=_tz(services),
                                                 expires_at=expires))
            log.info("surgery place offered surgery=%s booking=%s", surgery.id, nxt.id)
            return
    await repo.free_place(session=session, slot_id=slot_id)


async def cancel_booking(services: Services, *, actor_aad_id: str, booking_id) -> Changed:
    """Cancel a booking, leave the waiting list, or release an offered place: only the person's own."""
    now = services.now()
    wanted = _id(booking_id)
    async with services.sessions() as session:
        booking = await repo.get_booking(session=session, booking_id=wanted) if wanted else None
        if booking is None or booking.attendee_aad_id != actor_aad_id:
            if booking is not None:
                audit.record(session=session, actor_aad_id=actor_aad_id, action="surgery.cancel_denied",
                             entity_type="surgery", entity_id=str(booking.surgery_id), detail={"booking": booking.id})
                await session.commit()
            return Changed(False, "I couldn't find that booking among yours, so nothing was changed. Here are your "
                                  "bookings.")
        surgery = await repo.lock_surgery(session=session, surgery_id=booking.surgery_id)
        booking = await repo.get_booking(session=session, booking_id=booking.id)  # re-read under the lock
        slot = await repo.get_slot(session=session, slot_id=booking.slot_id) if booking.slot_id else None
        if booking.status not in ACTIVE_BOOKING_STATUSES:
            return Changed(False, "That booking was already cancelled; nothing else was changed.", booking, surgery)
        if now >= surgery.starts_at:
            return Changed(False, "That surgery has already started, so the booking can't be cancelled now.",
                           booking, surgery, slot)
        was = BookingStatus(booking.status)
        held = booking.slot_id if was in PLACE_HOLDING_STATUSES else None
        repo.change(booking, BookingStatus.CANCELLED, now, slot_id=None, offer_expires_at=None, cancelled_at=now)
        if held:
            await _place_freed(session, services, surgery, held, now)
        audit.record(session=session, actor_aad_id=actor_aad_id, action=f"surgery.cancel.{was}", entity_type="surgery",
                     entity_id=str(surgery.id), detail={"booking": booking.id})
        await session.commit()
    headline, message = {
        BookingStatus.WAITLISTED: ("Left the waiting list", "You're no longer on the waiting list for this surgery."),
        BookingStatus.OFFERED: ("Place released", "Thank you — the place has gone to the next person in the queue, "
                                                  "or back into the booking list."),
    }.get(was, ("Booking cancelled", "Your place has been freed for someone else."))
    return Changed(True, message, booking, surgery, slot, headline)


async def accept_offer(services: Services, *, actor_aad_id: str, booking_id, version) -> Changed:
    now = services.now()
    wanted = _id(booking_id)
    async with services.sessions() as session:
        booking = await repo.get_booking(session=session, booking_id=wanted) if wanted else None
        if booking is None or booking.attendee_aad_id != actor_aad_id:
            return Changed(False, "I couldn't find that offer among your bookings, so nothing was changed.")
        surgery = await repo.lock_surgery(session=session, surgery_id=booking.surgery_id)
        booking = await repo.get_booking(session=session, booking_id=booking.id)
        slot = await repo.get_slot(session=session, slot_id=booking.slot_id) if booking.slot_id else None
        if booking.status == BookingStatus.CONFIRMED:
            return Changed(True, "You already have this place.", booking, surgery, slot, "You're booked")
        if booking.status != BookingStatus.OFFERED or (_id(version) and _id(version) != booking.version):
            return Changed(False, "That offer is no longer open, so nothing was changed. Here are your bookings.",
                           booking, surgery, slot)
        if booking.offer_expires_at is not None and booking.offer_expires_at <= now:
            await _expire(session, services, surgery, booking, now)
            await session.commit()
            return Changed(False, "Sorry — that offer ran out before you took it, and the place has passed to the next "
                                  "person. Type **book** to see what else is open.", booking, surgery)
        repo.change(booking, BookingStatus.CONFIRMED, now, offer_expires_at=None, confirmed_at=now)
        audit.record(session=session, actor_aad_id=actor_aad_id, action="surgery.offer_accepted", entity_type="surgery",
                     entity_id=str(surgery.id), detail={"booking": booking.id})
        await session.commit()
    return Changed(True, "", booking, surgery, slot, "You're booked")


async def _expire(session, services: Services, surgery: Surgery, booking: SurgeryBooking, now: datetime) -> None:
    held = booking.slot_id
    repo.change(booking, BookingStatus.EXPIRED, now, slot_id=None, offer_expires_at=None)
    await session.flush()
    await outbox.enqueue(session=session, key=f"surgery-booking:{booking.id}:offer-expired:v{booking.version}",
                         recipient_aad_id=booking.attendee_aad_id, summary="The surgery place you were offered has passed on",
                         card=offer_expired_card(surgery=surgery, tz=_tz(services)))
    if held:
        await _place_freed(session, services, surgery, held, now)


async def expire_offers(services: Services, *, now: datetime) -> int:
    """`surgery-offers` job: offers not taken in time pass to the next in line. Each booking is re-read under
    its surgery's lock and changed only if it is still an expired offer, so two runs at once pass it on once."""
    async with services.sessions() as session:
        due = [(b.id, b.surgery_id) for b in await repo.expired_offers(session=session, now=now)]
    count = 0
    for booking_id, surgery_id in due:
        async with services.sessions() as session:
            surgery = await repo.lock_surgery(session=session, surgery_id=surgery_id)
            booking = await repo.get_booking(session=session, booking_id=booking_id)
            if (surgery is None or booking is None or booking.status != BookingStatus.OFFERED
                    or booking.offer_expires_at is None or booking.offer_expires_at > now):
                continue
            await _expire(session, services, surgery, booking, now)
            await session.commit()
            count += 1
    return count


# --- reminders and attendee lists ------------------------------------------------------------------------------
def previous_working_day(day: date) -> date:
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def _next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


async def send_reminders(services: Services, *, now: datetime) -> tuple[int, int]:
    """`surgery-reminders` job: a reminder with the joining details to each confirmed attendee on the working day
    before the surgery (or later that day, if a run was missed), and the attendee list to the host (or the
    managers) on the morning of the surgery. Outbox keys make each one once, however often the job runs."""
    tz = ZoneInfo(_tz(services))
    today = now.astimezone(tz).date()
    horizon = datetime.combine(_next_working_day(today) + timedelta(days=1), time(0), tzinfo=tz)
    reminders = lists = 0
    async with services.sessions() as session:
        for booking, surgery, slot in await repo.confirmed_between(session=session, start=now, end=horizon):
            starts = (slot.starts_at if slot else surgery.starts_at)
            if today < previous_working_day(surgery.starts_at.astimezone(tz).date()):
                continue
            reminders += await outbox.enqueue(
                session=session, key=f"surgery-booking:{booking.id}:reminder:{starts:%Y%m%dT%H%M}",
                recipient_aad_id=booking.attendee_aad_id, summary=f"Reminder: {surgery.title}",
                card=reminder_card(booking=booking, surgery=surgery, slot=slot, tz=_tz(services),
                                   invite_url=invite_url(services, booking)))
        day_end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz)
        for surgery in await repo.starting_between(session=session, start=now, end=day_end):
            recipients = [surgery.host_aad_id] if surgery.host_aad_id else await directory.managers(session=session)
            card = await _attendee_card(session, surgery, _tz(services), morning=True)
            for recipient in recipients:
                lists += await outbox.enqueue(
                    session=session, key=f"surgery:{surgery.id}:attendees:{today.isoformat()}:{recipient}",
                    recipient_aad_id=recipient, summary=f"Today's surgery: {surgery.title}", card=card)
        await session.commit()
    return reminders, lists


async def _attendee_card(session, surgery: Surgery, tz: str, *, morning: bool = False) -> dict:
    rows = await repo.attendees(session=session, surgery_id=surgery.id)
    names = await directory.names_of(session=session, aad_object_ids=[b.attendee_aad_id for b, _ in rows])
    places = (await repo.places_of(session=session, surgery_ids=[surgery.id]))[surgery.id]
    return attendee_list_card(surgery=surgery, places=places, tz=tz, morning=morning,
                              rows=[(b, s, names.get(b.attendee_aad_id) or b.attendee_name or "A Teams user")
                                    for b, s in rows])


# --- staff -------------------------------------------------------------------------------------------------------
@dataclass
class Published:
    surgeries: list[Surgery]
    skipped: int


async def publish(services: Services, *, actor_aad_id: str | None, plan: SurgeryPlan,
                  host_aad_id: str | None = None) -> Published:
    """Publish a surgery, or every date of a repeating one (one series row: one definition)."""
    tz, now = _tz(services), services.now()
    calendar = getattr(services.settings, "school_calendar", None)  # term dates, when configured
    dates = occurrence_dates(plan, is_working_day=is_working_day, in_term=getattr(calendar, "in_term", None))
    dates = [d for d in dates if plan.starts_at(tz, d) > now]
    pattern = occurrence_dates(plan, is_working_day=lambda _d: True) if plan.repeat_weeks else [plan.day]
    async with services.sessions() as session:
        series = None
        if plan.repeat_weeks and dates:
            series = await repo.create_series(session=session, series=SurgerySeries(
                interval_weeks=plan.repeat_weeks, first_date=plan.day, until_date=plan.until,
                term_time_only=plan.term_time_only, created_by_aad_id=actor_aad_id, created_at=now))
        made = []
        for day in dates:
            starts = plan.starts_at(tz, day)
            surgery = Surgery(series_id=series.id if series else None, title=plan.title, subject=plan.subject,
                              audience=",".join(str(r) for r in plan.audience), kind=plan.kind, starts_at=starts,
                              ends_at=plan.ends_at(tz, day), slot_minutes=plan.slot_minutes, join_url=plan.join_url,
                              venue=plan.venue, cutoff_minutes=plan.cutoff_minutes,
                              booking_closes_at=starts - timedelta(minutes=plan.cutoff_minutes),
                              host_aad_id=host_aad_id or actor_aad_id, created_at=now, updated_at=now)
            made.append(await repo.create_surgery(session=session, surgery=surgery, places=plan.places))
        for surgery in made:
            audit.record(session=session, actor_aad_id=actor_aad_id, action="surgery.publish", entity_type="surgery",
                         entity_id=str(surgery.id))
        await session.commit()
    log.info("surgeries published count=%s series=%s", len(made), series.id if series else None)
    return Published(made, skipped=len(pattern) - len(dates))


def form_values(surgery: Surgery, tz: str) -> dict:
    """A surgery as the edit form's inputs."""
    zone = ZoneInfo(tz)
    starts, ends = surgery.starts_at.astimezone(zone), surgery.ends_at.astimezone(zone)
    return {"title": surgery.title, "subject": surgery.subject, "audience": surgery.audience,
            "date": starts.date().isoformat(), "start_time": f"{starts:%H:%M}", "end_time": f"{ends:%H:%M}",
            "kind": surgery.kind, "slot_minutes": str(surgery.slot_minutes or ""),
            "places": "", "join_url": surgery.join_url or "", "venue": surgery.venue or "",
            "cutoff_hours": str(surgery.cutoff_minutes // 60)}


async def edit_values(services: Services, *, surgery_id) -> tuple[Surgery, dict] | None:
    """The surgery and its current values for the edit form, or None if it can't be edited."""
    wanted = _id(surgery_id)
    async with services.sessions() as session:
        surgery = await repo.get_surgery(session=session, surgery_id=wanted) if wanted else None
        if surgery is None or surgery.status != SurgeryStatus.PUBLISHED or surgery.starts_at <= services.now():
            return None
        values = form_values(surgery, _tz(services))
        if surgery.kind == SurgeryKind.GROUP:
            places = await repo.places_of(session=session, surgery_ids=[surgery.id])
            values["places"] = str(places[surgery.id].capacity)
    return surgery, values


async def edit(services: Services, *, actor_aad_id: str, surgery_id, version, plan: SurgeryPlan,
               whole_series: bool = False) -> Changed:
    """Change a surgery (and, if asked, every upcoming date of its series). Everyone holding a place is told
    when the date, time, or joining details change. A change that would drop people's places is refused."""
    now, tz = services.now(), _tz(services)
    wanted = _id(surgery_id)
    async with services.sessions() as session:
        surgery = await repo.lock_surgery(session=session, surgery_id=wanted) if wanted else None
        if surgery is None or surgery.status != SurgeryStatus.PUBLISHED or surgery.starts_at <= now:
            return Changed(False, "That surgery can't be edited (it has been cancelled or has started); nothing was "
                                  "changed.")
        if _id(version) != surgery.version:
            return Changed(False, "Someone changed that surgery after this form was opened, so nothing was saved. "
                                  "Open it again from **manage surgeries** to see the latest details.", surgery=surgery)
        targets = [surgery]
        if whole_series and surgery.series_id:
            targets += [s for s in await repo.series_from(session=session, series_id=surgery.series_id,
                                                          starts_from=surgery.starts_at) if s.id != surgery.id]
        for target in targets:
            if target is not surgery:
                target = await repo.lock_surgery(session=session, surgery_id=target.id)
            day = plan.day if target is surgery else target.starts_at.astimezone(ZoneInfo(tz)).date()
            problem = await _apply_edit(session, services, target, plan, day, now)
            if problem:
                await session.rollback()
                return Changed(False, f"{problem} Nothing was changed.", surgery=surgery, retry=True)
        audit.record(session=session, actor_aad_id=actor_aad_id, action="surgery.edit", entity_type="surgery",
                     entity_id=str(surgery.id), detail={"dates": len(targets)})
        await session.commit()
    word = "date" if len(targets) == 1 else "dates"
    return Changed(True, f"Saved: {len(targets)} surgery {word} updated. Everyone affected has been told.",
                   surgery=surgery)


async def _apply_edit(session, services: Services, surgery: Surgery, plan: SurgeryPlan, day: date,
                      now: datetime) -> str | None:
    tz = _tz(services)
    starts, ends = plan.starts_at(tz, day), plan.ends_at(tz, day)
    if starts <= now:
        return "The new date and time have already passed."
    places = (await repo.places_of(session=session, surgery_ids=[surgery.id]))[surgery.id]
    if plan.kind != surgery.kind and places.booked:
        return "People have booked, so it can't change between slots and a group session."
    moved = starts != surgery.starts_at or ends != surgery.ends_at
    changes = []
    if moved:
        changes.append("the date and time")
    if (plan.join_url or None) != surgery.join_url:
        changes.append("the Teams meeting link")
    if (plan.venue or None) != surgery.venue:
        changes.append("the venue")
    if plan.kind == SurgeryKind.GROUP and surgery.kind == SurgeryKind.GROUP:
        if not await repo.set_group_places(session=session, surgery_id=surgery.id, places=plan.places,
                                           starts_at=starts, ends_at=ends):
            return f"{places.booked} people hold places, so it can't have fewer than {places.booked}."
    elif (plan.kind == surgery.kind and plan.slot_minutes == surgery.slot_minutes
          and ends - starts == surgery.ends_at - surgery.starts_at):
        await repo.shift_slots(session=session, surgery_id=surgery.id, by=starts - surgery.starts_at)
    elif places.booked:
        return ("People have booked slots, so the slot length and the length of the surgery can't change (its date "
                "and start time can).")
    else:
        surgery.kind, surgery.slot_minutes, surgery.starts_at, surgery.ends_at = plan.kind, plan.slot_minutes, starts, ends
        await repo.replace_slots(session=session, surgery=surgery, places=plan.places)
    surgery.title, surgery.subject = plan.title, plan.subject
    surgery.audience = ",".join(str(r) for r in plan.audience)
    surgery.kind, surgery.slot_minutes = plan.kind, plan.slot_minutes
    surgery.starts_at, surgery.ends_at = starts, ends
    surgery.join_url, surgery.venue = plan.join_url, plan.venue
    surgery.cutoff_minutes = plan.cutoff_minutes
    surgery.booking_closes_at = starts - timedelta(minutes=plan.cutoff_minutes)
    repo.touch(surgery, now)
    await session.flush()
    if changes:
        for booking in await repo.active_bookings(session=session, surgery_id=surgery.id):
            if booking.status not in PLACE_HOLDING_STATUSES:
                continue
            slot = await repo.get_slot(session=session, slot_id=booking.slot_id) if booking.slot_id else None
            await outbox.enqueue(session=session, key=f"surgery:{surgery.id}:v{surgery.version}:booking:{booking.id}",
                                 recipient_aad_id=booking.attendee_aad_id, summary=f"Changed: {surgery.title}",
                                 card=surgery_changed_card(booking=booking, surgery=surgery, slot=slot, tz=tz,
                                                           invite_url=invite_url(services, booking), changes=changes))
    return None


async def cancel_surgery(services: Services, *, actor_aad_id: str, surgery_id, version,
                         whole_series: bool = False) -> Changed:
    """Staff cancel a surgery (or every upcoming date of its series): everyone booked, offered a place or on the
    waiting list is told, through the outbox, in the same transaction."""
    now = services.now()
    wanted = _id(surgery_id)
    async with services.sessions() as session:
        surgery = await repo.lock_surgery(session=session, surgery_id=wanted) if wanted else None
        if surgery is None:
            return Changed(False, "I couldn't find that surgery, so nothing was changed.")
        if surgery.status == SurgeryStatus.CANCELLED:
            return Changed(True, "That surgery was already cancelled; everyone booked was told then.", surgery=surgery)
        if _id(version) != surgery.version:
            return Changed(False, "That surgery changed after this card was shown, so it was not cancelled. Here is "
                                  "the current list.", surgery=surgery)
        if surgery.starts_at <= now:
            return Changed(False, "That surgery has already started, so it can't be cancelled now.", surgery=surgery)
        targets = [surgery]
        if whole_series and surgery.series_id:
            targets += [await repo.lock_surgery(session=session, surgery_id=s.id)
                        for s in await repo.series_from(session=session, series_id=surgery.series_id,
                                                        starts_from=surgery.starts_at) if s.id != surgery.id]
        told = 0
        for target in targets:
            told += await _cancel_one(session, services, target, now)
            audit.record(session=session, actor_aad_id=actor_aad_id, action="surgery.cancel_surgery",
                         entity_type="surgery", entity_id=str(target.id), detail={"told": told})
        await session.commit()
    word = "surgery" if len(targets) == 1 else f"{len(targets)} surgery dates"
    return Changed(True, f"Cancelled the {word}. {told} {'person has' if told == 1 else 'people have'} been told.",
                   surgery=surgery)


async def _cancel_one(session, services: Services, surgery: Surgery, now: datetime) -> int:
    surgery.status, surgery.cancelled_at = SurgeryStatus.CANCELLED, now
    repo.touch(surgery, now)
    told = 0
    for booking in await repo.active_bookings(session=session, surgery_id=surgery.id):
        was = booking.status
        slot = await repo.get_slot(session=session, slot_id=booking.slot_id) if booking.slot_id else None
        if booking.slot_id:
            await repo.free_place(session=session, slot_id=booking.slot_id)
        repo.change(booking, BookingStatus.SURGERY_CANCELLED, now, slot_id=None, offer_expires_at=None,
                    cancelled_at=now)
        await session.flush()
        told += await outbox.enqueue(
            session=session, key=f"surgery:{surgery.id}:cancelled:booking:{booking.id}",
            recipient_aad_id=booking.attendee_aad_id, summary=f"Cancelled: {surgery.title}",
            card=surgery_cancelled_card(surgery=surgery, slot=slot, tz=_tz(services), was=was,
                                        invite_url=invite_url(services, booking) if was != BookingStatus.WAITLISTED
                                        else None))
    return told


async def attendee_card(services: Services, *, surgery_id) -> dict | None:
    wanted = _id(surgery_id)
    async with services.sessions() as session:
        surgery = await repo.get_surgery(session=session, surgery_id=wanted) if wanted else None
        if surgery is None:
            return None
        return await _attendee_card(session, surgery, _tz(services))


async def managed(services: Services, *, limit: int = 12) -> list[tuple[Surgery, repo.Places]]:
    async with services.sessions() as session:
        upcoming = await repo.upcoming(session=session, now=services.now(), limit=limit)
        places = await repo.places_of(session=session, surgery_ids=[s.id for s in upcoming])
    return [(s, places[s.id]) for s in upcoming]


async def listing(services: Services, *, include_cancelled: bool = False, limit: int = 200
                  ) -> list[tuple[Surgery, repo.Places]]:
    """`vsbot surgeries list`: what is published (upcoming), with places."""
    async with services.sessions() as session:
        upcoming = await repo.upcoming(session=session, now=services.now(), limit=limit,
                                       include_cancelled=include_cancelled)
        places = await repo.places_of(session=session, surgery_ids=[s.id for s in upcoming])
    return [(s, places[s.id]) for s in upcoming]


def may_publish(role: Role) -> bool:
    return role in SURGERY_PUBLISHERS


# --- the calendar invite ---------------------------------------------------------------------------------------
async def invite(services: Services, *, booking_id, token: str) -> bytes | None:
    """The booking's .ics, for the holder of its link (the token is the link's secret); None otherwise."""
    wanted = _id(booking_id)
    if wanted is None or not token:
        return None
    async with services.sessions() as session:
        booking = await repo.get_booking(session=session, booking_id=wanted)
        if booking is None or not hmac.compare_digest(booking.invite_token.encode(), token.encode()):
            return None
        surgery = await repo.get_surgery(session=session, surgery_id=booking.surgery_id)
        slot = await repo.get_slot(session=session, slot_id=booking.slot_id) if booking.slot_id else None
        if slot is None and surgery.kind == SurgeryKind.SLOTS and booking.status in PLACE_HOLDING_STATUSES:
            return None
    return invite_ics(booking=booking, surgery=surgery, slot=slot, tz=_tz(services), uid_domain=_uid_domain(services),
                      now=services.now())
