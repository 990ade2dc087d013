"""Bot Framework token validation, our own.

botbuilder 4.17 fetches the signing keys with synchronous `requests`, without a timeout, on the event loop,
and does not remember a failed fetch: with the key endpoint hanging, one request with a self-made token froze
every other request (/healthz included) for 8–9 s. Here the OpenID metadata and its keys are fetched with
aiohttp under a timeout, cached, refreshed in the background (and prefetched at start), and a failed fetch
is remembered briefly, so an unreachable key endpoint costs an unverifiable request at most the timeout (then
401) and never blocks anything else.

What a channel's token must be (Bot Framework's rules, as botbuilder's ChannelValidation applies them):
`Authorization: Bearer <JWT>`, RS256, signed by a key published at the metadata's `jwks_uri`, issuer
https://api.botframework.com, audience our app id, within its lifetime (5 minutes' clock skew), and bound to
the activity: its `serviceurl` claim equals the activity's serviceUrl and the activity's channel is among
the signing key's endorsements. Tokens from the Bot Framework Emulator are accepted in development mode only.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass, field

import aiohttp
import jwt
from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import CallerIdConstants
from botframework.connector.auth import ClaimsIdentity
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger("vsbot.auth")

CHANNEL_ISSUER = "https://api.botframework.com"
CHANNEL_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
EMULATOR_METADATA_URL = "https://login.microsoftonline.com/botframework.com/v2.0/.well-known/openid-configuration"
EMULATOR_ISSUERS = frozenset({  # botbuilder's EmulatorValidation list (public cloud)
    "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/",
    "https://login.microsoftonline.com/d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0",
    "https://sts.windows.net/f8cdef31-a31e-4b4a-93e4-5f571e91255a/",
    "https://login.microsoftonline.com/f8cdef31-a31e-4b4a-93e4-5f571e91255a/v2.0",
})
ALGORITHMS = ["RS256"]
CLOCK_SKEW_S = 300
MAX_TOKEN_CHARS = 16_384
VERIFIED = "BotFrameworkToken"  # ClaimsIdentity.authentication_type of a token checked here


class Unauthorized(PermissionError):
    """The request's token is missing, invalid, or cannot be checked. `reason` is ours, never the token's."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SigningKey:
    key: object  # an RSA public key
    endorsements: frozenset[str]


@dataclass
class KeySet:
    """The signing keys published behind one OpenID metadata document.

    `get` never waits longer than `timeout` and never waits at all when a fetch failed in the last
    `failure_ttl` seconds. Known keys are served from memory; when they are older than `refresh_every` a
    background refresh is started and the cached keys keep answering meanwhile. An unknown key id triggers a
    fetch at most every `unknown_key_every` seconds (self-made tokens with random key ids cannot make us hammer
    the endpoint)."""

    metadata_url: str
    timeout: float = 5.0
    refresh_every: float = 12 * 3600
    failure_ttl: float = 30.0
    unknown_key_every: float = 300.0
    clock: object = time.monotonic
    _keys: dict[str, SigningKey] = field(default_factory=dict)
    _fetched_at: float | None = None
    _failed_at: float | None = None
    _fetch: asyncio.Task | None = None
    _loop_task: asyncio.Task | None = None
    _http: aiohttp.ClientSession | None = None

    # --- lifecycle: prefetch at start, refresh in the background, close at shutdown ----------------------
    def start(self) -> None:
        if self._loop_task is None:
            self._loop_task = asyncio.get_running_loop().create_task(self._refresh_forever(), name="vsb-signing-keys")

    async def close(self) -> None:
        for task in (self._loop_task, self._fetch):
            if task is not None and not task.done():
                task.cancel()
                try:
                    await task
                except (asyncio.CancelledError, Exception):  # noqa: BLE001 - shutting down
                    pass
        self._loop_task = self._fetch = None
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def _refresh_forever(self) -> None:
        while True:
            await asyncio.shield(self._refresh())
            await asyncio.sleep(self.refresh_every if self._failed_at is None else self.failure_ttl)

    # --- reading ------------------------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        return bool(self._keys)

    async def get(self, key_id: str) -> SigningKey:
        now = self.clock()
        key = self._keys.get(key_id)
        if key is not None:
            if self._fetched_at is not None and now - self._fetched_at > self.refresh_every:
                self._refresh()  # stale: refresh in the background, answer from the cache meanwhile
            return key
        if self._failed_at is not None and now - self._failed_at < self.failure_ttl:
            raise Unauthorized("signing keys unavailable (recent fetch failed)")
        recently = self._fetched_at is not None and now - self._fetched_at < self.unknown_key_every
        if recently and (self._fetch is None or self._fetch.done()):
            raise Unauthorized("unknown signing key")
        try:
            await asyncio.wait_for(asyncio.shield(self._refresh()), self.timeout)
        except asyncio.TimeoutError as exc:
            raise Unauthorized("signing keys unavailable (timed out)") from exc
        key = self._keys.get(key_id)
        if key is None:
            raise Unauthorized("unknown signing key" if self._failed_at is None else "signing keys unavailable")
        return key

    # --- fetching -----------------------------------------------------------------------------------------
    def _refresh(self) -> asyncio.Task:
        """One fetch at a time, shared by everyone who needs it."""
        if self._fetch is None or self._fetch.done():
            self._fetch = asyncio.get_running_loop().create_task(self._fetch_keys(), name="vsb-signing-keys-fetch")
        return self._fetch

    async def _fetch_keys(self) -> None:
        try:
            keys = await asyncio.wait_for(self._download(), self.timeout)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure is remembered briefly and reported by type only
            self._failed_at = self.clock()
            log.warning("signing keys not fetched from %s (%s); unverifiable requests get 401 meanwhile",
                        self.metadata_url, type(exc).__name__)
            return
        self._keys, self._fetched_at, self._failed_at = keys, self.clock(), None
        log.info("signing keys fetched: %s key(s) from %s", len(keys), self.metadata_url)

    async def _download(self) -> dict[str, SigningKey]:
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        async with self._http.get(self.metadata_url) as resp:
            resp.raise_for_status()
            metadata = await resp.json(content_type=None)
        jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
            raise ValueError("metadata has no jwks_uri")
        async with self._http.get(jwks_uri) as resp:
            resp.raise_for_status()
            document = await resp.json(content_type=None)
        keys: dict[str, SigningKey] = {}
        for entry in (document.get("keys") if isinstance(document, dict) else None) or []:
            if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
                continue
            try:
                public_key = RSAAlgorithm.from_jwk(json.dumps(entry))
            except (ValueError, TypeError, KeyError, jwt.PyJWTError):
                continue  # a key we cannot use (another type, malformed) is skipped, not fatal
            endorsements = entry.get("endorsements") or []
            keys[entry["kid"]] = SigningKey(public_key, frozenset(e for e in endorsements if isinstance(e, str)))
        if not keys:
            raise ValueError("no usable signing keys")
        return keys


@dataclass(frozen=True)
class Verified:
    """A token that passed: its claims, and what it is bound to."""

    claims: dict
    endorsements: frozenset[str]
    emulator: bool = False

    @property
    def identity(self) -> ClaimsIdentity:
        return ClaimsIdentity(self.claims, True, VERIFIED)

    @property
    def caller_id(self) -> str:
        return CallerIdConstants.public_azure_channel


class BotFrameworkAuth:
    def __init__(self, *, app_id: str, channel_keys: KeySet, emulator_keys: KeySet | None = None):
        self.app_id = app_id
        self.channel_keys = channel_keys
        self.emulator_keys = emulator_keys  # development mode only

    def start(self) -> None:
        """Prefetch the channel's keys in the background (the service starts at once either way)."""
        self.channel_keys.start()

    async def close(self) -> None:
        await self.channel_keys.close()
        if self.emulator_keys is not None:
            await self.emulator_keys.close()

    async def verify(self, header: str) -> Verified:
        """The token alone (signature, issuer, audience, lifetime): checked before the request body is read."""
        scheme, _, token = (header or "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("no bearer token")
        if len(token) > MAX_TOKEN_CHARS:
            raise Unauthorized("token too long")
        try:
            header_fields = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise Unauthorized("malformed token") from exc
        if header_fields.get("alg") not in ALGORITHMS:
            raise Unauthorized("signing algorithm not allowed")
        key_id = header_fields.get("kid")
        if not isinstance(key_id, str) or not key_id:
            raise Unauthorized("token names no signing key")
        issuer = unverified.get("iss")
        emulator = issuer in EMULATOR_ISSUERS
        if issuer != CHANNEL_ISSUER and not (emulator and self.emulator_keys is not None):
            raise Unauthorized("issuer not accepted")
        keys = self.emulator_keys if emulator else self.channel_keys
        key = await keys.get(key_id)
        try:
            claims = jwt.decode(
                token, key.key, algorithms=ALGORITHMS, issuer=issuer, leeway=CLOCK_SKEW_S,
                audience=None if emulator else self.app_id,
                options={"require": ["exp", "iss"], "verify_aud": not emulator},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"token rejected ({type(exc).__name__})") from exc
        if emulator:
            version = claims.get("ver")
            app_id = claims.get("appid") if version in (None, "1.0") else claims.get("azp") if version == "2.0" else None
            if app_id != self.app_id:
                raise Unauthorized("emulator token for another app")
        return Verified(claims=claims, endorsements=key.endorsements, emulator=emulator)

    @staticmethod
    def bind(verified: Verified, *, service_url: object, channel_id: object) -> None:
        """The token must be for this activity: its serviceurl claim and its key's endorsed channels."""
        if verified.emulator:
            return  # the Emulator's tokens carry neither (development mode only)
        if not isinstance(service_url, str) or verified.claims.get("serviceurl") != service_url:
            raise Unauthorized("serviceUrl does not match the token")
        if verified.endorsements and channel_id not in verified.endorsements:
            raise Unauthorized("channel not endorsed by the signing key")


def sender_verified(context: TurnContext) -> bool:
    """True when this turn's request carried a token we verified (not an anonymous development request)."""
    identity = context.turn_state.get(BotAdapter.BOT_IDENTITY_KEY)
    return bool(identity is not None and identity.is_authenticated and identity.authentication_type == VERIFIED)


def build_auth(settings) -> BotFrameworkAuth | None:
    """None when authentication is off (no app id: development mode only, see VsbAdapter)."""
    if not settings.auth_enabled:
        return None
    timeout = settings.auth_key_timeout
    emulator = KeySet(EMULATOR_METADATA_URL, timeout=timeout) if settings.is_development else None
    return BotFrameworkAuth(app_id=settings.app_id.strip(),
                            channel_keys=KeySet(settings.auth_metadata_url, timeout=timeout),
                            emulator_keys=emulator)
