"""Every scheduled job, declared in one place: its name, what it runs and when.

Each job is an async function of (runtime, now) returning a one-line summary; `vsbot jobs run NAME --now`
runs the same function with a chosen clock. Jobs are idempotent (outbox keys), so a rerun sends nothing twice.
Business jobs call a capability's service; the messages they queue are delivered by the outbox sender."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Awaitable, Callable
from zoneinfo import ZoneInfo

from dialogs.referrals import service as referrals
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


JOBS: dict[str, Job] = {job.name: job for job in (
    Job("referral-sla", "nudge managers about referrals unacknowledged after 2 working days", referral_sla,
        {"day_of_week": "mon-fri", "hour": "8-17", "minute": "0,30"}, working_days_only=True),
    Job("purge", "retention: closed referrals, idle state, old FAQ questions and forwards, delivered content", purge,
        {"hour": 2, "minute": 30}),
    Job("outbox", "retry proactive messages that could not be sent at once", outbox, {"minute": "*"}),
)}


async def run_job(name: str, runtime, now: datetime) -> str:
    job = JOBS[name]
    local_day = now.astimezone(ZoneInfo(runtime.settings.timezone)).date()
    if job.working_days_only and not is_working_day(local_day):
        return f"skipped: {local_day.isoformat()} is not a working day"
    return await job.run(runtime, now)
