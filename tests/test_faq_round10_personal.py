"""Issue 12, round 10 (personal cases): a child's record named as a condition ("if my child's attendance drops") is not
that child's record asked for, and "cld" is a child, not a name. Questions here are our own wording.
"""
from __future__ import annotations

import pytest

from dialogs.faq.knowledge.personal import looks_personal


@pytest.fixture(scope="module")
def known(matcher):
    return matcher.normaliser.known_words


@pytest.mark.parametrize("text", ["will i get an alert if my child's attendance drops under 90%",
                                  "what happens when our son's PEP is overdue?",
                                  "if my daughter's attendance falls below 50 is that severe absence?",
                                  "will the sw get pinged if my cld's attendance drops"])
def test_a_record_as_a_condition_is_not_a_case(known, text):
    assert not looks_personal(text, known)


@pytest.mark.parametrize("text", ["what is my son's attendance", "can you check my daughter's PEP",
                                  "whats my cld's attendance this term", "my chld's referral, has it gone through?"])
def test_a_record_asked_for_is_still_a_case(known, text):
    assert looks_personal(text, known)


def test_cld_is_a_child_not_a_name(matcher):
    assert matcher.normaliser.normalise("cld").tokens == ("child",)


def test_an_alert_question_about_a_cld_is_answered(matcher):
    answer = matcher.answer("do i get an alert if a cld's attendance goes under 90%?")
    assert (answer.verdict, answer.entry.id if answer.entry else None) == ("yes", "attendance-alerts")
    answer = matcher.answer("will i get an alert if my cld's attendance drops under 90%")
    assert (answer.verdict, answer.entry.id if answer.entry else None) == ("yes", "attendance-alerts")


@pytest.mark.parametrize("text", ["my son Tomasz is in care, how is he doing at school?",
                                  "our foster daughter Evi has a PEP next week, what will they discuss"])
def test_a_child_named_after_my_son_or_daughter_is_a_case(known, text):
    assert looks_personal(text, known)


@pytest.mark.parametrize("text", ["my daughter has ADHD, is she covered by the virtual school?",
                                  "my son Year 9 has a social worker, does the VS help schools?"])
def test_my_son_or_daughter_without_a_name_is_not_a_case_for_that(known, text):
    assert not looks_personal(text, known)
