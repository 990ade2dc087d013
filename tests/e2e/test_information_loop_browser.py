"""The information loop as people meet it, in the Microsoft 365 Agents Playground's web page (channel msteams) in
Chromium. The Playground has one signed-in user, the demo social worker Sam Reed (…0a1); as in
test_officer_browser.py, the postcode sector "HA5 9" is routed (with `vsbot import localities`) to a locality
whose officer is Sam, so both sides of one referral meet in one chat.

Sam refers a child who lives in HA5 9; as the officer, Sam clicks "Ask for information" on the officer card, types
the question and sends it; as the referrer, Sam gets the request card showing the question with a reply box, types
the answer into it and clicks "Send reply". Then: the request card turns into "Reply sent" in place (no reply box
left), the officer is told in a new card showing the question and the reply, and the officer card, updated in
place, says "Information received — over to you" with both in its history. Finally "my referrals" lists the
referral as "Jordan S., 9" with its locality, status and waiting time, and selecting the row opens its details.
Screenshots of each step go to test-artifacts/e2e/3x-*.png."""
from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path

import pytest

from tests.e2e.conftest import BotServer, BrowserPage, Playground
from tests.e2e.test_officer_browser import (  # noqa: F401 - sams_locality is a fixture
    SAM,
    TOP_CARD,
    _buttons,
    _index_of,
    _wait_card_count,
    _wait_card_text,
    sams_locality,
)
from tests.e2e.test_referral_browser import (
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

HOME_POSTCODE = "HA5 9QX"
QUESTION = "Which school is Jordan on roll at, and since when?"
REPLY = "Pinner Park Primary, since September. *Part-time* timetable {3 days}."


def test_the_social_worker_replies_to_an_information_request_in_the_cards(
        browser_page: BrowserPage, playground: Playground, bot_server: BotServer, sams_locality: str,  # noqa: F811
        artifacts: Path):
    assert playground.user_aad_object_id == SAM, "the Playground's signed-in user must be Sam Reed"
    page = browser_page.page
    bot_log_start = _size(bot_server.log)
    started = time.monotonic()
    _fresh_chat(page, playground)
    cards = page.locator(TOP_CARD)

    # (1) Sam refers Jordan (9), who lives in HA5 9: the officer card (to Sam) and the confirmation arrive.
    before = cards.count()
    _send(page, "refer")
    form = cards.nth(before)
    form.get_by_text("Referral to the Virtual School inclusion team").first.wait_for(state="visible")
    _type(form.get_by_label("Child's first name"), "Jordan")
    _type(form.get_by_label("Child's last name"), "Sample")
    form.get_by_label("Date of birth").fill(date(date.today().year - 9, 1, 1).isoformat())
    page.keyboard.press("Tab")
    _type(form.get_by_label("Child's home postcode"), HOME_POSTCODE)
    _type(form.get_by_label("School or setting"), "Pinner Park Primary")
    _choose(page, form, "Legal status", "Child Protection plan")
    form.get_by_role("checkbox", name="Not in education").check()
    _type(form.get_by_label("What is happening"), "Out of school since half term; needs a route back in.")
    _choose(page, form, "Your role", "Social worker")
    form.get_by_role("checkbox", name="I am the child's allocated social worker").check()
    form.get_by_role("checkbox", name="I have the right to share").check()
    before = cards.count()
    _button(form, "Send referral").click()
    _wait_card_count(page, before + 2, bot_server, bot_log_start, "the officer card and the confirmation")
    officer_index = _index_of(page, r"^Referral VS-\d{4}-\d{5}$", range(before, before + 2))
    officer = cards.nth(officer_index)
    reference = re.search(r"VS-\d{4}-\d{5}", officer.inner_text()).group(0)

    # (2) As the officer: Ask for information (an Action.ShowCard), type the question, send it.
    _button(officer, "Ask for information").click()
    _type(officer.get_by_label("What do you need from the referrer?"), QUESTION)
    _card_screenshot(page, officer, artifacts / "30-officer-asks-for-information.png")
    total = cards.count()
    asked = _chat_text_count(page, rf"^Done: you sent your request for information on {reference}")
    _button(officer, "Send request").click()
    _wait_card_count(page, total + 1, bot_server, bot_log_start, "the referrer's request card")
    _wait_chat_text(page, rf"^Done: you sent your request for information on {reference}", asked)
    request_index = total
    request = cards.nth(request_index)

    # (3) As the referrer: the request card shows the question, a reply box and Send reply.
    request.get_by_text("The officer needs more information").first.wait_for(state="visible")
    text = request.inner_text()
    assert re.search(rf"Reference\s*{reference}", text) and QUESTION in text, text
    assert re.search(r"Status\s*More information requested", text), text
    assert _buttons(request) == ["Send reply"], _buttons(request)
    _card_screenshot(page, request, artifacts / "31-referrer-request-card.png")
    _type(request.get_by_label("Your reply"), REPLY)
    _card_screenshot(page, request, artifacts / "32-referrer-reply-typed.png")
    total = cards.count()
    sent_replies = _chat_text_count(page, rf"^Sent: your reply on referral {reference}")
    _button(request, "Send reply").click()

    # (4) The request card becomes "Reply sent" in place; the officer gets a new card with the question and reply.
    _wait_card_count(page, total + 1, bot_server, bot_log_start, "the officer's 'reply' card")
    _wait_chat_text(page, rf"^Sent: your reply on referral {reference} has gone to the officer\.", sent_replies)
    request = cards.nth(request_index)  # the same place in the chat: replaced in place
    _wait_card_text(request, r"^Reply sent$")
    text = request.inner_text()
    assert REPLY in text and QUESTION in text and _buttons(request) == [], text
    assert request.get_by_label("Your reply").count() == 0, "the reply box is still there"
    _card_screenshot(page, request, artifacts / "33-referrer-reply-sent.png")
    note = cards.nth(total)
    note.get_by_text(f"Reply on referral {reference}").first.wait_for(state="visible")
    text = note.inner_text()
    assert re.search(rf"You asked:\s*{re.escape(QUESTION)}", text) and re.search(rf"Reply:\s*{re.escape(REPLY)}", text), text
    assert re.search(r"From:\s*Sam Reed", text), text
    _card_screenshot(page, note, artifacts / "34-officer-told-of-the-reply.png")

    # (5) The officer card, in the same place in the chat, has moved on and shows both in its history.
    officer = cards.nth(officer_index)
    _wait_card_text(officer, r"^Information received — over to you$")
    text = officer.inner_text()
    assert text.startswith(f"Referral {reference}"), text
    assert re.search(r"Information requested \d{2} \w{3} \d{2}:\d{2} by Sam Reed", text), text
    assert re.search(r"Reply \d{2} \w{3} \d{2}:\d{2} by Sam Reed", text), text
    assert re.search(rf"Question:\s*{re.escape(QUESTION)}", text) and re.search(rf"Reply:\s*{re.escape(REPLY)}", text), text
    assert _buttons(officer) == ["Accept", "Ask for information", "Close", "Reassign"], _buttons(officer)
    assert _chat_text_count(page, rf"^Referral {reference}$") == 1, "the officer card was sent again instead of updated"
    _card_screenshot(page, officer, artifacts / "35-officer-card-information-received.png")

    # (6) "my referrals": a row people can tell apart; selecting it opens the referral's details.
    total = cards.count()
    _send(page, "my referrals")
    _wait_card_count(page, total + 1, bot_server, bot_log_start, "the list of referrals")
    listing = cards.nth(total)
    listing.get_by_text("Referrals you made").first.wait_for(state="visible")
    row = listing.locator(".ac-container").filter(has_text=reference).last
    row_text = row.inner_text()
    assert re.search(r"Jordan S\., 9", row_text), row_text
    assert re.search(rf"E2E locality · Information received · waiting \d+ (min|hours?) · {reference}", row_text), row_text
    assert "Sample" not in listing.inner_text(), "the list shows the last initial only"
    _card_screenshot(page, listing, artifacts / "36-my-referrals.png")
    total = cards.count()
    row.click()
    _wait_card_count(page, total + 2, bot_server, bot_log_start, "the referral's details (referrer's and officer's)")
    details = cards.nth(total)  # the referrer's view first, then (Sam is also the officer) the officer card
    details.get_by_text(f"Referral {reference}").first.wait_for(state="visible")
    text = details.inner_text()
    assert QUESTION in text and REPLY in text and "Jordan S." in text and "Sample" not in text, text
    assert _buttons(details) == ["Withdraw"], _buttons(details)
    assert _buttons(cards.nth(total + 1)) == ["Accept", "Ask for information", "Close", "Reassign"]
    _card_screenshot(page, details, artifacts / "37-referral-details.png")
    page.screenshot(path=str(artifacts / "37-referral-details-page.png"))

    # Nothing looks like a crash; the question and the reply never reached the bot's log.
    body = page.locator("body").inner_text()
    assert not STACK_TRACE.search(body), f"the page shows a stack trace:\n{body}"
    new_log = _read_from(bot_server.log, bot_log_start)
    assert "Traceback" not in new_log, f"the bot logged a traceback:\n{new_log[-3000:]}"
    assert "Pinner Park" not in new_log and "on roll" not in new_log, "typed text reached the bot's log"
    assert time.monotonic() - started < 60

