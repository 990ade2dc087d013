"""Who a question names as the one told ("will the DT get an alert if attendance drops?").

The alert entries say who their alerts go to (`recipients` in the knowledge base: the BRIEF's rules, e.g. attendance
to the allocated social worker and the locality manager). Their words are the same whoever is asked about, so the
matcher cannot tell "will the social worker be told?" (yes) from "will the designated teacher be told?" (no) by
words alone; this reads who is named as receiving, in a few explainable shapes:
  * "will / does the DT get / be told / hear ...", "do managers get ...", "is the manager sent / alerted ...";
  * "the school is told", "DTs get an alert";
  * "alert / tell / ping / notify the carers", "sent to the head", "go to the SW and the DT".
Someone named only as the one the question is from ("I'm a DT, will I get...") is the asker, not named here.
"""
from __future__ import annotations

import re

# Spoken roles -> the names used in an entry's `recipients` (others are kept as said, for the note).
_ROLES = {
    "social worker": "social worker", "social workers": "social worker", "sw": "social worker", "sws": "social worker",
    "designated teacher": "designated teacher", "designated teachers": "designated teacher",
    "dt": "designated teacher", "dts": "designated teacher",
    "manager": "manager", "managers": "manager", "team manager": "manager", "team managers": "manager",
    "locality manager": "manager", "locality managers": "manager", "line manager": "manager",
    "school": "school", "schools": "school", "head": "headteacher", "heads": "headteacher",
    "headteacher": "headteacher", "headteachers": "headteacher", "head teacher": "headteacher",
    "dsl": "DSL", "dsls": "DSL", "carer": "carers", "carers": "carers", "foster carer": "carers",
    "foster carers": "carers", "parent": "parents", "parents": "parents", "iro": "IRO", "iros": "IRO",
}
_ROLE = ("(?:allocated\\s+|child'?s\\s+|childs\\s+)?(?P<role>"
         + "|".join(sorted((re.escape(r).replace("\\ ", "\\s+") for r in _ROLES), key=len, reverse=True)) + ")")
_OWNER = r"(?:the|my|our|a|their|his|her|your)\s+"
_TOLD = r"(?:get|gets|be|hear|receive|know|find\s+out|see)"
_SHAPES = (
    re.compile(rf"\b(?:will|does|do|would|is|are|can|should|doesn'?t|don'?t|won'?t)\s+(?:{_OWNER})?{_ROLE}\s+"
               rf"(?:also\s+|both\s+|too\s+|ever\s+)?{_TOLD}\b"),
    re.compile(rf"\b(?:{_OWNER})?{_ROLE}\s+(?:gets?|receives?|(?:is|are)\s+(?:told|alerted|notified|pinged|sent|"
               r"reminded|emailed|messaged))\b"),
    re.compile(rf"\b(?:is|are|was|were|will|would)\s+(?:{_OWNER})?{_ROLE}\s+(?:also\s+|both\s+|ever\s+)?(?:sent|told|"
               r"alerted|notified|pinged|reminded|informed|copied|emailed)\b"),
    re.compile(rf"\b(?:alert|alerts|alerted|notify|notified|tell|told|ping|pinged|remind|reminded|sent|send|go|goes)\s+"
               rf"(?:to\s+)?{_OWNER}{_ROLE}\b"),
)


# "do the alerts go to the SW and the DT?": two named as the ones told
_TWO = re.compile(rf"\b(?:go|goes|sent|send|alert|alerts|tell|told|notify|notified)\s+(?:to\s+)?(?:{_OWNER})?"
                  + _ROLE.replace("?P<role>", "?P<first>") + rf"\s+(?:and|or|&)\s+(?:{_OWNER})?"
                  + _ROLE.replace("?P<role>", "?P<second>") + r"\b")


ASKER = "you"  # named as one of the ones told, role unknown: maybe a recipient, maybe not
_ME_AND = re.compile(rf"\b(?:go|goes|sent|send|alert|alerts|tell|told|notify|notified)\s+(?:to\s+)?me\s+(?:and|&)\s+"
                     rf"(?:{_OWNER})?{_ROLE}\b")


def named_recipients(text: str) -> frozenset[str]:
    """The roles the question names as the ones told (normalised: "DT" -> "designated teacher")."""
    low = text.lower()
    named = {_ROLES[" ".join(m.group("role").split())] for shape in _SHAPES for m in shape.finditer(low)}
    for m in _TWO.finditer(low):
        named.update(_ROLES[" ".join(m.group(g).split())] for g in ("first", "second"))
    if not named:  # "do the alerts go to me and the DT both?": the asker (whose role is not said) and someone else
        named.update(_ROLES[" ".join(m.group("role").split())] for m in _ME_AND.finditer(low))
        if named:
            named.add(ASKER)
    return frozenset(named)


def recipients_note(recipients: tuple[str, ...], outside: frozenset[str]) -> str:
    """ "These alerts go to the social worker and the manager, not the designated teacher." """
    to = " and ".join(f"the {r}" for r in recipients)
    not_to = " or ".join(f"the {r}" for r in sorted(outside))
    return f"These alerts go to {to}, not {not_to}."
