"""Issue 12, round 20 on set 34 (written blind: families in their own words; 75.0 %, 12.8 % not sure and one
out-of-scope question answered before any tuning; 88.3 % after this round, below the target). Each fix is a cause,
pinned here with new wording."""
from __future__ import annotations

import pytest


def test_rubbish_said_of_a_school_is_not_the_bins(matcher):
    answer = matcher.answer("his school is rubbish, can the virtual school inspect it?")
    assert (answer.verdict, answer.entry.id) == ("no", "inspect-schools")


def test_family_time_with_a_child_in_care_is_out_of_scope(matcher):
    assert matcher.answer("can i get more contact with my kids now theyre in foster care?").reason == "out_of_scope"


@pytest.mark.parametrize("question", [
    "the head wants to exclude him. will the vs help them try something else first?",
    "will the virtual school help school find other ways of dealing with her behaviour instead of kicking her out",
])
def test_other_ways_than_excluding_are_alternatives_to_exclusion(matcher, question):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == ("yes", "alternatives-to-exclusion"), (answer.verdict, answer.entry)


def test_the_same_help_as_when_they_were_in_care(matcher):
    answer = matcher.answer("she had loads of support from the virtual school when she was in care. we've got an SGO "
                            "now - will she get the same help?")
    assert (answer.verdict, answer.entry.id) == ("partly", "plac-advice"), (answer.verdict, answer.entry)


def test_looking_out_for_a_child_is_whether_they_count(matcher):
    answer = matcher.answer("my son is on a child protection plan. is he one of the kids the virtual school looks out "
                            "for?")
    assert answer.verdict == "yes" and answer.entry.id in {"cin-and-cp-plans", "cwsw-strategic-lead"}, answer.entry


def test_the_virtual_school_lady_is_the_virtual_school(matcher):
    answer = matcher.answer("can the virtual school lady take him to look round his new high school?")
    assert (answer.verdict, answer.entry.id) == ("no", "school-visits"), (answer.verdict, answer.entry)


def test_the_right_figure_among_two_offered_keeps_the_answer(matcher):
    assert matcher.answer("are PEPs reviewed every term or only once a year?").verdict == "yes"
    assert matcher.answer("is a PEP only reviewed once a year?").verdict == "no"


def test_a_tag_question_after_a_statement_is_not_the_ask(matcher):
    from dialogs.faq.knowledge.asks import parse
    parsed = parse("you dont have anything to do with cin kids do you, its only the ones in care?")
    assert parsed.asks == ("you dont have anything to do with cin kids do you, its only the ones in care",)


def test_help_with_mental_health_is_monitoring_and_not_counselling(matcher):
    """(Narrow: with "our foster son's" or without the question mark between the asks it is still the counselling
    entry's no.)"""
    answer = matcher.answer("can the vs help with his mental health? would they do counselling with him?")
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == [("yes", "monitor-progress-attendance-mental-health"),
                                                                ("no", "mental-health-support-direct")]


def test_that_meeting_is_the_meeting_the_story_named(matcher):
    answer = matcher.answer("his social worker keeps talking about a PEP meeting next month. does the virtual school "
                            "run that meeting or is it the school?")
    assert (answer.verdict, answer.entry.id) == ("yes", "chair-pep-meetings"), (answer.verdict, answer.entry)


def test_a_child_just_in_care_is_not_answered_by_the_pep_entry_for_children_with_a_social_worker(matcher):
    answer = matcher.answer("my grandson came into care on monday (his dad cant cope). should his education plan be "
                            "started in the next couple of weeks?")
    assert (answer.verdict, answer.entry.id) == ("yes", "pep-timescales-new-to-care"), (answer.verdict, answer.entry)


def test_me_and_our_supervising_social_worker_are_a_carer_and_a_professional(matcher):
    answer = matcher.answer("could me and my supervising social worker both come to a VS surgery?")
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == [("no", "surgery-parents"),
                                                                ("yes", "surgery-who-can-attend")]
