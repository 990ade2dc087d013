"""Issue 12, round 21 on set 35 (written blind: the core daily users describing a situation; 86.7 % and 6.4 % not sure
before any tuning). Each fix is a cause, pinned here with new wording."""
from __future__ import annotations


def test_not_just_the_wrong_figure_keeps_the_answer(matcher):
    assert matcher.answer("PEPs are every term for looked after kids, not only once a year?").verdict == "yes"


def test_me_and_someone_not_told_is_partly(matcher):
    answer = matcher.answer("do the low attendance alerts go to me and the designated teacher as well?")
    assert (answer.verdict, answer.entry.id) == ("partly", "attendance-alerts"), (answer.verdict, answer.entry)
    assert "not the designated teacher" in answer.note


def test_a_ski_trip_is_a_trip(matcher):
    answer = matcher.answer("can PP+ pay for maths tutoring and also a ski trip for our CLA?")
    assert answer.verdict == "partly"
    assert [p.verdict for p in answer.parts] == ["yes", "no"]


def test_inspecting_an_alternative_provision_is_inspecting(matcher):
    answer = matcher.answer("can the virtual school inspect the alternative provision our CiC goes to?")
    assert (answer.verdict, answer.entry.id) == ("no", "inspect-schools"), (answer.verdict, answer.entry)


def test_what_the_school_runs_is_not_what_the_part_asks_the_vs_to_do(matcher):
    answer = matcher.answer("we run a nurture group for our LAC. would the VS run one too, or do you just check the ones "
                            "we run are working?")
    assert answer.verdict == "partly"
    assert sorted(p.verdict for p in answer.parts) == ["no", "yes"]
