"""Surgery commands and card buttons outside the publish form: booking, cancelling, offers, "my bookings", and
the staff's manage / who's booked / cancel. The router has already checked where each came from and who is
asking; the service checks everything else (the booking is theirs, the card is current, places are free).

A refused booking always comes back with a fresh booking card that keeps what the person chose and typed."""
from __future__ import annotations

from cards.menu import notice_card
from cards.surgeries import (
    booking_cancelled_card,
    booking_card,
    booking_confirmation_card,
    manage_card,
    my_bookings_card,
    offer_card,
    waitlist_card,
)
from dialogs.common.services import Services
from dialogs.common.turn import Turn
from dialogs.surgeries import service
from storage.vocabulary import BookingStatus


async def show_booking_card(turn: Turn, services: Services, *, notice: str | None = None,
                            keep: dict | None = None) -> None:
    keep = keep or {}
    offers = await service.offers_for(services, actor_aad_id=turn.actor_id, role=turn.role)
    await turn.reply(booking_card(offers=offers, tz=services.settings.timezone, notice=notice,
                                  topic=keep.get("topic", ""), chosen=keep.get("chosen", ""),
                                  staff=service.may_publish(turn.role)), summary="Book a surgery")


async def on_book_command(turn: Turn, services: Services, _value: dict) -> None:
    """`book`, "can I book a surgery?", the menu's and FAQ answers' Book a surgery button."""
    await show_booking_card(turn, services)


async def on_book(turn: Turn, services: Services, value: dict) -> None:
    """`surgery.book`: the booking card's Book button (slot `slot_id`, topic `topic`)."""
    outcome = await service.book(services, actor_aad_id=turn.actor_id, actor_name=turn.actor_name, role=turn.role,
                                 slot_id=value.get("slot_id"), topic=value.get("topic"), shown=value.get("shown"),
                                 full=value.get("full"))
    if outcome.kind == "refused":
        await show_booking_card(turn, services, notice=outcome.message, keep=outcome.keep)
        return
    await reply_booking(turn, services, outcome.booking, outcome.surgery, outcome.slot, position=outcome.position,
                        topic_dropped=outcome.topic_dropped, raced=outcome.raced, already=outcome.kind == "already")


async def reply_booking(turn: Turn, services: Services, booking, surgery, slot, *, position: int = 0,
                        topic_dropped: bool = False, raced: bool = False, already: bool = False) -> None:
    tz = services.settings.timezone
    if booking.status == BookingStatus.WAITLISTED:
        await turn.reply(waitlist_card(booking=booking, surgery=surgery, tz=tz, position=position,
                                       topic_dropped=topic_dropped, raced=raced), summary="On the waiting list")
    elif booking.status == BookingStatus.OFFERED:
        await turn.reply(offer_card(booking=booking, surgery=surgery, slot=slot, tz=tz,
                                    expires_at=booking.offer_expires_at), summary="A place is held for you")
    else:
        await turn.reply(booking_confirmation_card(
            booking=booking, surgery=surgery, slot=slot, tz=tz, invite_url=service.invite_url(services, booking),
            topic_dropped=topic_dropped, headline="You already have this place" if already else "You're booked"),
            summary=f"Booked: {surgery.title}")


async def on_my_bookings(turn: Turn, services: Services, _value: dict) -> None:
    rows = await service.my_bookings(services, actor_aad_id=turn.actor_id)
    await turn.reply(my_bookings_card(rows=rows, tz=services.settings.timezone), summary="My bookings")


async def on_cancel(turn: Turn, services: Services, value: dict) -> None:
    """`surgery.cancel`: cancel a booking, leave the waiting list or release an offered place."""
    outcome = await service.cancel_booking(services, actor_aad_id=turn.actor_id, booking_id=value.get("booking_id"))
    if not outcome.ok:
        await turn.reply(notice_card("Nothing was changed", outcome.message, card_id="surgery-refused"))
        await on_my_bookings(turn, services, value)
        return
    await turn.reply(booking_cancelled_card(surgery=outcome.surgery, slot=outcome.slot, tz=services.settings.timezone,
                                            headline=outcome.headline, message=outcome.message),
                     summary=outcome.headline)


async def on_accept(turn: Turn, services: Services, value: dict) -> None:
    """`surgery.accept`: take a place offered from the waiting list."""
    outcome = await service.accept_offer(services, actor_aad_id=turn.actor_id, booking_id=value.get("booking_id"),
                                         version=value.get("version"))
    if not outcome.ok:
        await turn.reply(notice_card("Nothing was changed", outcome.message, card_id="surgery-refused"))
        await on_my_bookings(turn, services, value)
        return
    await reply_booking(turn, services, outcome.booking, outcome.surgery, outcome.slot)


# --- staff ---------------------------------------------------------------------------------------------------
async def on_manage(turn: Turn, services: Services, _value: dict) -> None:
    rows = await service.managed(services)
    await turn.reply(manage_card(rows=rows, tz=services.settings.timezone), summary="Manage surgeries")


async def on_attendees(turn: Turn, services: Services, value: dict) -> None:
    found = await service.attendee_card(services, surgery_id=value.get("surgery_id"))
    if found is None:
        await turn.reply(notice_card("Surgery not found", "I couldn't find that surgery.", card_id="surgery-refused"))
        return
    await turn.reply(found, summary="Who's booked")


async def on_cancel_surgery(turn: Turn, services: Services, value: dict) -> None:
    outcome = await service.cancel_surgery(services, actor_aad_id=turn.actor_id, surgery_id=value.get("surgery_id"),
                                           version=value.get("version"),
                                           whole_series=str(value.get("whole_series")).lower() == "true")
    await turn.reply(notice_card("Surgery cancelled" if outcome.ok else "Nothing was changed", outcome.message,
                                 card_id="surgery-staff-done" if outcome.ok else "surgery-refused"))
    await on_manage(turn, services, value)
