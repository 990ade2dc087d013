"""The referral form as a person meets it: in the Microsoft 365 Agents Playground's web page (channel msteams) in
Chromium, signed in as the demo social worker Sam Reed. Type `refer`, fill the rendered form by its labels, send
it with a bad postcode, see the form come back with the error under the field and everything kept, correct the
postcode, send again, see the confirmation. Screenshots of both cards go to test-artifacts/e2e/.

How the Playground (0.2.28) draws this card, which is what the locators below rely on: every input has a <label>
(or aria-labelledby) with the card's `label`; element ids are random; Input.Date is a Fluent DatePicker (a text
combobox that accepts a typed ISO date and shows it as "9 March 2014"); compact ChoiceSets are Fluent comboboxes
with a listbox of role=option, not <select>; the multi-select expanded ChoiceSet and the Toggles are checkboxes
named by their titles."""
from __future__ import annotations

import re
import time
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import BotServer, BrowserPage, Playground, settled_count

pytestmark = pytest.mark.e2e

COMPOSE_BOX = 'div[data-lexical-editor="true"][role="textbox"]'
SEND_BUTTON = 'button[aria-label="Send Message"]'
PERSONAL_CHAT = 'button[role="treeitem"][aria-label="Personal Chat"]'
CARD = ".ac-adaptiveCard"
LOG_PANEL = 'div[contenteditable="true"][spellcheck="false"]'  # repeats message text; never "chat" text

FORM_HEADING = "Referral to the Virtual School inclusion team"
CONFIRMATION_HEADING = "Referral received"
CANCEL_REPLY = r"nothing to cancel|stopped that"
DETAILS = '**bold** {braces} "quotes"'
STACK_TRACE = re.compile(r"Traceback|File \"[^\"]+\", line \d+")  # a Python stack trace, in any form
SCREENSHOT_VIEWPORT = {"width": 1280, "height": 2400}  # tall enough for the whole form in one element shot

# Every label a person needs to see on the form (the card's `label`s and the toggles' titles).
FORM_LABELS = ("Child's first name", "Child's last name", "Date of birth", "Child's home postcode",
               "School or setting", "Legal status", "Reasons for the referral",
               "What is happening and what do you need from the team?", "Your role",
               "I am the child's allocated social worker", "Social worker's name", "Social worker's e-mail",
               "I have the right to share this information")


def test_referral_form_keeps_values_on_a_bad_postcode_then_confirms(browser_page: BrowserPage,
                                                                     playground: Playground, bot_server: BotServer,
                                                                     artifacts: Path):
    page = browser_page.page
    bot_log_start = _size(bot_server.log)
    started = time.monotonic()
    _fresh_chat(page, playground)

    # (1) type `refer`; the form is drawn with a visible label for every field.
    form = _after(page, FORM_HEADING, lambda: _send(page, "refer"))
    for label in FORM_LABELS:
        assert form.get_by_text(label, exact=False).first.is_visible(), f"label {label!r} is not visible on the form"

    dob = date(date.today().year - 12, 3, 9)  # a 12-year-old, whatever year the test runs in
    _type(form.get_by_label("Child's first name"), "Alex")
    _type(form.get_by_label("Child's last name"), "Smith")
    form.get_by_label("Date of birth").fill(dob.isoformat())  # the DatePicker parses typed text when it loses focus
    page.keyboard.press("Tab")
    _type(form.get_by_label("Child's home postcode"), "nonsense")
    _type(form.get_by_label("School or setting"), "Harrow Primary")
    _choose(page, form, "Legal status", "Child in Need plan (s17)")
    form.get_by_role("checkbox", name="Not in education").check()
    form.get_by_role("checkbox", name="Attendance").check()
    _type(form.get_by_label("What is happening"), DETAILS)
    _choose(page, form, "Your role", "Social worker")
    form.get_by_role("checkbox", name="I am the child's allocated social worker").check()
    form.get_by_role("checkbox", name="I have the right to share").check()
    assert str(dob.year) in form.get_by_label("Date of birth").input_value(), "the typed date of birth was not taken"

    again = _after(page, FORM_HEADING, lambda: _button(form, "Send referral").click())
    # The problem is said twice: in the field's label (what a screen reader announces) and in red under it.
    error = again.get_by_text("not a valid UK postcode").last
    error.wait_for(state="visible")
    assert "not a valid UK postcode" in _label_text(again, "Child's home postcode")
    _card_screenshot(page, again, artifacts / "10-referral-form-postcode-error.png")
    page.screenshot(path=str(artifacts / "10-referral-form-postcode-error-page.png"))

    text = again.inner_text()
    assert "Please check 1 thing below" in text, f"expected exactly one problem (the postcode):\n{text}"
    # The error line sits under the postcode input, before the next field, and is drawn in the Attention colour.
    postcode_box = again.get_by_label("Child's home postcode").bounding_box()
    school_box = again.get_by_label("School or setting").bounding_box()
    error_box = error.bounding_box()
    assert postcode_box and school_box and error_box
    assert postcode_box["y"] + postcode_box["height"] <= error_box["y"] < school_box["y"], (postcode_box, error_box,
                                                                                         school_box)
    assert _is_reddish(error.evaluate("e => getComputedStyle(e).color")), "the error is not in the Attention colour"
    # Everything typed is kept, markdown and braces literally.
    assert again.get_by_label("Child's first name").input_value() == "Alex"
    assert again.get_by_label("Child's last name").input_value() == "Smith"
    assert str(dob.year) in again.get_by_label("Date of birth").input_value()
    assert again.get_by_label("Child's home postcode").input_value() == "nonsense"
    assert again.get_by_label("School or setting").input_value() == "Harrow Primary"
    assert again.get_by_role("combobox", name="Legal status").input_value() == "Child in Need plan (s17)"
    assert again.get_by_label("What is happening").input_value() == DETAILS
    checked = {name: again.get_by_role("checkbox", name=name).is_checked()
               for name in ("Not in education", "Attendance", "Suspended", "I have the right to share")}
    assert checked == {"Not in education": True, "Attendance": True, "Suspended": False,
                       "I have the right to share": True}, checked

    # The form that was sent turned into a note, so it cannot be sent twice by mistake.
    page.locator(CARD).filter(has_text="Replaced by the form below").first.wait_for(state="visible")

    # (2) correct the postcode in the form that came back, send it: the confirmation, routed to West.
    postcode = again.get_by_label("Child's home postcode")
    postcode.click()
    postcode.press("Control+A")
    postcode.press_sequentially("HA1 2AB")
    confirmation = _after(page, CONFIRMATION_HEADING, lambda: _button(again, "Send referral").click())
    confirmation.get_by_text("West").first.wait_for(state="visible")
    _card_screenshot(page, confirmation, artifacts / "11-referral-confirmation.png")
    page.screenshot(path=str(artifacts / "11-referral-confirmation-page.png"))
    text = confirmation.inner_text()
    years = {str(datetime.now(ZoneInfo("Europe/London")).year), str(datetime.now(timezone.utc).year)}
    reference = re.search(r"\bVS-(\d{4})-\d{5}\b", text)
    assert reference and reference.group(1) in years, f"no VS-{'/'.join(sorted(years))}-NNNNN reference in:\n{text}"
    assert re.search(r"Goes to\s*West", text), text
    assert "Alex" in text and "Smith" not in text, f"the confirmation should name the child by first name only:\n{text}"

    # (3) nothing on the page or in the bot's log looks like a crash.
    body = page.locator("body").inner_text()
    assert not STACK_TRACE.search(body), f"the page shows a stack trace:\n{body}"
    new_log = _read_from(bot_server.log, bot_log_start)
    assert "Traceback" not in new_log, f"the bot logged a traceback during the referral:\n{new_log[-3000:]}"
    assert time.monotonic() - started < 30


# --------------------------------------------------------------------------- helpers (a person's actions)

def _fresh_chat(page: Any, playground: Playground) -> None:
    """Open the personal chat with no flow left half way by an earlier test (as a person would: cancel)."""
    _open_personal_chat(page, playground)
    replies = _chat_text_count(page, CANCEL_REPLY)
    _send(page, "cancel")
    _wait_chat_text(page, CANCEL_REPLY, replies)


def _open_personal_chat(page: Any, playground: Playground) -> None:
    page.goto(playground.url + "/")
    page.locator(COMPOSE_BOX).wait_for()
    if page.locator(PERSONAL_CHAT).count():
        page.locator(PERSONAL_CHAT).first.click()
    settled_count(page, CARD)  # opening the page sends installationUpdate; a welcome card may follow


def _send(page: Any, text: str) -> None:
    box = page.locator(COMPOSE_BOX)
    box.click()
    box.type(text)
    page.locator(SEND_BUTTON).click()


def _after(page: Any, heading: str, action) -> Any:
    """Do `action`, then wait for the next new card in the chat, check it shows `heading` and return it.
    (Counting all cards, not those with the heading: a submitted form is replaced in place by a short note.)"""
    cards = page.locator(CARD)
    before = cards.count()
    action()
    card = cards.nth(before)
    card.wait_for(state="visible")
    card.get_by_text(heading).first.wait_for(state="visible")
    return card


def _label_text(card: Any, label_start: str) -> str:
    return card.locator("label").filter(has_text=label_start).first.inner_text()


def _type(field: Any, text: str) -> None:
    field.click()
    field.press_sequentially(text)


def _choose(page: Any, card: Any, label: str, option: str) -> None:
    """A compact ChoiceSet is a Fluent combobox: open it, click the option in its (portalled) listbox."""
    box = card.get_by_role("combobox", name=label)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    assert box.input_value() == option, f"{label}: chose {option!r}, shows {box.input_value()!r}"


def _button(card: Any, title: str) -> Any:
    return card.locator(f'.ac-actionSet button[title="{title}"]')


def _card_screenshot(page: Any, card: Any, path: Path) -> None:
    """The whole card: the chat pane scrolls, so make the window tall enough for it first."""
    viewport = page.viewport_size
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    try:
        card.scroll_into_view_if_needed()
        card.screenshot(path=str(path), animations="disabled")
    finally:
        page.set_viewport_size(viewport)


def _chat_text_count(page: Any, pattern: str) -> int:
    return page.evaluate(_COUNT_CHAT_TEXT, [pattern, LOG_PANEL])


def _wait_chat_text(page: Any, pattern: str, before: int) -> None:
    page.wait_for_function(f"args => ({_COUNT_CHAT_TEXT})(args) > {before}", arg=[pattern, LOG_PANEL])


# Leaf elements of the chat (not the Log Panel) whose text matches a regular expression.
_COUNT_CHAT_TEXT = """([pattern, logPanel]) => {
  const re = new RegExp(pattern, "i");
  return [...document.querySelectorAll("body *")]
    .filter(e => !e.children.length && re.test(e.textContent || "") && !e.closest(logPanel)).length;
}"""


def _is_reddish(css_color: str) -> bool:
    channels = [int(c) for c in re.findall(r"\d+", css_color)[:3]]
    return len(channels) == 3 and channels[0] > 120 and channels[0] > 2 * max(channels[1], 1)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_from(path: Path, offset: int) -> str:
    try:
        with path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")
    except OSError:
        return ""
