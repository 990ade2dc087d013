"""Alerts: the rules, the jobs that apply them, and what a reader can do with an alert.

Rules (thresholds from settings, defaults from the brief):
  * PEP review due within 14 days → the social worker and the designated teacher; within 3 days → a reminder
    to them; overdue → the locality manager. A review first seen late gets only its current stage.
  * Attendance over the last four weeks and over the term so far: crossing to 90% or below (persistent absence)
    or 50% or below (severe), or the last four weeks 10 points or more below the four weeks before → the
    allocated social worker and the locality manager. Alerts fire when a child crosses a line (the stored
    level gets worse), not every day the child stays under it; a child who recovers can alert again.
  * Monday digest to each manager: counts and the top items for their localities.

Every alert is a row keyed (job, recipient, subject, period) and its card an outbox row with the same key,
written in one transaction with the attendance state: a rerun, a crash half way or a second instance finds the
key taken and sends nothing twice. No SQL here: storage.alerts does the aggregations."""
from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cards.alerts import alert_card, alert_done_card, digest_card, initials, snoozed_line
from dialogs.common.services import Services
from storage import alerts as repo
from storage import audit, directory, outbox
from storage.models import Alert
from storage.vocabulary import (
    ATTENDANCE_LEVEL_RANK,
    PEP_ALERTS,
    AlertKind,
    AlertStatus,
    AttendanceLevel,
)
from storage.working_days import is_working_day

log = logging.getLogger("vsbot.alerts")
PEP_JOB, ATTENDANCE_JOB, DIGEST_JOB = "pep-nudges", "attendance-alerts", "manager-digest"
REFERRAL_ACK_WORKING_DAYS = 2  # the referral rule: acknowledged within 2 working days
SUMMARIES = {
    AlertKind.PEP_DUE: "PEP review coming up", AlertKind.PEP_REMINDER: "Reminder: PEP review soon",
    AlertKind.PEP_OVERDUE: "PEP review overdue", AlertKind.PERSISTENT_ABSENCE: "Persistent absence",
    AlertKind.SEVERE_ABSENCE: "Severe absence", AlertKind.ATTENDANCE_DROP: "Attendance has dropped",
}


@dataclass
class JobResult:
    queued: Counter = field(default_factory=Counter)  # alerts queued, by kind
    back: int = 0  # snoozed alerts that came back
    resolved: int = 0  # snoozed alerts that no longer apply

    def summary(self, what: str) -> str:
        kinds = ", ".join(f"{n} {kind.replace('_', ' ')}" for kind, n in sorted(self.queued.items()))
        return (f"{sum(self.queued.values())} {what} alert(s) queued" + (f" ({kinds})" if kinds else "")
                + f"; {self.back} snoozed alert(s) back, {self.resolved} no longer apply")


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str
    card: dict | None = None  # the alert card as it should now look (replaced in place)


def _key(job: str, recipient: str, subject: str, period: str) -> str:
    return f"{job}:{recipient}:{subject}:{period}"


def _people(*ids: str | None) -> list[str]:
    """Distinct, present recipients in order (a social worker who is also the manager gets one card)."""
    return list(dict.fromkeys(i for i in ids if i))


def _local_day(services: Services, now: datetime) -> date:
    return now.astimezone(ZoneInfo(services.settings.timezone)).date()


async def _queue(session, services: Services, job: str, planned: list[dict], result: JobResult) -> None:
    """Alert rows, then their cards in the outbox, in the caller's transaction. Keys already taken are skipped."""
    added = await repo.add_alerts(session=session, alerts=[{k: v for k, v in a.items() if not k.startswith("_")}
                                                           for a in planned])
    messages = []
    for alert in planned:
        alert_id = added.get(alert["key"])
        if alert_id is None:
            continue  # sent before (a rerun, or another instance got there first)
        kind = AlertKind(alert["kind"])
        card = alert_card(alert_id=alert_id, kind=kind, child_initials=alert["_initials"], local_id=alert["_local_id"],
                          figures=alert["_figures"], snooze_days=services.settings.alert_snooze_days)
        messages.append({"key": alert["key"], "recipient_aad_id": alert["recipient_aad_id"], "card": card,
                         "summary": f"{SUMMARIES[kind]}: {alert['_initials']} {alert['_local_id']}"})
        result.queued[str(kind)] += 1
    await outbox.enqueue_many(session=session, messages=messages)


def _plan(job: str, kind: AlertKind, recipient: str, subject: str, period: str, *, child_id: int, figures: dict,
          first_name: str, last_name: str, local_id: str, now: datetime, pep_review_id: int | None = None) -> dict:
    return {"key": _key(job, recipient, subject, period), "job": job, "kind": str(kind), "child_id": child_id,
            "pep_review_id": pep_review_id, "recipient_aad_id": recipient, "period": period,
            "figures": json.dumps(figures, sort_keys=True), "status": str(AlertStatus.OPEN), "created_at": now,
            "resent": 0, "_initials": initials(first_name, last_name), "_local_id": local_id, "_figures": figures}


# --- PEP nudges ---------------------------------------------------------------------------------------------
async def pep_nudges(services: Services, *, now: datetime) -> JobResult:
    settings = services.settings
    today = _local_day(services, now)
    result = JobResult()
    async with services.sessions() as session:
        await repo.prepare_for_aggregates(session=session)
        due = await repo.peps_due(session=session, today=today, nudge_by=today + timedelta(days=settings.pep_nudge_days),
                                  remind_by=today + timedelta(days=settings.pep_reminder_days))
        triage = await repo.triage_manager(session=session)
        planned = []
        for pep in due:
            manager = pep.manager or triage
            if pep.kind is AlertKind.PEP_OVERDUE:
                recipients = _people(manager)
            else:  # nobody allocated: the manager hears instead, so no review goes unnoticed
                recipients = _people(pep.social_worker, pep.designated_teacher) or _people(manager)
            figures = {"due_date": pep.due_date.isoformat(), "days_left": (pep.due_date - today).days,
                       "locality": pep.locality}
            planned += [_plan(PEP_JOB, pep.kind, person, f"pep{pep.pep_review_id}:{pep.kind}", pep.due_date.isoformat(),
                              child_id=pep.child_id, pep_review_id=pep.pep_review_id, figures=figures,
                              first_name=pep.first_name, last_name=pep.last_name, local_id=pep.local_id, now=now)
                        for person in recipients]
        await _queue(session, services, PEP_JOB, planned, result)
        await _snoozes_back(session, services, PEP_JOB, now, result)
        await session.commit()
    log.info("pep-nudges: %s", result.summary("PEP"))
    return result


# --- attendance ---------------------------------------------------------------------------------------------
def windows_for(services: Services, today: date) -> repo.Windows:
    yesterday = today - timedelta(days=1)  # today's registers are not in yet
    term_start = services.settings.school_calendar.term_start(today)
    return repo.Windows(four_weeks=(today - timedelta(days=28), yesterday),
                        previous=(today - timedelta(days=56), today - timedelta(days=29)),
                        term=(term_start, yesterday))


def thresholds_of(services: Services) -> repo.Thresholds:
    s = services.settings
    return repo.Thresholds(persistent=s.attendance_persistent_percent, severe=s.attendance_severe_percent,
                           drop=s.attendance_drop_points, min_sessions=s.attendance_min_sessions)


def crossing(change: repo.AttendanceChange) -> AlertKind | None:
    """The alert a change calls for: a worse level, else a new drop; recovering calls for none."""
    if ATTENDANCE_LEVEL_RANK[change.level] > ATTENDANCE_LEVEL_RANK[change.old_level]:
        return AlertKind.SEVERE_ABSENCE if change.level is AttendanceLevel.SEVERE else AlertKind.PERSISTENT_ABSENCE
    if change.dropped and not change.old_dropped:
        return AlertKind.ATTENDANCE_DROP
    return None


async def attendance_alerts(services: Services, *, now: datetime) -> JobResult:
    today = _local_day(services, now)
    thresholds = thresholds_of(services)
    result = JobResult()
    async with services.sessions() as session:
        await repo.prepare_for_aggregates(session=session)
        changes = await repo.attendance_changes(session=session, windows=windows_for(services, today),
                                                thresholds=thresholds)
        triage = await repo.triage_manager(session=session)
        planned = []
        for change in changes:
            kind = crossing(change)
            if kind is None:
                continue
            figures = {"four_weeks": change.four_weeks, "previous": change.previous, "term": change.term,
                       "persistent": thresholds.persistent, "severe": thresholds.severe, "drop": thresholds.drop,
                       "dropped": change.dropped, "locality": change.locality, "level": str(change.level)}
            planned += [_plan(ATTENDANCE_JOB, kind, person, f"child{change.child_id}:{kind}", today.isoformat(),
                              child_id=change.child_id, figures=figures, first_name=change.first_name,
                              last_name=change.last_name, local_id=change.local_id, now=now)
                        for person in _people(change.social_worker, change.manager or triage)]
        await _queue(session, services, ATTENDANCE_JOB, planned, result)
        await repo.save_attendance_state(session=session, changes=changes, now=now)
        await _snoozes_back(session, services, ATTENDANCE_JOB, now, result)
        await session.commit()
    log.info("attendance-alerts: %s children changed; %s", len(changes), result.summary("attendance"))
    return result


# --- snoozed alerts come back if they still apply ---------------------------------------------------------------
async def _still_applies(session, alert: Alert) -> bool:
    kind = AlertKind(alert.kind)
    if kind in PEP_ALERTS:
        review = await repo.pep_review(session=session, pep_review_id=alert.pep_review_id or 0)
        return review is not None and review.completed_date is None
    state = await repo.attendance_level(session=session, child_id=alert.child_id)
    if state is None:
        return False
    if kind is AlertKind.ATTENDANCE_DROP:
        return bool(state.dropped)
    needed = AttendanceLevel.SEVERE if kind is AlertKind.SEVERE_ABSENCE else AttendanceLevel.PERSISTENT
    return ATTENDANCE_LEVEL_RANK[AttendanceLevel(state.level)] >= ATTENDANCE_LEVEL_RANK[needed]


async def _snoozes_back(session, services: Services, job: str, now: datetime, result: JobResult) -> None:
    for alert in await repo.snoozes_ended(session=session, job=job, now=now):
        if not await _still_applies(session, alert):
            await repo.set_status(session=session, alert_id=alert.id, status=AlertStatus.RESOLVED)
            result.resolved += 1
            continue
        child = await repo.get_child(session=session, child_id=alert.child_id)
        kind = AlertKind(alert.kind)
        child_initials = initials(child.first_name, child.last_name)
        card = alert_card(alert_id=alert.id, kind=kind, child_initials=child_initials, local_id=child.local_id,
                          figures=repo.figures_of(alert), snooze_days=services.settings.alert_snooze_days, again=True)
        await outbox.enqueue(session=session, key=f"{alert.key}:again{alert.resent + 1}"[:200],
                             recipient_aad_id=alert.recipient_aad_id, card=card,
                             summary=f"Still open — {SUMMARIES[kind]}: {child_initials} {child.local_id}")
        await repo.set_status(session=session, alert_id=alert.id, status=AlertStatus.OPEN, resent=True)
        result.back += 1


# --- what a reader does with an alert ------------------------------------------------------------------------------
def _alert_id(raw) -> int | None:
    try:
        value = int(str(raw))
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2 ** 31 else None


async def _own_alert(session, *, actor: str, raw_id, verb: str) -> Alert | None:
    """The alert if it was sent to this person; anything else (forged, someone else's) is refused and audited."""
    alert_id = _alert_id(raw_id)
    alert = await repo.get_alert(session=session, alert_id=alert_id, lock=True) if alert_id else None
    if alert is None or alert.recipient_aad_id != actor:
        audit.record(session=session, actor_aad_id=actor, action=f"alert.{verb}_denied", entity_type="alert",
                     entity_id=str(alert_id) if alert_id else None)
        return None
    return alert


async def _done_card(session, alert: Alert, status_line: str) -> dict:
    child = await repo.get_child(session=session, child_id=alert.child_id)
    return alert_done_card(kind=AlertKind(alert.kind), child_initials=initials(child.first_name, child.last_name),
                           local_id=child.local_id, figures=repo.figures_of(alert), status_line=status_line)


NOT_YOURS = "I couldn't find an alert of yours with that button, so nothing was changed."


async def acknowledge(services: Services, *, actor: str, alert_id) -> Outcome:
    now = services.now()
    tz = ZoneInfo(services.settings.timezone)
    async with services.sessions() as session:
        alert = await _own_alert(session, actor=actor, raw_id=alert_id, verb="ack")
        if alert is None:
            await session.commit()
            return Outcome(False, NOT_YOURS)
        if alert.status == AlertStatus.ACKNOWLEDGED:
            when = alert.acted_at.astimezone(tz).strftime("%d %b %H:%M") if alert.acted_at else "earlier"
            line = f"Acknowledged by you, {when}"
            return Outcome(True, f"That alert was already acknowledged ({when}).", await _done_card(session, alert, line))
        await repo.set_status(session=session, alert_id=alert.id, status=AlertStatus.ACKNOWLEDGED, at=now)
        audit.record(session=session, actor_aad_id=actor, action="alert.ack", entity_type="alert",
                     entity_id=str(alert.id), detail={"kind": alert.kind, "child_id": alert.child_id})
        card = await _done_card(session, alert, f"Acknowledged by you, {now.astimezone(tz).strftime('%d %b %H:%M')}")
        await session.commit()
    return Outcome(True, "Acknowledged — thank you. It won't come back.", card)


async def snooze(services: Services, *, actor: str, alert_id) -> Outcome:
    now = services.now()
    tz = ZoneInfo(services.settings.timezone)
    days = services.settings.alert_snooze_days
    async with services.sessions() as session:
        alert = await _own_alert(session, actor=actor, raw_id=alert_id, verb="snooze")
        if alert is None:
            await session.commit()
            return Outcome(False, NOT_YOURS)
        if alert.status == AlertStatus.ACKNOWLEDGED:
            return Outcome(False, "That alert is already acknowledged, so there is nothing to snooze.",
                           await _done_card(session, alert, "Acknowledged"))
        # Back on the morning `days` days on, before that day's run (or the next school day's).
        until = datetime.combine(_local_day(services, now) + timedelta(days=days), time(6, 0), tzinfo=tz)
        await repo.set_status(session=session, alert_id=alert.id, status=AlertStatus.SNOOZED, at=now,
                              snoozed_until=until)
        audit.record(session=session, actor_aad_id=actor, action="alert.snooze", entity_type="alert",
                     entity_id=str(alert.id), detail={"until": until.date().isoformat()})
        card = await _done_card(session, alert, snoozed_line(until, tz))
        await session.commit()
    return Outcome(True, f"Snoozed for {days} days. If it still applies then, it will come back.", card)


async def referral_values(services: Services, *, actor: str, alert_id) -> dict | None:
    """The referral form's values from the child's record, for the person the alert was sent to (who works with
    the child); audited as a read of the child's details. None when the alert is not theirs."""
    async with services.sessions() as session:
        alert = await _own_alert(session, actor=actor, raw_id=alert_id, verb="refer")
        if alert is None:
            await session.commit()
            return None
        child = await repo.get_child(session=session, child_id=alert.child_id)
        values = {"child_first_name": child.first_name, "child_last_name": child.last_name,
                  "child_dob": child.date_of_birth.isoformat(), "home_postcode": child.home_postcode or "",
                  "school_name": await repo.school_name(session=session, school_id=child.school_id) or "",
                  "legal_status": child.legal_status}
        if AlertKind(alert.kind) not in PEP_ALERTS:
            values["reasons"] = "attendance"
        if child.social_worker_aad_id == actor:
            values.update(referrer_role="social_worker", is_allocated_sw="true")
        audit.record(session=session, actor_aad_id=actor, action="alert.refer", entity_type="child",
                     entity_id=str(child.id), detail={"alert_id": alert.id})
        await session.commit()
    return {k: v for k, v in values.items() if v}


# --- the weekly digest ---------------------------------------------------------------------------------------
def first_working_day_of_week(day: date) -> bool:
    monday = day - timedelta(days=day.weekday())
    first = next((monday + timedelta(days=n) for n in range(5) if is_working_day(monday + timedelta(days=n))), None)
    return first == day


def _working_days_before(now: datetime, days: int, tz: str) -> datetime:
    """The moment `days` working days before `now` (same local time)."""
    local = now.astimezone(ZoneInfo(tz))
    day, counted = local.date(), 0
    while counted < days:
        day -= timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return datetime.combine(day, local.timetz())


@dataclass(frozen=True)
class Digest:
    manager: str
    card: dict
    counts: dict


async def build_digests(services: Services, *, now: datetime) -> list[Digest]:
    """One digest per active manager, over the localities they manage (the triage manager also gets children and
    referrals outside every locality; a manager of no locality sees every locality)."""
    settings = services.settings
    top = settings.digest_top_items
    today = _local_day(services, now)
    week_of = today - timedelta(days=today.weekday())
    async with services.sessions() as session:
        await repo.prepare_for_aggregates(session=session)
        managers = await directory.managers(session=session)
        localities = await directory.list_localities(session=session)
        triage = await repo.triage_manager(session=session)
        absence_counts, absent = await repo.digest_absence(session=session, top=top)
        pep_counts, peps = await repo.digest_overdue_peps(session=session, today=today, top=top)
        referral_counts, referrals = await repo.digest_late_referrals(
            session=session, created_before=_working_days_before(now, REFERRAL_ACK_WORKING_DAYS, settings.timezone),
            top=top)
        undelivered_total, undelivered = await repo.digest_undelivered(session=session, top=top)
        names = await directory.names_of(session=session, aad_object_ids=[d.recipient_aad_id for d in undelivered])
    tz = ZoneInfo(settings.timezone)
    undelivered_lines = [f"{_summary_of(d) or 'A message'} → {names.get(d.recipient_aad_id, d.recipient_aad_id)} · "
                         f"{'no chat with the assistant' if d.status == 'no_reference' else d.last_error or d.status}"
                         for d in undelivered]
    digests = []
    for manager in managers:
        managed = sorted(loc.name for loc in localities if loc.manager_aad_id == manager)
        everything = not managed

        def mine(owner, manager=manager, everything=everything) -> bool:
            return everything or owner == manager or (owner is None and manager == triage)

        persistent = sum(n for (owner, _), n in absence_counts.items() if mine(owner))
        severe = sum(n for (owner, level), n in absence_counts.items() if mine(owner) and level == "severe")
        absent_items = sorted((i for i in absent if mine(i.manager)), key=lambda i: i.fields["rank"])[:top]
        pep_items = sorted((i for i in peps if mine(i.manager)), key=lambda i: i.fields["due_date"])[:top]
        ref_items = sorted((i for i in referrals if mine(i.manager)), key=lambda i: str(i.fields["created_at"]))[:top]
        card = digest_card(
            week_of=week_of, scope=", ".join(managed) if managed else "all localities",
            absence=(persistent, severe, [_absence_line(i.fields) for i in absent_items]),
            overdue_peps=(sum(n for owner, n in pep_counts.items() if mine(owner)),
                          [_pep_line(i.fields, today) for i in pep_items]),
            late_referrals=(sum(n for owner, n in referral_counts.items() if mine(owner)),
                            [_referral_line(i.fields, now, tz) for i in ref_items]),
            undelivered=(undelivered_total, undelivered_lines))
        digests.append(Digest(manager, card, {"persistent": persistent, "severe": severe}))
    return digests


def _summary_of(delivery) -> str:
    return outbox.payload_of(delivery).summary


def _absence_line(f: dict) -> str:
    figures = [f"{f['four_weeks']:g}% last 4 weeks" if f.get("four_weeks") is not None else None,
               f"{f['term']:g}% term" if f.get("term") is not None else None]
    return (f"{initials(f['first_name'], f['last_name'])} · {f['local_id']} — {f['level']}: "
            + ", ".join(x for x in figures if x))


def _pep_line(f: dict, today: date) -> str:
    late = (today - f["due_date"]).days
    return (f"{initials(f['first_name'], f['last_name'])} · {f['local_id']} — due {f['due_date'].strftime('%d %b')} "
            f"({late} day{'s' if late != 1 else ''} overdue)")


def _referral_line(f: dict, now: datetime, tz: ZoneInfo) -> str:
    created = f["created_at"]
    if isinstance(created, str):
        created = datetime.fromisoformat(created)
    if created.tzinfo is None:
        created = created.replace(tzinfo=ZoneInfo("UTC"))
    days = (now - created).days
    return f"{f['reference']} · {f['locality'] or 'Triage'} · received {created.astimezone(tz).strftime('%d %b')} ({days} days)"


async def manager_digest(services: Services, *, now: datetime) -> int:
    """Monday's digest to every manager, once a week (the key carries the ISO week)."""
    digests = await build_digests(services, now=now)
    year, week, _ = _local_day(services, now).isocalendar()
    async with services.sessions() as session:
        added = await outbox.enqueue_many(session=session, messages=[
            {"key": _key(DIGEST_JOB, d.manager, "digest", f"{year}-W{week:02d}"), "recipient_aad_id": d.manager,
             "card": d.card, "summary": "Weekly digest"} for d in digests])
        await session.commit()
    return added
