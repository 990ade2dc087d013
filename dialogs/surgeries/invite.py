"""The calendar invite (.ics) for a booking, made with the `icalendar` library.

Times are written in the service's time zone (TZID=Europe/London) with a VTIMEZONE built from the zoneinfo
database for the years around the event, so a calendar places a surgery correctly on either side of a clock
change. The UID is the booking's, and SEQUENCE grows with every change to the surgery or the booking, so opening
a newer invite updates the event and a cancelled booking's invite (METHOD:CANCEL) removes it."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone

from storage.vocabulary import PLACE_HOLDING_STATUSES, SURGERY_SUBJECTS, SurgeryStatus

PRODID = "-//Virtual School Assistant//Surgeries//EN"


def invite_ics(*, booking, surgery, slot, tz: str, uid_domain: str, now: datetime) -> bytes:
    zone = ZoneInfo(tz)
    starts = (slot.starts_at if slot is not None else surgery.starts_at).astimezone(zone)
    ends = (slot.ends_at if slot is not None else surgery.ends_at).astimezone(zone)
    cancelled = surgery.status == SurgeryStatus.CANCELLED or booking.status not in PLACE_HOLDING_STATUSES

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    calendar.add_component(Timezone.from_tzinfo(zone, tzid=tz, first_date=date(starts.year - 1, 1, 1),
                                                last_date=date(ends.year + 1, 12, 31)))
    event = Event()
    event.add("uid", f"surgery-booking-{booking.id}@{uid_domain}")
    event.add("sequence", surgery.version + booking.version)
    event.add("dtstamp", now.astimezone(ZoneInfo("UTC")))
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", f"{surgery.title} (Virtual School surgery)")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    lines = [f"Virtual School surgery: {SURGERY_SUBJECTS.get(surgery.subject, surgery.subject)}."]
    if surgery.join_url:
        event.add("url", surgery.join_url)
        lines.append(f"Join the Teams meeting: {surgery.join_url}")
    if surgery.venue:
        lines.append(f"Venue: {surgery.venue}")
    if booking.topic:
        lines.append(f"Your topic: {booking.topic}")
    lines.append("Please don't bring children's names into the session notes. To cancel, type 'my bookings' to "
                 "the Virtual School assistant in Teams.")
    event.add("location", surgery.venue or "Microsoft Teams meeting")
    event.add("description", "\n".join(lines))
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{surgery.title} starts in 15 minutes")
        alarm.add("trigger", timedelta(minutes=-15))
        event.add_component(alarm)
    calendar.add_component(event)
    return calendar.to_ical()
