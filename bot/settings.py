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
    # Safe by default: only an explicit "development" lets the bot start without an app id (authentication
    # off, loopback only); anything else ("production", unset) refuses to.
    environment: str = Field(default="production", validation_alias="VSB_ENVIRONMENT")
    host: str = Field(default="127.0.0.1", validation_alias="VSB_HOST")
    port: int = Field(default=3978, validation_alias="VSB_PORT")
    # Host name Teams reaches the bot on; goes into the manifest's validDomains.
    public_host: str = Field(default="localhost", validation_alias="VSB_PUBLIC_HOST")
    referral_retention_days: int = Field(default=730, validation_alias="VSB_REFERRAL_RETENTION_DAYS", ge=1)
    # Abandoned conversations can hold a half-filled referral form: their state is dropped after this.
    state_retention_days: int = Field(default=30, validation_alias="VSB_STATE_RETENTION_DAYS", ge=1)
    faq_retention_days: int = Field(default=365, validation_alias="VSB_FAQ_RETENTION_DAYS", ge=1)
    # Proactive messages keep their content only until they are delivered (or will not be): then this long.
    delivery_retention_days: int = Field(default=30, validation_alias="VSB_DELIVERY_RETENTION_DAYS", ge=1)
    log_level: str = Field(default="INFO", validation_alias="VSB_LOG_LEVEL")

    # --- inbound authentication (bot/auth.py) ---
    # Where the Bot Framework publishes its token signing keys (a sovereign cloud has its own).
    auth_metadata_url: str = Field(default="https://login.botframework.com/v1/.well-known/openidconfiguration",
                                   validation_alias="VSB_AUTH_METADATA_URL")
    # Longest a request waits for the signing keys (then 401); the keys are cached and refreshed in the background.
    auth_key_timeout: float = Field(default=5.0, validation_alias="VSB_AUTH_KEY_TIMEOUT", gt=0, le=30)
    # How long a role looked up in the staff directory is remembered (a staff import applies within this).
    directory_cache_seconds: float = Field(default=30.0, validation_alias="VSB_DIRECTORY_CACHE_SECONDS", ge=0)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"VSB_TIMEZONE {value!r} is not a known time zone") from exc
        return value

    @property
    def allowed_tenants(self) -> frozenset[str]:
        return frozenset(t.strip().lower() for t in self.allowed_tenants_raw.split(",") if t.strip())

    @property
    def auth_enabled(self) -> bool:
        return bool(self.app_id.strip())

    @property
    def is_development(self) -> bool:
        return self.environment.strip().lower() in {"development", "dev"}

    @property
    def is_production(self) -> bool:
        return not self.is_development

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH.resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
