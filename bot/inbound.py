"""What arrives at /api/messages, checked before anything else reads it.

msrest deserialises an activity by its models' attribute maps and raises `DeserializationError` (quoting the
bad value) on a wrong JSON type; botbuilder's Teams handler deserialises `channelData` and new members again,
inside the turn. Here the body is read within a size limit, decoded as UTF-8, parsed as JSON without NaN or
runaway nesting, and checked against those same attribute maps, so a malformed activity gets 400 with a
short reason (a field path, never the value) and msrest only ever sees what it can deserialise.

Activities of a kind the bot does not handle (typing, reactions, events...) are acknowledged and dropped
here, and invokes other than Action.Execute get the answer Teams expects for an invoke the app does not
offer, without running a turn."""
from __future__ import annotations

import json
from functools import lru_cache
from urllib.parse import urlsplit

import botbuilder.schema as bf_schema
import botbuilder.schema.teams as teams_schema
from aiohttp import web
from msrest.exceptions import DeserializationError
from msrest.serialization import Deserializer, Model

MAX_BODY_BYTES = 256 * 1024  # Teams caps a message at about 28 KB; cards and submits are smaller still
MAX_DEPTH = 32  # a Teams activity nests about 8 deep; card data less
MAX_TEXT_CHARS = 40_000
MAX_ID_CHARS = 1_024  # ids go into Bot Connector URLs (Teams' longest, group chat ids, are a few hundred)
KNOWN_TYPES = frozenset(t.value for t in bf_schema.ActivityTypes)
HANDLED_TYPES = frozenset({"message", "invoke", "conversationUpdate", "installationUpdate"})
HANDLED_INVOKES = frozenset({"adaptiveCard/action"})

# botbuilder.schema and its Teams models by name, as msrest looks them up; a few Activity fields are read
# again as Teams models by TeamsActivityHandler, so they are checked as those.
_MODELS: dict[str, type[Model]] = {
    name: cls for module in (bf_schema, teams_schema) for name, cls in vars(module).items()
    if isinstance(cls, type) and issubclass(cls, Model)
}
_AS_TEAMS = {("Activity", "channelData"): "TeamsChannelData", ("Activity", "membersAdded"): "[TeamsChannelAccount]",
             ("Activity", "membersRemoved"): "[TeamsChannelAccount]"}


class BadRequest(Exception):
    """Refuse the request with this status and a short reason of our own words."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


# --- the body --------------------------------------------------------------------------------------------
async def read_json(request: web.Request) -> dict:
    if request.content_type != "application/json":
        raise BadRequest(415, "expected Content-Type application/json")
    charset = (request.charset or "utf-8").strip().lower()
    if charset not in ("utf-8", "utf8"):
        raise BadRequest(400, "only the UTF-8 charset is accepted")
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise BadRequest(413, f"body larger than {MAX_BODY_BYTES} bytes")
    raw = bytearray()
    try:
        while chunk := await request.content.read(64 * 1024):
            raw += chunk
            if len(raw) > MAX_BODY_BYTES:
                raise BadRequest(413, f"body larger than {MAX_BODY_BYTES} bytes")
    except BadRequest:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken or badly encoded upload (aiohttp raises several kinds)
        raise BadRequest(400, "body could not be read") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(400, "body is not UTF-8") from exc
    try:
        body = json.loads(text, parse_constant=_no_constant)
    except RecursionError as exc:
        raise BadRequest(400, "JSON nested too deeply") from exc
    except ValueError as exc:  # JSONDecodeError, NaN/Infinity, integers past Python's digit limit
        raise BadRequest(400, "body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise BadRequest(400, "not an activity (expected a JSON object)")
    if _depth(body) > MAX_DEPTH:
        raise BadRequest(400, "JSON nested too deeply")
    return body


def _no_constant(_name: str):
    raise ValueError("NaN and Infinity are not JSON")


def _depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


# --- the activity ----------------------------------------------------------------------------------------
def check_activity(body: dict) -> None:
    """400 unless msrest and botbuilder's Teams handler can deserialise it and a turn has what it needs."""
    kind = body.get("type")
    if not isinstance(kind, str) or not kind:
        raise BadRequest(400, "type: required")
    if kind not in KNOWN_TYPES:
        raise BadRequest(400, "type: not a Bot Framework activity type")
    _check(body, "Activity", "activity")
    if kind not in HANDLED_TYPES:
        return  # acknowledged and dropped; nothing more of it is read
    conversation, sender, recipient = body.get("conversation"), body.get("from"), body.get("recipient")
    for path, value in (("serviceUrl", body.get("serviceUrl")), ("channelId", body.get("channelId")),
                        ("conversation.id", conversation.get("id") if isinstance(conversation, dict) else None),
                        ("from.id", sender.get("id") if isinstance(sender, dict) else None)):
        if not isinstance(value, str) or not value.strip():
            raise BadRequest(400, f"{path}: required")
    if not isinstance(recipient, dict):
        raise BadRequest(400, "recipient: required")
    # Ids go into Bot Connector URLs and the database: none may be longer than any Teams sends.
    for path, node, key in (("id", body, "id"), ("replyToId", body, "replyToId"), ("serviceUrl", body, "serviceUrl"),
                            ("channelId", body, "channelId"), ("locale", body, "locale"),
                            ("conversation.id", conversation, "id"), ("conversation.tenantId", conversation, "tenantId"),
                            ("from.id", sender, "id"), ("from.name", sender, "name"),
                            ("from.aadObjectId", sender, "aadObjectId"), ("recipient.id", recipient, "id")):
        value = node.get(key)
        if isinstance(value, str) and len(value) > MAX_ID_CHARS:
            raise BadRequest(400, f"{path}: too long")
    url = urlsplit(body["serviceUrl"])
    if url.scheme not in ("https", "http") or not url.hostname:
        raise BadRequest(400, "serviceUrl: not an http(s) URL")
    if isinstance(body.get("text"), str) and len(body["text"]) > MAX_TEXT_CHARS:
        raise BadRequest(413, f"text longer than {MAX_TEXT_CHARS} characters")


def disposition(body: dict) -> str:
    """"run" (a turn), "drop" (acknowledge only) or "unknown_invoke"."""
    kind = body["type"]
    if kind not in HANDLED_TYPES:
        return "drop"
    if kind == "invoke" and body.get("name") not in HANDLED_INVOKES:
        return "unknown_invoke"
    return "run"


def tenants_of(body: dict) -> list[str]:
    """Every tenant id the activity states: Teams sends `channelData.tenant.id` and `conversation.tenantId`
    (msrest knows only `tenantID`, so `tenantId` never reaches the deserialised conversation)."""
    found = [value_at(body, "channelData", "tenant", "id"), value_at(body, "conversation", "tenantId"),
             value_at(body, "conversation", "tenantID")]
    return [t.strip().lower() for t in found if isinstance(t, str) and t.strip()]


def value_at(body: dict, *path: str):
    node = body
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


@lru_cache(maxsize=None)
def _fields(type_name: str) -> dict[str, str]:
    """A model's JSON keys and their msrest types (read once per model)."""
    specs = _MODELS[type_name]._attribute_map.values()  # pylint: disable=protected-access
    return {spec["key"]: _AS_TEAMS.get((type_name, spec["key"]), spec["type"]) for spec in specs}


def _check(value, type_name: str, path: str) -> None:
    """`value` must deserialise as msrest's `type_name` (None always does). Walks the keys present only."""
    if value is None or type_name == "object":
        return
    if type_name in _MODELS:
        if not isinstance(value, dict):
            raise BadRequest(400, f"{path}: expected an object")
        fields = _fields(type_name)
        for key, item in value.items():
            inner = fields.get(key)
            if inner is not None and item is not None:
                _check(item, inner, key if type_name == "Activity" else f"{path}.{key}")
        return
    if type_name[0] == "[":
        if not isinstance(value, list):
            raise BadRequest(400, f"{path}: expected a list")
        for index, item in enumerate(value):
            _check(item, type_name[1:-1], f"{path}[{index}]")
        return
    if type_name[0] == "{":
        if not isinstance(value, dict):
            raise BadRequest(400, f"{path}: expected an object")
        for item in value.values():
            _check(item, type_name[1:-1], f"{path}.*")
        return
    if type_name == "str":
        ok = isinstance(value, str)
    elif type_name == "bool":
        ok = isinstance(value, bool)
    elif type_name in ("int", "long"):
        ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2 ** 63
    elif type_name == "float":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif type_name == "iso-8601":
        ok = isinstance(value, str) and _is_datetime(value)
    else:  # enums
        ok = isinstance(value, str)
    if not ok:
        raise BadRequest(400, f"{path}: wrong type")


def _is_datetime(value: str) -> bool:
    try:
        Deserializer.deserialize_iso(value)
    except DeserializationError:
        return False
    return True
