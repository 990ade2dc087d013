"""Issue 12, round 19 on set 33 (written blind: what the Virtual School offers schools and its strategy; 83.3 % and
three personal or out-of-scope questions answered before any tuning). Each fix is a cause, pinned here with new
wording."""
from __future__ import annotations

import pytest


def test_the_resources_the_vs_signposts_have_an_entry(matcher):
    answer = matcher.answer("does the VS have a list of resources for schools, like the THRIVE framework?")
    assert (answer.verdict, answer.entry.id) == ("yes", "resources-and-signposting"), (answer.verdict, answer.entry)


def test_a_remit_that_stretches_down_to_the_under_fives(matcher):
    answer = matcher.answer("Childminder here. Does the VS's remit for children with a social worker stretch to "
                            "toddlers and the under-5s?")
    assert (answer.verdict, answer.entry.id) == ("yes", "early-years"), (answer.verdict, answer.entry)


def test_individually_tracking_starts_a_second_ask(matcher):
    answer = matcher.answer("Does the VS monitor progress for children in care and individually track our CiN pupils?")
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts][1] == ("no", "track-individual-cwsw-progress")


def test_and_to_parents_is_a_second_kind_of_people(matcher):
    answer = matcher.answer("are your surgeries for designated teachers and for parents too?")
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == [("yes", "surgery-who-can-attend"),
                                                                ("no", "surgery-parents")]


@pytest.mark.parametrize("question", [
    "does the virtual school say what Ofsted grade a school must have for a looked after child?",
    "can the vs clerk our governors' meetings?",
])
def test_a_schools_ofsted_grade_and_clerking_are_out_of_scope(matcher, question):
    assert matcher.answer(question).reason == "out_of_scope"


def test_a_name_in_lower_case_with_a_year_group_is_personal(matcher):
    assert matcher.answer("kwame in year 8 was excluded yesterday, what is the vs doing about it?").reason == \
        "personal_case"


def test_children_in_year_6_are_not_an_in_year_admission(matcher):
    answer = matcher.answer("does the vs support children on cp plans in year 6")
    assert answer.entry is None or answer.entry.id != "school-admission-applications"
