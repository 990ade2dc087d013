"""Our adapter layer: the only module that knows how botbuilder authenticates inbound requests and runs a
turn; outbound messages go through our own async Bot Connector client (bot/connector.py).

Everything the SDK does not do for us lives here: refusing unauthenticated or foreign-tenant activities
before they reach a dialog, the production guard, per-turn logging without personal data, replies that are
retried briefly and otherwise queued in the outbox (a user is never told "something went wrong" about a
change that was saved), and a friendly error turn. A move to the Microsoft 365 Agents SDK changes this
module, bot/turn.py and bot/teams_bot.py."""
from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from typing import Awaitable, Callable

from aiohttp import web
from botbuilder.core import BotAdapter, InvokeResponse, Middleware, TurnContext, serializer_helper
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ActivityEventNames, ActivityTypes, ResourceResponse
from msrest.exceptions import DeserializationError

from bot.connector import BotConnector, ConnectorError
from bot.messages import conversation_hash, reference_to_dict
from bot.settings import Settings

log = logging.getLogger("vsbot.adapter")

REPLY_TRIES = 3
REPLY_MAX_WAIT = 1.5  # a reply waits at most this long between tries; longer Retry-After → the outbox
REPLY_TIMEOUT = 5.0
ReplyFallback = Callable[..., Awaitable[None]]


class TenantNotAllowedError(PermissionError):
    """The activity comes from a tenant outside VSB_ALLOWED_TENANTS."""


class ProductionGuardError(RuntimeError):
    """Refuse to start in production without an app id (that would switch authentication off)."""


@dataclass(frozen=True)
class _AuthConfig:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


def tenant_of(activity: Activity) -> str | None:
    conversation = activity.conversation
    if conversation is not None and getattr(conversation, "tenant_id", None):
        return conversation.tenant_id
    if isinstance(activity.channel_data, dict):
        tenant = activity.channel_data.get("tenant") or {}
        return tenant.get("id") if isinstance(tenant, dict) else None
    return None


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
                 sleep=asyncio.sleep):
        if settings.is_production and not settings.auth_enabled:
            raise ProductionGuardError(
                "VSB_ENVIRONMENT is production but MicrosoftAppId is empty: refusing to start with authentication off"
            )
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
        self._auth = ConfigurationBotFrameworkAuthentication(
            _AuthConfig(settings.app_id, settings.app_password, settings.app_type, settings.app_tenant_id)
        )
        self.use(TurnLogMiddleware())
        self.use(ConversationSerialMiddleware())
        self.on_turn_error = self._on_turn_error

    # --- inbound --------------------------------------------------------------------------------------
    async def handle_request(self, request: web.Request, bot) -> web.Response:
        """POST /api/messages: clear HTTP errors instead of stack traces."""
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected application/json"}, status=415)
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.json_response({"error": "body is not valid JSON"}, status=400)
        if not isinstance(body, dict) or not body.get("type"):
            return web.json_response({"error": "not an activity"}, status=400)
        try:
            activity = Activity().deserialize(body)
        except (DeserializationError, TypeError, ValueError, AttributeError):
            return web.json_response({"error": "not a well-formed activity"}, status=400)
        try:
            invoke_response = await self.process_activity(request.headers.get("Authorization", ""), activity,
                                                          bot.on_turn)
        except TenantNotAllowedError:
            return web.json_response({"error": "tenant not allowed"}, status=403)
        except PermissionError:
            return web.json_response({"error": "unauthorized"}, status=401)
        if invoke_response:
            body = invoke_response.body
            if body is not None and not isinstance(body, (dict, list, str, int, float, bool)):
                body = serializer_helper(body)
            return web.json_response(data=body, status=invoke_response.status)
        return web.Response(status=201)

    async def process_activity(self, auth_header: str, activity: Activity, logic) -> InvokeResponse | None:
        try:
            result = await self._auth.authenticate_request(activity, auth_header)
        except PermissionError:
            raise
        except Exception as exc:  # a malformed or unverifiable token is a refusal, not a server error
            log.warning("auth rejected: %s", type(exc).__name__)
            raise PermissionError("token could not be validated") from exc
        allowed = self.settings.allowed_tenants
        if allowed and (tenant_of(activity) or "").lower() not in allowed:
            log.warning("refused activity from a tenant outside the allow-list conv=%s",
                        conversation_hash(activity.conversation.id if activity.conversation else None))
            raise TenantNotAllowedError("tenant not allowed")
        activity.caller_id = result.caller_id
        context = TurnContext(self, activity)
        context.turn_state[self.BOT_IDENTITY_KEY] = result.claims_identity
        context.turn_state[self.BOT_CALLBACK_HANDLER_KEY] = logic
        await self.run_pipeline(context, logic)
        if activity.type == ActivityTypes.invoke:
            response = context.turn_state.get(self._INVOKE_RESPONSE_KEY)
            return response.value if response else InvokeResponse(status=HTTPStatus.NOT_IMPLEMENTED)
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
        body = activity.serialize()
        conversation_id = activity.conversation.id if activity.conversation else ""
        error: ConnectorError | None = None
        for attempt in range(REPLY_TRIES):
            try:
                sent = await self.connector.send(activity.service_url, conversation_id, body,
                                                 reply_to_id=activity.reply_to_id, timeout=REPLY_TIMEOUT)
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
                                                   activity.serialize(), timeout=REPLY_TIMEOUT)
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
        log.error("turn failed type=%s conv=%s error=%s", context.activity.type,
                  conversation_hash(context.activity.conversation.id if context.activity.conversation else None),
                  type(error).__name__, exc_info=error)
        if context.activity.type in (ActivityTypes.message, ActivityTypes.invoke):
            await context.send_activity(
                "Sorry, something went wrong on my side and I could not finish that. Nothing you entered "
                "has been lost — please try again in a moment."
            )
