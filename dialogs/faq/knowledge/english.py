"""What general English says about a word the knowledge base has never seen (lemminflect's lexicon, offline).

A small knowledge base cannot know every word people write around their ask. Three things about such a
word are read from an English lexicon shipped inside the `lemminflect` package (no download at run time):
  * it is a real word, not a typo ("claiming", "seeking"), so it is never "repaired" into a word the knowledge
    base knows ("chairing", "seeing");
  * it is another form of a word the knowledge base knows ("outgrew" -> "outgrow", "requires" -> "require",
    "attenders" -> "attend"), so it is read as that word;
  * it cannot be a noun ("outgrown", "require", "similar", "correct"): then it does not change what the question
    is about — a verb, adjective or adverb the knowledge base doesn't use qualifies the ask, while an unknown
    noun ("a laptop", "mileage", "my payment") may be a subject we have never covered.
"""
from __future__ import annotations

from functools import lru_cache

import lemminflect

# Suffixes that make a noun or adjective from a verb or noun the knowledge base may know ("attenders" ->
# "attend", "governance" -> "govern"); tried only for real English words the knowledge base doesn't know.
_DERIVATIONS = ("ers", "er", "ees", "ee", "ance", "ances", "ence", "ment", "ments", "ness", "ity", "ful", "ly")


@lru_cache(maxsize=16384)
def lemmas(word: str) -> dict[str, tuple[str, ...]]:
    """Part of speech -> lemmas, from the lexicon only ({} for a word it doesn't know: a typo or a name)."""
    if not word.isalpha() or len(word) < 3:
        return {}
    return dict(lemminflect.getAllLemmas(word))


def is_english(word: str) -> bool:
    return bool(lemmas(word))


def can_be_noun(word: str) -> bool:
    found = lemmas(word)
    return not found or "NOUN" in found or "PROPN" in found


def base_forms(word: str) -> tuple[str, ...]:
    """The word's lemmas, then what it may be derived from, most likely first (no duplicates, not the word)."""
    found = lemmas(word)
    out: list[str] = []
    for pos in ("VERB", "NOUN", "ADJ", "ADV", "AUX"):
        out.extend(found.get(pos, ()))
    for form in list(out) + [word]:
        for suffix in _DERIVATIONS:
            if form.endswith(suffix) and len(form) - len(suffix) >= 4:
                root = form[: -len(suffix)]
                out.extend((root, root + "e"))
    return tuple(dict.fromkeys(w for w in out if w != word))


def warm_up() -> None:
    """Load the lexicon now (about half a second), not in the middle of someone's question."""
    lemmas("warming")
