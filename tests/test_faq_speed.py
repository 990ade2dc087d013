"""The FAQ matcher's speed work must never change an answer: each faster way is checked against the plain one.

- Scoring (Matcher._rank_once) adds rows of arrays; `_rank_plainly` below is the loop over the inverted index it
  replaced, word by word and phrasing by phrasing. Every candidate list must be the same, float for float.
- Case-insensitive patterns (folded.Folded) match the lower-cased text; they must find what re.IGNORECASE finds,
  at the same places, including for the characters lower-casing treats differently.
- What one question needs several times is kept for that question only (memo), never from one question to the next.

Hypothesis runs with a fixed seed (derandomize), as in test_faq_fuzz.py."""
from __future__ import annotations

import math
import re
from itertools import accumulate
from pathlib import Path

import numpy
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from dialogs.faq.knowledge import asks, audience, folded, matcher as matcher_module, memo, normalise, personal, quantities
from dialogs.faq.knowledge.matcher import (COHORT_CONTEXT_WEIGHT, MIN_INFORMATION, NEGATION, W_COSINE, W_COVERAGE,
                                           W_FUZZ, _Candidate)

DATA = Path(__file__).parent / "data"
NEVER_TUNED = {"faq_holdout_24.yaml", "faq_holdout_25.yaml"}  # (their questions are read here, never shown)


def _rank_plainly(m, multipliers: dict[str, float], ask: tuple[str, ...] | None = None) -> list[_Candidate]:
    """Matcher._rank_once as a loop over the inverted index (as it was before arrays), the reference."""
    # pylint: disable=protected-access
    weights = {t: m._weight(t) * w for t, w in multipliers.items()}
    total = max(sum(weights.values()), MIN_INFORMATION)
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    common = m._common_tokens
    postings: dict[str, list[tuple[int, float]]] = {}  # the inverted index: each word's phrasings
    for doc_index, doc in enumerate(m._docs):
        for token, doc_weight in doc.weights.items():
            postings.setdefault(token, []).append((doc_index, doc_weight))
    rare = [(t, w) for t, w in weights.items() if t not in common and t in postings]
    doc_dot: dict[int, float] = {}
    for token, weight in (rare or weights.items()):
        for doc_index, doc_weight in postings.get(token, ()):
            doc_dot[doc_index] = doc_dot.get(doc_index, 0.0) + weight * doc_weight
    if rare:
        for token, weight in weights.items():
            if token in common:
                posting = dict(postings[token])
                for doc_index in doc_dot.keys() & posting.keys():
                    doc_dot[doc_index] += weight * posting[doc_index]
    penalty = m._penalty[NEGATION in multipliers].tolist()
    cosine: dict[int, float] = {}
    for doc_index, dot in doc_dot.items():
        similarity = dot / norm * penalty[doc_index]
        entry_index = m._docs[doc_index].entry_index
        if similarity > cosine.get(entry_index, -1.0):
            cosine[entry_index] = similarity
    if not cosine:
        return []
    covered: dict[int, float] = {}
    for token, weight in weights.items():
        for entry_index in m._entries_with.get(token, ()):
            covered[entry_index] = covered.get(entry_index, 0.0) + weight
    partial = {i: (cos, covered.get(i, 0.0) / total) for i, cos in cosine.items()}
    best_partial = max(W_COSINE * c + W_COVERAGE * v for c, v in partial.values())
    contenders = sorted(i for i, (c, v) in partial.items() if W_COSINE * c + W_COVERAGE * v >= best_partial - W_FUZZ)
    focus = {t for t, w in multipliers.items() if w >= COHORT_CONTEXT_WEIGHT} | set(ask or ())
    query_text = " ".join(sorted(focus or multipliers))
    runs = [m._docs_by_entry[e] for e in contenders]
    starts = list(accumulate((len(r) for r in runs[:-1]), initial=0))
    ratios = process.cdist([query_text], [m._docs[d].text for r in runs for d in r], scorer=fuzz.ratio,
                           dtype=numpy.float64)[0]
    fuzzy = dict(zip(contenders, numpy.maximum.reduceat(ratios / 100.0, starts).tolist(), strict=True))
    candidates = [_Candidate(i, W_COSINE * cos + W_COVERAGE * coverage + W_FUZZ * fuzzy.get(i, 0.0), cos, coverage,
                             fuzzy.get(i, 0.0)) for i, (cos, coverage) in partial.items()]
    candidates.sort(key=lambda c: (-c.score, c.entry_index))
    return candidates


def _set_questions() -> list[str]:
    return [item["q"] for path in sorted(DATA.glob("faq_*.yaml")) if path.name not in NEVER_TUNED
            for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]]


def _same(got: list[_Candidate], expected: list[_Candidate]) -> bool:
    # equal as tuples, and plain Python numbers (not numpy's) so callers see no difference
    return got == expected and all(type(a) is type(b) for g, e in zip(got, expected, strict=True)
                                   for a, b in zip(g, e, strict=True))


def test_scoring_with_arrays_gives_every_reading_of_every_set_question_the_same_candidates(matcher, monkeypatch):
    readings: list[tuple[dict[str, float], tuple[str, ...] | None]] = []
    real = matcher_module.Matcher._rank_once  # pylint: disable=protected-access

    def recording(self, multipliers, ask=None):
        readings.append((dict(multipliers), ask))
        return real(self, multipliers, ask)

    monkeypatch.setattr(matcher_module.Matcher, "_rank_once", recording)
    for question in _set_questions():
        matcher.answer(question)
    monkeypatch.undo()
    assert len(readings) > 1000
    different = [r for r in readings if not _same(matcher._rank_once(*r), _rank_plainly(matcher, *r))]  # noqa: SLF001
    assert different == []


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_scoring_with_arrays_is_the_loop_over_the_index_for_any_words(matcher, data):
    vocabulary = sorted(matcher._entries_with)  # noqa: SLF001
    tokens = data.draw(st.lists(st.one_of(st.sampled_from(vocabulary), st.sampled_from([NEGATION, "zzqx", "3"])),
                                max_size=12, unique=True))
    multipliers = {t: data.draw(st.sampled_from([1.0, 0.9, 0.8, 0.45, 0.3, 0.0])) for t in tokens}
    ask = tuple(t for t in tokens if multipliers[t] == 1.0) or None
    assert _same(matcher._rank_once(multipliers, ask), _rank_plainly(matcher, multipliers, ask))  # noqa: SLF001


def test_no_question_at_all_is_scored_as_nothing(matcher):
    assert matcher._rank_once({}) == _rank_plainly(matcher, {}) == []  # noqa: SLF001
    assert matcher._rank_once({"zzqx": 1.0}) == _rank_plainly(matcher, {"zzqx": 1.0}) == []  # noqa: SLF001


# --- case-insensitive patterns ------------------------------------------------------------------------------------

FOLDED = [(module.__name__.rsplit(".", 1)[-1], name, pattern) for module in (asks, audience, matcher_module, personal,
                                                                             quantities)
          for name, value in vars(module).items()
          for pattern in ([value] if isinstance(value, folded.Folded) else
                          [p for item in value if isinstance(item, tuple) for p in item] if isinstance(value, tuple) else [])
          if isinstance(pattern, folded.Folded)]


def test_the_characters_that_fold_apart_are_all_of_them():
    """Every code point re.IGNORECASE matches with an ASCII letter other than by lower-casing to it (0.3 s)."""
    letter = re.compile("[a-z]", re.IGNORECASE)
    found = {chr(c) for c in range(0x80, 0x110000) if letter.fullmatch(chr(c)) and chr(c).lower() not in
             "abcdefghijklmnopqrstuvwxyz"}
    assert found == set(folded.FOLDS_APART)


def test_a_folded_pattern_must_be_written_in_lower_case():
    with pytest.raises(ValueError):
        folded.Folded(r"\bVS\b")
    assert folded.Folded(r"(?P<who>\w+)\s+\S+\b").search("Hello World").span() == (0, 11)


def _same_matches(pattern: folded.Folded, text: str) -> None:
    slow = re.compile(pattern.pattern, re.IGNORECASE)
    for method in ("search", "match", "fullmatch"):
        got, expected = getattr(pattern, method)(text), getattr(slow, method)(text)
        assert (got and got.span()) == (expected and expected.span()), (pattern.pattern, method, text)
    assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in slow.finditer(text)]


def test_folded_patterns_match_where_ignorecase_does_on_every_set_question():
    assert len(FOLDED) >= 38
    for question in _set_questions():
        for _module, _name, pattern in FOLDED:
            _same_matches(pattern, question)
            _same_matches(pattern, question.upper())


ODD = ["ſ", "İ", "ı", "K", "ẞ", "ß", "Σ", "ς", "’", "é", "Ǆ", "ﬁ"]


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(["can", "YOU", "Is", "my son", "SW here", "2016", "Jan", "tell me",
                                           "whether", "it", "them", " ", ",", "?"] + ODD), st.text(max_size=4)),
                max_size=10).map(" ".join))
def test_folded_patterns_match_where_ignorecase_does_on_any_text(text):
    for _module, _name, pattern in FOLDED:
        _same_matches(pattern, text)


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from([".", "?", "!", ";", ":", "...", "..", " - ", " – ", "\n", "  ", "word",
                                           "a.b", "?!"]), st.text(max_size=3)), max_size=10).map("".join))
def test_clause_breaks_found_only_where_one_can_start_are_the_same_breaks(text):
    plain = re.compile(asks._CLAUSE_BREAK.pattern.removeprefix(r"(?=[\s.?!:])"))  # noqa: SLF001
    assert asks._CLAUSE_BREAK.split(text) == plain.split(text)  # noqa: SLF001


# --- one question's memo --------------------------------------------------------------------------------------------

def test_what_a_question_needs_twice_is_worked_out_once_for_that_question_only():
    worked: list[str] = []

    @memo.per_question
    def words(text: str) -> tuple[str, ...]:
        worked.append(text)
        return tuple(text.split())

    scope = memo.begin()
    try:
        assert words("a b") == words("a b") == ("a", "b")
    finally:
        memo.end(scope)
    assert worked == ["a b"]
    scope = memo.begin()  # the next question starts with nothing kept (a cache across questions would hold names)
    try:
        words("a b")
    finally:
        memo.end(scope)
    words("a b")  # outside an answer nothing is kept at all
    words("a b")
    assert worked == ["a b"] * 4


def test_an_answer_closes_its_memo(matcher):
    matcher.answer("Can the VS support a CIN plan that ended in 2016, 2 hours a day?")
    assert memo.current() is None


# --- patterns tried only where a match can start ----------------------------------------------------------------

STARTING = [(name, value) for name, value in vars(normalise).items()
            if isinstance(value, re.Pattern) and value.pattern.startswith("(?=")]
STARTING_FOLDED = [("_SECOND_ASK", asks._SECOND_ASK), ("_ASK_START", asks._ASK_START),  # noqa: SLF001
                   ("_INDIRECT_CLOSED", asks._INDIRECT_CLOSED), ("_REFERS_BACK", matcher_module._REFERS_BACK)]  # noqa: SLF001
# case-sensitive patterns whose first word is matched ignoring case: the lookahead ignores case too
STARTING_MIXED = [("_SUBJECT_NAME", personal._SUBJECT_NAME), ("_AFTER_PREPOSITION", personal._AFTER_PREPOSITION)]  # noqa: SLF001
PLAIN = re.compile(r"^\(\?=(\[[^\]]*\]|\\d|\w|\(\?i:\[[^\]]*\]\))\)\(\?:(.*)\)$", re.DOTALL)


def _plain(pattern: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(PLAIN.match(pattern.pattern).group(2), pattern.flags)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(["take him to school", "took", "on", "them", "like a", "the way an",
                                           "social worker would", "hasnt", "cant", "wont", "3rd", "21st", "To",
                                           "in", "Wembley", "at the", "Harrow", "LADO", "NEET", "work with",
                                           "the child", "talk to", "chat with kids", "speak", " ", ",", "?", "'", "and",
                                           "and also", "or", "+", "or do they just", "as well as", "can you",
                                           "whether", "n", "plus", "Is", "IS", "Jayden", "for", "About", "Amira",
                                           "Smith", "how's", "confirm", "if", "fund it", "do them", "what", "any chance",
                                           "wondering whether", "Why's"] + ODD),
                          st.text(max_size=4)), max_size=12).map(" ".join))
def test_patterns_tried_where_a_match_can_start_find_what_the_plain_ones_find(text):
    assert len(STARTING) >= 9
    for name, pattern in STARTING:
        for sample in (text, text.lower()):
            assert ([m.span() for m in pattern.finditer(sample)]
                    == [m.span() for m in _plain(pattern).finditer(sample)]), (name, sample)
    for name, pattern in STARTING_FOLDED:
        plain = re.compile(PLAIN.match(pattern.pattern).group(2), re.IGNORECASE)
        for sample in (text, text.upper()):  # (a folded match's groups are of the lower-cased text)
            assert ([(m.span(), _lower(m.groups())) for m in pattern.finditer(sample)]
                    == [(m.span(), _lower(m.groups())) for m in plain.finditer(sample)]), (name, sample)
    for name, pattern in STARTING_MIXED:
        for sample in (text, text.upper(), text.title()):
            assert ([(m.span(), m.groups()) for m in pattern.finditer(sample)]
                    == [(m.span(), m.groups()) for m in _plain(pattern).finditer(sample)]), (name, sample)


def _lower(groups: tuple[str | None, ...]) -> tuple[str | None, ...]:
    return tuple(g and g.lower() for g in groups)


def test_the_mixed_case_patterns_tried_where_a_match_can_start_find_the_same_on_every_set_question():
    for question in _set_questions():
        for name, pattern in STARTING_MIXED + [(n, p._ignorecase) for n, p in STARTING_FOLDED]:
            plain = _plain(pattern)
            assert ([(m.span(), m.groups()) for m in pattern.finditer(question)]
                    == [(m.span(), m.groups()) for m in plain.finditer(question)]), (name, question)


SIGN_OFF_PIECES = ["thanks", "Thanks", "THANK YOU", "thankyou", "thx", "ty", "cheers", "so much", "in advance", "all",
                   "any help appreciated", "all advice welcome", "would appreciate any help", "kind regards",
                   "best wishes", "x", "xx", "X", "Sarah", "Max", "sarah", "Mr", "?", "!", ".", ",", "-", " ", "\n",
                   "can you help", "ſ", "İ", "K", "é", "\x1c", "2", "Ty"]


@settings(max_examples=1500, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(SIGN_OFF_PIECES), st.text(max_size=3)), max_size=10).map(" ".join))
def test_a_sign_off_is_only_looked_for_where_one_can_end_the_text(text):
    for sample in (text, text.replace(" ", ""), text + "x", text.upper()):
        if not asks.may_end_with_sign_off(sample):
            assert asks._SIGN_OFF.search(sample) is None, sample  # noqa: SLF001


def test_no_set_question_hides_a_sign_off_from_the_check():
    for question in _set_questions():
        for text in (question, question.rstrip("?") + " thanks Sarah x", question + " cheers"):
            if not asks.may_end_with_sign_off(text):
                assert asks._SIGN_OFF.search(text) is None, text  # noqa: SLF001


def _measure_every_pattern(text: str, today):
    """quantities._measure trying every pattern, as before the ones needing a digit (or "ago") were skipped."""
    q = quantities
    found: dict[str, float] = {}
    for match in q._PERCENT.finditer(text):  # noqa: SLF001
        value = float(match.group(1))
        if value <= 100:
            missed = q._MISSED_BEFORE.search(text[: match.start()])  # noqa: SLF001
            found.setdefault("attendance", 100 - value if missed else value)
            break
    if "attendance" not in found:
        half = q._MISSED_HALF.search(text)  # noqa: SLF001
        if half:
            found["attendance"] = 100 - {"half": 50.0, "a third": 33.3, "a quarter": 25.0}[
                " ".join(half.group(1).lower().split())]
        else:
            match = q._ATTENDANCE_NUMBER.search(text)  # noqa: SLF001
            if match and float(match.group(1)) <= 100:
                found["attendance"] = float(match.group(1))
    match = q._YEARS_AGO.search(text)  # noqa: SLF001
    if match:
        found["years_ago"] = q._number(match.group(1))  # noqa: SLF001
    else:
        match = q._SCHOOL_YEARS.search(q._RECEPTION.sub(" year 0 ", text))  # noqa: SLF001
        ages = q._AGES_THEN_NOW.search(text)  # noqa: SLF001
        if ages and 0 <= int(ages.group(1)) < int(ages.group(2)) <= 25:
            found["years_ago"] = float(int(ages.group(2)) - int(ages.group(1)))
        elif match:
            then, now = int(match.group(1)), int(match.group(2) or match.group(3))
            if 0 <= then < now <= 14:
                found["years_ago"] = float(now - then)
        else:
            ago = q._years_since(text, today)  # noqa: SLF001
            if ago is not None:
                found["years_ago"] = ago
    for pattern, months, _words in q._INTERVALS:  # noqa: SLF001
        if pattern.search(text):
            found["interval_months"] = float(months)
            break
    match = q._HOURS_A_WEEK.search(text)  # noqa: SLF001
    if match:
        found["hours_per_week"] = float(match.group(1))
    else:
        match = q._HOURS_A_DAY.search(text)  # noqa: SLF001
        if match and float(match.group(1)) <= 8:
            found["hours_per_week"] = float(match.group(1)) * 5
    return tuple(found.items())


QUANTITY_PIECES = ["attendance", "is", "at", "85", "85%", "percent", "missed", "half", "a third", "2", "two", "years",
                   "ago", "AGO", "in", "reception", "year", "3", "now", "when he was", "5", "he's", "14", "in 2016",
                   "March 2019", "since", "every", "term", "termly", "once a year", "hours", "a day", "a week", "²",
                   "٣", "ſ", "İ", "10", "EVERY", "each", "biennial", "annually", "yearly", "twice a year", "6 monthly",
                   "monthly", "once a month", "three times a year", "ı", "twıce a year", "ſix months", "attend", "attended",
                   "per cent", "pc", "20pc", "when he was", "hrs", "wk", "day", "receptıon", "mıssed half",
                   "WHEN she was 4", "ATTENDANCE 85"]


@settings(max_examples=1500, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(QUANTITY_PIECES), st.text(max_size=3)), max_size=12).map(" ".join))
def test_skipping_the_quantity_patterns_that_need_a_digit_never_changes_a_measure(text):
    from datetime import date  # pylint: disable=import-outside-toplevel

    today = date(2026, 12, 2)
    assert quantities._measure.__wrapped__(text, today) == _measure_every_pattern(text, today)  # noqa: SLF001


def test_the_quantities_of_every_set_question_are_the_same_with_patterns_skipped():
    from datetime import date  # pylint: disable=import-outside-toplevel

    for question in _set_questions():
        assert quantities._measure.__wrapped__(question, date(2026, 12, 2)) == _measure_every_pattern(  # noqa: SLF001
            question, date(2026, 12, 2))
