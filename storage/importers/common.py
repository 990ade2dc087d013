"""What every CSV import shares: the columns of each kind, reading rows, the report, field parsers."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import StaffMember

COLUMNS: dict[str, list[str]] = {
    "staff": ["aad_object_id", "email", "name", "role", "locality"],
    "localities": ["postcode_prefix", "locality", "officer"],
    "children": ["local_id", "first_name", "last_name", "date_of_birth", "legal_status", "school_name",
                 "social_worker", "designated_teacher", "home_postcode"],
    "attendance": ["local_id", "period_start", "period_end", "possible_sessions", "attended_sessions"],
    "peps": ["local_id", "due_date", "completed_date"],
}
OPTIONAL: dict[str, set[str]] = {
    "staff": {"email", "locality"},
    "localities": {"officer"},
    "children": {"school_name", "social_worker", "designated_teacher", "home_postcode"},
    "attendance": set(),
    "peps": {"completed_date"},
}


class ImportError_(Exception):  # noqa: N801  (not the builtin ImportError)
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems[:5]) + (f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""))
        self.problems = problems


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    warnings: list[str] = field(default_factory=list)


def read_rows(kind: str, content: str) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    if kind not in COLUMNS:
        raise ImportError_([f"unknown import kind {kind!r} (expected one of {', '.join(COLUMNS)})"])
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise ImportError_(["the file is empty (a header row is required)"])
    reader.fieldnames = header
    missing = [c for c in COLUMNS[kind] if c not in header and c not in OPTIONAL[kind]]
    if missing:
        raise ImportError_([f"missing column(s): {', '.join(missing)}"])
    warnings = [f"column {c!r} is not used and was ignored" for c in header if c not in COLUMNS[kind]]
    rows = [(n, {k: (v or "").strip() for k, v in row.items() if k in COLUMNS[kind]})
            for n, row in enumerate(reader, start=2)]
    return rows, warnings


def parse_date(value: str, line: int, column: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"line {line}: {column} {value!r} is not a date (YYYY-MM-DD)")
        return None


def parse_int(value: str, line: int, column: str, problems: list[str]) -> int | None:
    try:
        number = int(value)
    except ValueError:
        problems.append(f"line {line}: {column} {value!r} is not a whole number")
        return None
    if number < 0:
        problems.append(f"line {line}: {column} must not be negative")
        return None
    return number


async def person_id(session: AsyncSession, ref: str) -> str | None:
    """People are given by AAD object id or e-mail; returns the AAD object id."""
    if not ref:
        return None
    condition = StaffMember.email == ref.lower() if "@" in ref else StaffMember.aad_object_id == ref
    member = (await session.execute(select(StaffMember).where(condition))).scalar_one_or_none()
    if member:
        return member.aad_object_id
    return None if "@" in ref else ref


