"""APScheduler in one process at a time: a leader lease row in the database, renewed, taken over when stale.

APScheduler 3 cannot share a job store between processes, so every instance declares the jobs (memory job
store, explicit ids, replace_existing) and only the lease holder runs them; the jobs are idempotent anyway."""
from __future__ import annotations

import asyncio
import logging
import os
import socket

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from bot.jobs import JOBS, cron_of, run_job
from storage import leases
from storage.clock import utcnow

log = logging.getLogger("vsbot.scheduler")
LEASE_NAME = "scheduler"
LEASE_SECONDS = 60
RENEW_SECONDS = 20


async def try_acquire_lease(services, holder: str, *, now=None, seconds: int = LEASE_SECONDS) -> bool:
    return await leases.try_acquire(sessions=services.sessions, name=LEASE_NAME, holder=holder, now=now or utcnow(),
                                    seconds=seconds)


class LeaderScheduler:
    def __init__(self, runtime):
        self.runtime = runtime
        self.services = runtime.services
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self.is_leader = False
        self._running: set[asyncio.Task] = set()  # job runs in progress, which a stop lets finish
        self.scheduler = AsyncIOScheduler(timezone=runtime.settings.timezone,
                                          job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300})

    def start(self) -> None:
        for name, job in JOBS.items():
            self.scheduler.add_job(self._run, CronTrigger(timezone=self.services.settings.timezone,
                                                          **cron_of(job, self.runtime.settings)),
                                   args=[name], id=name, name=name, replace_existing=True)
        self.scheduler.add_job(self._renew, "interval", seconds=RENEW_SECONDS, id="lease", name="lease",
                               replace_existing=True,
                               next_run_time=utcnow())
        self.scheduler.start()

    async def _renew(self) -> None:
        try:
            leader = await try_acquire_lease(self.services, self.holder)
        except Exception:  # noqa: BLE001 - a database blip must not kill the scheduler; retry next tick
            log.warning("lease renewal failed")
            leader = False
        if leader != self.is_leader:
            log.info("scheduler leadership %s holder=%s", "taken" if leader else "lost", self.holder)
        self.is_leader = leader

    async def _run(self, name: str) -> None:
        if not self.is_leader:
            return
        task = asyncio.current_task()
        self._running.add(task)
        try:
            summary = await run_job(name, self.runtime, self.services.now())
            if summary:
                log.info("job %s: %s", name, summary)
        except Exception:  # noqa: BLE001 - one failed run is logged; the next run tries again
            log.exception("job %s failed", name)
        finally:
            self._running.discard(task)

    def shutdown(self) -> None:
        """No new runs (a run in progress goes on; `stop` waits for it)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    async def stop(self, timeout: float = 15.0) -> None:
        """No new runs, and a run in progress gets `timeout` seconds to finish: cancelled mid-commit at shutdown,
        it left a traceback in the log (jobs are idempotent, so a run cut short is only redone)."""
        self.shutdown()
        if self._running:
            _done, pending = await asyncio.wait(set(self._running), timeout=timeout)
            if pending:
                log.warning("stopping with %s job run(s) unfinished; the next run redoes them", len(pending))
