"""Time in one place. Datetimes are timezone-aware UTC everywhere (SQLModel's UTCDateTime insists)."""
from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
