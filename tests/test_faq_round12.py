"""Issue 12, after round 11: an entry about children in care only does not answer a question about children with a
social worker (CiN, CP) that never names children in care. Found by asking "has the VS started doing PEPs for CiN
yet?", which was answered yes by "Must a PEP be started within 10 working days of a child entering care?" ("started"
reads as a start date); the same rule already kept entries about children in care from answering questions about
children adopted from care. Answers identical on every set question (24 and 25 not checked); one two-part answer's
first part moved from the entry about children in care to the one about children with a social worker
("cin kid - can vs champion her education w the school...")."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("question", [
    "has the vs started doing peps for cin yet",
    "Has the virtual school started doing PEPs for children in need?",
    "have you started doing peps for cp kids",
])
def test_an_entry_about_children_in_care_only_gives_no_verdict_on_children_with_a_social_worker(matcher, question):
    answer = matcher.answer(question)
    assert answer.verdict == "unknown" or answer.entry.id == "pep-for-cwsw", (answer.verdict, answer.entry)
    closest = list(dict.fromkeys(e.id for e in (answer.offered, *answer.suggestions) if e is not None))
    assert "pep-for-cwsw" in closest[:3]  # offered among the three buttons


@pytest.mark.parametrize(("question", "entry_id"), [
    ("how soon after coming into care must a PEP be started?", "pep-timescales-new-to-care"),
    ("does a cin kid get a pep?", "pep-for-cwsw"),
])
def test_questions_naming_their_children_keep_their_entries(matcher, question, entry_id):
    assert matcher.answer(question).entry.id == entry_id


def test_a_child_in_need_is_championed_by_the_entry_about_children_with_a_social_worker(matcher):
    answer = matcher.answer("cin kid - can vs champion her education w the school and also do a bit of 1:1 with her")
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == [("yes", "advocacy-voice-cwsw"),
                                                                ("no", "work-directly-with-children")]
