"""Leases: one holder at a time for a named role (the scheduler), renewed, taken over when stale."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import SchedulerLease


async def try_acquire(*, sessions: async_sessionmaker[AsyncSession], name: str, holder: str, now: datetime,
                      seconds: int) -> bool:
    """Take or renew the lease: True if `holder` holds it for the next `seconds`."""
    async with sessions() as session:
        result = await session.execute(
            update(SchedulerLease)
            .where(SchedulerLease.name == name, (SchedulerLease.holder == holder) | (SchedulerLease.expires_at < now))
            .values(holder=holder, expires_at=now + timedelta(seconds=seconds))
        )
        if result.rowcount == 1:
            await session.commit()
            return True
        await session.rollback()
    async with sessions() as session:
        session.add(SchedulerLease(name=name, holder=holder, expires_at=now + timedelta(seconds=seconds)))
        try:
            await session.commit()
            return True
        except IntegrityError:  # someone else holds a live lease
            await session.rollback()
            return False
