"""Issue 12, round 5: general behaviours found from held-out sets 8, 9, 11 and 12 (questions here are our own wording).

Each test pins one behaviour of the reading (asks.py, normalise.py, personal.py) or of the matcher, and fails
without it.
"""
from __future__ import annotations

import pytest

from dialogs.faq.knowledge.asks import parse
from tests.utils.faq import tokens


# --- reading the asks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("you", ["yous", "youse"])
def test_dialect_plural_you_opens_an_ask_after_a_story(you):
    parsed = parse(f"the school sent her home again today. my girl is on a cp plan. can {you} help us with her")
    assert parsed.asks == (f"can {you} help us with her",)
    assert "cp plan" in parsed.context


def test_and_can_some_of_it_starts_a_second_ask(matcher):
    parsed = parse("do you keep an eye on how the school uses pp+, and can some of it pay for a school coat")
    assert len(parsed.asks) == 2
    answer = matcher.answer("do you keep an eye on how the school uses pp+, and can some of it pay for a school coat")
    assert answer.verdict == "partly"
    assert {p.verdict for p in answer.parts} == {"yes", "no"}


@pytest.mark.parametrize("condition", ["if that doesn't work", "if it fails", "if none of that works,"])
def test_a_condition_before_the_second_ask_is_context(condition):
    parsed = parse(f"will the VS suggest other options to the head, and {condition} overturn the exclusion?")
    assert parsed.asks[-1].lower().startswith("overturn")
    assert condition.strip(",").split()[-1] in parsed.context


def test_an_ask_then_a_blocked_decision_is_partly(matcher):
    answer = matcher.answer("our head is set on a permanent exclusion for a looked after boy - could you help us find "
                            "other options, and if that fails block the head's decision?")
    assert answer.verdict == "partly"
    assert {p.entry.id for p in answer.parts} == {"alternatives-to-exclusion", "overrule-headteacher-decisions"}


@pytest.mark.parametrize("statement", ["she's gifted and they've put her in the lowest group",
                                       "they've ignored everything we said"])
def test_a_statement_after_the_ask_is_context(statement):
    parsed = parse(f"could you make the school move her up a group, {statement}")
    assert parsed.asks == ("could you make the school move her up a group",)
    assert statement in parsed.context


# --- words ---------------------------------------------------------------------------------------------


def test_dinners_and_breakfasts_are_food(matcher):
    assert tokens(matcher, "school dinners and breakfasts") == tokens(matcher, "school food and food")
    answer = matcher.answer("is pp+ ok for paying his school dinners")
    assert (answer.verdict, answer.entry.id) == ("no", "pp-plus-non-learning-spend")


def test_pe_kit_is_uniform(matcher):
    assert "uniform" in tokens(matcher, "new PE kit")
    answer = matcher.answer("could we buy a looked after pupil's games kit out of her pp+?")
    assert (answer.verdict, answer.entry.id) == ("no", "pp-plus-non-learning-spend")


@pytest.mark.parametrize("verb", ["redesign", "restructure", "overhaul", "reshape"])
def test_redesigning_a_curriculum_is_shaping_it(matcher, verb):
    answer = matcher.answer(f"would the virtual school {verb} our year 8 curriculum for the children in care?")
    assert (answer.verdict, answer.entry.id) == ("no", "shape-school-curriculum")


def test_one_of_our_pupils_is_an_individual_child(matcher):
    assert "individual" in tokens(matcher, "one of our CP pupils")
    answer = matcher.answer("could you follow the grades of one of our CP pupils each term for us?")
    assert (answer.verdict, answer.entry.id) == ("no", "track-individual-cwsw-progress")


def test_direct_work_on_wellbeing_is_not_done(matcher):
    answer = matcher.answer("can someone from vs do direct work on her anxiety")
    assert (answer.verdict, answer.entry.id) == ("no", "mental-health-support-direct")


# --- ages over 18 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("question", [
    "can I refer a 20 year old who was looked after to the inclusion team?",
    "sixth form here - student is 19 now and was on a CP plan until recently, can we make a referral?",
])
def test_a_young_person_over_18_is_answered_by_the_age_rule(matcher, question):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == ("no", "over-18")


def test_a_referral_for_a_child_under_18_is_not_held_to_the_age_rule(matcher):
    answer = matcher.answer("can I refer a 15 year old on a CP plan to the inclusion team?")
    assert answer.entry is not None and answer.entry.id != "over-18"


# --- out of scope and personal ----------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["what is the deadline for secondary school applications?",
                                      "is there a cutoff for nursery admissions this year"])
def test_admission_deadlines_are_out_of_scope(matcher, question):
    answer = matcher.answer(question)
    assert answer.verdict == "unknown" and answer.reason == "out_of_scope"


def test_closing_learning_gaps_is_not_an_admission_deadline(matcher):
    answer = matcher.answer("does the VS offer training to help close the learning gaps?")
    assert answer.verdict == "yes"


@pytest.mark.parametrize("question", [
    "the year 8 girl we spoke about on monday - has she started at the new school yet?",
    "is he back in full time yet, the lad from the pupil referral unit",
    "the one whose dad went to prison, is the VS involved?",
])
def test_how_one_child_stands_now_is_personal(matcher, question):
    answer = matcher.answer(question)
    assert answer.reason == "personal_case" and answer.verdict == "unknown"
    assert not answer.keep_text


def test_yet_in_a_policy_question_is_not_personal(matcher):
    answer = matcher.answer("has the virtual school got a duty to children in kinship care yet?")
    assert answer.reason != "personal_case"


# --- doing something another service or professional does ---------------------------------------------------


@pytest.mark.parametrize("question", ["what's the procedure for getting a fixed penalty for a pupil's absences?",
                                      "how do we go about taking parents to court over attendance?"])
def test_how_to_do_what_another_service_does_is_out_of_scope(matcher, question):
    answer = matcher.answer(question)
    assert answer.verdict == "unknown" and answer.reason == "out_of_scope"
    assert answer.suggestions and answer.suggestions[0].id == "attendance-fines-legal-action"


def test_asking_whether_the_vs_does_it_still_gets_the_no(matcher):
    answer = matcher.answer("does the virtual school issue fines for poor attendance?")
    assert (answer.verdict, answer.entry.id) == ("no", "attendance-fines-legal-action")


def test_how_to_refer_is_still_answered(matcher):
    answer = matcher.answer("how do I refer a child with a social worker to the inclusion team?")
    assert answer.verdict == "yes"


@pytest.mark.parametrize("busy", ["overloaded", "snowed under", "stretched"])
def test_a_busy_social_worker_asking_for_cover_is_another_role(matcher, busy):
    answer = matcher.answer(f"I'm {busy} - could the VS pick up a few of my social work tasks for a CIN family?")
    assert (answer.verdict, answer.entry.id) == ("no", "take-on-other-professionals-roles")


def test_writing_up_the_schools_part_of_a_pep_is_the_schools_duty(matcher):
    answer = matcher.answer("will you chair the pep for our child in care and then write up the school's part too?")
    assert answer.verdict == "partly"
    assert {p.entry.id for p in answer.parts} == {"chair-pep-meetings", "school-statutory-duties-for-cic"}


def test_my_own_report_is_still_not_ours(matcher):
    assert matcher.answer("could you write my appraisal report for me").verdict == "unknown"


def test_exams_are_learning_and_a_young_persons_two_asks_get_both(matcher):
    assert tokens(matcher, "my GCSEs and exams") == ("learning", "learning")
    answer = matcher.answer("will someone hear what I want to do for my exams, and could they teach me science?")
    assert answer.verdict == "partly"
    assert {p.entry.id for p in answer.parts} == {"listen-to-child-voice", "teach-or-tutor-child"}


def test_moving_a_child_between_sets_is_telling_the_school(matcher):
    answer = matcher.answer("could you get the school to move her into the top set for english?")
    assert (answer.verdict, answer.entry.id) == ("no", "tell-schools-what-to-do")


# --- alerts at weekends (BRIEF rules) ------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["will I get PEP alerts on a saturday or over the weekend?",
                                      "are attendance notifications sent on bank holidays"])
def test_alerts_are_not_sent_at_weekends(matcher, question):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == ("no", "alerts-weekends-bank-holidays")


def test_a_bank_holiday_date_is_out_of_scope(matcher):
    answer = matcher.answer("is the last monday in may a bank holiday?")
    assert answer.verdict == "unknown" and answer.reason == "out_of_scope"
