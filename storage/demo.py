"""`vsbot demo seed`: fictional personas, localities, a school, children, PEP dates, attendance and
surgeries. Idempotent: running it again updates in place and creates nothing twice."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import directory, surgeries
from storage.importers import import_csv
from storage.models import StaffMemberBase, Surgery
from storage.vocabulary import ALL_PROFESSIONALS, SurgeryKind

PREFIX = "00000000-0000-0000-0000-000000000"


def persona(suffix: str) -> str:
    return PREFIX + suffix


SAM, DANA, WEST, NORTH, SOUTH, EAST, MINA, ADMIN = (persona(s) for s in ("0a1", "0b1", "0c1", "0c2", "0c3", "0c4", "0d1", "0e1"))
DEMO_SCHOOL = "Meadow Lane Primary School (demo)"

STAFF = [
    (SAM, "sam.reed@example.org", "Sam Reed", "social_worker", None),
    (DANA, "dana.cole@example.org", "Dana Cole", "dsl", None),
    (WEST, "olu.adeyemi@example.org", "Olu Adeyemi", "officer", "West"),
    (NORTH, "chris.lane@example.org", "Chris Lane", "officer", "North"),
    (SOUTH, "jo.park@example.org", "Jo Park", "officer", "South and Central"),
    (EAST, "ravi.mehta@example.org", "Ravi Mehta", "officer", "East"),
    (MINA, "mina.shah@example.org", "Mina Shah", "manager", None),
    (ADMIN, "vs.admin@example.org", "Virtual School Admin", "admin", None),
]
LOCALITIES = {
    "West": (WEST, [f"HA{n}" for n in range(0, 4)]),
    "North": (NORTH, [f"HA{n}" for n in range(4, 7)]),
    "South and Central": (SOUTH, [f"HA{n}" for n in range(7, 10)]),
    "East": (EAST, [f"N{n}" for n in range(1, 23)]),
}
GROUP_SURGERY_TITLE = "Attendance network (group)"
SLOT_SURGERY_TITLE = "Inclusion advice surgery (20-minute slots)"
DEMO_JOIN_URL = "https://teams.example.org/l/meetup-join/demo"


@dataclass
class SeedReport:
    staff: int
    localities: int
    children: int
    surgeries_created: int


def first_weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _children_csv(today: date) -> str:
    def dob(years: int, days: int = 0) -> str:
        return (today - timedelta(days=365 * years + years // 4 + days)).isoformat()

    rows = [
        ("DEMO-001", "Ava", "Example", dob(9, 40), "cin", DEMO_SCHOOL, SAM, DANA, "HA1 2AB"),
        ("DEMO-002", "Ben", "Sample", dob(12, 100), "cp", DEMO_SCHOOL, SAM, DANA, "HA5 3CD"),
        ("DEMO-003", "Cara", "Testcase", dob(7, 10), "cic", DEMO_SCHOOL, SAM, DANA, "HA8 1EF"),
        ("DEMO-004", "Dev", "Placeholder", dob(14, 200), "kinship", DEMO_SCHOOL, SAM, DANA, "N8 7GH"),
    ]
    header = "local_id,first_name,last_name,date_of_birth,legal_status,school_name,social_worker,designated_teacher,home_postcode"
    return "\n".join([header] + [",".join(r) for r in rows]) + "\n"


def _peps_csv(today: date) -> str:
    rows = [
        ("DEMO-001", today + timedelta(days=14), None),  # due in 14 days -> first nudge
        ("DEMO-002", today + timedelta(days=3), None),  # due in 3 days -> reminder
        ("DEMO-003", today - timedelta(days=5), None),  # overdue -> manager
        ("DEMO-004", today - timedelta(days=90), today - timedelta(days=92)),  # done
    ]
    lines = ["local_id,due_date,completed_date"]
    lines += [f"{c},{d.isoformat()},{done.isoformat() if done else ''}" for c, d, done in rows]
    return "\n".join(lines) + "\n"


def _attendance_csv(today: date) -> str:
    """Four weeks a row, most recent last. DEMO-002 drops from 96% to 80% (persistent absence)."""
    lines = ["local_id,period_start,period_end,possible_sessions,attended_sessions"]
    monday = today - timedelta(days=today.weekday())
    series = {"DEMO-001": [40, 39, 38, 39], "DEMO-002": [40, 38, 38, 32], "DEMO-004": [40, 30, 24, 18]}
    for local_id, attended in series.items():
        for i, value in enumerate(attended):
            start = monday - timedelta(weeks=4 * (len(attended) - i))
            end = start + timedelta(weeks=4) - timedelta(days=3)
            lines.append(f"{local_id},{start.isoformat()},{end.isoformat()},40,{value}")
    return "\n".join(lines) + "\n"


async def _ensure_surgery(session: AsyncSession, *, today: date, title: str, kind: SurgeryKind, subject: str,
                          day: date, start: time, minutes: int, slot_minutes: int | None, places: int, tz: ZoneInfo,
                          join_url: str | None, venue: str | None) -> bool:
    # "Upcoming" is judged against the seed's own day, not the wall clock, so a seed is reproducible.
    since = datetime.combine(today, time(0, 0), tzinfo=tz)
    existing = (
        await session.execute(select(Surgery).where(Surgery.title == title, Surgery.starts_at >= since))
    ).scalars().first()
    if existing is not None:
        return False
    starts = datetime.combine(day, start, tzinfo=tz)
    cutoff = 120
    surgery = Surgery(title=title, subject=subject, kind=kind, audience=",".join(sorted(ALL_PROFESSIONALS)),
                      starts_at=starts, ends_at=starts + timedelta(minutes=minutes), slot_minutes=slot_minutes,
                      join_url=join_url, venue=venue, cutoff_minutes=cutoff,
                      booking_closes_at=starts - timedelta(minutes=cutoff), host_aad_id=MINA)
    await surgeries.create_surgery(session=session, surgery=surgery, places=places)
    return True


async def seed(*, session: AsyncSession, today: date, timezone: str) -> SeedReport:
    for aad_id, email, name, role, locality in STAFF:
        await directory.upsert_staff(session=session, staff_in=StaffMemberBase(
            aad_object_id=aad_id, email=email, name=name, role=role, locality=locality))
    await session.flush()
    for name, (officer, prefixes) in LOCALITIES.items():
        locality = await directory.upsert_locality(session=session, name=name, officer_aad_id=officer, manager_aad_id=MINA)
        for prefix in prefixes:
            await directory.set_postcode_route(session=session, prefix=prefix, locality=locality)
    await session.flush()
    children = await import_csv(session=session, kind="children", content=_children_csv(today), today=today)
    await import_csv(session=session, kind="peps", content=_peps_csv(today), today=today)
    await import_csv(session=session, kind="attendance", content=_attendance_csv(today), today=today)

    tz = ZoneInfo(timezone)
    group_day = first_weekday_on_or_after(today + timedelta(days=14))
    slot_day = first_weekday_on_or_after(today + timedelta(days=7))
    created = 0
    # Open to all professionals; hosted by the demo manager, who gets the attendee list on the day.
    created += await _ensure_surgery(session, today=today, title=GROUP_SURGERY_TITLE, kind=SurgeryKind.GROUP,
                                     subject="attendance", day=group_day, start=time(15, 30), minutes=60,
                                     slot_minutes=None, places=5, tz=tz, join_url=DEMO_JOIN_URL, venue=None)
    created += await _ensure_surgery(session, today=today, title=SLOT_SURGERY_TITLE, kind=SurgeryKind.SLOTS,
                                     subject="exclusions", day=slot_day, start=time(10, 0), minutes=120,
                                     slot_minutes=20, places=1, tz=tz, join_url=DEMO_JOIN_URL,
                                     venue="Civic Centre (demo), Room 2")
    return SeedReport(staff=len(STAFF), localities=len(LOCALITIES), children=children.rows, surgeries_created=created)
