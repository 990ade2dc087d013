"""Issue 12, round 9: a question about what one child keeps doing, or whether something has been done for one child
yet, is a case, not a policy: not answered yes or no (held-out set 19 had "<name> keeps being sent home... has anyone
from the virtual school rung the school about her yet" answered yes from the contact entry)."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("question", [
    "Jayden kept walking out of maths all week. Did anybody from the VS speak to his head of year about him yet?",
    "mia keeps refusing to go in on mondays, have the virtual school phoned the school about her yet",
    "Has someone from the VS emailed the DT about her yet? She's been out since half term",
    "freddie refused to get on the bus again today",
])
def test_what_one_child_keeps_doing_or_has_had_done_yet_is_a_case(matcher, question):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.reason) == ("unknown", "personal_case")


@pytest.mark.parametrize("question", [
    "has anyone from the virtual school been in touch with schools about the new guidance yet?",
    "does the virtual school keep in touch with the school when a child in care is excluded?",
    "will the VS ring the school about a looked after child who keeps being sent home at lunch?",
])
def test_policy_questions_with_the_same_words_are_not_cases(matcher, question):
    assert matcher.answer(question).reason != "personal_case"


@pytest.mark.parametrize("question", [
    "has Olivia been exlcuded again?",
    "has Noah been suspnded again",
    "whats Isla's atendance like now",
    "has my refferal for Theo gone through",
])
def test_a_typo_in_the_word_that_makes_it_one_childs_record_keeps_it_a_case(matcher, question):
    # the typo is repaired before the question is read; the repaired text is checked for a case too
    answer = matcher.answer(question)
    assert answer.corrections and (answer.verdict, answer.reason) == ("unknown", "personal_case")
