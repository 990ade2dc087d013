"""Conversation state that tells a change by the text it is stored as.

botbuilder's BotState hashes the state with jsonpickle's Pickler twice a turn (when it is loaded and when it
is saved) and the storage then encodes it a third time to write it; for a referral conversation that was a
tenth of the turn's CPU with TurnContext's copying (a cProfile of 600 turns). Here the state's "hash" is the
text the storage holds: loading costs nothing more than the read, saving encodes once, compares, and hands
that same text to the write. Only with SqlStorage; any other storage gets botbuilder's own behaviour."""
from __future__ import annotations

from botbuilder.core import ConversationState, TurnContext
from botbuilder.core.bot_state import CachedBotState

from storage.bot_state import SqlStorage, encode


class _StoredState(CachedBotState):
    def __init__(self, state: dict | None, stored: str | None):  # pylint: disable=super-init-not-called
        self.state = state if state is not None else {}
        # Nothing stored yet: a change whatever the state holds, as botbuilder has it (its first save writes).
        self.hash = stored

    @property
    def is_changed(self) -> bool:
        return self.hash != encode(self.state)

    def compute_hash(self, obj: object) -> str:
        return encode(obj)


class StoredTextConversationState(ConversationState):
    async def load(self, turn_context: TurnContext, force: bool = False) -> None:
        if not isinstance(self._storage, SqlStorage):
            await super().load(turn_context, force)
            return
        cached = self.get_cached_state(turn_context)
        if force or not cached or not cached.state:
            key = self.get_storage_key(turn_context)
            item, stored = (await self._storage.read_with_payloads([key])).get(key, (None, None))
            turn_context.turn_state[self._context_service_key] = _StoredState(item, stored)

    async def save_changes(self, turn_context: TurnContext, force: bool = False) -> None:
        cached = self.get_cached_state(turn_context)
        if not isinstance(cached, _StoredState):
            await super().save_changes(turn_context, force)
            return
        text = encode(cached.state)
        if force or text != cached.hash:
            key = self.get_storage_key(turn_context)
            await self._storage.write({key: cached.state}, payloads={key: text})
            cached.hash = text
