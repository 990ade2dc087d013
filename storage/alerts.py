"""Alerts repository: the rules' aggregations in SQL (PEP reviews coming due, attendance over three windows,
the digest's counts and top items), alert rows, and the attendance state that makes alerts fire on crossing.

The database does the work: attendance is summed per child over the windows in one grouped query (rows that
straddle a window's edge count by the share of their days inside it), and only the children whose level
changed come back to Python. A child's locality (and so their manager) is found from the home postcode by
the same longest-prefix rule as referrals (a sector route beats a district route)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Alert, AttendanceAlertState, Child, Delivery, PepReview
from storage.vocabulary import AlertKind, AlertStatus, AttendanceLevel, DeliveryStatus, ReferralStatus, Role

EPSILON = 1e-9  # figures exactly on a line count as on it (sessions prorated by days are not always whole)


def _pg(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"


def _insert(session: AsyncSession):
    return pg_insert if _pg(session) else sqlite_insert


# The locality manager of each child, by the postcode routes (sector "HA1 2" before district "HA1").
# Postcodes are stored normalised ("HA1 2AB"), so the sector and the district are fixed-length prefixes.
CHILD_MANAGER = """
    SELECT c.id AS child_id,
           CASE WHEN rs.id IS NOT NULL THEN ls.manager_aad_id ELSE ld.manager_aad_id END AS manager,
           CASE WHEN rs.id IS NOT NULL THEN ls.name ELSE ld.name END AS locality
    FROM child c
    LEFT JOIN postcode_route rs ON rs.prefix = substr(c.home_postcode, 1, length(c.home_postcode) - 2)
    LEFT JOIN locality ls ON ls.id = rs.locality_id
    LEFT JOIN postcode_route rd ON rd.prefix = substr(c.home_postcode, 1, length(c.home_postcode) - 4)
    LEFT JOIN locality ld ON ld.id = rd.locality_id
"""


async def prepare_for_aggregates(*, session: AsyncSession) -> None:
    """For this transaction only, on PostgreSQL: no JIT (compiling these wide aggregates took longer than running
    them — 15 s against 3 s over 4,000,000 rows) and room to aggregate 50,000 children in memory."""
    if _pg(session):
        await session.execute(text("SET LOCAL jit = off"))
        await session.execute(text("SET LOCAL work_mem = '64MB'"))


async def triage_manager(*, session: AsyncSession) -> str | None:
    """Children outside every locality belong to the triage manager (the first manager in the directory)."""
    return (await session.execute(text(
        "SELECT aad_object_id FROM staff_member WHERE role = :role AND active ORDER BY id LIMIT 1"),
        {"role": str(Role.MANAGER)})).scalar_one_or_none()


# --- attendance ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Windows:
    """Inclusive date ranges: the last four weeks, the four before them, and the term so far (to yesterday)."""

    four_weeks: tuple[date, date]
    previous: tuple[date, date]
    term: tuple[date, date]


@dataclass(frozen=True)
class Thresholds:
    persistent: float
    severe: float
    drop: float
    min_sessions: int


@dataclass(frozen=True)
class AttendanceChange:
    child_id: int
    local_id: str
    first_name: str
    last_name: str
    social_worker: str | None
    manager: str | None
    locality: str | None
    level: AttendanceLevel
    dropped: bool
    old_level: AttendanceLevel
    old_dropped: bool
    four_weeks: float | None  # percentages, None when the window has too few sessions to judge
    previous: float | None
    term: float | None
    four_weeks_sessions: float
    term_sessions: float


def _attendance_sql(pg: bool) -> str:
    def days(lo: str, hi: str) -> str:
        return f"({hi} - {lo})" if pg else f"(julianday({hi}) - julianday({lo}))"

    least, greatest = ("LEAST", "GREATEST") if pg else ("MIN", "MAX")

    def share(start: str, end: str) -> str:
        """The fraction of a row's days inside the window [start, end]."""
        inside = days(f"{greatest}(a.period_start, :{start})", f"{least}(a.period_end, :{end})")
        # Floating point, not PostgreSQL's exact numeric: the sums run over millions of rows.
        return (f"CAST({greatest}(0, {inside} + 1) AS DOUBLE PRECISION) / "
                f"({days('a.period_start', 'a.period_end')} + 1)")

    sums = []
    for name, (start, end) in {"w4": ("w4s", "w4e"), "wp": ("wps", "wpe"), "wt": ("wts", "wte")}.items():
        # Most rows (daily registers) lie wholly inside or outside a window: only the few that straddle its edge
        # need the share of their days worked out. FILTER keeps that arithmetic off every other row.
        inside = f"a.period_start >= :{start} AND a.period_end <= :{end}"
        straddles = f"a.period_start <= :{end} AND a.period_end >= :{start} AND NOT ({inside})"
        weight = share(start, end)
        for column, short in (("possible_sessions", "possible"), ("attended_sessions", "attended")):
            sums.append(f"COALESCE(SUM(a.{column}) FILTER (WHERE {inside}), 0) + "
                        f"COALESCE(SUM(a.{column} * {weight}) FILTER (WHERE {straddles}), 0) AS {name}_{short}")

    def under(window: str, line: str) -> str:
        return (f"({window}_possible >= :min_sessions AND "
                f"{window}_attended * 100.0 <= :{line} * {window}_possible + {EPSILON})")

    return f"""
    WITH totals AS (
        SELECT a.child_id, {', '.join(sums)}
        FROM attendance_record a
        WHERE a.period_end >= :lower AND a.period_start <= :upper
        GROUP BY a.child_id
    ), judged AS (
        SELECT t.*,
            CASE WHEN {under('w4', 'severe')} OR {under('wt', 'severe')} THEN 'severe'
                 WHEN {under('w4', 'persistent')} OR {under('wt', 'persistent')} THEN 'persistent'
                 ELSE 'ok' END AS level,
            CASE WHEN w4_possible >= :min_sessions AND wp_possible >= :min_sessions
                  AND w4_attended * 100.0 / w4_possible <= wp_attended * 100.0 / wp_possible - :drop + {EPSILON}
                 THEN 1 ELSE 0 END AS dropped
        FROM totals t
    )
    SELECT j.*, COALESCE(s.level, 'ok') AS old_level, CASE WHEN s.dropped THEN 1 ELSE 0 END AS old_dropped,
           c.local_id, c.first_name, c.last_name, c.social_worker_aad_id, m.manager, m.locality
    FROM judged j
    JOIN child c ON c.id = j.child_id
    LEFT JOIN attendance_alert_state s ON s.child_id = j.child_id
    LEFT JOIN ({CHILD_MANAGER}) m ON m.child_id = j.child_id
    WHERE j.level <> COALESCE(s.level, 'ok') OR j.dropped <> CASE WHEN s.dropped THEN 1 ELSE 0 END
    ORDER BY j.child_id
    """


def _pct(attended, possible, min_sessions: int) -> float | None:
    if not possible or possible < min_sessions:
        return None
    return round(float(attended) * 100.0 / float(possible), 1)


async def attendance_changes(*, session: AsyncSession, windows: Windows, thresholds: Thresholds
                             ) -> list[AttendanceChange]:
    """Children whose attendance level (ok / persistent / severe) or drop flag differs from the stored state."""
    dates = {"w4s": windows.four_weeks[0], "w4e": windows.four_weeks[1], "wps": windows.previous[0],
             "wpe": windows.previous[1], "wts": windows.term[0], "wte": windows.term[1],
             "lower": min(windows.previous[0], windows.term[0]), "upper": windows.four_weeks[1]}
    statement = text(_attendance_sql(_pg(session))).bindparams(*(bindparam(k, type_=Date) for k in dates))
    rows = (await session.execute(statement, {**dates, "persistent": thresholds.persistent,
                                              "severe": thresholds.severe, "drop": thresholds.drop,
                                              "min_sessions": thresholds.min_sessions})).all()
    least = thresholds.min_sessions
    return [AttendanceChange(
        child_id=r.child_id, local_id=r.local_id, first_name=r.first_name, last_name=r.last_name,
        social_worker=r.social_worker_aad_id, manager=r.manager, locality=r.locality,
        level=AttendanceLevel(r.level), dropped=bool(r.dropped), old_level=AttendanceLevel(r.old_level),
        old_dropped=bool(r.old_dropped), four_weeks=_pct(r.w4_attended, r.w4_possible, least),
        previous=_pct(r.wp_attended, r.wp_possible, least), term=_pct(r.wt_attended, r.wt_possible, least),
        four_weeks_sessions=float(r.w4_possible or 0), term_sessions=float(r.wt_possible or 0)) for r in rows]


async def save_attendance_state(*, session: AsyncSession, changes: list[AttendanceChange], now: datetime) -> None:
    if not changes:
        return
    statement = _insert(session)(AttendanceAlertState)
    statement = statement.on_conflict_do_update(index_elements=["child_id"], set_={
        "level": statement.excluded.level, "dropped": statement.excluded.dropped,
        "four_weeks": statement.excluded.four_weeks, "term": statement.excluded.term,
        "updated_at": statement.excluded.updated_at})
    await session.execute(statement, [{"child_id": c.child_id, "level": str(c.level), "dropped": c.dropped,
                                       "four_weeks": c.four_weeks, "term": c.term, "updated_at": now}
                                      for c in changes])


async def attendance_level(*, session: AsyncSession, child_id: int) -> AttendanceAlertState | None:
    return await session.get(AttendanceAlertState, child_id)


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- PEP reviews ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PepDue:
    pep_review_id: int
    due_date: date
    kind: AlertKind
    child_id: int
    local_id: str
    first_name: str
    last_name: str
    social_worker: str | None
    designated_teacher: str | None
    manager: str | None
    locality: str | None


async def peps_due(*, session: AsyncSession, today: date, nudge_by: date, remind_by: date) -> list[PepDue]:
    """Reviews not done whose stage (due within the nudge window, within the reminder window, overdue) has not
    been alerted yet. A review first seen late gets only its current stage, not the ones it skipped."""
    stage = ("CASE WHEN p.due_date < :today THEN 'pep_overdue' WHEN p.due_date <= :remind_by THEN 'pep_reminder' "
             "ELSE 'pep_due' END")
    statement = text(f"""
        SELECT p.id AS pep_id, p.due_date, {stage} AS kind, c.id AS child_id, c.local_id, c.first_name, c.last_name,
               c.social_worker_aad_id, c.designated_teacher_aad_id, m.manager, m.locality
        FROM pep_review p
        JOIN child c ON c.id = p.child_id
        LEFT JOIN ({CHILD_MANAGER}) m ON m.child_id = c.id
        WHERE p.completed_date IS NULL AND p.due_date <= :nudge_by
          AND NOT EXISTS (SELECT 1 FROM alert al WHERE al.pep_review_id = p.id AND al.kind = {stage})
        ORDER BY p.due_date, p.id""").bindparams(bindparam("today", type_=Date), bindparam("remind_by", type_=Date),
                                                bindparam("nudge_by", type_=Date))
    rows = (await session.execute(statement, {"today": today, "remind_by": remind_by, "nudge_by": nudge_by})).all()
    return [PepDue(pep_review_id=r.pep_id, due_date=_date(r.due_date), kind=AlertKind(r.kind), child_id=r.child_id,
                   local_id=r.local_id, first_name=r.first_name, last_name=r.last_name,
                   social_worker=r.social_worker_aad_id, designated_teacher=r.designated_teacher_aad_id,
                   manager=r.manager, locality=r.locality) for r in rows]


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def pep_review(*, session: AsyncSession, pep_review_id: int) -> PepReview | None:
    return await session.get(PepReview, pep_review_id)


# --- alert rows ----------------------------------------------------------------------------------------------
async def add_alerts(*, session: AsyncSession, alerts: list[dict]) -> dict[str, int]:
    """Insert alerts unless their key exists; returns {key: id} for the ones added (the others were sent before).
    One executemany (SQLAlchemy batches it into multi-row INSERTs with a cached statement)."""
    if not alerts:
        return {}
    statement = _insert(session)(Alert).on_conflict_do_nothing(index_elements=["key"]).returning(Alert.id, Alert.key)
    result = await session.execute(statement, alerts)
    return {row.key: row.id for row in result.all()}


async def get_alert(*, session: AsyncSession, alert_id: int, lock: bool = False) -> Alert | None:
    query = select(Alert).where(Alert.id == alert_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query.execution_options(populate_existing=True))).scalar_one_or_none()


async def get_child(*, session: AsyncSession, child_id: int) -> Child | None:
    return await session.get(Child, child_id)


async def school_name(*, session: AsyncSession, school_id: int | None) -> str | None:
    if school_id is None:
        return None
    return (await session.execute(text("SELECT name FROM school WHERE id = :id"), {"id": school_id})).scalar_one_or_none()


async def snoozes_ended(*, session: AsyncSession, job: str, now: datetime) -> list[Alert]:
    """Snoozed alerts of this job whose snooze is over (locked, so a second instance skips them)."""
    query = (select(Alert).where(Alert.job == job, Alert.status == AlertStatus.SNOOZED, Alert.snoozed_until <= now)
             .order_by(Alert.id))
    if _pg(session):
        query = query.with_for_update(skip_locked=True)
    return list((await session.execute(query)).scalars())


async def set_status(*, session: AsyncSession, alert_id: int, status: AlertStatus, at: datetime | None = None,
                     snoozed_until: datetime | None = None, resent: bool = False) -> None:
    values: dict = {"status": str(status), "snoozed_until": snoozed_until}
    if at is not None:
        values["acted_at"] = at
    if resent:
        values["resent"] = Alert.resent + 1
    await session.execute(update(Alert).where(Alert.id == alert_id).values(**values))


def figures_of(alert: Alert) -> dict:
    return json.loads(alert.figures or "{}")


# --- the digest ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DigestItem:
    manager: str | None
    fields: dict


async def digest_absence(*, session: AsyncSession, top: int) -> tuple[dict, list[DigestItem]]:
    """Children now at persistent or severe absence: counts by (manager, level), the lowest first per manager."""
    counts = {(r.manager, r.level): r.n for r in (await session.execute(text(f"""
        SELECT m.manager, st.level, COUNT(*) AS n FROM attendance_alert_state st
        LEFT JOIN ({CHILD_MANAGER}) m ON m.child_id = st.child_id
        WHERE st.level IN ('persistent', 'severe') GROUP BY m.manager, st.level"""))).all()}
    rows = (await session.execute(text(f"""
        WITH s AS (
            SELECT st.child_id, st.level, st.four_weeks, st.term, m.manager, c.local_id, c.first_name, c.last_name,
                   ROW_NUMBER() OVER (PARTITION BY m.manager ORDER BY
                       CASE WHEN st.level = 'severe' THEN 0 ELSE 1 END,
                       COALESCE(st.four_weeks, st.term, 100), st.child_id) AS rank
            FROM attendance_alert_state st
            JOIN child c ON c.id = st.child_id
            LEFT JOIN ({CHILD_MANAGER}) m ON m.child_id = st.child_id
            WHERE st.level IN ('persistent', 'severe')
        ) SELECT * FROM s WHERE rank <= :top ORDER BY manager, rank"""), {"top": top})).all()
    return counts, [DigestItem(r.manager, {"local_id": r.local_id, "first_name": r.first_name, "last_name": r.last_name,
                                           "level": r.level, "four_weeks": r.four_weeks, "term": r.term,
                                           "rank": (0 if r.level == "severe" else 1,
                                                    r.four_weeks if r.four_weeks is not None else r.term or 100)})
                    for r in rows]


async def digest_overdue_peps(*, session: AsyncSession, today: date, top: int) -> tuple[dict, list[DigestItem]]:
    rows = (await session.execute(text(f"""
        WITH o AS (
            SELECT p.due_date, c.local_id, c.first_name, c.last_name, m.manager,
                   ROW_NUMBER() OVER (PARTITION BY m.manager ORDER BY p.due_date, p.id) AS rank,
                   COUNT(*) OVER (PARTITION BY m.manager) AS n
            FROM pep_review p JOIN child c ON c.id = p.child_id
            LEFT JOIN ({CHILD_MANAGER}) m ON m.child_id = c.id
            WHERE p.completed_date IS NULL AND p.due_date < :today
        ) SELECT * FROM o WHERE rank <= :top ORDER BY manager, rank""").bindparams(bindparam("today", type_=Date)),
        {"today": today, "top": top})).all()
    counts = {r.manager: r.n for r in rows}
    return counts, [DigestItem(r.manager, {"local_id": r.local_id, "first_name": r.first_name,
                                           "last_name": r.last_name, "due_date": _date(r.due_date)}) for r in rows]


async def digest_late_referrals(*, session: AsyncSession, created_before: datetime, top: int
                                ) -> tuple[dict, list[DigestItem]]:
    """New referrals nobody has acknowledged, older than the deadline, by the manager of their locality."""
    rows = (await session.execute(text("""
        WITH r AS (
            SELECT r.reference, r.created_at, l.name AS locality, l.manager_aad_id AS manager,
                   ROW_NUMBER() OVER (PARTITION BY l.manager_aad_id ORDER BY r.created_at, r.id) AS rank,
                   COUNT(*) OVER (PARTITION BY l.manager_aad_id) AS n
            FROM referral r LEFT JOIN locality l ON l.id = r.locality_id
            WHERE r.status = :new AND r.acknowledged_at IS NULL AND r.created_at < :before
        ) SELECT * FROM r WHERE rank <= :top ORDER BY manager, rank""").bindparams(
            bindparam("before", type_=Alert.__table__.c.created_at.type)),
        {"new": str(ReferralStatus.NEW), "before": created_before, "top": top})).all()
    counts = {r.manager: r.n for r in rows}
    return counts, [DigestItem(r.manager, {"reference": r.reference, "locality": r.locality,
                                           "created_at": r.created_at}) for r in rows]


async def digest_undelivered(*, session: AsyncSession, top: int) -> tuple[int, list[Delivery]]:
    """Messages that could not be delivered (refused by Teams, or the person has no chat with the bot)."""
    statuses = (str(DeliveryStatus.FAILED), str(DeliveryStatus.NO_REFERENCE))
    total = (await session.execute(select(func.count()).select_from(Delivery).where(Delivery.status.in_(statuses))
                                   )).scalar_one()
    rows = (await session.execute(select(Delivery).where(Delivery.status.in_(statuses))
                                  .order_by(Delivery.created_at.desc(), Delivery.id.desc()).limit(top))).scalars()
    return total, list(rows)
