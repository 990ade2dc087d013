"""Imports and the CLI under bad input: every problem one `line N: …` line, never a traceback, nothing half
imported; duplicates within a file and e-mail clashes (ignoring case) reported; a locality's officer must be
an officer or manager; the CLI never creates an empty database by accident; an empty question is an error."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import session_factory
from storage.importers import ImportError_, import_csv
from storage.models import Locality, PostcodeRoute, StaffMember

HEADER = "aad_object_id,email,name,role,locality\n"


def vsbot(*args: str, env: dict | None = None, cwd: Path | None = None, stdin: str | None = None):
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "VSB_ENVIRONMENT", "MicrosoftAppId")}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, timeout=120,
                          env={**base, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), **(env or {})},
                          cwd=cwd, input=stdin)


async def _problems(engine, kind: str, content: str) -> list[str]:
    async with session_factory(engine)() as session:
        with pytest.raises(ImportError_) as err:
            await import_csv(session=session, kind=kind, content=content)
        await session.rollback()
    return err.value.problems


async def _count(engine, model) -> int:
    async with session_factory(engine)() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_duplicates_within_a_staff_file_are_reported_not_last_one_wins(engine):
    problems = await _problems(engine, "staff", HEADER
                               + "id-1,Jo.Park@Example.org,Jo Park,officer,West\n"
                               + "id-2,jo.park@example.ORG,Jo Parker,officer,North\n"
                               + "id-1,other@example.org,Jo Park Again,manager,\n")
    assert problems == [
        "line 3: email jo.park@example.org (e-mail addresses are compared ignoring case) is also on line 2",
        "line 4: aad_object_id id-1 is also on line 2",
    ]
    assert await _count(engine, StaffMember) == 0


async def test_an_email_already_in_the_directory_under_another_id_is_a_clash(engine):
    async with session_factory(engine)() as session:
        await import_csv(session=session, kind="staff", content=HEADER + "id-1,jo.park@example.org,Jo Park,officer,\n")
        await session.commit()
    problems = await _problems(engine, "staff", HEADER + "id-9,JO.PARK@example.org,Jo Other,officer,\n")
    assert problems == ["line 2: email jo.park@example.org already belongs to staff member id-1 "
                        "(e-mail addresses are compared ignoring case)"]


async def test_over_long_values_and_control_characters_are_one_line_each(engine):
    problems = await _problems(engine, "staff", HEADER
                               + f"id-1,a@example.org,{'N' * 201},officer,West\n"
                               + f"id-2,b@example.org,B Person,officer,{'L' * 81}\n"
                               + f"{'i' * 65},c@example.org,C Person,officer,\n"
                               + "id-4,d@example.org,D\x00Person,officer,\n"
                               + "id-5,not-an-email,E Person,officer,\n")
    assert problems == ["line 2: name is longer than 200 characters", "line 3: locality is longer than 80 characters",
                        "line 4: aad_object_id is longer than 64 characters",
                        "line 5: name contains control or invisible characters",
                        "line 6: email 'not-an-email' is not an e-mail address"]
    problems = await _problems(engine, "localities", f"postcode_prefix,locality,officer\nHA1,{'W' * 81},\n"
                                                     f"{'HA1' * 40},West,\n")
    assert problems[0] == "line 2: locality is longer than 80 characters"
    assert problems[1].startswith("line 3: postcode_prefix 'HA1HA1HA1HA1…' is not a district")


async def test_locality_officers_must_be_officers_or_managers_and_rows_must_not_conflict(engine):
    async with session_factory(engine)() as session:
        await import_csv(session=session, kind="staff", content=HEADER + "id-o,o@example.org,O Officer,officer,\n"
                         "id-m,m@example.org,M Manager,manager,\nid-s,s@example.org,S Worker,social_worker,\n")
        await session.commit()
    problems = await _problems(engine, "localities", "postcode_prefix,locality,officer\n"
                               "HA1,West,id-s\nHA2,West,O@Example.org\nha2,North,id-o\nHA3,West,id-m\nHA4,East,nobody\n")
    assert problems == [
        "line 2: officer 'id-s' is a social_worker in the staff directory, not an officer or manager",
        "line 4: postcode_prefix HA2 is also on line 3",
        "line 5: locality West has a different officer on line 3",
        "line 6: officer 'nobody' is not in the staff directory",
    ]
    assert await _count(engine, Locality) == 0 and await _count(engine, PostcodeRoute) == 0


async def test_an_ambiguous_officer_email_already_in_the_directory_is_a_problem_not_a_crash(engine):
    """Two staff with one e-mail in different case made the next `import localities` crash (41 lines)."""
    async with session_factory(engine)() as session:
        session.add_all([StaffMember(aad_object_id="id-1", email="jo@example.org", name="Jo", role="officer"),
                         StaffMember(aad_object_id="id-2", email="JO@example.org", name="Jo 2", role="officer")])
        await session.commit()
    problems = await _problems(engine, "localities", "postcode_prefix,locality,officer\nHA1,West,jo@EXAMPLE.org\n")
    assert problems == ["line 2: officer jo@EXAMPLE.org matches 2 staff members: give their aad_object_id instead"]


def test_import_problems_through_the_cli_are_one_line_each_and_never_a_traceback(database_url, tmp_path):
    staff = tmp_path / "staff.csv"
    staff.write_text(HEADER + "id-1,Jo@example.org,Jo,officer,\nid-2,jo@EXAMPLE.org,Jo Two,officer,\n"
                     + f"id-3,x@example.org,{'N' * 300},officer,{'L' * 300}\n", encoding="utf-8")
    done = vsbot("import", "staff", str(staff), env={"DATABASE_URL": database_url})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    # One problem a line (`line N: …`), then one summary line.
    assert all(line.startswith("line ") for line in lines[:-1]) and len(lines) == 4, lines
    assert lines[0].startswith("line 3: email jo@example.org") and lines[-1].startswith("vsbot: import failed, nothing changed")
    assert any(line.startswith("line 4: name is longer than 200 characters") for line in lines)


def test_the_cli_never_creates_an_empty_database_by_accident(tmp_path):
    for command in (["demo", "seed"], ["jobs", "run", "purge"], ["faq", "gaps"], ["outbox"],
                    ["import", "staff", str(tmp_path / "none.csv")]):
        done = vsbot(*command, cwd=tmp_path)
        assert done.returncode == 2, command
        expected = tmp_path / "var" / "vsbot.db"
        assert done.stderr.startswith(f"vsbot: no database at {expected} ") and "vsbot db upgrade" in done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "var").exists()
    named = tmp_path / "elsewhere.db"
    done = vsbot("outbox", env={"DATABASE_URL": f"sqlite+aiosqlite:///{named}"}, cwd=tmp_path)
    assert done.returncode == 2 and str(named) in done.stderr and "DATABASE_URL" in done.stderr
    assert not named.exists()
    # `db upgrade` is the one command that creates it.
    assert vsbot("db", "upgrade", cwd=tmp_path).returncode == 0 and (tmp_path / "var" / "vsbot.db").is_file()
    assert vsbot("outbox", cwd=tmp_path).returncode == 0


def test_a_postgresql_database_that_does_not_exist_is_named():
    done = vsbot("outbox", env={"DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:5432/vsbot_no_such_db"})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "vsbot_no_such_db" in done.stderr and "does not exist" in done.stderr


def test_an_empty_question_is_an_error():
    for question in ("", "   "):
        done = vsbot("ask", question)
        assert done.returncode == 2 and done.stderr.startswith("vsbot: the question is empty"), done.stderr
    assert vsbot("ask", stdin="do you chair PEP meetings\n").returncode == 0  # no question: stdin, as before


def test_serve_refuses_without_an_app_id_unless_development_and_then_loopback_only(tmp_path):
    done = vsbot("serve", cwd=tmp_path)  # no VSB_ENVIRONMENT: production-safe
    assert done.returncode == 2 and "MicrosoftAppId is empty" in done.stderr and "Traceback" not in done.stderr
    done = vsbot("serve", "--host", "0.0.0.0", cwd=tmp_path, env={"VSB_ENVIRONMENT": "development"})
    assert done.returncode == 2 and "loopback only" in done.stderr
    assert not (tmp_path / "var").exists()
