"""All configuration in one pydantic-settings class, read from the environment and `.env`.

Names follow the brief: botbuilder's own (`MicrosoftAppId`, ...) and ours (`DATABASE_URL`, `VSB_*`).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("var") / "vsbot.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    app_id: str = Field(default="", validation_alias=AliasChoices("MicrosoftAppId", "MICROSOFT_APP_ID"))
    app_password: str = Field(
        default="", validation_alias=AliasChoices("MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD"), repr=False
    )
    app_type: str = Field(default="MultiTenant", validation_alias=AliasChoices("MicrosoftAppType", "MICROSOFT_APP_TYPE"))
    app_tenant_id: str = Field(
        default="", validation_alias=AliasChoices("MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID")
    )
    database_url: str = Field(default="", validation_alias="DATABASE_URL")
    allowed_tenants_raw: str = Field(default="", validation_alias="VSB_ALLOWED_TENANTS")
    timezone: str = Field(default="Europe/London", validation_alias="VSB_TIMEZONE")
    # "production" makes a missing app id a start-up error instead of a warning.
    environment: str = Field(default="development", validation_alias="VSB_ENVIRONMENT")
    host: str = Field(default="127.0.0.1", validation_alias="VSB_HOST")
    port: int = Field(default=3978, validation_alias="VSB_PORT")
    # Host name Teams reaches the bot on; goes into the manifest's validDomains.
    public_host: str = Field(default="localhost", validation_alias="VSB_PUBLIC_HOST")
    referral_retention_days: int = Field(default=730, validation_alias="VSB_REFERRAL_RETENTION_DAYS", ge=1)
    # Abandoned conversations can hold a half-filled referral form: their state is dropped after this.
    state_retention_days: int = Field(default=30, validation_alias="VSB_STATE_RETENTION_DAYS", ge=1)
    faq_retention_days: int = Field(default=365, validation_alias="VSB_FAQ_RETENTION_DAYS", ge=1)
    log_level: str = Field(default="INFO", validation_alias="VSB_LOG_LEVEL")

    # --- surgeries (issue 9) ---
    # The bot's public base URL, for links in cards (the calendar invite). Default: https://VSB_PUBLIC_HOST, or
    # http://VSB_HOST:VSB_PORT when the public host is localhost (local development).
    public_url_raw: str = Field(default="", validation_alias="VSB_PUBLIC_URL")
    # How long a place freed from a full surgery is held for the first person on the waiting list.
    surgery_offer_hours: int = Field(default=24, validation_alias="VSB_SURGERY_OFFER_HOURS", ge=1, le=168)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"VSB_TIMEZONE {value!r} is not a known time zone") from exc
        return value

    @field_validator("public_url_raw")
    @classmethod
    def _public_url(cls, value: str) -> str:
        from urllib.parse import urlsplit

        value = value.strip().rstrip("/")
        if value and (urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).hostname):
            raise ValueError(f"VSB_PUBLIC_URL {value!r} must be an http(s) URL such as https://bot.example.org")
        return value

    @property
    def public_url(self) -> str:
        if self.public_url_raw:
            return self.public_url_raw
        if self.public_host.strip().lower() not in ("", "localhost", "127.0.0.1"):
            return f"https://{self.public_host.strip()}"
        return f"http://{self.host}:{self.port}"

    @property
    def allowed_tenants(self) -> frozenset[str]:
        return frozenset(t.strip().lower() for t in self.allowed_tenants_raw.split(",") if t.strip())

    @property
    def auth_enabled(self) -> bool:
        return bool(self.app_id.strip())

    @property
    def is_production(self) -> bool:
        return self.environment.strip().lower() in {"production", "prod"}

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH.resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
