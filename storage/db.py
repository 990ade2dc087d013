"""Async engine and session factory: SQLite file by default, PostgreSQL through DATABASE_URL."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from storage import sqlite_driver
from storage.sqlite_driver import statements_inline  # noqa: F401 - for services: short SQLite transactions

# Execution option for connections that only read: on SQLite they begin a deferred transaction, which runs beside
# the writer under WAL instead of queueing for the write lock.
READ_ONLY = {"vsb_read_only": True}
# For a connection that runs one statement and nothing else (SQLite: no BEGIN is sent; PostgreSQL: no effect).
ONE_STATEMENT = {"vsb_one_statement": True}


def create_engine(url: str, *, echo: bool = False, reader: bool = False) -> AsyncEngine:
    """hide_parameters: a database error's message must not carry a child's name into the logs.

    SQLite: writes are funnelled through one pooled connection, so writers in this process queue in order on the
    pool (no polling) instead of sleeping in SQLite's busy handler, which turned contention between 20 writers into
    seconds of waiting (measured). `reader=True` gives a second engine for reads that need no lock (see READ_ONLY).
    PostgreSQL: one engine; `reader` changes nothing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # The busy timeout still covers writers in other processes (the worker, the CLI) on the same file.
        engine = create_async_engine(url, echo=echo, hide_parameters=True, connect_args={"timeout": 30},
                                     pool_size=4 if reader else 1, max_overflow=0, pool_timeout=30,
                                     module=sqlite_driver.dbapi())  # one trip to its thread a statement
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
        if reader:
            event.listen(engine.sync_engine, "connect", _reads_only)
        return engine.execution_options(**READ_ONLY) if reader else engine
    # No pre-ping: it costs a round trip on every checkout (2.4% of a FAQ turn's CPU, measured). After a database
    # restart, the first statement on an old connection fails (that turn rolls back and the user is asked to try
    # again; the outbox retries its own work), and SQLAlchemy then invalidates the whole pool. pool_recycle keeps
    # connections younger than idle-session timeouts on the server side.
    return create_async_engine(url, echo=echo, hide_parameters=True, pool_size=10, max_overflow=10,
                               pool_recycle=1800)


def reader_engine(engine: AsyncEngine) -> AsyncEngine:
    """Where reads that need no transaction go (conversation state at the start of a turn). SQLite: a second engine
    whose connections read beside the one writer. PostgreSQL: the same pool in autocommit, one round trip instead
    of BEGIN, SELECT, ROLLBACK (the read was a quarter of a FAQ turn there, measured)."""
    if engine.dialect.name == "sqlite":
        return create_engine(engine.url.render_as_string(hide_password=False), reader=True)
    return engine.execution_options(isolation_level="AUTOCOMMIT", **READ_ONLY)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not the driver, emit BEGIN (see _sqlite_begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the one writer; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _reads_only(dbapi_connection, _record) -> None:
    # Its statements never wait for a lock (WAL): statements_inline() may run them on the event loop's thread.
    dbapi_connection.reads_only = True


def _sqlite_begin_immediate(connection) -> None:
    options = connection.get_execution_options()
    if options.get("vsb_one_statement"):
        return  # one statement is a transaction of its own in SQLite: no BEGIN, and so no trip for COMMIT either
    if options.get("vsb_read_only"):
        connection.exec_driver_sql("BEGIN")  # a read: a snapshot, no lock to wait for (WAL)
        return
    # A deferred transaction that reads and then writes fails at once with SQLITE_BUSY when another writer
    # got in first (no busy wait is possible there). Taking the write lock at BEGIN makes concurrent writers
    # queue on busy_timeout instead: correct under concurrent submissions, at the cost of serialising SQLite.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine, *, on_outbox_commit: Callable[[], None] | None = None
                    ) -> async_sessionmaker[AsyncSession]:
    """Sessions for repositories. `on_outbox_commit` is called after any commit that queued outbox messages,
    so the dispatcher sends them at once instead of at its next sweep."""
    if on_outbox_commit is None:
        return async_sessionmaker(engine, expire_on_commit=False)

    class OutboxAwareSession(Session):
        """A Session class of this factory's own, so the listener below sees only its sessions."""

    def after_commit(session: Session) -> None:
        if session.info.pop("outbox_enqueued", False):
            on_outbox_commit()

    def after_rollback(session: Session) -> None:
        session.info.pop("outbox_enqueued", None)

    event.listen(OutboxAwareSession, "after_commit", after_commit)
    event.listen(OutboxAwareSession, "after_soft_rollback", lambda session, _previous: after_rollback(session))
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=OutboxAwareSession)


# What a unique constraint raises when two writers race (callers outside storage/ catch it by this name).
UniqueViolation = IntegrityError


async def ping(engine: AsyncEngine) -> None:
    """Raises if the database cannot be reached."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))
