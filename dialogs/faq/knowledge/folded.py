"""Case-insensitive patterns matched on the lower-cased text: the same matches as re.IGNORECASE, faster.

re.IGNORECASE folds case at every character it compares; on the longest questions that made a pattern 2-4 times
slower (the professional markers: 71 -> 16 µs a question). Lower-casing the text once is C speed. The pattern is
written in lower case; where lower-casing would move characters ("İ" becomes two) or a character matches a letter
only by case folding ("ſ" matches "s"), the text is matched with re.IGNORECASE instead, so the matches are the
same. Match objects are on the lowered text: use them for whether and where, never for the words as typed.
"""
from __future__ import annotations

import re
from typing import Iterator

# The characters outside ASCII that re.IGNORECASE matches with an ASCII letter but str.lower() does not turn into
# that letter (every code point is checked in tests/test_faq_speed.py; the Kelvin sign lowers to "k"): text holding
# one is matched the slow way.
FOLDS_APART = frozenset("\u0130\u0131\u017f")  # İ ı ſ


class Folded:
    """A case-insensitive pattern (see the module docstring): search, match, fullmatch and finditer."""

    __slots__ = ("pattern", "_lower", "_ignorecase")

    def __init__(self, pattern: str, flags: int = 0):
        named = re.sub(r"\(\?P<\w+>|\(\?P=\w+\)|\\[A-Za-z]", "", pattern)
        if re.search(r"[A-Z]", named):
            raise ValueError(f"a folded pattern is written in lower case: {pattern!r}")
        self.pattern = pattern
        self._lower = re.compile(pattern, flags & ~re.IGNORECASE)
        self._ignorecase = re.compile(pattern, flags | re.IGNORECASE)

    def _pick(self, text: str) -> tuple[re.Pattern[str], str]:
        lowered = text.lower()
        if len(lowered) == len(text) and (text.isascii() or FOLDS_APART.isdisjoint(text)):
            return self._lower, lowered
        return self._ignorecase, text

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        pattern, text = self._pick(text)
        return pattern.search(text, pos)

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        pattern, text = self._pick(text)
        return pattern.match(text, pos)

    def fullmatch(self, text: str) -> re.Match[str] | None:
        pattern, text = self._pick(text)
        return pattern.fullmatch(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        pattern, text = self._pick(text)
        return pattern.finditer(text)


def lowered(text: str) -> str | None:
    """`text` lower-cased, for the substring tests that decide whether a case-insensitive pattern is worth trying
    (may_match); None when it holds a letter that folds apart, so that every pattern is tried."""
    return None if not FOLDS_APART.isdisjoint(text) else text.lower()


def may_match(low: str | None, *pieces: str | bool) -> bool:
    """Whether a case-insensitive pattern that cannot match without one of `pieces` (lower-case text, or a condition
    already known) may match the text `low` was made from (lowered). A regex pass over a long message costs far more
    than a substring test, and most messages hold none of the pieces: the pattern is skipped then, with the same
    result."""
    return low is None or any(piece if isinstance(piece, bool) else piece in low for piece in pieces)
