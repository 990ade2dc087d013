"""The service: settings → database → state → adapter → dialogs → bot → routes, in that order."""
from __future__ import annotations

import logging

from aiohttp import web
from botbuilder.core import ConversationState, UserState
from sqlalchemy import text

from bot.adapter import VsbAdapter
from bot.services import Services
from bot.settings import Settings
from bot.teams_bot import VirtualSchoolBot
from bot.proactive import Notifier
from bot.scheduler import LeaderScheduler
from dialogs.faq.handlers import ACTIONS as FAQ_ACTIONS
from dialogs.main_dialog import MainDialog
from dialogs.referrals.handlers import ACTIONS as REFERRAL_ACTIONS
from storage.bot_state import SqlStorage
from storage.db import create_engine, session_factory
from storage.migrate import migrations_current

log = logging.getLogger("vsbot.app")

SERVICES_KEY = web.AppKey("services", Services)
ADAPTER_KEY = web.AppKey("adapter", VsbAdapter)
BOT_KEY = web.AppKey("bot", VirtualSchoolBot)


def build_services(settings: Settings) -> Services:
    engine = create_engine(settings.effective_database_url)
    services = Services(settings=settings, engine=engine, sessions=session_factory(engine))
    services.knowledge = load_knowledge()
    return services


def load_knowledge():
    """The FAQ knowledge base. A broken knowledge base must not take referrals down with it: log the
    problems loudly and run without answers (the FAQ says it cannot answer; /readyz reports it)."""
    from dialogs.faq.knowledge.loader import KnowledgeBaseError, KnowledgeBaseStore  # pylint: disable=import-outside-toplevel

    try:
        return KnowledgeBaseStore()
    except (KnowledgeBaseError, OSError) as exc:
        log.error("knowledge base not loaded: %s", exc)
        return None


def build_runtime(settings: Settings, services: Services | None = None) -> tuple[Services, VsbAdapter]:
    """Services plus the adapter and the notifier that sends through it (also used by `vsbot worker`/`jobs run`)."""
    services = services or build_services(settings)
    adapter = VsbAdapter(settings)
    services.notifier = Notifier(adapter, services)
    return services, adapter


def create_app(settings: Settings, services: Services | None = None, *, run_scheduler: bool = False) -> web.Application:
    services, adapter = build_runtime(settings, services)
    storage = SqlStorage(services.engine)
    conversation_state = ConversationState(storage)
    user_state = UserState(storage)
    router = MainDialog(services, actions={**REFERRAL_ACTIONS, **FAQ_ACTIONS})
    bot = VirtualSchoolBot(services, conversation_state, user_state, router)

    app = web.Application(client_max_size=1024 * 1024)
    app[SERVICES_KEY] = services
    app[ADAPTER_KEY] = adapter
    app[BOT_KEY] = bot

    async def messages(request: web.Request) -> web.Response:
        return await adapter.handle_request(request, bot)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_request: web.Request) -> web.Response:
        try:
            async with services.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            current = await migrations_current(services.engine)
        except Exception as exc:  # any database failure means "not ready", with the reason's type only
            return web.json_response({"status": "unavailable", "database": type(exc).__name__}, status=503)
        if not current:
            return web.json_response({"status": "unavailable", "migrations": "behind"}, status=503)
        # A missing knowledge base degrades the FAQ only; it is reported, not a reason to take traffic away.
        return web.json_response({"status": "ready", "knowledge_base": "loaded" if services.knowledge else "missing"})

    scheduler = LeaderScheduler(services) if run_scheduler else None

    async def start_scheduler(_app: web.Application) -> None:
        if scheduler:
            scheduler.start()

    async def dispose(_app: web.Application) -> None:
        if scheduler:
            scheduler.shutdown()
        await services.engine.dispose()

    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.on_startup.append(start_scheduler)
    app.on_cleanup.append(dispose)
    return app
