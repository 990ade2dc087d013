"""What surgeries offer the router: commands and card verbs, where they may run and who may use it.

Booking is done in a personal chat (a booking from a shared chat is refused, like anything with a person's own
details); anyone may book a surgery open to their role (people not in the staff directory are external
professionals). Publishing, editing, cancelling a surgery and seeing who booked are for Virtual School staff."""
from __future__ import annotations

from dialogs.common.routing import command, verb
from dialogs.surgeries.handlers import (
    on_accept,
    on_attendees,
    on_book,
    on_book_command,
    on_cancel,
    on_cancel_surgery,
    on_manage,
    on_my_bookings,
)
from dialogs.surgeries.publish_dialog import PublishDialog, on_edit, on_stale_form
from storage.vocabulary import EVERYONE, PERSONAL_ONLY, SURGERY_PUBLISHERS

_FORM = PublishDialog.__name__
# Examples for the tests generated from this registry: ids that exist nowhere, so nothing changes.
_NO_SUCH = "999999"

ROUTES = [
    command("book", where=PERSONAL_ONLY, roles=EVERYONE, run=on_book_command, example="book"),
    command("my_bookings", where=PERSONAL_ONLY, roles=EVERYONE, run=on_my_bookings, example="my bookings"),
    verb("my_bookings", where=PERSONAL_ONLY, roles=EVERYONE, run=on_my_bookings, example={}),
    verb("surgery.book", where=PERSONAL_ONLY, roles=EVERYONE, run=on_book,
         example={"slot_id": _NO_SUCH, "topic": "Attendance support", "shown": f"{_NO_SUCH}:1"}),
    verb("surgery.cancel", where=PERSONAL_ONLY, roles=EVERYONE, run=on_cancel, example={"booking_id": _NO_SUCH}),
    verb("surgery.accept", where=PERSONAL_ONLY, roles=EVERYONE, run=on_accept,
         example={"booking_id": _NO_SUCH, "version": "2"}),
    command("publish_surgery", where=PERSONAL_ONLY, roles=SURGERY_PUBLISHERS, dialog=_FORM,
            example="publish a surgery"),
    command("manage_surgeries", where=PERSONAL_ONLY, roles=SURGERY_PUBLISHERS, run=on_manage,
            example="manage surgeries"),
    verb("surgery.publish", where=PERSONAL_ONLY, roles=SURGERY_PUBLISHERS, dialog=_FORM, run=on_stale_form,
         audit="surgery", example={"token": "stale-token"}),
    verb("surgery.publish_cancel", where=PERSONAL_ONLY, roles=SURGERY_PUBLISHERS, dialog=_FORM, run=on_stale_form,
         example={"token": "stale-token"}),
    verb("surgery.edit", where=PERSONAL_ONLY, roles=SURGERY_PUBLISHERS, dialog=_FORM, run=on_edit, audit="surgery",
         example={"surgery_id": _NO_SUCH}),
    verb("surgery.cancel_surgery", where=PERSONAL_ONLY, roles=SURGERY_PUBLISHERS, run=on_cancel_surgery,
         audit="surgery", example={"surgery_id": _NO_SUCH, "version": "1"}),
    verb("surgery.attendees", where=PERSONAL_ONLY, roles=SURGERY_PUBLISHERS, run=on_attendees, audit="surgery",
         example={"surgery_id": _NO_SUCH}),
]
