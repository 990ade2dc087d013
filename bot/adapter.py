"""Our adapter layer: the only module that knows how botbuilder authenticates inbound requests and runs a
turn; outbound messages go through our own async Bot Connector client (bot/connector.py).

Everything the SDK does not do for us lives here: refusing unauthenticated or foreign-tenant activities
before they reach a dialog, the production guard, per-turn logging without personal data, replies that are
retried briefly and otherwise queued in the outbox (a user is never told "something went wrong" about a
change that was saved), and a friendly error turn. A move to the Microsoft 365 Agents SDK changes this
module, bot/turn.py and bot/teams_bot.py."""
from __future__ import annotations

import asyncio
import logging
import time
import traceback
import uuid
from http import HTTPStatus
from typing import Awaitable, Callable

from aiohttp import web
from botbuilder.core import BotAdapter, InvokeResponse, Middleware, TurnContext, serializer_helper
from botbuilder.schema import Activity, ActivityEventNames, ActivityTypes, ResourceResponse
from botframework.connector.auth import AuthenticationConstants, ClaimsIdentity

from bot import inbound
from bot.auth import BotFrameworkAuth, Unauthorized, Verified, build_auth
from bot.connector import BotConnector, ConnectorError
from bot.messages import activity_body, activity_from_json, activity_json, conversation_hash, reference_to_dict
from bot.settings import Settings

log = logging.getLogger("vsbot.adapter")

REPLY_TRIES = 3
REPLY_MAX_WAIT = 1.5  # a reply waits at most this long between tries; longer Retry-After → the outbox
REPLY_TIMEOUT = 5.0
ReplyFallback = Callable[..., Awaitable[None]]


class TenantNotAllowedError(PermissionError):
    """The activity comes from a tenant outside VSB_ALLOWED_TENANTS."""


class ProductionGuardError(RuntimeError):
    """Refuse to start without an app id (authentication off) unless development mode is set explicitly."""


def check_safe_to_start(settings: Settings) -> None:
    """Authentication may be off (no app id) only when development mode was asked for explicitly."""
    if not settings.auth_enabled and not settings.is_development:
        raise ProductionGuardError(
            "MicrosoftAppId is empty: refusing to start with authentication off. Set MicrosoftAppId (and "
            "MicrosoftAppPassword), or VSB_ENVIRONMENT=development for a local instance on loopback only"
        )


def tenant_of(activity: Activity) -> str | None:
    """The tenant an activity comes from: Teams sends `conversation.tenantId` (msrest maps only `tenantID`,
    keeping `tenantId` among the conversation's additional properties) and `channelData.tenant.id`."""
    conversation = activity.conversation
    if conversation is not None:
        extra = getattr(conversation, "additional_properties", None) or {}
        for value in (getattr(conversation, "tenant_id", None), extra.get("tenantId")):
            if isinstance(value, str) and value:
                return value
    if isinstance(activity.channel_data, dict):
        tenant = activity.channel_data.get("tenant") or {}
        value = tenant.get("id") if isinstance(tenant, dict) else None
        return value if isinstance(value, str) and value else None
    return None


def safe_trace(error: BaseException) -> str:
    """Where an exception came from, without its message: messages can quote what a user sent (msrest's
    DeserializationError does, so do ValueErrors about input). Exception types and code locations only."""
    lines = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        lines.append(f"{type(current).__module__}.{type(current).__qualname__}")
        lines.extend(f"  at {frame.filename}:{frame.lineno} in {frame.name}"
                     for frame in traceback.extract_tb(current.__traceback__))
        current = current.__cause__ or current.__context__
    return "\n".join(lines)


def _refusal(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


class TurnLogMiddleware(Middleware):
    """One log line a turn: activity type, conversation hash, latency. Never names or message text."""

    async def on_turn(self, context: TurnContext, logic):
        started = time.perf_counter()
        outcome = "ok"
        try:
            await logic()
        except Exception:
            outcome = "error"
            raise
        finally:
            activity = context.activity
            log.info("turn type=%s name=%s conv=%s outcome=%s latency_ms=%.1f", activity.type, activity.name or "-",
                     conversation_hash(activity.conversation.id if activity.conversation else None), outcome,
                     (time.perf_counter() - started) * 1000)


class ConversationSerialMiddleware(Middleware):
    """Turns of one conversation run one at a time in this process. Teams retries a card submit it thinks
    timed out, and people double-click: the second turn then sees the first one's saved state instead of
    racing it (across instances, the e_tag check in our Storage catches what this cannot)."""

    def __init__(self):
        self._locks: dict[str, list] = {}  # conversation id -> [lock, users]

    async def on_turn(self, context: TurnContext, logic):
        activity = context.activity
        if activity.type == ActivityTypes.event and activity.name == ActivityEventNames.continue_conversation:
            await logic()  # not a user's turn; touches no conversation state
            return
        key = activity.conversation.id if activity.conversation else ""
        entry = self._locks.setdefault(key, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                await logic()
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                self._locks.pop(key, None)


class VsbAdapter(BotAdapter):
    def __init__(self, settings: Settings, connector: BotConnector, *, reply_fallback: ReplyFallback | None = None,
                 sleep=asyncio.sleep, auth: BotFrameworkAuth | None = None):
        check_safe_to_start(settings)
        if not settings.auth_enabled:
            log.warning(
                "!!! MicrosoftAppId is empty: LOCAL DEVELOPMENT MODE, requests are NOT authenticated. "
                "Never expose this instance to a network. !!!"
            )
        super().__init__()
        self.settings = settings
        self.connector = connector
        self.reply_fallback = reply_fallback
        self._sleep = sleep
        self.auth = auth if auth is not None else build_auth(settings)
        self.use(TurnLogMiddleware())
        self.use(ConversationSerialMiddleware())
        self.on_turn_error = self._on_turn_error

    def start(self) -> None:
        """At service start: prefetch the signing keys (in the background; nothing waits for them)."""
        if self.auth is not None:
            self.auth.start()

    # --- inbound --------------------------------------------------------------------------------------
    async def handle_request(self, request: web.Request, bot) -> web.Response:
        """POST /api/messages. The token is checked before the body is read; the body is checked before msrest
        deserialises it. A stranger gets 401, a malformed activity 400 (413, 415) with a short reason of ours,
        and nothing about the request is quoted in a log line."""
        try:
            return await self._handle(request, bot)
        except Exception as exc:  # noqa: BLE001 - our bug, not the sender's: a 500 and a trace without messages
            log.error("request failed error=%s\n%s", type(exc).__name__, safe_trace(exc))
            return _refusal(500, "internal error")

    async def _handle(self, request: web.Request, bot) -> web.Response:
        verified: Verified | None = None
        if self.auth is not None:
            try:
                verified = await self.auth.verify(request.headers.get("Authorization", ""))
            except Unauthorized as exc:
                log.info("refused request: %s", exc.reason)
                return _refusal(401, "unauthorized")
        try:
            body = await inbound.read_json(request)
            inbound.check_activity(body)
        except inbound.BadRequest as exc:
            return _refusal(exc.status, exc.reason)
        if verified is not None:
            try:
                self.auth.bind(verified, service_url=body.get("serviceUrl"), channel_id=body.get("channelId"))
            except Unauthorized as exc:
                log.info("refused request: %s", exc.reason)
                return _refusal(401, "unauthorized")
        allowed = self.settings.allowed_tenants
        tenants = inbound.tenants_of(body)
        if allowed and (not tenants or any(t not in allowed for t in tenants)):
            log.warning("refused activity from a tenant outside the allow-list conv=%s",
                        conversation_hash(inbound.value_at(body, "conversation", "id")))
            return _refusal(403, "tenant not allowed")
        disposition = inbound.disposition(body)
        if disposition == "drop":
            return web.Response(status=200)  # acknowledged: the bot does nothing with this kind of activity
        if disposition == "unknown_invoke":
            # Teams wants a 200 for an invoke; one the app does not offer does nothing (a 501 shows the user an error).
            return web.json_response(status=200, data={})
        try:
            activity = activity_from_json(body)
        except Exception:  # noqa: BLE001 - check_activity should have caught it: refuse without quoting it
            log.warning("activity passed the checks but msrest refused it")
            return _refusal(400, "not a well-formed activity")
        tenant_id = inbound.value_at(body, "conversation", "tenantId")
        if activity.conversation is not None and not activity.conversation.tenant_id and isinstance(tenant_id, str):
            activity.conversation.tenant_id = tenant_id  # what Teams sends, where botbuilder and tenant_of look
        try:
            invoke_response = await self.process_activity(activity, bot.on_turn, verified=verified)
        except TenantNotAllowedError:
            return _refusal(403, "tenant not allowed")
        if invoke_response:
            body = invoke_response.body
            if body is not None and not isinstance(body, (dict, list, str, int, float, bool)):
                body = serializer_helper(body)
            return web.json_response(data=body, status=invoke_response.status)
        return web.Response(status=201)

    async def process_activity(self, activity: Activity, logic, *, verified: Verified | None) -> InvokeResponse | None:
        """Run a turn for an activity that passed the edge's checks (`verified` is None only with auth off)."""
        if self.auth is not None and verified is None:
            raise PermissionError("authentication is on: a verified token is required")
        allowed = self.settings.allowed_tenants
        if allowed and (tenant_of(activity) or "").lower() not in allowed:
            raise TenantNotAllowedError("tenant not allowed")
        if verified is not None:
            identity, activity.caller_id = verified.identity, verified.caller_id
        else:
            identity = ClaimsIdentity({}, True, AuthenticationConstants.ANONYMOUS_AUTH_TYPE)
            activity.caller_id = None
        context = TurnContext(self, activity)
        context.turn_state[self.BOT_IDENTITY_KEY] = identity
        context.turn_state[self.BOT_CALLBACK_HANDLER_KEY] = logic
        await self.run_pipeline(context, logic)
        if activity.type == ActivityTypes.invoke:
            response = context.turn_state.get(self._INVOKE_RESPONSE_KEY)
            return response.value if response else InvokeResponse(status=HTTPStatus.OK)
        return None

    # --- outbound (BotAdapter) ------------------------------------------------------------------------
    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> list[ResourceResponse]:
        responses = []
        for activity in activities:
            activity.id = None
            if activity.type == ActivityTypes.invoke_response:
                context.turn_state[self._INVOKE_RESPONSE_KEY] = activity
                responses.append(ResourceResponse(id=""))
                continue
            if activity.type == ActivityTypes.trace:
                responses.append(ResourceResponse(id=""))
                continue
            responses.append(ResourceResponse(id=await self._reply(context, activity)))
        return responses

    async def _reply(self, context: TurnContext, activity: Activity) -> str | None:
        """A reply in the user's own turn: a few quick tries, then the outbox. Never raises for delivery."""
        body, encoded = activity_body(activity)
        conversation_id = activity.conversation.id if activity.conversation else ""
        error: ConnectorError | None = None
        for attempt in range(REPLY_TRIES):
            try:
                sent = await self.connector.send(activity.service_url, conversation_id, body,
                                                 reply_to_id=activity.reply_to_id, timeout=REPLY_TIMEOUT,
                                                 encoded=encoded)
                return sent.id
            except ConnectorError as exc:
                error = exc
                wait = exc.retry_after if exc.retry_after is not None else 0.2 * 2 ** attempt
                if not exc.retryable or wait > REPLY_MAX_WAIT or attempt + 1 == REPLY_TRIES:
                    break
                await self._sleep(wait)
        log.warning("reply not sent in the turn (%s); queued in the outbox conv=%s", error.reason if error else "-",
                    conversation_hash(conversation_id))
        if self.reply_fallback is not None:
            counter = context.turn_state.get("vsb.fallback", 0) + 1
            context.turn_state["vsb.fallback"] = counter
            source = context.activity
            key = f"reply:{source.id or uuid.uuid4().hex}:{counter}"[:200]
            recipient = getattr(source.from_property, "aad_object_id", None) if source.from_property else None
            body.pop("replyToId", None)
            await self.reply_fallback(key=key, recipient_aad_id=recipient or "", reference=reference_to_dict(source),
                                      activity=body)
        return None

    async def update_activity(self, context: TurnContext, activity: Activity):
        conversation_id = activity.conversation.id if activity.conversation else ""
        for attempt in range(2):
            try:
                sent = await self.connector.update(activity.service_url, conversation_id, activity.id,
                                                   activity_json(activity), timeout=REPLY_TIMEOUT)
                return ResourceResponse(id=sent.id)
            except ConnectorError as exc:
                if not exc.retryable or attempt == 1 or (exc.retry_after or 0) > REPLY_MAX_WAIT:
                    raise
                await self._sleep(exc.retry_after if exc.retry_after is not None else 0.3)
        return None

    async def delete_activity(self, context: TurnContext, reference):
        await self.connector.delete(reference.service_url, reference.conversation.id, reference.activity_id)

    async def close(self) -> None:
        await self.connector.close()

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        # The exception's message is left out: it can quote what the user sent (safe_trace).
        log.error("turn failed type=%s conv=%s error=%s\n%s", context.activity.type,
                  conversation_hash(context.activity.conversation.id if context.activity.conversation else None),
                  type(error).__name__, safe_trace(error))
        if context.activity.type in (ActivityTypes.message, ActivityTypes.invoke):
            await context.send_activity(
                "Sorry, something went wrong on my side and I could not finish that. Nothing you entered "
                "has been lost — please try again in a moment."
            )
