"""Messages on the wire: our plain card dicts as activities (SDK objects for a turn, JSON for the outbox),
stored conversation references, and the hash logs use instead of conversation ids."""
from __future__ import annotations

import copy
import hashlib
from datetime import datetime
from enum import Enum

from botbuilder.core import TurnContext
from botbuilder.core.serializer_helper import serializer_helper
from botbuilder.schema import Activity, ActivityTypes, Attachment, AttachmentLayoutTypes, InputHints
from msrest.serialization import Deserializer, Model, Serializer

from bot.connector import json_text
from cards.common import CARD_CONTENT_TYPE


class _OneSendActivity(Activity):
    """An activity made for one send. botbuilder's TurnContext deep-copies every outgoing activity before it
    addresses the copy (a card's whole tree: a few per cent of a referral turn's CPU, measured); nothing else holds
    one of these, and addressing sets top-level fields only, so a shallow copy does the same."""

    def __deepcopy__(self, memo):
        return copy.copy(self)


def card_activity(card: dict, *, summary: str | None = None) -> Activity:
    # As MessageFactory.attachment makes it.
    activity = _OneSendActivity(type=ActivityTypes.message, attachment_layout=AttachmentLayoutTypes.list,
                                attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)],
                                input_hint=None)
    if summary:
        activity.summary = summary  # shown in notifications instead of "sent a card"
    return activity


def text_activity(text: str) -> Activity:
    # As MessageFactory.text makes it.
    return _OneSendActivity(type=ActivityTypes.message, text=text, input_hint=InputHints.accepting_input)


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
    return activity_body(activity)[0]


def activity_body(activity: Activity) -> tuple[dict, str]:
    """The activity's JSON and its encoded text: checking a card is plain JSON means encoding it, so the reply is
    sent as that text instead of being encoded a second time."""
    plain = _plain_json(activity)
    if plain is not None:
        return plain
    out = activity.serialize()
    return out, json_text(out)


def _plain_json(model: Model) -> tuple[dict, str] | None:
    """Our walk of a model and its text, or None when something in it is msrest's job (the caller asks msrest)."""
    try:
        out = _model_json(model)
        return out, json_text(out)  # card content must be JSON as it stands; anything else is msrest's job
    except (_NotPlain, TypeError, ValueError):
        return None


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


def activity_from_json(body: dict) -> Activity:
    """An inbound activity's JSON as an Activity, the same as msrest's `Activity().deserialize(body)` but without
    its generic walk (a fifth of a FAQ turn's CPU, measured): each value of the type the schema names is taken as
    it is. Anything else (a number where text belongs, a list where an object does) goes to msrest, which turns
    what it can and refuses the rest. tests/test_speed_paths.py checks the two agree."""
    try:
        return _model_from(Activity, body)
    except _NotPlain:
        return Activity().deserialize(body)


_SCHEMA = Activity._infer_class_models()  # pylint: disable=protected-access - the models msrest would use
_FIELDS: dict[type, tuple[list[tuple[str, str, str]], frozenset[str]]] = {}


def _fields(cls: type) -> tuple[list[tuple[str, str, str]], frozenset[str]]:
    """(attribute, JSON key, type) of a model, and its known keys (the rest go to additional_properties)."""
    found = _FIELDS.get(cls)
    if found is None:
        if any(v.get("readonly") or v.get("constant") for v in getattr(cls, "_validation", {}).values()):
            raise _NotPlain(cls.__name__)
        specs = [(attr, spec["key"], spec["type"]) for attr, spec in cls._attribute_map.items()  # pylint: disable=protected-access
                 if not (attr == "additional_properties" and spec["key"] == "")]
        if any("." in key for _attr, key, _kind in specs) or getattr(cls, "_subtype_map", None):
            raise _NotPlain(cls.__name__)
        found = _FIELDS[cls] = (specs, frozenset(key for _attr, key, _kind in specs))
    return found


def _model_from(cls: type, data) -> Model:
    if not isinstance(data, dict):
        raise _NotPlain(cls.__name__)
    specs, known = _fields(cls)
    model = cls(**{attr: _value_from(data.get(key), kind) for attr, key, kind in specs})
    extra = {key: data[key] for key in data.keys() - known}
    if extra:
        model.additional_properties = extra
    return model


def _value_from(value, kind: str):
    if value is None:
        return None
    if kind == "str":
        if isinstance(value, str):
            return value
    elif kind == "object":
        return value  # parsed JSON already: msrest rebuilds the same dicts and lists
    elif kind == "bool":
        if isinstance(value, bool):
            return value
    elif kind == "int":
        if type(value) is int:  # pylint: disable=unidiomatic-typecheck - a bool is not an int here
            return value
    elif kind == "iso-8601":
        if isinstance(value, str):
            return Deserializer.deserialize_iso(value)
    elif kind.startswith("["):
        if isinstance(value, list):
            return [_value_from(item, kind[1:-1]) for item in value]
    elif kind.startswith("{"):
        if isinstance(value, dict):
            return {key: _value_from(item, kind[1:-1]) for key, item in value.items()}
    elif kind in _SCHEMA:
        return _model_from(_SCHEMA[kind], value)
    raise _NotPlain(kind)


def reference_to_dict(activity: Activity) -> dict:
    """The conversation reference as JSON, compared with the stored one on every turn (written only when it
    changed): our walk, as for replies, not msrest's (4 % of a FAQ turn, measured); the same result, tested."""
    reference = TurnContext.get_conversation_reference(activity)
    plain = _plain_json(reference)
    return plain[0] if plain is not None else serializer_helper(reference)


def conversation_hash(conversation_id: str | None) -> str:
    """Conversation ids can identify a person's chat; logs carry a short hash instead."""
    return hashlib.sha256((conversation_id or "").encode()).hexdigest()[:12]
