"""The "does the Virtual School do X?" matcher, its evaluation set, the ask CLI and the bench."""
from __future__ import annotations

import dataclasses
import io
import json

import pytest

from dialogs.faq.knowledge.bench import evaluate, load_eval_items, run_faq_bench
from dialogs.faq.knowledge.cli import ask_main, check_main
from dialogs.faq.knowledge.loader import load_knowledge_base
from dialogs.faq.knowledge.matcher import MAX_SUGGESTIONS, REASONS, Answer, Matcher
from dialogs.faq.knowledge.normalise import comparison_key


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


@pytest.fixture(scope="module")
def matcher(kb):
    return Matcher(kb)


@pytest.fixture(scope="module")
def eval_items():
    return load_eval_items()


def ask(matcher: Matcher, question: str) -> tuple[str, str | None, str]:
    answer = matcher.answer(question)
    return answer.verdict, answer.entry.id if answer.entry else None, answer.reason


# --- answers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("question, verdict, entry_id", [
    ("Is it the Virtual School that chairs a child in care's PEP?", "yes", "chair-pep-meetings"),
    ("does the VS hold schools to account for pupil premium plus", "yes", "pupil-premium-plus-accountability"),
    ("can you advise a social worker on schools close to a new placement", "yes", "advise-on-schools-in-placement-area"),
    ("Does the Virtual School fill out school admission applications?", "no", "school-admission-applications"),
    ("Is the virtual school going to teach the child itself?", "no", "teach-or-tutor-child"),
    ("Do you respond to parents asking for help with their child who has a social worker?", "no",
     "parent-requests-cwsw"),
    ("Do adopted children get support from the Virtual School?", "partly", "plac-advice"),
    ("what does the VS do for kids with a social worker", "partly", "cwsw-strategic-lead"),
])
def test_yes_no_and_partly_answers(matcher, question, verdict, entry_id):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id, answer.reason) == (verdict, entry_id, "matched")
    assert 0.0 < answer.score <= 1.0


@pytest.mark.parametrize("question, entry_id", [
    ("does the vs chiar pep meetngs", "chair-pep-meetings"),                       # typos
    ("Do you chair Personal Educaton Plan meetigs?", "chair-pep-meetings"),
    ("will the virtual school organize school transport", "school-transport"),    # US spelling
    ("Can the VS change a school's behavior policy?", "change-school-behaviour-policy"),
    ("Will the VS run an intervention program for a pupil?", "carry-out-interventions"),
    ("Do you support LAC?", "support-children-in-care"),                          # abbreviations
    ("can PPP pay for uniform", "pp-plus-non-learning-spend"),
    ("Can PP+ be spent on a school trip?", "pp-plus-non-learning-spend"),
    ("does the VS write EHCPs", "ehcp"),
    ("Can an IRO refer to the inclusion team?", "referral-who-can-refer"),
    ("does a CiN child get a PEP", "pep-for-cwsw"),
    ("SEND but no SW - can the VS help?", "send-without-social-worker"),
    ("can a DSL get training from the VS", "dsl-training"),
])
def test_robust_to_typos_spelling_and_abbreviations(matcher, question, entry_id):
    assert ask(matcher, question)[1:] == (entry_id, "matched")


def test_corrections_are_reported(matcher):
    answer = matcher.answer("do you chiar pep meetngs")
    assert ("chiar", "chair") in answer.corrections and answer.entry.id == "chair-pep-meetings"


def test_low_confidence_gives_three_suggestions_and_no_verdict(matcher):
    answer = matcher.answer("what about school?")
    assert (answer.verdict, answer.entry, answer.reason) == ("unknown", None, "low_confidence")
    assert len(answer.suggestions) == MAX_SUGGESTIONS
    assert len({e.id for e in answer.suggestions}) == MAX_SUGGESTIONS


def test_matched_answer_suggests_related_entries_other_than_itself(matcher):
    answer = matcher.answer("Does the Virtual School chair PEP meetings?")
    assert 0 < len(answer.suggestions) <= MAX_SUGGESTIONS
    assert answer.entry not in answer.suggestions


@pytest.mark.parametrize("question", [
    "what's the weather like tomorrow", "who won the football", "when do the bins get collected",
    "how do I pay a parking fine", "tell me a joke", "how much is council tax", "where is the nearest library",
    "can you book me a table for lunch", "what is the capital of France", "is it going to rain on the school trip",
    "who is the best footballer", "can you write my report for me", "sing me a song", "what time is it",
    "can we spend PP+ on a laptop",
])
def test_out_of_scope_never_gets_yes_or_no(matcher, question):
    verdict, entry_id, reason = ask(matcher, question)
    assert (verdict, entry_id) == ("unknown", None)
    assert reason in {"out_of_scope", "low_confidence"}


@pytest.mark.parametrize("question", [
    "What is Jake's attendance?", "what's happening with Tyler", "Has Amira's PEP happened?",
    "How is Leo getting on at school?", "my son's PEP is late", "Can you tell me my daughter's attendance",
    "is Kayden on a CP plan?", "whats jake's attendance like", "update on jordan smith please",
    "status of referral VS-2026-00042", "child DOB 01/02/2015 - is he on your list?",
    "Is Jake Smith going to be excluded from Meadow Lane?",
])
def test_questions_about_one_child_are_personal_cases(matcher, question):
    assert ask(matcher, question) == ("unknown", None, "personal_case")


@pytest.mark.parametrize("question", [
    "Can I refer my son to the virtual school?", "my nephew lives with me in a kinship arrangement, is he covered",
    "Does the Virtual School chair Personal Education Plan meetings?", "does the VS track a child's attendance",
    "Can the VS act as the child's social worker?", "Is PEP only for children in care?",
])
def test_general_questions_mentioning_a_child_are_not_personal_cases(matcher, question):
    assert ask(matcher, question)[2] != "personal_case"


@pytest.mark.parametrize("question", ["", "   ", "?!", "hello", "thanks", "does the virtual school"])
def test_empty_questions(matcher, question):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.reason, answer.suggestions) == ("unknown", "empty", ())


def test_answers_are_deterministic_and_frozen(kb, matcher):
    questions = ["do you chair peps", "what about school?", "tell me a joke", "can PP+ buy uniform"]
    other = Matcher(kb)
    for question in questions:
        assert matcher.answer(question) == matcher.answer(question) == other.answer(question)
    answer = matcher.answer(questions[0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.verdict = "no"  # type: ignore[misc]
    assert answer.reason in REASONS


def test_very_long_input_is_handled(matcher):
    answer = matcher.answer("does the virtual school chair PEP meetings " * 500)
    assert isinstance(answer, Answer) and answer.verdict in {"yes", "unknown"}


def test_explain_shows_the_signals(matcher):
    rows = matcher.explain("do you chair PEPs", limit=2)
    assert rows[0]["id"] == "chair-pep-meetings" and rows[0]["tokens"] == ["chair", "pep"]
    assert set(rows[0]) >= {"score", "cosine", "coverage", "fuzz"}


# --- the evaluation set ------------------------------------------------------------------------------


def test_eval_set_is_large_and_labelled_with_existing_ids(kb, eval_items):
    assert len(eval_items) >= 200
    out_of_scope = [i for i in eval_items if i.out_of_scope]
    assert len(out_of_scope) >= 40
    assert all(i.expected_verdict == "unknown" for i in out_of_scope)
    for item in eval_items:
        if not item.out_of_scope:
            entry = kb.get(item.expected_id)
            assert entry is not None, item.expected_id
            assert item.expected_verdict == entry.verdict, item.q
    assert len({i.q for i in eval_items}) == len(eval_items), "duplicate questions"


def test_eval_questions_are_not_copies_of_kb_phrasings(kb, eval_items):
    kb_keys = {comparison_key(text): e.id for e in kb for text in (e.title, *e.phrasings)}
    copies = [(i.q, kb_keys[key]) for i in eval_items if (key := comparison_key(i.q)) and key in kb_keys]
    assert copies == []


def test_verdict_accuracy_on_the_eval_set(matcher, eval_items):
    result = evaluate(matcher, eval_items)
    assert result["out_of_scope_answered"] == 0, [f for f in result["failures"] if f["expected_id"] is None]
    assert result["verdict_accuracy"] >= 0.95, result["failures"]
    assert result["abstention_recall"] == 1.0


def test_eval_personal_cases_are_recognised(matcher, eval_items):
    personal = [i for i in eval_items if i.expected_reason == "personal_case"]
    assert len(personal) >= 10
    assert [i.q for i in personal if matcher.answer(i.q).reason != "personal_case"] == []


# --- CLI and bench ----------------------------------------------------------------------------------


def test_ask_main_prints_one_human_answer(matcher):
    out = io.StringIO()
    assert ask_main("Do you chair PEP meetings?", False, io.StringIO(), out, matcher=matcher) == 0
    text = out.getvalue()
    assert text.startswith("[Yes] Does the Virtual School chair PEP meetings?") and "Source: 004_" in text


def test_ask_main_prints_one_json_object(matcher):
    out = io.StringIO()
    assert ask_main("will the VS sort out school transport?", True, io.StringIO(), out, matcher=matcher) == 0
    data = json.loads(out.getvalue())
    assert data["verdict"] == "no" and data["id"] == "school-transport" and data["reason"] == "matched"
    assert {"verdict", "answer", "id", "title", "score", "instead", "source", "suggestions", "reason"} <= set(data)
    assert all(set(s) == {"id", "title"} for s in data["suggestions"])


def test_ask_main_reads_stdin_one_json_line_per_question(matcher):
    stdin = io.StringIO("do you chair peps\n\n   \nwhat's the weather like\nWhat is Jake's attendance?\n")
    out = io.StringIO()
    assert ask_main(None, False, stdin, out, matcher=matcher) == 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["verdict"] for r in rows] == ["yes", "unknown", "unknown"]
    assert [r["reason"] for r in rows[1:]] == ["out_of_scope", "personal_case"]
    assert rows[1]["id"] is None and rows[1]["answer"].startswith("I don't know")


def test_unknown_answer_sentence_suggests_closest_questions(matcher):
    out = io.StringIO()
    ask_main("what about school?", True, io.StringIO(), out, matcher=matcher)
    data = json.loads(out.getvalue())
    assert data["verdict"] == "unknown" and len(data["suggestions"]) == 3
    assert "closest questions" in data["answer"] and "Virtual School team" in data["answer"]
    assert data["suggestions"][0]["title"] in data["answer"]


def test_ask_main_reports_an_invalid_kb_on_one_line(tmp_path):
    bad = tmp_path / "kb.yaml"
    bad.write_text("entries:\n  - {id: a, title: A?, phrasings: [x?], verdict: maybe, answer: A., source: s}\n",
                   encoding="utf-8")
    err = io.StringIO()
    assert ask_main("anything", False, io.StringIO(), io.StringIO(), kb_path=str(bad), stderr=err) == 2
    assert err.getvalue().count("\n") == 1 and err.getvalue().startswith("error: knowledge base invalid")
    out = io.StringIO()
    assert check_main(str(bad), out, stderr=err) == 2
    assert check_main(None, out) == 0 and out.getvalue().startswith("OK: ")


def test_run_faq_bench_reports_the_figures():
    result = run_faq_bench(repeats=1)
    assert result["items"] >= 200 and result["out_of_scope_answered"] == 0
    assert 0.0 <= result["abstention_precision"] <= 1.0 and result["verdict_accuracy"] >= 0.95
    assert {"p50_ms", "p99_ms"} <= set(result["latency"])  # measured, not asserted: latency is benched
