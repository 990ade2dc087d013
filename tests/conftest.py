"""Fixtures that start, yield and stop real things: databases (SQLite and PostgreSQL), the bot's aiohttp
app on a free port, and a fake Bot Connector. Nothing here mocks the database."""
from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import inspect
import os
import shutil
import socket
import threading
import uuid
import warnings
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import build_runtime, create_app
from bot.settings import Settings
from dialogs.faq.knowledge.loader import DEFAULT_KB_PATH, KnowledgeBaseStore, _Loaded
from storage.db import create_engine, session_factory
from storage.demo import seed
from storage.migrate import upgrade
from tests.utils.teams import FakeConnector
from tests.utils.tokens import KeyServer


def _current_loop():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            return asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:
            return None


@pytest.fixture(autouse=True)
def _close_the_loop_asyncio_run_orphans(request):
    """pytest-asyncio leaves an event loop set as current between tests; a synchronous test that calls
    asyncio.run (the CLI's commands, the bench) ends with no current loop, orphaning that one unclosed. Its
    self-pipe socket then raised a ResourceWarning in whichever test the garbage collector ran during, failing a
    random test now and then. Close it here instead."""
    if inspect.iscoroutinefunction(request.function):
        yield
        return
    before = _current_loop()
    yield
    if before is not None and _current_loop() is not before and not before.is_running() and not before.is_closed():
        before.close()

PG_ADMIN_URL = os.environ.get("VSB_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
SEED_DAY = date(2026, 11, 23)  # a Monday; tests that care about dates pass their own clock


def _backends() -> list[str]:
    chosen = os.environ.get("VSB_TEST_DATABASES", "sqlite,postgresql")
    return [b.strip() for b in chosen.split(",") if b.strip()]


@pytest.fixture(scope="session")
def matcher():
    """The shipped knowledge base's matcher, built once (FAQ tests that need another define their own)."""
    from dialogs.faq.knowledge.loader import load_knowledge_base  # pylint: disable=import-outside-toplevel
    from dialogs.faq.knowledge.matcher import Matcher  # pylint: disable=import-outside-toplevel

    return Matcher(load_knowledge_base())


@pytest.fixture(scope="session")
def pg_template() -> str:
    """A migrated PostgreSQL template database, created once per session; each test clones it."""
    name = f"vsbot_tpl_{uuid.uuid4().hex[:8]}"

    async def make():
        await _pg_admin(f'CREATE DATABASE "{name}"')
        engine = create_engine(_pg_url(name))
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    try:
        _run_in_thread(make())
    except OSError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({exc}); start it or set "
                    "VSB_TEST_DATABASES=sqlite", pytrace=False)
    yield name
    _run_in_thread(_drop_pg(name))


@pytest.fixture(scope="session")
def pg_seeded_template(pg_template) -> str:
    """The migrated template plus the demo seed (SEED_DAY), created once per session for tests using `seeded`."""
    name = f"vsbot_tpls_{uuid.uuid4().hex[:8]}"

    async def make():
        await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
        await _seed(_pg_url(name))

    _run_in_thread(make())
    yield name
    _run_in_thread(_drop_pg(name))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, created once per session; each test gets a copy (migrations are tested by
    test_migrations and by building this file, not again for every test)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "migrated.db"

    async def make():
        engine = create_engine(_sqlite_url(path))
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    _run_in_thread(make())
    _check_closed(path)
    return path


@pytest.fixture(scope="session")
def sqlite_seeded_template(sqlite_template, tmp_path_factory) -> Path:
    """The migrated SQLite file plus the demo seed (SEED_DAY), created once per session."""
    path = tmp_path_factory.mktemp("sqlite-template") / "seeded.db"
    shutil.copyfile(sqlite_template, path)
    _run_in_thread(_seed(_sqlite_url(path)))
    _check_closed(path)
    return path


def _sqlite_url(path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _check_closed(path: Path) -> None:
    """A template is copied as one file: every connection closed, so nothing is left in a WAL beside it."""
    leftovers = [p.name for p in path.parent.glob(path.name + "-*")]
    assert not leftovers, f"SQLite template {path} still has {leftovers}"


async def _seed(url: str) -> None:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            await seed(session=session, today=SEED_DAY, timezone="Europe/London")
            await session.commit()
    finally:
        await engine.dispose()


def _run_in_thread(coro):
    """Session fixtures may be first requested from inside a test's running loop: use a loop of their own."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _pg_url(database: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"


async def _pg_admin(statement: str) -> None:
    """CREATE / DROP DATABASE cannot run inside a transaction: a short-lived autocommit engine."""
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


async def _drop_pg(name: str) -> None:
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class PgClones:
    """Fresh PostgreSQL clones of the templates, made one ahead in a thread of their own, and dropped there.

    CREATE DATABASE ... TEMPLATE takes ~0.4 s and DROP ~0.1 s, nearly all of it the server writing and
    syncing files: done while the previous test runs instead of in each test's setup and teardown. Every test
    still gets a database nobody else has used, cloned from the template it asked for."""

    def __init__(self):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="pg-clones", daemon=True)
        self._thread.start()
        self._lock: asyncio.Lock | None = None
        self._next: dict[str, concurrent.futures.Future] = {}  # template -> its next clone (being) made
        self._drops: list[concurrent.futures.Future] = []

    def _submit(self, coro) -> concurrent.futures.Future:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def _admin(self, statement: str) -> None:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # one CREATE / DROP at a time
            await _pg_admin(statement)

    async def _create(self, template: str) -> str:
        name = f"vsbot_t_{uuid.uuid4().hex[:10]}"
        await self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return name

    async def take(self, template: str) -> str:
        """A new clone of `template`, for one test; the next one is started at once."""
        ready = self._next.pop(template, None) or self._submit(self._create(template))
        self._next[template] = self._submit(self._create(template))
        return await asyncio.wrap_future(ready)

    def drop(self, name: str) -> None:
        self._drops.append(self._submit(self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')))

    def close(self) -> None:
        try:
            for spare in self._next.values():
                try:
                    self.drop(spare.result())
                except Exception:  # noqa: BLE001 - a clone that failed to be made has nothing to drop
                    pass
            for dropped in self._drops:
                dropped.result()
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()


@pytest.fixture(scope="session")
def pg_clones(pg_template, pg_seeded_template):
    """Depends on both templates so that it is closed (nothing being cloned) before either is dropped."""
    clones = PgClones()
    yield clones
    clones.close()


# Databases handed out already seeded (cloned from the seeded template): the `seeded` fixture seeds the others.
_SEEDED_URLS: set[str] = set()


@asynccontextmanager
async def new_database(kind: str, request, tmp_path, *, seeded: bool = False):
    """A fresh, migrated database: a copy of the migrated SQLite file, or a PostgreSQL clone of the migrated
    template. Empty, or with the demo seed when `seeded` (a clone of the seeded template: what seeding a
    fresh database gives, without seeding again for every test)."""
    if kind == "sqlite":
        template = request.getfixturevalue("sqlite_seeded_template" if seeded else "sqlite_template")
        path = tmp_path / f"test-{uuid.uuid4().hex[:6]}.db"
        shutil.copyfile(template, path)
        url = _sqlite_url(path)
        if seeded:
            _SEEDED_URLS.add(url)
        try:
            yield url
        finally:
            _SEEDED_URLS.discard(url)
        return
    template = request.getfixturevalue("pg_seeded_template" if seeded else "pg_template")
    clones: PgClones = request.getfixturevalue("pg_clones")
    name = await clones.take(template)
    url = _pg_url(name)
    if seeded:
        _SEEDED_URLS.add(url)
    try:
        yield url
    finally:
        _SEEDED_URLS.discard(url)
        clones.drop(name)


@pytest.fixture(params=_backends())
async def database_url(request, tmp_path) -> str:
    async with new_database(request.param, request, tmp_path, seeded="seeded" in request.fixturenames) as url:
        yield url


@pytest.fixture
async def engine(database_url):
    eng = create_engine(database_url)
    yield eng
    await eng.dispose()


@pytest.fixture
async def seeded(engine, database_url):
    """The demo seed: usually already there (database_url cloned the seeded template, seeing this fixture
    requested); seeded here otherwise (e.g. asked for with getfixturevalue)."""
    if database_url not in _SEEDED_URLS:
        async with session_factory(engine)() as session:
            await seed(session=session, today=SEED_DAY, timezone="Europe/London")
            await session.commit()
    return engine


_KB_CACHE: dict[str, tuple] = {}
_original_kb_load = KnowledgeBaseStore._load


def _kb_load_once(self):
    """The packaged knowledge base is parsed and indexed once per session, not for every bot a test starts
    (~0.15 s each). Keyed on the file's content hash, so an edited file is parsed again; any other file is
    always loaded for real. KnowledgeBase is frozen and Matcher immutable (shared across threads in production)."""
    if self.path.resolve() != DEFAULT_KB_PATH.resolve():
        return _original_kb_load(self)
    try:
        digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
    except OSError:
        return _original_kb_load(self)
    cached = _KB_CACHE.get(digest)
    if cached is None:
        loaded = _original_kb_load(self)
        if loaded.kb.version == digest:  # the file did not change between our read and its
            _KB_CACHE[digest] = (loaded.kb, loaded.matcher)
        return loaded
    kb, matcher = cached
    return _Loaded(kb=kb, matcher=matcher, mtime_ns=self.path.stat().st_mtime_ns)


@pytest.fixture(autouse=True, scope="session")
def _packaged_knowledge_base_parsed_once():
    patcher = pytest.MonkeyPatch()
    patcher.setattr(KnowledgeBaseStore, "_load", _kb_load_once)
    yield
    patcher.undo()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def serve(app: web.Application):
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@dataclass
class BotHarness:
    url: str
    connector: FakeConnector
    http: aiohttp.ClientSession
    settings: Settings
    runtime: object
    app: web.Application | None = None
    headers: dict = field(default_factory=dict)  # sent with every post (e.g. a bearer token with auth on)

    @property
    def services(self):
        return self.runtime.services

    @property
    def sender(self):
        return self.runtime.sender

    async def post(self, activity: dict, headers: dict | None = None) -> aiohttp.ClientResponse:
        async with self.http.post(f"{self.url}/api/messages", json=activity, headers={**self.headers, **(headers or {})}) as resp:
            await resp.read()
            return resp


def make_settings(database_url: str, **overrides) -> Settings:
    # Tests run the bot without an app id, which only development mode allows (the default refuses to start).
    # FAQ questions are recorded at once here, so a test can look for the row right after the turn (the batched
    # writes of the default are tested in test_speed_paths.py).
    values = {"MicrosoftAppId": "", "DATABASE_URL": database_url, "VSB_ALLOWED_TENANTS": "",
              "VSB_ENVIRONMENT": "development", "VSB_FAQ_LOG_DELAY_SECONDS": "0"}
    values.update(overrides)
    return Settings(_env_file=None, **values)


class StaticAppTokens:
    """The bot's own outbound token with authentication on (instead of MSAL, which would go to Entra ID)."""

    async def token(self) -> str:
        return "test-outbound-token"

    def invalidate(self) -> None:
        pass


@asynccontextmanager
async def running_bot(database_url: str, connector: FakeConnector, **overrides):
    settings = make_settings(database_url, **overrides)
    runtime = build_runtime(settings)
    if settings.auth_enabled:
        runtime.connector._tokens = StaticAppTokens()  # pylint: disable=protected-access
    app = create_app(settings, runtime)
    async with serve(app) as url, aiohttp.ClientSession() as http:
        yield BotHarness(url=url, connector=connector, http=http, settings=settings, runtime=runtime, app=app)


@pytest.fixture
async def connector():
    fake = FakeConnector()
    async with serve(fake.app()) as url:
        fake.url = url
        yield fake


@pytest.fixture
async def key_server():
    """The Bot Framework's OpenID metadata and signing keys, served locally (tests.utils.tokens)."""
    keys = KeyServer()
    async with serve(keys.app()) as url:
        keys.url = url
        yield keys


@pytest.fixture
async def bot(seeded, database_url, connector):
    async with running_bot(database_url, connector) as harness:
        yield harness
