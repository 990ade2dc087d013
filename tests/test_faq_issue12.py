"""Issue 12: answer the question asked, read it inside its context, write like the users, and the cards.

Also issue 11's part in the FAQ: personal details (names after "for", dates, "born", postcodes) are never
answered or kept, without refusing ordinary questions "for children in care".
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from cards.faq import BUTTON_CHARS, answer_card, button_title, faq_card, parent_card, unsure_card
from dialogs.faq.knowledge.asks import parse
from dialogs.faq.knowledge.audience import CARER, PARENT, PROFESSIONAL, detect_asker
from dialogs.faq.knowledge.bench import evaluate, load_eval_items, run_all
from dialogs.faq.knowledge.cli import ask_main, learn_main
from dialogs.faq.knowledge.loader import DEFAULT_KB_PATH, load_knowledge_base
from dialogs.faq.knowledge.matcher import REASONS, Matcher
from dialogs.faq.knowledge.normalise import comparison_key
from dialogs.faq.knowledge.personal import looks_personal
from dialogs.faq.knowledge.quantities import measure, parse_condition

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


@pytest.fixture(scope="module")
def matcher(kb):
    return Matcher(kb)


def outcome(matcher, question):
    answer = matcher.answer(question)
    first = answer.entry or answer.offered or (answer.suggestions[0] if answer.suggestions else None)
    return answer.verdict, answer.reason, first.id if first else None


# --- the four questions "tried as a new user would" ------------------------------------------------------


def test_paying_for_a_tutor_is_answered_as_a_funding_question(matcher):
    verdict, reason, entry_id = outcome(matcher, "can the virtual school pay for a tutor?")
    assert (verdict, entry_id) == ("yes", "pp-plus-tutoring")  # not "No" to "does the VS tutor children?"


def test_pp_plus_for_a_child_adopted_from_care_offers_the_pp_plus_entry_first(matcher):
    answer = matcher.answer("can I get PP+ for a child adopted from care?")
    # the seeds don't cover PP+ for previously looked-after children: "not sure", offering the entry that says so
    assert (answer.verdict, answer.reason, answer.offered.id) == ("unknown", "not_covered", "pp-plus-previously-looked-after")
    assert answer.suggestions[0].id == "pp-plus-previously-looked-after"
    assert "Pupil Premium Plus" in answer.offered.title


def test_a_two_hour_day_is_answered_by_the_reduced_timetable_entry(matcher):
    assert outcome(matcher, "child is on a 2 hour a day timetable, what can you do?") == ("yes", "matched",
                                                                                         "reduced-timetable")


def test_suggestion_buttons_fit_and_the_full_question_is_in_the_answer_card(kb):
    entry = kb.get("full-time-education-25-hours")
    assert len(entry.title) > BUTTON_CHARS
    card = unsure_card(question="hours?", suggestions=[entry, *kb.entries[:2]], query_id=1, out_of_scope=False)
    titles = [a["title"] for a in card["actions"] if a["data"]["action"] == "faq.pick"]
    assert titles and all(len(t) <= BUTTON_CHARS for t in titles)
    assert all(len(button_title(e)) <= BUTTON_CHARS for e in kb)
    answer = answer_card(entry=entry, query_id=1, question="how many hours should he be in school")
    assert answer["body"][1]["text"] == entry.title  # the question answered, in full
    assert "how many hours should he be in school" in json.dumps(answer)


# --- answer the question asked: the same action, the same programme ------------------------------------------


@pytest.mark.parametrize("question, entry_id", [
    ("can the virtual school pay for a tutor", "pp-plus-tutoring"),
    ("can PP+ fund one to one tuition", "pp-plus-tutoring"),
    ("will the VS pay for her school transport", "pp-plus-non-learning-spend"),
])
def test_a_funding_question_never_gets_a_verdict_from_a_doing_entry(matcher, question, entry_id):
    answer = matcher.answer(question)
    assert answer.entry is None or "fund" in _classes_of(matcher, answer.entry.id), answer.entry.id
    assert (answer.entry or answer.offered).id == entry_id


@pytest.mark.parametrize("question, entry_id", [
    ("does the virtual school tutor children", "teach-or-tutor-child"),
    ("will someone from the VS drive him to school", "take-child-to-school"),
])
def test_a_doing_question_never_gets_a_verdict_from_a_funding_entry(matcher, question, entry_id):
    answer = matcher.answer(question)
    assert answer.entry is not None and "fund" not in _classes_of(matcher, answer.entry.id)
    assert answer.entry.id == entry_id


def _classes_of(matcher, entry_id):
    return matcher._classes[matcher._index_of[entry_id]]


def test_agreement_rule_refuses_funding_vs_doing_both_ways(matcher):
    index = matcher._index_of
    assert not matcher._agrees(("spend", "teach"), index["teach-or-tutor-child"])
    assert matcher._agrees(("spend", "teach"), index["pp-plus-tutoring"])
    assert not matcher._agrees(("teach",), index["pp-plus-tutoring"])
    assert not matcher._agrees(("ppplus", "trip"), index["school-visits"])  # a named programme must be there


def test_a_close_entry_about_something_else_is_offered_not_answered(matcher):
    # Paying for a home visit: the close entry is about doing home visits, so no verdict; it is offered.
    question = "can the virtual school pay for a home visit"
    answer = matcher.answer(question)
    assert (answer.verdict, answer.reason, answer.offered.id) == ("unknown", "mismatch", "home-visits")
    assert answer.suggestions[0].id == "home-visits"
    card = faq_card(answer=answer, question=question, query_id=3)
    assert "Closest question" in json.dumps(card) and card["actions"][0]["data"]["entry_id"] == "home-visits"
    assert "mismatch" in REASONS and "not_covered" in REASONS and "parent" in REASONS


# --- read the question inside its context; two asks ----------------------------------------------------------


def test_the_ask_is_found_after_the_context():
    parsed = parse("year 10 boy, two suspensions since September, head now talking about a managed move - can you help?")
    assert parsed.asks == ("can you help",) and "managed move" in parsed.context
    assert parse("do you chair PEPs or is that the DT").asks == ("do you chair PEPs or is that the DT",)
    assert parse("can you chair the PEP and also send someone in to tutor her").asks == (
        "can you chair the PEP", "send someone in to tutor her")


@pytest.mark.parametrize("question, verdict, entry_ids", [
    ("year 10 boy, two suspensions since September, head now talking about a managed move - can you help?",
     "yes", {"alternatives-to-exclusion", "exclusion-risk"}),
    ("she got moved to a new foster placement an hour away last month, can you sort her transport to school?",
     "no", {"school-transport", "take-child-to-school"}),
])
def test_context_does_not_drown_the_ask(matcher, question, verdict, entry_ids):
    answer = matcher.answer(question)
    assert answer.verdict == verdict and answer.entry.id in entry_ids


@pytest.mark.parametrize("question, parts", [
    ("can you chair PEP meetings and also take on the designated teacher's statutory duties",
     {"chair-pep-meetings": "yes", "school-statutory-duties-for-cic": "no"}),
    ("can the VS give staff training on behaviour and then rewrite our behaviour policy",
     {"learning-behaviours-advice": "yes", "change-school-behaviour-policy": "no"}),
])
def test_two_asks_one_done_one_not_is_partly_with_each_part(matcher, question, parts):
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert {p.entry.id: p.verdict for p in answer.parts} == parts
    card = faq_card(answer=answer, question=question, query_id=5)
    assert card["body"][0]["text"] == "Partly" and "2 parts" in card["body"][1]["text"]


def test_a_figure_outside_an_entry_condition_turns_yes_into_no(matcher, kb):
    answer = matcher.answer("attendance is 92%, is that persistent absence?")
    assert (answer.verdict, answer.entry.id) == ("no", "persistent-absence-threshold") and "92%" in answer.note
    assert matcher.answer("is 88% attendance persistent absence").verdict == "yes"
    assert matcher.answer("CP plan ended 8 years ago, is she still covered").verdict == "no"
    assert matcher.answer("CP plan ended 3 years ago, does she still count").verdict == "yes"
    card = answer_card(entry=answer.entry, query_id=1, answer=answer)
    assert card["body"][0]["text"] == "No"
    assert measure("missed half her sessions")["attendance"] == 50
    assert measure("in year 1 then, she's Y10 now")["years_ago"] == 9
    assert parse_condition("attendance <= 90").holds(90) and parse_condition("nonsense") is None


# --- write like the users ------------------------------------------------------------------------------------


@pytest.mark.parametrize("question, entry_id", [
    ("does the vs chiar the pep meetngs", "chair-pep-meetings"),              # transposed and dropped letters
    ("can vs arrange counsellng for our lac girl shes strugglin", "mental-health-support-direct"),
    ("iro here, does vs chair the pep or is that the dt", "chair-pep-meetings"),
    ("kids been out of school since xmas no place sorted, would the inclusion team pick it up",
     "not-in-education|inclusion-team-remit"),
    ("yr 9 cla at risk of perm ex, can vs help the school look at other options", "alternatives-to-exclusion"),
    ("will i get pinged if a yp's attendance drops under 90", "attendance-alerts"),
    ("does support carry on when they go to uni", "over-18"),
])
def test_users_wording(matcher, question, entry_id):
    answer = matcher.answer(question)
    assert answer.entry is not None and answer.entry.id in entry_id.split("|"), (answer.reason, answer.suggestions[:1])


@pytest.mark.parametrize("text, asker", [
    ("my son has an EHCP but no social worker, can you help him?", PARENT),
    ("I'm his mum, can the virtual school help?", PARENT),
    ("im a kinship carer, can i ask for advice about my grandsons school", PARENT),
    ("I'm a foster carer, will the VS come to the PEP?", CARER),
    ("SENCo here, my pupil has an EHCP, can the VS help?", PROFESSIONAL),
    ("can the VS help a child with an EHCP", PROFESSIONAL),
])
def test_parents_and_carers_are_recognised_by_how_they_write(text, asker):
    assert detect_asker(text) == asker


@pytest.mark.parametrize("question, verdict, entry_id", [
    ("my son has an EHCP and no social worker, can the virtual school help him?", "no", "send-without-social-worker"),
    ("my daughter has a social worker and keeps getting excluded, can you help her?", "no", "parent-requests-cwsw"),
    ("can I refer my son to the virtual school myself?", "no", "parent-referral"),
    ("we adopted our son from care, can we get advice from the virtual school about his school?", "yes",
     "plac-parent-advice"),
])
def test_parents_are_signposted_whatever_the_topic(matcher, question, verdict, entry_id):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id, answer.audience) == (verdict, entry_id, "parent")
    assert not answer.keep_text  # a parent's words about their own child are not stored
    card = faq_card(answer=answer, question=question, query_id=9)
    assert "For parents and carers" in json.dumps(card)


def test_a_parents_open_question_gets_the_signpost_card(matcher):
    answer = matcher.answer("my daughter's school keeps excluding her, what can I do?")
    assert (answer.verdict, answer.reason, answer.audience) == ("unknown", "parent", "parent")
    card = faq_card(answer=answer, question="…", query_id=2)
    assert card["id"] == "faq-parent" and not any(a["data"].get("target") == "refer" for a in card.get("actions", []))
    assert parent_card(query_id=1)["id"] == "faq-parent"


# --- personal details (issue 11) ------------------------------------------------------------------------------


@pytest.mark.parametrize("question", [
    "Can the Virtual School chair PEP meetings for Zebedee Quintrell born 2014-07-19?",
    "does the VS chair PEP meetings for Zebedee Quintrell?",
    "is a child born 19 July 2014 in your cohort?",
    "child born on the 3rd of March 2015, does the VS cover him?",
    "she was born in 2012, is she covered",
    "pupil at HA3 5RT - which inclusion officer?",
    "can u check if kayla smith yr 8 has her pep booked",
    "has amiras school sent in their pp+ plan",
])
def test_personal_details_are_recognised(matcher, question):
    assert matcher.answer(question).reason == "personal_case"


@pytest.mark.parametrize("question", [
    "Does the Virtual School chair PEP meetings for children in care?",
    "Do you chair PEPs for Looked After Children?",
    "does the VS chair PEPs for Harrow children",
    "which officer covers HA3?",
    "is a Y10 in the 2nd term of a reduced timetable covered",
    "from September 2024 are kinship children included?",
    "is it alex for the north locality",
])
def test_ordinary_questions_are_not_personal(matcher, question):
    assert matcher.answer(question).reason != "personal_case"


def test_looks_personal_on_its_own():
    known = load_knowledge_base()
    words = Matcher(known).normaliser.known_words
    assert looks_personal("PEP meetings for Zebedee Quintrell", words)
    assert not looks_personal("PEP meetings for children in care", words)


# --- evaluation sets and the bench ---------------------------------------------------------------------------


def test_new_held_out_sets_are_read_without_expected_ids():
    for name in ("faq_holdout_4.yaml", "faq_holdout_5.yaml", "faq_holdout_6.yaml"):
        items = load_eval_items(DATA / name)
        assert len(items) >= 60
        assert all(i.expected_id is None for i in items)
        assert {i.expected_verdict for i in items} == {"yes", "no", "partly", "unknown"}


def test_new_held_out_questions_are_not_pasted_into_the_knowledge_base(kb):
    kb_keys = {comparison_key(text) for e in kb for text in (e.title, *e.phrasings)}
    sets = [DATA / "faq_holdout_4.yaml", DATA / "faq_holdout_5.yaml", DATA / "faq_holdout_6.yaml",
            DATA / "faq_holdout_7.yaml", *sorted(DATA.glob("faq_practice_*.yaml"))]
    for path in sets:
        copies = [i.q for i in load_eval_items(path) if comparison_key(i.q) in kb_keys]
        assert copies == [], path.name


def test_bench_reports_every_set_with_its_own_figures(matcher):
    result = run_all(repeats=1)
    names = [s["set"] for s in result["sets"]]
    assert names[0] == "faq_eval.yaml" and {"faq_holdout_4.yaml", "faq_holdout_5.yaml"} <= set(names)
    for figures in result["sets"]:
        assert {"verdict_accuracy", "in_scope_unsure_rate", "out_of_scope_answered", "latency"} <= set(figures)
    outside = evaluate(matcher, load_eval_items(DATA / "faq_holdout_5.yaml"))
    assert outside["out_of_scope_answered"] == 0


# --- the staff learning loop ---------------------------------------------------------------------------------


def test_staff_add_a_phrasing_and_see_the_gain(tmp_path):
    kb_path = tmp_path / "kb.yaml"
    kb_path.write_text(DEFAULT_KB_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    question = "is a lad who's been off-rolled something for you"
    before = Matcher(load_knowledge_base(kb_path)).answer(question)
    assert before.entry is None or before.entry.id != "not-in-education"
    out, err = io.StringIO(), io.StringIO()
    assert learn_main("not-in-education", question, kb_path=str(kb_path), stdout=out, stderr=err) == 0, err.getvalue()
    assert "before: Not sure" in out.getvalue() and "after:  Yes (not-in-education" in out.getvalue()
    text = kb_path.read_text(encoding="utf-8")
    assert text.startswith("# Virtual School Assistant") and question in text  # comments and layout kept
    assert Matcher(load_knowledge_base(kb_path)).answer(question).entry.id == "not-in-education"
    learned = yaml.safe_load((tmp_path / "faq_learned.yaml").read_text(encoding="utf-8"))["items"]
    assert learned == [{"q": question, "expected_id": "not-in-education", "expected_verdict": "yes"}]
    result = run_all(repeats=1, kb_path=kb_path)
    assert result["sets"][-1]["set"] == "faq_learned.yaml" and result["sets"][-1]["verdict_accuracy"] == 1.0


def test_learning_refuses_an_unknown_entry_or_a_duplicate(tmp_path):
    kb_path = tmp_path / "kb.yaml"
    kb_path.write_text(DEFAULT_KB_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    original = kb_path.read_text(encoding="utf-8")
    err = io.StringIO()
    assert learn_main("no-such-entry", "x", kb_path=str(kb_path), stdout=io.StringIO(), stderr=err) == 2
    assert err.getvalue().count("\n") == 1
    duplicate = load_knowledge_base(kb_path).get("chair-pep-meetings").phrasings[0]
    assert learn_main("surgeries", duplicate, kb_path=str(kb_path), stdout=io.StringIO(), stderr=err) == 2
    assert "nothing changed" in err.getvalue() and kb_path.read_text(encoding="utf-8") == original


def test_ask_json_keeps_its_contract_and_says_more(matcher):
    out = io.StringIO()
    ask_main(None, False, io.StringIO("can you chair the PEP and also tutor her\npp+ on uniform??\n"), out,
             matcher=matcher)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["verdict"] for r in rows] == ["partly", "no"]
    assert all({"verdict", "answer", "parts", "offered", "keep_text"} <= set(r) for r in rows)


# --- round 2: carers' and parents' wording (held-out set 6 released for tuning), practice sets ----------------


@pytest.mark.parametrize("question", [
    "what did the PEP say about Ellie last week?",               # what happened at one child's meeting
    "how did the PEP go yesterday for the boy in 10C?",
    "my grandson's social worker hasn't called back, what's happening",
    "is Mia Cole still with the north officer?",                  # a full name, whatever else is asked
])
def test_questions_about_what_happened_in_one_childs_case_are_personal(matcher, question):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.reason) == ("unknown", "personal_case") and not answer.keep_text


@pytest.mark.parametrize("question", [
    "IRO here, does VS report on attendance and progress for our children in care?",
    "can the virtual school be my foster son's social worker while his is off sick?",
    "my son's CIN plan closed when he was 5 and he's 14 now. does he still count?",
])
def test_a_possessive_or_a_plural_is_not_a_case(matcher, question):
    assert matcher.answer(question).reason != "personal_case"


def test_a_parents_question_outside_our_subject_gets_no_verdict(matcher):
    answer = matcher.answer("Am I entitled to child benefit for my grandson now he lives with me?")
    assert answer.verdict == "unknown" and answer.audience == "parent" and not answer.keep_text


@pytest.mark.parametrize("question, verdict, entry_id", [
    # a request to act about a child with a social worker: the parents' rule
    ("my daughter has a social worker and hasnt been in school since christmas, can you help her get back in?", "no",
     "parent-requests-cwsw"),
    # a question about what the VS does, asked by a parent, is answered as asked
    ("my kids are on a child protection plan. does the virtual school have anything to do with them", "yes",
     "cin-and-cp-plans"),
    ("our son's social worker is referring him because he's not in school at all. is that something they take on?",
     "yes", "not-in-education"),
    ("How do I refer my own child to you? can parents do it?", "no", "parent-referral"),
])
def test_parents_requests_and_parents_questions(matcher, question, verdict, entry_id):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id, answer.audience) == (verdict, entry_id, "parent")


@pytest.mark.parametrize("question, verdict, entry_id", [
    ("we adopted our son two years ago. does he still get a PEP chaired by the virtual school?", "no", "pep-for-plac"),
    ("special guardian for my granddaughter here - does she come under the virtual school?", "yes", "plac-included"),
])
def test_previously_looked_after_children_get_their_own_answers(matcher, question, verdict, entry_id):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == (verdict, entry_id)


def test_an_entry_about_children_in_care_only_never_answers_about_an_adopted_child(matcher):
    index = matcher._index_of
    assert not matcher._agrees(("pep", "chair"), index["chair-pep-meetings"], frozenset({"adopt", "pep", "chair"}))
    assert matcher._agrees(("pep", "chair"), index["chair-pep-meetings"], frozenset({"cic", "pep", "chair"}))


def test_having_no_social_worker_is_not_read_as_having_one(matcher):
    assert matcher.answer("child with a disability and a social worker, is she one of yours?").entry.id != \
        "send-without-social-worker"
    assert matcher.answer("EHCP but never had a social worker - can the VS help?").entry.id == "send-without-social-worker"


def test_a_question_about_both_children_is_answered_for_each(matcher):
    answer = matcher.answer("two sisters: the older one is in foster care, the younger one has autism and no social "
                            "worker. are both of them covered by the virtual school?")
    assert answer.verdict == "partly" and {p.verdict for p in answer.parts} == {"yes", "no"}


def test_near_tied_entries_are_told_apart_by_the_ask(matcher):
    # the story says where the child lives; the ask is about the school
    answer = matcher.answer("they live in the east but the school is in the north. does it go by the school?")
    assert (answer.verdict, answer.entry.id) == ("no", "locality-by-school")


def test_a_carers_introduction_says_which_children_unless_the_ask_is_about_the_carer():
    assert "child in care" in parse("I'm a foster carer and he's been suspended twice, can the VS do anything?").context
    assert "foster carer" in parse("I'm a foster carer, can I book a surgery?").context


@pytest.mark.parametrize("question, entry_id", [
    ("she only came to us on friday - should her education plan be started soon?", "pep-timescales-new-to-care"),
    ("will the virtual school make sure his school is pushing him?", "high-quality-aspirational-learning"),
    ("could someone from the VS come and take him in on the mornings he refuses?", "take-child-to-school"),
    ("pep reviews once a year, is that right?", "pep-termly-review"),
])
def test_carers_wording(matcher, question, entry_id):
    answer = matcher.answer(question)
    assert answer.entry is not None and answer.entry.id == entry_id, (answer.reason, answer.suggestions[:1])


def test_bench_latency_is_the_matchers_own_time_per_question(matcher):
    from dialogs.faq.knowledge.bench import measure_latency
    latency = measure_latency(matcher, ["does the VS chair PEPs?", "can pp+ pay for a tutor?"], repeats=3)
    assert latency["samples"] == 6 and 0 < latency["p50_ms"] <= latency["p99_ms"]
    assert {"wall_p50_ms", "wall_p99_ms", "max_ms"} <= set(latency)


def test_practice_sets_are_reported_apart_from_the_held_out_sets():
    practice = sorted(DATA.glob("faq_practice_*.yaml"))
    assert practice and all("Written by" in path.read_text(encoding="utf-8").splitlines()[1] for path in practice)
