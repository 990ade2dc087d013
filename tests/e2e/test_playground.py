"""The bot as a Teams user meets it: through the Microsoft 365 Agents Playground (channel msteams), first through
the Playground's own API, then in its web page in Chromium. Screenshots go to test-artifacts/e2e/."""
from __future__ import annotations

import ipaddress
import socket
import struct
import time
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import BrowserPage, Playground, PlaygroundApi, settled_count

pytestmark = pytest.mark.e2e

SAM_REED = "00000000-0000-0000-0000-0000000000a1"
BOOK_A_SURGERY = "Book a surgery"

COMPOSE_BOX = 'div[data-lexical-editor="true"][role="textbox"]'
SEND_BUTTON = 'button[aria-label="Send Message"]'
PERSONAL_CHAT = 'button[role="treeitem"][aria-label="Personal Chat"]'
CARD = ".ac-adaptiveCard"


def _action(card: dict[str, Any], title: str) -> dict[str, Any]:
    actions = [a for a in card.get("actions", []) if a.get("title") == title]
    assert actions, f"no action titled {title!r} in card {card.get('id')!r}"
    return actions[0]


def _inputs(element: Any) -> list[str]:
    """Ids of every Input.* element anywhere in a card."""
    found: list[str] = []
    if isinstance(element, dict):
        if str(element.get("type", "")).startswith("Input.") and element.get("id"):
            found.append(element["id"])
        for value in element.values():
            found.extend(_inputs(value))
    elif isinstance(element, list):
        for value in element:
            found.extend(_inputs(value))
    return found


def _is_surgery_reply(card: dict[str, Any]) -> bool:
    """"Book a surgery" answers with the booking card (slot choice id `slot_id`, the brief's contract)."""
    return card.get("id") == "surgery-booking" and "slot_id" in _inputs(card)


def test_playground_is_configured_as_a_demo_persona_on_loopback(playground: Playground):
    assert playground.user_aad_object_id == SAM_REED
    listeners = _tcp_listeners(playground.port)
    assert listeners, f"nothing listens on port {playground.port}"
    assert listeners <= {"127.0.0.1"}, f"the Playground listens on {listeners}, not only on loopback"


async def test_help_returns_main_menu_and_book_a_surgery_answers(playground_api: PlaygroundApi):
    async with playground_api.stream() as stream:
        sent = await playground_api.send("help")
        assert sent.get("messageId")
        frame, menu = await stream.next_card(lambda c: c.get("id") == "main-menu")
        assert frame["actionConversationId"] == playground_api.playground.conversation_id
        titles = [a.get("title") for a in menu.get("actions", [])]
        assert "Make a referral" in titles and BOOK_A_SURGERY in titles, titles

        book = _action(menu, BOOK_A_SURGERY)
        assert book["type"] in {"Action.Submit", "Action.Execute"}
        assert book["data"] == {"action": "menu.open", "target": "book"}
        await playground_api.submit(reply_to_id=frame["message"]["messageId"], value=book["data"])
        await stream.next_card(_is_surgery_reply)


def test_help_in_the_browser_renders_the_menu_and_book_a_surgery_replies(browser_page: BrowserPage,
                                                                          playground: Playground, artifacts):
    page = browser_page.page
    started = time.monotonic()
    page.goto(playground.url + "/")
    box = page.locator(COMPOSE_BOX)
    box.wait_for()
    if page.locator(PERSONAL_CHAT).count():
        page.locator(PERSONAL_CHAT).first.click()
    cards = page.locator(CARD)
    before = settled_count(page, CARD)  # opening the page sends installationUpdate; a welcome card may follow

    box.click()
    box.type("help")
    page.locator(SEND_BUTTON).click()
    menu = cards.nth(before)
    menu.wait_for(state="visible")
    referral_button = menu.locator('.ac-actionSet button[title="Make a referral"]')
    referral_button.wait_for(state="visible")
    assert menu.get_by_text("Make a referral", exact=True).first.is_visible()
    page.screenshot(path=str(artifacts / "01-help-main-menu.png"))
    menu.screenshot(path=str(artifacts / "01-main-menu-card.png"))

    menu.locator(f'.ac-actionSet button[title="{BOOK_A_SURGERY}"]').click()
    reply = cards.nth(before + 1)
    reply.wait_for(state="visible")
    text = reply.inner_text()
    assert "surger" in text.lower(), text
    page.screenshot(path=str(artifacts / "02-book-a-surgery-reply.png"))
    reply.screenshot(path=str(artifacts / "02-book-a-surgery-card.png"))
    # What the page tried to fetch from outside (CDN fonts, one script) and was refused: it works without them.
    (artifacts / "blocked-requests.txt").write_text("".join(f"{url}\n" for url in browser_page.aborted))
    assert time.monotonic() - started < 60


def _tcp_listeners(port: int) -> set[str]:
    """Local addresses listening on `port`, from /proc/net/tcp and tcp6 (Linux)."""
    found: set[str] = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            rows = Path(table).read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state != "0A" or int(hex_port, 16) != port:
                continue
            found.add(_decode_address(address, width))
    return found


def _decode_address(address: str, width: int) -> str:
    if width == 8:
        return socket.inet_ntoa(struct.pack("<I", int(address, 16)))
    words = [struct.pack("<I", int(address[i:i + 8], 16)) for i in range(0, 32, 8)]
    return str(ipaddress.IPv6Address(b"".join(words)))
