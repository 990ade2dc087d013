"""A fake Bot Connector for the bench, in its own process: answers every send at once and remembers, per
conversation, how many messages arrived and the last card (the bench reads a form's token from it).

    python tools/bench/side_by_side/fake_connector.py PORT
"""
import sys
from collections import Counter

from aiohttp import web

COUNTS: Counter = Counter()
LAST_CARD: dict[str, dict] = {}


async def send(request: web.Request) -> web.Response:
    body = await request.json()
    cid = request.match_info["cid"]
    COUNTS[cid] += 1
    for attachment in body.get("attachments") or []:
        content = attachment.get("content")
        if isinstance(content, dict) and content.get("id"):
            LAST_CARD[cid] = content
    return web.json_response({"id": f"m{sum(COUNTS.values())}"})


async def last_card(request: web.Request) -> web.Response:
    card = LAST_CARD.get(request.query["cid"])
    return web.json_response(card or {}, status=200 if card else 404)


async def stats(_request: web.Request) -> web.Response:
    return web.json_response({"messages": sum(COUNTS.values()), "conversations": len(COUNTS)})


def main() -> None:
    app = web.Application(client_max_size=4 * 1024 * 1024)
    for route in ("/v3/conversations/{cid}/activities", "/v3/conversations/{cid}/activities/{aid}"):
        app.router.add_post(route, send)
    app.router.add_put("/v3/conversations/{cid}/activities/{aid}", send)
    app.router.add_get("/bench/last-card", last_card)
    app.router.add_get("/bench/stats", stats)
    app.router.add_get("/healthz", lambda _req: web.json_response({"status": "ok"}))
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)


if __name__ == "__main__":
    main()
