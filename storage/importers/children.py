"""Imports of children, their attendance and their PEP reviews, in bulk.

Each file is streamed into a temporary staging table in batches (COPY on PostgreSQL, multi-row INSERTs on
SQLite) after each row's own checks in Python; the checks that need the whole file or the database
(duplicates, overlapping periods, unknown children, people not in the directory) are set-based SQL over the
staging table; then one upsert writes what changed. Memory stays flat however long the file is, and a
second import of the same file finds nothing different and changes nothing."""
from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage import directory
from storage.importers.common import CsvSource, ImportReport, Problems, Progress, format_problems, parse_date, parse_int
from storage.vocabulary import LegalStatus

LEGAL_STATUSES = frozenset(LegalStatus)
BATCH = 20_000
OLDEST_AGE = 25  # care leavers are supported up to 25; an older date of birth is a mistake
LIMITS = {"local_id": 64, "first_name": 100, "last_name": 100, "school_name": 200, "social_worker": 320,
          "designated_teacher": 320}
EARLIEST = date(2000, 1, 1)  # no attendance or PEP record of this service is older


def _is_pg(session: AsyncSession) -> bool:
    return session.bind.dialect.name == "postgresql"


class Stage:
    """A temporary table of the file's good rows (plus `line` and a `bad` mark), filled in batches."""

    def __init__(self, session: AsyncSession, name: str, columns: list[tuple[str, str]]):
        self.session, self.name = session, name
        self.columns = [("line", "INTEGER"), *columns]
        self.batch: list[tuple] = []
        self.count = 0
        self._copying: asyncio.Future | None = None

    async def __aenter__(self) -> "Stage":
        pg = _is_pg(self.session)
        await self.session.execute(text(f"DROP TABLE IF EXISTS {'' if pg else 'temp.'}{self.name}"))
        cols = ", ".join(f"{name} {kind}" for name, kind in self.columns)
        # Only the rows' own connection sees a temporary table; PostgreSQL drops it at commit or rollback.
        await self.session.execute(text(f"CREATE TEMPORARY TABLE {self.name} ({cols}, child_id INTEGER, "
                                        f"bad SMALLINT NOT NULL DEFAULT 0){' ON COMMIT DROP' if pg else ''}"))
        return self

    async def __aexit__(self, *exc) -> None:
        if exc[0] is not None:
            try:
                await self.settle()  # the connection must be free for the caller's rollback
            except Exception:  # noqa: BLE001 - the first error is the one to report
                pass
            return
        if not _is_pg(self.session):
            await self.session.execute(text(f"DROP TABLE IF EXISTS temp.{self.name}"))

    async def add(self, row: tuple) -> None:
        self.batch.append(row)
        if len(self.batch) >= BATCH:
            await self.flush(wait=False)

    async def settle(self) -> None:
        if self._copying is not None:
            copying, self._copying = self._copying, None
            await copying

    async def flush(self, *, wait: bool = True) -> None:
        """Write the batch. On PostgreSQL the COPY runs while the next batch is read (`wait=False`); the next
        flush, and every other use of the table, waits for it first."""
        await self.settle()
        if not self.batch:
            return
        names = [name for name, _ in self.columns]
        if _is_pg(self.session):
            connection = await self.session.connection()
            raw = (await connection.get_raw_connection()).driver_connection
            self._copying = asyncio.ensure_future(raw.copy_records_to_table(self.name, records=self.batch,
                                                                            columns=names))
            if wait:
                await self.settle()
        else:
            placeholders = ", ".join(f":{n}" for n in names)
            await self.session.execute(text(f"INSERT INTO {self.name} ({', '.join(names)}) VALUES ({placeholders})"),
                                       [dict(zip(names, _sqlite_values(row), strict=True)) for row in self.batch])
        self.count += len(self.batch)
        self.batch = []

    async def check(self, problems: Problems, query: str, message, params: dict | None = None) -> None:
        """Rows `query` finds (it selects `line` and what `message(row)` needs) are problems: the first are
        described, all are counted and marked bad (so --skip-bad leaves them out)."""
        params = params or {}
        found = (await self.session.execute(text(f"SELECT * FROM ({query}) q ORDER BY line LIMIT 50"), params)).all()
        if not found:
            return
        total = (await self.session.execute(text(f"SELECT COUNT(*) FROM ({query}) q"), params)).scalar_one()
        await self.session.execute(text(f"UPDATE {self.name} SET bad = 1 WHERE line IN (SELECT line FROM ({query}) q)"),
                                   params)
        problems.extend([f"line {row.line}: {message(row)}" for row in found], total)

    async def good(self) -> int:
        return (await self.session.execute(text(f"SELECT COUNT(*) FROM {self.name} WHERE bad = 0"))).scalar_one()


def _sqlite_values(row: tuple) -> tuple:
    return tuple(v.isoformat() if isinstance(v, date) else v for v in row)


async def _stream(source: CsvSource, stage: Stage, problems: Problems, progress: Progress, validate) -> None:
    progress.phase(f"reading {source.kind}", total=source.size)
    for n, (line, row) in enumerate(source, start=1):
        values = validate(line, row, problems)
        if values is not None:
            await stage.add((line, *values))
        if n % 10_000 == 0:
            progress.update(source.consumed)
    await stage.flush()
    progress.update(source.consumed)


async def _finish(session: AsyncSession, stage: Stage, problems: Problems, report: ImportReport, *, skip_bad: bool,
                  progress: Progress, counts_query: str, apply: list[str]) -> None:
    """Refuse the whole file if anything is wrong (unless skip_bad), count, then write."""
    if problems.total and not skip_bad:
        raise problems.error()
    if problems.total:  # --skip-bad: say what was left out
        report.skipped = problems.bad_lines + stage.count - await stage.good()
        report.problems = format_problems(problems.error().problems, problems.total)
    progress.phase("writing")
    counts = (await session.execute(text(counts_query))).one()
    report.created, report.updated, report.unchanged = counts.created or 0, counts.changed or 0, counts.same or 0
    for statement in apply:
        await session.execute(text(statement))


def _too_long(row: dict[str, str], line: int, problems: Problems) -> bool:
    long = [c for c, most in LIMITS.items() if len(row.get(c) or "") > most]
    for column in long:
        problems.add(line, f"{column} is longer than {LIMITS[column]} characters")
    return bool(long)


# --- children -------------------------------------------------------------------------------------------
async def import_children(session: AsyncSession, source: CsvSource, report: ImportReport, *, today: date,
                          skip_bad: bool, progress: Progress) -> None:
    problems = Problems()
    oldest = date(today.year - OLDEST_AGE - 1, today.month, 1)

    def validate(line: int, row: dict[str, str], problems: Problems) -> tuple | None:
        before = problems.total
        for column in ("local_id", "first_name", "last_name"):
            if not row.get(column):
                problems.add(line, f"{column} is required")
        _too_long(row, line, problems)
        dob = parse_date(row.get("date_of_birth", ""), line, "date_of_birth", problems)
        if dob is not None and dob > today:
            problems.add(line, f"date_of_birth {dob.isoformat()} is in the future")
        elif dob is not None and dob < oldest:
            problems.add(line, f"date_of_birth {dob.isoformat()} makes the child older than {OLDEST_AGE}")
        status = row.get("legal_status", "").lower()
        if status not in LEGAL_STATUSES:
            problems.add(line, f"legal_status {row.get('legal_status')!r} is not one of "
                               f"{', '.join(sorted(LEGAL_STATUSES))}")
        postcode = None
        if row.get("home_postcode"):
            postcode = directory.normalise_postcode(row["home_postcode"])
            if postcode is None:
                problems.add(line, f"home_postcode {row['home_postcode']!r} is not a UK postcode")
        if problems.total > before:
            problems.bad_lines += 1
            return None
        return (row["local_id"], row["first_name"], row["last_name"], dob, status, row.get("school_name") or None,
                row.get("social_worker") or None, row.get("designated_teacher") or None, postcode)

    columns = [("local_id", "TEXT"), ("first_name", "TEXT"), ("last_name", "TEXT"), ("date_of_birth", "DATE"),
               ("legal_status", "TEXT"), ("school_name", "TEXT"), ("social_worker", "TEXT"),
               ("designated_teacher", "TEXT"), ("home_postcode", "TEXT"), ("sw_aad", "TEXT"), ("dt_aad", "TEXT")]
    async with Stage(session, "stage_children", columns) as stage:
        await _stream(source, stage, problems, progress, lambda line, row, p: _pad(validate(line, row, p), 2))
        s = stage.name
        progress.phase("checking")
        await stage.check(problems, f"""
            SELECT s.line, s.local_id, d.first_line, d.n FROM {s} s JOIN (
                SELECT local_id, MIN(line) AS first_line, COUNT(*) AS n FROM {s} GROUP BY local_id HAVING COUNT(*) > 1
            ) d ON d.local_id = s.local_id""",
            lambda r: f"local_id {r.local_id!r} is in the file {r.n} times (first on line {r.first_line}); "
                      "duplicates are refused")
        # People: an AAD object id is taken as given; an e-mail must be someone in the staff directory.
        for column, target in (("social_worker", "sw_aad"), ("designated_teacher", "dt_aad")):
            await session.execute(text(f"""
                UPDATE {s} SET {target} = CASE WHEN {column} LIKE '%@%' THEN (
                    SELECT m.aad_object_id FROM staff_member m WHERE lower(m.email) = lower({s}.{column})
                    ORDER BY m.id LIMIT 1) ELSE {column} END
                WHERE {column} IS NOT NULL"""))
            await stage.check(problems, f"SELECT line, {column} AS who FROM {s} WHERE {column} IS NOT NULL "
                                        f"AND {target} IS NULL",
                              lambda r, c=column: f"{c} {r.who!r} is not in the staff directory")
        await _finish(session, stage, problems, report, skip_bad=skip_bad, progress=progress, counts_query=f"""
            SELECT SUM(CASE WHEN c.id IS NULL THEN 1 ELSE 0 END) AS created,
                   SUM(CASE WHEN c.id IS NOT NULL AND ({_child_differs('c', 's')}) THEN 1 ELSE 0 END) AS changed,
                   SUM(CASE WHEN c.id IS NOT NULL AND NOT ({_child_differs('c', 's')}) THEN 1 ELSE 0 END) AS same
            FROM {s} s LEFT JOIN school sc ON sc.name = s.school_name LEFT JOIN child c ON c.local_id = s.local_id
            WHERE s.bad = 0""", apply=[
            f"""INSERT INTO school (name) SELECT DISTINCT school_name FROM {s}
                WHERE bad = 0 AND school_name IS NOT NULL ON CONFLICT (name) DO NOTHING""",
            f"""INSERT INTO child (local_id, first_name, last_name, date_of_birth, legal_status, school_id,
                                   social_worker_aad_id, designated_teacher_aad_id, home_postcode)
                SELECT s.local_id, s.first_name, s.last_name, s.date_of_birth, s.legal_status, sc.id, s.sw_aad,
                       s.dt_aad, s.home_postcode
                FROM {s} s LEFT JOIN school sc ON sc.name = s.school_name WHERE s.bad = 0
                ON CONFLICT (local_id) DO UPDATE SET first_name = excluded.first_name,
                    last_name = excluded.last_name, date_of_birth = excluded.date_of_birth,
                    legal_status = excluded.legal_status, school_id = excluded.school_id,
                    social_worker_aad_id = excluded.social_worker_aad_id,
                    designated_teacher_aad_id = excluded.designated_teacher_aad_id,
                    home_postcode = excluded.home_postcode
                WHERE {_child_differs('child', 'excluded', school='excluded.school_id')}"""])


def _pad(values: tuple | None, extra: int) -> tuple | None:
    return None if values is None else (*values, *([None] * extra))


def _child_differs(c: str, s: str, *, school: str = "sc.id") -> str:
    pairs = [("first_name", "first_name"), ("last_name", "last_name"), ("date_of_birth", "date_of_birth"),
             ("legal_status", "legal_status"), ("social_worker_aad_id", "sw_aad" if s == "s" else "social_worker_aad_id"),
             ("designated_teacher_aad_id", "dt_aad" if s == "s" else "designated_teacher_aad_id"),
             ("home_postcode", "home_postcode")]
    terms = [_distinct(f"{c}.{a}", f"{s}.{b}") for a, b in pairs]
    terms.append(_distinct(f"{c}.school_id", school))
    return " OR ".join(terms)


def _distinct(a: str, b: str) -> str:
    """Null-safe "differs" that SQLite and PostgreSQL both understand (two NULLs do not differ)."""
    return f"COALESCE(({a}) <> ({b}), (({a}) IS NULL) <> (({b}) IS NULL))"


# --- attendance -----------------------------------------------------------------------------------------
async def import_attendance(session: AsyncSession, source: CsvSource, report: ImportReport, *, today: date,
                            skip_bad: bool, progress: Progress) -> None:
    """A row is a day or a longer period. Periods of one child must not overlap (they would be counted twice):
    overlapping rows in a file are refused, and so is a row that partly overlaps a stored period; a row whose
    period contains stored periods replaces them (a school sending term-to-date totals each week)."""
    problems = Problems()

    def validate(line: int, row: dict[str, str], problems: Problems) -> tuple | None:
        before = problems.total
        if not row.get("local_id"):
            problems.add(line, "local_id is required")
        start = parse_date(row.get("period_start", ""), line, "period_start", problems)
        end = parse_date(row.get("period_end", ""), line, "period_end", problems)
        possible = parse_int(row.get("possible_sessions", ""), line, "possible_sessions", problems)
        attended = parse_int(row.get("attended_sessions", ""), line, "attended_sessions", problems)
        if start and end:
            if end < start:
                problems.add(line, "period_end is before period_start")
            elif end > today:
                problems.add(line, f"period_end {end.isoformat()} is in the future")
            elif start < EARLIEST:
                problems.add(line, f"period_start {start.isoformat()} is before {EARLIEST.isoformat()}")
            elif possible is not None and possible > 2 * ((end - start).days + 1):
                problems.add(line, f"possible_sessions {possible} is more than two a day for "
                                   f"{(end - start).days + 1} day(s)")
        if possible is not None and attended is not None and attended > possible:
            problems.add(line, "attended_sessions is more than possible_sessions")
        if problems.total > before:
            problems.bad_lines += 1
            return None
        return row["local_id"], start, end, possible, attended

    columns = [("local_id", "TEXT"), ("period_start", "DATE"), ("period_end", "DATE"), ("possible", "INTEGER"),
               ("attended", "INTEGER")]
    async with Stage(session, "stage_attendance", columns) as stage:
        await _stream(source, stage, problems, progress, validate)
        s = stage.name
        progress.phase("checking")
        await _resolve_children(session, stage, problems)
        # One pass over the file's rows in order per child: the same period more than once (duplicates, every copy
        # refused: which one is right is not ours to guess), or a period that starts before an earlier one of the
        # same child ended (an overlap).
        await stage.check(problems, f"""
            SELECT line, local_id, first_line, n FROM (
                SELECT line, local_id, period_start,
                  MAX(period_end) OVER (PARTITION BY local_id ORDER BY period_start, period_end, line
                                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before_end,
                  MIN(line) OVER (PARTITION BY local_id, period_start, period_end) AS first_line,
                  COUNT(*) OVER (PARTITION BY local_id, period_start, period_end) AS n
                FROM {s}) w
            WHERE n > 1 OR before_end >= period_start""",
            lambda r: (f"local_id {r.local_id!r} has this period {r.n} times in the file (first on line "
                       f"{r.first_line}); duplicates are refused") if r.n > 1 else
                      f"local_id {r.local_id!r}: this period overlaps another row of the same child in the file")
        await stage.check(problems, f"""
            SELECT s.line, s.local_id, MIN(a.period_start) AS other_start, MIN(a.period_end) AS other_end
            FROM {s} s JOIN attendance_record a ON a.child_id = s.child_id
                AND a.period_start <= s.period_end AND a.period_end >= s.period_start
                AND NOT (a.period_start >= s.period_start AND a.period_end <= s.period_end)
            WHERE s.bad = 0 GROUP BY s.line, s.local_id""",
            lambda r: f"local_id {r.local_id!r}: this period partly overlaps the stored period "
                      f"{_iso(r.other_start)}..{_iso(r.other_end)}")
        differs = "a.possible_sessions <> s.possible OR a.attended_sessions <> s.attended"
        await _finish(session, stage, problems, report, skip_bad=skip_bad, progress=progress, counts_query=f"""
            SELECT SUM(CASE WHEN a.id IS NULL THEN 1 ELSE 0 END) AS created,
                   SUM(CASE WHEN a.id IS NOT NULL AND ({differs}) THEN 1 ELSE 0 END) AS changed,
                   SUM(CASE WHEN a.id IS NOT NULL AND NOT ({differs}) THEN 1 ELSE 0 END) AS same
            FROM {s} s LEFT JOIN attendance_record a ON a.child_id = s.child_id AND a.period_start = s.period_start
                AND a.period_end = s.period_end
            WHERE s.bad = 0""", apply=[
            # Stored periods inside a longer period of the file are replaced by it.
            f"""DELETE FROM attendance_record WHERE id IN (
                SELECT a.id FROM {s} s JOIN attendance_record a ON a.child_id = s.child_id
                    AND a.period_start >= s.period_start AND a.period_end <= s.period_end
                    AND NOT (a.period_start = s.period_start AND a.period_end = s.period_end)
                WHERE s.bad = 0 AND s.period_end > s.period_start)""",  # a one-day row contains nothing else
            f"""INSERT INTO attendance_record (child_id, period_start, period_end, possible_sessions, attended_sessions)
                SELECT child_id, period_start, period_end, possible, attended FROM {s} WHERE bad = 0
                ON CONFLICT (child_id, period_start, period_end) DO UPDATE
                SET possible_sessions = excluded.possible_sessions, attended_sessions = excluded.attended_sessions
                WHERE attendance_record.possible_sessions <> excluded.possible_sessions
                   OR attendance_record.attended_sessions <> excluded.attended_sessions"""])


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


async def _resolve_children(session: AsyncSession, stage: Stage, problems: Problems) -> None:
    s = stage.name
    await session.execute(text(f"UPDATE {s} SET child_id = c.id FROM child c WHERE c.local_id = {s}.local_id"))
    await stage.check(problems, f"SELECT line, local_id FROM {s} WHERE child_id IS NULL",
                      lambda r: f"no child with local_id {r.local_id!r} (import children first)")


# --- PEP reviews ----------------------------------------------------------------------------------------
async def import_peps(session: AsyncSession, source: CsvSource, report: ImportReport, *, today: date,
                      skip_bad: bool, progress: Progress) -> None:
    problems = Problems()
    latest_due = today + timedelta(days=366)

    def validate(line: int, row: dict[str, str], problems: Problems) -> tuple | None:
        before = problems.total
        if not row.get("local_id"):
            problems.add(line, "local_id is required")
        due = parse_date(row.get("due_date", ""), line, "due_date", problems)
        done = parse_date(row["completed_date"], line, "completed_date", problems) if row.get("completed_date") else None
        if due is not None and not EARLIEST <= due <= latest_due:
            problems.add(line, f"due_date {due.isoformat()} is not between {EARLIEST.isoformat()} and a year ahead")
        if done is not None and done > today:
            problems.add(line, f"completed_date {done.isoformat()} is in the future")
        elif done is not None and done < EARLIEST:
            problems.add(line, f"completed_date {done.isoformat()} is before {EARLIEST.isoformat()}")
        if problems.total > before:
            problems.bad_lines += 1
            return None
        return row["local_id"], due, done

    columns = [("local_id", "TEXT"), ("due_date", "DATE"), ("completed_date", "DATE")]
    async with Stage(session, "stage_peps", columns) as stage:
        await _stream(source, stage, problems, progress, validate)
        s = stage.name
        progress.phase("checking")
        await _resolve_children(session, stage, problems)
        await stage.check(problems, f"""
            SELECT s.line, s.local_id, d.first_line, d.n FROM {s} s JOIN (
                SELECT local_id, due_date, MIN(line) AS first_line, COUNT(*) AS n FROM {s}
                GROUP BY local_id, due_date HAVING COUNT(*) > 1
            ) d ON d.local_id = s.local_id AND d.due_date = s.due_date""",
            lambda r: f"local_id {r.local_id!r} has a review due that day {r.n} times in the file (first on line "
                      f"{r.first_line}); duplicates are refused")
        differs = _distinct("p.completed_date", "s.completed_date")
        await _finish(session, stage, problems, report, skip_bad=skip_bad, progress=progress, counts_query=f"""
            SELECT SUM(CASE WHEN p.id IS NULL THEN 1 ELSE 0 END) AS created,
                   SUM(CASE WHEN p.id IS NOT NULL AND ({differs}) THEN 1 ELSE 0 END) AS changed,
                   SUM(CASE WHEN p.id IS NOT NULL AND NOT ({differs}) THEN 1 ELSE 0 END) AS same
            FROM {s} s LEFT JOIN pep_review p ON p.child_id = s.child_id AND p.due_date = s.due_date
            WHERE s.bad = 0""", apply=[
            f"""INSERT INTO pep_review (child_id, due_date, completed_date)
                SELECT child_id, due_date, completed_date FROM {s} WHERE bad = 0
                ON CONFLICT (child_id, due_date) DO UPDATE SET completed_date = excluded.completed_date
                WHERE {_distinct('pep_review.completed_date', 'excluded.completed_date')}"""])
