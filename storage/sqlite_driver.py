"""SQLite through aiosqlite with one trip to its thread a statement (issue 8).

SQLAlchemy's aiosqlite adapter makes three or four trips to aiosqlite's thread for each statement (make a cursor,
execute, fetch, close), and one more for the pool's rollback when a connection goes back after a commit. Each
trip waits for the event loop to come round, so under load the one writer connection was held for all of them:
a state write took 8 trips and a referral submission about 60, and writers queued behind that (measured: the
writer was busy 85% of the time at 105 referral turns a second). Here a statement is one trip (the cursor is
made, run, read and closed in the thread), and commit or rollback is no trip at all when SQLite has no
transaction open. Inside `statements_inline()` (short transactions: a referral, a booking, the outbox's work) a
statement that cannot wait for a lock takes no trip at all. The adapter is a subclass passed to SQLAlchemy as the
DBAPI module (`module=`), so the installed packages are not patched and the URL stays `sqlite+aiosqlite://`.

It relies on `aiosqlite.Connection._execute` (run a callable on the connection's thread), which is private:
aiosqlite is pinned in constraints.txt and tests/test_speed_paths.py fails if this path stops working.
"""
from __future__ import annotations

import collections
import contextlib
import contextvars
import sqlite3
from typing import Any, Iterator

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (AsyncAdapt_aiosqlite_connection, AsyncAdapt_aiosqlite_cursor,
                                                  AsyncAdapt_aiosqlite_dbapi)
from sqlalchemy.util.concurrency import await_

_EMPTY: dict = {}
_INLINE: contextvars.ContextVar[bool] = contextvars.ContextVar("vsb_sqlite_inline", default=False)


@contextlib.contextmanager
def statements_inline() -> Iterator[None]:
    """Inside this block, statements that cannot wait for a lock run on the event loop's thread instead of a trip
    to aiosqlite's: those of a write transaction once its BEGIN has the lock, and all of a read-only connection's
    (under WAL a read never waits for a writer). For short transactions of small indexed statements (a referral,
    a booking, the outbox's claims): each trip waits for the busy event loop to come round, and a writer held the
    one write connection across all of them, so that in a burst the next writers queued for hundreds of
    milliseconds (measured, issue 8). A writer's BEGIN (which may wait for another process's lock) and COMMIT
    (which syncs to disk) still go to the thread."""
    token = _INLINE.set(True)
    try:
        yield
    finally:
        _INLINE.reset(token)


def _run(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool):
    """In aiosqlite's thread: the whole statement, its rows and its counts, in one go."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else ()
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose statement runs in one trip; it holds results, not an aiosqlite cursor."""

    __slots__ = ("_description", "_rowcount", "_lastrowid")

    def __init__(self, adapt_connection):  # pylint: disable=super-init-not-called - no aiosqlite cursor is made
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None
        self._rows = collections.deque()
        self._soft_closed_memoized = _EMPTY
        self._description, self._rowcount, self._lastrowid = None, -1, None

    @property
    def description(self):
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self):
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        pass

    async def _async_soft_close(self) -> None:
        return  # nothing is open: the statement's cursor closed in the thread

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation, parameters=None):
        return self._go(operation, parameters, False)

    def executemany(self, operation, seq_of_parameters):
        return self._go(operation, seq_of_parameters, True)

    def _go(self, operation, parameters, many: bool) -> None:
        try:
            connection: aiosqlite.Connection = self._connection
            if self._adapt_connection.inline() and (connection._conn.in_transaction
                                                    or self._adapt_connection.reads_only):
                # statements_inline(): this cannot wait for a lock (a read, or the write lock is held already),
                # so it runs here, without a trip.
                result = _run(connection._conn, operation, parameters, many)
            else:
                result = await_(self._in_thread(operation, parameters, many))
        except Exception as error:  # noqa: BLE001 - translated to the DBAPI's exception, as the base class does
            self._adapt_connection._handle_exception(error)
        self._description, rows, self._rowcount, self._lastrowid = result
        self._rows = collections.deque(rows)

    async def _in_thread(self, operation, parameters, many: bool):
        connection: aiosqlite.Connection = self._connection
        async with self._adapt_connection._execute_mutex:
            return await connection._execute(_run, connection._conn, operation, parameters, many)

    def nextset(self) -> None:
        return None

    def setinputsizes(self, *inputsizes) -> None:
        return None


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("reads_only",)
    _cursor_cls = OneTripCursor

    def inline(self) -> bool:
        """Inside statements_inline(), with nothing of this connection in aiosqlite's thread."""
        return (_INLINE.get() and self._connection._conn is not None
                and not self._execute_mutex.locked())

    def cursor(self, server_side: bool = False):
        # Server-side cursors are not used here; a buffered one serves both.
        return OneTripCursor(self)

    def _open(self) -> bool:
        # Read from the event loop's thread, as aiosqlite's own `in_transaction` does: nothing else runs on this
        # connection meanwhile (SQLAlchemy uses a connection from one task at a time).
        return bool(self._connection._connection) and self._connection.in_transaction

    def rollback(self) -> None:
        if self._open():
            if self.reads_only and self.inline():
                self._connection._conn.rollback()  # the end of a read: nothing to wait for
                return
            super().rollback()

    def commit(self) -> None:
        if self._open():
            super().commit()


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as SQLAlchemy's adapter does: a stuck thread must not hold up exit
        adapted = OneTripConnection(self, await_(connection))
        adapted.reads_only = False  # set by storage.db for the reader engine's connections
        return adapted


async def run_in_sqlite_thread(conn, fn, *args):
    """Run fn(sqlite3_connection, *args) in the thread of `conn` (an AsyncConnection from an engine made with
    dbapi() that has begun no transaction): a whole transaction in one trip. fn must end what it begins."""
    raw = await conn.get_raw_connection()
    driver: aiosqlite.Connection = raw.driver_connection
    async with raw.dbapi_connection._execute_mutex:
        return await driver._execute(lambda: fn(driver._conn, *args))


def dbapi() -> OneTripDBAPI:
    """For create_async_engine(..., module=dbapi())."""
    return OneTripDBAPI(aiosqlite, sqlite3)
