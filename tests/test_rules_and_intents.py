"""Pure rules: typed commands, referral validation and eligibility boundaries, working days."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from dialogs.common.intents import parse
from dialogs.referrals.rules import assess, validate
from storage.working_days import add_working_days, is_working_day

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize("text,intent", [
    ("help", "help"), ("Menu", "help"), ("<at>Virtual School</at> help", "help"), ("cancel", "cancel"),
    ("refer", "refer"), ("I want to refer a child", "refer"), ("I'd like to make a referral", "refer"),
    ("make a referral", "refer"), ("book", "book"), ("book a surgery", "book"), ("my referrals", "my_referrals"),
    ("ask", "ask"), ("Does the Virtual School chair PEPs?", "question"), ("can I refer a parent?", "question"),
    ("", "empty"), ("   ", "empty"),
])
def test_parse(text, intent):
    assert parse(text).name == intent


def test_ask_with_question_keeps_the_question():
    assert parse("ask do you do transport?").argument == "do you do transport?"


def base(**overrides) -> dict:
    values = {"child_first_name": "Ava", "child_last_name": "O'Neil-Smith", "child_dob": "2015-03-14",
              "home_postcode": "ha1 2ab", "school_name": "Meadow Lane", "legal_status": "cin",
              "reasons": "attendance", "details": "x", "consent": "true", "referrer_role": "dsl",
              "is_allocated_sw": "false", "social_worker_name": "Sam Reed", "social_worker_email": "Sam@Example.org"}
    values.update(overrides)
    return values


def test_clean_values_are_normalised():
    clean, errors = validate(base(), today=TODAY)
    assert errors == {}
    assert clean["home_postcode"] == "HA1 2AB" and clean["social_worker_email"] == "sam@example.org"
    assert clean["reasons"] == ["attendance"] and clean["child_dob"] == date(2015, 3, 14)


@pytest.mark.parametrize("dob,kind", [
    ("2026-11-23", "inclusion"),  # born today: age 0
    ("2007-11-24", "inclusion"),  # still 18 (19 tomorrow)
    ("2007-11-23", "over_18"),  # 19 today
    ("2001-11-24", "over_18"),  # 24: still a plausible date, signposted
])
def test_age_boundaries(dob, kind):
    _, errors, decision = assess(base(child_dob=dob), today=TODAY)
    assert errors == {} and decision.kind == kind


def test_parent_is_signposted_before_any_validation():
    _, errors, decision = assess({"referrer_role": "parent_carer"}, today=TODAY)
    assert errors == {} and decision.kind == "parent" and not decision.eligible


@pytest.mark.parametrize("status,kind", [("cin", "inclusion"), ("cp", "inclusion"), ("kinship", "inclusion"),
                                          ("previous_cin_cp", "inclusion"), ("cic", "cic"), ("plac", "plac"),
                                          ("none", "send_only")])
def test_eligibility_by_legal_status(status, kind):
    _, errors, decision = assess(base(legal_status=status), today=TODAY)
    assert errors == {} and decision.kind == kind and decision.eligible == (kind == "inclusion")


def test_working_days_skip_weekends_and_england_bank_holidays():
    assert not is_working_day(date(2026, 12, 25)) and not is_working_day(date(2026, 12, 28))  # Christmas, substitute Boxing Day
    assert not is_working_day(date(2026, 11, 28)) and is_working_day(date(2026, 11, 23))
    start = datetime(2026, 12, 24, 10, tzinfo=timezone.utc)
    assert add_working_days(start, 2, "Europe/London").date() == date(2026, 12, 30)
    friday = datetime(2026, 11, 27, 16, tzinfo=timezone.utc)
    assert add_working_days(friday, 2, "Europe/London").date() == date(2026, 12, 1)
