"""Only one process runs the jobs: the lease row is taken, renewed, refused to others, taken over when stale."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.app import build_runtime
from bot.jobs import JOBS
from bot.scheduler import LeaderScheduler, try_acquire_lease
from tests.conftest import make_settings


@pytest.fixture
async def runtime(database_url):
    built = build_runtime(make_settings(database_url), load_faq=False)
    yield built
    await built.close()


async def test_lease_is_exclusive_renewable_and_taken_over_when_stale(runtime):
    services = runtime.services
    t0 = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
    assert await try_acquire_lease(services, "a", now=t0)
    assert not await try_acquire_lease(services, "b", now=t0 + timedelta(seconds=10))
    assert await try_acquire_lease(services, "a", now=t0 + timedelta(seconds=30))  # renewal
    assert not await try_acquire_lease(services, "b", now=t0 + timedelta(seconds=80))  # renewed until +90
    assert await try_acquire_lease(services, "b", now=t0 + timedelta(seconds=91))  # a went quiet
    assert not await try_acquire_lease(services, "a", now=t0 + timedelta(seconds=92))


async def test_scheduler_declares_every_job_once_with_explicit_ids(runtime):
    scheduler = LeaderScheduler(runtime)
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


async def test_a_follower_does_not_run_jobs(runtime):
    assert await try_acquire_lease(runtime.services, "someone-else")
    follower = LeaderScheduler(runtime)
    await follower._renew()  # pylint: disable=protected-access
    assert follower.is_leader is False
