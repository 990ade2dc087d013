"""Nothing about a child outlives its retention: after a whole run (a referral, FAQ questions naming the child,
an officer's actions, a reply that had to be queued, a question passed to staff) and `vsbot jobs run purge`
with a far-future clock, no table and no log line holds the child's name, date of birth or postcode."""
from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, text

from bot.cli import quiet_library_loggers
from bot.jobs import run_job
from storage import outbox
from storage.db import session_factory
from storage.models import Delivery, FaqQuery, SQLModel
from tests.test_referrals import (
    MINA,
    NAMES,
    SAM,
    WEST,
    _action_data,
    _officer_card,
    cards_to,
    installed,  # noqa: F401 - fixture
    open_form,
    personal,
    valid_form,
)
from tests.utils.teams import message, submit

CHILD = {"child_first_name": "Zebedee", "child_last_name": "Quintrell", "child_dob": "2014-07-19",
         "home_postcode": "HA1 4ZZ"}
# Every way the run could have written them down.
NEEDLES = ("zebedee", "quintrell", "2014-07-19", "19/07/2014", "19 july 2014", "ha1 4zz", "ha14zz")
FORWARDED = "do you run a summer camp for looked after twins"


async def _everything_stored(engine) -> dict[str, str]:
    """Every table's rows as text (the names come from the models, so a new table is searched too)."""
    found: dict[str, str] = {}
    async with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            rows = (await conn.execute(text(f'SELECT * FROM "{table.name}"'))).all()  # noqa: S608 - model names
            found[table.name] = "\n".join(repr(tuple(row)) for row in rows)
    return found


def _leaks(haystack: str) -> list[str]:
    lowered = haystack.lower()
    return [needle for needle in NEEDLES if needle in lowered]


async def test_after_a_full_run_and_the_purge_nothing_about_the_child_is_left(installed, engine, database_url,  # noqa: F811
                                                                                caplog):
    bot = installed
    url = bot.connector.url
    quiet_library_loggers()  # as `vsbot serve` configures logging; everything else at DEBUG is captured
    with caplog.at_level(logging.DEBUG):
        # FAQ questions naming the child (answered, never kept), and one general question passed to staff.
        for question in ("Can the Virtual School chair PEP meetings for Zebedee Quintrell born 2014-07-19?",
                         "what is zebedee's attendance, he lives at HA1 4ZZ",
                         "Does the virtual school fund tutoring for Zebedee Quintrell, DOB 19/07/2014?"):
            await bot.post(message(question, service_url=url))
        await bot.post(message(FORWARDED, service_url=url))
        sent = await bot.connector.wait_for(lambda s: sum(bool(x.cards) for x in s) >= 4)
        forward = next(a for x in sent for c in x.cards for a in _actions(c) if (a.get("data") or {}).get("action")
                       == "faq.forward")
        await bot.post(submit(forward["data"], service_url=url))
        await bot.connector.wait_for(lambda s: bool(cards_to(s, MINA, "faq-forwarded")))

        # The referral; its confirmation is throttled, so it waits in the outbox with the child's name in it.
        token = await open_form(bot)
        bot.connector.fail_chat[personal(SAM)] = [(429, None)] * 5
        await bot.post(submit(valid_form(token, **CHILD, details="Zebedee Quintrell has been out of school."),
                              service_url=url))
        await bot.connector.wait_for(lambda s: bool(cards_to(s, SAM, "referral-confirmation")), timeout=30)

        # The officer accepts, asks for information naming the child, and closes it.
        card = (await _officer_card(bot)).cards[0]
        for title, extra in (("Accept", {}), ("Ask for information", {"info_request": "Is Zebedee Quintrell on roll?"}),
                             ("Close", {"outcome": "advice_given"})):
            data = {**_action_data(card, title), **extra}
            bot.connector.clear()
            await bot.post(submit(data, service_url=url, aad_id=WEST, name=NAMES[WEST]))
            await bot.connector.wait_for(lambda s: any("Done" in x.text for x in s))
            card = (await _officer_card(bot)).cards[0] if title != "Close" else card
        await bot.sender.drain()

        before = await _everything_stored(engine)
        assert _leaks(before["referral"]) and _leaks(before["delivery"]), "the run stored the child's details"
        async with session_factory(engine)() as session:
            questions = (await session.execute(select(FaqQuery.question))).scalars().all()
        assert FORWARDED in questions and not any(_leaks(q or "") for q in questions), questions

        # The nightly job, run as an operator would, with a clock far in the future (not blocking this loop: the
        # running bot's sender must be free to finish a transaction while the job waits for the database).
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "jobs", "run", "purge", "--now", "2100-01-01T02:30:00",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "DATABASE_URL": database_url, "MicrosoftAppId": ""})
        out, err = await asyncio.wait_for(proc.communicate(), 120)
        done = subprocess.CompletedProcess("vsbot jobs run purge", proc.returncode,
                                           out.decode(), err.decode())
    assert done.returncode == 0, done.stderr
    assert "1 closed referral(s)" in done.stdout and "2 copy(ies) of questions passed to staff" in done.stdout, done.stdout
    after = await _everything_stored(engine)
    leaks = {table: _leaks(rows) for table, rows in after.items() if _leaks(rows)}
    assert leaks == {}, leaks
    assert not any(FORWARDED in rows for rows in after.values())
    log_text = caplog.text + done.stdout + done.stderr
    assert caplog.records and not _leaks(log_text), _leaks(log_text)


def _actions(card: dict):
    for action in card.get("actions", []):
        yield action
        yield from _actions(action.get("card") or {})
    for item in card.get("body", []):
        if isinstance(item, dict):
            yield from _actions(item)


async def test_questions_passed_to_staff_go_with_their_question(engine):
    """They survived the purge in `delivery`, question and asker's name included."""
    async with session_factory(engine)() as session:
        old = FaqQuery(asker_aad_id=SAM, question=FORWARDED, verdict="unknown", reason="low_confidence",
                       at=datetime.now(timezone.utc) - timedelta(days=400))
        new = FaqQuery(asker_aad_id=SAM, question="a recent one", verdict="unknown", reason="low_confidence")
        session.add_all([old, new])
        await session.flush()
        for row in (old, new):
            await outbox.enqueue(session=session, key=f"faq:{row.id}:forward:{MINA}", recipient_aad_id=MINA,
                                 card={"body": [{"text": row.question}, {"text": "from Sam Reed"}]}, summary="q")
        await session.commit()
    from tests.conftest import make_settings
    from bot.app import build_runtime

    runtime = build_runtime(make_settings(str(engine.url.render_as_string(hide_password=False))), load_faq=False)
    try:
        summary = await run_job("purge", runtime, datetime.now(timezone.utc))
    finally:
        await runtime.close()
    async with session_factory(engine)() as session:
        kept = (await session.execute(select(Delivery.key, Delivery.payload))).all()
    assert [(key, FORWARDED in payload) for key, payload in kept] == [(f"faq:{new.id}:forward:{MINA}", False)]
    assert "1 old FAQ question(s), 1 copy(ies) of questions passed to staff" in summary


async def test_delivered_messages_keep_their_outcome_not_their_content(engine):
    now = datetime.now(timezone.utc)
    async with session_factory(engine)() as session:
        for key, status in (("sent", "sent"), ("failed", "failed"), ("skipped", "skipped"), ("waiting", "pending"),
                            ("never-opened", "no_reference"), ("recent", "sent")):
            await outbox.enqueue(session=session, key=key, recipient_aad_id=MINA, card={"text": "Zebedee"},
                                 summary="s")
            row = await outbox.get(session=session, key=key)
            row.status = status
            if key != "recent":
                row.created_at = now - timedelta(days=31)
        await session.commit()
        assert await outbox.purge_payloads(session=session, sent_before=now - timedelta(days=30)) == 4
        await session.commit()
        rows = {r.key: r for r in (await session.execute(select(Delivery))).scalars()}
    assert {k for k, r in rows.items() if "Zebedee" in r.payload} == {"waiting", "recent"}
    assert rows["never-opened"].status == "skipped" and "expired" in rows["never-opened"].last_error
    assert rows["sent"].status == "sent"  # the outcome stays (and the key, so nothing is ever sent twice)
