"""Issue 12, round 14 on set 28 (written blind on the edges of the seeds: who counts, dates and ages, whose job it is;
90.0 % and 2 out-of-scope questions answered before any tuning). Each fix is a cause, pinned here with new wording."""
from __future__ import annotations

import pytest


def test_who_is_in_the_inclusion_team_is_answered_from_its_remit(matcher):
    answer = matcher.answer("how many education liaison officers does the inclusion team have - is it two plus a manager?")
    assert (answer.verdict, answer.entry.id) == ("yes", "inclusion-team-remit"), (answer.verdict, answer.entry)
    assert "two education liaison officers" in answer.entry.answer


@pytest.mark.parametrize("question", [
    "who does the age assessment for an unaccompanied asylum seeking child - is that the VS?",
    "does the virtual school get involved in age assessments when the home office disputes a young person's age?",
])
def test_an_asylum_seeking_childs_age_assessment_is_not_the_virtual_schools(matcher, question):
    assert (matcher.answer(question).verdict, matcher.answer(question).reason) == ("unknown", "out_of_scope")


@pytest.mark.parametrize("question", [
    "our daughter was adopted from overseas and was never in care here. does she count as previously looked after?",
    "does a child adopted from another country count as PLAC for the virtual school?",
])
def test_a_child_adopted_from_abroad_is_not_answered_the_seeds_do_not_say(matcher, question):
    answer = matcher.answer(question)
    assert answer.verdict == "unknown"
    assert "plac-included" in [e.id for e in (answer.offered, *answer.suggestions) if e is not None]


def test_a_child_adopted_in_england_still_counts(matcher):
    answer = matcher.answer("does an adopted child count as previously looked after?")
    assert (answer.verdict, answer.entry.id) == ("yes", "plac-included")


@pytest.mark.parametrize(("question", "parts"), [
    ("can DSLs and foster carers come to your surgeries?", [("yes", "surgery-who-can-attend"), ("no", "surgery-parents")]),
    ("are the surgeries for foster carers and social workers?", [("no", "surgery-parents"),
                                                                ("yes", "surgery-who-can-attend")]),
])
def test_two_kinds_of_people_asked_about_together_are_answered_each(matcher, question, parts):
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == parts


@pytest.mark.parametrize(("question", "verdict", "entry_id"), [
    ("can parents and carers refer to the inclusion team?", "no", "parent-referral"),  # families together
    ("can carers refer to the inclusion team?", "no", "parent-referral"),
    ("can DSLs and DTs come to the surgeries?", "yes", "surgery-who-can-attend"),  # the same answer for both
])
def test_people_who_get_the_same_answer_are_answered_once(matcher, question, verdict, entry_id):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id, answer.parts) == (verdict, entry_id, ())


@pytest.mark.parametrize("question", ["any update on the referral for the Nowak twins?",
                                      "Has the ELO picked up our referral for the Begum siblings yet?"])
def test_a_family_named_by_its_surname_is_personal(matcher, question):
    assert matcher.answer(question).reason == "personal_case"
