"""Messages on the wire: our plain card dicts as activities (SDK objects for a turn, JSON for the outbox),
stored conversation references, and the hash logs use instead of conversation ids."""
from __future__ import annotations

import hashlib

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.core.serializer_helper import serializer_helper
from botbuilder.schema import Activity, Attachment

from cards.common import CARD_CONTENT_TYPE


def card_activity(card: dict, *, summary: str | None = None) -> Activity:
    activity = MessageFactory.attachment(Attachment(content_type=CARD_CONTENT_TYPE, content=card))
    if summary:
        activity.summary = summary  # shown in notifications instead of "sent a card"
    return activity


def text_activity(text: str) -> Activity:
    return MessageFactory.text(text)


def card_activity_json(card: dict, *, summary: str | None = None) -> dict:
    """The same message as Bot Connector JSON, for sends outside a turn (the outbox)."""
    activity = {"type": "message", "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card}]}
    if summary:
        activity["summary"] = summary
    return activity


def reference_to_dict(activity: Activity) -> dict:
    return serializer_helper(TurnContext.get_conversation_reference(activity))


def conversation_hash(conversation_id: str | None) -> str:
    """Conversation ids can identify a person's chat; logs carry a short hash instead."""
    return hashlib.sha256((conversation_id or "").encode()).hexdigest()[:12]
