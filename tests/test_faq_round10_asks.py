"""Issue 12, round 10 ("reading"): how a question is read, found from sets 10, 15, 21, 22 and 23 (new wordings here
beside each set's question).

Each test pins one cause in the reading of a question (asks.py, matcher.py, audience.py) and fails without its fix.
"""
from __future__ import annotations

import pytest

from dialogs.faq.knowledge.asks import parse


# --- two asks joined by "or" before a verb; "and" with a word of manner before the verb ---------------------------


@pytest.mark.parametrize("question, first, second", [
    ("the school keep ringing me about his behaviour, can the VS advise them on it or make them change their "
     "behaviour policy", "can the VS advise them on it", "make them change their behaviour policy"),
    ("could the VS give the school training on learning behaviours or get them to rewrite their behaviour policy",
     "could the VS give the school training on learning behaviours", "get them to rewrite their behaviour policy"),
])
def test_or_before_a_verb_joins_a_second_ask(matcher, question, first, second):
    assert parse(question).asks == (first, second)
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [p.verdict for p in answer.parts] == ["yes", "no"]


def test_or_do_i_after_an_ask_is_its_other_side_not_a_second_ask():
    assert len(parse("do SWs get told before a PEP review is due or do we have to keep track ourselves").asks) == 1


@pytest.mark.parametrize("question", [
    "can you give his school advice about supporting his learning and basically tell them what they have to do? "
    "they're not listening to me",
    "could vs train the staff on closing learning gaps and just tell the head what to do with him",
])
def test_a_word_of_manner_between_and_and_the_verb_still_joins_two_asks(matcher, question):
    assert len(parse(question).asks) == 2
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [p.verdict for p in answer.parts] == ["yes", "no"]


def test_a_part_pointing_back_at_the_story_is_read_with_it(matcher):
    answer = matcher.answer("the school keep ringing me about his behaviour, can the VS advise them on it or make them "
                            "change their behaviour policy")
    assert answer.parts[0].entry.id == "learning-behaviours-advice"
