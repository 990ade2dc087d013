"""The reference ceiling: a bare aiohttp handler that reads the activity and posts one reply to the connector on a
kept-alive session. No authentication, no framework, no state: what one Python process can do at best.

    python tools/bench/side_by_side/raw_handler.py PORT
"""
import sys

import aiohttp
from aiohttp import web

SESSION = web.AppKey("session", aiohttp.ClientSession)


async def messages(request: web.Request) -> web.Response:
    body = await request.json()
    conversation = body["conversation"]
    url = f"{body['serviceUrl'].rstrip('/')}/v3/conversations/{conversation['id']}/activities/{body['id']}"
    reply = {"type": "message", "text": f"Echo: {body.get('text') or ''}", "from": body["recipient"],
             "recipient": body["from"], "conversation": conversation, "replyToId": body["id"]}
    async with request.app[SESSION].post(url, json=reply) as response:
        await response.read()
    return web.Response(status=201)


async def _session(app: web.Application):
    app[SESSION] = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200))
    yield
    await app[SESSION].close()


def main() -> None:
    app = web.Application()
    app.cleanup_ctx.append(_session)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", lambda _req: web.json_response({"status": "ok"}))
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)


if __name__ == "__main__":
    main()
