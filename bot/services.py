"""What dialogs and jobs need from the outside world, passed explicitly (no globals)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.settings import Settings


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    knowledge: Any = None  # dialogs.knowledge store, once loaded
    extras: dict[str, Any] = field(default_factory=dict)
