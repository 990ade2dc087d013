"""Children, attendance and PEP imports: every problem one line (`line N: …`, the first 50 then a count),
duplicates and impossible dates refused, nothing changed by a bad file unless --skip-bad, the same file twice
changes nothing, overlapping attendance periods never counted twice; the CLI, its help and the example files."""
from __future__ import annotations

import os
import pty
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import session_factory
from storage.importers import ImportError_, import_csv
from storage.models import AttendanceRecord, Child, School
from tests.test_cli import vsbot

TODAY = date(2026, 11, 23)
EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
CHILDREN = ("local_id,first_name,last_name,date_of_birth,legal_status,school_name,social_worker,designated_teacher,"
            "home_postcode\n")
ATTENDANCE = "local_id,period_start,period_end,possible_sessions,attended_sessions\n"


async def _import(engine, kind: str, content: str, **kwargs):
    async with session_factory(engine)() as session:
        try:
            report = await import_csv(session=session, kind=kind, content=content, today=TODAY, **kwargs)
        except ImportError_:
            await session.rollback()
            raise
        await session.commit()
        return report


async def _count(engine, table) -> int:
    async with session_factory(engine)() as session:
        return await session.scalar(select(func.count()).select_from(table))


async def test_children_rows_are_checked_one_problem_a_line_and_a_bad_file_changes_nothing(seeded):
    content = CHILDREN + (
        "N1,Ann,One,2015-02-03,cic,School A,sam.reed@example.org,,HA1 2AB\n"  # good
        "N2,Bob,Two,2030-01-01,cic,,,,\n"  # born in the future
        "N3,Cat,Three,2015-02-30,cic,,,,\n"  # no such day
        "N1,Ann,Again,2015-02-03,cic,,,,\n"  # the same local_id again
        "N5,Dan,Five,2015-02-03,wizard,,,,\n"  # unknown legal status
        "N6,Eve,Six,2015-02-03,cp,,nobody@example.org,,XX\n")  # unknown e-mail and a bad postcode
    with pytest.raises(ImportError_) as err:
        await _import(seeded, "children", content)
    problems = err.value.problems
    assert problems == [
        "line 2: local_id 'N1' is in the file 2 times (first on line 2); duplicates are refused",
        "line 3: date_of_birth 2030-01-01 is in the future",
        "line 4: date_of_birth '2015-02-30' is not a date (YYYY-MM-DD)",
        "line 5: local_id 'N1' is in the file 2 times (first on line 2); duplicates are refused",
        "line 6: legal_status 'wizard' is not one of cic, cin, cp, kinship, plac, previous_cin_cp",
        "line 7: home_postcode 'XX' is not a UK postcode",
    ], problems
    assert await _count(seeded, Child) == 4  # the demo's four, nothing added
    # --skip-bad: the good rows only (here: none of N1's duplicates, so nothing but... N6 is bad too).
    report = await _import(seeded, "children", content + "N7,Fay,Seven,2016-01-01,cin,School B,,,N8 7GH\n",
                           skip_bad=True)
    assert (report.created, report.skipped) == (1, 6) and report.problems[0].startswith("line 2:")
    assert await _count(seeded, Child) == 5


async def test_an_email_not_in_the_staff_directory_is_refused(seeded):
    with pytest.raises(ImportError_) as err:
        await _import(seeded, "children", CHILDREN + "N6,Eve,Six,2015-02-03,cp,,nobody@example.org,,\n")
    assert err.value.problems == ["line 2: social_worker 'nobody@example.org' is not in the staff directory"]


async def test_the_first_fifty_problems_then_a_count(seeded):
    content = ATTENDANCE + "".join(f"NOPE-{n},2026-11-02,2026-11-06,10,{n % 5}\n" for n in range(75))
    with pytest.raises(ImportError_) as err:
        await _import(seeded, "attendance", content)
    assert err.value.total == 75 and len(err.value.problems) == 50
    assert err.value.problems[0] == "line 2: no child with local_id 'NOPE-0' (import children first)"
    assert str(err.value).splitlines()[-1] == "… and 25 more problems"


async def test_attendance_impossible_values_duplicates_and_overlaps(seeded):
    content = ATTENDANCE + (
        "DEMO-003,2026-11-02,2026-11-06,10,9\n"  # good
        "DEMO-003,2026-11-02,2026-11-06,10,9\n"  # duplicate
        "DEMO-003,2026-11-05,2026-11-12,10,9\n"  # overlaps the row above
        "DEMO-003,2026-11-10,2026-11-09,2,2\n"  # ends before it starts
        "DEMO-003,2026-11-24,2026-11-25,4,4\n"  # in the future
        "DEMO-003,2026-11-16,2026-11-16,3,3\n"  # three sessions in a day
        "DEMO-003,2026-11-17,2026-11-17,2,3\n")  # more attended than possible
    with pytest.raises(ImportError_) as err:
        await _import(seeded, "attendance", content)
    assert [p.split(":")[0] for p in err.value.problems] == [f"line {n}" for n in (2, 3, 4, 5, 6, 7, 8)]
    text = "\n".join(err.value.problems)
    for needle in ("has this period 2 times", "overlaps another row", "period_end is before period_start",
                   "2026-11-25 is in the future", "more than two a day", "attended_sessions is more than possible"):
        assert needle in text, needle


async def test_the_same_file_twice_changes_nothing_and_a_longer_period_replaces_the_ones_inside_it(seeded):
    weekly = ATTENDANCE + "DEMO-003,2026-11-02,2026-11-06,10,9\nDEMO-003,2026-11-09,2026-11-13,10,8\n"
    first = await _import(seeded, "attendance", weekly)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = await _import(seeded, "attendance", weekly)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = await _import(seeded, "attendance", weekly.replace("10,8", "10,7"))
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    # Term-to-date totals sent later: the row covering both weeks replaces them (never counted twice) ...
    before = await _count(seeded, AttendanceRecord)
    await _import(seeded, "attendance", ATTENDANCE + "DEMO-003,2026-11-02,2026-11-20,30,25\n")
    assert await _count(seeded, AttendanceRecord) == before - 1
    # ... while a row that only partly overlaps a stored period is refused.
    with pytest.raises(ImportError_, match="partly overlaps the stored period 2026-11-02..2026-11-20"):
        await _import(seeded, "attendance", ATTENDANCE + "DEMO-003,2026-11-16,2026-11-23,12,12\n")


async def test_peps_and_children_reimport_is_a_no_op(seeded):
    peps = "local_id,due_date,completed_date\nDEMO-001,2026-12-07,2026-11-20\nDEMO-002,2026-10-01,2026-09-30\n"
    first = await _import(seeded, "peps", peps)
    assert first.created == 1 and first.updated == 1  # DEMO-001's review (the demo's) is now done; DEMO-002's new
    assert (await _import(seeded, "peps", peps)).unchanged == 2
    with pytest.raises(ImportError_, match="completed_date 2026-11-30 is in the future"):
        await _import(seeded, "peps", "local_id,due_date,completed_date\nDEMO-001,2026-12-07,2026-11-30\n")
    kids = CHILDREN + "DEMO-001,Ava,Example,2017-01-01,cin,School Z,sam.reed@example.org,,HA1 2AB\n"
    first = await _import(seeded, "children", kids)
    second = await _import(seeded, "children", kids)
    assert first.updated == 1 and (second.created, second.updated, second.unchanged) == (0, 0, 1)
    assert await _count(seeded, School) == 2


def test_import_help_lists_the_columns():
    out = vsbot("import", "--help")
    assert out.returncode == 0
    for kind, column in (("children", "designated_teacher"), ("attendance", "possible_sessions"),
                         ("peps", "completed_date"), ("staff", "aad_object_id"), ("localities", "postcode_prefix")):
        assert kind in out.stdout and column in out.stdout
    assert "--skip-bad" in out.stdout and "docs/examples" in out.stdout


def test_the_example_files_import_and_a_second_import_changes_nothing(db_env, tmp_path):
    for kind in ("staff", "localities", "children", "attendance", "peps"):
        result = vsbot("import", kind, str(EXAMPLES / f"{kind}.csv"), env=db_env)
        assert result.returncode == 0, result.stderr
    again = vsbot("import", "attendance", str(EXAMPLES / "attendance.csv"), env=db_env)
    assert "0 new, 0 updated, 6 unchanged" in again.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(ATTENDANCE + "".join(f"EX-0001,2026-01-{n:02d},2026-01-{n:02d},2,{3 + n}\n" for n in range(1, 31))
                   + "EX-0001,2025-01-01,2025-01-01,2,2\n" + "".join(f"EX-0001,2025-02-{n:02d},2025-02-{n:02d},2,{n}\n"
                                                                   for n in range(1, 29)))
    failed = vsbot("import", "attendance", str(bad), env=db_env)
    lines = failed.stderr.splitlines()
    assert failed.returncode != 0 and len(lines) == 52 and lines[0].startswith("line 2: ")
    assert lines[50] == "… and 6 more problems" and lines[51].startswith("vsbot: import failed, nothing changed: 56")
    skipped = vsbot("import", "attendance", str(bad), "--skip-bad", env=db_env)
    assert skipped.returncode == 0 and "3 new" in skipped.stdout and "56 bad row(s) skipped" in skipped.stdout


@pytest.fixture
def db_env(database_url):
    return {"DATABASE_URL": database_url}


def test_a_progress_bar_on_a_terminal_only(db_env, tmp_path):
    """rich draws the bar when stdout is a terminal (a pseudo-terminal here); piped output has none."""
    assert vsbot("import", "staff", str(EXAMPLES / "staff.csv"), env=db_env).returncode == 0
    assert vsbot("import", "children", str(EXAMPLES / "children.csv"), env=db_env).returncode == 0
    rows = tmp_path / "att.csv"
    rows.write_text(ATTENDANCE + "".join(f"EX-0003,{d.isoformat()},{d.isoformat()},2,2\n"
                                         for d in (date(2025, 1, 1) + timedelta(days=n)
                                                   for n in range(25_000))
                                         if d <= date(2026, 11, 1)))
    piped = vsbot("import", "attendance", str(rows), env=db_env)
    assert piped.returncode == 0 and "reading" not in piped.stdout
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "import", "attendance", str(rows), "--dry-run"],
                            stdout=child, stderr=subprocess.DEVNULL, env={**os.environ, "MicrosoftAppId": "", **db_env,
                                                                      "COLUMNS": "100"})
    os.close(child)
    output = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    proc.wait(timeout=120)
    os.close(main)
    assert proc.returncode == 0
    assert b"reading attendance" in output and b"would import" in output
