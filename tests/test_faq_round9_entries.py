"""Issue 12, round 9: helping social workers hold schools to account is its own yes (seed 000: the Virtual School
empowers social care colleagues to hold schools to account on behaviour, attendance, attainment, curriculum and the
quality of support), apart from whether the Virtual School itself holds schools to account (partly: only for PP+
spend; it does not inspect schools or tell them what to do). Held-out sets 8 and 9 asked the first and got the second."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("question", [
    "as a CiN social worker can I get the virtual school's backing to challenge a school on poor attendance?",
    "do vs support social workers to hold a school to account over behaviour",
])
def test_backing_social_workers_to_challenge_schools_is_a_yes(matcher, question):
    answer = matcher.answer(question)
    assert (answer.verdict, answer.entry.id) == ("yes", "help-social-workers-hold-schools-to-account")


def test_whether_the_virtual_school_itself_holds_schools_to_account_stays_partly(matcher):
    answer = matcher.answer("does the virtual school hold schools to account?")
    assert (answer.verdict, answer.entry.id) == ("partly", "hold-schools-to-account")
