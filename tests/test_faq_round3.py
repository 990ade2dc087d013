"""Issue 12, round 3: generalising to new people's words (held-out set 7 released, practice sets 3 and 4).

The questions here are written for these tests; none is copied from a held-out set.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from dialogs.faq.knowledge import english
from dialogs.faq.knowledge.asks import is_closed_question, parse
from dialogs.faq.knowledge.audience import PARENT, detect_asker, is_request
from dialogs.faq.knowledge.bench import load_eval_items
from dialogs.faq.knowledge.loader import load_knowledge_base
from dialogs.faq.knowledge.matcher import Matcher
from dialogs.faq.knowledge.normalise import comparison_key
from dialogs.faq.knowledge.quantities import measure

DATA = Path(__file__).parent / "data"
TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


@pytest.fixture(scope="module")
def matcher(kb):
    return Matcher(kb, today=TODAY)


def outcome(matcher, question):
    answer = matcher.answer(question)
    entry = answer.entry or answer.offered
    return answer.verdict, entry.id if entry else None


# --- what general English says about words the knowledge base has never seen ----------------------------------


def test_the_english_lexicon_ships_in_a_package_and_knows_parts_of_speech():
    assert english.is_english("claiming") and not english.is_english("chairng")
    assert not english.can_be_noun("outgrown") and not english.can_be_noun("similar")
    assert english.can_be_noun("laptop") and english.can_be_noun("mileage")
    assert english.can_be_noun("zqxwv")  # not a word: a name or a typo, never an everyday word
    assert "attend" in english.base_forms("attenders")


def test_a_real_word_is_never_repaired_into_a_word_the_knowledge_base_knows(matcher):
    corrections = dict(matcher.normaliser.normalise("process for claiming mileage").corrections)
    assert "claiming" not in corrections
    assert matcher.normaliser.normalise("sholud the vs chiar the pep").corrections  # real typos still are


@pytest.mark.parametrize("question, expected", [
    # a verb, adjective or adverb the knowledge base never uses does not stop a clear match
    ("Is the Virtual School able to compel a school to rewrite its behaviour policy?", ("no", "change-school-behaviour-policy")),
    ("Can pupil premium plus buy a new blazer for a looked after boy who has outgrown his old one?",
     ("no", "pp-plus-non-learning-spend")),
    ("Does the virtual school inspect colleges in a similar fashion to Ofsted?", ("no", "inspect-schools")),
    # another form of a word the knowledge base uses is read as that word
    ("would the VS chair the PEP of a pupil who outgrew his placement school?", ("yes", "chair-pep-meetings")),
])
def test_unknown_everyday_words_do_not_veto_a_clear_match(matcher, question, expected):
    assert outcome(matcher, question) == expected


@pytest.mark.parametrize("question", [
    "when do I get my foster carer payment?",  # what is asked about is the unknown noun
    "Whats the process for claiming mileage for PEP meetings?",
    "can we spend PP+ on a laptop",  # what is paid for is the question, known or not
    "can you tell me a fun fact",
])
def test_an_unknown_subject_is_still_not_answered(matcher, question):
    assert matcher.answer(question).verdict == "unknown"


def test_yes_no_questions_are_told_from_open_ones():
    assert is_closed_question("Could the VS arrange a taxi for our resident?")
    assert is_closed_question("PEP within 10 working days, correct?")
    assert not is_closed_question("when do I get my payment?")
    assert not is_closed_question("can you tell me the process for mileage")


# --- the six-year rule, counted back from today -------------------------------------------------------------


def test_a_past_year_is_counted_back_from_today():
    assert measure("on a CIN plan in 2016, nothing since", TODAY)["years_ago"] == 10
    assert measure("CP plan closed in 2022", TODAY)["years_ago"] == 4
    assert measure("plan ended March 2020", TODAY)["years_ago"] == pytest.approx(6.8)
    assert "years_ago" not in measure("covered since 2021?", TODAY)  # when a duty started, not when a plan ended
    assert "years_ago" not in measure("kinship children from September 2024", TODAY)
    assert measure("CIN plan in 2016", date(2020, 6, 1))["years_ago"] == 4  # relative to the day it is asked


@pytest.mark.parametrize("question, verdict", [
    ("she had a child protection plan back in 2015, is she still one of your cohort?", "no"),
    ("his CIN plan closed in 2023. do you still count him?", "yes"),
])
def test_the_six_year_rule_uses_the_year_a_plan_ended(matcher, question, verdict):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == (verdict, "previous-social-worker-six-years")
    if verdict == "no":
        assert "six" in answer.note or "6" in answer.note


# --- asks inside long stories, and questions joining two asks ---------------------------------------------------


def test_a_long_story_does_not_drown_a_clear_ask(matcher):
    question = ("Hi, I'm head of year at a big secondary. One of our looked after girls has had a really rough few "
                "weeks with arguments in class, refusing detentions and walking out of lessons, and the deputy head "
                "is talking about a fixed-term exclusion. Could the virtual school help us think about alternatives?")
    assert outcome(matcher, question) == ("yes", "alternatives-to-exclusion")


def test_a_relative_clause_is_not_an_ask_and_an_indirect_ask_is():
    parsed = parse("We have a boy in care whose attendance is falling. I wanted to check whether you offer training.")
    assert parsed.asks == ("whether you offer training.",)
    assert "whose attendance" in parsed.context


def test_a_part_asking_the_vs_to_do_something_it_does_not_do_makes_the_answer_partly(matcher):
    answer = matcher.answer("Does the VS keep tabs on how our CLA are doing emotionally? And would they run lego therapy "
                            "sessions for one of them?")
    assert answer.verdict == "partly"
    assert {p.entry.id for p in answer.parts} == {"monitor-progress-attendance-mental-health", "carry-out-interventions"}


def test_progress_of_children_in_care_is_monitored(matcher):
    # was a strict xfail (read as tracking individual children with a social worker); the wider phrasings of issue 12
    # ("do you track the attendance and progress of lac", ...) close the gap
    assert outcome(matcher, "Will the VS monitor the progress of our CLA?") == (
        "yes", "monitor-progress-attendance-mental-health")


def test_direct_work_with_one_child_is_not_working_with_professionals(matcher):
    assert outcome(matcher, "can someone from the VS do some 1:1 work with my foster daughter?")[0] == "no"


# --- who the question is about -----------------------------------------------------------------------------------


@pytest.mark.parametrize("question, expected", [
    ("Are children with special educational needs the Virtual School's responsibility?", ("partly", "send-children-in-general")),
    ("does the VS cover a pupil with SEND who also has a social worker?", ("yes", "send-social-worker-in-cohort")),
    ("is a child with SEND but no social worker covered by the VS?", ("no", "send-without-social-worker")),
    ("Are unaccompanied asylum seeking children in care part of the VS's work?", ("yes", "support-children-in-care")),
])
def test_cohort_words(matcher, question, expected):
    assert outcome(matcher, question) == expected


def test_special_guardians_and_relatives_are_recognised_by_what_they_hold_or_do(matcher):
    assert detect_asker("we have an SGO for our granddaughter. can you help?") == PARENT
    assert detect_asker("I'm looking after my brother's children") == PARENT
    answer = matcher.answer("i have an SGO for my two grandkids. will the VS come along to school meetings with me")
    assert answer.audience == PARENT and answer.verdict != "yes"


# was a strict xfail ("school meetings" read as the PEP); round 9 reads a "PEP meeting" as the PEP itself, so a
# meeting at school is no longer one
def test_a_special_guardian_asking_for_school_meetings_is_not_told_about_peps(matcher):
    for question in ("we hold a special guardianship order for two grandchildren. will the VS go to school meetings with us?",
                     "we have an SGO for both grandchildren. will the VS come to meetings at school with us?"):
        answer = matcher.answer(question)
        assert (answer.verdict, answer.entry.id) == ("partly", "plac-advice")


def test_informal_kinship_is_kinship(matcher):
    assert outcome(matcher, "my nephew lives with me, no court order. does the virtual school cover kinship care?") == (
        "yes", "kinship-care")


def test_a_request_written_without_the_inversion_is_a_request():
    assert is_request("My daughter have social worker. Virtual school can help her?")


# --- the sets ----------------------------------------------------------------------------------------------------


def test_held_out_and_practice_questions_are_not_pasted_into_the_knowledge_base(kb):
    """Not copies, and not near-copies of a phrasing (a title may be close: it is the question itself)."""
    phrasings = [" ".join(comparison_key(p)) for e in kb for p in e.phrasings]
    exact = {comparison_key(text) for e in kb for text in (e.title, *e.phrasings)}
    for path in [*(DATA / f"faq_holdout_{n}.yaml" for n in (4, 5, 6, 7)), *sorted(DATA.glob("faq_practice_*.yaml"))]:
        for item in load_eval_items(path):
            key = comparison_key(item.q)
            assert key not in exact, (path.name, item.q)
            best = process.extractOne(" ".join(key), phrasings, scorer=fuzz.token_sort_ratio)
            assert best[1] < 95, (path.name, item.q, best[0])


def test_held_out_set_7_is_read_without_expected_ids():
    items = load_eval_items(DATA / "faq_holdout_7.yaml")
    assert len(items) == 70 and all(i.expected_id is None for i in items)
    assert {i.expected_verdict for i in items} == {"yes", "no", "partly", "unknown"}
