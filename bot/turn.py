"""The edge's side of dialogs.common.turn.Turn: one Teams turn as our handlers see it.

All input is cleaned here, once, for every path (typed text, card submits, Action.Execute invokes): control
and invisible formatting characters are stripped (a NUL breaks PostgreSQL; bidi overrides and zero-width
characters disguise text), so nothing downstream sees them."""
from __future__ import annotations

import logging
import time
import unicodedata
from typing import Any

from botbuilder.core import TurnContext

from bot.messages import card_activity, text_activity
from dialogs.common.turn import TURN_KEY
from storage import directory
from storage.vocabulary import ChatType, Role

log = logging.getLogger("vsbot.turn")
_KEEP = {"\n", "\t"}
_MAX_DEPTH = 8  # card data is shallow; anything deeper is dropped, not walked


def clean_text(value: str) -> str:
    """Drop control (Cc), format (Cf: zero-width, bidi overrides, BOM) and surrogate (Cs) characters."""
    if value.isascii() and value.isprintable():
        return value  # the common case, without walking the string
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in value if ch in _KEEP or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))


def clean_value(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if depth >= _MAX_DEPTH:
        return None
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_value(v, depth + 1) for v in value]
    return value


class RoleCache:
    """Roles from the staff directory, remembered for a short while: every turn needs the actor's role and a
    directory change (an import) may take this long to apply."""

    def __init__(self, sessions, ttl: float = 30.0):
        self._sessions, self._ttl = sessions, ttl
        self._roles: dict[str, tuple[float, Role]] = {}

    async def role_of(self, aad_id: str) -> Role:
        if not aad_id:
            return Role.EXTERNAL
        hit = self._roles.get(aad_id)
        now = time.monotonic()
        if hit and now - hit[0] < self._ttl:
            return hit[1]
        async with self._sessions() as session:
            role = await directory.role_of(session=session, aad_object_id=aad_id)
        if len(self._roles) > 10_000:
            self._roles.clear()
        self._roles[aad_id] = (now, role)
        return role

    def forget(self) -> None:
        self._roles.clear()


class TeamsTurn:
    def __init__(self, context: TurnContext, *, role: Role, value: dict | None = None):
        activity = context.activity
        account = activity.from_property
        self._context = context
        self.actor_id = (getattr(account, "aad_object_id", None) or getattr(account, "id", None) or "") if account else ""
        name = clean_text(account.name or "").strip() if account and account.name else ""
        self.actor_name = name or None
        self.role = role
        conversation = activity.conversation
        self.chat = ChatType.of(conversation.conversation_type if conversation else None)
        self.activity_id = activity.id
        self.reply_to_id = activity.reply_to_id
        self.text = clean_text(activity.text or "") if isinstance(activity.text, str) else ""
        raw = value if value is not None else activity.value
        self.value: dict = clean_value(raw) if isinstance(raw, dict) else {}
        context.turn_state[TURN_KEY] = self

    async def reply(self, message: dict | str, *, summary: str | None = None) -> str | None:
        activity = card_activity(message, summary=summary) if isinstance(message, dict) else text_activity(message)
        response = await self._context.send_activity(activity)
        return response.id if response and response.id else None

    async def replace_card(self, card: dict, message_id: str | None = None) -> bool:
        target = message_id or self.reply_to_id
        if not target:
            return False
        activity = card_activity(card)
        activity.id = target
        try:
            await self._context.update_activity(activity)
        except Exception as exc:  # noqa: BLE001 - cosmetic: what the turn did has been done and answered
            log.info("card not updated in place (%s)", type(exc).__name__)
            return False
        return True
