"""Working days in England: weekends and England's bank holidays (the `holidays` package) are not."""
from __future__ import annotations

from dataclasses import dataclass
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


# --- school terms (issue 10): alerts run on school days; attendance "term so far" starts at the term's start ---
def parse_ranges(raw: str) -> list[tuple[date, date]]:
    """`2026-09-03..2026-12-18, 2027-01-05..2027-03-26` → date ranges (a single date is a one-day range)."""
    ranges = []
    for part in (p.strip() for p in (raw or "").split(",")):
        if not part:
            continue
        first, _, last = part.partition("..")
        try:
            start, end = date.fromisoformat(first.strip()), date.fromisoformat((last or first).strip())
        except ValueError as exc:
            raise ValueError(f"{part!r} is not a date range (YYYY-MM-DD..YYYY-MM-DD)") from exc
        if end < start:
            raise ValueError(f"{part!r} ends before it starts")
        ranges.append((start, end))
    return sorted(ranges)


@dataclass(frozen=True)
class SchoolCalendar:
    """Term dates and school holidays from configuration. Without term dates, terms start on 1 September,
    1 January and Easter Monday (England), and every working day counts as a school day."""

    terms: tuple[tuple[date, date], ...] = ()
    holidays: tuple[tuple[date, date], ...] = ()

    @classmethod
    def from_config(cls, terms: str, holidays_: str) -> "SchoolCalendar":
        return cls(tuple(parse_ranges(terms)), tuple(parse_ranges(holidays_)))

    def in_term(self, day: date) -> bool:
        if self.terms and not any(start <= day <= end for start, end in self.terms):
            return False
        return not any(start <= day <= end for start, end in self.holidays)

    def is_school_day(self, day: date) -> bool:
        return is_working_day(day) and self.in_term(day)

    def term_start(self, day: date) -> date:
        """The first day of the term `day` is in (or of the last term before it, in a holiday)."""
        if self.terms:
            started = [start for start, _ in self.terms if start <= day]
            if started:
                return started[-1]
        easter_monday = next(d for d, name in _england((day.year - 1, day.year, day.year + 1)).items()
                             if d.year == day.year and name == "Easter Monday")
        starts = [date(day.year - 1, 9, 1), date(day.year, 1, 1), easter_monday, date(day.year, 9, 1)]
        return max(s for s in starts if s <= day)
