"""Messages on the wire: our plain card dicts as activities (SDK objects for a turn, JSON for the outbox),
stored conversation references, and the hash logs use instead of conversation ids."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from enum import Enum

from botbuilder.core import MessageFactory, TurnContext
from botbuilder.core.serializer_helper import serializer_helper
from botbuilder.schema import Activity, Attachment
from msrest.serialization import Model, Serializer

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


class _NotPlain(Exception):
    """A value activity_json does not write itself: msrest does it."""


def activity_json(activity: Activity) -> dict:
    """An activity as Bot Connector JSON, the same as msrest's `activity.serialize()` but without its generic
    walk over every value of a card (a fifth of a FAQ turn's CPU, measured). Cards are plain JSON data already;
    anything else (a flattened key, an unknown type) goes to msrest. tests/test_speed_paths.py checks the two
    agree on every card the bot sends."""
    try:
        out = _model_json(activity)
        json.dumps(out)  # card content must be JSON as it stands; anything else is msrest's job
        return out
    except (_NotPlain, TypeError, ValueError):
        return activity.serialize()


def _model_json(model: Model) -> dict:
    out: dict = {}
    for attr, spec in model._attribute_map.items():  # pylint: disable=protected-access
        value = getattr(model, attr, None)
        if value is None:
            continue
        key = spec["key"]
        if attr == "additional_properties" and key == "":
            out.update(value)
            continue
        if "." in key:
            raise _NotPlain(key)
        out[key] = _value(value, spec["type"])
    return out


def _value(value, kind: str):
    if isinstance(value, Model):
        return _model_json(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (str, bool, int, float)):
        if kind in ("str", "bool", "int", "float", "object"):
            return value
        raise _NotPlain(kind)
    if isinstance(value, list):
        if not kind.startswith("["):
            if kind == "object":
                return value
            raise _NotPlain(kind)
        return [_value(item, kind[1:-1]) for item in value]
    if isinstance(value, dict) and (kind == "object" or kind.startswith("{")):
        return value
    if isinstance(value, datetime) and kind == "iso-8601":
        return Serializer.serialize_iso(value)
    raise _NotPlain(kind)


def reference_to_dict(activity: Activity) -> dict:
    return serializer_helper(TurnContext.get_conversation_reference(activity))


def conversation_hash(conversation_id: str | None) -> str:
    """Conversation ids can identify a person's chat; logs carry a short hash instead."""
    return hashlib.sha256((conversation_id or "").encode()).hexdigest()[:12]
