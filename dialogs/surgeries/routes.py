"""Surgery booking is not built yet: the commands say so plainly (issue 9 replaces this module)."""
from __future__ import annotations

from cards.menu import notice_card
from dialogs.common.routing import command, verb


async def _not_yet(turn, _services, _value: dict) -> None:
    await turn.reply(notice_card(
        "Not available yet",
        "Booking surgeries through Teams is not available in this version yet. Until it is, please use the "
        "Virtual School's usual e-mail route.", card_id="not-yet", show_menu=True))


ROUTES = [
    command("book", run=_not_yet, example="book"),
    command("my_bookings", run=_not_yet, example="my bookings"),
    verb("my_bookings", run=_not_yet, example={}),
]
