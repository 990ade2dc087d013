"""The officer's referral card as a person meets it, in the Microsoft 365 Agents Playground's web page (channel
msteams) in Chromium. The Playground has one signed-in user, Sam Reed (…0a1), so before the test one postcode
sector is routed, with the product's own `vsbot import staff` and `vsbot import localities`, to a locality whose
officer is Sam (made an officer for the test; a social worker again after it): the sector
route "HA5 9" beats the demo district route "HA5" (North), so no other test's referral changes locality.

Sam then refers a child who lives in HA5 9ZZ and gets both sides of the referral in one chat: the officer card
(Accept / Ask for information / Close / Reassign) and the referrer's confirmation. Clicking Accept must update the
officer card in place (same position in the chat, new status and a history line, no Accept button), tell the
referrer ("Your referral was accepted") and answer the click ("Done: you accepted referral …"). Closing it with
an outcome chosen in the Close card must leave the officer card "Closed" with no buttons and tell the referrer the
outcome. Screenshots of the officer card before and after go to test-artifacts/e2e/."""
from __future__ import annotations

import os
import re
import subprocess
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import BotServer, BrowserPage, Playground, _vsbot
from tests.e2e.test_referral_browser import (
    CARD,
    CONFIRMATION_HEADING,
    FORM_HEADING,
    STACK_TRACE,
    _button,
    _card_screenshot,
    _chat_text_count,
    _choose,
    _fresh_chat,
    _read_from,
    _send,
    _size,
    _type,
    _wait_chat_text,
)

pytestmark = pytest.mark.e2e

SAM = "00000000-0000-0000-0000-0000000000a1"
LOCALITY = "E2E locality"
SECTOR = "HA5 9"
HOME_POSTCODE = "HA5 9ZZ"
NEW_STATUS = "New — waiting for you to accept it"
OFFICER_BUTTONS = ("Accept", "Ask for information", "Close", "Reassign")
CANCEL_REPLY = r"nothing to cancel|stopped that"
# Chat cards, not the card of an opened Action.ShowCard (the Playground draws that as a nested .ac-adaptiveCard).
TOP_CARD = f"{CARD}:not({CARD} {CARD})"
DONE_ACCEPTED = r"^Done: you accepted referral REFERENCE"


def _import(bot_server: BotServer, tmp_path: Path, kind: str, content: str) -> None:
    csv = tmp_path / f"{kind}.csv"
    csv.write_text(content, encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": bot_server.database_url}
    # cwd is a tmp directory so a developer's .env cannot point the import at another database.
    done = subprocess.run([_vsbot(), "import", kind, str(csv)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, f"vsbot import {kind} failed ({done.returncode}):\n{done.stdout}{done.stderr}"


@pytest.fixture
def sams_locality(bot_server: BotServer, tmp_path: Path):
    """Make Sam an officer (a locality's officer must be an officer or manager, and only they may act on a
    referral) and route the postcode sector HA5 9 to a locality whose officer is Sam, through the product's own
    importers, against the e2e bot's database (idempotent). Sam is a social worker again afterwards."""
    staff = "aad_object_id,email,name,role,locality\n" + f"{SAM},sam.reed@example.org,Sam Reed,{{role}},\n"
    _import(bot_server, tmp_path, "staff", staff.format(role="officer"))
    _import(bot_server, tmp_path, "localities", f"postcode_prefix,locality,officer\n{SECTOR},{LOCALITY},{SAM}\n")
    yield LOCALITY
    _import(bot_server, tmp_path, "staff", staff.format(role="social_worker"))


def test_officer_accepts_then_closes_a_referral_and_the_card_updates_in_place(
        browser_page: BrowserPage, playground: Playground, bot_server: BotServer, sams_locality: str,
        artifacts: Path):
    assert playground.user_aad_object_id == SAM, "the Playground's signed-in user must be Sam Reed"
    page = browser_page.page
    bot_log_start = _size(bot_server.log)
    started = time.monotonic()
    _fresh_chat(page, playground)

    # (1) Sam refers a child who lives in HA5 9ZZ, as the allocated social worker.
    cards = page.locator(TOP_CARD)
    before = cards.count()
    _send(page, "refer")
    form = cards.nth(before)
    form.get_by_text(FORM_HEADING).first.wait_for(state="visible")
    _type(form.get_by_label("Child's first name"), "Robin")
    _type(form.get_by_label("Child's last name"), "Example")
    form.get_by_label("Date of birth").fill(date(date.today().year - 10, 5, 20).isoformat())
    page.keyboard.press("Tab")
    _type(form.get_by_label("Child's home postcode"), HOME_POSTCODE)
    _type(form.get_by_label("School or setting"), "Pinner Park Primary")
    _choose(page, form, "Legal status", "Child in Need plan (s17)")
    form.get_by_role("checkbox", name="Attendance").check()
    _type(form.get_by_label("What is happening"), "Attendance has dropped since January; advice on next steps.")
    _choose(page, form, "Your role", "Social worker")
    allocated = form.get_by_role("checkbox", name="I am the child's allocated social worker")
    allocated.check()
    form.get_by_role("checkbox", name="I have the right to share").check()
    assert allocated.is_checked()

    before = cards.count()
    _button(form, "Send referral").click()
    # Two new cards, to Sam as the officer and to Sam as the referrer (their order is not part of the contract).
    _wait_card_count(page, before + 2, bot_server, bot_log_start, "the officer card and the confirmation")
    officer_index = _index_of(page, r"^Referral VS-\d{4}-\d{5}$", range(before, before + 2))
    confirmation_index = ({before, before + 1} - {officer_index}).pop()
    officer, confirmation = cards.nth(officer_index), cards.nth(confirmation_index)
    confirmation.get_by_text(CONFIRMATION_HEADING).first.wait_for(state="visible")
    reference = re.search(r"VS-\d{4}-\d{5}", officer.inner_text()).group(0)
    assert re.search(rf"Reference\s*{reference}", confirmation.inner_text()), confirmation.inner_text()
    assert re.search(rf"Goes to\s*{LOCALITY}", confirmation.inner_text()), confirmation.inner_text()

    officer.get_by_text(NEW_STATUS).first.wait_for(state="visible")
    text = officer.inner_text()
    assert re.search(rf"Locality\s*{LOCALITY}", text), text
    assert _buttons(officer) == list(OFFICER_BUTTONS), _buttons(officer)
    _card_screenshot(page, officer, artifacts / "20-officer-card-new.png")

    # (2) Accept: the officer card changes in place, the referrer is told, the click is answered.
    total = cards.count()
    done_replies = _chat_text_count(page, DONE_ACCEPTED)
    _button(officer, "Accept").click()
    _wait_card_count(page, total + 1, bot_server, bot_log_start, "the referrer's 'accepted' update")
    update = cards.nth(total)
    update.get_by_text("Your referral was accepted").first.wait_for(state="visible")
    assert re.search(rf"Reference\s*{reference}", update.inner_text()), update.inner_text()
    assert re.search(r"Status\s*Accepted", update.inner_text()), update.inner_text()
    _wait_chat_text(page, DONE_ACCEPTED.replace("REFERENCE", reference), done_replies)

    officer = cards.nth(officer_index)  # the same place in the chat: updated in place, not sent again
    _wait_card_text(officer, r"Accepted \d{2} \w{3} \d{2}:\d{2} by Sam Reed")
    text = officer.inner_text()
    assert text.startswith(f"Referral {reference}"), text
    assert NEW_STATUS not in text and re.search(r"^Accepted$", text, re.MULTILINE), text
    assert _buttons(officer) == ["Ask for information", "Close", "Reassign"], _buttons(officer)
    assert _chat_text_count(page, rf"^Referral {reference}$") == 1, "the officer card was sent again instead of updated"
    assert cards.count() == total + 1, "more than the referrer's update arrived"
    assert cards.nth(confirmation_index).get_by_text(CONFIRMATION_HEADING).count(), "the chat's cards moved"
    _card_screenshot(page, officer, artifacts / "21-officer-card-accepted.png")

    # (3) Close with an outcome chosen in the Close card (an Action.ShowCard).
    _button(officer, "Close").click()
    _choose(page, officer, "Outcome", "Advice given")
    _card_screenshot(page, officer, artifacts / "21-officer-card-close-outcome.png")
    total = cards.count()
    _button(officer, "Close referral").click()
    _wait_card_count(page, total + 1, bot_server, bot_log_start, "the referrer's 'closed' update")
    update = cards.nth(total)
    update.get_by_text("Your referral was closed").first.wait_for(state="visible")
    assert "Advice given" in update.inner_text(), update.inner_text()
    assert re.search(r"Status\s*Closed", update.inner_text()), update.inner_text()

    officer = cards.nth(officer_index)
    _wait_card_text(officer, r"Closed \d{2} \w{3} \d{2}:\d{2} by Sam Reed")
    text = officer.inner_text()
    assert text.startswith(f"Referral {reference}") and re.search(r"^Closed — Advice given$", text, re.MULTILINE), text
    assert _buttons(officer) == [], f"a closed referral's card still has buttons: {_buttons(officer)}"
    assert _chat_text_count(page, rf"^Referral {reference}$") == 1, "the officer card was sent again instead of updated"
    _card_screenshot(page, officer, artifacts / "22-officer-card-closed.png")
    update.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "22-officer-card-closed-page.png"))

    # (4) Nothing on the page or in the bot's log looks like a crash; the whole thing stays quick.
    body = page.locator("body").inner_text()
    assert not STACK_TRACE.search(body), f"the page shows a stack trace:\n{body}"
    new_log = _read_from(bot_server.log, bot_log_start)
    assert "Traceback" not in new_log, f"the bot logged a traceback:\n{new_log[-3000:]}"
    assert time.monotonic() - started < 30


# --------------------------------------------------------------------------- helpers

def _wait_card_count(page: Any, count: int, bot_server: BotServer, log_start: int, what: str,
                     timeout_s: float = 10.0) -> None:
    """Wait until the chat shows at least `count` cards; on timeout fail with what the bot logged meanwhile
    (a turn that never ends shows as its missing `turn ... outcome=` line)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(f"n => document.querySelectorAll('{TOP_CARD}').length >= n", arg=count,
                               timeout=timeout_s * 1000)
    except PlaywrightTimeout:
        shown = page.locator(TOP_CARD).count()
        pytest.fail(f"{what} did not appear within {timeout_s:.0f}s ({shown} cards, expected {count}); the bot "
                    f"logged meanwhile:\n{_read_from(bot_server.log, log_start)[-3000:]}", pytrace=False)


def _index_of(page: Any, pattern: str, indexes: range) -> int:
    """The index of the one card among `indexes` with a text line matching `pattern`."""
    found = [i for i in indexes if page.locator(TOP_CARD).nth(i).get_by_text(re.compile(pattern)).count()]
    assert len(found) == 1, f"expected one card matching {pattern!r} among cards {list(indexes)}, found {found}"
    return found[0]


def _buttons(card: Any) -> list[str]:
    """Titles of the card's own buttons (not those of an opened ShowCard), in order."""
    return card.evaluate(
        """card => [...card.querySelectorAll('.ac-actionSet button')]
             .filter(b => b.closest('.ac-adaptiveCard') === card).map(b => b.getAttribute('title'))""")


def _wait_card_text(card: Any, pattern: str) -> None:
    card.get_by_text(re.compile(pattern)).first.wait_for(state="visible")
