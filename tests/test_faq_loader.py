"""The FAQ knowledge base file: validation, the packaged kb.yaml, and reloading without a restart."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from dialogs.faq.knowledge.loader import (
    DEFAULT_KB_PATH,
    KnowledgeBaseError,
    KnowledgeBaseStore,
    load_knowledge_base,
)
from dialogs.faq.knowledge.model import ACTIONS, COHORTS, KB_VERDICTS, VERDICTS

SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def entry(**overrides):
    base = {
        "id": "chair-peps",
        "title": "Does the Virtual School chair PEP meetings?",
        "phrasings": ["Do you chair PEPs?", "Who chairs a PEP meeting?", "Is the PEP chaired by you?"],
        "verdict": "yes",
        "answer": "Yes. The Virtual School chairs PEP meetings.",
        "instead": "",
        "cohorts": ["cic"],
        "source": "004_78a1ed2eeea5494f.txt",
        "actions": ["ask_staff"],
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not _MISSING}


_MISSING = object()


def write_kb(tmp_path: Path, entries, name: str = "kb.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"entries": entries}, sort_keys=False), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(path)
    return caught.value.problems


# --- validation ---------------------------------------------------------------------------------


def test_valid_file_loads_with_defaults(tmp_path):
    minimal = entry(instead=_MISSING, cohorts=_MISSING, actions=_MISSING)
    kb = load_knowledge_base(write_kb(tmp_path, [minimal, entry(id="second", title="Another question?",
                                                                 phrasings=["A different one?"])]))
    assert kb.ids == ("chair-peps", "second")
    first = kb.get("chair-peps")
    assert first.instead == "" and first.cohorts == () and first.actions == ()
    assert first.phrasings == ("Do you chair PEPs?", "Who chairs a PEP meeting?", "Is the PEP chaired by you?")
    assert len(kb.version) == 64 and kb.path.endswith("kb.yaml")


def test_unquoted_yaml_yes_and_no_are_read_as_verdicts(tmp_path):
    path = tmp_path / "kb.yaml"
    path.write_text(
        "entries:\n"
        "  - id: a\n    title: Question A?\n    phrasings: [\"Another A?\"]\n    verdict: yes\n"
        "    answer: Yes.\n    source: s\n"
        "  - id: b\n    title: Question B?\n    phrasings: [\"Another B?\"]\n    verdict: no\n"
        "    answer: No.\n    source: s\n",
        encoding="utf-8",
    )
    assert [e.verdict for e in load_knowledge_base(path)] == ["yes", "no"]


def test_duplicate_id_is_reported_with_both_positions(tmp_path):
    problems = problems_of(write_kb(tmp_path, [entry(), entry(title="Other?", phrasings=["Other one?"])]))
    assert problems == ["entry 2 (id 'chair-peps'): duplicate id (first used by entry 1)"]


def test_unknown_cohort_action_and_bad_verdict_are_all_listed(tmp_path):
    bad = entry(cohorts=["cic", "adults"], actions=["refer", "phone_home"], verdict="maybe")
    problems = problems_of(write_kb(tmp_path, [bad]))
    assert len(problems) == 3
    assert all(p.startswith("entry 1 (id 'chair-peps'): ") for p in problems)
    assert any("unknown cohort 'adults'" in p for p in problems)
    assert any("unknown action 'phone_home'" in p for p in problems)
    assert any("verdict 'maybe' is not one of no, partly, unknown, yes" in p for p in problems)


def test_missing_and_empty_fields_are_reported(tmp_path):
    problems = problems_of(write_kb(tmp_path, [
        entry(answer=_MISSING, source=_MISSING),
        entry(id="empty-phrasings", phrasings=[], title="  "),
        entry(id=_MISSING, title="No id?", phrasings=["No id at all?"]),
    ]))
    assert "entry 1 (id 'chair-peps'): missing required field 'answer'" in problems
    assert "entry 1 (id 'chair-peps'): missing required field 'source'" in problems
    assert "entry 2 (id 'empty-phrasings'): field 'phrasings' must be a non-empty list of questions" in problems
    assert "entry 2 (id 'empty-phrasings'): field 'title' is empty" in problems
    assert "entry 3: missing required field 'id'" in problems


def test_error_message_lists_every_problem_one_per_line(tmp_path):
    path = write_kb(tmp_path, [entry(verdict="maybe"), entry(id="Bad Id", title="T?", phrasings=["P?"], colour="red")])
    with pytest.raises(KnowledgeBaseError) as caught:
        load_knowledge_base(path)
    lines = str(caught.value).splitlines()
    assert lines[0] == f"{path}: 3 problems in the knowledge base"
    assert len(lines) == 4 and all(line.startswith("  - entry ") for line in lines[1:])
    assert any("not kebab-case" in line for line in lines)
    assert any("unknown field 'colour'" in line for line in lines)


def test_phrasing_shared_by_two_entries_is_a_problem(tmp_path):
    problems = problems_of(write_kb(tmp_path, [entry(), entry(id="other", title="Other?",
                                                              phrasings=["do you chair  PEPs?"])]))
    assert problems == ["entry 2 (id 'other'): phrasing 'do you chair PEPs?' is also used by entry 'chair-peps'"]


def test_unreadable_or_malformed_files_raise_the_same_error(tmp_path):
    assert problems_of(tmp_path / "missing.yaml")[0].startswith("cannot read the file")
    broken = tmp_path / "broken.yaml"
    broken.write_text("entries:\n  - id: a\n    title: x: y: z\n", encoding="utf-8")
    assert problems_of(broken)[0].startswith("YAML syntax error")
    empty = tmp_path / "empty.yaml"
    empty.write_text("entries: []\n", encoding="utf-8")
    assert problems_of(empty) == ["expected a non-empty list under the top-level key 'entries'"]


# --- the packaged knowledge base -------------------------------------------------------------------


@pytest.fixture(scope="module")
def packaged():
    return load_knowledge_base()


def test_packaged_kb_is_valid_and_large_enough(packaged):
    assert packaged.path == str(DEFAULT_KB_PATH)
    assert len(packaged) >= 70
    for e in packaged:
        assert len(e.phrasings) >= 3, e.id
        assert e.verdict in KB_VERDICTS and set(e.cohorts) <= COHORTS and set(e.actions) <= ACTIONS
        assert e.answer and (e.instead or e.verdict == "yes"), f"{e.id}: a no/partly says who does it instead"
        if e.verdict not in VERDICTS:  # not covered by the seeds: the answer says so plainly
            assert "pages here do not say" in e.answer or "do not cover" in e.answer, e.id


def test_packaged_kb_covers_both_sides_of_the_do_and_dont_table(packaged):
    verdicts = {e.id: e.verdict for e in packaged}
    expected = {
        "chair-pep-meetings": "yes", "school-statutory-duties-for-cic": "no",
        "monitor-progress-attendance-mental-health": "yes", "teach-or-tutor-child": "no",
        "high-quality-aspirational-learning": "yes", "inspect-schools": "no", "shape-school-curriculum": "no",
        "training-to-close-learning-gaps": "yes", "tell-schools-what-to-do": "no",
        "monitor-interventions": "yes", "carry-out-interventions": "no",
        "pupil-premium-plus-accountability": "yes", "pp-plus-non-learning-spend": "no",
        "listen-to-child-voice": "yes", "ignore-professionals": "no",
        "learning-behaviours-advice": "yes", "change-school-behaviour-policy": "no",
        "alternatives-to-exclusion": "yes", "overrule-headteacher-decisions": "no",
        "advise-on-schools-in-placement-area": "yes", "school-admission-applications": "no",
        "school-visits": "no", "school-transport": "no",
        "work-with-professionals-and-carers": "yes", "take-on-other-professionals-roles": "no",
        "send-without-social-worker": "no", "parent-requests-cwsw": "no", "work-with-families": "no",
        "track-individual-cwsw-progress": "no", "plac-advice": "partly", "cwsw-strategic-lead": "partly",
    }
    assert {k: verdicts.get(k) for k in expected} == expected


def test_packaged_kb_sources_are_seed_pages_or_the_brief(packaged):
    seed_names = {p.name for p in SEEDS_DIR.glob("*.txt")} if SEEDS_DIR.is_dir() else set()
    for e in packaged:
        assert re.fullmatch(r"\d{3}_[0-9a-f]{16}\.txt|BRIEF\.md (glossary|rules)", e.source), e.id
        if seed_names and e.source.endswith(".txt"):
            assert e.source in seed_names, e.id


def test_packaged_kb_names_no_person_phone_number_or_council(packaged):
    forbidden = re.compile(r"Harrow|Haringey|Essex|Spooner|James-Walker|Dalton|\b0\d{3,4}\s?\d{6}\b|\b07\d{9}\b")
    for e in packaged:
        for text in (e.title, e.answer, e.instead, *e.phrasings):
            assert not forbidden.search(text), f"{e.id}: {text}"


# --- reloading ----------------------------------------------------------------------------------------


def bump_mtime(path: Path) -> None:
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def test_reload_picks_up_a_valid_change(tmp_path):
    path = write_kb(tmp_path, [entry()])
    store = KnowledgeBaseStore(path)
    assert store.answer("do you chair PEPs?").entry.id == "chair-peps"
    write_kb(tmp_path, [entry(), entry(id="school-transport", title="Does the Virtual School deal with school transport?",
                                         phrasings=["Can you arrange a taxi to school?"], verdict="no",
                                         answer="No. Nothing to do with school transport.")])
    assert store.reload().ids == ("chair-peps", "school-transport")
    answer = store.answer("does the virtual school deal with school transport")
    assert answer.verdict == "no" and answer.entry.id == "school-transport"


def test_reload_keeps_the_old_kb_when_the_new_file_is_invalid(tmp_path):
    path = write_kb(tmp_path, [entry()])
    store = KnowledgeBaseStore(path)
    old_kb, old_matcher = store.kb, store.matcher
    write_kb(tmp_path, [entry(verdict="perhaps")])
    with pytest.raises(KnowledgeBaseError):
        store.reload()
    assert store.kb is old_kb and store.matcher is old_matcher
    assert store.answer("do you chair PEPs?").verdict == "yes"
    assert store.try_reload() == ["entry 1 (id 'chair-peps'): verdict 'perhaps' is not one of no, partly, unknown, yes"]
    assert store.kb is old_kb


def test_reload_if_changed_only_reloads_a_modified_file(tmp_path):
    path = write_kb(tmp_path, [entry()])
    store = KnowledgeBaseStore(path)
    assert store.reload_if_changed() is False
    write_kb(tmp_path, [entry(answer="Yes. Updated wording.")])
    bump_mtime(path)
    assert store.reload_if_changed() is True
    assert store.kb.get("chair-peps").answer == "Yes. Updated wording."
    write_kb(tmp_path, [entry(cohorts=["nobody"])])
    bump_mtime(path)
    with pytest.raises(KnowledgeBaseError):
        store.reload_if_changed()
    assert store.kb.get("chair-peps").answer == "Yes. Updated wording."


def test_store_refuses_to_start_on_an_invalid_file(tmp_path):
    with pytest.raises(KnowledgeBaseError):
        KnowledgeBaseStore(write_kb(tmp_path, [entry(actions=["dance"])]))


def test_default_store_uses_the_packaged_kb():
    store = KnowledgeBaseStore()
    assert store.path == DEFAULT_KB_PATH and len(store.kb) >= 70
