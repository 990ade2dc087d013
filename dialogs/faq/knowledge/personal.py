"""Spot questions about one particular child ("What is Jake's attendance?", "PEP for Zebedee Quintrell").

The FAQ answers general questions only; a question about a named child's case must never get a
general yes/no, and must not be looked up or kept either (children's data is special: the bot does not
store the text of a question classed as personal). The rules are deliberately simple and explainable:
  * identifiers on their own: a referral reference, a long number (local id, UPN, NHS number), a date
    of birth or any full date (01/02/2015, 2014-07-19, 19 July 2014, July 19th 2014), "born ..." with a
    date or year, a full UK postcode (HA3 5RT; a district alone such as "HA3" is not personal);
  * a name about a case: an unknown capitalised word (one the knowledge base does not know) used as the
    subject or owner of something about a case ("is Kayden on", "Amira's PEP"), a name after "for" /
    "about" / "on" ("PEP meetings for Zebedee Quintrell"), two unknown capitalised words in a row (a full
    name), or a common first name typed in lower case ("kayla smith", "tyler's attendance").
Ordinary questions that say "for children in care" or "for Harrow schools" are not personal: the word
after "for" must be a name, not a word the knowledge base uses or a place followed by a common noun.
"""
from __future__ import annotations

import re
from typing import AbstractSet

from dialogs.faq.knowledge.english import is_english
from dialogs.faq.knowledge.folded import Folded, lowered, may_match

_REFERENCE = re.compile(r"\bvs-?\d{4}-?\d{3,}\b", re.IGNORECASE)  # referral reference, e.g. VS-2026-00042
_LONG_NUMBER = re.compile(r"\b\d{5,}\b")  # a child's local id, NHS or UPN-like number
_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
           r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE = Folded(
    r"\b(?:dob|d\.o\.b|date of birth|born on)\b"                      # said outright
    r"|\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b"                   # 01/02/2015, 1.2.15, 01-02-2015
    r"|\b(?:19|20)\d{2}[/.-]\d{1,2}[/.-]\d{1,2}\b"                    # ISO 2014-07-19
    rf"|\b{_DAY}\s+(?:of\s+)?{_MONTHS}\.?,?\s+(?:19|20)\d{{2}}\b"      # 19 July 2014, 3rd of March 2015
    rf"|\b{_MONTHS}\.?\s+{_DAY},?\s+(?:19|20)\d{{2}}\b",               # July 19th, 2014
)
# "born 2014", "born in March 2015", "born on the 3rd", "born 19/7/14": a birth date, even partial.
_BORN = re.compile(rf"\bborn\s+(?:on\s+|in\s+)?(?:the\s+)?(?:\d|{_MONTHS}\b)", re.IGNORECASE)
# A full UK postcode (outward + inward code). The inward code's letters never include C I K M O V, and
# an ordinal ("Y10 2nd") is not an inward code.
_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?(?!\d(?:st|nd|rd|th)\b)\d[ABD-HJLNP-UW-Z]{2}\b",
                       re.IGNORECASE)

_RELATIVE = (r"(?:grand|step|foster\s+)?(?:son|daughter|child|cld|chld|kid|boy|girl|nephew|niece|brother|sister"
             r"|grandchild|pupil|student|young\s+person)")
# "my daughter's attendance", "our son's latest PEP": the possessive owns one child's record (the record word
# follows it), so the question asks for that record, not for a policy. "my son's CIN plan ended..." is context,
# and "be my foster son's social worker" asks about a role: neither is a record.
_MY_RECORD = re.compile(
    rf"\b(?:my|our)\s+{_RELATIVE}(?:'s|s'|’s)\s+(?:(?:latest|last|next|current|new|old|school|attendance)\s+)?"
    r"(?:attendance|pep|peps|referral|record|records|file|grades|results|status|report|progress|update)\b",
    re.IGNORECASE,
)
# "my daughter Amira is in foster care", "our foster son Kacper": a child named after who they are to the asker
_MY_NAMED_CHILD = re.compile(r"\b(?i:my|our)\s+(?i:(?:adopted|foster)\s+)?(?i:(?:grand|step)?(?:son|daughter|child|boy|girl"
                             r"|grandchild|nephew|niece))\s+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?![\w'’])")
# "will I get an alert if my child's attendance drops?", "what happens when our son's PEP is late?": the record is a
# condition in a question about what happens, not one child's record asked for
_IF_BEFORE = re.compile(r"\b(?:if|when|whenever|once|should|unless|in\s+case)\s+$", re.IGNORECASE)
# "does the VS monitor our young person's attendance?": whether the Virtual School watches such a record at all, asked
# by someone caring for one child (a key worker's "our young person"), not a request for the record
_WATCHED_BEFORE = re.compile(r"\b(?:monitor|monitors|monitoring|track|tracks|tracking|oversee|oversees|keep(?:s|ing)?\s+(?:an\s+eye\s+"
                             r"on|track\s+of|tabs\s+on))\s+$", re.IGNORECASE)
# "what did the PEP say", "how did Noah's PEP go", "what was agreed at the meeting on Tuesday": what happened
# at one child's meeting or in one child's case. The FAQ answers what the Virtual School does, never what
# happened; such a question is about a case however it names the child.
_PAST_EVENT = re.compile(
    r"\b(?:what|how|why|when)\b(?:\s+\S+){0,2}?\s+(?:did|was|were)\b[^?.!]{0,60}?"
    r"\b(?:say|said|agree|agreed|decide|decided|go|went|happen|happened|discuss|discussed|recommend|recommended|"
    r"conclude|concluded|write|wrote|record|recorded|put\s+in)\b",
    re.IGNORECASE,
)
# "my grandson's social worker hasn't called back, what's happening?": news of one child's case.
_NEWS_OF_A_CASE = re.compile(r"\bwhat(?:'|’)?s\s+(?:happening|going\s+on|the\s+latest|the\s+news)\b|\bwhat\s+is\s+"
                             r"(?:happening|going\s+on)\b|\bany\s+(?:news|update|updates)\b", re.IGNORECASE)
# "can you tell me where he is", "which school is my grandson at": where one child is now (never "where he lives",
# which is how a policy question says which locality).
_WHEREABOUTS = re.compile(
    rf"\bwhere\s+(?:(?:he|she)(?:\s+is|'s|’s)(?:\s+(?:now|currently|at\s+the\s+moment))?\s*(?:[?.!,]|$)|"
    rf"is\s+(?:my|our)\s+{_RELATIVE}\b)"
    rf"|\bwhich\s+school\s+(?:(?:he|she)(?:\s+is|'s|’s)|is\s+(?:he|she|(?:my|our)\s+{_RELATIVE}))\s+(?:at|in|now)\b",
    re.IGNORECASE,
)
# "still at 78% or has it gone up?", "is her attendance still below 90": asking for a child's figure as it is now.
_FIGURE_NOW = re.compile(r"\bstill\s+(?:at|on)\s+\d+|\b(?:has|have)\s+(?:it|that|they)\s+"
                         r"(?:\w+\s+)?(?:gone|come|went)\s+(?:up|down)\b", re.IGNORECASE)
# "has he got a new school yet?", "is she back in yet?": how one child's case stands now; "the one whose mum...":
# a child picked out by their own story. Both ask about a case, never a policy.
_STATUS_YET = Folded(r"\b(?:has|have|is|did|does|was)\s+(?:he|she)\b[^?.!]{0,50}?\byet\b"
                         r"|\b(?:has|have|is|did)\s+(?:he|she)\s+(?:still\s+)?(?:not|n[o']t)\b[^?.!]{0,40}?\byet\b"
                         r"|\bthe\s+one\s+(?:whose|who(?:'s|’s)?)\b")
# "is my son's referral accepted yet?", "has my daughters PEP happened yet": how the asker's own child's case stands now
# (with or without the apostrophe)
_MY_CHILD_YET = Folded(rf"\b(?:has|have|is|are|did|was)\s+(?:my|our)\s+{_RELATIVE}(?:'s|s'|’s|s)?\b"
                       r"[^?.!]{0,50}?\byet\b")
# "has anyone from the VS rung the school about her yet?": whether something has been done for one child by now
_DONE_FOR_ONE_YET = re.compile(r"\b(?:has|have|did)\s+(?:any\s?one|any\s?body|some\s?one|some\s?body|the\s+vs|the\s+"
                               r"virtual\s+school|you|they)\b[^?.!]{0,60}?\b(?:him|her)\b[^?.!]{0,25}?\byet\b",
                               re.IGNORECASE)
_MY_POSSESSIVE = re.compile(rf"\b(?:my|our)\s+{_RELATIVE}(?:'s|s'|’s)(?=\s)", re.IGNORECASE)
_EVENT_WORDS = re.compile(r"\b(?:pep|peps|meeting|review|conference|referral|exclusion|panel|report|visit|call)\b",
                          re.IGNORECASE)

# Words that show the question is about a case rather than a policy.
_CASE_WORDS = Folded(
    r"\b(?:attendance|attend(?:s|ed|ing)?|pep|peps|referral|referred|case|excluded|exclusion|suspended|"
    r"suspension|progress|plan|report|status|school|placement|grades|results|doing|getting|happening|"
    r"going|update|latest|news|social\s+worker|file|record|records|address|dob|birthday|behaviour|"
    r"behavior|absent|missing|today|yesterday|this\s+week|this\s+term|meeting|meetings|booked|review|"
    r"ehcp|pp\+|pupil\s+premium|excluding|exclude|timetable|worker|moved|move|born|officer|allocated|"
    r"year|yr|spent|left|request|requests|requested|application|applied|approve|approved|accepted|allocate|"
    # "did the VS approve the PP+ request for Rhys": "pp+" ends in no word boundary, so it is matched on its own
    r"assigned)\b|\bpp\+",
)
_MY_ONE_CHILD = re.compile(rf"(?:my|our)\s+{_RELATIVE}\b(?!s\b)", re.IGNORECASE)
# "<something> on/with/about <who>": the <who> is checked below.
_NEWS_ABOUT = re.compile(
    r"\b(?:update|updates|news|latest|progress|info|information|happening|going\s+on)\s+"
    r"(?:on|with|about|for|re)\s+([A-Za-z][\w'-]*)",
    re.IGNORECASE,
)
_NAME = r"([A-Z][a-z]+(?:-[A-Z][a-z]+)?)"
# A capitalised unknown word as the subject of a verb: "is Kayden on", "did Olivia attend", "how is Leo".
_SUBJECT_NAME = re.compile(  # (tried only at a letter that starts one of its words: the same matches, faster)
    rf"(?=(?i:[cdhisw]))(?:\b(?i:is|was|did|does|has|have|will|can|should|could|isn't|hasn't|why's|how's)\s+{_NAME}\b)"
)
_POSSESSIVE_NAME = re.compile(r"\b([A-Za-z][a-z]+(?:-[A-Za-z][a-z]+)?)(?:'s|’s)\b")
# "for/about/re Zebedee (Quintrell)": a capitalised name after a preposition, then what follows it.
# Also a name that a case is done to: "I referred Amara to the inclusion team", "which officer is allocated to Mohammed".
_AFTER_PREPOSITION = re.compile(rf"(?=(?i:[aefrw]))(?:\b(?i:for|about|re|regarding|with|referred|(?:allocated|allocate|"
                                rf"assigned)\s+to|excluded)\s+{_NAME}(?![\w'’])(?:\s+(\S+))?)")
# Two capitalised words in a row: a full name when neither is a word the knowledge base knows.
_FULL_NAME = re.compile(rf"\b{_NAME}\s+{_NAME}(?![\w'’])")
# "the referral for the Hussain siblings": a family named by its surname
_FAMILY_NAME = re.compile(rf"\b(?i:the)\s+{_NAME}\s+(?i:siblings|twins|brothers|sisters|family)\b")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")

# Common words that are not names even though the knowledge base may not use them.
_COMMON = frozenset("""
it what that there here who he she where how when why let today tomorrow yesterday everyone someone
somebody anyone anybody nobody one council authority government department dfe week term year month
mum dad mother father parent carer son daughter child kid pupil student boy girl baby teacher head
school college academy nursery team staff office manager officer worker family brother sister
monday tuesday wednesday thursday friday saturday sunday mon tues wed weds thurs fri sat sun
january february march april may june july august september october november december
christmas easter xmas ofsted teams microsoft english maths science
""".split())

# Common first names of children in England, for names typed in lower case ("whats jayden's pep").
# Names that are also everyday words (will, grace, hope, rose, max, summer...) are left out on purpose.
FIRST_NAMES = frozenset("""
aaliyah aaron abdul abdullah abigail adam aden aidan aiden aisha alex alexander alfie alice amaya
amelia amelie amir amira amy ana anaya andre andrew anna archie aria arlo arthur aryan ashley austin ava
ayaan ayesha bella ben benjamin bethany billy bobby brandon brooke caleb callum cameron charlie charlotte
chloe cody connor corey courtney daniel danny darcey darcy david demi dexter dylan eden edward eleanor
elijah eliza ella ellie eloise elsie emily emma erin ethan eva evelyn evie ezra fatima finley finn
florence freddie freya gabriel george georgia grayson hannah harley harper harrison harry harvey hassan
hayden henry hugo ibrahim imogen isaac isabel isabella isabelle isla ismail isobel jack jacob
jake james jamie jasmine jason jay jayden jaxon jenson jessica jodie joe joel john jordan joseph joshua
josh jude kai kaitlyn kayden kayla kaylee keeley kian kieran kyle lacey layla leah leo leon lewis liam
lily lola louie louis lucas lucy luke luna mason matilda matthew maya megan mia michael millie mohammed
mohammad muhammad molly nathan noah olivia ollie oliver omar oscar owen paige phoebe reece reggie
rhys riley robert ronnie rory ruby ryan sam samuel sara sarah scarlett sebastian sienna skye sofia sophia
sophie stanley tegan theo theodore thomas tia tilly toby tommy tyler victoria william yusuf zac
zach zachary zain zara zoe zak amirah aleena maisie maisy rosie lexi lacey-mae kacey ellis stevie
""".split())
_LOWER_WORDS = re.compile(r"[a-z]+(?:['’]s)?")
# A first name followed by an initial, the way professionals write a child's name ("Jayden O, Y7").
_NAME_AND_INITIAL = re.compile(r"\b([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s+[A-Z]\.?(?=[\s,;:)]|$)")
# The same typed in lower case, with the year group that makes it a pupil ("is kacper w (y10) still open to you"):
# a single letter after a word is not otherwise how anyone writes.
_NAME_INITIAL_YEAR = re.compile(r"\b([a-z]+(?:-[a-z]+)?)\s+[a-z]\.?\s*[(,]?\s*(?:y|yr|year)\s*\d{1,2}\b")
# "his name is Reuben", "she's called amira": one child, named
_NAMED_AS = re.compile(r"\b(?:his|her|their)\s+name(?:'s|’s|\s+is)\s+[a-z]|\b(?:he|she)(?:'s|’s|\s+is)\s+called\s+[a-z]")
# A name a case is done to, in lower case ("i referred amara", "who is allocated to mohammed"): after "referred" a word that is
# no English word and not the knowledge base's is a name; after "allocated to" only a first name we know is (places are
# allocated to as well).
_REFERRED_LOWER = re.compile(r"\breferred\s+([a-z]+(?:-[a-z]+)?)\b")
_ALLOCATED_TO_LOWER = re.compile(r"\b(?:allocated|allocate|assigned)\s+to\s+([a-z]+)\b")
# "leila in year 5 got suspended": a word that is no English word, then the year group that makes it a pupil
_NAME_IN_YEAR_LOWER = re.compile(r"\b([a-z]+)\s+(?:in|from)\s+(?:year|yr|y)\s*\d{1,2}\b")
# "can you tell me if zainab is on a CP plan": a word that is no English word, as the subject of "is ... on"
_IS_NAME_ON_LOWER = re.compile(r"\b(?:is|was|has|does|did|if)\s+([a-z]+)\s+(?:is\s+)?(?:on|in|at|still|got|been|had|"
                               r"attending|open)\b")


def looks_personal(text: str, known_words: AbstractSet[str]) -> bool:
    """True if the question is about one specific child's details or case."""
    if not text:
        return False
    # A regex pass over a long message costs far more than a substring test: each pattern below is tried only when
    # a piece of text it cannot match without is there (may_match; the same answers, checked by a property test).
    low = lowered(text)
    digits = any(map(str.isdigit, text))
    if may_match(low, digits) and (_REFERENCE.search(text) or _LONG_NUMBER.search(text) or _POSTCODE.search(text)):
        return True
    if may_match(low, "dob", "d.o.b", "birth", "born", digits) and _DATE.search(text):
        return True
    if may_match(low, "born") and _BORN.search(text):
        return True
    if any(m.group(1).lower().split("-")[0] in FIRST_NAMES for m in _NAME_AND_INITIAL.finditer(text)):
        return True  # "New CLA pupil (Jayden O, Y7)": a child named by first name and initial
    if digits and any(_a_first_name(m.group(1), known_words)
                      for m in _NAME_INITIAL_YEAR.finditer(low if low is not None else text.lower())):
        return True  # "kacper w (y10)": the same in lower case, with a year group
    lower = low if low is not None else text.lower()
    if may_match(low, "referred") and any(_a_first_name(m.group(1), known_words) for m in _REFERRED_LOWER.finditer(lower)):
        return True
    if may_match(low, "name", "called") and _NAMED_AS.search(lower):
        return True  # "his name is Reuben", "she's called amira": one child, named
    if digits and any(_a_first_name(m.group(1), known_words) for m in _NAME_IN_YEAR_LOWER.finditer(lower)):
        return True
    if any(_a_first_name(m.group(1), known_words) for m in _IS_NAME_ON_LOWER.finditer(lower)) and _CASE_WORDS.search(
            lower):
        return True  # "if zainab is on a CP plan": one child's plan
    if may_match(low, "allocate", "assigned") and any(m.group(1) in FIRST_NAMES
                                                     for m in _ALLOCATED_TO_LOWER.finditer(lower)):
        return True
    my_or_our = may_match(low, "my", "our")
    if my_or_our and any(not _IF_BEFORE.search(text, 0, m.start()) and not _WATCHED_BEFORE.search(text, 0, m.start())
                         for m in _MY_RECORD.finditer(text)):
        return True  # "my daughter's attendance", "my son's PEP": one child's record
    if (my_or_our and may_match(low, "what", "any") and _NEWS_OF_A_CASE.search(text)
            and (_MY_POSSESSIVE.search(text) or _MY_ONE_CHILD.search(text))):
        return True  # "my son's social worker hasn't called, what's happening?"
    if may_match(low, "did", "was", "were") and _PAST_EVENT.search(text) and _EVENT_WORDS.search(text):
        return True  # "what did the PEP say last week?": what happened in one child's case
    if ((may_match(low, "where", "which") and _WHEREABOUTS.search(text))
            or (may_match(low, "still", "has", "have") and _FIGURE_NOW.search(text))
            or (may_match(low, "yet", "one") and _STATUS_YET.search(text))
            or (may_match(low, "yet") and (_DONE_FOR_ONE_YET.search(text) or _MY_CHILD_YET.search(text)))):
        return True  # where one child is, or one child's figure today: a lookup in a case, not a policy
    if not _CASE_WORDS.search(text):
        return False

    def is_name(word: str) -> bool:
        word = word.lower().strip("'-")
        parts = [p for p in re.split(r"[-']", word) if p]
        return bool(parts) and all(p not in known_words and p not in _COMMON and p.isalpha() for p in parts)

    news = may_match(low, "update", "news", "latest", "progress", "info", "happening", "going")
    for match in (_NEWS_ABOUT.finditer(text) if news else ()):
        who = match.group(1)
        if who.lower() in {"my", "our"}:
            if _MY_ONE_CHILD.match(text, match.start(1)):
                return True  # "update on my son", not "progress for our children in care"
        elif is_name(who):
            return True
    for pattern in ((_POSSESSIVE_NAME, _SUBJECT_NAME) if may_match(low, "'s", "’s") else (_SUBJECT_NAME,)):
        if any(is_name(m.group(1)) for m in pattern.finditer(text)):
            return True
    for match in _AFTER_PREPOSITION.finditer(text):
        name, following = match.group(1), (match.group(2) or "")
        following_word = following.strip("?.!,;:").lower()
        # "for Harrow children": a place or programme before a common noun the knowledge base knows.
        if name.lower() in FIRST_NAMES:
            return True  # "about Ellie last week": a child's first name, whatever follows
        if is_name(name) and not (following_word and following_word in known_words
                                  and following_word not in _FOLLOWERS_OF_A_NAME):
            return True
    if any(is_name(m.group(1)) and is_name(m.group(2)) for m in _FULL_NAME.finditer(text)):
        return True
    if may_match(low, "sibling", "twins", "brothers", "sisters", "family") and any(
            is_name(m.group(1)) for m in _FAMILY_NAME.finditer(text)):
        return True
    if my_or_our and any(is_name(m.group(1)) for m in _MY_NAMED_CHILD.finditer(text)):
        return True  # "my daughter Amira is in foster care, how is she getting on?"
    return _lower_case_name(text, known_words)


def _a_first_name(word: str, known_words: AbstractSet[str]) -> bool:
    """A first name we know, or a word that is no English word and not the knowledge base's ("kacper")."""
    first = word.split("-")[0]
    return first in FIRST_NAMES or (word not in known_words and word not in _COMMON and not is_english(first))


# Words that may follow a child's name without making it a place or programme ("for Jayden in year 6").
_FOLLOWERS_OF_A_NAME = frozenset({"in", "on", "at", "is", "has", "was", "who", "please", "pls", "and", "yr", "year", "to",
                                  "y", "born", "dob", "aged", "age", "last", "this", "next", "yesterday", "today",
                                  "tomorrow", "now", "again", "still"})


def _lower_case_name(text: str, known_words: AbstractSet[str]) -> bool:
    """A common first name typed in lower case, owning something or followed by a surname or year group."""
    words = _LOWER_WORDS.findall(text.lower())
    if FIRST_NAMES.isdisjoint(words) and FIRST_NAMES.isdisjoint(_names_in(words)):
        return False  # most questions name no one: settled by set look-ups instead of a step a word
    for index, word in enumerate(words):
        possessive = word.endswith(("'s", "’s"))
        base = word[:-2] if possessive else word
        if base not in FIRST_NAMES:
            if base.endswith("s") and base[:-1] in FIRST_NAMES and base not in known_words:
                possessive, base = True, base[:-1]  # "amiras school": a possessive typed without the apostrophe
            else:
                continue
        following = words[index + 1] if index + 1 < len(words) else ""
        if possessive:
            return True  # "jayden's pep"
        if following and following.isalpha() and len(following) > 2 and following not in known_words \
                and following not in _COMMON:
            return True  # "kayla smith"
        if following in {"yr", "year", "y", "in", "has", "is", "was", "hasnt", "isnt", "still", "got"}:
            return True  # "kayla yr 8", "is tyler still"
        if following in _DOING_WORDS or (index > 0 and words[index - 1] in _ASKING_AFTER):
            return True  # "how's freddie doing", "has ryan been excluded again", "any news about ellie"
    return False


def _names_in(words: list[str]) -> set[str]:
    """What the loop in _lower_case_name may read as a name besides a word itself: a word without its "'s", or
    without an "s" typed for it ("amiras")."""
    bases = {w[:-2] for w in words if w.endswith(("'s", "’s"))}
    return bases | {w[:-1] for w in (*words, *bases) if w.endswith("s")}


# Around a first name typed in lower case, words that make the question about how that child is doing (measured:
# the tuning sets' personal questions typed in lower case were answered without them).
_DOING_WORDS = frozenset({"been", "doing", "getting", "going", "had", "being", "not", "started", "moved", "attending",
                          "attended", "settled", "settling", "coping",
                          # "ellie keeps being sent home", "jayden refused to go in": what one child keeps doing
                          "keeps", "kept", "refuses", "refused", "wont", "cant", "doesnt", "didnt", "missed", "gets"})
_ASKING_AFTER = frozenset({"has", "hasn", "hasnt", "is", "isn", "was", "wasn", "did", "didn", "didnt", "does", "doesn",
                           "doesnt", "how's", "hows", "where's", "wheres", "what's", "whats", "about", "re", "for",
                           "with"})
