"""A thin async client for the Bot Connector REST API, on one shared aiohttp session.

botbuilder builds a msrest ConnectorClient (and a TokenApiClient) for every turn and sends each reply with
synchronous `requests` in a thread pool, on a new connection; that was the slow part of a turn. The API we
use is four routes with a bearer token, so we call it directly: keep-alive connections, app tokens from
MSAL cached until shortly before they expire, and errors that say whether a retry can help."""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from urllib.parse import quote

import aiohttp
from yarl import URL

log = logging.getLogger("vsbot.connector")

BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
# Teams asks us to retry these (throttled, precondition failed, transient server errors); 401 once the token
# has been refreshed. Anything else (400, 403, 404) will not get better by trying again.
RETRYABLE = frozenset({401, 412, 429, 500, 502, 503, 504})


class ConnectorError(Exception):
    def __init__(self, status: int | None, *, retry_after: float | None = None, reason: str = ""):
        super().__init__(f"connector {'HTTP ' + str(status) if status else reason or 'unreachable'}")
        self.status = status
        self.retry_after = retry_after
        self.reason = reason or (f"HTTP {status}" if status else "unreachable")

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status in RETRYABLE


def _retry_after(headers) -> float | None:
    raw = headers.get("Retry-After")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        return None  # an HTTP date: rare from Teams; back-off applies instead


class AppTokens:
    """App-only tokens for the Bot Connector from MSAL, cached until five minutes before expiry. MSAL is
    synchronous (it may fetch a token over the network), so it runs in a worker thread, once at a time."""

    def __init__(self, *, app_id: str, password: str, tenant_id: str, app_type: str):
        self.app_id = app_id
        self._password = password
        kind = (app_type or "MultiTenant").lower()
        if kind == "userassignedmsi":
            raise ValueError("MicrosoftAppType UserAssignedMSI is not supported by this build; use a client secret")
        tenant = tenant_id if kind == "singletenant" and tenant_id else "botframework.com"
        self._authority = f"https://login.microsoftonline.com/{tenant}"
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self._app = None

    def invalidate(self) -> None:
        self._token, self._expires_at = None, 0.0

    async def token(self) -> str:
        if self._token and time.monotonic() < self._expires_at:
            return self._token
        async with self._lock:
            if self._token and time.monotonic() < self._expires_at:
                return self._token
            result = await asyncio.to_thread(self._acquire)
            if "access_token" not in result:
                raise ConnectorError(None, reason=f"token: {result.get('error', 'unknown error')}")
            self._token = result["access_token"]
            self._expires_at = time.monotonic() + max(60.0, float(result.get("expires_in", 3600)) - 300.0)
            return self._token

    def _acquire(self) -> dict:
        import msal  # pylint: disable=import-outside-toplevel  (only needed with authentication on)

        if self._app is None:
            self._app = msal.ConfidentialClientApplication(self.app_id, client_credential=self._password,
                                                           authority=self._authority)
        return self._app.acquire_token_for_client(scopes=[BOT_FRAMEWORK_SCOPE])


@dataclass(frozen=True)
class Sent:
    id: str | None


class BotConnector:
    """POST/PUT/DELETE activities to `{serviceUrl}/v3/conversations/...`. One instance per process."""

    def __init__(self, tokens: AppTokens | None, *, timeout: float = 10.0):
        self._tokens = tokens  # None: local development, requests carry no token (the Playground, tests)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=64, limit_per_host=32, keepalive_timeout=30),
                timeout=self._timeout, json_serialize=json_text)
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def send(self, service_url: str, conversation_id: str, activity: dict, *, reply_to_id: str | None = None,
                   timeout: float | None = None, encoded: str | None = None) -> Sent:
        """`encoded`: the activity already encoded as JSON (bot.messages.activity_body), sent as it is."""
        path = f"v3/conversations/{quote(conversation_id, safe='')}/activities"
        if reply_to_id:
            path += f"/{quote(reply_to_id, safe='')}"
        body = await self._call("POST", service_url, path, activity, timeout, encoded)
        return Sent(body.get("id") if isinstance(body, dict) else None)

    async def update(self, service_url: str, conversation_id: str, activity_id: str, activity: dict, *,
                     timeout: float | None = None) -> Sent:
        path = f"v3/conversations/{quote(conversation_id, safe='')}/activities/{quote(activity_id, safe='')}"
        body = await self._call("PUT", service_url, path, {**activity, "id": activity_id}, timeout)
        return Sent(body.get("id") if isinstance(body, dict) else activity_id)

    async def delete(self, service_url: str, conversation_id: str, activity_id: str) -> None:
        path = f"v3/conversations/{quote(conversation_id, safe='')}/activities/{quote(activity_id, safe='')}"
        await self._call("DELETE", service_url, path, None, None)

    async def _call(self, method: str, service_url: str, path: str, body: dict | None, timeout: float | None,
                    encoded: str | None = None):
        url = URL(service_url.rstrip("/") + "/" + path, encoded=True)
        headers = {}
        data = None
        if encoded is not None:
            body, data = None, encoded.encode()
            headers["Content-Type"] = "application/json"
        if self._tokens is not None:
            headers["Authorization"] = f"Bearer {await self._tokens.token()}"
        try:
            async with self._http().request(method, url, json=body, data=data, headers=headers,
                                            timeout=aiohttp.ClientTimeout(total=timeout) if timeout else None) as resp:
                if resp.status == 401 and self._tokens is not None:
                    self._tokens.invalidate()  # the next attempt fetches a fresh token
                if resp.status >= 300:
                    raise ConnectorError(resp.status, retry_after=_retry_after(resp.headers))
                if resp.content_type == "application/json":
                    return await resp.json()
                await resp.read()
                return None
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise ConnectorError(None, reason=type(exc).__name__) from exc


def json_text(value) -> str:
    """JSON as we send it: compact, UTF-8 rather than escapes."""
    import json  # pylint: disable=import-outside-toplevel

    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
