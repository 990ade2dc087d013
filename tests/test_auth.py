"""With an app id configured, nothing unauthenticated reaches a dialog; production refuses to run without one."""
from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.adapter import ProductionGuardError, VsbAdapter
from bot.connector import BotConnector
from tests.conftest import make_settings, running_bot
from tests.utils.teams import message

APP_ID = "5f0c7a52-9a3e-4d1c-9c55-2b7a3f1d0e01"


def forged_token() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {"iss": "https://api.botframework.com", "aud": APP_ID, "iat": now, "nbf": now, "exp": now + 600,
              "serviceurl": "http://127.0.0.1"}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "forged-key"})


@pytest.fixture
async def secured_bot(seeded, database_url, connector):
    async with running_bot(database_url, connector, MicrosoftAppId=APP_ID, MicrosoftAppPassword="not-a-real-secret") as bot:
        yield bot


async def test_unsigned_request_is_401_and_nothing_is_sent(secured_bot):
    resp = await secured_bot.post(message("help", service_url=secured_bot.connector.url))
    assert resp.status == 401
    assert secured_bot.connector.sent == []


async def test_badly_signed_request_is_401(secured_bot):
    for header in (f"Bearer {forged_token()}", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz"):
        resp = await secured_bot.post(message("help", service_url=secured_bot.connector.url),
                                      headers={"Authorization": header})
        assert resp.status == 401, header
    assert secured_bot.connector.sent == []


def test_production_without_app_id_refuses_to_start(tmp_path):
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", VSB_ENVIRONMENT="production")
    with pytest.raises(ProductionGuardError):
        VsbAdapter(settings, BotConnector(None))


def test_development_without_app_id_warns_loudly(tmp_path, caplog):
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    with caplog.at_level("WARNING", logger="vsbot.adapter"):
        VsbAdapter(settings, BotConnector(None))
    assert "NOT authenticated" in caplog.text
