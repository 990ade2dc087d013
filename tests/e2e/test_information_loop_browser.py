"""The information loop as people meet it: the demo social worker Sam Reed (…0a1), signed in to the Microsoft 365
Agents Playground's web page (channel msteams) in Chromium, answers an officer's request for information by typing
into the rendered card and clicking its button.

The Playground's page has one user, Sam, and its API will not let another user speak in Sam's personal chat. So
the officer, the demo North officer Chris Lane (…0c2), has a Teams chat of his own played by a small connector in
this test: Chris's activities go to the same bot over HTTP with that connector as their serviceUrl, and whatever the
bot sends Chris (his officer card, its updates in place, the note that a reply came) lands there. Nobody changes
role: Sam stays a social worker and Chris an officer, so the router's role policy applies as in Teams. (North's
districts, HA4–HA6, are used by no other e2e test.)

Steps: Sam refers Jordan, 9, who lives in HA6 → Chris's officer card → Chris asks for information → in Sam's chat
the request card shows the question with a reply box and "Send reply" → Sam types the answer and clicks it →
the request card becomes "Reply sent" in place; Chris gets a note with the question and the reply, and his officer
card is updated in place ("Information received — over to you", both in its history) → Sam types "my referrals",
sees "Jordan S., 9 · North · Information received · waiting …" and selecting the row opens the details. Screenshots
go to test-artifacts/e2e/3x-*.png (Chris's cards are drawn with the official Adaptive Cards renderer from
tools/cards, as Teams would draw them)."""
from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.e2e.conftest import REPO, BotServer, BrowserPage, Playground
from tests.e2e.test_officer_browser import TOP_CARD, _buttons, _wait_card_count, _wait_card_text
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
from tests.utils.teams import aad, message, submit

SAM = "00000000-0000-0000-0000-0000000000a1"
pytestmark = pytest.mark.e2e

CHRIS = aad("0c2")  # the demo North officer
HOME_POSTCODE = "HA6 1QX"  # North
QUESTION = "Which school is Jordan on roll at, and since when?"
REPLY = "Pinner Park Primary, since September. *Part-time* timetable {3 days}."
RENDERER = REPO / "tools" / "cards" / "node_modules" / "adaptivecards" / "dist" / "adaptivecards.js"


def test_the_social_worker_replies_to_an_information_request_in_the_cards(
        browser_page: BrowserPage, playground: Playground, bot_server: BotServer, artifacts: Path):
    assert playground.user_aad_object_id == SAM, "the Playground's signed-in user must be Sam Reed"
    page = browser_page.page
    bot_log_start = _size(bot_server.log)
    started = time.monotonic()
    with officer_chat(bot_server) as chris:
        chris.say("hello")  # Chris has a chat with the bot, so his cards can reach him
        chris.wait_for(lambda sent: any("main-menu" in ids or "welcome" in ids for _, _, _, ids in sent),
                       "the bot's answer to Chris")
        _fresh_chat(page, playground)
        cards = page.locator(TOP_CARD)

        # (1) Sam refers Jordan (9), who lives in HA6 (North): his confirmation; Chris's officer card.
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
        _wait_card_count(page, before + 1, bot_server, bot_log_start, "the confirmation")
        confirmation = cards.nth(before)
        confirmation.get_by_text("Referral received").first.wait_for(state="visible")
        reference = re.search(r"VS-\d{4}-\d{5}", confirmation.inner_text()).group(0)
        assert re.search(r"Goes to\s*North", confirmation.inner_text()), confirmation.inner_text()
        officer_id, officer_card = chris.card("referral-officer", f"Chris's card for {reference}")
        assert reference in json.dumps(officer_card)
        chris.render(page, officer_card, artifacts / "30-officer-card-new.png")

        # (2) Chris asks for information with his card's "Ask for information" → "Send request".
        ask = _show_card_submit(officer_card, "Ask for information")
        total = cards.count()
        chris.press(ask | {"info_request": QUESTION}, reply_to_id=officer_id)
        chris.wait_for(lambda sent: any(f"Done: you sent your request for information on {reference}" in (b.get("text")
                                                                                                          or "")
                                        for _, _, b, _ in sent), "the answer to Chris's request")
        _wait_card_count(page, total + 1, bot_server, bot_log_start, "the referrer's request card")
        request_index = total
        request = cards.nth(request_index)

        # (3) Sam's request card shows the question, a reply box and "Send reply".
        request.get_by_text("The officer needs more information").first.wait_for(state="visible")
        text = request.inner_text()
        assert re.search(rf"Reference\s*{reference}", text) and QUESTION in text, text
        assert re.search(r"Status\s*More information requested", text), text
        assert _buttons(request) == ["Send reply"], _buttons(request)
        _card_screenshot(page, request, artifacts / "31-referrer-request-card.png")
        _type(request.get_by_label("Your reply"), REPLY)
        _card_screenshot(page, request, artifacts / "32-referrer-reply-typed.png")
        sent_replies = _chat_text_count(page, rf"^Sent: your reply on referral {reference}")
        chris.clear()
        _button(request, "Send reply").click()

        # (4) Sam's card becomes "Reply sent" in place (no reply box left) and his click is answered.
        _wait_chat_text(page, rf"^Sent: your reply on referral {reference} has gone to the officer\.", sent_replies)
        request = cards.nth(request_index)
        _wait_card_text(request, r"^Reply sent$")
        text = request.inner_text()
        assert REPLY in text and QUESTION in text and _buttons(request) == [], text
        assert request.get_by_label("Your reply").count() == 0, "the reply box is still there"
        _card_screenshot(page, request, artifacts / "33-referrer-reply-sent.png")

        # (5) Chris is told, with the question and the reply; his officer card is updated in place.
        _, note = chris.card("referral-officer-note", "the note to Chris")
        fields = _fields(note)
        assert (fields["You asked"], fields["Reply"], fields["From"]) == (QUESTION, REPLY, "Sam Reed"), fields
        chris.render(page, note, artifacts / "34-officer-told-of-the-reply.png")
        updated = chris.wait_for(lambda sent: [b for m, aid, b, ids in sent if m == "PUT" and aid == officer_id
                                               and "referral-officer" in ids], "the officer card's update")[-1]
        card = updated["attachments"][0]["content"]
        shown = json.dumps(card, ensure_ascii=False)
        assert "Information received — over to you" in shown and QUESTION in shown and REPLY in shown
        assert re.search(r"Information requested \d{2} \w{3} \d{2}:\d{2} by Chris Lane", shown), shown
        assert re.search(r"Reply \d{2} \w{3} \d{2}:\d{2} by Sam Reed", shown), shown
        assert [a["title"] for a in card["actions"]] == ["Accept", "Ask for information", "Close", "Reassign"]
        chris.render(page, card, artifacts / "35-officer-card-information-received.png")

        # (6) "my referrals": a row Sam can tell apart; selecting it opens the referral's details.
        total = cards.count()
        _send(page, "my referrals")
        _wait_card_count(page, total + 1, bot_server, bot_log_start, "the list of referrals")
        listing = cards.nth(total)
        listing.get_by_text("Referrals you made").first.wait_for(state="visible")
        row = listing.locator(".ac-container").filter(has_text=reference).last
        row_text = row.inner_text()
        assert re.search(r"Jordan S\., 9", row_text), row_text
        assert re.search(rf"North · Information received · waiting \d+ (min|hours?) · {reference}", row_text), row_text
        assert "Sample" not in listing.inner_text(), "the list shows the last initial only"
        _card_screenshot(page, listing, artifacts / "36-my-referrals.png")
        total = cards.count()
        row.click()
        _wait_card_count(page, total + 1, bot_server, bot_log_start, "the referral's details")
        details = cards.nth(total)
        details.get_by_text(f"Referral {reference}").first.wait_for(state="visible")
        text = details.inner_text()
        assert QUESTION in text and REPLY in text and "Jordan S." in text and "Sample" not in text, text
        assert re.search(r"Officer:\s*Chris Lane", text), text
        assert _buttons(details) == ["Withdraw"], _buttons(details)
        _card_screenshot(page, details, artifacts / "37-referral-details.png")
        page.screenshot(path=str(artifacts / "37-referral-details-page.png"))

    # Nothing looks like a crash; the question and the reply never reached the bot's log.
    body = page.locator("body").inner_text()
    assert not STACK_TRACE.search(body), f"the page shows a stack trace:\n{body}"
    new_log = _read_from(bot_server.log, bot_log_start)
    assert "Traceback" not in new_log, f"the bot logged a traceback:\n{new_log[-3000:]}"
    assert "Pinner Park" not in new_log and "on roll" not in new_log, "typed text reached the bot's log"
    assert time.monotonic() - started < 90


# --------------------------------------------------------------------------- the officer's Teams chat

@dataclass
class OfficerChat:
    """Chris Lane's chat with the bot: his activities are posted to the bot with this connector as serviceUrl;
    what the bot sends him is recorded as (method, activity id, body, card ids)."""

    bot_url: str
    url: str = ""
    sent: list[tuple[str, str, dict, list[str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def say(self, text: str) -> None:
        self._post(message(text, service_url=self.url, aad_id=CHRIS, name="Chris Lane"))

    def press(self, value: dict, *, reply_to_id: str) -> None:
        self._post(submit(value, service_url=self.url, aad_id=CHRIS, name="Chris Lane", reply_to_id=reply_to_id))

    def _post(self, activity: dict) -> None:
        request = urllib.request.Request(f"{self.bot_url}/api/messages", data=json.dumps(activity).encode(),
                                         method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as resp:  # noqa: S310 (loopback only)
            assert resp.status in (200, 201), resp.read()

    def clear(self) -> None:
        with self.lock:
            self.sent.clear()

    def wait_for(self, predicate, what: str, timeout_s: float = 15.0):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.lock:
                found = predicate(list(self.sent))
            if found:
                return found
            time.sleep(0.05)
        pytest.fail(f"{what} did not reach Chris within {timeout_s:.0f}s; he got: "
                    f"{[(m, ids, (b.get('text') or '')[:80]) for m, _, b, ids in self.sent]}", pytrace=False)

    def card(self, card_id: str, what: str) -> tuple[str, dict]:
        """The newest card with this id sent (POST) to Chris: (its activity id, the card)."""
        found = self.wait_for(lambda sent: [(aid, b) for m, aid, b, ids in sent if m == "POST" and card_id in ids], what)
        activity_id, body = found[-1]
        return activity_id, body["attachments"][0]["content"]

    def render(self, page: Any, card: dict, path: Path) -> None:
        """Draw one of Chris's cards with the official Adaptive Cards renderer, in a page of its own (no network:
        the script is injected from tools/cards), and screenshot it."""
        if not RENDERER.exists():
            return  # the screenshots of Chris's side need `npm ci --prefix tools/cards` (make e2e does it)
        drawing = page.context.new_page()
        try:
            drawing.set_content("<html><body style='margin:0;background:#fff'><div id='card' "
                                "style='width:520px;padding:12px;font-family:Segoe UI,Arial,sans-serif'></div>"
                                "</body></html>")
            drawing.add_script_tag(content=RENDERER.read_text(encoding="utf-8"))
            drawing.evaluate("""card => { const ac = new AdaptiveCards.AdaptiveCard(); ac.parse(card);
                                 document.getElementById('card').appendChild(ac.render()); }""", card)
            drawing.locator("#card").screenshot(path=str(path))
        finally:
            drawing.close()


@contextmanager
def officer_chat(bot_server: BotServer) -> Iterator[OfficerChat]:
    chat = OfficerChat(bot_url=bot_server.url)

    class Connector(BaseHTTPRequestHandler):
        """The Bot Connector routes the bot calls for Chris's chat: send, reply, update."""

        def do_POST(self):  # noqa: N802 (http.server's naming)
            self._record()

        def do_PUT(self):  # noqa: N802
            self._record()

        def _record(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            parts = self.path.split("/")  # /v3/conversations/{id}/activities[/{activity id}]
            card_ids = [(a.get("content") or {}).get("id", "") for a in body.get("attachments") or []]
            with chat.lock:
                activity_id = parts[5] if self.command == "PUT" else f"chris-msg-{len(chat.sent) + 1}"
                chat.sent.append((self.command, activity_id, body, card_ids))
            answer = json.dumps({"id": activity_id}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Connector)
    chat.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="chris-connector", daemon=True)
    thread.start()
    try:
        yield chat
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _show_card_submit(card: dict, title: str) -> dict:
    """The data of the Action.Submit inside a card's Action.ShowCard (what its button sends)."""
    show = next(a for a in card["actions"] if a["title"] == title)
    return dict(show["card"]["actions"][0]["data"])


def _fields(card: dict) -> dict[str, str]:
    from tests.utils.teams import card_fields

    return card_fields(card)
