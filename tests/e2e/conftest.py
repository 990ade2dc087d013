"""Fixtures for the end-to-end tier. They start, yield and stop real processes:

- `bot_server`: `vsbot db upgrade` + `vsbot demo seed` on a fresh SQLite file, then `vsbot serve` on a free
  loopback port with auth off (empty MicrosoftAppId), in its own process group;
- `playground`: the pinned Microsoft 365 Agents Playground (tools/playground) in front of it, on a free port,
  bound to 127.0.0.1 by the tools/playground/loopback.cjs preload, its signed-in user the demo persona Sam Reed
  (tools/playground/playground.yml), its log in the session's tmp directory;
- `playground_api`: a small client for the Playground's own HTTP + WebSocket API;
- `browser_page`: Debian's /usr/bin/chromium (never a downloaded browser) through Python Playwright, every
  request that leaves loopback aborted.

Skips only when `node` (every e2e test) or /usr/bin/chromium (the browser tests) is missing; when
tools/playground/node_modules is missing or stale the session runs `npm ci --prefix tools/playground` itself.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterator
from urllib.parse import urlsplit

import aiohttp
import yaml
import pytest

REPO = Path(__file__).resolve().parents[2]
PLAYGROUND_DIR = REPO / "tools" / "playground"
PLAYGROUND_CLI = PLAYGROUND_DIR / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"
LOOPBACK_PRELOAD = PLAYGROUND_DIR / "loopback.cjs"
PLAYGROUND_CONFIG = PLAYGROUND_DIR / "playground.yml"
CHROMIUM = Path(os.environ.get("VSB_E2E_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = REPO / "test-artifacts" / "e2e"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
START_TIMEOUT_S = 30.0


# --------------------------------------------------------------------------- processes

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _get(url: str, timeout: float = 1.0) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (loopback only)
        return resp.status, resp.read().decode("utf-8", "replace")


def _wait_until(check: Callable[[], bool], proc: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with status {proc.returncode} before it was ready; log {log}:\n{_tail(log)}",
                        pytrace=False)
        try:
            if check():
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.1)
    pytest.fail(f"{what} not ready after {START_TIMEOUT_S:.0f}s; log {log}:\n{_tail(log)}", pytrace=False)


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the process group started for `proc`, then SIGKILL what is left after a grace period."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    try:  # children may outlive the leader: clear the whole group either way
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if proc.poll() is None:
        proc.wait(timeout=5)


def _vsbot() -> str:
    beside = Path(sys.executable).with_name("vsbot")
    found = str(beside) if beside.exists() else shutil.which("vsbot")
    if not found:
        pytest.fail("the `vsbot` console script is not installed in this environment (pip install -e .)",
                    pytrace=False)
    return found


def _pinned_playground_version() -> str:
    return json.loads((PLAYGROUND_DIR / "package.json").read_text())["dependencies"]["@microsoft/m365agentsplayground"]


def _installed_playground_version() -> str | None:
    manifest = PLAYGROUND_CLI.parent / "package.json"
    try:
        return json.loads(manifest.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


# --------------------------------------------------------------------------- session fixtures

@pytest.fixture(scope="session")
def node() -> str:
    found = shutil.which("node")
    if not found:
        pytest.skip("node is not installed (needed for the Agents Playground; scripts/install_e2e_deps.sh "
                    "does not install it)")
    return found


@pytest.fixture(scope="session")
def playground_cli(node) -> Path:
    """The pinned Playground's cli.js; runs `npm ci --prefix tools/playground` when missing or stale."""
    if _installed_playground_version() != _pinned_playground_version():
        npm = shutil.which("npm")
        if not npm:
            pytest.skip("npm is not installed and tools/playground/node_modules is missing")
        done = subprocess.run([npm, "ci", "--prefix", str(PLAYGROUND_DIR), "--no-audit", "--no-fund"],
                              capture_output=True, text=True, timeout=600, check=False)
        if done.returncode != 0:
            pytest.fail(f"npm ci --prefix tools/playground failed:\n{done.stdout}\n{done.stderr}", pytrace=False)
    return PLAYGROUND_CLI


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run scripts/install_e2e_deps.sh (Debian's chromium package)")
    return CHROMIUM


@dataclass
class BotServer:
    url: str
    database_url: str
    log: Path


@pytest.fixture(scope="session")
def bot_server(tmp_path_factory) -> Iterator[BotServer]:
    """The real bot: a fresh SQLite database, migrated and seeded, and `vsbot serve` on a free port."""
    home = tmp_path_factory.mktemp("bot")
    database_url = f"sqlite+aiosqlite:///{home / 'vsbot.db'}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MicrosoftAppId": "",
        "MicrosoftAppPassword": "",
        "MicrosoftAppTenantId": "",
        "VSB_ALLOWED_TENANTS": "",
        "VSB_ENVIRONMENT": "development",
        "VSB_DIRECTORY_CACHE_SECONDS": "0",  # a staff import made by a test applies at the next turn
        "PYTHONUNBUFFERED": "1",
    }
    vsbot = _vsbot()
    # cwd is the tmp directory so a developer's .env cannot switch auth on or point at another database.
    for step in (["db", "upgrade"], ["demo", "seed"]):
        done = subprocess.run([vsbot, *step], cwd=home, env=env, capture_output=True, text=True, timeout=120,
                              check=False)
        if done.returncode != 0:
            pytest.fail(f"vsbot {' '.join(step)} failed ({done.returncode}):\n{done.stdout}{done.stderr}",
                        pytrace=False)
    port = free_port()
    log = home / "bot.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([vsbot, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler"],
                                cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until(lambda: _get(f"{url}/healthz")[0] == 200, proc, "vsbot serve", log)
        yield BotServer(url=url, database_url=database_url, log=log)
    finally:
        _stop(proc)


@dataclass
class Playground:
    url: str
    port: int
    conversation_id: str
    user_id: str
    user_aad_object_id: str
    log: Path
    stdout: Path


def _node_options(existing: str | None) -> str:
    preload = str(LOOPBACK_PRELOAD)
    if " " in preload:
        preload = f'"{preload}"'
    return f"{existing} --require {preload}".strip() if existing else f"--require {preload}"


def _start_playground(node, playground_cli, bot_server, home: Path, config: Path):
    """Start a Playground (channel msteams) pointed at the bot on a free loopback port; yields it, then stops it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "TEAMSAPPTESTER_BROWSER": "none",
        "NODE_OPTIONS": _node_options(os.environ.get("NODE_OPTIONS")),
        "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(config),
        "M365_AGENTS_PLAYGROUND_LOGFILE": str(home / "m365agentsplayground.log"),
    }
    command = [node, str(playground_cli), "-e", f"{bot_server.url}/api/messages", "-c", "msteams", "-p", str(port),
               "--dt", "--service-url", f"{url}/_connector"]
    stdout = home / "playground.out"
    with stdout.open("wb") as out:
        proc = subprocess.Popen(command, cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_until(lambda: _get(f"{url}/_debug/ping")[1].strip() == "pong", proc, "the Agents Playground", stdout)
        listening = re.search(r"Listening on (\d+)", stdout.read_text(errors="replace"))
        if listening and int(listening.group(1)) != port:  # it falls back to a random port when taken
            pytest.fail(f"the Playground took port {listening.group(1)} instead of {port}", pytrace=False)
        config_json = json.loads(_get(f"{url}/_internal/v1/config", timeout=5)[1])["config"]
        return proc, Playground(url=url, port=port, conversation_id=config_json["personalChat"]["id"],
                                user_id=config_json["currentUser"]["id"],
                                user_aad_object_id=config_json["currentUser"]["aadObjectId"],
                                log=home / "m365agentsplayground.log", stdout=stdout)
    except BaseException:
        _stop(proc)
        raise


@pytest.fixture(scope="session")
def playground_as(node, playground_cli, bot_server, tmp_path_factory) -> Iterator[Callable[[str], Playground]]:
    """A Playground signed in as a demo persona (sam, dana, olu, chris, mina, admin: scripts/playground_persona.py),
    started on first use and kept for the session. Each persona has a personal chat of its own."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    from playground_persona import config_for  # pylint: disable=import-outside-toplevel

    started: dict[str, tuple[subprocess.Popen, Playground]] = {}

    def get(persona: str) -> Playground:
        if persona not in started:
            home = tmp_path_factory.mktemp(f"playground-{persona}")
            config = PLAYGROUND_CONFIG
            if persona != "sam":
                config = home / "playground.yml"
                config.write_text(yaml.safe_dump(config_for(persona), sort_keys=False), encoding="utf-8")
            started[persona] = _start_playground(node, playground_cli, bot_server, home, config)
        return started[persona][1]

    try:
        yield get
    finally:
        for proc, _ in started.values():
            _stop(proc)


@pytest.fixture(scope="session")
def playground(playground_as) -> Playground:
    """The Playground signed in as the demo social worker Sam Reed (tools/playground/playground.yml)."""
    return playground_as("sam")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# --------------------------------------------------------------------------- the Playground's API

def adaptive_cards(frame: dict[str, Any]) -> list[dict[str, Any]]:
    message = frame.get("message") or {}
    return [a.get("content") or {} for a in message.get("attachments") or [] if a.get("contentType") == CARD_TYPE]


@dataclass
class ConversationStream:
    """The Playground's WebSocket of the bot's replies; `frames` keeps everything seen, for failure messages."""
    ws: aiohttp.ClientWebSocketResponse
    frames: list[dict[str, Any]] = field(default_factory=list)

    async def next_card(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10.0
                        ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The next (frame, card) from a createMessage frame whose card matches `predicate`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"no matching card within {timeout}s; frames seen: {self.summary()}")
            try:
                msg = await self.ws.receive(timeout=remaining)
            except asyncio.TimeoutError:
                continue
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise AssertionError(f"WebSocket ended ({msg.type}); frames seen: {self.summary()}")
            frame = json.loads(msg.data)
            self.frames.append(frame)
            if frame.get("action") != "createMessage":
                continue
            for card in adaptive_cards(frame):
                if predicate(card):
                    return frame, card

    def summary(self) -> list[Any]:
        return [(f.get("action"), (f.get("message") or {}).get("text"), [c.get("id") for c in adaptive_cards(f)])
                for f in self.frames]


@dataclass
class PlaygroundApi:
    playground: Playground
    http: aiohttp.ClientSession

    @asynccontextmanager
    async def stream(self) -> AsyncIterator[ConversationStream]:
        ws_url = self.playground.url.replace("http://", "ws://", 1) + "/_ws_conversation/v1/conversations/stream"
        async with self.http.ws_connect(ws_url) as ws:
            yield ConversationStream(ws)

    async def send(self, text: str) -> dict[str, Any]:
        conv = self.playground.conversation_id
        body = {"from": {"id": self.playground.user_id}, "text": text, "textFormat": "plain"}
        async with self.http.post(f"{self.playground.url}/_conversation/v1/conversations/{conv}/messages",
                                  json=body) as resp:
            assert resp.status == 200, await resp.text()
            return await resp.json()

    async def submit(self, *, reply_to_id: str, value: dict[str, Any]) -> None:
        """What clicking an Action.Submit button does: the card's inputs merged with the action's data."""
        body = {"conversation": {"id": self.playground.conversation_id}, "from": {"id": self.playground.user_id},
                "replyToId": reply_to_id, "value": value}
        async with self.http.post(f"{self.playground.url}/_conversation/v1/submit", json=body) as resp:
            assert resp.status == 200, await resp.text()
            await resp.read()


@pytest.fixture
async def playground_api(playground) -> AsyncIterator[PlaygroundApi]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
        yield PlaygroundApi(playground=playground, http=http)


# --------------------------------------------------------------------------- the browser

@dataclass
class BrowserPage:
    page: Any  # playwright.sync_api.Page
    aborted: list[str]


def _is_loopback(url: str) -> bool:
    if url.startswith(("data:", "blob:", "about:")):
        return True
    return (urlsplit(url).hostname or "") in LOOPBACK_HOSTS


@pytest.fixture
def browser_page(chromium, playground) -> Iterator[BrowserPage]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="Python playwright is not installed "
                                   "(pip install -e '.[test]')")
    aborted: list[str] = []

    def route(r):
        if _is_loopback(r.request.url):
            r.continue_()
        else:
            aborted.append(r.request.url)
            r.abort()

    with tempfile.TemporaryDirectory(prefix="vsb-e2e-chromium-") as profile, sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900}, locale="en-GB")
        try:
            context.route("**/*", route)
            page = context.pages[0] if context.pages else context.new_page()
            page.set_default_timeout(15_000)
            yield BrowserPage(page=page, aborted=aborted)
        finally:
            context.close()


def settled_count(page: Any, selector: str, quiet_s: float = 1.0, limit_s: float = 10.0) -> int:
    """The number of matches once it has not changed for `quiet_s` seconds."""
    deadline = time.monotonic() + limit_s
    count = page.locator(selector).count()
    changed = time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        now = page.locator(selector).count()
        if now != count:
            count, changed = now, time.monotonic()
        elif time.monotonic() - changed >= quiet_s:
            break
    return count
