"""Reaching people who never opened a chat with the bot: install the app for them through Microsoft Graph
(Microsoft's recommended way to message users proactively), then post to the personal chat that creates.

  POST {graph}/users/{id}/teamwork/installedApps   {"teamsApp@odata.bind": ".../appCatalogs/teamsApps/{app}"}
       (201 installed; 409 already installed — both fine)
  GET  {graph}/users/{id}/teamwork/installedApps?$expand=teamsApp&$filter=teamsApp/id eq '{app}'  → installation
  GET  {graph}/users/{id}/teamwork/installedApps/{installation}/chat                              → the chat id

The app needs the application permission TeamsAppInstallation.ReadWriteForUser.All with admin consent. Tokens
come from the client-credentials grant (one POST), cached until shortly before they expire."""
from __future__ import annotations

import asyncio
import logging
import time
from urllib.parse import quote

import aiohttp

log = logging.getLogger("vsbot.graph")
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
RETRYABLE = frozenset({429, 500, 502, 503, 504})


class GraphError(Exception):
    def __init__(self, status: int | None, *, retry_after: float | None = None, reason: str = ""):
        super().__init__(f"graph {'HTTP ' + str(status) if status else reason or 'unreachable'}")
        self.status, self.retry_after = status, retry_after
        self.reason = f"Graph: {reason or (f'HTTP {status}' if status else 'unreachable')}"

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status in RETRYABLE


class GraphInstaller:
    def __init__(self, *, tenant_id: str, client_id: str, client_secret: str, teams_app_id: str, bot_app_id: str,
                 graph_url: str, login_url: str, service_url: str, timeout: float = 15.0):
        self.tenant_id, self.teams_app_id, self.bot_app_id = tenant_id, teams_app_id, bot_app_id
        self._client_id, self._secret = client_id, client_secret
        self.graph_url, self.login_url, self.service_url = graph_url.rstrip("/"), login_url.rstrip("/"), service_url
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings) -> "GraphInstaller | None":
        if not settings.graph_enabled:
            return None
        return cls(tenant_id=settings.graph_tenant_id, client_id=settings.graph_client_id or settings.app_id,
                   client_secret=settings.graph_client_secret or settings.app_password,
                   teams_app_id=settings.teams_app_id, bot_app_id=settings.app_id or settings.graph_client_id,
                   graph_url=settings.graph_url, login_url=settings.graph_login_url,
                   service_url=settings.teams_service_url)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def _bearer(self) -> str:
        if self._token and time.monotonic() < self._expires_at:
            return self._token
        async with self._lock:
            if self._token and time.monotonic() < self._expires_at:
                return self._token
            url = f"{self.login_url}/{quote(self.tenant_id, safe='')}/oauth2/v2.0/token"
            form = {"client_id": self._client_id, "client_secret": self._secret, "scope": GRAPH_SCOPE,
                    "grant_type": "client_credentials"}
            body = await self._call("POST", url, data=form, auth=False)
            if not isinstance(body, dict) or "access_token" not in body:
                raise GraphError(None, reason="no token")
            self._token = body["access_token"]
            self._expires_at = time.monotonic() + max(60.0, float(body.get("expires_in", 3600)) - 300.0)
            return self._token

    async def _call(self, method: str, url: str, *, json=None, data=None, auth: bool = True, ok=(200, 201)):
        headers = {"Authorization": f"Bearer {await self._bearer()}"} if auth else {}
        try:
            async with self._http().request(method, url, json=json, data=data, headers=headers) as resp:
                if resp.status == 401 and auth:
                    self._token = None
                if resp.status not in ok:
                    retry = resp.headers.get("Retry-After")
                    raise GraphError(resp.status, retry_after=float(retry) if retry and retry.isdigit() else None)
                return await resp.json(content_type=None) if resp.content_length != 0 else None
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise GraphError(None, reason=type(exc).__name__) from exc

    async def reference_for(self, user_aad_id: str) -> dict | None:
        """Install the app for the user (if it is not installed yet) and return a conversation reference for their
        personal chat with the bot; None when Graph does not know the user (404)."""
        user = f"{self.graph_url}/users/{quote(user_aad_id, safe='')}/teamwork/installedApps"
        bind = {"teamsApp@odata.bind": f"{self.graph_url}/appCatalogs/teamsApps/{self.teams_app_id}"}
        try:
            await self._call("POST", user, json=bind, ok=(200, 201, 409))
            found = await self._call("GET", f"{user}?$expand=teamsApp&$filter=teamsApp/id eq '{self.teams_app_id}'")
            installations = (found or {}).get("value") or []
            if not installations:
                raise GraphError(None, reason="the app was installed but is not listed yet")
            chat = await self._call("GET", f"{user}/{quote(installations[0]['id'], safe='')}/chat")
        except GraphError as exc:
            if exc.status == 404:
                return None
            raise
        log.info("installed the app for a user through Graph (a personal chat was created)")
        return {"bot": {"id": f"28:{self.bot_app_id}"}, "channelId": "msteams", "serviceUrl": self.service_url,
                "conversation": {"id": chat["id"], "conversationType": "personal", "tenantId": self.tenant_id},
                "user": {"id": "", "aadObjectId": user_aad_id}}
