"""Helpers shared by the FAQ matcher's tests."""
from __future__ import annotations


def tokens(matcher, text):
    """The words the matcher reads in `text` (after spelling, phrases and stems)."""
    return matcher.normaliser.normalise(text).tokens
