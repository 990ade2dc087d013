"""Working days in England: weekends and England's bank holidays (the `holidays` package) are not."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays


@lru_cache(maxsize=8)
def _england(years: tuple[int, ...]):
    return holidays.country_holidays("GB", subdiv="ENG", years=years)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _england((day.year - 1, day.year, day.year + 1))


def add_working_days(start: datetime, days: int, tz: str) -> datetime:
    """The same local time `days` working days after `start` (a weekend start counts from the next working day)."""
    local = start.astimezone(ZoneInfo(tz))
    day = local.date()
    added = 0
    while added < days:
        day += timedelta(days=1)
        if is_working_day(day):
            added += 1
    return datetime.combine(day, local.timetz())
