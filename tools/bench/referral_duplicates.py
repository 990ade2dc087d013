"""The duplicate check's lookup (storage.referrals.open_for_child) on 50,000 referrals, on SQLite and PostgreSQL:
the query plan (it must use ix_referral_child_key) and p50/p99 of 200 lookups.

    .venv/bin/python tools/bench/referral_duplicates.py   # PostgreSQL from VSB_TEST_PG_URL (default: local `test`)
"""
import asyncio
import os
import tempfile
import time
import uuid
from datetime import date, timedelta
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import create_async_engine
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import Referral
from storage import referrals

N = 50_000

async def run(url, admin=None, name=None):
    if admin:
        a = create_async_engine(admin, isolation_level="AUTOCOMMIT")
        async with a.connect() as c:
            await c.execute(text(f'CREATE DATABASE "{name}"'))
        await a.dispose()
    engine = create_engine(url)
    await upgrade(engine)
    rows = [dict(reference=f"VS-2026-{i:06d}", submit_token=uuid.uuid4().hex, status="new" if i % 3 else "closed",
                 version=1, child_first_name=f"Child{i}", child_last_name="Example", child_dob=date(2010, 1, 1) + timedelta(days=i % 3000),
                 home_postcode="HA1 2AB", school_name="S", legal_status="cin", reasons="attendance", details="d",
                 child_key=referrals.child_key(f"Child{i}", "Example", date(2010, 1, 1) + timedelta(days=i % 3000)),
                 referrer_aad_id="x", referrer_role="social_worker") for i in range(N)]
    async with engine.begin() as conn:
        for i in range(0, N, 5000):
            await conn.execute(insert(Referral.__table__), rows[i:i + 5000])
    key = rows[N // 2 + 1]["child_key"]
    async with session_factory(engine)() as s:
        q = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        plan = (await s.execute(text(q + "SELECT * FROM referral WHERE child_key = :k AND status IN ('new','accepted','info_requested','info_received')"), {"k": key})).all()
        print(engine.dialect.name, "plan:", [tuple(r) for r in plan])
        times = []
        for _ in range(200):
            t = time.perf_counter()
            found = await referrals.open_for_child(session=s, key=key)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        print(engine.dialect.name, f"{N} referrals: open_for_child p50 {times[100]:.2f} ms p99 {times[197]:.2f} ms, found {len(found)}")
    await engine.dispose()
    if admin:
        a = create_async_engine(admin, isolation_level="AUTOCOMMIT")
        async with a.connect() as c:
            await c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        await a.dispose()

async def main():
    with tempfile.TemporaryDirectory() as tmp:
        await run(f"sqlite+aiosqlite:///{tmp}/dup.db")
    admin = os.environ.get("VSB_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    name = "vsbot_dupbench_" + uuid.uuid4().hex[:6]
    await run(admin.rsplit("/", 1)[0] + f"/{name}", admin=admin, name=name)

asyncio.run(main())
