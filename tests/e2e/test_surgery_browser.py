"""Booking a surgery as the demo DSL, Dana Cole (…0b1), meets it: in the Microsoft 365 Agents Playground's web page
(channel msteams) in Chromium. A Playground is started for her (the `playground_as` fixture: Dana as the signed-in user,
a personal chat of her own), against the same bot as the other e2e tests.

Dana types `book`, chooses the demo group surgery in the rendered card's "Surgery and time" list, types a topic,
presses Book (one click), gets the confirmation with the date and time, the join link and the calendar invite (the
invite's link is fetched and parsed as a calendar), then presses Cancel booking and gets the cancellation; `my
bookings` then has nothing. Screenshots of each card go to test-artifacts/e2e/ (30-… to 33-…)."""
from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import BotServer, BrowserPage, Playground, _vsbot
from tests.e2e.test_referral_browser import (
    CARD,
    STACK_TRACE,
    _card_screenshot,
    _fresh_chat,
    _read_from,
    _send,
    _size,
    _type,
)

pytestmark = pytest.mark.e2e

DANA = "00000000-0000-0000-0000-0000000000b1"
GROUP = "Attendance network (group)"
TOPIC = "Attendance support for a Year 9 pupil"


@pytest.fixture
def dsl_playground(playground_as) -> Playground:
    """A Playground signed in as Dana Cole (scripts/playground_persona.py), in front of the same bot."""
    return playground_as("dana")


def test_dsl_books_a_surgery_by_clicking_and_cancels_it(browser_page: BrowserPage, dsl_playground: Playground,
                                                       bot_server: BotServer, artifacts: Path):
    assert dsl_playground.user_aad_object_id == DANA, "the Playground's signed-in user must be Dana Cole"
    page = browser_page.page
    bot_log_start = _size(bot_server.log)
    started = time.monotonic()
    _fresh_chat(page, dsl_playground)
    cards = page.locator(CARD)

    # (1) `book`: the surgeries open to a DSL, with places left; choose the group surgery, say what it's about.
    booking = _after(page, "Book a surgery", lambda: _send(page, "book"))
    assert booking.get_by_text("Please don't name children").first.is_visible()
    box = booking.get_by_role("combobox", name="Surgery and time")
    box.click()
    option = page.get_by_role("option", name=re.compile(re.escape(GROUP)))
    chosen = option.first.inner_text()
    assert re.search(r"15:30–16:30 · Attendance network \(group\) · 5 of 5 places left", chosen), chosen
    option.first.click()
    assert GROUP in box.input_value()
    _type(booking.get_by_label("What would you like to discuss?"), TOPIC)
    _card_screenshot(page, booking, artifacts / "30-surgery-booking-card.png")

    # (2) One click on Book: the confirmation with the date and time, the join link and the calendar invite.
    confirmation = _after(page, "You're booked", lambda: _action(booking, "Book").click())
    text = confirmation.inner_text()
    when = re.search(r"When\s*(\w{3} \d{1,2} \w{3} \d{4}, 15:30–16:30)", text)
    assert when and when.group(1) in chosen, text
    assert GROUP in text and TOPIC in text, text
    for title in ("Add to my calendar (.ics)", "Join the Teams meeting", "Cancel booking"):
        assert _action(confirmation, title).count() == 1, f"no {title!r} button:\n{text}"
    _card_screenshot(page, confirmation, artifacts / "31-surgery-booked.png")
    confirmation.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "31-surgery-booked-page.png"))
    ics = _open_invite(page, confirmation)
    assert "BEGIN:VCALENDAR" in ics and "TZID:Europe/London" in ics and f"SUMMARY:{GROUP}" in ics.replace("\r\n ", "")
    assert re.search(r"DTSTART;TZID=Europe/London:\d{8}T153000", ics), ics

    # (3) Cancel it from the confirmation: answered at once, and the place is free again.
    cancelled = _after(page, "Booking cancelled", lambda: _action(confirmation, "Cancel booking").click())
    assert GROUP in cancelled.inner_text() and "freed for someone else" in cancelled.inner_text()
    _card_screenshot(page, cancelled, artifacts / "32-surgery-booking-cancelled.png")
    mine = _after(page, "My bookings", lambda: _send(page, "my bookings"))
    assert "You have no upcoming surgery bookings" in mine.inner_text()
    _card_screenshot(page, mine, artifacts / "33-surgery-my-bookings-empty.png")
    mine.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "33-surgery-cancelled-page.png"))
    listed = subprocess.run([_vsbot(), "surgeries", "list"], cwd=artifacts, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "DATABASE_URL": bot_server.database_url}, check=False)
    assert re.search(r"group\s+0/5 booked\s+waiting 0\s+Attendance network \(group\)", listed.stdout), listed.stdout

    # (4) Nothing looks like a crash; the whole thing stays quick.
    assert cards.count() >= 4
    assert not STACK_TRACE.search(page.locator("body").inner_text())
    new_log = _read_from(bot_server.log, bot_log_start)
    assert "Traceback" not in new_log, f"the bot logged a traceback:\n{new_log[-3000:]}"
    assert time.monotonic() - started < 60


def _action(card: Any, title: str) -> Any:
    """A card button by its title. The Playground draws Action.OpenUrl as a link-role button whose `title` is
    the URL, so buttons are found by their accessible name (aria-label), which is the action's title."""
    return card.locator(f'.ac-actionSet button[aria-label="{title}"]')


def _after(page: Any, heading: str, action) -> Any:
    """Do `action`, then the next new card in the chat, once it shows `heading`."""
    cards = page.locator(CARD)
    before = cards.count()
    action()
    card = cards.nth(before)
    card.wait_for(state="visible")
    card.get_by_text(heading, exact=True).first.wait_for(state="visible")
    return card


def _open_invite(page: Any, card: Any) -> str:
    """Click "Add to my calendar": the Playground opens the link (Action.OpenUrl) in a new tab, where the browser
    requests the invite (and saves it: it is an attachment). Fetch the same link as a calendar client would."""
    with page.context.expect_event("request", predicate=lambda request: "/invite.ics" in request.url) as requested:
        _action(card, "Add to my calendar (.ics)").click()
    url = requested.value.url
    assert "/surgeries/" in url and "/invite.ics?t=" in url, url
    with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 (loopback: the e2e bot)
        assert resp.headers.get_content_type() == "text/calendar"
        return resp.read().decode("utf-8")
