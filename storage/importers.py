"""CSV imports (UTF-8, header row, dates YYYY-MM-DD). Each row is validated; a file with any bad row
changes nothing and every problem is reported with its line number. Extra columns are ignored with a warning."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import directory
from storage.models import LEGAL_STATUSES, ROLES, AttendanceRecord, Child, PepReview, School, StaffMember, StaffMemberBase

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


def _date(value: str, line: int, column: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"line {line}: {column} {value!r} is not a date (YYYY-MM-DD)")
        return None


def _int(value: str, line: int, column: str, problems: list[str]) -> int | None:
    try:
        number = int(value)
    except ValueError:
        problems.append(f"line {line}: {column} {value!r} is not a whole number")
        return None
    if number < 0:
        problems.append(f"line {line}: {column} must not be negative")
        return None
    return number


async def _person_id(session: AsyncSession, ref: str) -> str | None:
    """People are given by AAD object id or e-mail; returns the AAD object id."""
    if not ref:
        return None
    condition = StaffMember.email == ref.lower() if "@" in ref else StaffMember.aad_object_id == ref
    member = (await session.execute(select(StaffMember).where(condition))).scalar_one_or_none()
    if member:
        return member.aad_object_id
    return None if "@" in ref else ref


async def import_csv(*, session: AsyncSession, kind: str, content: str) -> ImportReport:
    """Validate and apply. Raises ImportError_ listing every problem; the caller commits or rolls back."""
    rows, warnings = read_rows(kind, content)
    report = ImportReport(kind=kind, rows=len(rows), warnings=warnings)
    problems: list[str] = []
    handler = {"staff": _staff, "localities": _localities, "children": _children,
               "attendance": _attendance, "peps": _peps}[kind]
    for line, row in rows:
        await handler(session, line, row, report, problems)
    if problems:
        raise ImportError_(problems)
    await session.flush()
    return report


async def import_file(*, session: AsyncSession, kind: str, path: Path) -> ImportReport:
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ImportError_([f"no such file: {path}"]) from exc
    except UnicodeDecodeError as exc:
        raise ImportError_([f"{path} is not UTF-8 text"]) from exc
    return await import_csv(session=session, kind=kind, content=content)


async def _staff(session, line, row, report, problems) -> None:
    if not row.get("aad_object_id") or not row.get("name"):
        problems.append(f"line {line}: aad_object_id and name are required")
        return
    role = row.get("role", "").lower()
    if role not in ROLES:
        problems.append(f"line {line}: role {row.get('role')!r} is not one of {', '.join(sorted(ROLES))}")
        return
    staff_in = StaffMemberBase(aad_object_id=row["aad_object_id"], email=(row.get("email") or "").lower() or None,
                               name=row["name"], role=role, locality=row.get("locality") or None)
    _, created = await directory.upsert_staff(session=session, staff_in=staff_in)
    report.created += created
    report.updated += not created
    await session.flush()


async def _localities(session, line, row, report, problems) -> None:
    prefix = " ".join(row.get("postcode_prefix", "").upper().split())
    if not re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]?( [0-9])?", prefix):
        problems.append(f"line {line}: postcode_prefix {row.get('postcode_prefix')!r} is not a district (HA1) or sector (HA1 2)")
        return
    if not row.get("locality"):
        problems.append(f"line {line}: locality is required")
        return
    officer = await _person_id(session, row.get("officer", ""))
    if row.get("officer") and officer is None:
        problems.append(f"line {line}: officer {row['officer']!r} is not in the staff directory")
        return
    locality = await directory.upsert_locality(session=session, name=row["locality"], officer_aad_id=officer)
    await directory.set_postcode_route(session=session, prefix=prefix, locality=locality)
    report.created += 1


async def _children(session, line, row, report, problems) -> None:
    before = len(problems)
    for column in ("local_id", "first_name", "last_name"):
        if not row.get(column):
            problems.append(f"line {line}: {column} is required")
    dob = _date(row.get("date_of_birth", ""), line, "date_of_birth", problems)
    status = row.get("legal_status", "").lower()
    if status not in LEGAL_STATUSES:
        problems.append(f"line {line}: legal_status {row.get('legal_status')!r} is not one of {', '.join(sorted(LEGAL_STATUSES))}")
    postcode = None
    if row.get("home_postcode"):
        postcode = directory.normalise_postcode(row["home_postcode"])
        if postcode is None:
            problems.append(f"line {line}: home_postcode {row['home_postcode']!r} is not a UK postcode")
    if len(problems) > before:
        return
    school_id = None
    if row.get("school_name"):
        school = (await session.execute(select(School).where(School.name == row["school_name"]))).scalar_one_or_none()
        if school is None:
            school = School(name=row["school_name"])
            session.add(school)
            await session.flush()
        school_id = school.id
    child = (await session.execute(select(Child).where(Child.local_id == row["local_id"]))).scalar_one_or_none()
    created = child is None
    if created:
        child = Child(local_id=row["local_id"], first_name="", last_name="", date_of_birth=dob, legal_status=status)
        session.add(child)
    child.first_name, child.last_name, child.date_of_birth = row["first_name"], row["last_name"], dob
    child.legal_status, child.school_id, child.home_postcode = status, school_id, postcode
    child.social_worker_aad_id = await _person_id(session, row.get("social_worker", ""))
    child.designated_teacher_aad_id = await _person_id(session, row.get("designated_teacher", ""))
    report.created += created
    report.updated += not created
    await session.flush()


async def _child_id(session, line, local_id, problems) -> int | None:
    child = (await session.execute(select(Child.id).where(Child.local_id == local_id))).scalar_one_or_none()
    if child is None:
        problems.append(f"line {line}: no child with local_id {local_id!r} (import children first)")
    return child


async def _attendance(session, line, row, report, problems) -> None:
    before = len(problems)
    child_id = await _child_id(session, line, row.get("local_id", ""), problems)
    start = _date(row.get("period_start", ""), line, "period_start", problems)
    end = _date(row.get("period_end", ""), line, "period_end", problems)
    possible = _int(row.get("possible_sessions", ""), line, "possible_sessions", problems)
    attended = _int(row.get("attended_sessions", ""), line, "attended_sessions", problems)
    if len(problems) > before:
        return
    if end < start:
        problems.append(f"line {line}: period_end is before period_start")
        return
    if attended > possible:
        problems.append(f"line {line}: attended_sessions is more than possible_sessions")
        return
    record = (await session.execute(select(AttendanceRecord).where(
        AttendanceRecord.child_id == child_id, AttendanceRecord.period_start == start,
        AttendanceRecord.period_end == end))).scalar_one_or_none()
    if record is None:
        session.add(AttendanceRecord(child_id=child_id, period_start=start, period_end=end,
                                     possible_sessions=possible, attended_sessions=attended))
        report.created += 1
    else:
        record.possible_sessions, record.attended_sessions = possible, attended
        report.updated += 1
    await session.flush()


async def _peps(session, line, row, report, problems) -> None:
    before = len(problems)
    child_id = await _child_id(session, line, row.get("local_id", ""), problems)
    due = _date(row.get("due_date", ""), line, "due_date", problems)
    done = _date(row["completed_date"], line, "completed_date", problems) if row.get("completed_date") else None
    if len(problems) > before:
        return
    pep = (await session.execute(select(PepReview).where(PepReview.child_id == child_id, PepReview.due_date == due))).scalar_one_or_none()
    if pep is None:
        session.add(PepReview(child_id=child_id, due_date=due, completed_date=done))
        report.created += 1
    else:
        pep.completed_date = done
        report.updated += 1
    await session.flush()
