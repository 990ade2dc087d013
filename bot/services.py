"""What dialogs and jobs need from the outside world, passed explicitly (no globals)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.settings import Settings
from storage.clock import utcnow


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    knowledge: Any = None  # dialogs.faq.knowledge store, once loaded
    notifier: Any = None  # bot.proactive.Notifier, once the adapter exists
    clock: Callable[[], datetime] = utcnow  # tests pass a controllable clock

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.now().astimezone(ZoneInfo(self.settings.timezone)).date()
