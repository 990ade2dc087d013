"""Real Teams-shaped activities, and a fake Bot Connector that records what the bot sends."""
from __future__ import annotations

import asyncio
import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import web

TENANT = "11111111-2222-3333-4444-555555555555"
BOT_ID = "28:virtual-school-bot"
_ids = itertools.count(1)


def aad(suffix: str) -> str:
    return "00000000-0000-0000-0000-000000000" + suffix


def _base(*, service_url: str, aad_id: str, name: str, conversation_id: str | None, conversation_type: str = "personal",
          tenant: str = TENANT) -> dict[str, Any]:
    conversation_id = conversation_id or f"a:personal-{aad_id}"
    return {
        "id": f"act-{next(_ids)}-{uuid.uuid4().hex[:6]}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "timestamp": "2026-11-23T10:00:00.000Z",
        "from": {"id": f"29:{aad_id}", "name": name, "aadObjectId": aad_id},
        "recipient": {"id": BOT_ID, "name": "Virtual School"},
        "conversation": {"id": conversation_id, "conversationType": conversation_type, "tenantId": tenant},
        "channelData": {"tenant": {"id": tenant}},
        "locale": "en-GB",
    }


def message(text: str | None, *, service_url: str, aad_id: str = aad("0a1"), name: str = "Sam Reed",
            value: dict | None = None, conversation_id: str | None = None, tenant: str = TENANT) -> dict:
    activity = _base(service_url=service_url, aad_id=aad_id, name=name, conversation_id=conversation_id, tenant=tenant)
    activity["type"] = "message"
    if text is not None:
        activity["text"] = text
        activity["textFormat"] = "plain"
    if value is not None:
        activity["value"] = value
    return activity


def submit(value: dict, *, reply_to_id: str | None = None, **kwargs) -> dict:
    """A card's Action.Submit as Teams delivers it: a message with `value`, no text, and the card's
    message id as replyToId."""
    activity = message(None, value=value, **kwargs)
    if reply_to_id:
        activity["replyToId"] = reply_to_id
    return activity


def installation_update(*, service_url: str, aad_id: str = aad("0a1"), name: str = "Sam Reed",
                        team: bool = False, tenant: str = TENANT) -> dict:
    conversation_id = f"19:team-channel-{aad_id}@thread.tacv2" if team else None
    activity = _base(service_url=service_url, aad_id=aad_id, name=name, conversation_id=conversation_id,
                     conversation_type="channel" if team else "personal", tenant=tenant)
    activity["type"] = "installationUpdate"
    activity["action"] = "add"
    if team:
        activity["channelData"].update({"team": {"id": "19:team-general@thread.tacv2", "name": "Inclusion"},
                                        "channel": {"id": conversation_id}})
    return activity


@dataclass
class Sent:
    method: str
    path: str
    conversation_id: str
    body: dict
    id: str = ""  # the activity id the connector gave (or, for PUT, the one updated)

    @property
    def text(self) -> str:
        return self.body.get("text") or ""

    @property
    def cards(self) -> list[dict]:
        return [a.get("content") or {} for a in self.body.get("attachments") or []
                if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]

    @property
    def card_ids(self) -> list[str]:
        return [c.get("id", "") for c in self.cards]


@dataclass
class FakeConnector:
    """The Bot Connector REST routes the bot calls, recording every request."""

    sent: list[Sent] = field(default_factory=list)
    url: str = ""
    # Failures to answer with before succeeding: a status, or (status, Retry-After seconds or None). The
    # key None applies to any conversation; a conversation id applies to that chat only.
    fail_next: list = field(default_factory=list)
    fail_chat: dict[str, list] = field(default_factory=dict)
    delay_next: list[float] = field(default_factory=list)  # seconds to stall before answering (timeouts)
    attempts: list[tuple[str, str, int]] = field(default_factory=list)  # (method, conversation id, status)
    _event: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._send)
        app.router.add_delete("/v3/conversations/{cid}/activities/{aid}", self._delete)
        app.router.add_post("/v3/conversations", self._create)
        return app

    async def _send(self, request: web.Request) -> web.Response:
        cid = request.match_info["cid"]
        if self.delay_next:
            await asyncio.sleep(self.delay_next.pop(0))
        queue = self.fail_chat.get(cid) or self.fail_next
        if queue:
            failure = queue.pop(0)
            status, retry_after = failure if isinstance(failure, tuple) else (failure, 0)
            headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
            self.attempts.append((request.method, cid, status))
            return web.json_response({"error": {"code": "Throttled"}}, status=status, headers=headers)
        self.attempts.append((request.method, cid, 200))
        body = await request.json()
        new_id = request.match_info["aid"] if request.method == "PUT" else f"msg-{len(self.sent) + 1}"
        self.sent.append(Sent(request.method, request.path, request.match_info["cid"], body, new_id))
        self._event.set()
        return web.json_response({"id": new_id})

    async def _delete(self, request: web.Request) -> web.Response:
        self.sent.append(Sent("DELETE", request.path, request.match_info["cid"], {}))
        return web.Response(status=200)

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({"id": f"a:created-{len(self.sent)}", "activityId": "", "serviceUrl": self.url,
                                  "echo": body})

    def clear(self) -> None:
        self.sent.clear()

    async def wait_for(self, predicate: Callable[[list[Sent]], bool], timeout: float = 5.0) -> list[Sent]:
        deadline = asyncio.get_running_loop().time() + timeout
        while not predicate(self.sent):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(f"timed out; connector received: {[(s.text, s.card_ids) for s in self.sent]}")
            self._event.clear()
            try:
                await asyncio.wait_for(self._event.wait(), remaining)
            except asyncio.TimeoutError:
                pass
        return self.sent


def card_fields(card: dict) -> dict[str, str]:
    """Every "label: value" a card shows, from FactSets and from labelled RichTextBlocks (typed text)."""
    fields: dict[str, str] = {}

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "FactSet":
                fields.update({f["title"]: f["value"] for f in node.get("facts", [])})
            elif node.get("type") == "RichTextBlock":
                runs = [r.get("text", "") for r in node.get("inlines", [])]
                if len(runs) >= 2 and runs[0].endswith(": "):
                    fields[runs[0][:-2]] = "".join(runs[1:])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card.get("body", []))
    return fields
