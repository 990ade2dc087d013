"""Surgery cards: the booking card (slot choice `slot_id`, topic `topic`), confirmations, the waiting list and
offers, "my bookings", reminders, notices to attendees, and the staff cards (publish form, manage, who booked).

Titles and venues are typed by staff, topics and names by other people: all of them go through `user_text`
(never markdown). Dates and times are shown in the service's time zone (Europe/London), clock changes included."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cards.common import card, facts, heading, submit, text, user_facts, user_text, with_id
from storage.vocabulary import (
    SURGERY_AUDIENCE_LABELS,
    SURGERY_LIMITS,
    SURGERY_REPEATS,
    SURGERY_SUBJECTS,
    BookingStatus,
    SurgeryKind,
)

NO_CHILDREN = "Please don't name children or give details that could identify them."
MAX_CHOICES = 60  # a compact ChoiceSet stays usable, and the card stays well inside Teams' size limit


def _local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


def day_text(moment: datetime, tz: str) -> str:
    local = _local(moment, tz)
    return f"{local:%a} {local.day} {local:%b %Y}"


def when_text(starts: datetime, ends: datetime, tz: str) -> str:
    """"Tue 8 Dec 2026, 10:00–10:20" in local time."""
    return f"{day_text(starts, tz)}, {_local(starts, tz):%H:%M}–{_local(ends, tz):%H:%M}"


def moment_text(moment: datetime, tz: str) -> str:
    return f"{day_text(moment, tz)}, {_local(moment, tz):%H:%M}"


def _times(surgery, slot) -> tuple[datetime, datetime]:
    return (slot.starts_at, slot.ends_at) if slot is not None else (surgery.starts_at, surgery.ends_at)


def _where(surgery) -> list[dict]:
    """How to get there: the venue (typed by staff: plain text) and/or an online meeting."""
    blocks = []
    if surgery.join_url:
        blocks.append(text("Online: a Teams meeting (the link is below)", spacing="None"))
    if surgery.venue:
        blocks.append({**user_text(surgery.venue, label="Venue"), "spacing": "None"})
    return blocks


def _join(surgery) -> list[dict]:
    return [{"type": "Action.OpenUrl", "title": "Join the Teams meeting", "url": surgery.join_url}] \
        if surgery.join_url else []


def _calendar(invite_url: str | None) -> list[dict]:
    return [{"type": "Action.OpenUrl", "title": "Add to my calendar (.ics)", "url": invite_url}] if invite_url else []


def _summary(surgery, slot, tz: str) -> list[dict]:
    starts, ends = _times(surgery, slot)
    return [user_text(surgery.title, weight="Bolder"),
            facts([("When", when_text(starts, ends, tz)),
                   ("About", SURGERY_SUBJECTS.get(surgery.subject, surgery.subject))]),
            *_where(surgery)]


# --- booking ----------------------------------------------------------------------------------------------
def _choice_title(surgery, slot, places, tz: str) -> str:
    title = surgery.title if len(surgery.title) <= 60 else surgery.title[:59] + "…"
    starts, ends = _times(surgery, slot)
    if surgery.kind == SurgeryKind.GROUP:
        state = (f"{places.left} of {places.capacity} places left" if places.left
                 else "full: join the waiting list")
        return f"{when_text(starts, ends, tz)} · {title} · {state}"
    if slot is None:
        return f"{day_text(surgery.starts_at, tz)} · {title} · every slot taken: join the waiting list"
    return f"{when_text(starts, ends, tz)} · {title}"


def booking_card(*, offers: list, tz: str, topic: str = "", notice: str | None = None, staff: bool = False,
                 chosen: str = "") -> dict:
    """The surgeries open to this person, with places left, in one card: choose a slot (`slot_id`), say what
    you'd like to discuss (`topic`, optional) and press Book. `offers` are service.Offer rows."""
    body: list[dict] = [heading("Book a surgery")]
    if notice:
        body.append(text(notice, color="Attention", weight="Bolder"))
    choices: list[dict] = []
    shown: list[str] = []
    full: list[str] = []
    for offer in offers:
        surgery, places = offer.surgery, offer.places
        if offer.mine is not None:
            body.append({**user_text(surgery.title, label="You're already booked on"), "spacing": "Small"})
            continue
        shown.append(f"{surgery.id}:{surgery.version}")
        if not offer.free_slots:
            full.append(str(surgery.id))
        if surgery.kind == SurgeryKind.GROUP or not offer.free_slots:
            slot = offer.free_slots[0] if offer.free_slots else offer.any_slot
            choices.append({"title": _choice_title(surgery, slot if surgery.kind == SurgeryKind.GROUP else None,
                                                   places, tz), "value": str(slot.id)})
        else:
            choices += [{"title": _choice_title(surgery, slot, places, tz), "value": str(slot.id)}
                        for slot in offer.free_slots]
    choices = choices[:MAX_CHOICES]
    if not choices:
        body.append(text("There are no surgeries open for booking to you just now. New dates are published "
                         "regularly: try again later, or ask the Virtual School."))
        actions = [submit("My bookings", "menu.open", target="my_bookings")]
    else:
        body += [text("Choose a time. Group sessions show the places left; when a surgery is full you can join its "
                      "waiting list and you'll be offered a place if one comes free.", subtle=True),
                 {"type": "Input.ChoiceSet", "id": "slot_id", "label": "Surgery and time", "isRequired": True,
                  "errorMessage": "Choose a surgery and time", "style": "compact", "value": chosen,
                  "placeholder": "Choose a surgery and time", "choices": choices},
                 {"type": "Input.Text", "id": "topic", "label": "What would you like to discuss? (optional)",
                  "isMultiline": True, "maxLength": SURGERY_LIMITS["topic"], "value": topic,
                  "placeholder": "For example: attendance support for a Year 9 pupil"},
                 text(NO_CHILDREN, subtle=True, size="Small", spacing="None")]
        actions = [submit("Book", "surgery.book", style="positive", shown=",".join(shown), full=",".join(full)),
                   submit("My bookings", "menu.open", target="my_bookings")]
    if staff:
        actions += [submit("Publish a surgery", "menu.open", target="publish_surgery"),
                    submit("Manage surgeries", "menu.open", target="manage_surgeries")]
    return with_id(card(body, actions), "surgery-booking")


def booking_confirmation_card(*, booking, surgery, slot, tz: str, invite_url: str | None,
                              topic_dropped: bool = False, headline: str = "You're booked") -> dict:
    body = [heading(headline), *_summary(surgery, slot, tz)]
    if booking.topic:
        body.append(user_text(booking.topic, label="Your topic"))
    if topic_dropped:
        body.append(text("We didn't keep what you wrote about your topic, because it looked as if it might name a "
                         "child. You can tell the host at the session, without naming the child.", color="Warning"))
    body.append(text("You'll get a reminder with the joining details the day before. Type **my bookings** to see or "
                     "cancel your bookings.", subtle=True))
    actions = [*_calendar(invite_url), *_join(surgery),
               submit("Cancel booking", "surgery.cancel", booking_id=booking.id)]
    return with_id(card(body, actions), "surgery-booked")


def waitlist_card(*, booking, surgery, tz: str, position: int, topic_dropped: bool = False,
                  raced: bool = False) -> dict:
    lead = ("The last place went just before you pressed Book, so you're on the waiting list."
            if raced else "This surgery is full, so you're on its waiting list.")
    body = [heading("You're on the waiting list"), text(lead), *_summary(surgery, None, tz),
            facts([("Your place in the queue", str(position))]),
            text("If a place comes free, it is offered to the first person in the queue and held for them for a "
                 "while; you'll get a message here with a button to take it.", subtle=True)]
    if topic_dropped:
        body.append(text("We didn't keep what you wrote about your topic, because it looked as if it might name a "
                         "child.", color="Warning"))
    return with_id(card(body, [submit("Leave the waiting list", "surgery.cancel", booking_id=booking.id)]),
                   "surgery-waitlisted")


def offer_card(*, booking, surgery, slot, tz: str, expires_at: datetime) -> dict:
    body = [heading("A place has come free for you"), *_summary(surgery, slot, tz),
            text(f"It's held for you until **{moment_text(expires_at, tz)}**; after that it goes to the next person "
                 "in the queue. If you no longer need it, release it so someone else can have it.")]
    actions = [submit("Take the place", "surgery.accept", style="positive", booking_id=booking.id,
                      version=booking.version),
               submit("Release it", "surgery.cancel", booking_id=booking.id)]
    return with_id(card(body, actions), "surgery-offer")


def offer_expired_card(*, surgery, tz: str) -> dict:
    body = [heading("The place you were offered has passed on", size="Medium"),
            user_text(surgery.title, weight="Bolder"),
            text(f"It was held for you but not taken in time, so it has been offered to the next person. The surgery "
                 f"is on {day_text(surgery.starts_at, tz)}; type **book** to see what else is open.")]
    return with_id(card(body), "surgery-offer-expired")


def my_bookings_card(*, rows: list, tz: str) -> dict:
    """`rows`: (booking, surgery, slot, waitlist position or None)."""
    body: list[dict] = [heading("My bookings")]
    if not rows:
        body.append(text("You have no upcoming surgery bookings. Type **book** to book one."))
        return with_id(card(body, [submit("Book a surgery", "menu.open", target="book")]), "surgery-my-bookings")
    for booking, surgery, slot, position in rows:
        status = {BookingStatus.CONFIRMED: "Booked", BookingStatus.OFFERED: "A place is offered to you",
                  BookingStatus.WAITLISTED: f"Waiting list: number {position}"}.get(booking.status, booking.status)
        buttons = [submit({BookingStatus.WAITLISTED: "Leave the waiting list", BookingStatus.OFFERED: "Release it"}
                          .get(booking.status, "Cancel booking"), "surgery.cancel", booking_id=booking.id)]
        if booking.status == BookingStatus.OFFERED:
            buttons.insert(0, submit("Take the place", "surgery.accept", style="positive", booking_id=booking.id,
                                     version=booking.version))
        body.append({"type": "Container", "separator": True, "spacing": "Medium", "items": [
            user_text(surgery.title, weight="Bolder"),
            facts([("When", when_text(*_times(surgery, slot), tz)), ("Status", status)]),
            *_where(surgery),
            {"type": "ActionSet", "actions": buttons}]})
    return with_id(card(body, [submit("Book another", "menu.open", target="book")]), "surgery-my-bookings")


def booking_cancelled_card(*, surgery, slot, tz: str, headline: str = "Booking cancelled",
                           message: str = "Your place has been freed for someone else.") -> dict:
    body = [heading(headline, size="Medium"), user_text(surgery.title, weight="Bolder"),
            facts([("When", when_text(*_times(surgery, slot), tz))]), text(message)]
    return with_id(card(body, [submit("Book a surgery", "menu.open", target="book")]), "surgery-booking-cancelled")


def reminder_card(*, booking, surgery, slot, tz: str, invite_url: str | None) -> dict:
    starts, _ = _times(surgery, slot)
    body = [heading(f"Reminder: your surgery is on {day_text(starts, tz)}"), *_summary(surgery, slot, tz)]
    if booking.topic:
        body.append(user_text(booking.topic, label="Your topic"))
    body.append(text("Can't make it? Cancel so someone on the waiting list can have your place.", subtle=True))
    actions = [*_join(surgery), *_calendar(invite_url),
               submit("Cancel booking", "surgery.cancel", booking_id=booking.id)]
    return with_id(card(body, actions), "surgery-reminder")


def surgery_cancelled_card(*, surgery, slot, tz: str, invite_url: str | None, was: str) -> dict:
    """To everyone with a booking (or on the waiting list) when staff cancel a surgery."""
    words = {BookingStatus.WAITLISTED: "You were on its waiting list."}.get(was, "Your booking is cancelled.")
    body = [heading("Surgery cancelled"), *_summary(surgery, slot, tz),
            text(f"The Virtual School has cancelled this surgery. {words} We're sorry for the change; type **book** "
                 "to see other dates.")]
    actions = [{"type": "Action.OpenUrl", "title": "Remove it from my calendar (.ics)", "url": invite_url}] \
        if invite_url else []
    return with_id(card(body, actions + [submit("Book a surgery", "menu.open", target="book")]), "surgery-cancelled")


def surgery_changed_card(*, booking, surgery, slot, tz: str, invite_url: str | None, changes: list[str]) -> dict:
    body = [heading("Your surgery has changed"), text("The Virtual School changed: " + ", ".join(changes) + "."),
            *_summary(surgery, slot, tz),
            text("Your booking stands. If the new details don't suit you, cancel so someone else can have the place.",
                 subtle=True)]
    actions = [*_calendar(invite_url), *_join(surgery),
               submit("Cancel booking", "surgery.cancel", booking_id=booking.id)]
    return with_id(card(body, actions), "surgery-changed")


# --- staff --------------------------------------------------------------------------------------------------
def attendee_list_card(*, surgery, rows: list, places, tz: str, morning: bool = False) -> dict:
    """Who booked, with their topics (typed text: plain). `rows`: (booking, slot, display name)."""
    title = "Today's surgery: who's coming" if morning else "Who's booked"
    body = [heading(title), *_summary(surgery, None, tz),
            facts([("Places", f"{places.booked} of {places.capacity} taken"),
                   ("Waiting list", str(places.waitlisted))])]
    booked = [(b, s, n) for b, s, n in rows if b.status != BookingStatus.WAITLISTED]
    if not booked:
        body.append(text("Nobody has booked yet."))
    for booking, slot, name in booked:
        label = f"{_local(slot.starts_at, tz):%H:%M}" if slot is not None and surgery.kind == SurgeryKind.SLOTS else \
            "Place"
        if booking.status == BookingStatus.OFFERED:
            label += " (offered, not yet taken)"
        items = [user_text(name, label=label)]
        if booking.topic:
            items.append({**user_text(booking.topic, label="Topic", subtle=True), "spacing": "None"})
        body.append({"type": "Container", "spacing": "Small", "items": items})
    waiting = [n for b, _, n in rows if b.status == BookingStatus.WAITLISTED]
    if waiting:
        body.append(text("Waiting list, in order", weight="Bolder"))
        body += user_facts([(str(i), name) for i, name in enumerate(waiting, 1)])
    return with_id(card(body), "surgery-attendees")


def _choices(options: dict[str, str]) -> list[dict]:
    return [{"title": title, "value": value} for value, title in options.items()]


def _error(errors: dict[str, str], key: str) -> list[dict]:
    return [text(errors[key], color="Attention", size="Small", spacing="None")] if key in errors else []


def _label(label: str, errors: dict[str, str], key: str) -> str:
    return f"{label} — {errors[key]}" if key in errors else label


def publish_form_card(*, token: str, values: dict | None = None, errors: dict[str, str] | None = None,
                      surgery_id: int | None = None, version: int | None = None, in_series: bool = False) -> dict:
    """Publish a surgery (or edit one: `surgery_id` and its `version`). Everything entered comes back on an error."""
    values, errors = dict(values or {}), errors or {}
    editing = surgery_id is not None

    def field(key: str, label: str, kind: str = "Input.Text", **extra) -> list[dict]:
        element = {"type": kind, "id": key, "label": _label(label, errors, key), "value": str(values.get(key) or ""),
                   **extra}
        return [element] + _error(errors, key)

    body: list[dict] = [heading("Edit surgery" if editing else "Publish a surgery"),
                        text("Times are UK time. People see it in Teams as soon as it is published." if not editing
                             else "Everyone booked is told if the date, time or joining details change.", subtle=True)]
    if errors:
        body.append(text(f"Please check {len(errors)} thing{'s' if len(errors) > 1 else ''} below — everything you "
                         "entered is kept.", color="Attention", weight="Bolder"))
    body += field("title", "Title", isRequired=True, maxLength=SURGERY_LIMITS["title"], errorMessage="Give a title",
                  placeholder="For example: Attendance surgery for DSLs")
    body += field("subject", "What it is about", "Input.ChoiceSet", style="compact", isRequired=True,
                  errorMessage="Choose a subject", choices=_choices(SURGERY_SUBJECTS))
    body += field("audience", "Who may book", "Input.ChoiceSet", style="expanded", isMultiSelect=True,
                  isRequired=True, errorMessage="Choose who may book",
                  choices=_choices({str(k): v for k, v in SURGERY_AUDIENCE_LABELS.items()}))
    body += field("date", "Date", "Input.Date", isRequired=True, errorMessage="Choose the date")
    body += field("start_time", "Starts", "Input.Time", isRequired=True, errorMessage="Enter the start time")
    body += field("end_time", "Ends", "Input.Time", isRequired=True, errorMessage="Enter the end time")
    body += field("kind", "Booking", "Input.ChoiceSet", style="expanded", isRequired=True,
                  errorMessage="Choose slots or a group session",
                  choices=[{"title": "Bookable slots, one person each", "value": SurgeryKind.SLOTS.value},
                           {"title": "A group session with a number of places", "value": SurgeryKind.GROUP.value}])
    body += field("slot_minutes", "Slot length in minutes (slots)", "Input.Number", min=5,
                  max=SURGERY_LIMITS["slot_minutes"], placeholder="20")
    body += field("places", "Number of places (group session)", "Input.Number", min=1, max=SURGERY_LIMITS["places"],
                  placeholder="10")
    body += field("join_url", "Teams meeting link", style="Url", maxLength=SURGERY_LIMITS["join_url"],
                  placeholder="https://teams.microsoft.com/l/meetup-join/…")
    body += field("venue", "Or a venue", maxLength=SURGERY_LIMITS["venue"], placeholder="Room, building, address")
    body += field("cutoff_hours", "Booking closes this many hours before it starts", "Input.Number", min=0,
                  max=SURGERY_LIMITS["cutoff_hours"], placeholder="2")
    if not editing:
        body += field("repeat", "Repeats", "Input.ChoiceSet", style="compact",
                      choices=[{"title": title, "value": key} for key, (title, _) in SURGERY_REPEATS.items()])
        body += field("repeat_until", "Repeats until (last date)", "Input.Date")
        body += [{"type": "Input.Toggle", "id": "term_time_only", "title": "Term time only (skips school holidays)",
                  "valueOn": "true", "valueOff": "false", "value": str(values.get("term_time_only") or "false")}]
    elif in_series:
        body += [{"type": "Input.Toggle", "id": "apply_to_series", "title": "Apply to every upcoming date of this "
                  "repeating surgery", "valueOn": "true", "valueOff": "false",
                  "value": str(values.get("apply_to_series") or "false")}]
    data = {"token": token}
    if editing:
        data.update(surgery_id=surgery_id, version=version)
    actions = [submit("Save changes" if editing else "Publish", "surgery.publish", style="positive", **data),
               {"type": "Action.Submit", "title": "Cancel", "associatedInputs": "none",
                "data": {"action": "surgery.publish_cancel", "token": token}}]
    return with_id(card(body, actions), "surgery-publish-form")


def publish_form_closed_card(*, message: str) -> dict:
    return with_id(card([heading("Surgery form", size="Medium"), text(message, subtle=True)]),
                   "surgery-publish-form-closed")


def published_card(*, surgeries: list, tz: str, skipped: int = 0) -> dict:
    first = surgeries[0]
    body = [heading("Surgery published" if len(surgeries) == 1 else f"{len(surgeries)} surgery dates published"),
            user_text(first.title, weight="Bolder"),
            facts([("Dates", ", ".join(day_text(s.starts_at, tz) for s in surgeries[:12])
                    + (f" and {len(surgeries) - 12} more" if len(surgeries) > 12 else "")),
                   ("Time", f"{_local(first.starts_at, tz):%H:%M}–{_local(first.ends_at, tz):%H:%M}"),
                   ("Booking closes", f"{first.cutoff_minutes // 60} hours before the start")])]
    if skipped:
        body.append(text(f"{skipped} date(s) in the pattern fell on a bank holiday or in a school holiday and were "
                         "left out.", subtle=True))
    return with_id(card(body, [submit("Manage surgeries", "menu.open", target="manage_surgeries")]),
                   "surgery-published")


def manage_card(*, rows: list, tz: str) -> dict:
    """Staff: upcoming surgeries with places taken, and who booked / edit / cancel. `rows`: (surgery, places)."""
    body: list[dict] = [heading("Manage surgeries")]
    if not rows:
        body.append(text("No surgeries are published. Press **Publish a surgery** to add one."))
    for surgery, places in rows:
        ident = {"surgery_id": surgery.id, "version": surgery.version}
        cancel_card = card([text("Everyone booked or waiting is told at once.", subtle=True)]
                           + ([{"type": "Input.Toggle", "id": "whole_series", "title": "Cancel every upcoming date "
                                "of this repeating surgery", "valueOn": "true", "valueOff": "false", "value": "false"}]
                              if surgery.series_id else []),
                           [submit("Cancel this surgery", "surgery.cancel_surgery", style="destructive", **ident)])
        body.append({"type": "Container", "separator": True, "spacing": "Medium", "items": [
            user_text(surgery.title, weight="Bolder"),
            facts([("When", when_text(surgery.starts_at, surgery.ends_at, tz)),
                   ("Places", f"{places.booked} of {places.capacity} taken"),
                   ("Waiting list", str(places.waitlisted)),
                   ("Repeats", "Yes (part of a series)" if surgery.series_id else "No")]),
            {"type": "ActionSet", "actions": [
                submit("Who's booked", "surgery.attendees", surgery_id=surgery.id),
                submit("Edit", "surgery.edit", surgery_id=surgery.id),
                {"type": "Action.ShowCard", "title": "Cancel surgery", "card": cancel_card}]}]})
    return with_id(card(body, [submit("Publish a surgery", "menu.open", target="publish_surgery")]), "surgery-manage")


def samples() -> dict[str, list[dict]]:
    """Every builder with examples (full, empty, hostile text, both clock sides), for tests/test_cards_valid.py."""
    from datetime import timezone  # pylint: disable=import-outside-toplevel
    from types import SimpleNamespace  # pylint: disable=import-outside-toplevel

    tz = "Europe/London"
    hostile = "[Click](https://evil.example) **bold** <at>x</at> {braces} " + "long " * 40
    start = datetime(2026, 12, 8, 10, tzinfo=timezone.utc)

    def surgery(**overrides):
        base = dict(id=7, version=2, title="Attendance network (group)", subject="attendance", kind="group",
                    starts_at=start, ends_at=start.replace(hour=11), join_url="https://teams.example.org/l/meetup",
                    venue=None, cutoff_minutes=120, series_id=None, status="published")
        base.update(overrides)
        return SimpleNamespace(**base)

    def slot(n: int = 0):
        return SimpleNamespace(id=100 + n, starts_at=start + timedelta(minutes=20 * n),
                               ends_at=start + timedelta(minutes=20 * n + 20))

    def booking(status: str = "confirmed", **overrides):
        base = dict(id=55, version=3, status=status, topic="Attendance support for a Year 9 pupil")
        base.update(overrides)
        return SimpleNamespace(**base)

    places = SimpleNamespace(capacity=5, booked=3, waitlisted=2, left=2)
    full = SimpleNamespace(capacity=5, booked=5, waitlisted=1, left=0)
    slots = surgery(id=8, title=hostile, kind="slots", venue=hostile, join_url=None, series_id=3)
    offers = [SimpleNamespace(surgery=surgery(), places=places, free_slots=[slot()], any_slot=slot(), mine=None),
              SimpleNamespace(surgery=slots, places=places, free_slots=[slot(1), slot(2)], any_slot=slot(1), mine=None),
              SimpleNamespace(surgery=surgery(id=9), places=full, free_slots=[], any_slot=slot(3), mine=None),
              SimpleNamespace(surgery=surgery(id=10), places=places, free_slots=[slot()], any_slot=slot(),
                              mine=booking())]
    invite = "https://bot.example.org/surgeries/55/invite.ics?t=abc"
    rows = [(booking(), slot(), "Dana Cole"), (booking("offered", topic=hostile), slot(1), "[x](https://e.x)"),
            (booking("waitlisted", topic=None), None, "Sam Reed")]
    summer = surgery(starts_at=datetime(2026, 10, 20, 9, tzinfo=timezone.utc),
                     ends_at=datetime(2026, 10, 20, 10, tzinfo=timezone.utc))
    return {
        "booking_card": [booking_card(offers=offers, tz=tz), booking_card(offers=[], tz=tz, staff=True),
                         booking_card(offers=offers, tz=tz, topic=hostile, staff=True, chosen="100",
                                      notice="That surgery has changed since this list was shown.")],
        "booking_confirmation_card": [
            booking_confirmation_card(booking=booking(), surgery=surgery(), slot=slot(), tz=tz, invite_url=invite),
            booking_confirmation_card(booking=booking(topic=None), surgery=slots, slot=slot(1), tz=tz, invite_url=None,
                                      topic_dropped=True),
            booking_confirmation_card(booking=booking(), surgery=summer, slot=None, tz=tz, invite_url=invite)],
        "waitlist_card": [waitlist_card(booking=booking("waitlisted"), surgery=surgery(), tz=tz, position=3),
                          waitlist_card(booking=booking("waitlisted"), surgery=slots, tz=tz, position=1,
                                        topic_dropped=True, raced=True)],
        "offer_card": [offer_card(booking=booking("offered"), surgery=surgery(), slot=slot(), tz=tz,
                                  expires_at=start.replace(hour=8))],
        "offer_expired_card": [offer_expired_card(surgery=slots, tz=tz)],
        "my_bookings_card": [my_bookings_card(rows=[], tz=tz), my_bookings_card(rows=[
            (booking(), surgery(), slot(), None), (booking("offered"), slots, slot(1), None),
            (booking("waitlisted"), surgery(id=9), None, 2)], tz=tz)],
        "booking_cancelled_card": [booking_cancelled_card(surgery=surgery(), slot=slot(), tz=tz),
                                   booking_cancelled_card(surgery=slots, slot=None, tz=tz, headline="Left the waiting list",
                                                          message="You're no longer on the waiting list.")],
        "reminder_card": [reminder_card(booking=booking(), surgery=surgery(), slot=slot(), tz=tz, invite_url=invite),
                          reminder_card(booking=booking(topic=None), surgery=slots, slot=slot(2), tz=tz, invite_url=None)],
        "surgery_cancelled_card": [surgery_cancelled_card(surgery=surgery(), slot=slot(), tz=tz, invite_url=invite,
                                                          was="confirmed"),
                                   surgery_cancelled_card(surgery=slots, slot=None, tz=tz, invite_url=None,
                                                          was="waitlisted")],
        "surgery_changed_card": [surgery_changed_card(booking=booking(), surgery=surgery(), slot=slot(), tz=tz,
                                                      invite_url=invite, changes=["the date and time", "the venue"])],
        "attendee_list_card": [attendee_list_card(surgery=surgery(), rows=rows, places=places, tz=tz),
                               attendee_list_card(surgery=slots, rows=rows, places=places, tz=tz, morning=True),
                               attendee_list_card(surgery=surgery(), rows=[], places=places, tz=tz)],
        "publish_form_card": [
            publish_form_card(token="t"),
            publish_form_card(token="t", values={"title": hostile, "kind": "slots", "audience": "dsl,send"},
                              errors={"date": "Enter the date (YYYY-MM-DD).", "join_url": "Give a link or a venue.",
                                      "slot_minutes": "Enter the slot length."}),
            publish_form_card(token="t", values={"title": "Attendance"}, surgery_id=7, version=2, in_series=True)],
        "publish_form_closed_card": [publish_form_closed_card(message="Cancelled — nothing was published.")],
        "published_card": [published_card(surgeries=[surgery()], tz=tz),
                           published_card(surgeries=[surgery(id=n) for n in range(14)], tz=tz, skipped=2)],
        "manage_card": [manage_card(rows=[], tz=tz),
                        manage_card(rows=[(surgery(), places), (slots, full)], tz=tz)],
    }
