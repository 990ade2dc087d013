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


# Round 12 on set 26 (written blind in new voices: office staff, heads, health and youth-justice staff, phone
# dictation; 91.7 % before any tuning). Each fix is a cause, pinned here with new wording.

@pytest.mark.parametrize("question", [
    "Could the Virtual School monitor the interventions the school is running for a looked after child, and also "
    "run a couple of the sessions themselves?",
    "can vs keep an eye on the catch up the school are delivering for our cla and also deliver some of it?",
])
def test_what_the_school_is_running_is_not_the_action_asked_of_the_vs(matcher, question):
    answer = matcher.answer(question)
    assert answer.verdict == "partly"
    assert [(p.verdict, p.entry.id) for p in answer.parts] == [("yes", "monitor-interventions"),
                                                                ("no", "carry-out-interventions")]


@pytest.mark.parametrize(("question", "entry_id"), [
    ("nan has an SGO for two kids who were in care before - would the VS support them the same as children in care "
     "with peps and everything?", "plac-advice"),
    ("our son was adopted from care. does the virtual school still do PEPs and support for him like when he was looked "
     "after?", "plac-advice"),
    ("Does the VS do for CiN kids what it does for CiC - PEPs, direct work, all of it?", "cwsw-strategic-lead"),
    ("do adopted children get the same as children in care?", "plac-advice"),
    ("do cin kids get the same support as cic", "cwsw-strategic-lead"),
])
def test_other_children_compared_with_children_in_care_get_partly(matcher, question, entry_id):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == ("partly", entry_id)


@pytest.mark.parametrize(("question", "verdict", "entry_id"), [
    # one thing asked about, "like when he was in care": that thing's answer
    ("We adopted our son in 2019. Does he still get a PEP chaired by the virtual school like when he was in care?",
     "no", "pep-for-plac"),
    ("do children on CP plans get the same PEP as children in care?", "no", "pep-for-cwsw"),
    ("do adopted children get a PEP the same as children in care?", "no", "pep-for-plac"),
    # no children other than those in care: nothing to compare
    ("does the vs support children in care the same way as before?", None, None),
    # what pays, not what the VS does: not the entry on advice and information
    ("do adopted kids get pp+ the same as children in care?", None, None),
])
def test_one_thing_asked_about_keeps_its_own_answer(matcher, question, verdict, entry_id):
    answer = matcher.answer(question)
    if verdict is not None:
        assert (answer.verdict, answer.entry.id) == (verdict, entry_id)
    else:
        assert answer.entry is None or answer.entry.id not in ("plac-advice", "cwsw-strategic-lead")
