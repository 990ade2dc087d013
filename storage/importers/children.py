"""Imports of children, their attendance and their PEP reviews."""
from __future__ import annotations

from sqlalchemy import select

from storage import directory
from storage.importers.common import parse_date, parse_int, person_id
from storage.models import AttendanceRecord, Child, PepReview, School
from storage.vocabulary import LegalStatus

LEGAL_STATUSES = frozenset(LegalStatus)


async def children(session, line, row, report, problems) -> None:
    before = len(problems)
    for column in ("local_id", "first_name", "last_name"):
        if not row.get(column):
            problems.append(f"line {line}: {column} is required")
    dob = parse_date(row.get("date_of_birth", ""), line, "date_of_birth", problems)
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
    child.social_worker_aad_id = await person_id(session, row.get("social_worker", ""))
    child.designated_teacher_aad_id = await person_id(session, row.get("designated_teacher", ""))
    report.created += created
    report.updated += not created
    await session.flush()


async def child_id_of(session, line, local_id, problems) -> int | None:
    child = (await session.execute(select(Child.id).where(Child.local_id == local_id))).scalar_one_or_none()
    if child is None:
        problems.append(f"line {line}: no child with local_id {local_id!r} (import children first)")
    return child


async def attendance(session, line, row, report, problems) -> None:
    before = len(problems)
    child_id = await child_id_of(session, line, row.get("local_id", ""), problems)
    start = parse_date(row.get("period_start", ""), line, "period_start", problems)
    end = parse_date(row.get("period_end", ""), line, "period_end", problems)
    possible = parse_int(row.get("possible_sessions", ""), line, "possible_sessions", problems)
    attended = parse_int(row.get("attended_sessions", ""), line, "attended_sessions", problems)
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


async def peps(session, line, row, report, problems) -> None:
    before = len(problems)
    child_id = await child_id_of(session, line, row.get("local_id", ""), problems)
    due = parse_date(row.get("due_date", ""), line, "due_date", problems)
    done = parse_date(row["completed_date"], line, "completed_date", problems) if row.get("completed_date") else None
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
