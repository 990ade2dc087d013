"""What the benchmarks share: the PostgreSQL server they make their own databases on, and percentiles."""
from __future__ import annotations

import os

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
