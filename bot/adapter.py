"""Our adapter layer: the only module that knows how botbuilder authenticates, adapts HTTP and sends.

Everything the SDK does not do for us lives here: refusing unauthenticated or foreign-tenant activities
before they reach a dialog, the production guard, per-turn logging without personal data, and a friendly
error turn. When we move to the Microsoft 365 Agents SDK this module (and bot/messages.py) is what changes.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from dataclasses import dataclass

from aiohttp import web
from botbuilder.core import Middleware, TurnContext, serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ActivityEventNames, ActivityTypes

from bot.settings import Settings

log = logging.getLogger("vsbot.adapter")


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


def conversation_hash(conversation_id: str | None) -> str:
    """Conversation ids can identify a person's chat; logs carry a short hash instead."""
    return hashlib.sha256((conversation_id or "").encode()).hexdigest()[:12]


def tenant_of(activity: Activity) -> str | None:
    if activity.conversation is not None and getattr(activity.conversation, "tenant_id", None):
        return activity.conversation.tenant_id
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
            log.info(
                "turn type=%s name=%s conv=%s outcome=%s latency_ms=%.1f",
                activity.type,
                activity.name or "-",
                conversation_hash(activity.conversation.id if activity.conversation else None),
                outcome,
                (time.perf_counter() - started) * 1000,
            )


class ConversationSerialMiddleware(Middleware):
    """Turns of one conversation run one at a time in this process. Teams retries a card submit it thinks
    timed out, and people double-click: the second turn then sees the first one's saved state instead of
    racing it (across instances, the e_tag check in our Storage catches what this cannot)."""

    def __init__(self):
        self._locks: dict[str, list] = {}  # conversation id -> [lock, users]

    async def on_turn(self, context: TurnContext, logic):
        activity = context.activity
        if activity.type == ActivityTypes.event and activity.name == ActivityEventNames.continue_conversation:
            # A proactive send or card update (continue_conversation) is not a user's turn and touches no
            # conversation state; it is often made from inside a turn of the very same conversation (an
            # officer acting on their own card), where waiting for the lock would wait for ourselves.
            await logic()
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


class VsbAdapter(CloudAdapter):
    def __init__(self, settings: Settings):
        if settings.is_production and not settings.auth_enabled:
            raise ProductionGuardError(
                "VSB_ENVIRONMENT is production but MicrosoftAppId is empty: refusing to start with authentication off"
            )
        if not settings.auth_enabled:
            log.warning(
                "!!! MicrosoftAppId is empty: LOCAL DEVELOPMENT MODE, requests are NOT authenticated. "
                "Never expose this instance to a network. !!!"
            )
        self.settings = settings
        auth = ConfigurationBotFrameworkAuthentication(
            _AuthConfig(settings.app_id, settings.app_password, settings.app_type, settings.app_tenant_id)
        )
        super().__init__(auth)
        self.use(TurnLogMiddleware())
        self.use(ConversationSerialMiddleware())
        self.on_turn_error = self._on_turn_error

    async def process_activity(self, auth_header_or_authenticate_request_result, activity, logic):
        if isinstance(auth_header_or_authenticate_request_result, str):
            try:
                result = await self.bot_framework_authentication.authenticate_request(
                    activity, auth_header_or_authenticate_request_result
                )
            except PermissionError:
                raise
            except Exception as exc:  # a malformed or unverifiable token is a refusal, not a server error
                log.warning("auth rejected: %s", type(exc).__name__)
                raise PermissionError("token could not be validated") from exc
        else:
            result = auth_header_or_authenticate_request_result
        allowed = self.settings.allowed_tenants
        if allowed and (tenant_of(activity) or "").lower() not in allowed:
            log.warning("refused activity from a tenant outside the allow-list conv=%s",
                        conversation_hash(activity.conversation.id if activity.conversation else None))
            raise TenantNotAllowedError("tenant not allowed")
        return await super().process_activity(result, activity, logic)

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
        activity = Activity().deserialize(body)
        try:
            invoke_response = await self.process_activity(request.headers.get("Authorization", ""), activity, bot.on_turn)
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

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        log.exception(
            "turn failed type=%s conv=%s error=%s",
            context.activity.type,
            conversation_hash(context.activity.conversation.id if context.activity.conversation else None),
            type(error).__name__,
            exc_info=error,
        )
        if context.activity.type in (ActivityTypes.message, ActivityTypes.invoke):
            try:
                await context.send_activity(
                    "Sorry, something went wrong on my side and I could not finish that. Nothing you entered "
                    "has been lost — please try again in a moment."
                )
            except Exception:  # the connector itself may be what failed
                log.warning("could not tell the user about the error conv=%s",
                            conversation_hash(context.activity.conversation.id if context.activity.conversation else None))
