"""What the attendee wants to discuss: kept only when it does not look like it names a child.

Surgeries are for general advice; the booking card asks people not to name children. A topic that looks like it
does anyway (a name, a date of birth, a postcode, a reference or a long id number) gets a gentle warning and is not
stored. The FAQ's personal-details detector decides, with the knowledge base's vocabulary when it is loaded (so
"attendance for Harrow schools" is a place, not a name), plus one rule of our own: a topic is a few words, so a
common first name anywhere in it counts ("chat about Kayla")."""
from __future__ import annotations

import re

from dialogs.faq.knowledge.common_words import COMMON_WORDS
from dialogs.faq.knowledge.personal import FIRST_NAMES, looks_personal
from storage.vocabulary import SURGERY_LIMITS

_WORDS = re.compile(r"[A-Za-z]+")


def clean_topic(raw) -> str:
    return " ".join(str(raw or "").split())[:SURGERY_LIMITS["topic"]]


def names_a_child(topic: str, knowledge=None) -> bool:
    """True if the topic looks like it identifies a child. `knowledge` is the FAQ's KnowledgeHolder (or None)."""
    if not topic:
        return False
    if knowledge is not None:
        if knowledge.answer(topic).reason == "personal_case":
            return True
    elif looks_personal(topic, COMMON_WORDS):
        return True
    return any(word.lower() in FIRST_NAMES for word in _WORDS.findall(topic))
