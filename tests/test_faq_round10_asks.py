"""Issue 12, round 10 ("reading"): how a question is read, found from sets 10, 15, 21, 22 and 23 (new wordings here
beside each set's question).

Each test pins one cause in the reading of a question (asks.py, matcher.py, audience.py) and fails without its fix.
"""
from __future__ import annotations

import pytest

from dialogs.faq.knowledge.asks import is_closed_question, parse
from dialogs.faq.knowledge.audience import is_request


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


# --- a part naming whom it is about; a yes/no ask after the story in one clause ------------------------------------


@pytest.mark.parametrize("question", [
    "Are your surgeries open to SEND team staff, and will the virtual school take on a SEND pupil who doesn't have a "
    "social worker?",
    "Are the surgeries open to SEND teams, and is the virtual school responsible for SEND kids with no social worker?",
])
def test_a_part_naming_whom_it_is_about_is_not_about_whom_the_other_part_names(matcher, question):
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts][0] == ("yes", "surgery-who-can-attend")


@pytest.mark.parametrize("question", [
    "lac yp placed out of borough, can vs advise carer on schools nr placement",
    "our DT left at easter, can the VS cover the DT statutory stuff till we recruit",
])
def test_a_yes_no_ask_after_the_story_in_the_same_clause_is_a_closed_question(question):
    assert is_closed_question(question)


@pytest.mark.parametrize("question", [
    "lac yp placed out of borough, can vs advise carer on schools nr placement + sort a taxi to current school",
    "cla boy in y10 placed 30 miles away, can vs give carer advice on schools nr placement and book a taxi to the old "
    "school",
])
def test_two_asks_after_the_story_in_one_clause_are_each_answered_yes_or_no(matcher, question):
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [p.verdict for p in answer.parts] == ["yes", "no"]


# --- the plan where the thing asked about was written down ----------------------------------------------------------


@pytest.mark.parametrize("question", [
    "Does the virtual school monitor AND deliver the interventions agreed in the PEP?",
    "Would VS staff run the reading interventions written in his PEP, and also monitor them?",
])
def test_the_plan_an_intervention_was_agreed_in_is_context_not_what_is_asked(matcher, question):
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert {(p.verdict, p.entry.id) for p in answer.parts} == {("yes", "monitor-interventions"),
                                                                ("no", "carry-out-interventions")}


# --- a second thing paid for, said with the first one's preposition again ----------------------------------------


@pytest.mark.parametrize("question, second", [
    ("can her pp+ go on things to help her catch up on learning she missed, and on school trips",
     "can her pp+ go on school trips"),
    ("could his pupil premium plus be spent on catch up tuition, and on his bus fares",
     "could his pupil premium plus be spent on his bus fares"),
    ("can pp+ go on a tutor for maths and also on a school trip", "can pp+ go on a school trip"),
])
def test_a_second_thing_paid_for_after_the_same_preposition_is_asked_on_its_own(matcher, question, second):
    assert parse(question).asks[1] == second
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == [("yes", "pp-plus-tutoring"),
                                                               ("no", "pp-plus-non-learning-spend")]


# --- "both" after a clause adding one thing to another --------------------------------------------------------------


@pytest.mark.parametrize("question", [
    "School business manager, planning PP+ for a Y9 CiC: a 1:1 deeper-learning programme in maths, plus taxis so he "
    "arrives on time. Will the VS support both uses?",
    "DT here, planning pupil premium plus for a year 7 in care: one-to-one reading tuition, as well as a new uniform. "
    "Is the VS ok with both?",
])
def test_both_after_a_clause_adding_one_thing_to_another_asks_each_thing(matcher, question):
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == [("yes", "pp-plus-tutoring"),
                                                               ("no", "pp-plus-non-learning-spend")]



# --- a child previously in care: advice and information only -------------------------------------------------------


@pytest.mark.parametrize("question", [
    "My girl is adopted (she was in care till she was 2). Can the virtual school give me advice about her school AND "
    "send someone to her school meetings to fight her corner? I feel like they just dont listen to me",
    "our son is adopted so PLAC. can the VS give us some advice and also come to his school meetings and sort it out "
    "for us?",
    "We adopted our son from care. Can the VS give us advice about his school AND send someone to his school meetings "
    "to stand up for him?",
    "my grandson is on an SGO, he was in care before. could the VS advise me about his school and also come to his "
    "meetings and fight his corner?",
])
def test_a_part_asking_the_vs_to_act_for_a_child_previously_in_care_gets_advice_only(matcher, question):
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert answer.parts[0].entry.id == "plac-parent-advice"
    assert "plac-advice" in {p.entry.id for p in answer.parts[1:]}


# --- what someone wants, said after the question -------------------------------------------------------------------


@pytest.mark.parametrize("question", [
    "does vs check how school spends pp+ for my lac yp? carer wants it spent on his football club outside school",
    "Does the VS hold schools to account for PP+ spending? The head wants it spent on uniform for him.",
])
def test_money_someone_wants_spent_after_the_question_is_asked_too(matcher, question):
    assert len(parse(question).asks) == 2
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == [("yes", "pupil-premium-plus-accountability"),
                                                               ("no", "pp-plus-non-learning-spend")]


def test_what_someone_wants_the_vs_to_do_after_the_question_is_asked_too(matcher):
    answer = matcher.answer("will the VS chair his PEP? his carer would like you to take him on a visit to the new school")
    assert answer.verdict == "partly"
    assert [p.verdict for p in answer.parts] == ["yes", "no"]


def test_what_someone_wants_before_the_question_stays_the_story():
    assert parse("school wants to use pupil premium plus for the year 6 residential trip, is that ok?").asks == (
        "is that ok",)


# --- a parent asking to make a referral themselves -----------------------------------------------------------------


@pytest.mark.parametrize("question", [
    "Can I make a referral to the inclusion team myself? My daughter is on a CP plan and she hasnt been in school since "
    "october half term",
    "could we make a referral to the virtual school ourselves? our son is on a CIN plan and keeps getting sent home",
    "Can I just make a referral for my son, he's on a child protection plan",
])
def test_a_parent_asking_to_make_a_referral_is_a_request_of_their_own(matcher, question):
    assert is_request(question)
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == ("no", "parent-referral")
