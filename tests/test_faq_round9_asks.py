"""Issue 12, round 9 ("reading"): how a question is read, found from held-out sets 19, 20, 8 and 6 (our own wording here).

Each test pins one cause in the reading of a question (asks.py, matcher.py, audience.py) and fails without its fix.
"""
from __future__ import annotations

import pytest

from dialogs.faq.knowledge.asks import parse
from dialogs.faq.knowledge.audience import PARENT, PROFESSIONAL, detect_asker


# --- a question word inside a statement ----------------------------------------------------------------------


def test_a_question_word_followed_by_its_subject_inside_a_statement_is_not_an_ask():
    parsed = parse("I don't think anyone is noticing what he actually needs, he said so at the review. "
                   "Can the virtual school make sure his views are heard?")
    assert parsed.asks == ("Can the virtual school make sure his views are heard",)


@pytest.mark.parametrize("question", ["he has been excluded twice what can we do",
                                      "he's been sent home again what should we do now"])
def test_a_question_word_followed_by_a_verb_still_starts_the_ask(question):
    assert parse(question).asks[-1].lower().startswith("what")


# --- two asks joined without a verb of asking ------------------------------------------------------------------


@pytest.mark.parametrize("allowed", ["ok to", "okay to", "fine to"])
def test_whether_something_is_allowed_after_and_is_a_second_ask(matcher, allowed):
    question = f"pupil premium plus - does the vs monitor how it's spent, and {allowed} put some towards a residential?"
    assert len(parse(question).asks) == 2
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [p.verdict for p in answer.parts] == ["yes", "no"]


def test_a_plus_standing_between_two_asks_joins_them(matcher):
    assert parse("can vs chair his PEP + do a home visit?").asks == ("can vs chair his PEP",
                                                                  "do a home visit")
    answer = matcher.answer("can vs chair his PEP + do a home visit?")
    assert answer.verdict == "partly"
    assert [p.verdict for p in answer.parts] == ["yes", "no"]


def test_a_plus_inside_a_word_joins_nothing():
    assert parse("can pp+ pay for a tutor?").asks == ("can pp+ pay for a tutor",)


# --- who is asking -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("question", [
    "Head is talking about excluding our boy. Will the VS help school look at other options?",
    "Lots of our kids are on reduced timetables. Does the VS get involved?",
    "our girls in care keep missing maths - can the VS monitor their progress?"])
def test_our_girl_or_our_kids_alone_is_not_a_parent(question):
    assert detect_asker(question) == PROFESSIONAL


@pytest.mark.parametrize("question", ["our son is on a CiN plan, can you help him?",
                                      "our adopted girl is struggling, can the VS give us advice?"])
def test_our_son_or_our_adopted_child_is_a_parent(question):
    assert detect_asker(question) == PARENT


def test_a_kinship_carer_without_an_article_asks_as_a_relative():
    assert detect_asker("im kinship carer for a boy on a CiN plan, can I ring the VS myself?") == PARENT


# --- groups of children: "some have X and some don't" -------------------------------------------------------------


def test_which_of_several_groups_is_answered_for_each_group(matcher):
    answer = matcher.answer("a few of our pupils are on SEN support, some have a social worker and some haven't. "
                            "which ones does the VS cover?")
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == [("yes", "send-social-worker-in-cohort"),
                                                               ("no", "send-without-social-worker")]


# --- a numbered list of things asked -------------------------------------------------------------------------------


@pytest.mark.parametrize("question", [
    "Actions agreed: 1) VS to chair the next PEP; 2) VS to teach him maths at home. Would the VS do both?",
    "Notes from the PEP: a) the VS to chair the next meeting b) the VS to teach him maths at home. "
    "Would the VS do all of these?"])
def test_an_ask_pointing_at_a_numbered_list_asks_each_item(matcher, question):
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [p.verdict for p in answer.parts] == ["yes", "no"]
    assert answer.parts[0].entry.id == "chair-pep-meetings"


# --- two things paid for, the second named without the verb ---------------------------------------------------------


@pytest.mark.parametrize("question", [
    "could PP+ pay for extra english support for her and also her drama club after school",
    "can pupil premium plus pay for some extra tuition and also a club after school"])
def test_each_thing_paid_for_is_read_with_what_pays_and_not_with_the_other_thing(matcher, question):
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == [("yes", "pp-plus-tutoring"),
                                                               ("no", "pp-plus-non-learning-spend")]


def test_the_second_thing_paid_for_is_asked_with_the_first_ones_words():
    assert parse("can PP+ fund a reading tutor, and also a school trip?").asks == ("can PP+ fund a reading tutor",
                                                                                   "can PP+ fund a school trip")


# --- "and help <someone / do something>" ----------------------------------------------------------------------------


def test_help_someone_do_something_after_and_is_a_second_action(matcher):
    question = "can the VS fill in the admissions form and help him find a school near the new placement"
    assert parse(question).asks == ("can the VS fill in the admissions form",
                                    "help him find a school near the new placement")
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [p.verdict for p in answer.parts] == ["no", "yes"]


def test_advice_and_help_is_still_one_ask():
    assert len(parse("could you give us advice and help with the transition").asks) == 1


# --- a formal letter: "I would be grateful if you could confirm whether ..., and whether ..." -------------------------


@pytest.mark.parametrize("question", [
    "I would be grateful if you could clarify whether the Virtual School attends PEP meetings",
    "please can you tell me whether the VS chairs PEPs",
    "I wanted to check if the VS does home visits"])
def test_a_yes_no_question_asked_indirectly_is_closed(question):
    from dialogs.faq.knowledge.asks import is_closed_question  # pylint: disable=import-outside-toplevel

    assert is_closed_question(question)


def test_a_second_whether_is_a_second_ask(matcher):
    question = ("I would be grateful if you could confirm whether the Virtual School monitors the attendance of our looked "
                "after pupils, and whether your officers would deliver the catch-up sessions themselves.")
    assert len(parse(question).asks) == 2
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == [("yes", "attendance-monitoring"),
                                                               ("no", "carry-out-interventions")]


# --- whether some children are covered, beside another ask -------------------------------------------------------------


def test_whether_some_children_are_covered_is_not_pulled_to_the_other_asks_subject(matcher):
    # (which entry answers "does the VS support kids on CP plans" is a matter of words; here only how it is read)
    answer = matcher.answer("does the VS support kids on CP plans at all, and would someone go into school to see her one "
                            "to one")
    assert answer.verdict == "partly"
    assert (answer.parts[1].verdict, answer.parts[1].entry.id) == ("no", "work-directly-with-children")
    assert answer.parts[0].entry.id != "work-directly-with-children"


# --- speed: each reading of a question made once ---------------------------------------------------------------------


def test_a_question_is_never_read_twice_the_same_way(matcher, monkeypatch):
    from dialogs.faq.knowledge.matcher import Matcher  # pylint: disable=import-outside-toplevel

    question = "will the VS collect a child and take them to school"
    expected = matcher.answer(question)
    readings = []
    rank_once = Matcher._rank_once  # pylint: disable=protected-access

    def counted(self, multipliers, ask=None):
        readings.append((tuple(multipliers.items()), ask))
        return rank_once(self, multipliers, ask)

    monkeypatch.setattr(Matcher, "_rank_once", counted)
    assert matcher.answer(question) == expected
    assert len(readings) == len(set(readings)) >= 1
    readings.clear()
    matcher.answer(question)  # nothing is kept from one question to the next
    assert readings


# --- the other side of an "or" -----------------------------------------------------------------------------------------


def test_an_ask_after_or_is_marked_as_the_alternative():
    parsed = parse("can the VS chair his PEP, or do they just leave it to the school?")
    assert parsed.asks == ("can the VS chair his PEP", "do they just leave it to the school")
    assert parsed.alternatives == frozenset({"do they just leave it to the school"})
    assert not parse("can the VS chair his PEP and also do a home visit?").alternatives


def test_an_alternative_not_understood_leaves_the_question_to_its_first_side(matcher):
    answer = matcher.answer("will the VS talk to his camhs worker or do they just work on their own")
    assert (answer.verdict, answer.entry.id, answer.parts) == ("yes", "work-with-professionals-and-carers", ())


def test_an_alternative_saying_nothing_is_not_read_into_the_question(matcher):
    # "sit back" had been read with the ask, and the question scored lower
    plain = matcher.answer("can the VS chair his PEP?")
    answer = matcher.answer("can the VS chair his PEP, or do they just sit back?")
    assert (answer.verdict, answer.entry.id) == ("yes", "chair-pep-meetings")
    assert answer.score == plain.score
