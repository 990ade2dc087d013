"""Numbers in a question checked against an entry's condition ("is 92% persistent absence?").

An entry may carry `condition: "<quantity> <op> <number>"` (kb.yaml), for example
`attendance <= 90` on "Is attendance of 90% or below persistent absence?". When the question states
that quantity and it falls outside the condition, the answer to this question is the opposite of the
entry's "yes" ("attendance is 92%, is that persistent absence?" -> No), with a sentence saying why.

Quantities read from the text:
  attendance      a percentage of sessions attended: "92%", "48 percent", "dips under 90"; a share missed
                  ("missed 60%", "missed half") is turned into attendance (40, 50)
  years_ago       "ended 8 yrs ago", "till 3 years ago"; or school years: "in year 1 ... Y10 now" (9); or a past
                  year, relative to today: "on a CIN plan in 2016" (10 in 2026), "closed March 2022"
  interval_months how often: "once a year" (12), "every six months" (6), "termly" (4), "monthly" (1)
  hours_per_week  "25 hours a week", "2 hrs a day" (10)
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from datetime import date

from dialogs.faq.knowledge import memo
from dialogs.faq.knowledge.folded import Folded, lowered, may_match

QUANTITIES = ("attendance", "years_ago", "interval_months", "hours_per_week")
_OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq}
_CONDITION = re.compile(rf"^\s*({'|'.join(QUANTITIES)})\s*(<=|>=|==|<|>)\s*(\d+(?:\.\d+)?)\s*$")

_WORD_NUMBERS = {"one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "half": 0.5}
_NUMBER = r"(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_PERCENT = Folded(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|per\s+cent\b|pc\b)")
_ATTENDANCE_NUMBER = Folded(
    r"\battend\w*\s+(?:is\s+|was\s+|of\s+|at\s+|on\s+|around\s+|about\s+|just\s+|now\s+|only\s+|currently\s+|"
    r"dips?\s+|dipped\s+|drops?\s+|dropped\s+|falls?\s+|fell\s+|goes\s+|gone\s+|to\s+|under\s+|below\s+|"
    r"below\s+|or\s+)*(\d{2}(?:\.\d+)?)\b(?!\s*(?:hours|hrs|days|sessions|weeks|wks|years|yrs))",
)
_MISSED_BEFORE = Folded(r"\b(?:miss\w*|absent|absence|off)\s+(?:of\s+|for\s+|about\s+|around\s+|over\s+)*$")
_MISSED_HALF = Folded(r"\bmiss\w*\s+(?:about\s+|around\s+|over\s+)?(half|a\s+third|a\s+quarter)\b")
_YEARS_AGO = Folded(rf"\b{_NUMBER}\s*(?:years?|yrs?)\s+ago\b")
_SCHOOL_YEARS = Folded(
    r"\b(?:in\s+)?(?:year|yr|y)\s*(\d{1,2})\b.{0,40}?\b(?:(?:now|is|she's|shes|he's|hes|they're|theyre)\s+"
    r"(?:in\s+)?(?:year|yr|y)\s*(\d{1,2})|(?:year|yr|y)\s*(\d{1,2})\s+now)\b",
)
# "the plan closed when he was 5 and he's 14 now": the years between the two ages.
_AGES_THEN_NOW = Folded(
    r"\bwhen\s+(?:he|she|they|my\s+\w+|our\s+\w+)\s+(?:was|were)\s+(\d{1,2})\b.{0,40}?"
    r"\b(?:(?:he|she|they)(?:'s|’s|s|\s+is|\s+are|'re)|is|now)\s+(?:aged\s+)?(\d{1,2})\b",
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# "in 2016", "back in March 2019", "closed 2022": a year (with its month, if said) when something happened.
_PAST_YEAR = Folded(r"\b(?:(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+)?((?:19|20)\d\d)\b"
                        r"(?!\s*(?:-|/)\s*\d)")
_POLICY_DATE = Folded(r"\b(?:since|from|after|before|until|till|by|of)\s+(?:[a-z]+\s+)?$")
_RECEPTION = re.compile(r"\b(?:in\s+)?reception\b", re.IGNORECASE)
_IN_RECEPTION = Folded(r"\breception\b")  # (found exactly when _RECEPTION is: most questions skip its pass)
# Each with the words it cannot match without (the pattern is tried only when one is typed; see may_match).
_INTERVALS = (
    (Folded(r"\b(?:every|each)\s+(?:2|two)\s+(?:years|yrs)\b|\bbiennial"), 24, ("every", "each", "biennial")),
    (Folded(r"\bonce\s+(?:a|per|every|each)\s+(?:year|yr)\b|\b(?:annually|annual|yearly)\b|"
            r"\b(?:every|each)\s+(?:year|yr)\b"), 12, ("once", "annual", "yearly", "every", "each")),
    (Folded(r"\b(?:every|each)\s+(?:6|six)\s+months\b|\btwice\s+(?:a|per)\s+(?:year|yr)\b|\b6\s*monthly\b"), 6,
     ("every", "each", "twice", "monthly")),
    (Folded(r"\btermly\b|\b(?:every|each|once\s+a|once\s+per)\s+(?:school\s+)?term\b|"
            r"\bthree\s+times\s+(?:a|per)\s+(?:year|yr)\b"), 4, ("termly", "every", "each", "once", "three")),
    (Folded(r"\bmonthly\b|\b(?:every|each|once\s+a)\s+month\b"), 1, ("monthly", "every", "each", "once")),
)
_HOURS_A_DAY = Folded(r"\b(\d+(?:\.\d+)?)\s*(?:hours?|hrs?|h)\s*(?:a|per|each)?\s*day\b")
_HOURS_A_WEEK = Folded(r"\b(\d+(?:\.\d+)?)\s*(?:hours?|hrs?|h)\s*(?:a|per|each)?\s*(?:week|wk)\b")


@dataclass(frozen=True)
class Condition:
    quantity: str
    op: str
    value: float

    def holds(self, measured: float) -> bool:
        return _OPS[self.op](measured, self.value)

    def __str__(self) -> str:
        return f"{self.quantity} {self.op} {self.value:g}"


def parse_condition(text: str) -> Condition | None:
    """`attendance <= 90` -> Condition; None if the text is not a condition."""
    match = _CONDITION.match(text or "")
    return Condition(match.group(1), match.group(2), float(match.group(3))) if match else None


def _number(word: str) -> float:
    word = word.lower()
    return float(_WORD_NUMBERS[word]) if word in _WORD_NUMBERS else float(word)


def measure(text: str, today: date | None = None) -> dict[str, float]:
    """Every quantity the text states (first mention of each); a past year is counted back from `today`."""
    return dict(_measure(text or "", today or date.today()))


@memo.per_question  # one question is measured several times (its asks, its conditions)
def _measure(text: str, today: date) -> tuple[tuple[str, float], ...]:
    found: dict[str, float] = {}
    text = text or ""
    # (most questions state no number: every pattern that needs a digit is skipped then, and "years ago" needs "ago")
    digits = any(map(str.isdigit, text))
    low = lowered(text)
    for match in _PERCENT.finditer(text) if digits and may_match(low, "%", "per", "pc") else ():
        value = float(match.group(1))
        if value <= 100:
            missed = _MISSED_BEFORE.search(text[: match.start()])
            found.setdefault("attendance", 100 - value if missed else value)
            break
    if "attendance" not in found:
        half = _MISSED_HALF.search(text) if may_match(low, "miss") else None
        if half:
            share = {"half": 50.0, "a third": 33.3, "a quarter": 25.0}[" ".join(half.group(1).lower().split())]
            found["attendance"] = 100 - share
        elif digits and may_match(low, "attend"):
            match = _ATTENDANCE_NUMBER.search(text)
            if match and float(match.group(1)) <= 100:
                found["attendance"] = float(match.group(1))
    match = _YEARS_AGO.search(text) if may_match(low, "ago") else None
    if match:
        found["years_ago"] = _number(match.group(1))
    elif digits:
        in_reception = may_match(low, "reception") and _IN_RECEPTION.search(text)
        school_years = _RECEPTION.sub(" year 0 ", text) if in_reception else text
        match = _SCHOOL_YEARS.search(school_years)  # reception is the year before year 1
        ages = _AGES_THEN_NOW.search(text) if may_match(low, "when") else None
        if ages and 0 <= int(ages.group(1)) < int(ages.group(2)) <= 25:
            found["years_ago"] = float(int(ages.group(2)) - int(ages.group(1)))
        elif match:
            then, now = int(match.group(1)), int(match.group(2) or match.group(3))
            if 0 <= then < now <= 14:
                found["years_ago"] = float(now - then)
        else:
            ago = _years_since(text, today)
            if ago is not None:
                found["years_ago"] = ago
    for pattern, months, words in _INTERVALS:
        if may_match(low, *words) and pattern.search(text):
            found["interval_months"] = float(months)
            break
    match = _HOURS_A_WEEK.search(text) if digits and may_match(low, "week", "wk") else None
    if match:
        found["hours_per_week"] = float(match.group(1))
    elif digits and may_match(low, "day"):
        match = _HOURS_A_DAY.search(text)
        if match and float(match.group(1)) <= 8:
            found["hours_per_week"] = float(match.group(1)) * 5
    return tuple(found.items())


def _years_since(text: str, today: date) -> float | None:
    """How long ago the first past year in the text was ("a CIN plan in 2016" -> 10 in 2026): whole years when
    no month is said (a plan that ended in 2020 may have ended in December: given the benefit of the doubt), else
    to the month."""
    for match in _PAST_YEAR.finditer(text):
        year = int(match.group(2))
        if not 1990 <= year <= today.year or _POLICY_DATE.search(text[: match.start()]):
            continue  # "since 2021", "from September 2024": when a rule started, not when a plan ended
        if match.group(1):
            month = _MONTHS.index(match.group(1).lower()[:3]) + 1
            return round(max(0.0, (today.year - year) + (today.month - month) / 12), 1)
        return float(today.year - year)
    return None


def explain_outside(condition: Condition, measured: float) -> str:
    """One sentence: why the stated figure is outside the entry's condition."""
    if condition.quantity == "attendance":
        side = {"<=": "at or below", "<": "below", ">=": "at or above", ">": "above", "==": "exactly"}[condition.op]
        return (f"No: this applies to attendance {side} {condition.value:g}%, and {measured:g}% is not "
                f"{side} {condition.value:g}%.")
    if condition.quantity == "years_ago":
        return (f"No: this covers the last {condition.value:g} years, and {measured:g} years ago is longer ago "
                f"than that.")
    if condition.quantity == "interval_months":
        return (f"No: this needs to happen at least every {condition.value:g} months; every {measured:g} months "
                f"is not often enough.")
    return f"No: the figure in your question ({measured:g}) is outside this ({condition})."
