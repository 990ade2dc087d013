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
    # Questions are recorded for staff in batches this many seconds apart, off the turn's path (0: one by one).
    faq_log_delay_seconds: float = Field(default=0.5, validation_alias="VSB_FAQ_LOG_DELAY_SECONDS", ge=0, le=10)
    # Proactive messages keep their content only until they are delivered (or will not be): then this long.
    delivery_retention_days: int = Field(default=30, validation_alias="VSB_DELIVERY_RETENTION_DAYS", ge=1)
    log_level: str = Field(default="INFO", validation_alias="VSB_LOG_LEVEL")

    # --- surgeries (issue 9) ---
    # The bot's public base URL, for links in cards (the calendar invite). Default: https://VSB_PUBLIC_HOST, or
    # http://VSB_HOST:VSB_PORT when the public host is localhost (local development).
    public_url_raw: str = Field(default="", validation_alias="VSB_PUBLIC_URL")
    # How long a place freed from a full surgery is held for the first person on the waiting list.
    surgery_offer_hours: int = Field(default=24, validation_alias="VSB_SURGERY_OFFER_HOURS", ge=1, le=168)
    # --- alerts: PEP nudges, attendance alerts, the manager digest (issue 10) ---
    pep_nudge_days: int = Field(default=14, validation_alias="VSB_PEP_NUDGE_DAYS", ge=1, le=120)
    pep_reminder_days: int = Field(default=3, validation_alias="VSB_PEP_REMINDER_DAYS", ge=0, le=60)
    attendance_persistent_percent: float = Field(default=90.0, validation_alias="VSB_ATTENDANCE_PERSISTENT", gt=0, le=100)
    attendance_severe_percent: float = Field(default=50.0, validation_alias="VSB_ATTENDANCE_SEVERE", gt=0, le=100)
    attendance_drop_points: float = Field(default=10.0, validation_alias="VSB_ATTENDANCE_DROP_POINTS", gt=0, le=100)
    # A window with fewer possible sessions than this says too little to alert on (one school week = 10).
    attendance_min_sessions: int = Field(default=10, validation_alias="VSB_ATTENDANCE_MIN_SESSIONS", ge=1)
    alert_snooze_days: int = Field(default=7, validation_alias="VSB_ALERT_SNOOZE_DAYS", ge=1, le=60)
    digest_top_items: int = Field(default=8, validation_alias="VSB_DIGEST_TOP_ITEMS", ge=1, le=25)
    # School terms and holidays, as `YYYY-MM-DD..YYYY-MM-DD` ranges separated by commas (a council's own dates).
    # Empty terms: terms begin 1 September, 1 January and Easter Monday, and no school holidays are skipped.
    term_dates_raw: str = Field(default="", validation_alias="VSB_TERM_DATES")
    school_holidays_raw: str = Field(default="", validation_alias="VSB_SCHOOL_HOLIDAYS")
    # Operators may move a job: JSON of APScheduler cron fields by job name, e.g. {"manager-digest": {"hour": 9}}.
    job_schedule_raw: str = Field(default="", validation_alias="VSB_JOB_SCHEDULE")
    # Drills and tests only (refused in production): the service's clock starts at this ISO-8601 moment.
    clock_start_raw: str = Field(default="", validation_alias="VSB_CLOCK_START")
    # Microsoft Graph, to install the app for people who never opened a chat with the bot (proactive install).
    # Needs the application permission TeamsAppInstallation.ReadWriteForUser.All; client id and secret default
    # to the bot's own app registration.
    graph_tenant_id: str = Field(default="", validation_alias="VSB_GRAPH_TENANT_ID")
    graph_client_id: str = Field(default="", validation_alias="VSB_GRAPH_CLIENT_ID")
    graph_client_secret: str = Field(default="", validation_alias="VSB_GRAPH_CLIENT_SECRET", repr=False)
    teams_app_id: str = Field(default="", validation_alias="VSB_TEAMS_APP_ID")  # the app's id in the org catalog
    graph_url: str = Field(default="https://graph.microsoft.com/v1.0", validation_alias="VSB_GRAPH_URL")
    graph_login_url: str = Field(default="https://login.microsoftonline.com", validation_alias="VSB_GRAPH_LOGIN_URL")
    # Where the bot posts to a chat it learned from Graph (Teams' global Bot Connector endpoint by default).
    teams_service_url: str = Field(default="https://smba.trafficmanager.net/teams/",
                                   validation_alias="VSB_TEAMS_SERVICE_URL")
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
    @field_validator("term_dates_raw", "school_holidays_raw")
    @classmethod
    def _date_ranges(cls, value: str) -> str:
        from storage.working_days import parse_ranges  # pylint: disable=import-outside-toplevel

        parse_ranges(value)  # raises ValueError with the bad part named
        return value

    @field_validator("job_schedule_raw")
    @classmethod
    def _job_schedule(cls, value: str) -> str:
        import json  # pylint: disable=import-outside-toplevel

        if value.strip():
            try:
                parsed = json.loads(value)
            except ValueError as exc:
                raise ValueError("VSB_JOB_SCHEDULE is not JSON") from exc
            if not isinstance(parsed, dict) or not all(isinstance(v, dict) for v in parsed.values()):
                raise ValueError('VSB_JOB_SCHEDULE must map job names to cron fields, e.g. {"purge": {"hour": 3}}')
        return value

    @property
    def job_schedule(self) -> dict[str, dict]:
        import json  # pylint: disable=import-outside-toplevel

        return json.loads(self.job_schedule_raw) if self.job_schedule_raw.strip() else {}

    @property
    def school_calendar(self):
        from storage.working_days import SchoolCalendar  # pylint: disable=import-outside-toplevel

        return SchoolCalendar.from_config(self.term_dates_raw, self.school_holidays_raw)

    @property
    def graph_enabled(self) -> bool:
        return bool(self.graph_tenant_id and self.teams_app_id and (self.graph_client_id or self.app_id)
                    and (self.graph_client_secret or self.app_password))

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
