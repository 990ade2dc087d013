"""Issue 12, round 13 on set 27 (written blind in new voices: schools in other authorities, fostering-agency and
children's-home staff, young people in care, workers with unaccompanied children, councillors; 86.7 % and 4 personal
or out-of-scope questions answered before any tuning). Each fix is a cause, pinned here with new wording; answers
identical on every other set question (24 and 25 not checked) but two personal questions in sets 16 and 17 that had
been left at "not sure" by luck and are now personal."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("question", [
    "I referred Kofi to your inclusion team last week, has anyone picked it up?",
    "did the VS sign off the PP+ request we put in for Amara?",
    "which inclusion officer is allocated to Jayden? he moved here in september",
    "can you tell me who is assigned to Zainab, she's one of our CLA",
    "i referred kofi to your inclusion team last week, has anyone picked it up?",  # typed in lower case
    "which inclusion officer is allocated to jayden? he moved here in september",
])
def test_a_child_named_as_the_one_a_case_is_about_is_personal(matcher, question):
    """A name after "referred", "allocated to", or a PP+ request "for" a child: one child's case, never a general yes."""
    answer = matcher.answer(question)
    assert (answer.verdict, answer.reason) == ("unknown", "personal_case")
    assert not answer.keep_text


@pytest.mark.parametrize(("question", "entry_id"), [
    ("which officer is allocated to Harrow schools?", "locality-by-home-address"),
    ("can a school refer children to the inclusion team?", "referral-who-can-refer"),
    ("does the VS approve PP+ requests?", None),
])
def test_a_place_or_a_policy_after_the_same_words_is_not_a_child(matcher, question, entry_id):
    answer = matcher.answer(question)
    assert answer.reason != "personal_case"
    if entry_id:
        assert answer.entry is not None and answer.entry.id == entry_id


@pytest.mark.parametrize("question", [
    "does the vs monitor our young person's attendance?",
    "Is the virtual school keeping track of our young person's attendance, or is that just school?",
])
def test_whether_the_vs_watches_a_record_at_all_is_not_a_request_for_it(matcher, question):
    answer = matcher.answer(question)
    assert answer.reason != "personal_case"
    assert answer.verdict in {"yes", "partly"}


@pytest.mark.parametrize("question", ["can you check my son's attendance", "what is our foster daughter's attendance?"])
def test_asking_for_the_record_itself_stays_personal(matcher, question):
    assert matcher.answer(question).reason == "personal_case"


@pytest.mark.parametrize("question", [
    "will the vs listen to me or just the adults",
    "is it just the adults talking about me at the pep or does the vs listen to me too",
])
def test_the_adults_around_a_child_are_not_adult_learners(matcher, question):
    answer = matcher.answer(question)
    entries = {answer.entry.id if answer.entry else None, *(p.entry.id for p in answer.parts)}
    assert answer.verdict == "yes" and "listen-to-child-voice" in entries and "over-18" not in entries, answer


def test_adults_as_learners_still_get_the_over_18_entry(matcher):
    answer = matcher.answer("does the virtual school support adults over 18?")
    assert (answer.verdict, answer.entry.id) == ("no", "over-18")


def test_a_pronoun_inside_a_relative_clause_does_not_make_a_part_borrow_the_other_parts_subject(matcher):
    """"deliver the tutoring that is agreed in it": "it" is the PEP, not what is delivered."""
    answer = matcher.answer("Will the VS chair our PEP and then also run the tuition that is agreed in it?")
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == [("yes", "chair-pep-meetings"),
                                                                ("no", "teach-or-tutor-child")]


def test_a_young_person_asking_the_vs_to_talk_to_their_school_is_asking_it_to_speak_up_for_them(matcher):
    answer = matcher.answer("can the vs speak to my school about my support and come with me to visit sixth forms")
    assert answer.verdict == "partly"
    assert answer.parts[0].verdict == "yes" and answer.parts[1].verdict == "no"


@pytest.mark.parametrize(("question", "thing"), [
    ("Can the VS tell the academy to put our CLA on a part-time timetable?", "reduced-timetable"),
    ("could the virtual school instruct the school to cut his timetable down to mornings only, the head won't listen",
     None),
])
def test_asking_the_vs_to_direct_a_school_about_a_thing_is_answered_by_it_not_directing_schools(matcher, question, thing):
    """Seed 004: the VS does not tell schools what to do. The thing's own entry (whether the VS gets involved in it)
    stays among the suggestions."""
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == ("no", "tell-schools-what-to-do"), (answer.verdict, answer.entry)
    if thing:
        assert thing in [e.id for e in answer.suggestions]


@pytest.mark.parametrize(("question", "verdict", "entry_id"), [
    ("can the vs get involved if a child is on a reduced timetable", "yes", "reduced-timetable"),
    ("can you order lunch for the team meeting", "unknown", None),
])
def test_involvement_in_the_thing_and_orders_that_direct_no_school_are_unchanged(matcher, question, verdict, entry_id):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id if answer.entry else None) == (verdict, entry_id)
