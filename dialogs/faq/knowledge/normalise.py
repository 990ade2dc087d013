"""Turn a question into comparable tokens: the explainable half of the matcher.

Pipeline (the same for knowledge-base phrasings and for users' questions):
  1. surface tokens: lowercase, apostrophes and symbols (PP+, 1:1, &) handled, words and numbers split
  2. spelling: American -> British (behavior -> behaviour, organize -> organise, program -> programme)
  3. typo repair (questions only): a word the knowledge base has never seen is replaced by the closest
     word it knows, if it is within one or two edits (rapidfuzz, Damerau-Levenshtein)
  4. phrases and abbreviations -> one concept token ("looked after children", "CLA", "LAC" -> cic);
     question scaffolding ("does the virtual school", "VS") is dropped
  5. ages ("19 year olds" -> over18), stopwords dropped, synonyms and word forms folded (light stemming)
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from rapidfuzz import process

from dialogs.faq.knowledge import english
from dialogs.faq.knowledge.common_words import COMMON_WORDS, OTHER_SUBJECTS, PLACE_NAMES
from dialogs.faq.knowledge.personal import FIRST_NAMES
from rapidfuzz.distance import DamerauLevenshtein

# --- 1. surface tokens ---------------------------------------------------------------------------

# Each with the pieces of text it cannot match without, checked first: a substring test is far cheaper than a regex
# pass over a long message, and most messages have none of these.
def _starting(first: str, pattern: str) -> re.Pattern[str]:
    """`pattern` tried only where a match can start: `first` is a class of every alternative's first character. The
    same matches (tests/test_faq_speed.py checks them against the plain pattern), found about a third faster on a
    long message, where most positions cannot start one."""
    return re.compile(f"(?={first})(?:{pattern})")


_SYMBOLS = [
    (("pp", "+"), re.compile(r"\bp\s*p\s*g?\s*\+|\bpp\s*plus\b|\bppp\b|\bpp\b|\bppg\b"), " ppplus "),  # "PPG+": the grant
    (("1",), re.compile(r"\b1\s*(?::|-|to|-?\s*2\s*-?)\s*1\b"), " onetoone "),
    (("&",), re.compile(r"&"), " and "),
    (("+",), re.compile(r"(?:^|(?<=\s))\+(?=\s|$)"), " and "),  # "chair the PEP + do the statutory bits": + joins
    (("+",), re.compile(r"\+"), " plus "),
    (("%",), re.compile(r"%"), " percent "),
    (("per",), re.compile(r"\bpercentage\b|\bper cent\b"), " percent "),
    (("’", "‘", "`", "´"), re.compile(r"[’‘`´]"), "'"),
    (("b4",), re.compile(r"\bb4\b"), " before "),  # texting: "b4 the pep"
]
# "take (my foster child) to school", "drive him into school": taking a child to school, whoever is named.
_TO_SCHOOL = _starting('[tbdfwec]', r"\b(?:take|takes|taking|took|bring|brings|bringing|drive|drives|driving|ferry|walk|escort|"
                                    r"collect|collecting)\s+((?:[a-z']+\s+){0,4}?)(?:to|into|in\s+to)\s+(?:(?:her|his|their|the)\s+)?"
                                    r"(?:first\s+day\s+(?:at|of)\s+)?(?:(?:the|her|his|their|a)\s+)?(?:new\s+)?"
                                    r"(?:school|college|nursery)\b")
# "monitor the interventions the school is running": what the school is doing, said of the thing asked about, is not
# the action asked of the Virtual School ("run" reads as delivering).
_SCHOOL_DOING = _starting('s', r"\b(schools?)\s+(?:is|are|'s|has\s+been|have\s+been|was|were)\s+(?:running|delivering|doing|"
                                r"providing|offering|putting\s+in)\b")
# "do 1:1 work with my foster son", "work directly with the pupil": direct work with one child, unlike working with
# other professionals or carers, or "working with CP children" (being involved with a group).
_WORK_WITH_CHILD = _starting('w', r"\bwork(?:s|ed|ing)?\s+(?:directly\s+|individually\s+|1\s*(?::|-|to)\s*1\s+)?with\s+"
                                  r"(?:(?:my|our|the|a|his|her|their|this|that|your)\s+)?(?:foster\s+|looked\s+after\s+)?"
                                  r"(?:(?:little|wee|young|youngest|eldest|oldest)\s+)?"
                                  r"(child|kid|son|daughter|pupil|student|boy|girl|young\s+person|yp|lad|lass|bairn|one|him|her)\b")
# "talk to the child", "speak with the young person": hearing the child (whom the Virtual School listens to, to advocate
# for them), unlike "talk to the child's social worker" or "speak to someone" (getting in touch).
_TALK_TO_CHILD = _starting('[tsc]', r"\b(?:talk|talks|talking|speak|speaks|speaking|chat|chats|chatting)\s+(?:to|with)\s+"
                                    r"(?:(?:the|a|my|our|this|that|his|her|their|your)\s+)?(?:foster\s+)?"
                                    r"(child|children|kid|kids|pupil|pupils|student|students|young\s+person|young\s+people|yp|"
                                    r"cyp)\b(?!\s*['’]|\s+(?:school|schools|teacher|social|sw|carer|carers|foster|parent|parents|"
                                    r"mum|dad|family|dt|dsl|senco|worker|iro|college|nursery|head|gp|camhs)\b)")
# "home visits the way an EWO would", "like a social worker does": doing another professional's job.
_LIKE_A_ROLE = _starting('[tla]', r"\b(?:the\s+way|like|as)\s+(?:a|an|the|our|my|their)\s+((?:education\s+welfare\s+officer|ewo|"
                                  r"social\s+worker|sw|designated\s+teacher|dt|senco|teacher|tutor|ep|educational\s+psychologist|"
                                  r"therapist|counsellor|iro|dsl|attendance\s+officer|police|youth\s+worker|key\s*worker))s?\s+"
                                  r"(?:would|does|do|did|might|could|will)\b")
# Contractions typed without the apostrophe keep their "not" ("hasnt been in school" -> "has not been in school").
# "writing the EHCP", "writing up the report": the verb, not writing as a subject ("reading and writing").
_WRITING_SOMETHING = re.compile(r"\bwriting\s+(?=(?:the|a|an|up|his|her|their|our|my|your|this|that|it|them|"
                                r"reports?|plans?|and\s+\w+ing)\b)")
_BARE_CONTRACTIONS = _starting('[hiawdcsmn]', r"\b(has|have|had|is|are|was|were|does|do|did|could|would|should|must|need)nt\b"
                                              r"|\b(do|wo|ca)nt\b")
_BARE_NOT = {"do": "do", "wo": "will", "ca": "can"}
# "is that something they take on?", "will you take him on": taking on a case (getting involved), unlike
# "take on the role of the DT" (doing another professional's job).
_TAKE_ON_A_CASE = _starting('t', r"\b(?:take|takes|taking|took)\s+on\b(?=\s*(?:$|[?.!,;)]|(?:him|her|them|this|that|it|"
                                 r"cases?|referrals?|kids?|children|young\s+people|families)\b))")
# "his school trip to France", "a club in Wembley": a capitalised word after "to / in / at / from / near" is a
# place; when the knowledge base doesn't know it, it says nothing about the topic. (A capitalised word elsewhere
# may be a child's name: it stays, unknown, so the question is not answered on the strength of the rest.)
_PROPER_NOUN = _starting('[tiafnr]', r"\b(to|in|at|from|near|around|round) (?:the )?([A-Z][a-z]+(?:[- ][A-Z][a-z]+)?)\b(?!['’])")
_ORDINAL = _starting(r"\d", r"\b(\d+)(?:st|nd|rd|th)\b")  # "his 3rd suspension": the number
_POSSESSIVE = re.compile(r"(\w)'s\b|(\w)s'(?=\s|$)")
_CONTRACTIONS = re.compile(r"\b(\w+)n't\b")
_TOKEN = re.compile(r"[a-z]+|\d+")
_CAPITALS = _starting('[A-Z]', r"\b[A-Z]{2,}\b")
_DIGIT = re.compile(r"\d")


def surface_tokens(text: str) -> list[str]:
    """Lowercased words and numbers, with possessives removed and "don't" kept as "do not"."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    # (each pass only where the piece of text it needs is there: the same result, a fraction of a long message's time)
    for needs, pattern, replacement in _SYMBOLS:
        for piece in needs:
            if piece in text:
                text = pattern.sub(replacement, text)
                break
    if _DIGIT.search(text):
        text = _ORDINAL.sub(r"\1", text)
    if "writing" in text:
        text = _WRITING_SOMETHING.sub("write ", text)
    if "school" in text or "college" in text or "nursery" in text:
        text = _TO_SCHOOL.sub(lambda m: f"{m.group(1)} schoolrun", text)
        text = _SCHOOL_DOING.sub(r"\1", text)
    if "work" in text:
        text = _WORK_WITH_CHILD.sub(lambda m: f" direct {m.group(1)}", text)
    if "talk" in text or "speak" in text or "chat" in text:
        text = _TALK_TO_CHILD.sub(lambda m: f" listen {m.group(1)}", text)
    text = _LIKE_A_ROLE.sub(lambda m: f" takeon {m.group(1)} ", text)
    if "nt" in text:
        text = _BARE_CONTRACTIONS.sub(lambda m: f"{m.group(1)} not" if m.group(1) else f"{_BARE_NOT[m.group(2)]} not",
                                      text)
    if "'" in text:
        if "n't" in text:
            text = _CONTRACTIONS.sub(lambda m: f"{m.group(1)} not", text)
        if "'s" in text or "s'" in text:
            text = _POSSESSIVE.sub(lambda m: (m.group(1) or m.group(2) + "s"), text)
    return _TOKEN.findall(text)


# --- 2. spelling ------------------------------------------------------------------------------

SPELLING: dict[str, str] = {
    "behavior": "behaviour", "behaviors": "behaviours", "behavioral": "behavioural",
    "program": "programme", "programs": "programmes",
    "center": "centre", "centers": "centres", "color": "colour", "favorite": "favourite",
    "counselor": "counsellor", "counselors": "counsellors", "counseling": "counselling",
    "enroll": "enrol", "enrollment": "enrolment", "fulfill": "fulfil",
    "mom": "mum", "moms": "mums", "mommy": "mum",
    "judgment": "judgement", "license": "licence", "defense": "defence",
    "neighbor": "neighbour", "neighborhood": "neighbourhood", "honor": "honour", "labor": "labour",
    "traveling": "travelling", "traveled": "travelled", "canceled": "cancelled", "canceling": "cancelling",
    "modeling": "modelling", "labeled": "labelled", "skeptical": "sceptical",
    "pediatric": "paediatric", "pediatrician": "paediatrician", "learnt": "learned",
    "catalog": "catalogue", "dialog": "dialogue", "analyze": "analyse", "practise": "practice",
    "thru": "through", "thro": "through", "diff": "different", "telt": "told", "tellt": "told",  # Scots "telt"
    "yous": "you", "youse": "you", "yez": "you",  # Irish, Scots and northern English plural "you"
    # northern English and Scots: "mam", "meself", "nowt" (nothing), "owt" (anything), "summat" (something)
    "mam": "mum", "mammy": "mum", "meself": "myself", "nowt": "nothing", "owt": "anything", "summat": "something",
    "kindergarten": "nursery", "preschool": "nursery", "grade": "year", "grades": "results",
    # round 7: everyday misspellings and words typed together, read as meant ("aswell" is two little words, so no
    # split finds it; "actualy" is one edit from "actual" as well as "actually", and the content word would win)
    "aswell": "also", "aswel": "also", "alot": "lot", "abit": "bit", "infact": "fact", "atleast": "least",
    "actualy": "actually", "acctually": "actually", "actully": "actually", "realy": "really", "definately": "definitely",
    "defo": "definitely", "deffo": "definitely", "probs": "probably",
    "themselfs": "themselves", "themself": "themselves", "theirselves": "themselves", "theirself": "themselves",
    "yourselfs": "yourselves", "ourselfs": "ourselves", "himselfs": "himself", "hisself": "himself",
    "whos": "who", "wots": "what", "wot": "what", "wat": "what", "wats": "what",
    "skool": "school", "skools": "schools", "skool's": "school's",  # texting
}
# -ize / -yze words: organize -> organise, prioritized -> prioritised, analyzing -> analysing.
_IZE = re.compile(r"^(\w{3,})(iz|yz)(e|es|ed|ing|ation|ations|er|ers)$")
_IZE_KEEP = frozenset({"size", "sizes", "prize", "prizes", "seize", "seized", "citizen", "citizens"})


def british(token: str) -> str:
    if token in SPELLING:
        return SPELLING[token]
    if "z" not in token:  # (every -ize / -yze word has one: most words skip the pattern)
        return token
    match = _IZE.match(token)
    if match and token not in _IZE_KEEP:
        return f"{match.group(1)}{'is' if match.group(2) == 'iz' else 'ys'}{match.group(3)}"
    return token


# --- 4. phrases, abbreviations and scaffolding ------------------------------------------------------
# Each phrase (a tuple of surface words) becomes zero or more concept tokens. Longest match wins.
# Concept tokens are final: they are not stemmed, and are kept even if they look like stopwords.

# Marks a mention of the Virtual School itself. Dropped like scaffolding, except when a "what / who is"
# question has nothing else in it: then it becomes the concept "virtualschool".
VS_MARK = "_vs"
VS_CONCEPT = "virtualschool"
_WHAT_WORDS = frozenset({"what", "who", "whats", "explain", "about", "purpose", "point"})

_PHRASES_SOURCE: dict[str, tuple[str, ...]] = {
    # scaffolding: who the question is addressed to carries no meaning for matching
    "virtual school heads": (VS_MARK,), "virtual school head": (VS_MARK,), "virtual schools": (VS_MARK,),
    "virtual school": (VS_MARK,), "virtual head": (VS_MARK,), "virtual heads": (VS_MARK,), "vs": (VS_MARK,),
    "vsh": (VS_MARK,), "the vs": (VS_MARK,),
    "high school": ("school",), "high schools": ("school",),
    # "the virtual school lady": a family's name for whoever they deal with there
    "virtual school lady": (VS_MARK,), "virtual school woman": (VS_MARK,), "virtual school man": (VS_MARK,),
    "virtual school person": (VS_MARK,), "virtual school people": (VS_MARK,), "vs lady": (VS_MARK,),
    "can you help with": ("support",), "can you help me with": ("support",), "help with": ("support",),
    "is it your job": ("role",), "part of your role": ("role",), "your role": ("role",),
    "keep an eye on": ("monitor",), "keep tabs on": ("monitor",), "keep track of": ("monitor",),
    "keeps an eye on": ("monitor",), "keeping an eye on": ("monitor",), "kept an eye on": ("monitor",),
    "keeps tabs on": ("monitor",), "keeping tabs on": ("monitor",), "keeps track of": ("monitor",),
    "keeping track of": ("monitor",), "keep an eye out": ("monitor",), "keep an eye": ("monitor",),
    "check on": ("monitor",), "look at": ("monitor",), "watch": ("monitor",),
    "carry out": ("deliver",), "carries out": ("deliver",), "carrying out": ("deliver",),
    "carry them out": ("deliver",), "carry it out": ("deliver",), "carrying them out": ("deliver",),
    "carries them out": ("deliver",),
    "part of": (), "parts of": (),  # "is it part of your work?": says nothing itself ("part of your role" is a role)
    "snowed under": ("busy",), "up to my eyes": ("busy",), "capacity": ("busy",), "no capacity": ("busy",),
    "have not got capacity": ("busy",), "have not got the capacity": ("busy",), "do not have capacity": ("busy",),
    "do not have the capacity": ("busy",), "have no capacity": ("busy",), "not enough capacity": ("busy",),
    "lack capacity": ("busy",), "lack the capacity": ("busy",), "at capacity": ("busy",), "over capacity": ("busy",),
    "not got capacity": ("busy",), "not got the capacity": ("busy",), "not have capacity": ("busy",),
    "not have the capacity": ("busy",), "short staffed": ("busy",), "understaffed": ("busy",), "write up": ("complete",), "writing up": ("complete",),
    "fill in": ("complete",), "fill out": ("complete",), "filling in": ("complete",),
    # "is it just the adults talking about me?": the grown-ups around a child, not adult learners (over 18s)
    "the adults": ("professional",), "other adults": ("professional",),
    "look after": ("care",), "looks after": ("care",), "looking after": ("care",),
    "take over": ("takeon",), "take on": ("takeon",), "takes on": ("takeon",), "stand in for": ("takeon",),
    "do the job of": ("takeon",), "act as": ("takeon",), "acts as": ("takeon",),
    "go around": ("ignore",), "go over the heads of": ("ignore",), "leave out": ("ignore",),
    "work around": ("ignore",), "go behind": ("ignore",),
    "set up": ("arrange",), "sort out": ("arrange",), "sorts out": ("arrange",),
    "drop in": ("surgery",), "drop ins": ("surgery",), "advice session": ("surgery",),
    "advice sessions": ("surgery",), "consultation slot": ("surgery",), "consultation slots": ("surgery",),
    "wait list": ("waitlist",), "waiting list": ("waitlist",), "fully booked": ("full",),
    "get in touch": ("contact",), "talk to": ("contact",), "speak to": ("contact",), "speak with": ("contact",),
    "phone number": ("contact",), "email address": ("contact",),
    "real person": ("staff",), "member of staff": ("staff",), "a person": ("staff",), "a human": ("staff",),
    "find out": (), "i would like to know": (), "i want to know": (), "please can": (),
    # cohorts
    "children previously looked after": ("plac",), "child previously looked after": ("plac",),
    "previously looked after": ("plac",), "previously in care": ("plac",), "formerly in care": ("plac",),
    "were previously in care": ("plac",), "used to be in care": ("plac",), "left care": ("plac",),
    "plac": ("plac",), "pla": ("plac",),
    "special guardianship orders": ("sgo",), "special guardianship order": ("sgo",),
    "special guardianship": ("sgo",), "sgo": ("sgo",), "sgos": ("sgo",),
    "child arrangements orders": ("cao",), "child arrangements order": ("cao",),
    "child arrangement order": ("cao",), "cao": ("cao",),
    "children in care": ("cic",), "child in care": ("cic",), "kids in care": ("cic",),
    "young people in care": ("cic",), "young person in care": ("cic",), "people in care": ("cic",),
    "looked after children": ("cic",), "looked after child": ("cic",), "looked after": ("cic",),
    "looked after pupil": ("cic", "child"), "looked after pupils": ("cic", "child"),
    "in care": ("cic",), "into care": ("cic",), "cic": ("cic",), "cla": ("cic",), "lac": ("cic",),
    "coming into care": ("cic", "new"), "entering care": ("cic", "new"), "enter care": ("cic", "new"),
    "come into care": ("cic", "new"), "came into care": ("cic", "new"), "taken into care": ("cic", "new"), "comes into care": ("cic", "new"), "becomes looked after": ("cic", "new"),
    "become looked after": ("cic", "new"),
    "corporate parent": ("advocate", "parent"),
    "care leaver": ("over18",), "care leavers": ("over18",),
    "children with a social worker": ("cwsw",), "child with a social worker": ("cwsw",),
    "children with social workers": ("cwsw",), "kids with a social worker": ("cwsw",),
    "with a social worker": ("cwsw",), "with social workers": ("cwsw",), "have a social worker": ("cwsw",),
    "has a social worker": ("cwsw",), "cwsw": ("cwsw",), "cwsws": ("cwsw",), "cw sw": ("cwsw",),
    "known to social care": ("cwsw",), "social care involvement": ("socialcare",),
    "social workers": ("socialworker",), "social worker": ("socialworker",), "sw": ("socialworker",),
    "sws": ("socialworker",), "social care": ("socialcare",), "children s services": ("socialcare",),
    "childrens services": ("socialcare",), "children services": ("socialcare",),
    "children in need": ("cin",), "child in need": ("cin",), "cin": ("cin",), "section 17": ("cin",),
    "s17": ("cin",), "s 17": ("cin",),
    "in the last six years": ("previous",), "in the last 6 years": ("previous",), "last six years": ("previous",),
    "last 6 years": ("previous",), "within six years": ("previous",), "within 6 years": ("previous",),
    "child protection": ("cp",), "cp": ("cp",), "cpp": ("cp",),
    "kinship care": ("kinship",), "kinship carer": ("kinship",), "kinship carers": ("kinship",),
    "kinship arrangements": ("kinship",), "kinship arrangement": ("kinship",),
    "family and friends care": ("kinship",), "connected person": ("kinship",), "kinship": ("kinship",),
    "living with relatives": ("kinship",), "lives with relatives": ("kinship",),
    # needs
    "special educational needs and disabilities": ("send",), "special educational needs and disability": ("send",),
    "special education needs and disabilities": ("send",), "special education needs and disability": ("send",),
    "special educational needs": ("send",), "special education needs": ("send",),
    "special educational need": ("send",), "special needs": ("send",), "sen": ("send",), "send": ("send",),
    "sen d": ("send",), "senco": ("professional", "send"), "additional needs": ("send",),
    "learning difficulties": ("send",), "learning difficulty": ("send",), "disability": ("send",),
    "disabilities": ("send",), "disabled": ("send",),
    "education health and care plans": ("ehcp", "send"), "education health and care plan": ("ehcp", "send"),
    "education health care plan": ("ehcp", "send"), "ehc plans": ("ehcp", "send"), "ehc plan": ("ehcp", "send"),
    "ehc needs assessment": ("ehcp", "send"), "ehcp": ("ehcp", "send"), "ehcps": ("ehcp", "send"),
    "ehc": ("ehcp", "send"),
    "send iass": ("iass",), "sendiass": ("iass",), "iass": ("iass",),
    "local offer": ("localoffer",),
    "mental health": ("mentalhealth",), "camhs": ("mentalhealth",), "semh": ("mentalhealth",),
    "emotional wellbeing": ("mentalhealth",), "wellbeing": ("mentalhealth",), "well being": ("mentalhealth",),
    "trauma informed": ("relational",), "trauma perceptive": ("relational",), "attachment aware": ("relational",),
    "relational schools": ("relational",), "relational approaches": ("relational",),
    "relational approach": ("relational",), "restorative": ("relational",), "anchor approach": ("relational",),
    "relational": ("relational",),
    # roles
    "designated safeguarding leads": ("dsl",), "designated safeguarding lead": ("dsl",),
    "safeguarding leads": ("dsl",), "safeguarding lead": ("dsl",), "dsl": ("dsl",), "dsls": ("dsl",),
    "designated teachers": ("dt",), "designated teacher": ("dt",), "dt": ("dt",), "dts": ("dt",),
    "educational psychologists": ("ep",), "educational psychologist": ("ep",), "ed psych": ("ep",),
    "ep": ("ep",), "eps": ("ep",),
    "independent reviewing officers": ("iro",), "independent reviewing officer": ("iro",),
    "iro": ("iro",), "iros": ("iro",),
    "head teacher": ("headteacher",), "head teachers": ("headteacher",), "headteacher": ("headteacher",),
    "headteachers": ("headteacher",), "head": ("headteacher",), "heads": ("headteacher",),
    "principal": ("headteacher",),
    "education liaison officer": ("officer",), "education liaison officers": ("officer",),
    "inclusion officer": ("inclusion", "officer"), "locality officer": ("locality", "officer"),
    "inclusion manager": ("manager",),
    # plans, money, programmes
    "personal education plans": ("pep",), "personal education plan": ("pep",), "pep": ("pep",),
    # a PEP meeting is the PEP: its "meeting" must not make every other meeting at school ("will the VS come to
    # school meetings with us?") read as a PEP
    "pep meeting": ("pep",), "pep meetings": ("pep",), "pep mtgs": ("pep",),
    "peps": ("pep",), "ppplus": ("ppplus",), "pupil premium plus": ("ppplus",), "pupil premium": ("ppplus",),
    "multi academy trusts": ("mat",), "multi academy trust": ("mat",), "mat": ("mat",), "mats": ("mat",),
    "academy trusts": ("mat",), "academy trust": ("mat",),
    "alternative provision": ("alternativeprovision",), "ap": ("alternativeprovision",),
    "pupil referral unit": ("alternativeprovision",), "pupil referral units": ("alternativeprovision",),
    "pru": ("alternativeprovision",), "prus": ("alternativeprovision",),
    "free school": ("academy",), "free schools": ("academy",),
    "early years": ("earlyyears",), "eyfs": ("earlyyears",), "under 5": ("earlyyears",),
    "under 5s": ("earlyyears",), "under five": ("earlyyears",), "under fives": ("earlyyears",),
    "sixth form": ("post16",), "sixth formers": ("post16",), "sixth former": ("post16",),
    "post 16": ("post16",), "16 18": ("post16",), "further education": ("post16",), "fe": ("post16",),
    "over 18": ("over18",), "over 18s": ("over18",), "18 plus": ("over18",), "after 18": ("over18",),
    "18th birthday": ("over18",), "0 18": ("agerange",), "0 to 18": ("agerange",),
    # education status
    "not in education": ("noteducation",), "out of education": ("noteducation",),
    "missing education": ("noteducation",), "missing from education": ("noteducation",),
    "children missing education": ("noteducation",), "cme": ("noteducation",), "neet": ("noteducation",),
    "no school place": ("noteducation",), "not in school": ("noteducation",),
    "not in any school": ("noteducation",),
    "reduced timetable": ("reducedtimetable",), "reduced timetables": ("reducedtimetable",),
    "part time timetable": ("reducedtimetable",), "part time timetables": ("reducedtimetable",),
    "parttime timetable": ("reducedtimetable",), "reduced hours": ("reducedtimetable",),
    "full time": ("fulltime",), "fulltime": ("fulltime",),
    "persistent absence": ("persistentabsence",), "persistently absent": ("persistentabsence",),
    "persistent absentee": ("persistentabsence",), "pa": ("persistentabsence",),
    "severe absence": ("severeabsence",), "severely absent": ("severeabsence",),
    "fixed term exclusions": ("suspension",), "fixed term exclusion": ("suspension",),
    "fixed term": ("suspension",), "fte": ("suspension",), "ftes": ("suspension",),
    "permanent exclusion": ("permanent", "exclusion"), "permanently excluded": ("permanent", "exclusion"),
    "pex": ("permanent", "exclusion"),
    "penalty notice": ("penalty",), "penalty notices": ("penalty",), "legal action": ("penalty",),
    "take to court": ("penalty",),
    "school transport": ("transport",), "home to school transport": ("transport",), "bus pass": ("transport",),
    "school place": ("admission",), "school places": ("admission",), "in year": ("admission",),
    "school visit": ("visit",), "school visits": ("visit",), "look round": ("visit",),
    "home visit": ("homevisit",), "home visits": ("homevisit",), "visit the family": ("homevisit",),
    "at home": ("homevisit",), "family homes": ("homevisit",), "family home": ("homevisit",),
    "home address": ("address",), "home postcode": ("address",), "post code": ("address",),
    "where they live": ("address",), "where the child lives": ("address",), "where children live": ("address",),
    "child lives": ("address",), "lives": ("address",), "live": ("address",), "living": ("address",),
    "core group": ("cpmeeting",), "core groups": ("cpmeeting",), "strategy meeting": ("cpmeeting",),
    "cp conference": ("cpmeeting",), "conference": ("cpmeeting",), "conferences": ("cpmeeting",),
    "quality assure": ("qualityassure",), "quality assurance": ("qualityassure",), "qa": ("qualityassure",),
    "achievement champion": ("achievementchampion",), "achievement champions": ("achievementchampion",),
    "quality mark": ("achievementchampion",), "kitemark": ("achievementchampion",), "accreditation": ("achievementchampion",),
    "accredited": ("achievementchampion",),
    "attainment gap": ("attainmentgap",), "learning gap": ("gap",), "learning gaps": ("gap",),
    "catch up": ("gap",), "close the gap": ("gap",), "closing gaps": ("gap",), "narrow the gap": ("gap",),
    "reading writing and maths": ("attainment",), "reading writing maths": ("attainment",),
    "covid 19": ("covid",), "covid": ("covid",), "pandemic": ("covid",),
    "climate for learning": ("behaviour", "policy"), "behaviour for learning": ("behaviour", "learning"),
    "learning behaviour": ("behaviour", "learning"), "learning behaviours": ("behaviour", "learning"),
    "behaviour policy": ("behaviour", "policy"), "behaviour policies": ("behaviour", "policy"),
    "evidence based": ("evidencebased",),
    "good practice": ("goodpractice",), "best practice": ("goodpractice",),
    "indicators of good practice": ("goodpractice",),
    "self refer": ("parent", "refer"), "self referral": ("parent", "refer"), "self referrals": ("parent", "refer"),
    "one to one": ("onetoone",), "onetoone": ("onetoone",), "face to face": ("onetoone",),
    "statutory duties": ("statutory", "duty"), "statutory duty": ("statutory", "duty"),
    "legal responsibilities": ("statutory", "duty"), "legal duties": ("statutory", "duty"),
    "legally required": ("statutory", "duty"),
    "outside school hours": ("outsideschoolday",), "outside the school day": ("outsideschoolday",),
    "outside school": ("outsideschoolday",), "after school": ("outsideschoolday",),
    "beyond school hours": ("outsideschoolday",), "holiday clubs": ("outsideschoolday", "club"),
    "holiday activities": ("outsideschoolday", "activity"),
    # issue 12: how people actually write (DSLs, designated teachers, social workers on a phone, parents)
    "perm ex": ("permanent", "exclusion"), "perm exed": ("permanent", "exclusion"), "perm excluded": ("permanent", "exclusion"),
    "perm exclusion": ("permanent", "exclusion"), "perm excl": ("permanent", "exclusion"), "px": ("permanent", "exclusion"),
    "pex d": ("permanent", "exclusion"), "permanently exclude": ("permanent", "exclusion"),
    "permanent exclusions": ("permanent", "exclusion"), "permanently excluding": ("permanent", "exclusion"),
    "managed move": ("alternative", "exclusion"), "managed moves": ("alternative", "exclusion"),
    "look at options": ("alternative",), "look at other options": ("alternative",), "other options": ("alternative",),
    "look at alternatives": ("alternative",),
    "final warning": ("risk",), "on the edge of": ("risk",),
    # round 10: "heading for a permanent exclusion", "headed for exclusion": at risk of it (not a head teacher)
    "heading for": ("risk",), "heading towards": ("risk",), "headed for": ("risk",), "headed towards": ("risk",),
    "heading toward": ("risk",),
    "out of school": ("noteducation",), "not been in school": ("noteducation",), "no school": ("noteducation",),
    "no place": ("noteducation",), "without a school": ("noteducation",), "not attending school": ("noteducation",),
    "off school": ("noteducation",), "not on roll": ("noteducation",),
    "off roll": ("noteducation",), "elective home education": ("noteducation",), "ehe": ("noteducation",),
    "find a school": ("schoolsearch",), "find one": ("schoolsearch",), "finding a school": ("schoolsearch",),
    "find schools": ("schoolsearch",), "find him a school": ("schoolsearch",), "find her a school": ("schoolsearch",),
    "find them a school": ("schoolsearch",), "looking for a school": ("schoolsearch",), "needs a school": ("schoolsearch",),
    "need a school": ("schoolsearch",), "suitable school": ("schoolsearch",), "suitable schools": ("schoolsearch",),
    "new school": ("schoolsearch",), "which schools": ("schoolsearch",), "what schools": ("schoolsearch",),
    "schools near": ("schoolsearch", "nearby"),
    "near": ("nearby",), "nearby": ("nearby",), "round there": ("nearby",), "around there": ("nearby",),
    "close to": ("nearby",), "in the area": ("nearby",), "another area": ("nearby",), "out of area": ("nearby",),
    "different area": ("nearby",), "diff area": ("nearby",), "another borough": ("nearby",), "out of borough": ("nearby",),
    "different borough": ("nearby",), "diff borough": ("nearby",), "other borough": ("nearby",),
    "speak up for": ("advocate",), "stick up for": ("advocate",), "fight her corner": ("advocate",),
    "fight his corner": ("advocate",), "fight their corner": ("advocate",), "be her voice": ("advocate",),
    "be his voice": ("advocate",), "be their voice": ("advocate",), "a voice for": ("advocate",),
    "speak for": ("advocate",), "stand up for": ("advocate",),
    "schoolrun": ("schoolrun",), "a lift": ("transport",), "get him to school": ("schoolrun",),
    "get her to school": ("schoolrun",), "get him into school": ("schoolrun",), "get her into school": ("schoolrun",),
    "get them into school": ("schoolrun",), "get him in to school": ("schoolrun",), "get her in to school": ("schoolrun",), "pick him up": ("schoolrun",), "pick her up": ("schoolrun",),
    # "get one of them in on a morning": getting a child into school; "get her in at the academy": a place there
    "get him in": ("schoolrun",), "get her in": ("schoolrun",), "get them in": ("schoolrun",),
    "get one of them in": ("schoolrun",), "get the child in": ("schoolrun",), "get the yp in": ("schoolrun",),
    "get yp in": ("schoolrun",), "get him out of bed": ("schoolrun",), "get her out of bed": ("schoolrun",),
    "get them out of bed": ("schoolrun",), "get him in at": ("admission",), "get her in at": ("admission",),
    "get them in at": ("admission",),
    "pick them up": ("schoolrun",), "collect a child": ("schoolrun",), "collect him": ("schoolrun",),
    "collect her": ("schoolrun",),
    "nurture group": ("intervention",), "nurture groups": ("intervention",), "nurture sessions": ("intervention",),
    "catch up sessions": ("intervention", "gap"), "small group work": ("intervention",), "group work": ("intervention",),
    "self harm": ("mentalhealth",), "self harming": ("mentalhealth",), "self harms": ("mentalhealth",),
    "anxiety": ("mentalhealth",), "anxious": ("mentalhealth",), "depressed": ("mentalhealth",),
    "depression": ("mentalhealth",), "low mood": ("mentalhealth",), "suicidal": ("mentalhealth",),
    "change her mind": ("overrule",), "change his mind": ("overrule",), "change their mind": ("overrule",),
    "change its mind": ("overrule",), "change the decision": ("overrule",), "go back on": ("overrule",),
    "challenge the decision": ("overrule",), "challenge the exclusion": ("overrule",), "challenge it": ("overrule",),
    "make the school": ("tell",), "make them": ("tell",), "get the school to": ("tell",), "get them to": ("tell",),
    "force the school": ("tell",), "force them": ("tell",), "insist": ("tell",), "have to take": ("tell",),
    "take him back": ("tell",), "take her back": ("tell",), "take them back": ("tell",),
    "lead professional": ("takeon",), "instead of me": ("takeon",), "instead of the": ("takeon",),
    "in my place": ("takeon",), "in place of": ("takeon",), "cover for": ("takeon",),
    "fill in for": ("takeon",), "step in for": ("takeon",), "deputise": ("takeon",), "step in and act as": ("takeon",),
    "take on the role": ("takeon",), "take on the job": ("takeon",),
    "mat leave": ("absentstaff",), "maternity leave": ("absentstaff",), "paternity leave": ("absentstaff",),
    "off sick": ("absentstaff",), "long term sick": ("absentstaff",), "on leave": ("absentstaff",),
    "off work": ("absentstaff",), "on holiday": ("absentstaff",),
    "left the school": ("absentstaff",), "vacancy": ("absentstaff",),
    "take this on": ("involve",), "take it on": ("involve",), "take him on": ("involve",), "take her on": ("involve",),
    "pick up": ("involve",), "pick this up": ("involve",), "pick it up": ("involve",), "picks up": ("involve",),
    "picked up": ("involve",), "get involved": ("involve",), "step in": ("involve",), "steps in": ("involve",),
    "come under": ("include",), "comes under": ("include",), "fall under": ("include",), "falls under": ("include",),
    "fall within": ("include",), "one of yours": ("include",), "on your books": ("include",),
    "in your cohort": ("include",), "on your radar": ("include",), "your cohort": ("include",),
    "autism": ("send",), "autistic": ("send",), "asd": ("send",), "adhd": ("send",), "dyslexia": ("send",),
    "dyslexic": ("send",), "sen support": ("send",), "complex needs": ("send",), "speech and language": ("send",),
    "learning disability": ("send",), "learning disabilities": ("send",), "additional learning needs": ("send",),
    "north": ("locality",), "south": ("locality",), "east": ("locality",), "west": ("locality",),
    "central": ("locality",), "north side": ("locality",), "south side": ("locality",),
    "school address": ("schoolsite",), "school s address": ("schoolsite",), "schools address": ("schoolsite",),
    "where the school is": ("schoolsite",), "school s area": ("schoolsite",), "schools area": ("schoolsite",),
    "school area": ("schoolsite",), "based on the school": ("schoolsite",), "by school": ("schoolsite",),
    "by the school": ("schoolsite",), "by which school": ("schoolsite",),
    "the school they attend": ("schoolsite",), "where they attend school": ("schoolsite",),
    "pinged": ("alert",), "ping": ("alert",), "alert": ("alert",), "alerts": ("alert",), "alerted": ("alert",),
    "notified": ("alert",), "notify": ("alert",), "notification": ("alert",), "notifications": ("alert",),
    "get told": ("alert",), "be told": ("alert",), "gets told": ("alert",), "flagged": ("alert",), "flag": ("alert",),
    "let me know": ("alert",), "let us know": ("alert",), "heads up": ("alert",),
    "nudge": ("reminder",), "nudges": ("reminder",), "nudged": ("reminder",),
    "reminder": ("reminder",), "reminders": ("reminder",), "remind": ("reminder",), "reminded": ("reminder",),
    "teams link": ("joinlink",), "joining link": ("joinlink",), "join link": ("joinlink",), "meeting link": ("joinlink",),
    "calendar invite": ("joinlink",), "nowhere near": (),
    "2 places": ("multiplebooking",), "two places": ("multiplebooking",), "more than one place": ("multiplebooking",),
    "another place": ("multiplebooking",), "extra place": ("multiplebooking",), "second place": ("multiplebooking",),
    "2 slots": ("multiplebooking",), "two slots": ("multiplebooking",), "more than one slot": ("multiplebooking",),
    "another slot": ("multiplebooking",), "extra slot": ("multiplebooking",), "second slot": ("multiplebooking",),
    "multiple slots": ("multiplebooking",), "several slots": ("multiplebooking",), "3 slots": ("multiplebooking",),
    "three slots": ("multiplebooking",), "2 bookings": ("multiplebooking",), "two bookings": ("multiplebooking",),
    "multiple places": ("multiplebooking",), "several places": ("multiplebooking",), "3 places": ("multiplebooking",),
    "three places": ("multiplebooking",), "more than one booking": ("multiplebooking",),
    "book for a colleague": ("multiplebooking",), "book for someone else": ("multiplebooking",),
    "for my colleague": ("multiplebooking",), "for my deputy": ("multiplebooking",), "for a colleague": ("multiplebooking",),
    "ppplus towards": ("ppplus", "spend"), "ppplus toward": ("ppplus", "spend"),  # "put some PP+ towards a trip"
    "put toward": ("spend",), "put towards": ("spend",), "put some toward": ("spend",), "put some towards": ("spend",),
    "go toward": ("spend",), "go towards": ("spend",), "towards the cost": ("spend",), "toward the cost": ("spend",),
    "cost of": ("spend",), "be used for": ("spend",), "be used on": ("spend",), "use it for": ("spend",),
    "how fast": ("new",), "how quickly": ("new",), "how soon": ("new",), "time limit": ("new",),
    "meet with the child": ("direct",), "meet the child": ("direct",), "meet the young person": ("direct",),
    "meet with him": ("direct",), "meet with her": ("direct",), "meet him": ("direct",), "meet her": ("direct",),
    "see the child": ("direct",), "see him": ("direct",), "see her": ("direct",), "direct work": ("direct",),
    "in person": ("direct",), "sit with": ("direct",), "work with him": ("direct",), "work with her": ("direct",),
    "update our": ("change",), "update the": ("change",), "update their": ("change",), "update your": ("change",),
    "rewrite": ("change",), "re write": ("change",), "redo": ("change",), "redraft": ("change",), "alter": ("change",),
    "amend": ("change",),
    "rse": ("curriculum", "hotspot"), "pshe": ("curriculum", "hotspot"), "re lessons": ("curriculum", "hotspot"),
    "relationships and sex education": ("curriculum", "hotspot"), "sex education": ("curriculum", "hotspot"),
    "hotspot": ("hotspot",), "hotspots": ("hotspot",), "assemblies": ("curriculum", "hotspot"),
    "sensitive topics": ("hotspot",), "sensitive subjects": ("hotspot",), "triggering": ("hotspot",),
    "pen meeting": ("pep",), "pen meetings": ("pep",), "pep mtg": ("pep",),  # a PEP meeting is the PEP (see "pep meeting")
    "the pen": ("pep",),
    "ofsted": ("ofsted",),
    "strategic lead": ("strategic", "lead"), "strategic leader": ("strategic", "lead"),
    "strategic leaders": ("strategic", "lead"), "strategic leads": ("strategic", "lead"),
    "doc": ("guidance",), "docs": ("guidance",), "written guidance": ("guidance",),
    "blue in the face": (), "sick of telling": (), "tearing my hair out": (),
    # a school's behaviour sanctions are its behaviour policy at work
    "isolation": ("behaviour",), "isolation room": ("behaviour",), "isolation booth": ("behaviour",),
    "internal exclusion": ("behaviour",), "internal exclusions": ("behaviour",), "detention": ("behaviour",),
    "detentions": ("behaviour",), "seclusion": ("behaviour",), "removal room": ("behaviour",),
    "wits end": (), "wit s end": (), "end of my tether": (), "failing that": (), "if that fails": (),  # how it feels, not what
    "doing my head in": (), "does my head in": (), "do my head in": (), "done my head in": (), "doing our heads in": (),
    "doing my nut": (), "driving me mad": (), "driving me up the wall": (), "driving me round the bend": (),
    "refusing to go": ("attendance",), "refuses to go": ("attendance",), "refused to go": ("attendance",),
    "refusing school": ("attendance",), "refuses school": ("attendance",), "refusing to attend": ("attendance",),
    "at least": (), "at the very least": (), "at the least": (),  # "or at least advise...": a fallback, not a topic
    "half term": (), "in the meantime": (), "at the moment": (), "atm": (), "rn": (), "right now": (), "quick one": (), "quick q": (), "you lot": (),
    "you guys": (), "u lot": (), "at all": (), "for us": (), "for me": (),
    "in year application": ("admission", "apply"), "in year admissions form": ("admission", "apply"),
    "in year admission form": ("admission", "apply"), "admission form": ("admission", "apply"),
    "new secondary": ("schoolsearch",), "new primary": ("schoolsearch",), "new college": ("schoolsearch",), "in year admission": ("admission",),
    "in year admissions": ("admission",), "admissions form": ("admission", "apply"),
    "application form": ("apply",), "application forms": ("apply",), "admission forms": ("admission", "apply"),
    "sort the": ("arrange",), "sort his": ("arrange",), "sort her": ("arrange",), "sort their": ("arrange",),
    "sort school transport": ("arrange", "transport"), "sort transport": ("arrange", "transport"), "sort a": ("arrange",),
    "sort some": ("arrange",), "sort my": ("arrange",), "sort our": ("arrange",), "sort it": ("arrange",),
    # "tell us about schools", "tell me what's available": being informed, not telling a school what to do
    "tell us about": ("advice",), "tell me about": ("advice",), "tell us what": ("advice",), "tell me what": ("advice",),
    "tell us which": ("advice",), "tell me which": ("advice",), "let us know about": ("advice",),
    # "can you tell me who the officer is?": asking to be told, which says nothing of what is asked
    "tell me who": (), "tell me whether": (), "tell me if": (), "tell me how": (), "tell me when": (),
    "tell me where": (),
    # "will the VS back that?": endorse what the story proposes
    "back that": ("support",), "back this": ("support",), "back it": ("support",), "back us": ("support",),
    "back the idea": ("support",), "back the plan": ("support",), "go along with": ("support",),
    "round here": ("nearby",), "around here": ("nearby",), "near us": ("nearby",), "near here": ("nearby",),
    "local to us": ("nearby",),
    "school run": ("transport",),
    "residential trip": ("trip",), "residential trips": ("trip",),
    "whole staff training": ("training",), "staff training": ("training",), "inset training": ("training",),
    "attendance officer": ("attendance",),
    "practice indicators": ("goodpractice",), "good practice indicators": ("goodpractice",),
    "do the interventions": ("deliver", "intervention"), "do interventions": ("deliver", "intervention"),
    "do an intervention": ("deliver", "intervention"), "do the intervention": ("deliver", "intervention"),
    "doing the interventions": ("deliver", "intervention"),
    "put on holiday activities": ("deliver", "outsideschoolday", "activity"),
    "put on a waitlist": ("waitlist",), "put on the waitlist": ("waitlist",), "put on a waiting list": ("waitlist",),
    "put on the waiting list": ("waitlist",),
    "fills in": ("complete",), "filled in": ("complete",), "fills out": ("complete",), "filled out": ("complete",),
    "fill it in": ("complete",), "fill it out": ("complete",), "fill them in": ("complete",), "fill them out": ("complete",),
    "fill this in": ("complete",), "fill this out": ("complete",), "fill that in": ("complete",), "fill that out": ("complete",),
    "fill in the": ("complete",), "fill out the": ("complete",),
    "is told": ("alert",), "are told": ("alert",), "was told": ("alert",), "get an alert": ("alert",),
    "with social worker": ("cwsw",), "with sw": ("cwsw",), "with a sw": ("cwsw",), "with an sw": ("cwsw",),
    "best practice indicators": ("goodpractice",),
    "not had a school place": ("noteducation",), "hasnt had a school place": ("noteducation",),
    "not got a school place": ("noteducation",), "hasnt got a school place": ("noteducation",),
    "without a school place": ("noteducation",), "not got a school": ("noteducation",),
    "hasnt got a school": ("noteducation",),
    "meet my foster": ("direct",), "meet my son": ("direct",), "meet my daughter": ("direct",),
    "meet my child": ("direct",), "meet our": ("direct",), "come and meet": ("direct",), "come and see": ("direct",),
    "one of the virtual school s children": ("include",), "one of the virtual schools children": ("include",),
    "one of the vs children": ("include",), "one of your children": ("include",), "one of your kids": ("include",), "special guardian": ("sgo",), "special guardians": ("sgo",),
    "be at": ("attend",), "turn up to": ("attend",), "be present at": ("attend",), "since when": ("since",), "since": (), "my house": ("homevisit",), "our house": ("homevisit",),
    "the house": ("homevisit",), "come round": ("homevisit",), "our home": ("homevisit",), "my home": ("homevisit",), "something for": ("involve",), "a case for": ("involve",), "no order": (), "court order": ("cao",),
    "reception": ("earlyyears",), "reception class": ("earlyyears",),
    "stop at 18": ("over18",), "stops at 18": ("over18",), "end at 18": ("over18",), "ends at 18": ("over18",),
    "past 18": ("over18",), "beyond 18": ("over18",), "turn 18": ("over18",), "turns 18": ("over18",),
    "turned 18": ("over18",),
    "our trust": ("mat",), "the trust": ("mat",), "your trust": ("mat",),
    "what do you do": ("role",), "what do u do": ("role",), "what do you actually do": ("role",),
    "what do u actually do": ("role",), "what does the vs do": ("role",), "what can you do": ("role",),
    "what can u do": ("role",), "what can vs do": ("role",), "what can the vs do": ("role",),
    "what do you offer": ("role",),
    "football": ("activity",), "rugby": ("activity",), "cricket": ("activity",), "swimming": ("activity",),
    "dance": ("activity",), "drama": ("activity",), "music lessons": ("activity",), "sport": ("activity",),
    "sports": ("activity",), "karate": ("activity",), "boxing": ("activity",), "gymnastics": ("activity",),
    "scouts": ("activity",), "brownies": ("activity",), "cadets": ("activity",),
    "work with": ("partnership",), "works with": ("partnership",), "working with": ("partnership",),
    "work alongside": ("partnership",), "work together with": ("partnership",),
    "cin meeting": ("cpmeeting",), "cin meetings": ("cpmeeting",), "cin review": ("cpmeeting",),
    "cin reviews": ("cpmeeting",), "cp meeting": ("cpmeeting",), "core group meeting": ("cpmeeting",),
    "information sharing": ("communication",), "sharing of information": ("communication",),
    "share information": ("communication",), "joint working": ("partnership",),
    # round 2: carers', parents' and other professionals' wording (issue 12)
    "sgo placement": ("sgo",), "special guardianship placement": ("sgo",), "kinship placement": ("kinship",),
    "adoptive placement": ("adopt",), "adoption placement": ("adopt",),
    "come to the pep": ("attend", "pep"), "come to his pep": ("attend", "pep"), "come to her pep": ("attend", "pep"),
    "come to their pep": ("attend", "pep"), "come to pep": ("attend", "pep"), "go to the pep": ("attend", "pep"),
    "come to the meeting": ("attend", "meeting"), "come to meetings": ("attend", "meeting"),
    "come along to": ("attend",), "turn up at": ("attend",), "sit in on": ("attend",),
    "how often": ("frequency",), "how frequently": ("frequency",), "how regularly": ("frequency",),
    "frequency": ("frequency",), "how many times a year": ("frequency",),
    "once a year": ("frequency",), "once a term": ("frequency",), "every term": ("frequency",),
    "each term": ("frequency",), "every year": ("frequency",), "every school term": ("frequency",),
    "each school term": ("frequency",), "twice a year": ("frequency",), "every six months": ("frequency",),
    "every 6 months": ("frequency",), "once per year": ("frequency",), "once per term": ("frequency",),
    "termly": ("frequency",), "annually": ("frequency",), "yearly": ("frequency",), "annual": ("frequency",),
    # having no social worker is its own concept, so "a disability and a social worker" is not read as its opposite
    "no social worker": ("nosocialworker",), "no sw": ("nosocialworker",), "no social workers": ("nosocialworker",),
    "no social care involvement": ("nosocialworker",), "without social care involvement": ("nosocialworker",),
    "never been any social care": ("nosocialworker",), "never any social care": ("nosocialworker",),
    "not been any social care": ("nosocialworker",), "never had any social care": ("nosocialworker",),
    "never been a social worker": ("nosocialworker",), "never been any social worker": ("nosocialworker",),
    "without social care": ("nosocialworker",), "no social care": ("nosocialworker",), "no sw involvement": ("nosocialworker",),
    "no social worker involvement": ("nosocialworker",), "without a social worker": ("nosocialworker",),
    "without a sw": ("nosocialworker",), "without any social care history": ("nosocialworker",),
    "not have a social worker": ("nosocialworker",), "not had a social worker": ("nosocialworker",),
    "not have a sw": ("nosocialworker",), "not had a sw": ("nosocialworker",), "never had a social worker": ("nosocialworker",),
    "never had a sw": ("nosocialworker",), "never had social workers": ("nosocialworker",),
    "not got a social worker": ("nosocialworker",), "never been known to social care": ("nosocialworker",),
    "never been open to social care": ("nosocialworker",), "not known to social care": ("nosocialworker",),
    "not open to social care": ("nosocialworker",), "not require a social worker": ("nosocialworker",),
    "not need a social worker": ("nosocialworker",), "never had social care involvement": ("nosocialworker",),
    "foster care": ("cic",), "in foster care": ("cic",), "fostered": ("cic",),
    "fc": ("foster", "carer"), "fcs": ("foster", "carer"), "ffc": ("foster", "carer"),  # a foster carer, on a phone
    "takecase": ("involve",), "get an ehcp": ("ehcp", "send", "apply"), "ehcp in place": ("ehcp", "send", "apply"),
    "apply for an ehcp": ("ehcp", "send", "apply"),
    "education plan": ("pep",), "education plans": ("pep",), "pep plan": ("pep",),
    "came to us": ("cic", "new"), "come to us": ("cic", "new"), "placed with us": ("cic", "new"),
    "moved in with us": ("cic", "new"), "came into our care": ("cic", "new"), "emergency placement": ("cic", "new"),
    "new placement": ("cic", "new"), "just been placed": ("cic", "new"),
    "catching up": ("gap",), "catch up with": ("gap",), "extra help": ("support",), "extra support": ("support",),
    "expect much": ("aspiration",), "expect more": ("aspiration",), "expect a lot": ("aspiration",),
    "high expectations": ("aspiration",), "low expectations": ("aspiration",), "push her": ("aspiration",),
    "push him": ("aspiration",), "push them": ("aspiration",), "pushing her": ("aspiration",),
    "pushing him": ("aspiration",), "pushing them": ("aspiration",), "stretch her": ("aspiration",),
    "stretch him": ("aspiration",), "stretching her": ("aspiration",), "stretching him": ("aspiration",),
    "aim high": ("aspiration",), "reach her potential": ("aspiration",), "reach his potential": ("aspiration",),
    "reach their potential": ("aspiration",), "full potential": ("aspiration",),
    "make sure": ("ensure",), "makes sure": ("ensure",), "making sure": ("ensure",),
    "take him in": ("schoolrun",), "take her in": ("schoolrun",), "take them in": ("schoolrun",),
    "walk him in": ("schoolrun",), "walk her in": ("schoolrun",), "drop him off": ("schoolrun",),
    "drop her off": ("schoolrun",), "drop them off": ("schoolrun",),
    "back into school": ("noteducation",), "back in school": ("noteducation",), "back into education": ("noteducation",),
    "back to school": ("noteducation",), "get him back in": ("noteducation",), "get her back in": ("noteducation",),
    "get them back in": ("noteducation",), "not in school at all": ("noteducation",),
    "sent home": ("suspension",), "sent him home": ("suspension",), "sent her home": ("suspension",),
    "sending him home": ("suspension",), "sending her home": ("suspension",), "sends him home": ("suspension",),
    "sends her home": ("suspension",),
    "camhs worker": ("mentalhealth", "professional"), "youth worker": ("professional",),
    "family support worker": ("professional",), "key worker": ("professional",), "keyworker": ("professional",),
    "early help worker": ("professional",), "support worker": ("professional",), "therapist": ("professional",),
    "talk to his": ("partnership",), "talk to her": ("partnership",), "talk to their": ("partnership",),
    "talk to the school": ("partnership", "school"), "speak to his": ("partnership",), "speak to her": ("partnership",),
    # a young person asking the VS to talk to their own school or college for them (not how to get in touch)
    "talk to my school": ("partnership", "school"), "speak to my school": ("partnership", "school"),
    "talk to my college": ("partnership", "school", "college"), "speak to my college": ("partnership", "school", "college"),
    "liaise with": ("partnership",), "liaise": ("partnership",), "liaising": ("partnership",),
    "on their own": ("alone",), "on its own": ("alone",), "in isolation from": ("alone",),
    "anything to do with": ("include",), "in the virtual school group": ("include",),
    "in the vs group": ("include",), "in your group": ("include",), "part of the cohort": ("include",),
    "part of your cohort": ("include",), "in the cohort": ("include",), "in scope": ("include",),
    "in vs scope": ("include",), "count for": ("include",), "counts for": ("include",),
    # "help the school try something else first", "other ways of dealing with it than kicking him out": alternatives
    # "did that stop when the order was made?": a court order (an SGO, an adoption), not an instruction to a school
    "the order was made": ("order",), "order was granted": ("order",), "the order was granted": ("order",),
    "when the order": ("order",),
    "try something else": ("alternative",), "other ways of dealing": ("alternative",),
    "other ways to deal": ("alternative",), "kicking him out": ("exclusion",), "kicking her out": ("exclusion",),
    "stretch to": ("include",), "stretch down to": ("include",), "stretches to": ("include",),
    "looking out for": ("include",), "look out for": ("include",), "looks out for": ("include",),
    "ski trip": ("trip",), "ski trips": ("trip",), "skiing trip": ("trip",),  # a trip, whatever kind
    "extend down to": ("include",), "go down to": ("include",), "reach down to": ("include",),
    "one of the virtual school children": ("include",), "one of the vs s children": ("include",),
    "and a social worker": ("cwsw",), "and a sw": ("cwsw",), "and social worker": ("cwsw",),
    "have got a social worker": ("cwsw",), "has got a social worker": ("cwsw",), "have got a sw": ("cwsw",),
    "has got a sw": ("cwsw",), "have got social workers": ("cwsw",), "got a social worker": ("cwsw",),
    "also has a social worker": ("cwsw",), "also have a social worker": ("cwsw",), "plus a social worker": ("cwsw",),
    "taken out of": ("change",), "take out of": ("change",), "take that out": ("change",), "take it out": ("change",),
    "removed from": ("change",), "remove from": ("change",), "drop from": ("change",),
    # dropping or swapping a subject is changing what a pupil studies (the school's curriculum for them)
    "let me drop": ("change", "curriculum"), "let him drop": ("change", "curriculum"),
    "let her drop": ("change", "curriculum"), "let them drop": ("change", "curriculum"),
    "drop a subject": ("change", "curriculum"), "drop subjects": ("change", "curriculum"),
    "drop a gcse": ("change", "curriculum"), "drop an a level": ("change", "curriculum"),
    "swap subjects": ("change", "curriculum"), "change subjects": ("change", "curriculum"),
    "needs assessment": ("send", "assessment"),
    # round 3: doing something for someone is taking on their role
    "no court order": ("kinship",), "without a court order": ("kinship",), "no legal order": ("kinship",),
    "informal arrangement": ("kinship",), "informal kinship": ("kinship",), "private arrangement": ("kinship",),
    "family arrangement": ("kinship",), "living with family": ("kinship",), "lives with family": ("kinship",),
    "question mark": (), "full stop": (), "new line": (), "exclamation mark": (),  # dictated punctuation
    "to be the social worker": ("socialworker",), "to be the sw": ("socialworker",),  # "does it have to be the SW?"
    "takeon": ("takeon",), "on our behalf": ("takeon",), "instead of us": ("takeon",),
    # round 3: the domain's verbs and nouns in more of the words people use for them (whole families, not one word)
    # telling a school what to do
    "require us to": ("tell",), "require the school to": ("tell",), "require schools to": ("tell",),
    "require a school to": ("tell",), "require them to": ("tell",), "make us": ("tell",),
    "instruct the school": ("tell",), "instruct schools": ("tell",), "instruct a school": ("tell",),
    "instruct them": ("tell",), "instruct us": ("tell",),
    "make schools": ("tell",), "mandate": ("tell",), "compel": ("tell",), "oblige": ("tell",), "obliged to": ("tell",),
    "do what the vs says": ("tell",), "do what the virtual school says": ("tell",), "do what you say": ("tell",),
    "do what they say": ("tell",), "do what it says": ("tell",), "do as you say": ("tell",), "do as they say": ("tell",),
    "do what we are told": ("tell",), "have to listen to": ("tell",), "have to follow": ("tell",),
    "got to follow": ("tell",), "have to do what": ("tell",), "answer to": ("accountable",),
    # "which option we have to go with", "the plan we must go with": a choice imposed on the school, not advice to it
    "have to go with": ("tell",), "has to go with": ("tell",), "got to go with": ("tell",), "must go with": ("tell",),
    # exclusion
    "expel": ("exclusion",), "expelled": ("exclusion",), "expels": ("exclusion",), "expulsion": ("exclusion",),
    "kicked out": ("exclusion",), "kick out": ("exclusion",), "kick him out": ("exclusion",), "kick her out": ("exclusion",),
    # governors
    "governing body": ("governor",), "governing bodies": ("governor",), "governing board": ("governor",),
    "governing boards": ("governor",), "board of governors": ("governor",), "trustees": ("governor",),
    "trust board": ("governor",),
    # attendance work and its workers
    "ewo": ("attendance", "officer"), "ewos": ("attendance", "officer"),
    "education welfare officer": ("attendance", "officer"), "education welfare": ("attendance",),
    "attendance worker": ("attendance", "officer"), "non attender": ("not", "attendance"),
    "non attenders": ("not", "attendance"), "non attendance": ("not", "attendance"), "school refuser": ("attendance",),
    "school refusers": ("attendance",), "school refusal": ("attendance",), "school avoidance": ("attendance",),
    "emotionally based school avoidance": ("attendance", "mentalhealth"), "ebsa": ("attendance", "mentalhealth"),
    "ebsna": ("attendance", "mentalhealth"),
    # interventions people name
    "elsa": ("intervention", "mentalhealth"), "elsa sessions": ("intervention", "mentalhealth"),
    "emotional literacy": ("intervention", "mentalhealth"), "social skills group": ("intervention",), "lego therapy": ("intervention",),
    "mentoring": ("intervention",), "mentor": ("intervention",), "coaching": ("intervention",),
    "catch up programme": ("intervention", "gap"),
    # round 10: more programmes schools run and EPs recommend, each an intervention
    "precision teaching": ("intervention",), "reading recovery": ("intervention",), "lexia": ("intervention",),
    "numicon": ("intervention",),
    # who is covered
    # "is the VS for CiN kids too?": who the Virtual School is for (an open "who is it for?" reads the same)
    # an open "who / what is it for?" is about the Virtual School itself, as before
    "who is the vs for": (VS_MARK,), "who is the virtual school for": (VS_MARK,), "what is the vs for": (VS_MARK,),
    "what is the virtual school for": (VS_MARK,), "who is vs for": (VS_MARK,), "what is vs for": (VS_MARK,),
    "is the vs for": ("include",), "is vs for": ("include",), "is the virtual school for": ("include",),
    "is the vs also for": ("include",), "is the virtual school also for": ("include",), "is the vs only for": ("include",),
    "is the virtual school only for": ("include",), "is the vs just for": ("include",),
    "is the virtual school just for": ("include",),
    "qualify": ("include",), "qualifies": ("include",), "qualify for": ("include",), "on your list": ("include",),
    "on your caseload": ("include",), "known to you": ("include",), "come within": ("include",),
    "unaccompanied asylum seeking children": ("cic",), "unaccompanied asylum seeking child": ("cic",),
    "unaccompanied asylum seeking": ("cic",), "unaccompanied children": ("cic",), "uasc": ("cic",),
    "children s home": ("cic",), "childrens home": ("cic",), "children home": ("cic",), "residential home": ("cic",),
    "residential unit": ("cic",), "residential care": ("cic",), "secure children s home": ("cic",),
    "resident": ("child",), "residents": ("child",), "minor": ("child",), "minors": ("child",),
    # contacting and visiting families
    "chase": ("contact",), "chase up": ("contact",), "chasing": ("contact",), "chased": ("contact",),
    "follow up with": ("contact",), "get hold of": ("contact",), "pop round": ("homevisit",),
    "go round": ("homevisit",), "knock on the door": ("homevisit",), "door knock": ("homevisit",),
    "doorstep": ("homevisit",), "come out to the house": ("homevisit",), "visit at home": ("homevisit",),
    # paying
    "foot the bill": ("spend",), "cover the cost": ("spend",), "cover the costs": ("spend",), "reimburse": ("spend",),
    "finance": ("spend",), "bankroll": ("spend",), "pay towards": ("spend",), "contribute to": ("spend",),
    # inspecting, scrutinising
    "audit": ("inspect",), "audits": ("inspect",), "grade schools": ("inspect",), "rate schools": ("inspect",),
    "scrutinise": ("accountable",), "scrutiny": ("accountable",), "scrutinises": ("accountable",),
    # delivering, timing
    "facilitate": ("deliver",), "facilitates": ("deliver",), "how long": ("new",), "time frame": ("new",),
    "timeframe": ("new",), "in the interim": (), "for the time being": (), "for now": (),
    # the Virtual School is not a school children attend
    "actual school": ("direct", "teach"), "real school": ("direct", "teach"), "proper school": ("direct", "teach"),
    "physical school": ("direct", "teach"),
    # kit for PE or games is uniform ("a new PE kit"); a court report is a social worker's paperwork for a case
    "pe kit": ("uniform",), "p e kit": ("uniform",), "sports kit": ("uniform",), "games kit": ("uniform",),
    "court report": ("courtreport",), "court reports": ("courtreport",), "court statement": ("courtreport",),
    "bank holiday": ("weekend",), "bank holidays": ("weekend",),  # days nothing is sent, like weekends
    # "one of our CIN pupils", "one of my children": a single, identified child among several
    "one of our": ("individual",), "one of my": ("individual",),
    # round 6: a head of year or department is a member of school staff, not the headteacher
    "head of year": ("professional",), "head of yr": ("professional",), "head of years": ("professional",),
    "heads of year": ("professional",), "hoy": ("professional",), "head of department": ("professional",),
    "head of dept": ("professional",), "head of house": ("professional",), "head of key stage": ("professional",),
    "head of ks": ("professional",), "head of sixth form": ("professional", "post16"),
    # "sessions where DSLs can bring cases": a session people come to for advice is a surgery
    "sessions where": ("surgery",), "session where": ("surgery",), "sessions for professionals": ("surgery", "professional"),
    "sessions for schools": ("surgery", "school"), "sessions for dsls": ("surgery", "dsl"),
    # "a CiN kid on my caseload": which child, said by their worker; not the worker's caseload as the subject
    "on my caseload": (), "on our caseload": (), "on my case load": (), "on our case load": (), "on my books": (),
    "in my caseload": (), "open to me": (),
    # "not just the looked after ones", "not only CiC": as well as, not a negation
    "not just": (), "not only": (), "and not just": (), "but not just": (), "not simply": (),
    "does that mean": (), "does this mean": (), "would that mean": (), "so that means": (),  # leads in to the ask
    # money covers a cost: "can PP+ cover his tutoring" is paying for it, not who is covered
    "ppplus cover": ("ppplus", "spend"), "ppplus covers": ("ppplus", "spend"), "ppplus to cover": ("ppplus", "spend"),
    "ppplus be used to cover": ("ppplus", "spend"), "ppplus used to cover": ("ppplus", "spend"),
    # keeping a record of something is tracking it; a reading or spelling age is a measure of learning
    "keep a record of": ("monitor",), "keep records of": ("monitor",), "keep records on": ("monitor",),
    "keep a record on": ("monitor",), "keep a log of": ("monitor",),
    "reading age": ("learning",), "reading ages": ("learning",), "spelling age": ("learning",),
    "spelling ages": ("learning",),
    # round 8: users' wrong names for the Virtual School ("the virtual college", "the virtual academy")
    "virtual college": (VS_MARK,), "virtual colleges": (VS_MARK,), "virtual academy": (VS_MARK,),
    "virtual school team": (VS_MARK,), "virtual schools team": (VS_MARK,), "virtual team": (VS_MARK,),
    # signing up to a session is booking a place at it
    "sign up": ("book",), "sign up to": ("book",), "sign up for": ("book",), "signed up": ("book",),
    "signing up": ("book",), "sign me up": ("book",), "sign us up": ("book",), "enrol on": ("book",),
    # letters: "for instance" introduces an example and says nothing itself; staff development is training
    "for instance": (), "for example": (), "such as": (),
    "staff development": ("training",), "professional development": ("training",),
    "continuing professional development": ("training",),
    "early career teacher": ("staff",), "early career teachers": ("staff",), "ect": ("staff",), "ects": ("staff",),
    "career": ("career",), "careers": ("career",),  # lemminflect offers "care" as its base ("careers advice" is not care)
    "newly qualified teacher": ("staff",), "newly qualified teachers": ("staff",), "nqt": ("staff",), "nqts": ("staff",),
    # a judgement on a school's provision, as Ofsted gives, is an inspection ("the head's judgement" is not)
    "judgement": ("decision",), "judgements": ("decision",), "judgement call": ("decision",),
    "a judgement": ("inspect",), "give us a judgement": ("inspect",), "judgement on our": ("inspect",),
    "grade us": ("inspect",), "grade our": ("inspect",), "rate our": ("inspect",),
    # not on any school's roll is not in education
    "not on any school roll": ("noteducation",), "not on a school roll": ("noteducation",),
    "not on the school roll": ("noteducation",), "not on any roll": ("noteducation",),
    "not on roll anywhere": ("noteducation",), "on no school roll": ("noteducation",), "no school roll": ("noteducation",),
    "not on the roll": ("noteducation",), "taken off roll": ("noteducation",), "taken off the roll": ("noteducation",),
    "not registered at any school": ("noteducation",), "not registered with a school": ("noteducation",),
    # pointing someone to information is signposting; what is on offer locally for SEND is the Local Offer
    "point me to": ("advice",), "point us to": ("advice",), "point them to": ("advice",), "point me towards": ("advice",),
    "point us towards": ("advice",), "point me in the right direction": ("advice",),
    "point us in the right direction": ("advice",), "signpost me": ("advice",), "signpost us": ("advice",),
    "on offer locally": ("localoffer",), "available locally": ("localoffer",), "offer locally": ("localoffer",),
    # "help the school find another way instead of excluding her": alternatives to exclusion
    "find another way": ("alternative",), "find other ways": ("alternative",), "find a different way": ("alternative",),
    "another way forward": ("alternative",),
    # "a phonics catch-up", "is the catch-up working?": a catch-up a school puts in is an intervention
    "a catch up": ("intervention", "gap"), "the catch up": ("intervention", "gap"), "phonics catch up": ("intervention", "gap"),
    "catch up group": ("intervention", "gap"), "catch up groups": ("intervention", "gap"),
    "catch up programmes": ("intervention", "gap"), "catch up intervention": ("intervention", "gap"),
    "catch up interventions": ("intervention", "gap"),
    # "is the locality the one the school is in?": where the school is, not where the child lives
    "the one the school is in": ("schoolsite",), "the area the school is in": ("schoolsite",),
    "the borough the school is in": ("schoolsite",), "the locality the school is in": ("schoolsite",),
    "where the school is based": ("schoolsite",), "where the school sits": ("schoolsite",),
    # forms and clubs in the plural and singular people use
    "admissions forms": ("admission", "apply"), "holiday club": ("outsideschoolday", "club"),
    "fill admissions forms": ("complete", "admission", "apply"), "fill in admissions forms": ("complete", "admission", "apply"),
    # a school's statutory "bits" or "stuff" are its statutory duties
    "statutory bits": ("statutory", "duty"), "statutory stuff": ("statutory", "duty"), "statutory side": ("statutory", "duty"),
    "statutory parts": ("statutory", "duty"), "statutory tasks": ("statutory", "duty"), "statutory work": ("statutory", "duty"),
    # a post left empty until someone is appointed: the professional is absent
    "until we recruit": ("absentstaff",), "until we appoint": ("absentstaff",), "until they recruit": ("absentstaff",),
    "until they appoint": ("absentstaff",), "not appointed": ("absentstaff",), "not recruited": ("absentstaff",),
    "recruit a new": ("absentstaff",), "recruiting a new": ("absentstaff",), "appoint a new": ("absentstaff",),
    # "there's no social worker now", "no longer has a social worker": had one before
    "no longer has a social worker": ("previous", "socialworker"), "no longer have a social worker": ("previous", "socialworker"),
    "no longer has a sw": ("previous", "socialworker"), "no longer open to social care": ("previous", "socialworker"),
    # "as far as the Virtual School is concerned": whose view, not a concern about the child
    "as far as": (), "so far as": (), "as far as the vs is concerned": (), "as far as the virtual school is concerned": (),
    "as far as you are concerned": (), "as far as they are concerned": (), "as far as the la is concerned": (),
    "as far as the council is concerned": (), "as far as vs is concerned": (),
    # round 9: a county is an area like a borough ("county" is not in the lexicon, and was repaired to "count")
    "another county": ("nearby",), "out of county": ("nearby",), "different county": ("nearby",),
    "other county": ("nearby",), "neighbouring county": ("nearby",),
    "county lines": ("exploitation",),  # criminal exploitation, a subject the knowledge base does not cover
    # targets set in a PEP are part of the PEP ("targets" alone is not known, and vetoed the match)
    "pep target": ("pep",), "pep targets": ("pep",), "targets in the pep": ("pep",), "targets on the pep": ("pep",),
    "targets in his pep": ("pep",), "targets in her pep": ("pep",), "targets in their pep": ("pep",),
    "pep goals": ("pep",), "smart targets": ("pep",),
    # babies and toddlers are children of early-years age ("do you cover toddlers" is not "do you cover children")
    "baby": ("child", "earlyyears"), "babies": ("child", "earlyyears"), "toddler": ("child", "earlyyears"),
    "toddlers": ("child", "earlyyears"),
    # homework: a homework club is learning outside the school day; help with homework is teaching the child
    "homework club": ("outsideschoolday", "club"), "homework clubs": ("outsideschoolday", "club"),
    "homework support": ("teach",), "homework help": ("teach",), "help with homework": ("teach",),
    "support with homework": ("teach",), "help with his homework": ("teach",), "help with her homework": ("teach",),
    "help with their homework": ("teach",), "help him with his homework": ("teach",),
    "help her with her homework": ("teach",), "help them with their homework": ("teach",),
    "do homework with": ("teach",), "homework with him": ("teach",), "homework with her": ("teach",),
    # "come meet my yp", "come in and meet him": meeting the child, as "come and see" is
    "come meet": ("direct",), "come to meet": ("direct",), "come in and meet": ("direct",),
    "come over and meet": ("direct",), "come out and meet": ("direct",), "come in to meet": ("direct",),
    "meet my yp": ("direct",), "meet the yp": ("direct",), "meet our yp": ("direct",), "meet the kid": ("direct",),
    "meet the pupil": ("direct",), "meet the student": ("direct",),
    # "refer a CP child" is a referral of a child on a plan; a child protection referral is a safeguarding referral
    "child protection referral": ("safeguarding", "refer"), "child protection referrals": ("safeguarding", "refer"),
    "cp referral": ("safeguarding", "refer"), "cp referrals": ("safeguarding", "refer"),
    "safeguarding referral": ("safeguarding", "refer"), "safeguarding referrals": ("safeguarding", "refer"),
    "make a child protection referral": ("safeguarding", "refer"),
    # a school's safeguarding procedures or policy are safeguarding (not the school's processes in general)
    "safeguarding procedures": ("safeguarding",), "safeguarding procedure": ("safeguarding",),
    "safeguarding processes": ("safeguarding",), "safeguarding policy": ("safeguarding",),
    "safeguarding policies": ("safeguarding",), "safeguarding arrangements": ("safeguarding",),
    # "talk to the other professionals", "speak to CAMHS": the Virtual School liaising, not someone getting in touch
    "talk to the other professionals": ("partnership", "professional"),
    "talk to other professionals": ("partnership", "professional"),
    "talk to the professionals": ("partnership", "professional"),
    "speak to the other professionals": ("partnership", "professional"),
    "speak to other professionals": ("partnership", "professional"),
    "talk to other agencies": ("partnership", "professional"),
    "speak to other agencies": ("partnership", "professional"), "talk to camhs": ("partnership", "mentalhealth"),
    "speak to camhs": ("partnership", "mentalhealth"), "speak with camhs": ("partnership", "mentalhealth"),
    # having a say is being heard; someone who "says" something is only reporting it ("my manager says the VS will...")
    "a say": ("listen",), "their say": ("listen",), "his say": ("listen",), "her say": ("listen",),
    "what the child says": ("listen",), "what the young person says": ("listen",),
    "what the yp says": ("listen",), "what the pupil says": ("listen",), "what he says": ("listen",),
    "what she says": ("listen",), "what the kid says": ("listen",), "what children say": ("listen",),
    "what the vs says": ("tell",), "what the virtual school says": ("tell",), "what you say": ("tell",),
    "what the vs tells": ("tell",), "what the officer says": ("tell",), "what vs says": ("tell",),
    "a say in how": ("tell",), "any say in how": ("tell",), "say in how": ("tell",), "any say over how": ("tell",),
    # "heard nothing back", "not heard anything": no news of a referral is its status
    "heard nothing": ("status",), "heard nothing back": ("status",), "not heard back": ("status",),
    "not heard anything": ("status",), "heard back": ("status",), "hear back": ("status",), "hearing back": ("status",),
    "not heard anything back": ("status",), "no reply": ("status",), "no response": ("status",),
    # a session run for a school's staff is training ("run a session for our heads on ...")
    "a session for staff": ("training", "staff"), "a session for our staff": ("training", "staff"),
    "a session for our heads": ("training", "staff"), "a session for heads": ("training", "staff"),
    "a session for teachers": ("training", "staff"), "a session for our teachers": ("training", "staff"),
    "a session for governors": ("training", "governor"), "a session for our governors": ("training", "governor"),
    "a session for our dsls": ("training", "dsl"), "a session for dsls": ("training", "dsl"),
    "twilight session": ("training",),
    "twilight training": ("training",),
    # a child "not attending" is an attendance concern ("not attending school" is not in education, above)
    "not attending": ("attendance",), "is not attending": ("attendance",),
    # a strategy meeting in the plural is still a child protection meeting (not the VS's strategic role)
    "strategy meetings": ("cpmeeting",), "strategy discussion": ("cpmeeting",), "strategy discussions": ("cpmeeting",),
    "strat meeting": ("cpmeeting",), "strategy mtg": ("cpmeeting",),
    # a child educated at home is not in education at a setting ("home" is not a home visit)
    "home educated": ("noteducation",), "home educating": ("noteducation",), "home schooled": ("noteducation",),
    "homeschooled": ("noteducation",), "home schooling": ("noteducation",), "homeschooling": ("noteducation",),
    "home ed": ("noteducation",), "electively home educated": ("noteducation",),
    # an annual review is the EHCP's yearly review, not a PEP review
    "annual review": ("ehcp",), "annual reviews": ("ehcp",), "ehcp annual review": ("ehcp",),
    "ehcp review": ("ehcp",), "ehcp reviews": ("ehcp",),
}
# "it's fine", "is that fine?", "fine to use PP+ for...": the adjective, not a fixed penalty notice ("fine parents")
for _lead in ("is", "that", "it", "this", "be", "are", "was", "seems", "sounds", "looks", "all", "perfectly",
              "totally", "absolutely", "quite", "ok", "okay", "thats", "its", "s"):
    _PHRASES_SOURCE.setdefault(f"{_lead} fine", ())
for _next in ("to", "if", "with", "by"):
    _PHRASES_SOURCE.setdefault(f"fine {_next}", ())
for _lead in ("a", "the", "any", "get", "issue", "issued", "gets"):  # "a fine if he misses school": the penalty
    _PHRASES_SOURCE.setdefault(f"{_lead} fine", ("penalty",))
# "is he one of the children the VS is responsible for?": whether a child is covered, not what the VS's role is
for _one in ("one of the children", "one of the kids", "one of the pupils", "one of the young people", "one of the ones",
             "one of the cohort", "among the children", "one of those children", "one of the children that",
             "one of the children who", "one of the kids that"):
    for _who in ("the vs", "vs", "the virtual school", "virtual school", "you", "they", "you guys", "the team"):
        for _are in ("is", "are", "would be", "will be"):
            _PHRASES_SOURCE.setdefault(f"{_one} {_who} {_are} responsible for", ("child", "include"))
    _PHRASES_SOURCE.setdefault(f"{_one} you cover", ("child", "include"))
    _PHRASES_SOURCE.setdefault(f"{_one} the vs covers", ("child", "include"))
# "write the PEP", "writes his PEP": completing it, as "fill in the PEP" is ("write" alone
# stays the everyday word it is: "write to the school")
for _verb in ("write", "writes", "wrote"):
    for _det in ("", "the ", "a ", "his ", "her ", "their ", "our ", "my ", "this "):
        for _doc in ("pep", "peps"):  # (not "write my report": a pupil asking for help with their work)
            _PHRASES_SOURCE.setdefault(f"{_verb} {_det}{_doc}", ("complete", "pep"))
# "mentor kids", "coaching him": the Virtual School mentoring a child is direct work with the child
for _verb in ("mentor", "mentors", "mentoring", "coach", "coaches", "coaching"):
    for _child in ("kids", "children", "the child", "the kid", "a child", "him", "her", "them", "the yp", "my yp",
                   "young people", "the young person", "pupils", "the pupil", "students", "the student",
                   "our kids", "my child", "the children", "cic", "lac"):
        _PHRASES_SOURCE.setdefault(f"{_verb} {_child}", ("direct", "child"))
# "sending her home for good", "excluded for good": for good is for ever, a permanent exclusion
for _verb in ("sends", "sent", "sending"):  # ("send him" is read before phrases are)
    for _who in ("him", "her", "them", "the child", "the pupil"):
        _PHRASES_SOURCE[f"{_verb} {_who} home for good"] = ("permanent", "exclusion")
for _verb in ("excluded", "exclude", "excluding", "kicked out", "kick him out", "kick her out"):
    _PHRASES_SOURCE.setdefault(f"{_verb} for good", ("permanent", "exclusion"))
# round 10: "fill the application in", "fill his forms out": completing a form, with the form between "fill" and
# "in / out" (the table above has "fill in the ..." and "fill it in")
for _verb in ("fill", "fills", "filling", "filled"):
    for _det in ("the", "a", "an", "his", "her", "their", "our", "my", "this", "that", "any", "these", "those"):
        for _form, _concepts in (("application", ("complete", "apply")), ("applications", ("complete", "apply")),
                                 ("application form", ("complete", "apply")), ("application forms", ("complete", "apply")),
                                 ("admission form", ("complete", "admission")), ("admissions form", ("complete", "admission")),
                                 ("form", ("complete",)), ("forms", ("complete",)), ("paperwork", ("complete",))):
            _PHRASES_SOURCE.setdefault(f"{_verb} {_det} {_form}", _concepts)
# "when do we get paid?", "is my pay late?": a person's own pay (wages), which is not Pupil Premium Plus money ("can PP+
# pay for...", "is PP+ paid for...") — read as a word no entry has, so such a question is out of scope
for _who in ("i", "we", "you", "staff", "carers", "foster carers"):
    for _verb in ("get", "gets", "getting", "got", "be", "are", "am", "is", "was", "were", "been"):
        _PHRASES_SOURCE.setdefault(f"{_who} {_verb} paid", ("wages",))
    for _verb in ("are", "am", "is", "were", "was", "will"):  # "when are we paid?", "when will staff be paid?"
        _PHRASES_SOURCE.setdefault(f"{_verb} {_who} paid", ("wages",))
        _PHRASES_SOURCE.setdefault(f"{_verb} {_who} be paid", ("wages",))
for _whose in ("my", "our", "your"):
    for _what in ("pay", "wages", "wage", "salary", "pay slip", "payslip"):
        _PHRASES_SOURCE.setdefault(f"{_whose} {_what}", ("wages",))
_PHRASES_SOURCE.update({"pay day": ("wages",), "payday": ("wages",), "pay date": ("wages",)})
# "till we recruit", "while the school appoints": a post left empty until someone is appointed, as "until we recruit"
# in the table above (the professional is absent); left as words, "recruit" read as a subject no entry has
for _until in ("till", "until", "til", "while", "whilst"):
    for _who in ("we", "they", "the school", "school"):
        for _verb in ("recruit", "recruits", "appoint", "appoints", "hire", "replace them", "replace him",
                      "replace her", "find a replacement", "get a replacement"):
            _PHRASES_SOURCE.setdefault(f"{_until} {_who} {_verb}", ("absentstaff",))
# "children in year 6": a year group, not an in-year admission ("in year" alone is; the longer phrase is read first)
for _group in range(1, 14):
    _PHRASES_SOURCE.setdefault(f"in year {_group}", ())
# "the PEP review is die next week": "die" typed for "due" (u and i are neighbours on a keyboard), only after a verb
# where "die" cannot be meant ("is die", "are die"); "due" stays an everyday word (GENERIC below), as when typed
for _lead in ("is", "are", "was", "were", "be", "being", "its", "it s"):
    _PHRASES_SOURCE.setdefault(f"{_lead} die", ("due",))
# "pick up the designated teacher's responsibilities", "take over the DT role": doing another professional's job
for _role, _concept in (("dt", "dt"), ("designated teacher", "dt"), ("social worker", "socialworker"),
                        ("sw", "socialworker"), ("dsl", "dsl"), ("iro", "iro"), ("senco", "send")):
    for _lead in ("pick up the", "take over the", "step into the", "fill the", "cover the role of the",
                  "take on the"):
        _PHRASES_SOURCE.setdefault(f"{_lead} {_role}", ("takeon", _concept))

# "send" is also a verb ("send a referral"): only the SEND meaning becomes a concept.
_SEND_VERB_NEXT = frozenset({"a", "an", "the", "it", "me", "you", "them", "this", "that", "my", "our",
                             "your", "in", "over", "off", "email", "emails", "referral", "referrals",
                             "him", "her", "us", "out", "back", "through", "to"})


# "send a tutor", "send someone round": who is sent (then "send" means providing a person).
_SENT_PEOPLE = frozenset({"tutor", "tutors", "teacher", "teachers", "someone", "somebody", "anyone", "worker",
                          "workers", "officer", "mentor", "staff", "person", "colleague", "member"})
_SEND_VERB_NEXT = _SEND_VERB_NEXT | {"someone", "somebody", "anyone", "one", "some"}


def _build_phrases(source: dict[str, tuple[str, ...]]) -> dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]]:
    index: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for phrase, concepts in source.items():
        words = tuple(british(w) for w in surface_tokens(phrase))
        index.setdefault(words[0], []).append((words, concepts))
    for options in index.values():
        options.sort(key=lambda option: -len(option[0]))  # longest first
    return index


# "cover the DT stuff", "be the social worker": doing another professional's job.
for _role, _concept in (("dt", "dt"), ("designated teacher", "dt"), ("social worker", "socialworker"),
                        ("sw", "socialworker"), ("dsl", "dsl"), ("iro", "iro"), ("senco", "send")):
    for _lead in ("cover the", "cover for the", "do the", "be the", "act as the", "replace the", "stand in for the"):
        _PHRASES_SOURCE[f"{_lead} {_role}"] = ("takeon", _concept)
    # "do the sw and the DT both get pinged?": "do" asking a question of them, not doing their job (the longer phrase
    # is read first)
    for _next in ("get", "gets", "both", "also", "hear", "receive", "know", "see", "have", "need", "want"):
        _PHRASES_SOURCE[f"do the {_role} {_next}"] = (_concept,)

# "does the VS care about what the young person thinks?": what a child thinks or feels is their views (the child's voice)
for _verb in ("thinks", "think", "feels", "feel"):
    for _who in ("the child", "the young person", "the yp", "the pupil", "the student", "the kid", "the children",
                 "the young people", "the pupils", "the students", "the kids", "children", "young people", "kids",
                 "pupils", "students"):
        _PHRASES_SOURCE.setdefault(f"what {_who} {_verb}", ("child", "listen"))
    for _who in ("he", "she", "they"):
        _PHRASES_SOURCE.setdefault(f"what {_who} {_verb}", ("listen",))

# "never had ANY social care involvement", "not had any social worker": having no social worker, however it is put
# (the table above lists the common forms; these are the same with "any" or "ever" in them).
for _lead in ("never had any", "not had any", "not got any", "not have any", "never had any kind of", "never any",
              "not any", "without any", "no", "never had", "not had", "never ever had", "not ever had"):
    for _what in ("social worker", "social workers", "sw", "sws", "social care", "social care involvement",
                  "social worker involvement", "sw involvement", "involvement from social care",
                  "involvement with social care"):
        _PHRASES_SOURCE.setdefault(f"{_lead} {_what}", ("nosocialworker",))

PHRASES = _build_phrases(_PHRASES_SOURCE)
CONCEPTS: frozenset[str] = frozenset(c for concepts in _PHRASES_SOURCE.values() for c in concepts)
PHRASE_WORDS: frozenset[str] = frozenset(w for options in PHRASES.values() for words, _ in options for w in words)
# The same phrases looked up by their first two words, then by their words, one table per length, and the one-word
# ones apart: a word that starts hundreds of phrases ("the", "do") is compared only with those its next word can
# continue, and a pair that starts hundreds ("one of ...") costs one lookup per length. Longest first still: every
# phrase of two words or more is tried before a one-word one; of the same words, the first in PHRASES' order.
_PHRASES_BY_PAIR: dict[tuple[str, str], list[tuple[int, dict[tuple[str, ...], tuple[str, ...]]]]] = {}
_ONE_WORD_PHRASES: dict[str, tuple[str, ...]] = {}


def _index_phrases() -> None:
    by_pair: dict[tuple[str, str], dict[int, dict[tuple[str, ...], tuple[str, ...]]]] = {}
    for first, options in PHRASES.items():
        for words, concepts in options:
            if len(words) == 1:
                _ONE_WORD_PHRASES.setdefault(first, concepts)  # (the first, as the loop over PHRASES would take)
            else:
                by_pair.setdefault((first, words[1]), {}).setdefault(len(words), {}).setdefault(words, concepts)
    for pair, tables in by_pair.items():
        _PHRASES_BY_PAIR[pair] = sorted(tables.items(), key=lambda item: -item[0])


_index_phrases()


def apply_phrases(tokens: list[str]) -> list[tuple[str, bool]]:
    """(token, is_concept) pairs: phrases replaced by concept tokens, the other words kept."""
    out: list[tuple[str, bool]] = []
    i = 0
    count = len(tokens)
    while i < count:
        token = tokens[i]
        if token == "send" and i + 1 < count and tokens[i + 1] in _SEND_VERB_NEXT:
            # "send a tutor round", "send someone out": providing a person, not sending a referral
            sends_person = bool(_SENT_PEOPLE.intersection(tokens[i + 1:i + 3]))
            out.append(("provide" if sends_person else "send_verb", False))
            i += 1
            continue
        longer = _PHRASES_BY_PAIR.get((token, tokens[i + 1]), ()) if i + 1 < count else ()
        for length, table in longer:
            concepts = table.get(tuple(tokens[i:i + length]))
            if concepts is not None:
                out.extend((c, True) for c in concepts)
                i += length
                break
        else:
            one = _ONE_WORD_PHRASES.get(token)
            out.extend(((c, True) for c in one) if one is not None else ((token, False),))
            i += 1
    return out


# --- 5. ages, stopwords, synonyms, stemming -------------------------------------------------------------

_YEAR_GROUP = frozenset({"year", "yr", "y", "ks"})
_AGE_AFTER = frozenset({"year", "years", "yr", "yrs", "yo", "month", "months"})
_AGE_BEFORE = frozenset({"aged", "age", "ages", "over", "under", "above", "below"})
# "lad is 19 now", "turned 18": an age when the number is a plausible age for these words.
_AGE_BEFORE_LOOSE = frozenset({"is", "turn", "turned", "turns", "turning", "now", "im", "am",
                               "one"})  # "two brothers, one 17 at college and one 19"


def age_concept(tokens: list[tuple[str, bool]], i: int) -> str | None:
    """A number used as an age becomes the age band the knowledge base talks about."""
    token, _ = tokens[i]
    if not token.isdigit():
        return None
    after = tokens[i + 1][0] if i + 1 < len(tokens) else ""
    before = tokens[i - 1][0] if i > 0 else ""
    loose = before in _AGE_BEFORE_LOOSE and 16 <= int(token) <= 25 and after not in {"percent", "hours", "hour", "hrs",
                                                                                     "hr", "days", "weeks", "sessions",
                                                                                     "minute", "minutes", "mins", "min"}
    if after not in _AGE_AFTER and before not in _AGE_BEFORE and not loose:
        return None
    if i + 2 < len(tokens) and tokens[i + 2][0] == "ago":  # "3 years ago" is a time, not an age
        return None
    age = int(token)
    if before in {"over", "above"} and age >= 18:
        return "over18"
    if age <= 4:
        return "earlyyears"
    if 16 <= age <= 18:
        return "post16"
    if 19 <= age <= 30:
        return "over18"
    return None


STOPWORDS: frozenset[str] = frozenset("""
a an the is are was were be been being am do does did doing done can could would will shall should may might
must you your yours u ya yall y all we us our ours i me my mine im ive id he she they them their his her hers
him it its this that these those there here what whats which who whom whose when where why how of to in on at
by for with w from about as into onto and or but if so than too very just also any some please pls plz hi
hello hey thanks thank cheers ok okay yes know want wondering wonder question quick like let lets get gets
got getting go going goes really actually currently anyone someone somebody something anything one ones
thing things stuff kind sort dont doesnt isnt arent wont cant re regarding per via etc e g ie eg
year years yr yrs yo month months now still ever even well already yet m s t d ll ve re
allow allowed allows able permitted possible has had having wo ca sha instead another
hiya morning afternoon evening dear folks once yourself yourselves myself ourselves themselves itself himself herself
theyve weve youve shes hes thats theres isnt wont cant shouldnt wouldnt couldnt hasnt havent didnt wasnt werent
youre theyre ur yeah yep yea ye asap tho til cos coz cuz bc tbh fyi btw thx ta lol guys lot ks
r n mon tues weds thurs fri sat jan feb mar apr jun jul aug oct nov dec xmas easter meanwhile whove wud cud shud
whether
""".split())
# Kept although common: not / no / without (negation matters: "no social worker"), and words
# the knowledge base needs such as "school", "help", "role".

# Synonyms and word forms folded to one canonical word (applied before stemming).
LEMMAS: dict[str, str] = {}


def _lemma_group(canonical: str, *forms: str) -> None:
    for form in (canonical, *forms):
        LEMMAS[form] = canonical


for _group in (
    ("not", "no", "without", "never", "non", "nor", "none"),
    ("education", "edu", "educ"),  # "edu advice": education typed short
    ("child", "children", "kid", "kids", "pupil", "pupils", "student", "students", "learner", "learners",
     "lad", "lads", "lass", "lasses", "bairn", "bairns", "kiddo", "kiddos", "yps", "kiddies", "stepson", "stepdaughter",
     "young", "yp", "cyp", "person", "people", "cld", "chld", "chn", "son", "daughter", "boy", "girl", "baby", "babies",
     "toddler", "toddlers", "teen", "teenager", "teenagers", "youngster", "youngsters", "nephew", "niece",
     "grandson", "granddaughter", "grandchild", "grandchildren", "sibling", "siblings"),
    ("parent", "parents", "mum", "mums", "dad", "dads", "mother", "mothers", "father", "fathers",
     "guardian", "guardians", "parental"),
    ("carer", "carers", "caregiver", "caregivers"),
    ("foster", "fostering", "fostered"),
    ("family", "families", "household", "households", "relative", "relatives", "grandparent", "grandparents",
     "grandmother", "grandfather", "grandma", "grandad", "granddad", "nan", "nana", "aunt", "auntie", "uncle",
     "aunty", "gran", "granny", "nanna", "grandparents", "husband", "wife", "sister", "brother", "sisters", "brothers",
     "cousin", "cousins"),
    ("adopt", "adopted", "adoption", "adoptions", "adopting", "adoptive"),
    ("support", "supports", "supporting", "supported", "help", "helps", "helping", "helped", "assist",
     "assistance", "assisting", "aid"),
    ("provide", "provides", "providing", "provided", "provision", "offer", "offers", "offering", "offered",
     "give", "gives", "giving", "given", "gave"),
    ("monitor", "monitors", "monitoring", "monitored", "track", "tracks", "tracking", "tracked", "oversee",
     "oversees", "overseeing", "overview", "check", "checks", "checking", "checked", "review", "reviews",
     "reviewing", "reviewed", "records"),
    ("report", "reports", "reporting", "reported"),
    ("teach", "teaches", "teaching", "taught", "tutor", "tutors", "tutoring", "tuition", "lesson", "tutored",
     "lessons", "teacher", "teachers"),
    ("deliver", "delivers", "delivering", "delivered", "run", "runs", "running", "ran", "conduct"),
    ("chair", "chairs", "chairing", "chaired"),
    ("meeting", "meetings", "mtg", "mtgs"),
    ("spend", "spends", "spending", "spent", "fund", "funds", "funding", "funded", "pay", "pays", "paying",
     "paid", "buy", "buys", "buying", "purchase", "money"),
    ("include", "includes", "including", "included", "covered", "count", "counts", "counted", "eligible",
     "eligibility", "cohort", "cohorts", "remit", "cover", "covers"),
    ("refer", "refers", "referral", "referrals", "referring", "referred"),
    ("exclusion", "exclusions", "exclude", "excludes", "excluded", "excluding"),
    ("suspension", "suspensions", "suspend", "suspends", "suspended", "suspending"),
    ("attendance", "attendances", "absence", "absences", "absent", "nonattendance", "truancy", "truant",
     "truanting"),
    ("inspect", "inspects", "inspection", "inspections", "inspecting", "inspector", "inspectors",
     "inspectorate", "judge"),
    ("curriculum", "curricula", "curriculums", "syllabus"),
    ("tell", "tells", "telling", "told", "instruct", "instructs", "instructing", "order", "orders",
     "ordering", "dictate", "force"),
    ("overrule", "overrules", "overturn", "overturns", "overturning", "reverse", "reverses", "override",
     "overrides", "undermine", "undermines", "undermining", "veto", "appeal", "appeals", "block", "blocks", "blocked",
     "blocking"),
    ("shape", "shapes", "shaped", "shaping", "reshape", "reshapes", "reshaped", "reshaping", "redesign", "redesigns",
     "restructure", "restructures", "overhaul", "overhauls"),
    ("decision", "decisions", "decide", "decides", "decided", "deciding"),
    ("ignore", "ignores", "ignoring", "ignored", "bypass", "bypasses", "bypassing", "disregard",
     "disregards", "sidestep", "sidesteps"),
    ("apply", "applies", "applied", "applying", "application", "applications"),
    ("admission", "admissions", "admit", "admitted", "transfer", "transfers", "enrol", "enrolment"),
    ("transport", "taxi", "taxis", "cab", "bus", "buses", "minibus", "travel", "travelling", "drive",
     "drives", "driving", "lift", "lifts", "escort", "escorts", "escorting"),
    ("visit", "visits", "visiting", "visited", "tour"),
    ("role", "roles", "job", "jobs", "function", "responsibility", "responsibilities", "responsible",
     "duty", "duties", "obligation", "obligations"),
    ("statutory", "legal", "legally", "law"),
    ("advice", "advise", "advises", "advising", "advised", "signpost", "signposts", "signposting",
     "recommend", "recommends", "information", "info", "consult"),
    ("guidance", "guide", "guides", "document", "documents", "toolkit"),
    ("advocate", "advocates", "advocating", "advocacy", "champion", "champions", "championing",
     "represent", "represented", "representing"),
    ("listen", "listens", "listening", "hear", "hears", "heard", "voice", "voices", "views", "wishes",
     "feelings", "opinion", "opinions"),
    ("aspiration", "aspirations", "aspirational", "ambition", "ambitions", "ambitious", "expectations"),
    ("ensure", "ensures", "ensuring", "ensured"),
    ("quality", "standard", "standards", "good"),
    ("intervention", "interventions", "programme", "programmes"),
    ("behaviour", "behaviours", "behavioural"),
    ("policy", "policies", "rules", "rule"),
    ("training", "train", "trains", "trained", "cpd", "course", "courses", "workshop", "workshops"),
    ("surgery", "surgeries", "clinic", "clinics", "dropin", "slot", "slots"),
    ("book", "books", "booking", "bookings", "booked", "reserve", "reserved"),
    ("network", "networks", "networking"),
    ("waitlist", "waitlists", "waitlisted", "queue"),
    ("full", "oversubscribed"),
    ("locality", "localities", "area", "areas", "patch", "patches", "district", "districts", "region",
     "borough", "zone", "county", "counties"),
    ("address", "postcode", "postcodes", "addresses", "reside", "resides", "residence"),
    ("officer", "officers", "worker", "caseworker"),
    ("allocate", "allocated", "allocation", "allocates", "assigned", "assign", "route", "routes", "routed", "routing"),
    ("team", "teams", "service", "services", "department"),
    ("contact", "contacts", "contacting", "call", "phone", "ring", "email", "emails"),
    ("ask", "asks", "asking", "asked", "request", "requests", "requesting", "requested"),
    ("staff", "human"),
    ("status", "update", "updates", "accepted", "follow"),
    ("progress", "progressing", "academic", "academically", "attainment", "outcomes", "outcome", "achievement", "results", "achieve",
     "achieving"),
    ("gap", "gaps", "catchup", "narrow", "narrowing"),
    ("mentalhealth", "emotional"),
    ("therapy", "therapies", "counselling", "counsellor", "counsellors", "therapist", "therapists", "counseling",
     "therapeutic", "psychotherapy"),
    ("safeguarding", "safeguard", "safeguarded", "safety", "safe", "danger", "abuse", "harm"),
    ("concern", "concerns", "concerned", "worry", "worries", "worried", "issue", "issues", "disclosure",
     "disclosures", "allegation", "allegations"),
    ("penalty", "penalties", "fine", "fines", "fined", "prosecute", "prosecutes", "prosecution",
     "court", "enforce", "enforcement", "enforces"),
    ("uniform", "uniforms", "blazer", "blazers", "shoes", "trainers", "kit", "coat", "coats", "jumper", "jumpers",
     "clothes", "clothing"),
    ("food", "meal", "meals", "lunch", "lunches", "snack", "snacks", "breakfast", "breakfasts", "dinner", "dinners"),
    ("trip", "trips", "excursion", "excursions", "outing", "outings", "residential", "residentials"),
    ("club", "clubs"),
    ("activity", "activities", "enrichment", "extracurricular", "extra"),
    ("hour", "hours", "hrs", "hr"),
    ("week", "weeks", "weekly", "wk", "wks"),
    ("weekend", "weekends"),
    ("caseload", "caseloads", "workload", "workloads", "task", "tasks"),  # a professional's own work
    ("section", "sections", "part", "parts"),  # "the school's section of the PEP" ("part of..." is dropped, above)
    ("busy", "swamped", "overloaded", "overwhelmed", "overstretched", "stretched"),  # why someone asks for cover
    ("term", "terms", "termly"),
    ("timetable", "timetables", "timetabled"),
    ("governor", "governors", "governing"),
    ("partnership", "partnerships", "partner", "partners", "links", "link", "relationship", "collaborate",
     "collaborates", "collaboration", "together", "alongside", "joint", "jointly"),
    ("communication", "communicate", "communicates", "communicating"),
    ("school", "schools", "setting", "settings", "secondary", "primary", "secondaries", "primaries", "infants",
     "juniors", "classroom", "classrooms"),
    ("academy", "academies"),
    ("college", "colleges"),
    ("nursery", "nurseries"),
    ("university", "uni", "universities", "adult", "adults"),
    ("independent", "private"),
    ("professional", "professionals", "practitioner", "practitioners", "agencies", "agency", "colleague",
     "colleagues"),
    ("accountable", "accountability", "account", "challenge", "challenges", "challenging"),
    ("placement", "placements", "placed"),
    ("involve", "involved", "involvement", "involves", "involving"),
    ("prevent", "prevents", "preventing", "avoid", "avoiding", "stop", "stops", "stopping", "reduce",
     "reducing", "lower", "cut"),
    ("alternative", "alternatives", "option", "options", "solution", "solutions"),
    ("barrier", "barriers", "obstacle", "obstacles"),
    ("access", "accessing", "accesses", "accessed"),
    ("risk", "risks", "likely"),
    ("previous", "previously", "past", "ago", "formerly", "former", "closed", "ended", "historic",
     "history"),
    ("learning", "learn", "learns", "maths", "math", "english", "reading", "writing", "science", "phonics",
     "chemistry", "physics", "biology", "geography", "coursework",
     "literacy", "numeracy", "subject", "subjects", "gcse", "gcses", "exam", "exams"),
    ("individual", "individually", "each", "every", "specific", "particular"),
    ("new", "newly", "first", "initial", "start", "started", "starting", "begin", "deadline",
     "timescale", "timescales", "soon", "within"),
    ("strategic", "strategy", "strategically"),
    ("consultation", "consultations", "strategies", "approaches", "approach"),
    ("data", "figures", "statistics", "stats"),
    ("trauma", "attachment"),
    ("complete", "completes", "completing", "completed"),
    ("arrange", "arranges", "arranging", "arranged", "organise", "organises", "organising", "organised"),
    ("cancel", "cancels", "cancelled", "cancelling", "cancellation", "cancellations"),
    ("since", "2021", "extended", "extension", "sincewhen"),
    ("2024", "september", "sept"),
    ("send_verb", "submit", "submits", "submitting", "sending", "sends", "sent"),
    ("process", "procedure", "procedures"),
    ("change", "changes", "changed", "changing", "alters", "altered", "amends", "amended", "rewrites", "rewritten",
     "redone"),
    ("direct", "directly"),
    ("lead", "leads", "leader", "leaders", "leading"),
):
    _lemma_group(*_group)



def stem(token: str) -> str:
    """Canonical form: synonym table first, then light suffix stripping (same on both sides)."""
    if token in LEMMAS:
        return LEMMAS[token]
    if token.isdigit() or len(token) <= 3:
        return token
    base = token
    if base.endswith("ies") and len(base) > 4:
        base = base[:-3] + "y"
    elif base.endswith("sses"):
        base = base[:-2]
    elif base.endswith("s") and not base.endswith(("ss", "us", "is")):
        base = base[:-1]
    if base in LEMMAS:
        return LEMMAS[base]
    for suffix in ("ing", "ed"):
        if base.endswith(suffix) and len(base) - len(suffix) >= 4:
            base = base[: -len(suffix)]
            break
    if base in LEMMAS:
        return LEMMAS[base]
    if base.endswith("e") and len(base) > 4:
        base = base[:-1]
    return token if base in CONCEPTS else base  # "place" must not become the concept "plac"


# Everyday words (after stemming) that say little about *which* question is asked. A small knowledge
# base uses each of them only once or twice, so plain IDF would overrate them ("come", "time");
# the matcher scales their weight down (see matcher.GENERIC_WEIGHT).
GENERIC: frozenset[str] = frozenset(stem(w) for w in """
come go goes went gone get find happen happens happened time times way ways thing things need needs
needed want look looking see seeing sees put puts keep keeps kept out up down off back other others
more most much many lot lots something someone anyone morning afternoon evening day days
today tomorrow session sessions work works worked working able try tries trying mean means sure
only want wants wanted next behalf
better best worse worst poor poorly local half whole big small large little high low right wrong usual usually
normal normally general generally different same certain main real really simple easy hard quick quickly
early late last lately recent recently soon current currently possible probably maybe often always sometimes
suggest suggests suggested idea ideas use uses used using tell entitled entitlement basically exactly
ok okay fine bit kind type types sort part parts whether moment moments handle handles deal deals
""".split() + sorted(COMMON_WORDS)) - set(LEMMAS.values()) - CONCEPTS | {"week", "term", "year", "month", "due"}


# Words we modelled on purpose (concepts and the canonical word of each synonym group): a match must
# rest on at least one of them, not only on an incidental word such as "write" or "pick".
DOMAIN: frozenset[str] = frozenset((set(CONCEPTS) | set(LEMMAS.values()) | {VS_CONCEPT}) - GENERIC - {VS_MARK})


# --- the normaliser ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Normalised:
    """A question after normalisation."""

    tokens: tuple[str, ...]  # content tokens (concepts, stemmed words), in order, duplicates kept
    corrections: tuple[tuple[str, str], ...] = ()  # (typed word, word it was read as)


class Normaliser:
    """Normalises text; knows the knowledge base's vocabulary so it can repair typos against it."""

    def __init__(self, corpus: Iterable[str]):
        counts: Counter[str] = Counter()
        for text in corpus:
            counts.update(british(t) for t in surface_tokens(text))
        known = (set(counts) | set(STOPWORDS) | set(LEMMAS) | PHRASE_WORDS | set(SPELLING.values()) | COMMON_WORDS
                 | PLACE_NAMES | OTHER_SUBJECTS)
        self.known_words: frozenset[str] = frozenset(known)
        # Words with a meaning of their own here (not only as part of a phrase such as "emotionally based
        # school avoidance"): another form of a word is read as one of these.
        self._meaningful: frozenset[str] = frozenset(known - (PHRASE_WORDS - set(counts) - set(LEMMAS) - COMMON_WORDS))
        self._known_stems: frozenset[str] = frozenset(stem(w) for w in known)
        # Candidates for typo repair: content words long enough to be worth repairing (never a
        # stopword: "repairing" an unknown word into one would silently delete it), grouped by first
        # letter (typos rarely change it), most frequent first so ties go to the word the knowledge
        # base uses most (deterministic).
        candidates = sorted((w for w in known if w.isalpha() and len(w) >= 4 and w not in STOPWORDS),
                            key=lambda w: (-counts.get(w, 0), w))
        self._candidates: dict[str, list[str]] = {}
        for word in candidates:
            self._candidates.setdefault(word[0], []).append(word)
        # Typos of everyday little words ("wolud", "coudl", "theie") are repaired too, last and only one edit away:
        # left as they are they read as unknown nouns, which say "not our subject" (measured with typos put into
        # the evaluation sets); read as what they are, they drop out like the word would.
        self._little_words: dict[str, list[str]] = {}
        for word in sorted(w for w in STOPWORDS if w.isalpha() and len(w) >= 4):
            self._little_words.setdefault(word[0], []).append(word)
        self._repair = lru_cache(maxsize=8192)(self._repair_uncached)
        # Stems of real English words the knowledge base doesn't know and that cannot be nouns ("outgrown",
        # "require"): they qualify an ask without changing its subject (english.py; the matcher weighs them
        # as everyday words). Filled as questions are read; bounded by the English lexicon.
        self.everyday: set[str] = set()
        english.warm_up()

    def normalise(self, text: str, *, repair: bool = True) -> Normalised:
        if repair:  # a question: a capitalised word we don't know, mid-sentence, is a name or a place
            text = _PROPER_NOUN.sub(lambda m: m.group(0) if all(w in self.known_words for w in
                                                                m.group(2).lower().replace("-", " ").split())
                                    else m.group(1), text or "")
        # A word typed in capitals ("LADO", "NEET") is an acronym, known or not, never a typo to repair.
        acronyms = {w.lower() for w in _CAPITALS.findall(text or "")} if repair else set()
        # (not in surface_tokens: the phrase table's own "take on" must keep its meaning)
        text = _TAKE_ON_A_CASE.sub(" takecase ", (text or "").lower())
        words = [british(t) for t in surface_tokens(text)]
        corrections: list[tuple[str, str]] = []
        if repair:
            repaired: list[str] = []
            for word in words:
                fixed, typo = (word, False) if word in acronyms else self._repair(word)
                if typo:
                    corrections.append((word, fixed))
                repaired.extend(fixed.split())  # a compound split in two is two words
            words = repaired
        return Normalised(tokens=tuple(content_tokens(words, self._rebase if repair else None)),
                          corrections=tuple(corrections))

    @lru_cache(maxsize=4096)  # noqa: B019 - one normaliser per knowledge base, kept for its life
    def _rebase(self, word: str) -> str:
        """A word known only inside a phrase ("emotionally" in "emotionally based school avoidance"), left over
        when the phrase is not there: another form of a word that means something alone ("emotional")."""
        if word in self._meaningful or not word.isalpha():
            return word
        for base in english.base_forms(word):
            if british(base) in self._meaningful:
                return british(base)
        return word

    def _repair_uncached(self, word: str) -> tuple[str, bool]:
        """(the word as read, whether it was a typo) for a word of a question."""
        if word in self._meaningful or not word.isalpha():
            return word, False
        if word in self.known_words:  # known only inside a phrase (see _rebase)
            return word, False
        if word.endswith("in") and len(word) >= 5 and (word + "g" in self.known_words
                                                        or stem(word + "g") in self._known_stems):
            return word + "g", True  # a dropped g: "strugglin", "somethin", "tutorin"
        if stem(word) in self._known_stems:  # another form of a known word ("worked"), not a typo
            return word, False
        if english.is_english(word):  # a real word is not a typo ("claiming" is not "chairing")
            for base in english.base_forms(word):
                base = british(base)
                if base in self._meaningful or stem(base) in self._known_stems:
                    return base, False  # "outgrew" -> "outgrow", "requires" -> "require", "attenders" -> "attend"
            if not english.can_be_noun(word):
                self.everyday.add(stem(word))
            return word, False
        if len(word) < 4:
            return word, False
        joined = self._split_compound(word)
        if joined is not None:
            return joined, True
        # A four-letter word can be a five-letter word with a letter dropped ("ordr", "trak", "ppil"), nothing else:
        # one changed letter would make an unknown acronym typed in lower case a word ("lado" is not "lads").
        max_edits = 1 if len(word) < 8 else 2
        choices = self._candidates.get(word[0], ())
        if len(word) == 4:
            choices = [c for c in choices if len(c) == 5]
        best = process.extractOne(word, choices, scorer=DamerauLevenshtein.distance, score_cutoff=max_edits)
        if best is None and len(word) >= 5:
            best = process.extractOne(word, self._little_words.get(word[0], ()), scorer=DamerauLevenshtein.distance,
                                      score_cutoff=1)
        return (best[0], True) if best is not None else (word, False)

    def _split_compound(self, word: str) -> str | None:
        """Two words typed as one ("lookedafter", "afterschool", "longterm"): both known, one of them meaning
        something; the most even split wins. Measured by joining the tuning sets' hyphenated words."""
        if len(word) < 6:
            return None
        best = None
        for cut in range(2, len(word) - 1):
            left, right = word[:cut], word[cut:]
            if (left in self.known_words and right in self.known_words
                    and ((left in self._meaningful and left not in STOPWORDS)
                         or (right in self._meaningful and right not in STOPWORDS))):
                if best is None or min(len(left), len(right)) > min(len(best[0]), len(best[1])):
                    best = (left, right)
        return f"{best[0]} {best[1]}" if best is not None else None


def repaired_text(text: str, corrections: tuple[tuple[str, str], ...]) -> str:
    """`text` with each repaired typo replaced by the word it was read as (whole words, any case)."""
    for typed, meant in corrections:
        text = re.sub(rf"(?<![A-Za-z]){re.escape(typed)}(?![A-Za-z])", meant, text, flags=re.IGNORECASE)
    return text


# Names of people and places: said around an ask, never what it is about.
_UNSPOKEN: frozenset[str] = FIRST_NAMES | PLACE_NAMES


def content_tokens(words: list[str], rebase=None) -> list[str]:
    """Phrases -> concepts, then ages, stopwords and stemming. `words` are British-spelt surface words; `rebase`
    reads a word left outside any phrase (Normaliser._rebase)."""
    pairs = apply_phrases(words)
    if rebase is not None:
        pairs = [(token if is_concept else rebase(token), is_concept) for token, is_concept in pairs]
    tokens: list[str] = []
    for i, (token, is_concept) in enumerate(pairs):
        if is_concept:
            if token != VS_MARK:
                tokens.append(token)
            continue
        if token.isdigit() and i > 0 and pairs[i - 1][0] in _YEAR_GROUP:
            continue  # "year 6" is a school year group, not a number the knowledge base uses
        age = age_concept(pairs, i)
        if age:
            tokens.append(age)
        elif token not in STOPWORDS and token not in _UNSPOKEN:  # a person's name or a place says nothing about the topic
            tokens.append(stem(token))
    if not tokens and (VS_MARK, True) in pairs and _WHAT_WORDS.intersection(words):
        tokens.append(VS_CONCEPT)
    if "over18" in tokens and "post16" in tokens:  # "19 now, in sixth form": the age decides
        tokens = [t for t in tokens if t != "post16"]
    return tokens


def comparison_key(text: str) -> tuple[str, ...]:
    """Words of `text` ignoring case, punctuation, US spelling, filler words and "the Virtual School".

    Used to check that evaluation questions are not copies of knowledge-base phrasings: unlike the
    matcher's tokens it keeps every content word as written (no synonyms, no stems).
    """
    words = [british(t) for t in surface_tokens(text)]
    kept: list[str] = []
    i = 0
    while i < len(words):
        if words[i] == "virtual" and i + 1 < len(words) and words[i + 1] in {"school", "schools"}:
            i += 2
            continue
        if words[i] not in STOPWORDS and words[i] not in {"vs", "vsh"}:
            kept.append(words[i])
        i += 1
    return tuple(kept)
