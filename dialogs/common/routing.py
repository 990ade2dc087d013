"""How a capability tells the router what it offers: one `Route` per typed command and per card verb, with
where it may run and who may use it. The router (bot/router.py) checks both before any handler runs, for
typed text, card submits and Action.Execute invokes alike; tests are generated from the same registry."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Awaitable, Callable

from storage.vocabulary import ANYWHERE, EVERYONE, ChatType, Role

# A stateless handler: (turn, services, the card's data or the command's argument) -> None.
Handler = Callable[[Any, Any, dict], Awaitable[None]]


class Kind(StrEnum):
    COMMAND = "command"  # typed ("refer", "my referrals") or chosen from the menu (menu.open target)
    VERB = "verb"  # a card button: Action.Submit data.action, or Action.Execute verb


@dataclass(frozen=True)
class Route:
    name: str
    kind: Kind
    where: frozenset[ChatType] = ANYWHERE
    roles: frozenset[Role] = EVERYONE
    # The handler. For a dialog's verb it runs when that dialog is not active (an old card's button); if it
    # returns a dict, the router starts the dialog with those options.
    run: Handler | None = None
    dialog: str | None = None  # a command starts this dialog; a verb continues it when it is the active one
    audit: str | None = None  # entity type whose refused uses are audited (e.g. "referral")
    example: Any = None  # a typed text or a card's data, for the tests generated from the registry
    options: Callable[[str], dict | None] | None = field(default=None, repr=False)  # command argument -> dialog options
    # A verb that opens its dialog afresh from another card (an alert's "Make a referral"): it never continues
    # a copy of the dialog that is already open; the handler's options start a new one in its place.
    starts_afresh: bool = False

    def __post_init__(self) -> None:
        if self.run is None and self.dialog is None:
            raise ValueError(f"route {self.name!r} needs a handler or a dialog")


def command(name: str, **kwargs) -> Route:
    return Route(name=name, kind=Kind.COMMAND, **kwargs)


def verb(name: str, **kwargs) -> Route:
    return Route(name=name, kind=Kind.VERB, **kwargs)
