"""Pure surgery rules: the publish form's validation, repeating dates, the topic privacy check, typed commands."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from dialogs.common.intents import parse
from dialogs.surgeries.rules import occurrence_dates, validate
from dialogs.surgeries.service import previous_working_day
from dialogs.surgeries.topic import names_a_child
from storage.vocabulary import ALL_PROFESSIONALS, SurgeryKind
from storage.working_days import is_working_day

NOW = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
TZ = "Europe/London"


def values(**overrides) -> dict:
    base = {"title": "Attendance surgery", "subject": "attendance", "audience": "dsl,send", "date": "2026-12-08",
            "start_time": "10:00", "end_time": "12:00", "kind": "slots", "slot_minutes": "20",
            "join_url": "https://teams.microsoft.com/l/meetup-join/abc", "venue": "", "cutoff_hours": "24"}
    base.update(overrides)
    return base


def test_a_valid_slots_surgery():
    plan, errors = validate(values(), now=NOW, tz=TZ)
    assert errors == {}
    assert plan.kind is SurgeryKind.SLOTS and plan.slot_count == 6 and plan.places == 6
    assert plan.cutoff_minutes == 24 * 60 and [str(r) for r in plan.audience] == ["dsl", "send"]
    assert plan.starts_at(TZ).astimezone(timezone.utc) == datetime(2026, 12, 8, 10, tzinfo=timezone.utc)


def test_all_means_every_professional_and_times_follow_the_clock():
    plan, errors = validate(values(audience="all", date="2027-06-08", kind="group", places="12"), now=NOW, tz=TZ)
    assert errors == {} and set(plan.audience) == ALL_PROFESSIONALS and plan.places == 12
    assert plan.starts_at(TZ).astimezone(timezone.utc).hour == 9  # 10:00 BST


@pytest.mark.parametrize("overrides,field,needle", [
    ({"title": "x"}, "title", "at least 3"),
    ({"audience": "wizard"}, "audience", "wizard"),
    ({"audience": ""}, "audience", "at least one"),
    ({"audience": "officer"}, "audience", "officer"),  # staff are not an audience
    ({"date": "8/12/2026"}, "date", "YYYY-MM-DD"),
    ({"date": "2026-11-20"}, "date", "already passed"),
    ({"start_time": "25:00"}, "start_time", "HH:MM"),
    ({"end_time": "09:00"}, "end_time", "after the start"),
    ({"kind": "party"}, "kind", "slots or a group"),
    ({"slot_minutes": "3"}, "slot_minutes", "5 to"),
    ({"slot_minutes": "180"}, "slot_minutes", "longer than the surgery"),
    ({"kind": "group", "places": "0"}, "places", "number of places"),
    ({"join_url": "http://teams.example.org/x"}, "join_url", "https://"),
    ({"join_url": "javascript:alert(1)"}, "join_url", "https://"),
    ({"join_url": ""}, "join_url", "or a venue"),
    ({"cutoff_hours": "-1"}, "cutoff_hours", "hours before"),
    ({"repeat": "weekly"}, "repeat_until", "last date"),
    ({"repeat": "weekly", "repeat_until": "2026-12-01"}, "repeat_until", "after the first"),
    ({"repeat": "monthly"}, "repeat", "how often"),
])
def test_problems_are_named_by_field(overrides, field, needle):
    plan, errors = validate(values(**overrides), now=NOW, tz=TZ)
    assert plan is None and needle in errors[field], errors


def test_every_second_tuesday_in_term_time_is_one_definition_of_many_dates():
    plan, errors = validate(values(date="2026-12-01", repeat="fortnightly", repeat_until="2027-03-30",
                                   term_time_only="true"), now=NOW, tz=TZ)
    assert errors == {} and plan.repeat_weeks == 2
    christmas = (date(2026, 12, 19), date(2027, 1, 4))  # a school holiday, from configuration
    dates = occurrence_dates(plan, is_working_day=is_working_day,
                             in_term=lambda d: not christmas[0] <= d <= christmas[1])
    assert dates[:3] == [date(2026, 12, 1), date(2026, 12, 15), date(2027, 1, 12)]  # 29 Dec is in the holiday
    assert all(d.weekday() == 1 for d in dates) and dates[-1] == date(2027, 3, 23)
    without_term = occurrence_dates(plan, is_working_day=is_working_day)
    assert date(2026, 12, 29) in without_term


def test_repeats_skip_bank_holidays():
    plan, _ = validate(values(date="2026-12-21", repeat="weekly", repeat_until="2027-01-11"), now=NOW, tz=TZ)
    assert occurrence_dates(plan, is_working_day=is_working_day) == [date(2026, 12, 21), date(2027, 1, 4),
                                                                     date(2027, 1, 11)]  # 28 Dec: Boxing Day (subst.)


def test_the_reminder_goes_on_the_working_day_before():
    assert previous_working_day(date(2026, 11, 30)) == date(2026, 11, 27)  # Monday -> Friday
    assert previous_working_day(date(2026, 12, 29)) == date(2026, 12, 24)  # after Christmas and Boxing Day


@pytest.fixture(scope="module", params=["without the knowledge base", "with the knowledge base"])
def knowledge(request):
    if request.param == "without the knowledge base":
        return None
    from dialogs.faq.service import load_knowledge

    return load_knowledge()


@pytest.mark.parametrize("topic", [
    "Jayden's attendance has dropped", "PEP targets for Zebedee Quintrell", "chat about kayla smith yr 8",
    "Exclusion of a pupil born 14/03/2015", "Child at HA1 2AB", "Update on VS-2026-00042", "Mia", "support for Tyler",
])
def test_topics_that_name_a_child_are_caught(topic, knowledge):
    assert names_a_child(topic, knowledge)


@pytest.mark.parametrize("topic", [
    "Attendance support for a Year 9 pupil in care", "Managed moves and part-time timetables",
    "EHCP annual reviews", "Transition to secondary school for children with a social worker", "",
    "Advice for Harrow schools on suspensions",
])
def test_ordinary_topics_are_kept(topic, knowledge):
    assert not names_a_child(topic, knowledge)


@pytest.mark.parametrize("text,intent", [
    ("book", "book"), ("can I book a surgery?", "book"), ("Can I book a surgery", "book"),
    ("how do I book onto a surgery?", "book"), ("I'd like to book a slot", "book"), ("book a surgery please", "book"),
    ("Can I book a place for a colleague under my name?", "question"), ("Can parents book a surgery?", "question"),
    ("book a meeting room for tuesday", "question"), ("book a taxi for me to the station", "question"),
    ("my bookings", "my_bookings"), ("publish a surgery", "publish_surgery"), ("manage surgeries", "manage_surgeries"),
])
def test_typed_booking_commands(text, intent):
    assert parse(text).name == intent
