"""What dialogs, services and jobs need from the outside world, passed in at construction (no globals).

Nothing here sends a message: a service writes the messages it causes into the outbox in its own
transaction, and the Teams edge (bot/) delivers them after the user has had their answer."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Callable, Protocol
from zoneinfo import ZoneInfo

from storage.clock import utcnow

if TYPE_CHECKING:  # the session factory comes from storage.db; dialogs never build queries themselves
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class Config(Protocol):
    """The settings dialogs read (bot.settings.Settings provides them)."""

    timezone: str
    referral_retention_days: int
    state_retention_days: int
    faq_retention_days: int
    public_url: str  # the bot's base URL, for links in cards (calendar invites)
    surgery_offer_hours: int
    # alerts (issue 10)
    pep_nudge_days: int
    pep_reminder_days: int
    attendance_persistent_percent: float
    attendance_severe_percent: float
    attendance_drop_points: float
    attendance_min_sessions: int
    alert_snooze_days: int
    digest_top_items: int
    school_calendar: Any  # storage.working_days.SchoolCalendar


@dataclass
class Services:
    settings: Config
    sessions: "async_sessionmaker[AsyncSession]"
    knowledge: Any = None  # dialogs.faq.service.KnowledgeHolder (None: the FAQ says it cannot answer)
    query_log: Any = None  # storage.faq_log.QueryLog (None: one that writes each row at once is made on first use)
    clock: Callable[[], datetime] = utcnow  # tests pass a controllable clock
    # Sessions that only read (None: `sessions`). On SQLite they run beside the one writer instead of queueing for
    # it: a role lookup on the writer's queue waited behind every state write (measured, issue 8). Nothing written
    # in one of these is committed.
    read_sessions: "async_sessionmaker[AsyncSession] | None" = None

    def reads(self) -> AsyncSession:
        return (self.read_sessions or self.sessions)()

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.now().astimezone(ZoneInfo(self.settings.timezone)).date()
