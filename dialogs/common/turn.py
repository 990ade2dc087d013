"""The port between the Teams edge and our handlers: one turn, as handlers see it.

Handlers and dialogs talk to a `Turn`, never to botbuilder's TurnContext, so the SDK stays behind the
edge (bot/turn.py implements this). `reply` never raises for a delivery problem: the edge retries briefly
and otherwise queues the reply in the outbox, so a change that was saved is always announced."""
from __future__ import annotations

from typing import Any, Protocol

from storage.vocabulary import ChatType, Role

TURN_KEY = "vsb.turn"  # where the edge leaves the Turn in the SDK's per-turn state


class Turn(Protocol):
    actor_id: str  # the Entra object id Teams puts on the activity (never anything a card says)
    actor_name: str | None  # the Teams display name: text a person chose, shown only as plain text
    role: Role  # from the staff directory (external when not in it)
    chat: ChatType
    activity_id: str | None
    reply_to_id: str | None  # the message whose button was pressed
    text: str
    value: dict[str, Any]  # a card submit's data and inputs (empty for typed text)

    async def reply(self, message: dict | str, *, summary: str | None = None) -> str | None:
        """Send a card (a dict) or plain text to this conversation; returns the message id when known."""

    async def replace_card(self, card: dict, message_id: str | None = None) -> bool:
        """Update a card of this conversation in place (default: the one whose button was pressed)."""


def turn_of(context: Any) -> Turn:
    """The Turn the edge built for this SDK turn context (dialog steps receive the context)."""
    return context.turn_state[TURN_KEY]
