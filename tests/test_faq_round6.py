"""Issue 12, round 6: general behaviours found from held-out sets 13 and 14 (questions here are our own wording).

Each test pins one behaviour of the reading (asks.py, normalise.py, audience.py) or of the knowledge base, and fails
without it.
"""
from __future__ import annotations

import pytest

from dialogs.faq.knowledge.asks import parse
from tests.utils.faq import tokens


# --- reading the asks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["can carers come and get advice from you about a new school",
                                      "would someone go and see the school about her timetable",
                                      "could our SENCo pop and ask the VS about a PEP"])
def test_come_and_verb_is_one_action(question):
    assert len(parse(question).asks) == 1


def test_a_second_ask_after_come_and_verb_still_splits():
    parsed = parse("could someone come and meet him, and also pay for a tutor")
    assert parsed.asks == ("could someone come and meet him", "pay for a tutor")


@pytest.mark.parametrize("question", ["so it goes by where the young person lives, and not the school's postcode?",
                                      "is the officer picked by the child's home address but not by where he's at school"])
def test_an_alternative_ruled_out_is_not_asked(matcher, question):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == ("yes", "locality-by-home-address")


def test_not_just_x_stays_in_the_ask():
    assert "not just" in parse("do you advise the school and not just the social worker?").asks[0]


# --- words ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["head of year 9", "head of yr 7", "HoY", "head of department"])
def test_a_head_of_year_is_not_the_headteacher(matcher, role):
    assert "headteacher" not in tokens(matcher, f"{role} at a secondary")


@pytest.mark.parametrize("question", ["are there sessions where social workers can bring a case for advice?",
                                      "do you put on sessions for professionals to talk a case through"])
def test_sessions_people_come_to_for_advice_are_surgeries(matcher, question):
    answer = matcher.answer(question)
    assert answer.verdict == "yes" and answer.entry.id.startswith(("surger", "dsl-"))


def test_attendance_sessions_are_not_surgeries(matcher):
    assert "surgery" not in tokens(matcher, "she has missed 20 sessions this term")


@pytest.mark.parametrize("word", ["nudge", "nudges"])
def test_a_nudge_is_a_reminder(matcher, word):
    assert "reminder" in tokens(matcher, f"a {word} about the PEP")


def test_b4_is_before(matcher):
    assert tokens(matcher, "b4 the pep") == tokens(matcher, "before the pep")


# --- PEP review alerts (BRIEF rules) -------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["as the designated teacher, do I get pinged ahead of a pep review for a cla pupil?",
                                      "does my manager hear about it when a PEP goes past its due date and is overdue?",
                                      "will the social worker get a reminder about upcoming PEP reviews?"])
def test_pep_reviews_due_and_overdue_are_alerted(matcher, question):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == ("yes", "pep-review-alerts")


# --- who is asking, and about which child ----------------------------------------------------------------------


def test_a_child_on_my_caseload_is_not_my_caseload_as_the_subject(matcher):
    assert tokens(matcher, "a CP child on my caseload") == tokens(matcher, "a CP child")
    answer = matcher.answer("got a CIN girl on my caseload, does the virtual school cover her?")
    assert answer.verdict == "yes" and answer.entry.id != "take-on-other-professionals-roles"


def test_handing_over_my_caseload_is_still_another_role(matcher):
    answer = matcher.answer("could the virtual school take some of my caseload off me?")
    assert (answer.verdict, answer.entry.id) == ("no", "take-on-other-professionals-roles")


@pytest.mark.parametrize("lead", ["does that mean", "does this mean", "so that means"])
def test_does_that_mean_only_leads_in(matcher, lead):
    assert tokens(matcher, f"{lead} she is covered") == tokens(matcher, "she is covered")


@pytest.mark.parametrize("relative", ["husband", "wife", "sister", "brother", "cousin"])
def test_relatives_are_family(matcher, relative):
    assert tokens(matcher, f"my {relative}") == ("family",)


@pytest.mark.parametrize("dialect, standard", [("mam", "mum"), ("meself", "myself"), ("nowt", "nothing"),
                                               ("owt", "anything"), ("summat", "something")])
def test_northern_words(matcher, dialect, standard):
    assert tokens(matcher, f"the {dialect} said") == tokens(matcher, f"the {standard} said")


@pytest.mark.parametrize("verb", ["ring", "phone", "email", "call"])
def test_a_parent_asking_to_contact_the_vs_about_their_child_is_a_request(matcher, verb):
    answer = matcher.answer(f"my daughter is on a child protection plan, can I {verb} the virtual school for advice "
                            "about her school?")
    assert (answer.verdict, answer.entry.id) == ("no", "parent-requests-cwsw")


def test_a_worker_asking_if_a_mam_can_ring_for_advice_gets_the_parents_rule(matcher):
    answer = matcher.answer("the mam of a CP family I support wants advice from the VS on her lad's school. "
                            "would they talk to her?")
    assert answer.verdict == "no" and answer.entry.id in {"parent-requests-cwsw", "work-with-families"}


# --- direct work, and paying for several things ------------------------------------------------------------------


@pytest.mark.parametrize("child", ["the little one", "the wee lass", "our youngest one", "the bairn"])
def test_working_with_a_child_described_any_way_is_direct_work(matcher, child):
    found = tokens(matcher, f"could someone work with {child} directly")
    assert "direct" in found and "partnership" not in found


def test_working_with_the_school_is_still_partnership(matcher):
    assert "partnership" in tokens(matcher, "could someone work with the school")


@pytest.mark.parametrize("subject", ["PP+", "pp", "ppp"])
def test_pupil_premium_plus_covering_something_is_paying_for_it(matcher, subject):
    found = tokens(matcher, f"can {subject} cover a laptop")
    assert "spend" in found and "include" not in found


def test_two_things_to_pay_for_are_answered_each(matcher):
    parsed = parse("is PP+ allowed to pay for a maths tutor and her school shoes")
    # (round 9: the second thing is asked with the words that pay for the first)
    assert parsed.asks == ("is PP+ allowed to pay for a maths tutor", "is PP+ allowed to pay for her school shoes")
    answer = matcher.answer("could the pp+ cover some english tuition and a new blazer for a looked after boy")
    assert answer.verdict == "partly"
    assert {p.entry.id for p in answer.parts} == {"pp-plus-tutoring", "pp-plus-non-learning-spend"}


def test_a_list_without_paying_is_not_split():
    assert len(parse("do you give advice to the DT and the social worker").asks) == 1


# --- keeping records ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("phrase", ["keep a record of", "keep records on", "keep a log of"])
def test_keeping_a_record_is_tracking(matcher, phrase):
    assert tokens(matcher, f"{phrase} her attendance") == tokens(matcher, "track her attendance")


def test_a_reading_age_is_learning_not_an_age(matcher):
    assert tokens(matcher, "his reading age") == ("learning",)
    answer = matcher.answer("would you keep records on each CP pupil's spelling ages for us?")
    assert (answer.verdict, answer.entry.id) == ("no", "track-individual-cwsw-progress")
