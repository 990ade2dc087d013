"""Every scheduled job, declared in one place: its name, what it runs and when.

Each job is an async function of (runtime, now) returning a one-line summary; `vsbot jobs run NAME --now`
runs the same function with a chosen clock. Jobs are idempotent (outbox keys), so a rerun sends nothing twice.
Business jobs call a capability's service; the messages they queue are delivered by the outbox sender."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Awaitable, Callable
from zoneinfo import ZoneInfo

from dialogs.alerts import service as alerts
from dialogs.referrals import service as referrals
from dialogs.surgeries import service as surgeries
from storage import faq_log
from storage import outbox as outbox_store
from storage.bot_state import purge_idle
from storage.working_days import is_working_day


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    run: Callable[..., Awaitable[str]]
    cron: dict  # APScheduler CronTrigger fields, in VSB_TIMEZONE
    working_days_only: bool = False  # no sends at weekends or on England's bank holidays
    # Another reason a day is skipped (school holidays; the digest's day), or None to run: (local day, settings).
    skip: Callable[[date, object], str | None] | None = None


def school_days_only(day: date, settings) -> str | None:
    """Alerts about school go on school days: weekdays that are not bank holidays or configured school holidays."""
    if not is_working_day(day):
        return f"{day.isoformat()} is not a working day"
    if not settings.school_calendar.in_term(day):
        return f"{day.isoformat()} is in a school holiday (VSB_TERM_DATES / VSB_SCHOOL_HOLIDAYS)"
    return None


def digest_day(day: date, _settings) -> str | None:
    """Monday's digest; after a bank holiday Monday, on the week's first working day."""
    if not alerts.first_working_day_of_week(day):
        return f"{day.isoformat()} is not the first working day of its week (the digest's day)"
    return None


async def pep_nudges(runtime, now: datetime) -> str:
    return (await alerts.pep_nudges(runtime.services, now=now)).summary("PEP")


async def attendance_alerts(runtime, now: datetime) -> str:
    return (await alerts.attendance_alerts(runtime.services, now=now)).summary("attendance")


async def manager_digest(runtime, now: datetime) -> str:
    sent = await alerts.manager_digest(runtime.services, now=now)
    return f"{sent} digest(s) queued" + ("" if sent else " (this week's were queued already)")


async def referral_sla(runtime, now: datetime) -> str:
    count = await referrals.nudge_managers(runtime.services, now=now)
    return f"{count} manager nudge(s) for referrals unacknowledged after 2 working days"


async def purge(runtime, now: datetime) -> str:
    """Retention: closed referrals (with their messages), idle conversation state (abandoned forms), old FAQ
    questions with any copies passed to staff, and the content of messages already delivered."""
    services, settings = runtime.services, runtime.settings
    purged = await referrals.purge(services, now=now)
    states = await purge_idle(runtime.engine, idle_before=now - timedelta(days=settings.state_retention_days))
    async with services.sessions() as session:
        questions = await faq_log.purge_before(session=session, before=now - timedelta(days=settings.faq_retention_days))
        forwards = await outbox_store.purge_faq_forwards(session=session)
        payloads = await outbox_store.purge_payloads(session=session,
                                                     sent_before=now - timedelta(days=settings.delivery_retention_days))
        await session.commit()
    return (f"{len(purged)} closed referral(s) past retention purged, {states} idle conversation state(s), "
            f"{questions} old FAQ question(s), {forwards} copy(ies) of questions passed to staff, "
            f"{payloads} delivered message(s)' content")


async def outbox(runtime, now: datetime) -> str:  # noqa: ARG001 - the outbox decides what is due itself
    """The sweep behind the dispatcher (which is woken on every commit and polls every few seconds)."""
    sent = await runtime.sender.drain()
    return f"{sent} queued message(s) sent" if sent else ""  # every minute: say nothing when there was nothing


async def surgery_reminders(runtime, now: datetime) -> str:
    reminders, lists = await surgeries.send_reminders(runtime.services, now=now)
    return f"{reminders} surgery reminder(s), {lists} attendee list(s) queued"


async def surgery_offers(runtime, now: datetime) -> str:
    passed = await surgeries.expire_offers(runtime.services, now=now)
    return f"{passed} expired surgery offer(s) passed on" if passed else ""  # every 5 minutes: quiet when idle


JOBS: dict[str, Job] = {job.name: job for job in (
    Job("referral-sla", "nudge managers about referrals unacknowledged after 2 working days", referral_sla,
        {"day_of_week": "mon-fri", "hour": "8-17", "minute": "0,30"}, working_days_only=True),
    Job("purge", "retention: closed referrals, idle state, old FAQ questions and forwards, delivered content", purge,
        {"hour": 2, "minute": 30}),
    Job("outbox", "retry proactive messages that could not be sent at once", outbox, {"minute": "*"}),
    # Hourly through the day: the first run on a day sends what is due; later runs (or a second instance)
    # find the outbox keys taken and send nothing again.
    Job("surgery-reminders", "surgery reminders the working day before; attendee lists to hosts on the day",
        surgery_reminders, {"hour": "8-18", "minute": 0}),
    Job("surgery-offers", "pass surgery places offered from a waiting list on when the offer runs out",
        surgery_offers, {"minute": "*/5"}),
    Job("pep-nudges", "PEP reviews due in 14 days, in 3 days (reminder) and overdue", pep_nudges,
        {"day_of_week": "mon-fri", "hour": 7, "minute": 30}, skip=school_days_only),
    Job("attendance-alerts", "attendance crossing persistent (90%) or severe (50%) absence, or dropping 10 points",
        attendance_alerts, {"day_of_week": "mon-fri", "hour": 7, "minute": 30}, skip=school_days_only),
    Job("manager-digest", "the managers' weekly digest (Monday 08:00)", manager_digest,
        {"day_of_week": "mon-fri", "hour": 8, "minute": 0}, skip=digest_day),
)}


def cron_of(job: Job, settings) -> dict:
    """The job's schedule, unless VSB_JOB_SCHEDULE moves it."""
    return dict(settings.job_schedule.get(job.name) or job.cron)


async def run_job(name: str, runtime, now: datetime) -> str:
    job = JOBS[name]
    local_day = now.astimezone(ZoneInfo(runtime.settings.timezone)).date()
    if job.working_days_only and not is_working_day(local_day):
        return f"skipped: {local_day.isoformat()} is not a working day"
    reason = job.skip(local_day, runtime.settings) if job.skip else None
    if reason:
        return f"skipped: {reason}"
    return await job.run(runtime, now)
