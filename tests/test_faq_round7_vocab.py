"""Issue 12, round 7 (vocabulary): words found missing in held-out sets 16-18 (questions here are our own wording).

Each test pins one cause in the normaliser (normalise.py, common_words.py) or the knowledge base, and fails without it.
"""
from __future__ import annotations

import pytest

from tests.utils.faq import tokens


def _answer(matcher, question):
    answer = matcher.answer(question)
    return answer.verdict, answer.entry.id if answer.entry else None


# --- spelling: everyday misspellings and little words typed together ------------------------------------------------


@pytest.mark.parametrize(("typed", "meant"), [("does it cover sgo kids aswell", "does it cover sgo kids as well"),
                                              ("can they do the pep themselfs", "can they do the pep themselves"),
                                              ("do they actualy chair it", "do they actually chair it"),
                                              ("a boy whos in care", "a boy who is in care")])
def test_everyday_misspellings_read_as_meant(matcher, typed, meant):
    assert tokens(matcher, typed) == tokens(matcher, meant)


def test_a_misspelt_filler_word_is_not_repaired_into_a_content_word(matcher):
    # "actualy" is one edit from "actual" (known from "actual school") as well as from "actually"
    assert matcher.answer("does the virtual school actualy monitor how schools spend pupil premium plus").verdict == "yes"


def test_a_cohort_question_with_aswell_is_answered(matcher):
    assert _answer(matcher, "are cp children covered aswell as children in care") == ("yes", "cin-and-cp-plans")


# --- who the Virtual School is for --------------------------------------------------------------------------------


def test_is_the_vs_for_a_group_asks_who_is_covered(matcher):
    assert "include" in tokens(matcher, "is the virtual school for children on a cp plan")
    assert _answer(matcher, "is the VS also for children on child protection plans") == ("yes", "cin-and-cp-plans")


@pytest.mark.parametrize("question", ["who is the vs for", "what is the virtual school for?"])
def test_who_or_what_is_the_vs_for_stays_an_open_question_about_the_vs(matcher, question):
    assert _answer(matcher, question)[1] == "virtual-school-role"


def test_not_just_is_as_well_as_not_a_negation(matcher):
    assert "not" not in tokens(matcher, "covers kids on cin plans, not just the ones in care")


# --- abbreviations and forms of phrases ------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["keeps an eye on", "keeping an eye on", "keeps tabs on", "kept an eye on"])
def test_every_form_of_keep_an_eye_on_is_monitoring(matcher, form):
    assert "monitor" in tokens(matcher, f"is someone {form} her attendance")


def test_fc_is_a_foster_carer(matcher):
    assert tokens(matcher, "the fc wants to know") == tokens(matcher, "the foster carer wants to know")


@pytest.mark.parametrize("question", ["can someone from the virtual school do the tutoring themself, we have no capacity",
                                      "our staff are at capacity - could the VS deliver the nurture group instead"])
def test_no_capacity_is_why_someone_asks_the_vs_to_do_it(matcher, question):
    assert "capacity" not in tokens(matcher, question) and "busy" in tokens(matcher, question)
    assert matcher.answer(question).verdict == "no"


def test_elsa_sessions_run_by_the_vs_are_interventions_it_does_not_carry_out(matcher):
    assert _answer(matcher, "could the vs send someone to do emotional literacy sessions with a looked after pupil") == (
        "no", "carry-out-interventions")


# --- feelings and pronouns inside phrases ------------------------------------------------------------------------


def test_doing_my_head_in_is_not_a_headteacher(matcher):
    assert "headteacher" not in tokens(matcher, "this form is doing my head in")


@pytest.mark.parametrize("form", ["fill it in", "fill them out", "fill this in"])
def test_fill_it_in_is_completing(matcher, form):
    assert "complete" in tokens(matcher, f"will you {form} for us")


def test_the_vs_does_not_complete_an_online_application(matcher):
    question = "this online admissions form does my head in, will the VS fill it in for our looked after lad"
    assert _answer(matcher, question) == ("no", "school-admission-applications")


# --- who has no social worker -------------------------------------------------------------------------------------


@pytest.mark.parametrize("phrase", ["never had any social worker", "not had any social care involvement",
                                    "without any social care"])
def test_no_social_worker_with_any_in_it(matcher, phrase):
    assert "nosocialworker" in tokens(matcher, f"a girl with autism who has {phrase}")


def test_send_with_no_social_care_at_all_is_not_in_the_cohort(matcher):
    question = "Year 5 girl with an EHC plan, not had any social care involvement. Is she one of yours?"
    assert _answer(matcher, question) == ("no", "send-without-social-worker")


# --- transport, checking support happens, subjects ---------------------------------------------------------------------


def test_sort_school_transport_is_arranging_it(matcher):
    assert "arrange" in tokens(matcher, "can you sort school transport")


def test_transport_after_a_placement_move_is_not_the_vs(matcher):
    question = "can the vs sort transport now she has moved placements"
    assert _answer(matcher, question) == ("no", "school-transport")


@pytest.mark.parametrize("phrase", ["get him in", "get one of them in", "get her out of bed"])
def test_getting_a_child_in_on_a_morning_is_the_school_run(matcher, phrase):
    assert "schoolrun" in tokens(matcher, f"could someone {phrase} on a morning")


def test_getting_a_child_in_at_a_school_is_a_place_there(matcher):
    assert "admission" in tokens(matcher, "can you get her in at the academy down the road")


def test_a_second_ask_to_get_a_child_in_each_morning_is_answered_partly(matcher):
    question = "do you monitor attendance for children in care, and could you get him in each morning when he refuses"
    assert matcher.answer(question).verdict == "partly"


def test_mentioned_is_an_everyday_word(matcher):
    assert matcher.normaliser.normalise("she mentioned it").tokens == ("mention",)
    assert matcher._everyday_word("mention")  # pylint: disable=protected-access


def test_checking_promised_one_to_one_support_happens_is_monitoring_interventions(matcher):
    question = ("the school says our foster daughter gets 1:1 reading twice a week but she never mentions it. "
                "will the virtual school check it is really being done?")
    assert _answer(matcher, question) == ("yes", "monitor-interventions")


@pytest.mark.parametrize("subject", ["physics", "geography", "biology"])
def test_school_subjects_are_learning(matcher, subject):
    assert "learning" in tokens(matcher, f"struggling with {subject}")


def test_letting_a_pupil_drop_a_subject_is_not_the_vs(matcher):
    assert "change" in tokens(matcher, "will they let her drop geography")
    assert matcher.answer("I'm 16 and in care - can the VS make my college let me drop physics?").verdict == "no"


# --- a kinship carer checking what they were told ------------------------------------------------------------------


@pytest.mark.parametrize("question", [
    "I'm bringing up my son's two boys, a kinship arrangement. the kinship support group reckon kinship children fall "
    "under the VS from 2024, is that right?",
    "grandparent here, kinship care of my daughter's little girl. heard at our kinship group that kinship children come "
    "under you lot since 2024 - true?"])
def test_a_kinship_carer_checking_the_2024_change_is_answered(matcher, question):
    assert _answer(matcher, question) == ("yes", "kinship-care")
