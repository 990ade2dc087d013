"""What a surgery is allowed to be, and when a repeating one falls: pure functions, no Teams, no database.

The publish card and `vsbot surgeries add` both go through `validate`, so a surgery is checked the same way
however it is made. Times are typed in the service's time zone (Europe/London) and stored in UTC."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Callable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from storage.vocabulary import (
    ALL_PROFESSIONALS,
    SURGERY_AUDIENCE_LABELS,
    SURGERY_LIMITS,
    SURGERY_REPEATS,
    SURGERY_SUBJECTS,
    Role,
    SurgeryKind,
)

MAX = SURGERY_LIMITS
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?$")
MAX_LENGTH = timedelta(hours=10)
MAX_AHEAD_DAYS = 400


@dataclass(frozen=True)
class SurgeryPlan:
    """A validated surgery (or the first date of a repeating one)."""

    title: str
    subject: str
    audience: tuple[Role, ...]
    kind: SurgeryKind
    day: date
    start: time
    end: time
    slot_minutes: int | None
    places: int  # group: its places; slots: one a slot (worked out from the times)
    join_url: str | None
    venue: str | None
    cutoff_minutes: int
    repeat_weeks: int = 0
    until: date | None = None
    term_time_only: bool = False

    def starts_at(self, tz: str, day: date | None = None) -> datetime:
        return datetime.combine(day or self.day, self.start, tzinfo=ZoneInfo(tz))

    def ends_at(self, tz: str, day: date | None = None) -> datetime:
        return datetime.combine(day or self.day, self.end, tzinfo=ZoneInfo(tz))

    @property
    def slot_count(self) -> int:
        minutes = (datetime.combine(self.day, self.end) - datetime.combine(self.day, self.start)).seconds // 60
        return minutes // self.slot_minutes if self.slot_minutes else 1


def _text(values: dict, key: str) -> str:
    value = values.get(key)
    return " ".join(str(value).split()) if value is not None else ""


def _int(values: dict, key: str) -> int | None:
    raw = _text(values, key)
    try:
        return int(float(raw)) if raw and float(raw).is_integer() else None
    except ValueError:
        return None


def parse_time(raw: str) -> time | None:
    match = _TIME.match(raw.strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


def parse_audience(raw: str) -> tuple[list[Role], list[str]]:
    """`dsl,send` or `all` (every professional). Returns (roles, unknown names)."""
    names = [part.strip().lower() for part in raw.split(",") if part.strip()]
    if names in (["all"], ["all_professionals"]):
        return sorted(ALL_PROFESSIONALS), []
    roles, unknown = [], []
    for name in names:
        try:
            role = Role(name)
        except ValueError:
            unknown.append(name)
            continue
        if role not in SURGERY_AUDIENCE_LABELS:
            unknown.append(name)
        elif role not in roles:
            roles.append(role)
    return roles, unknown


def valid_join_url(raw: str) -> bool:
    parts = urlsplit(raw)
    return parts.scheme == "https" and bool(parts.hostname) and "." in (parts.hostname or "") and " " not in raw


def validate(values: dict, *, now: datetime, tz: str, editing: bool = False) -> tuple[SurgeryPlan | None, dict[str, str]]:
    """The publish form (or the CLI's options) → a plan, or the problems by input id. Never raises."""
    errors: dict[str, str] = {}
    title = _text(values, "title")
    if len(title) < 3:
        errors["title"] = "Give the surgery a title (at least 3 characters)."
    elif len(title) > MAX["title"]:
        errors["title"] = f"Keep the title under {MAX['title']} characters."

    subject = _text(values, "subject") or "general"
    if subject not in SURGERY_SUBJECTS:
        errors["subject"] = "Choose what the surgery is about from the list."

    audience, unknown = parse_audience(_text(values, "audience"))
    if unknown:
        errors["audience"] = f"Choose who may book from the list ({', '.join(unknown[:3])} is not one)."
    elif not audience:
        errors["audience"] = "Choose at least one group of professionals who may book."

    try:
        day = date.fromisoformat(_text(values, "date"))
    except ValueError:
        day = None
        errors["date"] = "Enter the date (YYYY-MM-DD)."
    start, end = parse_time(_text(values, "start_time")), parse_time(_text(values, "end_time"))
    if start is None:
        errors["start_time"] = "Enter the start time (HH:MM, 24-hour)."
    if end is None:
        errors["end_time"] = "Enter the end time (HH:MM, 24-hour)."
    if day is not None and start is not None and end is not None:
        starts = datetime.combine(day, start, tzinfo=ZoneInfo(tz))
        length = datetime.combine(day, end) - datetime.combine(day, start)
        if length <= timedelta(0):
            errors["end_time"] = "The end time must be after the start time."
        elif length > MAX_LENGTH:
            errors["end_time"] = "A surgery can last up to 10 hours."
        if starts <= now:
            errors["date"] = "That date and time have already passed."
        elif day > now.date() + timedelta(days=MAX_AHEAD_DAYS):
            errors["date"] = "Publish surgeries up to about a year ahead."

    kind_raw = _text(values, "kind")
    kind = SurgeryKind(kind_raw) if kind_raw in tuple(SurgeryKind) else None
    slot_minutes, places = None, 1
    if kind is None:
        errors["kind"] = "Choose bookable slots or a group session."
    elif kind is SurgeryKind.SLOTS:
        slot_minutes = _int(values, "slot_minutes")
        if slot_minutes is None or not 5 <= slot_minutes <= MAX["slot_minutes"]:
            errors["slot_minutes"] = f"Enter the length of a slot in minutes (5 to {MAX['slot_minutes']})."
            slot_minutes = None
        elif start is not None and end is not None and "end_time" not in errors:
            minutes = (datetime.combine(date.min, end) - datetime.combine(date.min, start)).seconds // 60
            if minutes < slot_minutes:
                errors["slot_minutes"] = "A slot can't be longer than the surgery."
    else:
        places = _int(values, "places") or 0
        if not 1 <= places <= MAX["places"]:
            errors["places"] = f"Enter the number of places (1 to {MAX['places']})."

    join_url, venue = _text(values, "join_url"), _text(values, "venue")
    if join_url and (len(join_url) > MAX["join_url"] or not valid_join_url(join_url)):
        errors["join_url"] = "The meeting link must be a full https:// link (copy it from the Teams meeting)."
    if len(venue) > MAX["venue"]:
        errors["venue"] = f"Keep the venue under {MAX['venue']} characters."
    if not join_url and not venue:
        errors["join_url"] = "Give a Teams meeting link or a venue (or both)."

    cutoff_raw = _text(values, "cutoff_hours")
    cutoff_hours = _int(values, "cutoff_hours") if cutoff_raw else 2
    if cutoff_hours is None or not 0 <= cutoff_hours <= MAX["cutoff_hours"]:
        errors["cutoff_hours"] = f"Enter how many hours before the start booking closes (0 to {MAX['cutoff_hours']})."
        cutoff_hours = 0

    repeat_weeks, until, term_time_only = 0, None, False
    if not editing:
        repeat = _text(values, "repeat") or "none"
        if repeat not in SURGERY_REPEATS:
            errors["repeat"] = "Choose how often it repeats from the list."
        else:
            repeat_weeks = SURGERY_REPEATS[repeat][1]
        term_time_only = _text(values, "term_time_only").lower() in ("true", "yes", "1")
        if repeat_weeks:
            try:
                until = date.fromisoformat(_text(values, "repeat_until"))
            except ValueError:
                errors["repeat_until"] = "Enter the last date it repeats until (YYYY-MM-DD)."
            if until is not None and day is not None:
                if until <= day:
                    errors["repeat_until"] = "The last date must be after the first."
                elif until > day + timedelta(days=366):
                    errors["repeat_until"] = "A repeating surgery can run for up to a year; publish it again after."

    if errors or day is None or start is None or end is None or kind is None:
        return None, errors
    plan = SurgeryPlan(title=title, subject=subject, audience=tuple(audience), kind=kind, day=day, start=start,
                       end=end, slot_minutes=slot_minutes, places=places, join_url=join_url or None,
                       venue=venue or None, cutoff_minutes=cutoff_hours * 60, repeat_weeks=repeat_weeks, until=until,
                       term_time_only=term_time_only)
    if kind is SurgeryKind.SLOTS:
        plan = SurgeryPlan(**{**plan.__dict__, "places": plan.slot_count})
    return plan, {}


def occurrence_dates(plan: SurgeryPlan, *, is_working_day: Callable[[date], bool],
                     in_term: Callable[[date], bool] | None = None) -> list[date]:
    """The dates of a surgery: its own date, or every `repeat_weeks` weeks from it until `until`, skipping bank
    holidays (and school holidays when term-time only). At most SURGERY_LIMITS['occurrences'] dates."""
    if not plan.repeat_weeks or plan.until is None:
        return [plan.day]
    dates, day = [], plan.day
    while day <= plan.until and len(dates) < MAX["occurrences"]:
        if is_working_day(day) and (not plan.term_time_only or in_term is None or in_term(day)):
            dates.append(day)
        day += timedelta(weeks=plan.repeat_weeks)
    return dates


def audience_text(roles) -> str:
    """How an audience reads on a card: "All professionals" or the groups' labels."""
    chosen = {Role(r) for r in roles}
    if chosen >= ALL_PROFESSIONALS:
        return "All professionals"
    return ", ".join(label for role, label in SURGERY_AUDIENCE_LABELS.items() if role in chosen)
