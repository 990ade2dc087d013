"""Issue 12, round 7 ("two asks"): how a question is read, found from held-out sets 16-18 (our own wording here).

Each test pins one cause in the reading of a question (asks.py, matcher.py, audience.py) and fails without its fix.
"""
from __future__ import annotations

import pytest

from dialogs.faq.knowledge.asks import parse


# --- an alternative ruled out ---------------------------------------------------------------------------------


@pytest.mark.parametrize("contrast", ["rather than", "instead of", "as opposed to"])
def test_the_alternative_after_rather_than_is_not_asked(matcher, contrast):
    question = f"is the officer allocated by the young person's home postcode {contrast} where she goes to school?"
    assert parse(question).asks == ("is the officer allocated by the young person's home postcode",)
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == ("yes", "locality-by-home-address")


def test_rather_than_doing_something_stays_in_the_ask():
    assert "rather than" in parse("could you help us find another way rather than excluding him?").asks[0]


# --- who acts in each of two asks ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mum", "dad", "nan", "grandad"])
def test_a_family_member_after_the_opener_starts_the_ask(who):
    parsed = parse(f"can {who} ring the virtual school directly or does the social worker have to do it")
    assert parsed.asks == (f"can {who} ring the virtual school directly", "does the social worker have to do it")


@pytest.mark.parametrize("question", [
    "CiN lad in Y7, his mum wants help from the VS. can mum phone you herself or can the school refer him",
    "Y9 on a CiN plan and the parents want VS support. can parents contact the VS directly, or can school make a referral",
    "Y1 girl on a child in need plan, dad wants VS support. can dad ask the VS himself or should school refer in"])
def test_each_ask_is_about_who_it_says_acts(matcher, question):
    # the parent asking is not the professional referring: the story's and the other ask's parent stay out of the
    # part whose subject is the school
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [p.verdict for p in answer.parts] == ["no", "yes"]
    assert answer.parts[0].entry.id == "parent-requests-cwsw"


# --- an eligibility ask beside another ------------------------------------------------------------------------


@pytest.mark.parametrize("question, doing", [
    ("do you cover children with a CP plan? and if so would someone from the VS visit the family at home", "home-visits"),
    ("are CP kids included? can someone from the VS do one to one tutoring with him", "teach-or-tutor-child")])
def test_whether_some_children_are_covered_is_an_ask_of_its_own(matcher, question, doing):
    # its words are only who it is about, yet it is asked: answered beside the other ask, not swallowed by it
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == [("yes", "cin-and-cp-plans"), ("no", doing)]


# --- "n" typed for "and" ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("question, second", [
    ("do u chair peps for cic n can u do home visits too", "can u do home visits too"),
    ("does the vs give advice to schools n would they teach him maths", "would they teach him maths")])
def test_n_between_two_asks_is_and(question, second):
    assert parse(question).asks[1] == second


def test_n_also_between_two_asks_is_and_also():
    assert parse("can the VS chair the PEP meeting n also take the young person to the school visit").asks == (
        "can the VS chair the PEP meeting", "take the young person to the school visit")


def test_and_to_before_a_verb_starts_a_second_action():
    from dialogs.faq.knowledge.asks import story_asks  # pylint: disable=import-outside-toplevel

    assert story_asks("we want the VS to advise on a school near the new placement and to come to the appeal.") == (
        ("we want the VS to advise on a school near the new placement", "come to the appeal"), "")


def test_n_between_two_asks_is_answered_as_two(matcher):
    answer = matcher.answer("do u chair peps for cic n can u do home visits too")
    assert answer.verdict == "partly" and [p.verdict for p in answer.parts] == ["yes", "no"]


# --- "do you do that?" after a story that joins two asks -----------------------------------------------------------


@pytest.mark.parametrize("question, entries", [
    ("the social worker would like the VS to advise on schools in the new area and fill in the admissions form for "
     "him. do you do that?", ["advise-on-schools-in-placement-area", "school-admission-applications"]),
    ("his carers want the virtual school to chair his PEP and pay for his school uniform. is that possible?",
     ["chair-pep-meetings", "pp-plus-non-learning-spend"]),
    ("the DT wants you to monitor his attendance and come to the house when he refuses. can you?",
     ["attendance-monitoring", "home-visits"])])
def test_an_empty_ask_points_back_at_two_asks_in_the_story(matcher, question, entries):
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == list(zip(["yes", "no"], entries, strict=True))


def test_a_story_sentence_with_one_ask_gives_no_asks_of_its_own():
    from dialogs.faq.knowledge.asks import story_asks  # pylint: disable=import-outside-toplevel

    assert story_asks("he has been excluded twice this term.") == ((), "")


# --- two children described together first -----------------------------------------------------------------------


@pytest.mark.parametrize("question", [
    "twins with SEND support, one has a child protection plan and one has never had a social worker. are both covered "
    "by you?",
    "we have two kids on EHC plans, one is on a CIN plan, the other has no social worker. does the virtual school cover "
    "each of them?"])
def test_what_is_said_of_both_children_is_said_of_each(matcher, question):
    # "two kids on EHC plans" is not a third child: it is said of each of the two described after it
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [p.verdict for p in answer.parts] == ["yes", "no"]
    assert answer.parts[1].entry.id == "send-without-social-worker"


# --- two asks pulled to one entry by the story ----------------------------------------------------------------------


@pytest.mark.parametrize("question", [
    "girl on a CP plan at risk of exclusion after a fight. would VS inclusion step in, and would one of them do direct "
    "work with her",
    "Y8 CiN, suspended again and now at risk of permanent exclusion. will your inclusion officers get involved and will "
    "they come and work with him directly?"])
def test_a_story_shared_by_two_asks_does_not_make_them_one(matcher, question):
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [p.verdict for p in answer.parts] == ["yes", "no"]
    assert answer.parts[0].entry.id in {"inclusion-team-remit", "exclusion-risk"}
    assert answer.parts[1].entry.id == "work-directly-with-children"


# --- a parent asking to go to the VS themselves, beside a question about what it does --------------------------------


@pytest.mark.parametrize("question", [
    "our nephew lives with us on a child in need plan and he's had no school place since october. do you get involved "
    "with children missing education, and can we make the referral ourselves?",
    "me daughter's on a child in need plan and not in school. does the virtual school help kids not in education, and "
    "can i refer her myself"])
def test_a_parents_own_referral_is_answered_as_a_parents(matcher, question):
    answer = matcher.answer(question)
    assert answer.audience == "parent" and answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == [("yes", "not-in-education"), ("no", "parent-referral")]


def test_a_professional_asking_to_refer_is_still_answered_yes(matcher):
    answer = matcher.answer("CiN pupil not in school since october. does the virtual school get involved with children "
                            "missing education, and can I refer him myself as his DSL?")
    assert answer.verdict == "yes"


@pytest.mark.parametrize("child", ["son", "grandson", "daughter", "kids"])
def test_me_before_a_child_is_my(child):
    from dialogs.faq.knowledge.audience import PARENT, detect_asker  # pylint: disable=import-outside-toplevel

    assert detect_asker(f"me {child} is on a child in need plan, is he covered") == PARENT


# --- "X said Y, is that right?" -------------------------------------------------------------------------------------


@pytest.mark.parametrize("question, claim", [
    ("our SW said CP kids come under you now, is that right", "CP kids come under you now"),
    ("someone at the PEP said the virtual school does home visits for children in care. is that correct",
     "the virtual school does home visits for children in care")])
def test_asking_to_confirm_a_claim_asks_the_claim(question, claim):
    assert parse(question).asks == (claim,)


def test_a_claim_confirmed_is_answered_from_its_own_words(matcher):
    answer = matcher.answer("our SW said CP kids come under you now, is that right")
    assert (answer.verdict, answer.entry.id) == ("yes", "cin-and-cp-plans")


# --- "and work with", "and stop / prevent / block" start a second action ---------------------------------------------


@pytest.mark.parametrize("question, entries", [
    ("could the VS give the DT some advice and work with him one to one",
     ["training-to-close-learning-gaps", "work-directly-with-children"]),
    ("will you support the school to look at alternatives and prevent the head excluding her",
     ["alternatives-to-exclusion", "overrule-headteacher-decisions"])])
def test_working_with_or_stopping_is_a_second_action(matcher, question, entries):
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == list(zip(["yes", "no"], entries, strict=True))


def test_school_work_is_not_a_second_action():
    assert len(parse("can you help with his school work and reading").asks) == 1


# --- "X is fine I assume, but can Y?" ---------------------------------------------------------------------------------


@pytest.mark.parametrize("question, entries", [
    ("using pp+ for a maths tutor is allowed i presume, but could some of it pay for her school uniform?",
     ["pp-plus-tutoring", "pp-plus-non-learning-spend"]),
    ("the VS chairs the PEP meetings i take it, and can they also do the home visits?",
     ["chair-pep-meetings", "home-visits"])])
def test_a_statement_assumed_before_an_ask_is_asked_too(matcher, question, entries):
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == list(zip(["yes", "no"], entries, strict=True))


def test_a_story_without_an_assumption_stays_context():
    assert parse("he is on a CP plan, can you help").asks == ("can you help",)


# --- a part's own action must be in the entry that answers it ---------------------------------------------------------


@pytest.mark.parametrize("question, doing", [
    ("Y5 CiN on a reduced timetable. would the inclusion team get involved and could someone from the VS work with him "
     "directly?", "work-directly-with-children"),
    ("girl in care, struggling with maths after her placement move. can the VS monitor her progress and could someone "
     "tutor her?", "teach-or-tutor-child")])
def test_the_story_does_not_answer_a_part_about_another_action(matcher, question, doing):
    # the story ("reduced timetable", "placement move") had answered the second part from an entry that never speaks
    # of working with or tutoring a child
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert (answer.parts[1].verdict, answer.parts[1].entry.id) == ("no", doing)


# --- "vs chair peps and also ...": a question typed without "does" -------------------------------------------------


@pytest.mark.parametrize("question, asks", [
    ("vs monitor interventions for cic, can they deliver them too",
     ("vs monitor interventions for cic", "can they deliver them too")),
    ("virtual school track attendance for cla can someone ring the carers when he is off",
     ("virtual school track attendance for cla", "can someone ring the carers when he is off"))])
def test_the_vs_and_a_bare_verb_is_an_ask(question, asks):
    assert parse(question).asks == asks


@pytest.mark.parametrize("question", ["the VS chairs PEPs, can they also tutor him", "vs said they would ring, can you chase"])
def test_a_statement_about_the_vs_stays_context(question):
    assert len(parse(question).asks) == 1


def test_an_uninverted_question_joining_two_asks_is_answered_in_parts(matcher):
    answer = matcher.answer("vs monitor interventions for cic can they deliver them too")
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == [("yes", "monitor-interventions"),
                                                               ("no", "carry-out-interventions")]


@pytest.mark.parametrize("question, entries", [
    ("do you support adopted children? and would you chair their PEPs", [("partly", "plac-advice"), ("no", "pep-for-plac")]),
    ("does the VS support kids in kinship care now? could a VS worker visit them at home",
     [("yes", "kinship-care"), ("no", "home-visits")])])
def test_whether_the_vs_supports_some_children_is_an_ask_of_its_own(matcher, question, entries):
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == entries


def test_a_part_the_other_part_pulled_away_is_answered_by_what_the_vs_does_not_do(matcher):
    # "the exclusion unit" made the second part read like the first (exclusion); its own action (tutoring) is one the
    # Virtual School says it does not do
    answer = matcher.answer("can you support a child with a social worker at risk of suspension as well as tutor him in "
                            "the exclusion unit")
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == [("yes", "exclusion-risk"), ("no", "teach-or-tutor-child")]


# --- "come in and see him" is one action; "..., plus would they ..." starts a second ask -------------------------------


@pytest.mark.parametrize("question", ["could someone from the VS come in and see him", "can they pop over and talk to the DT",
                                      "would the VS need to come into school and do it for us"])
def test_coming_in_to_do_something_is_one_action(question):
    assert len(parse(question).asks) == 1


@pytest.mark.parametrize("joiner", ["plus", "but"])
def test_plus_or_but_before_a_second_question_splits_it(joiner):
    assert parse(f"does the VS chair PEPs for children in care, {joiner} would they pay for a new uniform").asks == (
        "does the VS chair PEPs for children in care", "would they pay for a new uniform")


# --- an ask with nothing of its own is about its story ------------------------------------------------------------------


@pytest.mark.parametrize("question", ["my outlook keeps crashing, who do i call",
                                      "the photocopier is jammed again, who should I contact?"])
def test_who_do_i_ring_about_something_we_never_mention_is_out_of_scope(matcher, question):
    assert matcher.answer(question).reason == "out_of_scope"


@pytest.mark.parametrize("question", ["he has been excluded twice this term, who do I contact?",
                                      "our CiC pupil has been missing school for weeks, who do I ring"])
def test_who_do_i_ring_about_a_child_is_still_answered(matcher, question):
    assert matcher.answer(question).verdict == "yes"


# --- an order for a child never in care is a kinship arrangement --------------------------------------------------------


@pytest.mark.parametrize("question", [
    "I have a special guardianship order for my niece, she has never been in care. Is she covered by the virtual school?",
    "we've got a child arrangements order for our grandson and he wasn't ever in care, does the VS include him now?"])
def test_an_order_for_a_child_never_in_care_is_kinship(matcher, question):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == ("yes", "kinship-care")


def test_an_order_for_a_child_who_was_in_care_is_still_previously_looked_after(matcher):
    answer = matcher.answer("I'm a special guardian, he was in care before. can the VS advise me about school?")
    assert "plac" in answer.entry.cohorts
