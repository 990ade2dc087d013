"""`vsbot` as a user runs it: a subprocess, real files, one clear line on stderr for errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest


def vsbot(*args: str, env: dict | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "MicrosoftAppId": "", **(env or {})}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          env=full_env, input=stdin, timeout=120)


@pytest.fixture
def db_env(database_url):
    return {"DATABASE_URL": database_url}


def test_import_dry_run_then_real_then_errors(db_env, tmp_path):
    good = tmp_path / "staff.csv"
    good.write_text("aad_object_id,email,name,role,locality,notes\nid-9,x@example.org,X Person,officer,West,n\n")
    dry = vsbot("import", "staff", str(good), "--dry-run", env=db_env)
    assert dry.returncode == 0 and "would import 1 staff rows: 1 new" in dry.stdout
    assert "warning: column 'notes' is not used" in dry.stderr
    real = vsbot("import", "staff", str(good), env=db_env)
    assert real.returncode == 0 and "imported 1 staff rows: 1 new" in real.stdout
    again = vsbot("import", "staff", str(good), env=db_env)
    assert "0 new, 1 updated" in again.stdout

    bad = tmp_path / "bad.csv"
    bad.write_text("aad_object_id,email,name,role\nid-1,a@example.org,A,wizard\n")
    result = vsbot("import", "staff", str(bad), env=db_env)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1].startswith("vsbot: import failed, nothing changed: line 2")
    assert "Traceback" not in result.stderr

    missing = vsbot("import", "staff", str(tmp_path / "nope.csv"), env=db_env)
    assert missing.returncode != 0 and "no such file" in missing.stderr and "Traceback" not in missing.stderr


def test_demo_seed_twice_and_jobs(db_env):
    first, second = vsbot("demo", "seed", env=db_env), vsbot("demo", "seed", env=db_env)
    assert first.returncode == 0 and "2 new surgeries" in first.stdout
    assert second.returncode == 0 and "0 new surgeries" in second.stdout
    listed = vsbot("jobs", "list", env=db_env)
    assert listed.returncode == 0 and "referral-sla" in listed.stdout and "purge" in listed.stdout
    ran = vsbot("jobs", "run", "referral-sla", "--now", "2026-11-25T09:00:00", env=db_env)
    assert ran.returncode == 0 and ran.stdout.startswith("referral-sla: 0 manager nudge")
    bad = vsbot("jobs", "run", "referral-sla", "--now", "yesterday", env=db_env)
    assert bad.returncode != 0 and "ISO-8601" in bad.stderr and "Traceback" not in bad.stderr


def test_manifest_build_needs_app_id_and_builds_a_package(tmp_path):
    out = tmp_path / "app.zip"
    refused = vsbot("manifest", "build", "--out", str(out))
    assert refused.returncode != 0 and "MicrosoftAppId" in refused.stderr
    built = vsbot("manifest", "build", "--out", str(out),
                  env={"MicrosoftAppId": "5f0c7a52-9a3e-4d1c-9c55-2b7a3f1d0e01", "VSB_PUBLIC_HOST": "bot.example.org"})
    assert built.returncode == 0, built.stderr
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert "5f0c7a52-9a3e-4d1c-9c55-2b7a3f1d0e01" in package.read("manifest.json").decode()


def test_bad_configuration_is_one_line(tmp_path):
    result = vsbot("jobs", "list", env={"VSB_TIMEZONE": "Mars/Olympus"})
    assert result.returncode == 0  # jobs list reads no settings
    result = vsbot("demo", "seed", env={"VSB_TIMEZONE": "Mars/Olympus", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db"})
    assert result.returncode != 0 and result.stderr.strip().startswith("vsbot: configuration error")


def test_ask_contract_single_question_and_stdin():
    one = vsbot("ask", "Does", "the", "Virtual", "School", "chair", "PEP", "meetings?", "--json")
    assert one.returncode == 0, one.stderr
    answer = json.loads(one.stdout)
    assert answer["verdict"] == "yes" and answer["answer"]
    many = vsbot("ask", stdin="do you arrange school transport\n\nwhat's the weather tomorrow\n")
    lines = [json.loads(line) for line in many.stdout.splitlines()]
    assert [line["verdict"] for line in lines] == ["no", "unknown"]
    assert all(line["answer"] for line in lines)
    human = vsbot("ask", "do you chair PEPs")
    assert human.returncode == 0 and "Yes" in human.stdout


def test_faq_gaps_lists_unanswered_and_unhelpful(db_env, database_url):
    import asyncio

    from storage import faq_log
    from storage.db import create_engine, session_factory

    async def add():
        engine = create_engine(database_url)
        async with session_factory(engine)() as session:
            await faq_log.record_query(session=session, asker_aad_id="a", question="do you run a summer camp",
                                       entry_id=None, verdict="unknown", reason="low_confidence", score=0.3)
            row = await faq_log.record_query(session=session, asker_aad_id="a", question="do you chair PEPs",
                                             entry_id="chair-pep-meetings", verdict="yes", reason="matched", score=1)
            row.helpful = False
            await faq_log.record_query(session=session, asker_aad_id="a", question="all fine", entry_id="x",
                                       verdict="yes", reason="matched", score=1)
            await session.commit()
        await engine.dispose()

    asyncio.run(add())
    out = vsbot("faq", "gaps", env=db_env)
    assert out.returncode == 0
    assert "summer camp" in out.stdout and "voted unhelpful" in out.stdout and "all fine" not in out.stdout
    check = vsbot("faq", "check")
    assert check.returncode == 0 and check.stdout.startswith("ok: ")


def test_database_trouble_is_one_line(tmp_path):
    for url, needle in ((f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", "vsbot db upgrade"),
                        ("postgresql+asyncpg://postgres@127.0.0.1:1/none", "cannot reach the database"),
                        ("bogus://x", "not a usable SQLAlchemy URL")):
        result = vsbot("demo", "seed", env={"DATABASE_URL": url})
        assert result.returncode != 0
        lines = [line for line in result.stderr.splitlines() if line.startswith("vsbot:")]
        assert len(lines) == 1 and needle in lines[0] and "Traceback" not in result.stderr, result.stderr


def test_import_errors_are_one_line_each_then_what_happened(db_env, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("aad_object_id,email,name,role\nid-1,a@example.org,A,wizard\nid-2,b@example.org,B,witch\n")
    result = vsbot("import", "staff", str(bad), env=db_env)
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert lines[0].startswith("line 2: role 'wizard'") and lines[1].startswith("line 3: role 'witch'")
    assert lines[2].startswith("vsbot: import failed, nothing changed: 2 problems") and len(lines) == 3


def test_outbox_lists_undelivered_messages(db_env, database_url):
    import asyncio

    from storage import outbox
    from storage.db import create_engine, session_factory

    assert "every proactive message has been delivered" in vsbot("outbox", env=db_env).stdout

    async def add():
        engine = create_engine(database_url)
        async with session_factory(engine)() as session:
            await outbox.enqueue(session=session, key="referral:VS-2026-00001:officer:x:v1", recipient_aad_id="x",
                                 card={"type": "AdaptiveCard"}, summary="s")
            row = await outbox.get(session=session, key="referral:VS-2026-00001:officer:x:v1")
            row.status = "no_reference"
            await session.commit()
        await engine.dispose()

    asyncio.run(add())
    out = vsbot("outbox", env=db_env)
    assert out.returncode == 0 and "no_reference" in out.stdout and "never opened a chat" in out.stdout


def _tuesday_ahead(days: int = 40):
    from datetime import date, timedelta

    day = date.today() + timedelta(days=days)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def test_surgeries_add_and_list(db_env):
    from datetime import timedelta

    from storage.working_days import is_working_day

    assert vsbot("demo", "seed", env=db_env).returncode == 0
    day = _tuesday_ahead()
    slots = vsbot("surgeries", "add", "--title", "SEND surgery", "--date", day.isoformat(), "--start", "10:00",
                  "--end", "11:00", "--slots", "20", "--subject", "send", "--audience", "send,ep,dsl",
                  "--join-url", "https://teams.example.org/l/meetup-join/send", "--host", "mina.shah@example.org",
                  env=db_env)
    assert slots.returncode == 0, slots.stderr
    assert slots.stdout.startswith("published #")
    assert f"Tue {day.day} {day:%b %Y}, 10:00–11:00  SEND surgery" in slots.stdout
    series = vsbot("surgeries", "add", "--title", "Attendance drop-in", "--date", day.isoformat(), "--start", "15:30",
                   "--end", "16:30", "--places", "8", "--venue", "Civic Centre", "--repeat", "fortnightly",
                   "--until", (day + timedelta(weeks=6)).isoformat(), env=db_env)
    assert series.returncode == 0, series.stderr
    dates = [day + timedelta(weeks=w) for w in (0, 2, 4, 6) if is_working_day(day + timedelta(weeks=w))]
    assert series.stdout.count("published #") == len(dates)
    listed = vsbot("surgeries", "list", env=db_env)
    assert listed.returncode == 0
    lines = listed.stdout.splitlines()
    assert any("Attendance network (group)" in line and "group" in line and "0/5 booked" in line for line in lines)
    assert any("SEND surgery" in line and "20-min slots" in line and "0/3 booked" in line for line in lines)
    assert sum("Attendance drop-in" in line for line in lines) == len(dates)


def test_surgeries_add_errors_are_one_line_and_publish_nothing(db_env):
    cases = [
        (["--start", "10:00", "--end", "09:00", "--places", "5", "--venue", "Room 1"],
         "end_time: The end time must be after the start time"),
        (["--start", "10:00", "--end", "11:00", "--venue", "Room 1"], "kind: Choose bookable"),
        (["--start", "10:00", "--end", "11:00", "--places", "5", "--slots", "20"], "not both"),
        (["--start", "10:00", "--end", "11:00", "--places", "5", "--venue", "Room 1", "--host",
          "dana.cole@example.org"], "is not Virtual School staff"),
    ]
    for args, needle in cases:
        result = vsbot("surgeries", "add", "--title", "Bad surgery", "--date", _tuesday_ahead().isoformat(), *args,
                       env=db_env)
        assert result.returncode != 0 and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and needle in result.stderr, result.stderr
    assert "no upcoming surgeries are published" in vsbot("surgeries", "list", env=db_env).stdout
