"""Plain-text commands. Kept tiny and explicit: anything else is a question for the knowledge base."""
from __future__ import annotations

import re
from dataclasses import dataclass

_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Intent:
    name: str  # help | cancel | refer | book | ask | my_referrals | my_bookings | publish_surgery | manage_surgeries
    #            | question | empty
    argument: str = ""


def clean(text: str | None) -> str:
    """Drop @mentions of the bot (team channels) and collapse white space."""
    return _SPACES.sub(" ", _MENTION.sub(" ", text or "")).strip()


_EXACT = {
    "help": "help", "menu": "help", "start": "help", "hi": "help", "hello": "help", "hey": "help",
    "what can you do": "help", "what can you do?": "help", "?": "help",
    "cancel": "cancel", "stop": "cancel", "quit": "cancel", "never mind": "cancel", "nevermind": "cancel",
    "refer": "refer", "make a referral": "refer", "new referral": "refer", "referral": "refer",
    "book": "book", "book a surgery": "book", "surgery": "book", "surgeries": "book", "book a place": "book",
    "ask": "ask",
    "my referrals": "my_referrals", "referrals": "my_referrals", "queue": "my_referrals", "my queue": "my_referrals",
    "my bookings": "my_bookings", "bookings": "my_bookings", "my surgery bookings": "my_bookings",
    "publish a surgery": "publish_surgery", "publish surgery": "publish_surgery", "new surgery": "publish_surgery",
    "add a surgery": "publish_surgery", "manage surgeries": "manage_surgeries", "manage surgery": "manage_surgeries",
}
_REFER = re.compile(r"^(i('d| would)? (like|want|need) to |can i |how do i |please )?(make an? |do an? )?refer(ral)?\b"
                    r"(?!.*\?$)", re.IGNORECASE)
# "book", "can I book a surgery?", "how do I book onto a surgery": a request to book, even as a question, when
# nothing follows but the words of booking a surgery. "Can I book two places under my name?" stays a question.
_BOOK = re.compile(r"^(?:(?:i(?:'d| would)? (?:like|want|need) to|can i|could i|may i|how (?:do|can) i|please|"
                   r"let me) )?book(?: (?:me|a|an|in|on|onto|into|at|for|one|of|the|place|a place|slot|slots|"
                   r"surgery|surgeries|surgery slot|advice session|session|vs|virtual school|with|you|please))*\s*[?.!]*$",
                   re.IGNORECASE)


def actor_id(context) -> str:
    """Who is acting: the Entra object id Teams puts on every activity (never anything a card says)."""
    account = context.activity.from_property
    return (getattr(account, "aad_object_id", None) or getattr(account, "id", None) or "") if account else ""


def parse(text: str | None) -> Intent:
    cleaned = clean(text)
    if not cleaned:
        return Intent("empty")
    lowered = cleaned.lower().rstrip(".!")
    if lowered in _EXACT:
        return Intent(_EXACT[lowered])
    if lowered.startswith("ask "):
        return Intent("ask", cleaned[4:].strip())
    if _REFER.match(lowered):
        return Intent("refer")
    if _BOOK.match(lowered):
        return Intent("book")
    return Intent("question", cleaned)
