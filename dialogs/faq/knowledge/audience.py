"""Who is asking: a parent, a carer, or (by default) a professional — from how they write.

Parents write about "my son", "my daughter", "my child"; the Virtual School does not take parents'
requests about an individual child with a social worker, so the matcher signposts them (the school, the
child's social worker, the Local Offer and SEND IASS). Foster carers are answered like professionals:
the Virtual School advises carers of children in care. A professional marker ("SENCo here", "I'm a
social worker", "my caseload", "our pupil") always wins over a possessive.
"""
from __future__ import annotations

from dialogs.faq.knowledge.folded import Folded

PARENT = "parent"
CARER = "carer"
PROFESSIONAL = "professional"

_CHILD = (r"(?:son|sons|daughter|daughters|stepson|stepdaughter|step\s+son|step\s+daughter|child|children|kid|kids|"
          r"boy|girl|little\s+one|youngest|eldest|oldest|teenager|twins|baby|grandson|granddaughter|grandchild|"
          r"grandchildren|grandkids|nephew|niece)")
# "our" is a family's or a setting's: "our son", "our granddaughter" are a family's, but "our girl", "our kids", "lots of
# our children" are as often a foster home's, a school's or a team's; alone they do not say a parent is asking.
_FAMILY_CHILD = (r"(?:son|sons|daughter|daughters|stepson|stepdaughter|step\s+son|step\s+daughter|child|little\s+one|"
                 r"youngest|eldest|oldest|twins|baby|grandson|granddaughter|grandchild|grandchildren|grandkids|nephew|niece)")
_PARENT_MARKERS = Folded(
    rf"\b(?:my|me)\s+(?:(?:adopted|adoptive|own|eldest|youngest|oldest|middle)\s+)?{_CHILD}\b"  # me: "me grandson"
    rf"|\bour\s+(?:(?:adopted|adoptive|own)\s+{_CHILD}|(?:(?:eldest|youngest|oldest|middle)\s+)?{_FAMILY_CHILD})\b"
    r"|\b(?:i\s*am|i'm|im|i’m|as)\s+(?:a|the|his|her|their)\s+(?:mum|mom|mother|dad|father|parent|step\s*parent|"
    r"stepmum|stepdad|adoptive\s+parent|adopter|special\s+guardian)\b"
    r"|\b(?:i\s*am|i'm|im|i’m)\s+(?:mum|mom|mam|mother|dad|father)\s+(?:to|of)\b"  # "I'm mum to a boy on a CiN plan"
    r"|\b(?:we|i)\s+(?:have\s+)?adopted\b|\bme\s+and\s+my\s+(?:husband|wife|partner)\b"
    r"|\bmy\s+(?:husband|wife|partner)\s+and\s+i\b"
    # kinship carers (relatives bringing up a child with a social worker) ask as parents do
    # ("Im kinship carer for...", typed without the article)
    r"|\b(?:(?:i\s*am|i'm|im|i’m|as)\s+(?:a|the|his|her|their)|(?:i\s*am|i'm|im|i’m))\s+(?:kinship\s+carer|grandparent|grandmother|"
    r"grandfather|nan|gran|grandma|grandad|aunt|auntie|uncle)\b"
    # special guardians and relatives saying what they hold or do: "I have an SGO for both grandkids"
    r"|\b(?:i|we)\s+(?:have|hold|got|have\s+got)\s+(?:an?\s+)?(?:sgo|special\s+guardianship|child\s+arrangements?\s+order|"
    r"cao|residence\s+order)\b|\b(?:i|we)\s*(?:am|'m|m|’m|are|'re)?\s*(?:looking\s+after|bringing\s+up|raising)\s+my\b"
    # "mum here, can the vs advise me?": who is writing, said as a professional says "SENCo here"
    r"|\b(?:mum|mom|mam|mother|dad|father|parent|step\s*(?:mum|dad|parent)|adoptive\s+(?:mum|dad|parent)|adopter|"
    r"special\s+guardian|kinship\s+carer|grandparent|nan|gran|grandma|grandad)\s+here\b",
)
_CARER_MARKERS = Folded(
    r"\b(?:i\s*am|i'm|im|i’m|as)\s+(?:a|the|his|her|their)\s+(?:foster\s+(?:carer|parent|mum|dad)|carer)\b"
    r"|\bmy\s+foster\s+(?:son|daughter|child|children|kid|kids|placement)\b|\b(?:we|i)\s+foster\b"
    r"|\bthe\s+(?:child|children|young\s+person|kids?)\s+(?:i|we)\s+(?:look\s+after|care\s+for|foster)\b"
    # a foster carer's own social worker: "me and our supervising social worker"
    r"|\b(?:our|my)\s+(?:supervising|fostering)\s+(?:social\s+worker|sw)\b|\b(?:our|my)\s+link\s+worker\b",
)
_ROLES = (r"(?:social\s+worker|sw|dsl|deputy\s+dsl|dt|designated\s+(?:teacher|safeguarding\s+lead)|senco|teacher|"
          r"head(?:teacher)?|head\s+of\s+year|iro|ep|ed\s+psych|educational\s+psychologist|send\s+(?:caseworker|officer)|"
          r"caseworker|practitioner|school\s+nurse|family\s+support\s+worker|key\s+worker|inclusion\s+lead|"
          r"pastoral\s+lead|learning\s+mentor|ta|nurture\s+lead|early\s+help\s+worker)")
_PROFESSIONAL_MARKERS = Folded(
    rf"\b{_ROLES}\s+here\b|\b(?:i\s*am|i'm|im|i’m|as)\s+(?:a|an|the|their|his|her)\s+(?:allocated\s+)?{_ROLES}\b"
    r"|\bmy\s+(?:caseload|case\s*load|class|tutor\s+group|pupils?|students?|yp|yps|cla|lac|cic|cin|cp)\b"
    r"|\bour\s+(?:school|pupils?|students?|setting|cohort|mat|trust|academy|college|nursery|dsl|dt|senco|head)\b"
    r"|\bon\s+my\s+case\b|\bmy\s+(?:school|setting)\b",
)


def detect_asker(text: str) -> str:
    """PARENT, CARER or PROFESSIONAL (the default when nothing says otherwise)."""
    if not text or _PROFESSIONAL_MARKERS.search(text):
        return PROFESSIONAL
    if _CARER_MARKERS.search(text):
        return CARER
    if _PARENT_MARKERS.search(text):
        return PARENT
    return PROFESSIONAL


# A request to the Virtual School to act ("can you help him", "will someone come", "can the VS give me advice", "can I
# ring you about him"),
# as opposed to a question about what it does ("is he covered?", "is that something they take on?").
_REQUEST = Folded(
    r"\b(?:can|could|would|will|cud|wud)\s+(?:you|u|ya|someone|somebody|anyone|any\s*one|one\s+of\s+you|"
    r"(?:the\s+)?(?:virtual\s+school|vs|vsh)(?:\s+(?:people|team|staff|worker|officer))?|(?:a|the)\s+virtual\s+"
    r"school\s+(?:worker|officer|person))\b"
    r"|\b(?:can|could|may|cud)\s+(?:i|we)\s+(?:\w+\s+)?(?:refer|book|ask|get|have|apply|come|join|request|go|"
    r"phone|ring|call|email|e-mail|contact|speak|talk|message|text|make\s+(?:a|the)\s+referral)\b"
    r"|\b(?:please|pls|plz)\s+(?:help|can|could|advise|support)\b|\bhelp\s+(?:me|us)\b|\bi\s+need\s+(?:help|advice|support)\b"
    r"|\b(?:i|we)\s+(?:want|would\s+like|need)\s+(?:you|the\s+(?:virtual\s+school|vs))\s+to\b"
    # written without the inversion (English as an additional language): "Virtual school can help him?"
    r"|\b(?:virtual\s+school|vs|you|u)\s+(?:can|could|will|would)\s+(?:help|support|advise|come|see|talk|meet|do|visit)\b",
)
# "his social worker said she'd refer him", "school have referred her": a professional is making the request,
# so a parent's question about it is a question about what the Virtual School takes on, not a parent's request.
_PROFESSIONAL_REFERRAL = Folded(
    r"\b(?:social\s+worker|sw|school|teacher|dt|dsl|senco|head(?:teacher)?|gp|camhs|iro|ep|keyworker|key\s+worker)"
    r"\W+(?:\w+\W+){0,4}?(?:refer|refers|referred|referring|(?:make|made|making|send|sent)\s+(?:a|the)\s+referral)\b",
)


# "can I refer him to them myself?", "could we contact the VS directly?": the parent or relative asking to go to the
# Virtual School themselves (which it does not take from families of children with a social worker).
_OWN_APPROACH = Folded(
    r"\b(?:can|could|may|cud|am|are)\s+(?:i|we)\s+(?:\w+\s+)?(?:refer|make\s+(?:a|the)\s+referral|request|apply|contact|"
    r"phone|ring|call|email|"
    r"e-mail|message|get\s+in\s+touch)\b"
    # "can I go to the virtual school myself and ask them...?"
    r"|\b(?:can|could|may|cud)\s+(?:i|we)\s+(?:\w+\s+)?(?:go\s+to|ask)\s+(?:the\s+)?(?:virtual\s+school|vs|you|them)\b")


def approaches_the_vs_themselves(ask: str) -> bool:
    """Whether the ask is the asker going to the Virtual School themselves (refer, contact, ring...)."""
    return bool(_OWN_APPROACH.search(ask or ""))


def is_request(text: str) -> bool:
    """Whether the question asks the Virtual School to act, rather than asking what it does."""
    return bool(_REQUEST.search(text or ""))


def professional_referral(text: str) -> bool:
    """Whether the question says a professional is referring the child (the route the Virtual School takes)."""
    return bool(_PROFESSIONAL_REFERRAL.search(text or ""))
