"""Spot questions about one particular child ("What is Jake's attendance?", "my son's PEP").

The FAQ answers general questions only; a question about a named child's case must never get a
general yes/no, and must not be looked up here either (children's data is special). The rules are
deliberately simple and explainable: a reference number, "my son's / my daughter's ...", or an
unknown name (a word the knowledge base does not know) used as the subject or owner of something
about a case.
"""
from __future__ import annotations

import re
from typing import AbstractSet

_REFERENCE = re.compile(r"\bvs-?\d{4}-?\d{3,}\b", re.IGNORECASE)  # referral reference, e.g. VS-2026-00042
_LONG_NUMBER = re.compile(r"\b\d{5,}\b")  # a child's local id, NHS or UPN-like number
_DATE_OF_BIRTH = re.compile(r"\b(?:dob|d\.o\.b|date of birth|born on)\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b", re.IGNORECASE)

_RELATIVE = (r"(?:grand|step|foster\s+)?(?:son|daughter|child|kid|boy|girl|nephew|niece|brother|sister"
             r"|grandchild|pupil|student|young\s+person)")
_MY_RELATIVES = re.compile(rf"\b(?:my|our)\s+{_RELATIVE}(?:'s|s'|’s)(?=\s|$|[?.!,])", re.IGNORECASE)

# Words that show the question is about a case rather than a policy.
_CASE_WORDS = re.compile(
    r"\b(?:attendance|attend(?:s|ed|ing)?|pep|peps|referral|referred|case|excluded|exclusion|suspended|"
    r"suspension|progress|plan|report|status|school|placement|grades|results|doing|getting|happening|"
    r"going|update|latest|news|social\s+worker|file|record|records|address|dob|birthday|behaviour|"
    r"behavior|absent|missing|today|yesterday|this\s+week|this\s+term)\b",
    re.IGNORECASE,
)
# "<something> on/with/about <who>": the <who> is checked below.
_NEWS_ABOUT = re.compile(
    r"\b(?:update|updates|news|latest|progress|info|information|happening|going\s+on)\s+"
    r"(?:on|with|about|for|re)\s+([A-Za-z][\w'-]*)",
    re.IGNORECASE,
)
_NAME = r"([A-Z][a-z]+(?:-[A-Z][a-z]+)?)"
# A capitalised unknown word as the subject of a verb: "is Kayden on", "did Olivia attend", "how is Leo".
_SUBJECT_NAME = re.compile(
    rf"\b(?i:is|was|did|does|has|have|will|can|should|could|isn't|hasn't|why's|how's)\s+{_NAME}\b"
)
_POSSESSIVE_NAME = re.compile(r"\b([A-Za-z][a-z]+(?:-[A-Za-z][a-z]+)?)(?:'s|’s)\b")

# Common words that are not names even though the knowledge base may not use them.
_COMMON = frozenset("""
it what that there here who he she where how when why let today tomorrow yesterday everyone someone
somebody anyone anybody nobody one council authority government department dfe week term year month
mum dad mother father parent carer son daughter child kid pupil student boy girl baby teacher head
school college academy nursery team staff office manager officer worker family brother sister
""".split())


def looks_personal(text: str, known_words: AbstractSet[str]) -> bool:
    """True if the question is about one specific child's details or case."""
    if not text:
        return False
    if _REFERENCE.search(text) or _LONG_NUMBER.search(text) or _DATE_OF_BIRTH.search(text):
        return True
    if _MY_RELATIVES.search(text):
        return True
    if not _CASE_WORDS.search(text):
        return False

    def is_name(word: str) -> bool:
        word = word.lower().strip("'-")
        parts = [p for p in re.split(r"[-']", word) if p]
        return bool(parts) and all(p not in known_words and p not in _COMMON and p.isalpha() for p in parts)

    for match in _NEWS_ABOUT.finditer(text):
        who = match.group(1)
        if who.lower() in {"my", "our"} or is_name(who):
            return True
    for pattern in (_POSSESSIVE_NAME, _SUBJECT_NAME):
        if any(is_name(m.group(1)) for m in pattern.finditer(text)):
            return True
    return False
