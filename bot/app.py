"""The service: settings → database → state → connector and outbox sender → adapter → router → bot → routes,
in that order. `build_runtime` is shared with `vsbot worker` and `vsbot jobs run`."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from aiohttp import web
from botbuilder.core import ConversationState

from bot.adapter import VsbAdapter
from bot.connector import AppTokens, BotConnector
from bot.graph import GraphInstaller
from bot.router import RouteRegistry, Router
from bot.scheduler import LeaderScheduler
from bot.sender import OutboxSender
from bot.settings import Settings
from bot.teams_bot import VirtualSchoolBot
from bot.turn import RoleCache
from dialogs.alerts.routes import ROUTES as ALERT_ROUTES
from dialogs.common.services import Services
from dialogs.faq.faq_dialog import FaqDialog
from dialogs.faq.routes import ROUTES as FAQ_ROUTES
from dialogs.faq.service import load_knowledge
from dialogs.referrals.referral_dialog import ReferralDialog
from dialogs.referrals.routes import ROUTES as REFERRAL_ROUTES
from dialogs.surgeries import service as surgeries
from dialogs.surgeries.publish_dialog import PublishDialog
from dialogs.surgeries.routes import ROUTES as SURGERY_ROUTES
from storage.bot_state import SqlStorage, StateListener
from storage.faq_log import QueryLog
from storage.db import create_engine, reader_engine, ping, session_factory
from storage.migrate import migrations_current

log = logging.getLogger("vsbot.app")


@dataclass
class Runtime:
    """Everything a process needs: the services dialogs use, and the edge's own parts."""

    settings: Settings
    services: Services
    engine: object
    reader: object  # for reads that need no write lock (on PostgreSQL, the same engine)
    connector: BotConnector
    sender: OutboxSender

    async def close(self) -> None:
        if self.services.query_log is not None:
            await self.services.query_log.close()  # questions still waiting to be recorded
        await self.sender.stop()
        await self.connector.close()
        if self.sender.installer is not None:
            await self.sender.installer.close()
        await self.engine.dispose()
        if self.reader.sync_engine.pool is not self.engine.sync_engine.pool:
            await self.reader.dispose()


def build_runtime(settings: Settings, *, load_faq: bool = True) -> Runtime:
    engine = create_engine(settings.effective_database_url)
    reader = reader_engine(engine)
    tokens = (AppTokens(app_id=settings.app_id, password=settings.app_password, tenant_id=settings.app_tenant_id,
                        app_type=settings.app_type) if settings.auth_enabled else None)
    connector = BotConnector(tokens)
    reads = session_factory(reader)
    sender = OutboxSender(session_factory(engine), connector, installer=GraphInstaller.from_settings(settings),
                          reads=reads)
    # The services' sessions wake the sender after any commit that queued messages for other people.
    sessions = session_factory(engine, on_outbox_commit=sender.wake)
    services = Services(settings=settings, sessions=sessions, knowledge=load_knowledge() if load_faq else None,
                        query_log=QueryLog(sessions, delay=settings.faq_log_delay_seconds), read_sessions=reads)
    if settings.clock_start_raw:
        services.clock = drill_clock(settings)
    return Runtime(settings=settings, services=services, engine=engine, reader=reader, connector=connector, sender=sender)


def drill_clock(settings: Settings):
    """VSB_CLOCK_START: the service's clock starts at that moment and runs on (drills, multi-process tests).
    Refused in production, where the clock is the clock."""
    import time  # pylint: disable=import-outside-toplevel
    from datetime import UTC, datetime, timedelta  # pylint: disable=import-outside-toplevel
    from zoneinfo import ZoneInfo  # pylint: disable=import-outside-toplevel

    if settings.is_production:
        raise ValueError("VSB_CLOCK_START is for drills and tests and is refused in production")
    start = datetime.fromisoformat(settings.clock_start_raw)
    start = (start if start.tzinfo else start.replace(tzinfo=ZoneInfo(settings.timezone))).astimezone(UTC)
    origin = time.monotonic()
    log.warning("drill clock: the service's clock starts at %s", start.isoformat())
    return lambda: start + timedelta(seconds=time.monotonic() - origin)


ROUTES = [*REFERRAL_ROUTES, *FAQ_ROUTES, *SURGERY_ROUTES, *ALERT_ROUTES]


def build_router(services: Services, accessor) -> Router:
    return Router(services, RouteRegistry(ROUTES), [ReferralDialog(services), FaqDialog(services),
                                                    PublishDialog(services)], accessor)


RUNTIME_KEY = web.AppKey("runtime", Runtime)
ADAPTER_KEY = web.AppKey("adapter", VsbAdapter)
BOT_KEY = web.AppKey("bot", VirtualSchoolBot)


def create_app(settings: Settings, runtime: Runtime | None = None, *, run_scheduler: bool = False) -> web.Application:
    runtime = runtime or build_runtime(settings)
    services = runtime.services
    adapter = VsbAdapter(settings, runtime.connector, reply_fallback=runtime.sender.enqueue_reply)
    # Conversation state is cached in the process: on SQLite (one process serves the file) always; on PostgreSQL
    # while the listener hears other instances' writes (storage/bot_state.py).
    sqlite = runtime.engine.dialect.name == "sqlite"
    storage = SqlStorage(runtime.engine, reader=runtime.reader, cache_entries=20_000, cache_enabled=sqlite)
    listener = None if sqlite else StateListener(
        storage, runtime.engine.url.set(drivername="postgresql").render_as_string(hide_password=False))
    conversation_state = ConversationState(storage)
    router = build_router(services, conversation_state.create_property("DialogState"))
    bot = VirtualSchoolBot(services, conversation_state, router, RoleCache(services.reads, ttl=settings.directory_cache_seconds))

    app = web.Application(client_max_size=1024 * 1024)
    app[RUNTIME_KEY] = runtime
    app[ADAPTER_KEY] = adapter
    app[BOT_KEY] = bot

    async def messages(request: web.Request) -> web.Response:
        return await adapter.handle_request(request, bot)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_request: web.Request) -> web.Response:
        try:
            await ping(runtime.engine)
            current = await migrations_current(runtime.engine)
        except Exception as exc:  # any database failure means "not ready", with the reason's type only
            return web.json_response({"status": "unavailable", "database": type(exc).__name__}, status=503)
        if not current:
            return web.json_response({"status": "unavailable", "migrations": "behind"}, status=503)
        # A missing knowledge base degrades the FAQ only; it is reported, not a reason to take traffic away.
        return web.json_response({"status": "ready", "knowledge_base": "loaded" if services.knowledge else "missing"})

    async def surgery_invite(request: web.Request) -> web.Response:
        """A booking's calendar invite. Teams can't attach a file to a bot's message reliably, so the card links
        here (Action.OpenUrl); the link's random token is the only key, so a wrong one is simply not found."""
        ics = await surgeries.invite(services, booking_id=request.match_info["booking_id"],
                                     token=request.query.get("t", ""))
        if ics is None:
            return web.Response(status=404, text="Not found")
        return web.Response(body=ics, content_type="text/calendar", charset="utf-8", headers={
            "Content-Disposition": 'attachment; filename="surgery.ics"', "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})

    scheduler = LeaderScheduler(runtime) if run_scheduler else None

    async def start(_app: web.Application) -> None:
        adapter.start()  # signing keys prefetched in the background
        if listener is not None:
            listener.start()
        runtime.sender.start()
        if scheduler:
            scheduler.start()

    async def dispose(_app: web.Application) -> None:
        if scheduler:
            await scheduler.stop()
        if adapter.auth is not None:
            await adapter.auth.close()
        if listener is not None:
            await listener.stop()
        await runtime.close()

    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/surgeries/{booking_id}/invite.ics", surgery_invite)
    app.on_startup.append(start)
    app.on_cleanup.append(dispose)
    return app
