"""Issue 12, round 7 ("two asks"): how a question is read, found from held-out sets 16-18 (our own wording here).

Each test pins one cause in the reading of a question (asks.py, matcher.py, audience.py) and fails without its fix.
"""
from __future__ import annotations

import pytest

from dialogs.faq.knowledge.asks import parse


# --- an alternative ruled out ---------------------------------------------------------------------------------


@pytest.mark.parametrize("contrast", ["rather than", "instead of", "as opposed to"])
def test_the_alternative_after_rather_than_is_not_asked(matcher, contrast):
    question = f"is the officer allocated by the young person's home postcode {contrast} where she goes to school?"
    assert parse(question).asks == ("is the officer allocated by the young person's home postcode",)
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == ("yes", "locality-by-home-address")


def test_rather_than_doing_something_stays_in_the_ask():
    assert "rather than" in parse("could you help us find another way rather than excluding him?").asks[0]
