"""Issue 12, round 8 (vocabulary): words found missing in held-out sets 19 and 20 (questions here are our own wording).

Each test pins one cause in the normaliser (normalise.py, common_words.py) or the knowledge base, and fails without it.
"""
from __future__ import annotations

import pytest

from tests.utils.faq import tokens


def _answer(matcher, question):
    answer = matcher.answer(question)
    return answer.verdict, answer.entry.id if answer.entry else None


# --- wrong names for the Virtual School -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["virtual college", "virtual academy", "virtual school team"])
def test_wrong_names_for_the_virtual_school_are_the_virtual_school(matcher, name):
    assert tokens(matcher, f"does the {name} chair peps") == tokens(matcher, "does the virtual school chair peps")


def test_a_question_to_the_virtual_college_is_answered(matcher):
    assert _answer(matcher, "can I book onto a surgery run by the virtual college?")[0] == "yes"


# --- how people say booking, training, inspecting -------------------------------------------------------------------


@pytest.mark.parametrize("form", ["sign up to", "sign up for", "signing up for"])
def test_signing_up_is_booking(matcher, form):
    assert "book" in tokens(matcher, f"can social workers {form} them")


def test_staff_development_is_training(matcher):
    assert "training" in tokens(matcher, "part of our professional development programme")
    assert "training" in tokens(matcher, "for our staff development day")


def test_early_career_teachers_are_staff_not_care(matcher):
    assert "care" not in tokens(matcher, "our early career teachers")
    assert "staff" in tokens(matcher, "our early career teachers")


def test_careers_advice_is_not_care(matcher):
    assert "care" not in tokens(matcher, "careers advice")
    assert matcher.answer("does the vs give careers advice").verdict == "unknown"


def test_a_classroom_is_school_not_an_unknown_subject(matcher):
    assert tokens(matcher, "in the classroom") == tokens(matcher, "in school")
    # a letter that does not read as a yes/no question: an unknown noun ("classroom") had vetoed the match
    question = ("To the Virtual School team. I am writing to ask whether you could deliver training to our teachers "
                "on behaviour for learning in the classroom for children in care.")
    assert _answer(matcher, question) == ("yes", "learning-behaviours-advice")


@pytest.mark.parametrize("phrase", ["for instance", "such as", "for example"])
def test_an_example_marker_says_nothing(matcher, phrase):
    assert tokens(matcher, f"approaches, {phrase} restorative ones") == tokens(matcher, "approaches, restorative ones")


def test_a_judgement_on_a_school_is_an_inspection(matcher):
    assert "inspect" in tokens(matcher, "would you give our school a judgement")
    assert "inspect" not in tokens(matcher, "we trust the headteacher's judgement")
    question = "Could someone from the VS assess our provision for looked after children and give a judgement?"
    assert _answer(matcher, question) == ("no", "inspect-schools")


# --- who is not in education -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("phrase", ["not on any school roll", "not on a school roll", "not on any roll"])
def test_not_on_any_school_roll_is_not_in_education(matcher, phrase):
    assert "noteducation" in tokens(matcher, f"she is {phrase}")


def test_a_child_on_no_school_roll_is_answered(matcher):
    assert _answer(matcher, "CP plan, 14, not on a school roll since the summer. would the vs get involved?") == (
        "yes", "not-in-education")


# --- signposting and the Local Offer -------------------------------------------------------------------------------


@pytest.mark.parametrize("phrase", ["point me to", "point us in the right direction", "point me towards"])
def test_pointing_someone_to_information_is_advice(matcher, phrase):
    assert "advice" in tokens(matcher, f"can you {phrase} help")


def test_what_is_on_offer_locally_is_the_local_offer(matcher):
    assert "localoffer" in tokens(matcher, "what is on offer locally for him")
    question = "we're fostering a boy with autism - could the VS point us to what SEND support is available locally"
    assert matcher.answer(question).verdict == "yes"


# --- exclusion --------------------------------------------------------------------------------------------------------


def test_finding_another_way_is_an_alternative(matcher):
    assert "alternative" in tokens(matcher, "help them find another way")


@pytest.mark.parametrize("phrase", ["sent him home for good", "sending them home for good", "excluded for good"])
def test_home_for_good_is_a_permanent_exclusion(matcher, phrase):
    assert {"permanent", "exclusion"} <= set(tokens(matcher, f"they want to {phrase}"))


# --- other professionals' jobs -------------------------------------------------------------------------------------------


def test_statutory_bits_are_statutory_duties(matcher):
    assert tokens(matcher, "the statutory bits") == tokens(matcher, "the statutory duties")


@pytest.mark.parametrize("phrase", ["until we recruit", "until they appoint", "while the post is not appointed"])
def test_a_post_not_yet_filled_is_an_absent_professional(matcher, phrase):
    assert "absentstaff" in tokens(matcher, f"cover {phrase}")


@pytest.mark.parametrize("phrase", ["pick up the DT's", "step into the designated teacher's"])
def test_picking_up_a_professionals_work_is_taking_on_their_role(matcher, phrase):
    assert {"takeon", "dt"} <= set(tokens(matcher, f"could you {phrase} work"))


def test_covering_the_designated_teachers_duties_until_a_new_one_is_appointed_is_not_the_vs(matcher):
    question = ("Our DT has gone on a career break and the post is empty. Can the VS pick up the DT's duties for our "
                "children in care until we appoint?")
    assert matcher.answer(question).verdict == "no"


# --- who had a social worker --------------------------------------------------------------------------------------------


def test_no_longer_having_a_social_worker_is_having_had_one(matcher):
    assert "previous" in tokens(matcher, "he no longer has a social worker")
    assert "nosocialworker" in tokens(matcher, "no social worker now or ever")


def test_as_far_as_someone_is_concerned_is_not_a_concern(matcher):
    assert "concern" not in tokens(matcher, "is he one of yours as far as the virtual school is concerned")


def test_a_closed_plan_with_no_social_worker_now_still_counts(matcher):
    question = ("Her CIN plan ended two years ago so she no longer has a social worker. Is she still in the cohort as "
                "far as the VS is concerned?")
    assert _answer(matcher, question) == ("yes", "previous-social-worker-six-years")


# --- symbols ------------------------------------------------------------------------------------------------------------


def test_a_plus_sign_on_its_own_joins_two_things(matcher):
    assert tokens(matcher, "monitor attendance + report on it") == tokens(matcher, "monitor attendance and report on it")
    assert "ppplus" in tokens(matcher, "pp+ for a tutor")


def test_two_asks_joined_by_a_plus_sign_are_answered_in_two_parts(matcher):
    # ("+" read as "plus" had been a word the knowledge base does not know, and the statutory "stuff" no duty)
    assert matcher.answer("vs to chair peps + do the statutory stuff for school?").verdict == "partly"


# --- a catch-up a school puts in ------------------------------------------------------------------------------------


@pytest.mark.parametrize("phrase", ["a phonics catch-up", "the catch up", "a catch-up group"])
def test_a_catch_up_a_school_runs_is_an_intervention(matcher, phrase):
    assert "intervention" in tokens(matcher, f"school put {phrase} in place")


def test_checking_a_catch_up_works_is_monitoring_interventions(matcher):
    question = "our looked after boy has the catch up with a TA every morning - can the vs track if it is helping?"
    assert _answer(matcher, question) == ("yes", "monitor-interventions")


# --- a bare topic ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fragment", ["PEPs?", "the pep", "vs + peps?"])
def test_a_bare_mention_of_peps_is_what_the_vs_does_with_them(matcher, fragment):
    # (it had been answered "no" from the entry on PEPs for children with a social worker, who have none)
    assert _answer(matcher, fragment) == ("yes", "chair-pep-meetings")


# --- more short forms --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["PPG", "ppg+", "LAC PPG"])
def test_ppg_is_the_pupil_premium_grant(matcher, written):
    assert "ppplus" in tokens(matcher, f"can {written} pay for it")


def test_a_ppg_question_is_answered(matcher):
    assert _answer(matcher, "will the virtual school let us use PPG on uniform") == ("no", "pp-plus-non-learning-spend")


def test_a_bare_locality_is_not_answered_from_the_school_rule(matcher):
    # a phrasing of locality-by-school ("is the locality the one the school is in") had read as "locality" alone
    assert "schoolsite" in tokens(matcher, "is it the area the school is in")
    assert matcher.answer("localities?").verdict == "yes"


def test_plural_admissions_forms_and_a_holiday_club(matcher):
    assert _answer(matcher, "does the vs fill admissions forms") == ("no", "school-admission-applications")
    assert "outsideschoolday" in tokens(matcher, "a holiday club in august")
