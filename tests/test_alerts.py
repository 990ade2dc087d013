"""PEP nudges, attendance alerts and the Monday digest, with a controllable clock, on both databases: each rule
at and either side of its threshold, school days only, firing on crossing, snooze, acknowledge, make a referral,
the digest's contents, and each alert sent once however often a job runs."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.jobs import run_job
from cards.alerts import initials
from dialogs.alerts import service
from storage import alerts as repo
from storage.db import session_factory
from storage.importers import import_csv
from storage.models import Alert, AttendanceAlertState, AuditEvent, Delivery, Referral
from tests.conftest import running_bot
from tests.utils.teams import aad, card_fields, installation_update, submit

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2026, 11, 23)  # the seed day: a Monday in the autumn term
SAM, DANA, MINA, WEST = aad("0a1"), aad("0b1"), aad("0d1"), aad("0c1")
TERM = "2026-10-26..2026-12-18"  # so that the term so far is the last four weeks (each rule tested alone)
HEADER = ("local_id,first_name,last_name,date_of_birth,legal_status,school_name,social_worker,designated_teacher,"
          "home_postcode\n")


def at(day: date, hour: int = 7, minute: int = 30) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


async def add_children(engine, ids: list[str], *, postcode: str = "HA1 2AB", sw: str = SAM, dt: str = DANA) -> None:
    rows = "".join(f"{i},Child{n},Test{n},2014-05-0{1 + n % 9},cic,Alerts School,{sw},{dt},{postcode}\n"
                   for n, i in enumerate(ids))
    await _import(engine, "children", HEADER + rows)


async def _import(engine, kind: str, content: str) -> None:
    async with session_factory(engine)() as session:
        await import_csv(session=session, kind=kind, content=content, today=date(2027, 6, 1))
        await session.commit()


async def add_attendance(engine, rows: list[tuple[str, date, date, int, int]]) -> None:
    body = "".join(f"{c},{s.isoformat()},{e.isoformat()},{p},{a}\n" for c, s, e, p, a in rows)
    await _import(engine, "attendance", "local_id,period_start,period_end,possible_sessions,attended_sessions\n" + body)


async def alerts_of(engine) -> list[Alert]:
    async with session_factory(engine)() as session:
        return list((await session.execute(select(Alert).order_by(Alert.id))).scalars())


def kinds_by_child(rows: list[Alert], local_ids: dict[int, str]) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set] = {}
    for row in rows:
        out.setdefault(local_ids[row.child_id], set()).add((row.kind, row.recipient_aad_id))
    return out


async def local_ids(engine) -> dict[int, str]:
    from storage.models import Child

    async with session_factory(engine)() as session:
        return {c.id: c.local_id for c in (await session.execute(select(Child))).scalars()}


@pytest.fixture
async def alerting(seeded, database_url, connector):
    """The demo directory and localities (Mina manages every locality), no demo children in the way, every
    persona in a chat with the bot, and term dates that make the term so far the last four weeks."""
    async with session_factory(seeded)() as session:
        from sqlalchemy import delete

        from storage.models import AttendanceRecord, Child, PepReview
        await session.execute(delete(AttendanceRecord))
        await session.execute(delete(PepReview))
        await session.execute(delete(Child))
        await session.commit()
    async with running_bot(database_url, connector, VSB_TERM_DATES=TERM) as bot:
        for aad_id, name in ((SAM, "Sam Reed"), (DANA, "Dana Cole"), (MINA, "Mina Shah"), (WEST, "Olu Adeyemi")):
            await bot.post(installation_update(service_url=connector.url, aad_id=aad_id, name=name))
        await connector.wait_for(lambda s: len(s) >= 4)
        connector.clear()
        yield bot


# --- PEP reviews --------------------------------------------------------------------------------------------
async def test_pep_rules_at_and_either_side_of_each_threshold(alerting, engine):
    bot = alerting
    offsets = {"P15": 15, "P14": 14, "P4": 4, "P3": 3, "P0": 0, "PM1": -1, "DONE": -2}
    await add_children(engine, list(offsets))
    peps = "".join(f"{c},{(MONDAY + timedelta(days=d)).isoformat()},{'2026-11-20' if c == 'DONE' else ''}\n"
                   for c, d in offsets.items())
    await _import(engine, "peps", "local_id,due_date,completed_date\n" + peps)

    assert (await run_job("pep-nudges", bot.runtime, at(MONDAY))).startswith("9 PEP alert(s) queued")
    got = kinds_by_child(await alerts_of(engine), await local_ids(engine))
    both = lambda kind: {(kind, SAM), (kind, DANA)}  # noqa: E731
    assert got == {"P14": both("pep_due"), "P4": both("pep_due"), "P3": both("pep_reminder"),
                   "P0": both("pep_reminder"), "PM1": {("pep_overdue", MINA)}}
    # The next day: 15 → 14 (first nudge), 4 → 3 (reminder), 0 → overdue; nothing else again.
    await run_job("pep-nudges", bot.runtime, at(MONDAY + timedelta(days=1)))
    got = kinds_by_child(await alerts_of(engine), await local_ids(engine))
    assert got["P15"] == both("pep_due") and got["P4"] == both("pep_due") | both("pep_reminder")
    assert got["P0"] == both("pep_reminder") | {("pep_overdue", MINA)} and "DONE" not in got
    await bot.sender.drain()
    cards = [x.cards[0] for x in bot.connector.sent if x.cards]
    overdue = [c for c in cards if "PEP review overdue" in json.dumps(c)]
    assert len(overdue) == 2
    fields = card_fields(overdue[0])
    assert fields["Child"] in ("C.T. · PM1", "C.T. · P0") and fields["Due date"].endswith("2026")
    # The least the reader needs: initials and local id, never the child's name or date of birth.
    assert not any("Child5" in json.dumps(c) or "2014-05" in json.dumps(c) for c in cards)


async def test_a_review_seen_late_gets_only_its_current_stage_and_nobody_allocated_means_the_manager(alerting, engine):
    await add_children(engine, ["LATE"], sw="", dt="")
    await _import(engine, "peps", f"local_id,due_date,completed_date\nLATE,{(MONDAY + timedelta(days=2)).isoformat()},\n")
    await run_job("pep-nudges", alerting.runtime, at(MONDAY))
    rows = await alerts_of(engine)
    assert [(r.kind, r.recipient_aad_id) for r in rows] == [("pep_reminder", MINA)]


# --- attendance ---------------------------------------------------------------------------------------------
FOUR_WEEKS = (MONDAY - timedelta(days=28), MONDAY - timedelta(days=1))
PREVIOUS = (MONDAY - timedelta(days=56), MONDAY - timedelta(days=29))


@pytest.mark.parametrize("attended,expected", [
    (46, None), (45, "persistent_absence"), (44, "persistent_absence"),  # 92%, 90%, 88% of 50
    (26, "persistent_absence"), (25, "severe_absence"), (24, "severe_absence"),  # 52%, 50%, 48%
])
async def test_attendance_lines_at_and_either_side(alerting, engine, attended, expected):
    await add_children(engine, ["A1"])
    await add_attendance(engine, [("A1", *PREVIOUS, 50, 50), ("A1", *FOUR_WEEKS, 50, attended)])
    await run_job("attendance-alerts", alerting.runtime, at(MONDAY))
    rows = await alerts_of(engine)
    assert {r.kind for r in rows} == ({expected} if expected else set())
    if expected:
        assert {r.recipient_aad_id for r in rows} == {SAM, MINA}  # social worker and the locality manager
        figures = json.loads(rows[0].figures)
        assert figures["four_weeks"] == attended * 2 and figures["previous"] == 100.0


@pytest.mark.parametrize("attended,fires", [(40, False), (39, True), (38, True)])  # 8, 10, 12 points below 88%
async def test_a_drop_of_ten_points_against_the_previous_four_weeks(alerting, engine, attended, fires):
    await add_children(engine, ["D1"])
    await add_attendance(engine, [("D1", *PREVIOUS, 50, 44), ("D1", *FOUR_WEEKS, 50, attended)])
    ids = {v: k for k, v in (await local_ids(engine)).items()}
    async with session_factory(engine)() as session:  # an earlier run left the child at persistent, no drop
        session.add(AttendanceAlertState(child_id=ids["D1"], level="persistent", dropped=False))
        await session.commit()
    await run_job("attendance-alerts", alerting.runtime, at(MONDAY))
    assert {r.kind for r in await alerts_of(engine)} == ({"attendance_drop"} if fires else set())


async def test_term_so_far_counts_too_and_short_windows_are_not_judged(alerting, engine):
    """Under the line over the term though not over the last four weeks; a week of data is too little."""
    await add_children(engine, ["T1", "SHORT"])
    term_start = date(2026, 9, 1)
    async with running_bot(alerting.settings.database_url, alerting.connector, VSB_TERM_DATES=f"{term_start}..2026-12-18") as bot:
        await add_attendance(engine, [("T1", term_start, date(2026, 10, 25), 80, 56),  # 70% early in term
                                      ("T1", *FOUR_WEEKS, 40, 40),  # 100% lately: term so far 80%
                                      ("SHORT", MONDAY - timedelta(days=3), MONDAY - timedelta(days=1), 4, 1)])
        await run_job("attendance-alerts", bot.runtime, at(MONDAY))
    rows = await alerts_of(engine)
    assert {(await local_ids(engine))[r.child_id] for r in rows} == {"T1"}
    figures = json.loads(rows[0].figures)
    assert figures["term"] == 80.0 and figures["four_weeks"] == 100.0 and rows[0].kind == "persistent_absence"


async def test_alerts_fire_on_crossing_not_every_day_and_again_after_recovery(alerting, engine):
    bot = alerting
    day = lambda n: MONDAY + timedelta(days=n)  # noqa: E731
    await add_children(engine, ["X1", "R1"])
    await add_attendance(engine, [("X1", *PREVIOUS, 50, 50), ("X1", *FOUR_WEEKS, 50, 40),  # 80%
                                  ("R1", day(-7), day(-1), 10, 6)])  # 60%
    await run_job("attendance-alerts", bot.runtime, at(MONDAY))
    first = await alerts_of(engine)
    assert sorted(r.kind for r in first) == ["persistent_absence"] * 4
    for n in (1, 2, 3):  # still under the line on the following days: nothing new
        await run_job("attendance-alerts", bot.runtime, at(day(n)))
    assert len(await alerts_of(engine)) == 4
    # X1 gets worse: severe is a new crossing. R1 attends every session for three weeks: back over the line.
    await add_attendance(engine, [("X1", day(0), day(14), 20, 0), ("R1", day(0), day(20), 40, 40)])
    await run_job("attendance-alerts", bot.runtime, at(day(15)))
    ids = {v: k for k, v in (await local_ids(engine)).items()}
    assert sorted(r.kind for r in await alerts_of(engine) if r.child_id == ids["X1"]) == (
        ["persistent_absence"] * 2 + ["severe_absence"] * 2)
    await run_job("attendance-alerts", bot.runtime, at(day(21)))
    async with session_factory(engine)() as session:
        assert (await session.get(AttendanceAlertState, ids["R1"])).level == "ok"  # recovered, and no alert for it
    assert len([r for r in await alerts_of(engine) if r.child_id == ids["R1"]]) == 2
    # R1 misses three days: a new crossing, so a new alert.
    await add_attendance(engine, [("R1", day(21), day(23), 6, 0)])
    await run_job("attendance-alerts", bot.runtime, at(day(24)))
    again = [r for r in await alerts_of(engine) if r.child_id == ids["R1"]]
    assert len(again) == 4 and {r.period for r in again} == {MONDAY.isoformat(), day(24).isoformat()}


# --- schedule ------------------------------------------------------------------------------------------------------
async def test_weekends_bank_holidays_and_school_holidays_are_skipped(alerting, database_url, connector, engine):
    await add_children(engine, ["S1"])
    await _import(engine, "peps", f"local_id,due_date,completed_date\nS1,{(MONDAY + timedelta(days=30)).isoformat()},\n")
    async with running_bot(database_url, connector, VSB_TERM_DATES="2026-09-02..2026-12-18,2027-01-05..2027-03-26",
                           VSB_SCHOOL_HOLIDAYS="2026-10-26..2026-10-30,2026-11-27") as bot:
        for name in ("pep-nudges", "attendance-alerts"):
            for day, why in ((date(2026, 11, 28), "not a working day"),  # Saturday
                             (date(2026, 12, 25), "not a working day"),  # Christmas Day (Friday)
                             (date(2026, 12, 28), "not a working day"),  # Boxing Day observed (Monday)
                             (date(2026, 10, 28), "school holiday"),  # half term
                             (date(2026, 11, 27), "school holiday"),  # an INSET day
                             (date(2026, 12, 21), "school holiday")):  # after the end of term
                summary = await run_job(name, bot.runtime, at(day))
                assert summary.startswith("skipped") and why in summary, (name, day, summary)
            assert not (await run_job(name, bot.runtime, at(date(2026, 11, 26)))).startswith("skipped")
        assert (await run_job("manager-digest", bot.runtime, at(MONDAY, 8, 0))).startswith("1 digest")
        assert (await run_job("manager-digest", bot.runtime, at(MONDAY + timedelta(days=1), 8))).startswith("skipped")
        # Easter Monday 2027 is a bank holiday: that week's digest goes on the Tuesday.
        assert (await run_job("manager-digest", bot.runtime, at(date(2027, 3, 29), 8))).startswith("skipped")
        assert (await run_job("manager-digest", bot.runtime, at(date(2027, 3, 30), 8))).startswith("1 digest")
    assert await alerts_of(engine) == []  # the review is 30 days away


def test_jobs_are_declared_at_0730_on_weekdays_and_the_digest_monday_0800():
    from bot.jobs import JOBS

    assert JOBS["pep-nudges"].cron == JOBS["attendance-alerts"].cron == {"day_of_week": "mon-fri", "hour": 7,
                                                                         "minute": 30}
    assert JOBS["manager-digest"].cron == {"day_of_week": "mon-fri", "hour": 8, "minute": 0}  # + first working day


# --- delivery, acknowledge, snooze, make a referral ---------------------------------------------------------------
async def _persistent_child(engine, local_id: str = "K1") -> None:
    await add_children(engine, [local_id])
    await add_attendance(engine, [(local_id, *PREVIOUS, 50, 50), (local_id, *FOUR_WEEKS, 50, 40)])


def alert_cards(sent, recipient: str) -> list:
    return [x for x in sent if x.conversation_id == f"a:personal-{recipient}" and x.method == "POST"
            and any(cid.startswith("alert-") for cid in x.card_ids)]


async def test_running_a_job_twice_for_the_same_moment_sends_each_alert_once(alerting, engine):
    bot = alerting
    await _persistent_child(engine)
    for _ in range(2):
        await run_job("attendance-alerts", bot.runtime, at(MONDAY))
        await bot.sender.drain()
    # Even with the crossing state lost (as if a crash came between the outbox and the state), the keys hold.
    async with session_factory(engine)() as session:
        from sqlalchemy import delete
        await session.execute(delete(AttendanceAlertState))
        await session.commit()
    await run_job("attendance-alerts", bot.runtime, at(MONDAY, 9))
    await bot.sender.drain()
    assert len(alert_cards(bot.connector.sent, SAM)) == 1 and len(alert_cards(bot.connector.sent, MINA)) == 1
    async with session_factory(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(Delivery)
                                    .where(Delivery.key.like("attendance-alerts:%"))) == 2


async def test_acknowledge_snooze_and_make_a_referral_from_the_card(alerting, engine):
    bot = alerting
    await _persistent_child(engine)
    await run_job("attendance-alerts", bot.runtime, at(MONDAY))
    sent = await bot.connector.wait_for(lambda s: alert_cards(s, SAM) and alert_cards(s, MINA))
    sams, minas = alert_cards(sent, SAM)[0], alert_cards(sent, MINA)[0]
    card = sams.cards[0]
    assert card_fields(card)["Child"] == "C.T. · K1"
    assert [a["title"] for a in card["actions"]] == ["Acknowledge", "Snooze 7 days", "Make a referral"]
    data = {a["data"]["action"]: a["data"] for a in card["actions"]}

    # Someone else's alert: refused and recorded, nothing changes.
    bot.connector.clear()
    await bot.post(submit(data["alert.ack"], reply_to_id=sams.id, service_url=bot.connector.url, aad_id=DANA,
                          name="Dana Cole"))
    reply = await bot.connector.wait_for(lambda s: any("couldn't find an alert of yours" in x.text for x in s))
    assert not [x for x in reply if x.method == "PUT"]
    # Sam acknowledges: the card is replaced in place without buttons, and it is recorded.
    bot.connector.clear()
    await bot.post(submit(data["alert.ack"], reply_to_id=sams.id, service_url=bot.connector.url, aad_id=SAM))
    sent = await bot.connector.wait_for(lambda s: any(x.method == "PUT" for x in s) and any("Acknowledged" in x.text
                                                                                          for x in s))
    replaced = next(x for x in sent if x.method == "PUT")
    assert replaced.id == sams.id and replaced.card_ids == ["alert-done"] and "actions" not in replaced.cards[0]
    # A second press (Teams retrying) says so and changes nothing.
    bot.connector.clear()
    await bot.post(submit(data["alert.ack"], reply_to_id=sams.id, service_url=bot.connector.url, aad_id=SAM))
    await bot.connector.wait_for(lambda s: any("already acknowledged" in x.text for x in s))
    async with session_factory(engine)() as session:
        actions = [a.action for a in (await session.execute(select(AuditEvent).where(
            AuditEvent.entity_type.in_(("alert", "child"))).order_by(AuditEvent.id))).scalars()]
    assert actions == ["alert.ack_denied", "alert.ack"]

    # Mina snoozes hers on the Monday: it comes back a week later (still under the line); Sam's does not.
    bot.services.clock = lambda: at(MONDAY, 10)
    bot.connector.clear()
    mdata = {a["data"]["action"]: a["data"] for a in minas.cards[0]["actions"]}
    await bot.post(submit(mdata["alert.snooze"], reply_to_id=minas.id, service_url=bot.connector.url, aad_id=MINA,
                          name="Mina Shah"))
    await bot.connector.wait_for(lambda s: any("Snoozed for 7 days" in x.text for x in s))
    for day in range(1, 7):
        await run_job("attendance-alerts", bot.runtime, at(MONDAY + timedelta(days=day)))
    await bot.sender.drain()
    assert not alert_cards(bot.connector.sent, MINA)
    await run_job("attendance-alerts", bot.runtime, at(MONDAY + timedelta(days=7)))
    back = await bot.connector.wait_for(lambda s: alert_cards(s, MINA))
    again = alert_cards(back, MINA)[0].cards[0]
    assert again["body"][0]["text"].startswith("Still open") and not alert_cards(back, SAM)
    await run_job("attendance-alerts", bot.runtime, at(MONDAY + timedelta(days=8)))
    await bot.sender.drain()
    assert len(alert_cards(bot.connector.sent, MINA)) == 1

    # Make a referral: the referral form, filled in from the child's record, in Mina's chat only.
    bot.connector.clear()
    await bot.post(submit(mdata["alert.refer"], reply_to_id=minas.id, service_url=bot.connector.url, aad_id=MINA,
                          name="Mina Shah"))
    sent = await bot.connector.wait_for(lambda s: any("referral-form" in x.card_ids for x in s))
    form = next(x for x in sent if "referral-form" in x.card_ids).cards[0]
    values = {i["id"]: i.get("value") for i in _inputs(form)}
    assert values["child_first_name"] == "Child0" and values["home_postcode"] == "HA1 2AB"
    assert values["child_dob"] == "2014-05-01" and values["legal_status"] == "cic" and values["reasons"] == "attendance"
    assert all(x.conversation_id == f"a:personal-{MINA}" for x in sent)
    async with session_factory(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(Referral)) == 0  # nothing sent yet
        assert await session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "alert.refer")) == 1


def _inputs(node):
    if isinstance(node, dict):
        if str(node.get("type", "")).startswith("Input."):
            yield node
        for value in node.values():
            yield from _inputs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _inputs(value)


async def test_alert_buttons_are_refused_in_shared_chats(alerting, engine):
    bot = alerting
    await _persistent_child(engine)
    await run_job("attendance-alerts", bot.runtime, at(MONDAY))
    sent = await bot.connector.wait_for(lambda s: alert_cards(s, SAM))
    data = alert_cards(sent, SAM)[0].cards[0]["actions"][0]["data"]
    bot.connector.clear()
    activity = submit(data, service_url=bot.connector.url, aad_id=SAM, conversation_id="19:group@thread.v2")
    activity["conversation"]["conversationType"] = "groupChat"
    await bot.post(activity)
    refused = await bot.connector.wait_for(lambda s: any("personal-only" in x.card_ids for x in s))
    assert "K1" not in json.dumps([x.body for x in refused if x.conversation_id.startswith("19:")])
    async with session_factory(engine)() as session:
        assert {r.status for r in (await session.execute(select(Alert))).scalars()} == {"open"}


# --- the digest ----------------------------------------------------------------------------------------------
async def test_the_digest_counts_and_shows_the_top_items(alerting, engine):
    bot = alerting
    ids = [f"C{n:03d}" for n in range(210)]
    await add_children(engine, ids)
    await add_children(engine, ["EAST1"], postcode="N8 7GH")
    rows = [(c, *FOUR_WEEKS, 50, 20 if n < 30 else 40) for n, c in enumerate(ids)]  # 30 severe, 180 persistent
    await add_attendance(engine, rows + [("EAST1", *FOUR_WEEKS, 50, 10)])
    peps = "".join(f"{c},{(MONDAY - timedelta(days=1 + n)).isoformat()},\n" for n, c in enumerate(ids[:12]))
    await _import(engine, "peps", "local_id,due_date,completed_date\n" + peps)
    await run_job("attendance-alerts", bot.runtime, at(MONDAY - timedelta(days=7)))  # last week's run set the state
    # Chris Lane manages North only; Mina keeps the rest.
    async with session_factory(engine)() as session:
        from storage import directory
        north = await directory.upsert_locality(session=session, name="North", manager_aad_id=aad("0c2"))
        assert north.manager_aad_id == aad("0c2")
        from storage.models import StaffMember
        chris = (await session.execute(select(StaffMember).where(StaffMember.aad_object_id == aad("0c2")))).scalar_one()
        chris.role = "manager"
        await session.commit()
    digests = {d.manager: d for d in await service.build_digests(bot.services, now=at(MONDAY, 8))}
    assert set(digests) == {MINA, aad("0c2")}
    mina = digests[MINA].card
    fields = card_fields(mina)
    assert fields["Persistent absence"] == "211 (of which severe: 31)"
    assert fields["Overdue PEP reviews"] == "12"
    text = json.dumps(mina, ensure_ascii=False)
    assert "… and 203 more" in text and "… and 4 more" in text  # 8 shown of 211 and of 12
    assert "C.T. · EAST1 — severe: 20% last 4 weeks" in text  # the lowest first
    assert len(text.encode()) < 24 * 1024
    assert card_fields(digests[aad("0c2")].card)["Persistent absence"] == "0 (of which severe: 0)"
    # Sent once a week however often it runs.
    assert (await run_job("manager-digest", bot.runtime, at(MONDAY, 8))).startswith("2 digest")
    assert (await run_job("manager-digest", bot.runtime, at(MONDAY, 9))).startswith("0 digest")


async def test_the_digest_lists_late_referrals_and_undelivered_messages(alerting, engine):
    bot = alerting
    from tests.test_referrals import make_referral

    reference = await make_referral(bot)  # to West, whose officer never acknowledges it
    await add_children(engine, ["U1"], sw=aad("0f9"))  # a social worker who never opened a chat with the bot
    await add_attendance(engine, [("U1", *FOUR_WEEKS, 50, 40)])
    await run_job("attendance-alerts", bot.runtime, at(MONDAY))
    await bot.sender.drain()
    later = datetime.now(LONDON) + timedelta(days=7)
    monday = later.date() - timedelta(days=later.date().weekday())
    digest = {d.manager: d for d in await service.build_digests(bot.services, now=at(monday, 8))}[MINA].card
    fields = card_fields(digest)
    assert fields["Referrals past their acknowledgement deadline"] == "1" and reference in json.dumps(digest)
    assert fields["Messages not delivered"] == "1"
    assert "Persistent absence: C.T. U1" in json.dumps(digest) and "no chat with the assistant" in json.dumps(digest)


def test_initials_are_letters_only():
    assert initials("Ava", "O'Neil-Example") == "A.O." and initials("[x](y)", "**b") == "X.B." and initials("", "") == "?"


async def test_attendance_query_returns_only_changes(alerting, engine):
    await _persistent_child(engine)
    windows = service.windows_for(alerting.services, MONDAY)
    thresholds = service.thresholds_of(alerting.services)
    async with session_factory(engine)() as session:
        first = await repo.attendance_changes(session=session, windows=windows, thresholds=thresholds)
        assert [(c.local_id, c.level, c.four_weeks) for c in first] == [("K1", "persistent", 80.0)]
        await repo.save_attendance_state(session=session, changes=first, now=at(MONDAY))
        await session.commit()
        assert await repo.attendance_changes(session=session, windows=windows, thresholds=thresholds) == []
