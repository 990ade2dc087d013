"""botbuilder `Storage` on SQL, so dialog state survives restarts and is shared by several instances.

Behaves as botbuilder's MemoryStorage does (read returns only keys found; None or "*" e_tag overwrites;
a different non-wildcard e_tag is a conflict; an empty e_tag is an error; deleting an unknown key is a
no-op), with one deliberate strengthening: every write stamps a fresh e_tag, so two instances that read
the same state cannot both write it back. Compare-and-swap happens in SQL, not in Python, so it also
holds between processes.
"""
from __future__ import annotations

import asyncio
import logging
import pickle
import time
import uuid
from collections import OrderedDict
from typing import Any

import jsonpickle
from botbuilder.core import Storage
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.clock import utcnow
from storage.db import ONE_STATEMENT, READ_ONLY
from storage.sqlite_driver import run_in_sqlite_thread
from storage.models import BotStateItem

_TABLE = BotStateItem.__table__
log = logging.getLogger("vsbot.state")
# PostgreSQL channel on which every state write names its key, so other instances drop their cached copy.
CHANNEL = "vsb_bot_state"


class EtagConflictError(KeyError):
    """Raised on a stale write. The text "Etag conflict" is what botbuilder's SSO middleware matches on."""


def _get_etag(item: Any) -> str | None:
    if isinstance(item, dict):
        return item.get("e_tag")
    return getattr(item, "e_tag", None)


def _set_etag(item: Any, e_tag: str) -> None:
    if isinstance(item, dict):
        item["e_tag"] = e_tag
    elif hasattr(item, "e_tag") or hasattr(item, "__dict__"):
        item.e_tag = e_tag


def _encode(item: Any) -> str:
    # The e_tag lives in its own column; keep it out of the payload so the two never disagree.
    if isinstance(item, dict) and "e_tag" in item:
        item = {k: v for k, v in item.items() if k != "e_tag"}
    return jsonpickle.encode(item, unpicklable=True, make_refs=False)


# Most turns read a state payload this process has decoded before (a chat with no dialog running is the same few
# bytes for everyone). jsonpickle takes ~27 µs to rebuild it, unpickling a copy of what it made ~1.3 µs (measured):
# the copy is as fresh as a new decode, so a turn that changes it changes nothing kept here. Only our own bytes are
# ever unpickled.
_DECODED: OrderedDict[str, bytes] = OrderedDict()
_DECODED_ENTRIES = 256
_DECODED_MAX_CHARS = 4096


def _decode(data: str, e_tag: str) -> Any:
    made = _DECODED.get(data)
    if made is not None:
        item = pickle.loads(made)
    else:
        item = jsonpickle.decode(data)
        if len(data) <= _DECODED_MAX_CHARS:
            try:
                _DECODED[data] = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001 - something pickle cannot copy is decoded afresh each time instead
                pass
            else:
                if len(_DECODED) > _DECODED_ENTRIES:
                    _DECODED.popitem(last=False)
    _set_etag(item, e_tag)
    return item


async def purge_idle(engine: AsyncEngine, *, idle_before) -> int:
    """Drop conversation and user state untouched since `idle_before` (a form abandoned half way holds a
    child's details; nothing else needs state that old)."""
    async with engine.begin() as conn:
        result = await conn.execute(delete(_TABLE).where(_TABLE.c.updated_at < idle_before))
    return result.rowcount


class SqlStorage(Storage):
    def __init__(self, engine: AsyncEngine, *, reader: AsyncEngine | None = None, cache_entries: int = 0,
                 cache_seconds: float = 120.0, cache_enabled: bool = True):
        """`reader`: an engine for reads (on SQLite, one that does not queue behind the writer).

        `cache_entries` > 0 keeps what this process last read or wrote for each key, for at most `cache_seconds`:
        reading a conversation's state back on every turn was a sixth of a FAQ turn (measured). On SQLite one
        process serves the file; on PostgreSQL every write NOTIFYs its key and `StateListener` drops other
        instances' copies, the cache being on only while that listener is connected (`cache_enabled`). Writes
        still compare-and-swap in SQL either way, so a stale entry costs a conflict, not a lost write; the age
        limit keeps the idle-state purge in force."""
        super().__init__()
        self._engine = engine
        # Reads begin no write transaction (SQLite: deferred BEGIN); a reader engine from reader_engine() already
        # says so, and the option is set here once rather than on every read.
        self._reader = (reader or engine).execution_options(**READ_ONLY)
        self._cache_entries = cache_entries
        self._cache_seconds = cache_seconds
        self._cache: OrderedDict[str, tuple[float, str | None, str | None]] = OrderedDict()
        self._cache_on = cache_enabled
        self._epoch = 0  # bumped by every change this process hears of; a read racing one is not cached
        self.instance = uuid.uuid4().hex[:12]  # our own NOTIFYs are not news to us
        # SQLite: how updated_at is stored (the column type's own bind processor), for writes in SQLite's thread.
        self._stamp = (_TABLE.c.updated_at.type.bind_processor(engine.dialect) or (lambda value: value)
                       if engine.dialect.name == "sqlite" else None)

    def set_cache_enabled(self, enabled: bool) -> None:
        self._cache_on = enabled
        self._cache.clear()
        self._epoch += 1

    def forget(self, key: str) -> None:
        """Another instance changed `key` (or might have): the next read goes to the database."""
        self._cache.pop(key, None)
        self._epoch += 1

    def _cached(self, key: str) -> tuple[str | None, str | None] | None:
        entry = self._cache.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry[0] > self._cache_seconds:
            del self._cache[key]
            return None
        self._cache.move_to_end(key)
        return entry[1], entry[2]

    def _remember(self, key: str, data: str | None, e_tag: str | None) -> None:
        if not self._cache_entries or not self._cache_on:
            return
        self._cache[key] = (time.monotonic(), data, e_tag)
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_entries:
            self._cache.popitem(last=False)

    async def read(self, keys: list[str]) -> dict[str, Any]:
        if not keys:
            return {}
        keys = list(dict.fromkeys(keys))
        found: dict[str, tuple[str | None, str | None]] = {}
        missing = []
        for key in keys:
            cached = self._cached(key) if self._cache_entries and self._cache_on else None
            if cached is None:
                missing.append(key)
            else:
                found[key] = cached
        if missing:
            epoch = self._epoch
            async with self._reader.connect() as conn:
                conn = await conn.execution_options(**ONE_STATEMENT)
                rows = (await conn.execute(select(_TABLE.c.key, _TABLE.c.data, _TABLE.c.e_tag)
                                           .where(_TABLE.c.key.in_(missing)))).all()
            by_key = {row.key: (row.data, row.e_tag) for row in rows}
            for key in missing:
                found[key] = by_key.get(key, (None, None))
                if epoch == self._epoch:  # nothing changed while we read: what we read may be remembered
                    self._remember(key, *found[key])  # an absent key is remembered as absent
        return {key: _decode(data, e_tag) for key, (data, e_tag) in found.items() if data is not None}

    async def write(self, changes: dict[str, Any]) -> None:
        if changes is None:
            raise Exception("Changes are required when writing")  # pylint: disable=broad-exception-raised
        if not changes:
            return
        rows: list[tuple[str, str | None, str, str]] = []  # key, e_tag expected, payload, new e_tag
        for key, item in changes.items():
            incoming = _get_etag(item)
            if incoming == "":
                raise ValueError("SqlStorage.write(): e_tag is empty")
            rows.append((key, None if incoming == "*" else incoming, _encode(item), uuid.uuid4().hex))
        try:
            if self._engine.dialect.name == "sqlite":
                await self._write_sqlite(rows)
            else:
                await self._write_sql(rows)
        except BaseException:
            for key in changes:  # whatever the database now holds, this process no longer knows it
                self.forget(key)
            raise
        self._epoch += 1
        for key, _expected, payload, e_tag in rows:
            self._remember(key, payload, e_tag)

    async def _write_sql(self, rows) -> None:
        async with self._engine.begin() as conn:
            for key, expected, payload, new_etag in rows:
                if expected is None:
                    await conn.execute(self._upsert(key, payload, new_etag))
                else:
                    await self._compare_and_swap(conn, key, expected, payload, new_etag)
                await self._notify(conn, key)

    async def _write_sqlite(self, rows) -> None:
        """The same transaction, run in SQLite's thread in one trip: it holds the one writer connection for
        microseconds instead of a trip round the busy event loop per statement (measured, issue 8)."""
        now = self._stamp(utcnow())
        async with self._engine.connect() as conn:
            conflict = await run_in_sqlite_thread(conn, _sqlite_write, [(*row, now) for row in rows])
        if conflict is not None:
            raise EtagConflictError(conflict)

    async def delete(self, keys: list[str]) -> None:
        if not keys:
            return
        for key in keys:
            self.forget(key)
        async with self._engine.begin() as conn:
            await conn.execute(delete(_TABLE).where(_TABLE.c.key.in_(list(keys))))
            for key in keys:
                await self._notify(conn, key)

    async def _notify(self, conn, key: str) -> None:
        if conn.dialect.name == "postgresql":  # delivered on commit, to every instance listening
            await conn.execute(select(func.pg_notify(CHANNEL, f"{self.instance}:{key}")))

    # _upsert and _compare_and_swap are PostgreSQL's: SQLite writes run in its thread (_sqlite_write).
    @staticmethod
    def _upsert(key: str, payload: str, e_tag: str):
        values = {"key": key, "data": payload, "e_tag": e_tag, "updated_at": utcnow()}
        stmt = pg_insert(_TABLE).values(**values)
        return stmt.on_conflict_do_update(
            index_elements=[_TABLE.c.key], set_={"data": payload, "e_tag": e_tag, "updated_at": values["updated_at"]}
        )

    @staticmethod
    async def _compare_and_swap(conn, key: str, expected: str, payload: str, e_tag: str) -> None:
        result = await conn.execute(
            update(_TABLE)
            .where(_TABLE.c.key == key, _TABLE.c.e_tag == expected)
            .values(data=payload, e_tag=e_tag, updated_at=utcnow())
        )
        if result.rowcount == 1:
            return
        exists = (await conn.execute(select(_TABLE.c.e_tag).where(_TABLE.c.key == key))).first()
        if exists is not None:
            raise EtagConflictError(_conflict(expected, exists.e_tag))
        # Unknown key with an e_tag: MemoryStorage simply stores it. A concurrent creator wins the race.
        inserted = await conn.execute(
            pg_insert(_TABLE)
            .values(key=key, data=payload, e_tag=e_tag, updated_at=utcnow())
            .on_conflict_do_nothing(index_elements=[_TABLE.c.key])
        )
        if inserted.rowcount != 1:
            raise EtagConflictError(_conflict(expected, "(created concurrently)"))


def _conflict(expected: str, current: str) -> str:
    return f"Etag conflict.\nOriginal: {expected}\r\nCurrent: {current}"


def _sqlite_write(conn, rows) -> str | None:
    """In SQLite's thread: BotStateItem rows written as _write_sql writes them, in one transaction. Returns the
    conflict message (and writes nothing) if an e_tag no longer matches."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for key, expected, payload, new_etag, now in rows:
            if expected is None:
                conn.execute(f"INSERT INTO {_TABLE.name} (key, e_tag, data, updated_at) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT (key) DO UPDATE SET data = excluded.data, e_tag = excluded.e_tag, "
                             "updated_at = excluded.updated_at", (key, new_etag, payload, now))
                continue
            swapped = conn.execute(f"UPDATE {_TABLE.name} SET data = ?, e_tag = ?, updated_at = ? "
                                   "WHERE key = ? AND e_tag = ?", (payload, new_etag, now, key, expected)).rowcount
            if swapped == 1:
                continue
            current = conn.execute(f"SELECT e_tag FROM {_TABLE.name} WHERE key = ?", (key,)).fetchone()
            if current is not None:
                conn.execute("ROLLBACK")
                return _conflict(expected, current[0])
            # Unknown key with an e_tag: MemoryStorage simply stores it (as _compare_and_swap does).
            conn.execute(f"INSERT INTO {_TABLE.name} (key, e_tag, data, updated_at) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT (key) DO NOTHING", (key, new_etag, payload, now))
        conn.execute("COMMIT")
        return None
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


class StateListener:
    """PostgreSQL: LISTENs for other instances' state writes and drops those keys from `storage`'s cache. The
    cache is on only while this connection is up; when it drops, the cache is cleared and off until it is back."""

    def __init__(self, storage: SqlStorage, dsn: str, *, retry_seconds: float = 2.0):
        self._storage = storage
        self._dsn = dsn
        self._retry = retry_seconds
        self._task: asyncio.Task | None = None
        self.listening = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._storage.set_cache_enabled(False)

    def _on_notify(self, _conn, _pid, _channel, payload: str) -> None:
        instance, _, key = payload.partition(":")
        if instance != self._storage.instance:
            self._storage.forget(key)

    async def _run(self) -> None:
        import asyncpg  # pylint: disable=import-outside-toplevel

        while True:
            lost = asyncio.Event()
            conn = None
            try:
                conn = await asyncpg.connect(self._dsn, timeout=10)
                conn.add_termination_listener(lambda _c, lost=lost: lost.set())
                await conn.add_listener(CHANNEL, self._on_notify)
                self._storage.set_cache_enabled(True)
                self.listening.set()
                while not lost.is_set():
                    try:
                        await asyncio.wait_for(lost.wait(), 15)
                    except asyncio.TimeoutError:
                        # A connection that died without a word would leave the cache on and blind: ask.
                        await conn.fetchval("SELECT 1", timeout=5)
                log.warning("state cache off: the invalidation listener lost its connection")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the database is down or refusing: reads go to it uncached
                log.warning("state cache off: invalidation listener not connected error=%s", type(exc).__name__)
            finally:
                self._storage.set_cache_enabled(False)
                self.listening.clear()
                if conn is not None and not conn.is_closed():
                    conn.terminate()
            await asyncio.sleep(self._retry)
