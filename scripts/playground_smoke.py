#!/usr/bin/env python3
"""Send one message through a running Agents Playground (`make run`) and check the bot's answer.

    .venv/bin/python scripts/playground_smoke.py [--url http://127.0.0.1:56150] [--text help] [--expect-card main-menu]

Uses the Playground's own API: the signed-in user and personal chat from GET /_internal/v1/config, the message
through POST /_conversation/v1/conversations/{id}/messages, the bot's replies from the WebSocket
/_ws_conversation/v1/conversations/stream. Prints what went out and what came back; exit status 0 when an
Adaptive Card with the expected id arrived, 1 otherwise (one line on stderr).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time

import aiohttp

CARD_TYPE = "application/vnd.microsoft.card.adaptive"


class SmokeError(Exception):
    pass


def _cards(frame: dict) -> list[dict]:
    message = frame.get("message") or {}
    return [a.get("content") or {} for a in message.get("attachments") or [] if a.get("contentType") == CARD_TYPE]


async def smoke(base: str, text: str, expect_card: str, timeout: float) -> dict:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as http:
        try:
            async with http.get(f"{base}/_debug/ping") as resp:
                if (await resp.text()).strip() != "pong":
                    raise SmokeError(f"{base} is not an Agents Playground (GET /_debug/ping)")
        except aiohttp.ClientError as exc:
            raise SmokeError(f"no Agents Playground at {base} ({exc}); start it with `make run`") from exc
        async with http.get(f"{base}/_internal/v1/config") as resp:
            config = (await resp.json())["config"]
        user, conversation = config["currentUser"], config["personalChat"]["id"]
        print(f"playground  {base}  conversation {conversation!r}")
        print(f"user        {user['name']} (id {user['id']}, aadObjectId {user.get('aadObjectId')})")

        ws_url = base.replace("http://", "ws://", 1) + "/_ws_conversation/v1/conversations/stream"
        async with http.ws_connect(ws_url) as ws:
            started = time.monotonic()
            async with http.post(f"{base}/_conversation/v1/conversations/{conversation}/messages",
                                 json={"from": {"id": user["id"]}, "text": text, "textFormat": "plain"}) as resp:
                if resp.status != 200:
                    raise SmokeError(f"sending failed: HTTP {resp.status} {await resp.text()}")
                sent = await resp.json()
            print(f"sent        {text!r}  (messageId {sent.get('messageId')})")
            deadline = started + timeout
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise SmokeError(f"no card with id {expect_card!r} within {timeout:.0f}s")
                try:
                    msg = await ws.receive(timeout=remaining)
                except asyncio.TimeoutError:
                    continue
                if msg.type != aiohttp.WSMsgType.TEXT:
                    raise SmokeError(f"the Playground closed the WebSocket ({msg.type.name})")
                frame = json.loads(msg.data)
                if frame.get("action") != "createMessage":
                    continue
                message = frame.get("message") or {}
                elapsed = time.monotonic() - started
                cards = _cards(frame)
                described = ", ".join(f"card {c.get('id')!r}" for c in cards) or repr(message.get("text"))
                print(f"received    {described}  (+{elapsed:.2f}s, messageId {message.get('messageId')})")
                for card in cards:
                    if card.get("id") == expect_card:
                        titles = [a.get("title") for a in card.get("actions", [])]
                        print(f"            buttons: {' | '.join(map(str, titles))}")
                        return {"card": card, "seconds": round(elapsed, 3)}


def main() -> int:
    default_url = f"http://127.0.0.1:{os.environ.get('VSB_PLAYGROUND_PORT', '56150')}"
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--url", default=default_url, help=f"the Playground (default {default_url})")
    parser.add_argument("--text", default="help", help="message to send (default: help)")
    parser.add_argument("--expect-card", default="main-menu", help="Adaptive Card id to wait for (default: main-menu)")
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds to wait (default 15)")
    args = parser.parse_args()
    try:
        result = asyncio.run(smoke(args.url.rstrip("/"), args.text, args.expect_card, args.timeout))
    except (SmokeError, aiohttp.ClientError, asyncio.TimeoutError, KeyError, ValueError) as exc:
        print(f"playground_smoke: FAIL: {exc or type(exc).__name__}", file=sys.stderr)
        return 1
    print(f"OK          {args.text!r} → card {args.expect_card!r} in {result['seconds']:.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
