"""What the benchmarks share: the PostgreSQL server they make their own databases on, and percentiles."""
from __future__ import annotations

import os
import uuid
from contextlib import asynccontextmanager

PG_ADMIN_URL = os.environ.get("VSB_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def percentile(values: list[float], q: float) -> float:
    """The value at quantile q (nearest rank); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def pg_admin(statement: str, url: str = PG_ADMIN_URL) -> None:
    """One statement outside a transaction (CREATE or DROP DATABASE) on the benchmark's PostgreSQL server."""
    from sqlalchemy import text  # pylint: disable=import-outside-toplevel
    from sqlalchemy.ext.asyncio import create_async_engine  # pylint: disable=import-outside-toplevel

    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


@asynccontextmanager
async def pg_database(server_url: str = PG_ADMIN_URL):
    """A database of the benchmark's own on that PostgreSQL server: its URL, and it is dropped afterwards. Entering
    raises if the server cannot be reached (callers report that as skipped)."""
    name = f"vsbot_bench_{uuid.uuid4().hex[:8]}"
    await pg_admin(f'CREATE DATABASE "{name}"', server_url)
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', server_url)


async def publish_group_surgery(services, *, title: str, places: int):
    """A group surgery three weeks on (15:30-16:30) with `places` places, published as staff would: (the surgery,
    its one slot's id)."""
    from datetime import datetime, timedelta  # pylint: disable=import-outside-toplevel
    from zoneinfo import ZoneInfo  # pylint: disable=import-outside-toplevel

    from sqlalchemy import select  # pylint: disable=import-outside-toplevel

    from dialogs.surgeries import service  # pylint: disable=import-outside-toplevel
    from dialogs.surgeries.rules import validate  # pylint: disable=import-outside-toplevel
    from storage.models import SurgerySlot  # pylint: disable=import-outside-toplevel

    tz = services.settings.timezone
    day = (datetime.now(ZoneInfo(tz)) + timedelta(days=21)).date()
    plan, errors = validate({"title": title, "audience": "all", "date": day.isoformat(), "start_time": "15:30",
                             "end_time": "16:30", "kind": "group", "places": str(places), "venue": "Bench room"},
                            now=services.now(), tz=tz)
    if errors:
        raise RuntimeError(f"bench surgery not valid: {errors}")
    [surgery] = (await service.publish(services, actor_aad_id=None, plan=plan)).surgeries
    async with services.sessions() as session:
        slot_id = await session.scalar(select(SurgerySlot.id).where(SurgerySlot.surgery_id == surgery.id))
    return surgery, slot_id
