"""botbuilder's stock echo bot, as the Python samples write it: CloudAdapter with
ConfigurationBotFrameworkAuthentication, an ActivityHandler, no state. The baseline of the side-by-side bench.

    python tools/bench/side_by_side/echo_bot.py PORT
"""
import sys

from aiohttp import web
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication


class DefaultConfig:
    """As in the samples' config.py; an empty app id means no authentication (the Emulator's mode)."""

    PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 3979
    APP_ID = ""
    APP_PASSWORD = ""
    APP_TYPE = "MultiTenant"
    APP_TENANTID = ""


class EchoBot(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext):
        text = turn_context.activity.text or ""
        return await turn_context.send_activity(MessageFactory.text(f"Echo: {text}"))


CONFIG = DefaultConfig()
ADAPTER = CloudAdapter(ConfigurationBotFrameworkAuthentication(CONFIG))
BOT = EchoBot()


async def messages(req: web.Request) -> web.Response:
    return await ADAPTER.process(req, BOT)


APP = web.Application()
APP.router.add_post("/api/messages", messages)
APP.router.add_get("/healthz", lambda _req: web.json_response({"status": "ok"}))

if __name__ == "__main__":
    web.run_app(APP, host="127.0.0.1", port=CONFIG.PORT, print=None, access_log=None)
