"""Turning our plain card dicts and stored references into SDK objects (kept here, out of dialogs)."""
from __future__ import annotations

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.core.serializer_helper import deserializer_helper, serializer_helper
from botbuilder.schema import Activity, Attachment, ConversationReference

from cards.common import CARD_CONTENT_TYPE


def card_activity(card: dict, *, summary: str | None = None) -> Activity:
    activity = MessageFactory.attachment(Attachment(content_type=CARD_CONTENT_TYPE, content=card))
    if summary:
        activity.summary = summary  # shown in notifications instead of "sent a card"
    return activity


def reference_to_dict(activity: Activity) -> dict:
    return serializer_helper(TurnContext.get_conversation_reference(activity))


def reference_from_dict(data: dict) -> ConversationReference:
    return deserializer_helper(ConversationReference, dict(data))
