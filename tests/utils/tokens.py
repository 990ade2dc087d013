"""A stand-in for the Bot Framework's token signing: an OpenID metadata document and its keys served over HTTP
(as login.botframework.com does), tokens signed with those keys, and a mode where the endpoint hangs."""
from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

APP_ID = "5f0c7a52-9a3e-4d1c-9c55-2b7a3f1d0e01"
ISSUER = "https://api.botframework.com"
KEY_ID = "test-signing-key"
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # one per test session: generating is slow


@dataclass
class KeyServer:
    """GET /openid (metadata) and /keys (JWKS). `hang` makes both stall until the test ends; `requests` counts
    what was fetched."""

    url: str = ""
    hang: bool = False
    fail: bool = False
    endorsements: list[str] = field(default_factory=lambda: ["msteams", "webchat"])
    requests: list[str] = field(default_factory=list)
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/openid", self._metadata)
        app.router.add_get("/keys", self._keys)
        app.on_shutdown.append(self._shutdown)
        return app

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/openid"

    async def _stall(self) -> None:
        if self.hang:
            await self._release.wait()
        if self.fail:
            raise web.HTTPServiceUnavailable()

    async def _metadata(self, request: web.Request) -> web.Response:
        self.requests.append("metadata")
        await self._stall()
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.url}/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"]})

    async def _keys(self, request: web.Request) -> web.Response:
        self.requests.append("keys")
        await self._stall()
        jwk = json.loads(RSAAlgorithm.to_jwk(_KEY.public_key()))
        jwk.update({"kid": KEY_ID, "use": "sig", "endorsements": self.endorsements})
        return web.json_response({"keys": [jwk]})

    async def _shutdown(self, _app) -> None:
        self._release.set()


def channel_token(*, service_url: str, audience: str = APP_ID, issuer: str = ISSUER, key_id: str = KEY_ID,
                  lifetime: int = 600, key=None, **claims) -> str:
    """A token as the Bot Framework channel signs it for our bot (or, with `key`, one signed by someone else)."""
    now = int(time.time())
    body = {"iss": issuer, "aud": audience, "iat": now, "nbf": now, "exp": now + lifetime, "serviceurl": service_url,
            **claims}
    return jwt.encode(body, key or _KEY, algorithm="RS256", headers={"kid": key_id})


def bearer(service_url: str, **kwargs) -> dict[str, str]:
    return {"Authorization": f"Bearer {channel_token(service_url=service_url, **kwargs)}"}


def other_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)
