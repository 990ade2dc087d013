"""Issue 12, round 4: general behaviours found from held-out sets 8 and 9 (questions here are our own wording).

Each test pins one behaviour of the reading (asks.py, normalise.py) or of the matcher, and fails without it.
"""
from __future__ import annotations

import pytest

from dialogs.faq.knowledge.asks import parse
from tests.utils.faq import tokens


# --- reading the asks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("joiner", ["or at least", "or even", ", or at the very least", "or failing that"])
def test_a_fallback_ask_is_a_second_ask(joiner):
    parsed = parse(f"could the VS do weekly reading lessons with her {joiner} advise her teachers on phonics?")
    assert len(parsed.asks) == 2
    assert parsed.asks[1].lower().startswith("advise")


def test_a_fallback_ask_joined_to_a_no_is_partly(matcher):
    answer = matcher.answer("will the virtual school teach my looked after pupil maths itself, or at least advise "
                            "us on which interventions work?")
    assert answer.verdict == "partly"
    assert {p.verdict for p in answer.parts} == {"yes", "no"}


def test_a_reason_after_the_ask_is_context_not_part_of_the_ask():
    parsed = parse("can someone from the vs walk him to school, his carer cant manage mornings this week")
    assert parsed.asks == ("can someone from the vs walk him to school",)
    assert "carer cant manage" in parsed.context


def test_the_plan_named_as_the_means_is_context():
    parsed = parse("can you monitor her wellbeing via the PEP?")
    assert "pep" not in parsed.asks[0].lower()
    assert "PEP" in parsed.context


def test_the_plan_as_the_subject_stays_in_the_ask():
    assert "PEP" in parse("do you chair the PEP?").asks[0]


def test_monitoring_through_the_plan_is_not_held_to_entries_that_name_the_plan(matcher):
    answer = matcher.answer("does the virtual school keep an eye on a looked after child's mental health through "
                            "the PEP?")
    assert answer.verdict == "yes"
    assert answer.entry.id == "monitor-progress-attendance-mental-health"


# --- words -------------------------------------------------------------------------------------------


def test_sending_a_person_is_providing_not_sending_a_referral(matcher):
    assert "provide" in tokens(matcher, "could you send a tutor to her house")
    assert "send_verb" not in tokens(matcher, "could you send someone out")
    assert "send_verb" in tokens(matcher, "can I send a referral by email")


def test_sending_a_tutor_is_answered_by_the_tutoring_entry(matcher):
    answer = matcher.answer("can the VS send a tutor for my looked after lad?")
    assert (answer.verdict, answer.entry.id) == ("no", "teach-or-tutor-child")


@pytest.mark.parametrize("question", ["can I have two slots at one surgery for different children?",
                                      "is it ok to take 3 slots in a single surgery"])
def test_several_slots_at_one_surgery_is_a_multiple_booking(matcher, question):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == ("no", "surgery-one-booking-each")


def test_how_the_writer_feels_and_school_refusal_are_read_as_such(matcher):
    words = tokens(matcher, "at my wits end, she keeps refusing to go in")
    assert "attendance" in words
    assert not {"wit", "end"} & set(words)


def test_phone_shorthand(matcher):
    assert tokens(matcher, "thru the pep atm") == tokens(matcher, "through the pep")
    assert "different" in tokens(matcher, "two diff schools")


def test_informed_about_schools_is_advice_not_telling_a_school(matcher):
    assert "advice" in tokens(matcher, "could you tell us about schools near the new placement")
    assert "tell" in tokens(matcher, "could you tell the school to take him back")


def test_a_fallback_list_of_three_asks_is_partly(matcher):
    answer = matcher.answer("a child in care is moving to us from another borough. could the VS tell us about schools "
                            "around here, and also fill in the admission forms and take her to visit them?")
    assert answer.verdict == "partly"


def test_backing_a_plan_in_the_story_answers_the_story(matcher):
    answer = matcher.answer("school want to put PP+ towards a looked after girl's school shoes and a trip. "
                            "will the VS back it?")
    assert (answer.verdict, answer.entry.id) == ("no", "pp-plus-non-learning-spend")


def test_an_award_for_schools_is_achievement_champion(matcher):
    answer = matcher.answer("is there some kind of quality mark or award for schools supporting CWSW well?")
    assert (answer.verdict, answer.entry.id) == ("yes", "achievement-champion")


def test_allocating_by_the_school_is_the_school_locality_question(matcher):
    answer = matcher.answer("she lives in the west but her school is in the east. is the officer allocated by the "
                            "school?")
    assert (answer.verdict, answer.entry.id) == ("no", "locality-by-school")


# --- personal and out of scope ------------------------------------------------------------------------


@pytest.mark.parametrize("question", [
    "my niece changed school in the summer, can you tell me where she is now?",
    "which school is my grandson at now?",
    "is her attendance still at 82% or has it gone down since?",
])
def test_where_one_child_is_or_their_figure_today_is_personal(matcher, question):
    assert matcher.answer(question).reason == "personal_case"


@pytest.mark.parametrize("question", [
    "does the team go by where she lives or by where her school is?",
    "attendance is 85%, is that still above the persistent absence line?",
])
def test_where_a_child_lives_and_a_threshold_stay_policy_questions(matcher, question):
    assert matcher.answer(question).reason != "personal_case"


def test_it_access_is_not_ours(matcher):
    answer = matcher.answer("our new social worker can't log into the case system, who gives access?")
    assert (answer.verdict, answer.reason) == ("unknown", "out_of_scope")


def test_writing_a_document_is_the_verb_not_the_subject(matcher):
    assert "learning" not in tokens(matcher, "will you be writing the EHCP")
    assert "learning" in tokens(matcher, "is progress in reading and writing a priority")
    answer = matcher.answer("child in need with SEND: will the VS take over writing the EHCP for the school?")
    assert (answer.verdict, answer.entry.id) == ("no", "ehcp")


def test_a_schools_sanctions_are_behaviour(matcher):
    assert "behaviour" in tokens(matcher, "they keep putting her in isolation")
    assert "behaviour" in tokens(matcher, "endless detentions")


def test_a_cut_off_part_of_a_yes_no_question_asks_to_be_told_no(matcher):
    # "or just tell them to ..." has no "can you" of its own; the question it was cut from asks yes or no, and
    # telling a school what to do is something the Virtual School says it does not do
    answer = matcher.answer("could the VS advise his school on managing his behaviour, or just tell them to stop "
                            "the detentions?")
    assert answer.verdict == "partly"
    assert [p.entry.id for p in answer.parts][-1] == "tell-schools-what-to-do"


def test_or_is_your_role_only_is_a_second_ask():
    parsed = parse("will you run the catch-up sessions, or is your role only to check on them?")
    assert len(parsed.asks) == 2
    assert parse("can a DSL book, or is that the DT?").asks == ("can a DSL book, or is that the DT",)


def test_a_part_pointing_back_borrows_the_other_parts_subject(matcher):
    # "them" is the interventions: monitoring interventions (yes) beside delivering them (no)
    answer = matcher.answer("for our looked after pupils, does the VS carry out the interventions or is your job "
                            "just to monitor them?")
    assert answer.verdict == "partly"
    assert {p.entry.id for p in answer.parts} == {"carry-out-interventions", "monitor-interventions"}


def test_tracking_each_childs_attendance_is_not_the_virtual_schools(matcher):
    answer = matcher.answer("do you follow the attendance of each of our CP pupils individually?")
    assert (answer.verdict, answer.entry.id) == ("no", "track-individual-cwsw-progress")
