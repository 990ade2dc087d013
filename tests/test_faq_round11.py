"""Issue 12, round 11 ("reading"): how a question is read, found from sets 10, 15 and 22 (new wordings here beside each
set's question).

Each test pins one cause in the reading of a question (asks.py, matcher.py, audience.py, the vocabulary) and fails
without its fix.
"""
from __future__ import annotations

import pytest

from dialogs.faq.knowledge.asks import parse
from dialogs.faq.knowledge.audience import PARENT, PROFESSIONAL, detect_asker

# --- a subordinate "when / where ..." clause ahead of the question is its condition, not an ask -------------------


@pytest.mark.parametrize("question, ask", [
    ("School admissions officer here. When a looked after child moves into the area, does the Virtual School complete "
     "and submit the in-year application for them?",
     "does the Virtual School complete and submit the in-year application for them"),
    ("When one of our children in care gets a new placement in another county, will the VS fill in the school "
     "application forms?", "will the VS fill in the school application forms"),
    ("where a cla pupil changes placement mid year, does the virtual school do the in year admission form for the "
     "carer", "does the virtual school do the in year admission form for the carer"),
])
def test_a_when_clause_before_the_question_is_its_condition_not_an_ask(matcher, question, ask):
    assert parse(question).asks == (ask,)
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == ("no", "school-admission-applications")


@pytest.mark.parametrize("question", ["When do PEPs happen?", "when will the next surgery be",
                                      "where can I find the referral form"])
def test_when_or_where_asking_a_question_is_still_the_ask(question):
    assert parse(question).asks == (question.rstrip("?"),)


# --- a choice the school "has to go with" is the VS telling it what to do ------------------------------------------


@pytest.mark.parametrize("question", [
    "Does VS support schools with alternatives to exclusion, and then tell us which option we have to go with?",
    "Could the virtual school suggest some options other than excluding her, and then tell me which of them we have "
    "to go with?",
])
def test_being_told_which_option_the_school_has_to_go_with_is_not_advice(matcher, question):
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == [("yes", "alternatives-to-exclusion"),
                                                               ("no", "tell-schools-what-to-do")]


# --- "mum here", "nan here": a family member saying who is writing -------------------------------------------------


@pytest.mark.parametrize("question, asker", [
    ("mum here, can the vs give me advice", PARENT),
    ("nan here, grandson lives with me. can the virtual school come into his school and sort things?", PARENT),
    ("SENCo here, mum wants advice from the VS", PROFESSIONAL),
])
def test_a_family_member_saying_who_is_writing_is_the_asker(question, asker):
    assert detect_asker(question) == asker


@pytest.mark.parametrize("question", ["mum here, can the vs give me advice",
                                      "dad here, could the virtual school give me some advice"])
def test_a_parent_saying_who_is_writing_gets_the_parents_entry(matcher, question):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == ("no", "parent-requests-cwsw")


# --- what parents and carers can ask of the VS answers them, not a professional asking for themselves -------------


@pytest.mark.parametrize("question", [
    "cp yp refusing school since xmas. can u give me advice on next steps and also go out to see him at home to get "
    "him back in pls",
    "cin girl not attending since october half term. could u give me some advice on what to do next and also visit "
    "her at home",
])
def test_a_professional_asking_for_advice_is_not_answered_by_the_parents_entry(matcher, question):
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [p.verdict for p in answer.parts] == ["yes", "no"]
    assert answer.parts[1].entry.id == "home-visits"


def test_a_parent_asking_for_advice_still_gets_the_parents_entry(matcher):
    answer = matcher.answer("my son is on a cp plan and refusing school, can u give me advice on next steps")
    assert (answer.verdict, answer.entry.id) == ("no", "parent-requests-cwsw")


# --- what a child thinks or feels is their views ------------------------------------------------------------------


@pytest.mark.parametrize("question", [
    "Does the virtual school care about what the young person thinks about their own education?",
    "is the VS interested in what the children feel about their schooling",
    "does the virtual school take a child's opinions into account",
])
def test_what_a_child_thinks_is_their_voice(matcher, question):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == ("yes", "listen-to-child-voice")
