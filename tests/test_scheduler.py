"""Only one process runs the jobs: the lease row is taken, renewed, refused to others, taken over when stale."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.jobs import JOBS
from bot.scheduler import LeaderScheduler, try_acquire_lease
from bot.services import Services
from storage.db import session_factory
from tests.conftest import make_settings


def services_for(engine, url) -> Services:
    return Services(settings=make_settings(url), engine=engine, sessions=session_factory(engine))


async def test_lease_is_exclusive_renewable_and_taken_over_when_stale(engine, database_url):
    services = services_for(engine, database_url)
    t0 = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
    assert await try_acquire_lease(services, "a", now=t0)
    assert not await try_acquire_lease(services, "b", now=t0 + timedelta(seconds=10))
    assert await try_acquire_lease(services, "a", now=t0 + timedelta(seconds=30))  # renewal
    assert not await try_acquire_lease(services, "b", now=t0 + timedelta(seconds=80))  # renewed until +90
    assert await try_acquire_lease(services, "b", now=t0 + timedelta(seconds=91))  # a went quiet
    assert not await try_acquire_lease(services, "a", now=t0 + timedelta(seconds=92))


async def test_scheduler_declares_every_job_once_with_explicit_ids(engine, database_url):
    scheduler = LeaderScheduler(services_for(engine, database_url))
    scheduler.start()
    try:
        ids = sorted(job.id for job in scheduler.scheduler.get_jobs())
        assert ids == sorted([*JOBS, "lease"])
        for name, job in JOBS.items():
            declared = scheduler.scheduler.get_job(name)
            assert declared.name == name and declared.args == (name,)
            assert str(declared.trigger).startswith("cron") and job.cron
    finally:
        scheduler.shutdown()


async def test_a_follower_does_not_run_jobs(engine, database_url):
    services = services_for(engine, database_url)
    assert await try_acquire_lease(services, "someone-else")
    follower = LeaderScheduler(services)
    await follower._renew()  # pylint: disable=protected-access
    assert follower.is_leader is False
