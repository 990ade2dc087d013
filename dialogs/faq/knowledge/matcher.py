"""Answer "does the Virtual School do X?" from the knowledge base, or say honestly that it can't.

How a question is answered (everything but the question's own tokens is precomputed at load):
  1. personal details (a named child, a date of birth, a postcode...) -> never answered, never kept;
     a subject that is clearly not the Virtual School's -> out of scope.
  2. find the ask (asks.py): the clause that asks, split in two when it joins two asks; the rest is
     context. Tokens (normalise.py: spelling, typos, abbreviations, synonyms, stems) from the ask weigh
     fully, context tokens less (more when the ask itself says little: "can you help?").
  3. score every entry with three lexical signals, each in 0..1:
       - best cosine similarity between the weighted question and one of the entry's phrasings (TF-IDF,
         IDF over entries, so words shared by many entries such as "school" weigh little);
       - coverage: the share of the question's (weighted) information found anywhere in the entry;
       - string similarity (rapidfuzz token-sort ratio) between the ask and the closest phrasing;
     score = weighted sum.
  4. answer the question asked: the best entry must be about the same thing — the same kind of action
     (paying for / funding vs doing / providing vs advising) and the same named programme (PP+, EHCP,
     PEP) where the ask names one. Otherwise the next entry that agrees is taken, and if none is close
     enough the answer is "not sure", offering the closest entry (reason "mismatch").
  5. two asks: each is answered; both yes -> yes, both no -> no, otherwise partly, with each part kept
     in Answer.parts. An ask too small to stand alone ("or is that the DT?") is not a second ask; whether some
     children are covered ("are CiN kids covered now?") is one. A part is answered by an entry that speaks of its
     own action, not the one the shared story pulls it to; a part naming who acts ("can school refer instead")
     is read without the people the story names; a parent's part asking to go to the VS themselves gets the
     parents' entry. Two children described together ("two pupils with EHCPs, one on a CP plan and one...")
     are each answered.
  6. a figure in the question outside the entry's condition ("attendance is 92%" against "90% or
     below") turns yes into no, with a note saying why (quantities.py).
  7. a parent asking about their own child (audience.py) is signposted: entries that are true whoever
     asks are answered; a request for help with a child with a social worker gets the parents' entry.

Generalising to words the knowledge base has never seen (round 3):
  * english.py (lemminflect's lexicon, shipped in the package): a real word is never "repaired" into a KB word,
    another form of a KB word is read as it, and an unknown word that cannot be a noun is an everyday word
    (low weight, never a veto). An unknown noun vetoes a match below MIN_COVERAGE_WITH_UNKNOWN only in an open
    question ("when do I get my payment?") or when it is what is paid for; in a yes/no question it is context.
  * a long story weighs at most as much as the ask (CONTEXT_MAX_SHARE); a past year is counted back from today
    for the six-year rule; entries that all agree answer a yes/no question just below the threshold (_consensus);
    a part asking the VS to do something answers "partly" with the entry saying it does not (_not_done).
"""
from __future__ import annotations

import math
import re
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import accumulate, chain, islice, zip_longest
from operator import itemgetter
from typing import Iterable, NamedTuple

import numpy
from rapidfuzz import fuzz, process

from dialogs.faq.knowledge import memo
from dialogs.faq.knowledge.asks import (about_two_children, added_items, is_closed_question, listed_asks,
                                        names_them_together, parse, story_asks, without_courtesies)
from dialogs.faq.knowledge.audience import (CARER, PARENT, PROFESSIONAL, approaches_the_vs_themselves, detect_asker,
                                           is_request, professional_referral)
from dialogs.faq.knowledge.folded import Folded
from dialogs.faq.knowledge.model import Entry, KnowledgeBase
from dialogs.faq.knowledge.normalise import DOMAIN, GENERIC, Normaliser, british, repaired_text, surface_tokens
from dialogs.faq.knowledge.personal import looks_personal
from dialogs.faq.knowledge.recipients import ASKER, named_recipients, recipients_note
from dialogs.faq.knowledge.quantities import explain_outside, measure, parse_condition

# Why an answer is what it is. "matched": a verdict from `entry`. The others have no verdict (unknown):
#   low_confidence  nothing close enough; suggestions are the closest entries
#   out_of_scope    not the Virtual School's subject (other council services, office life, small talk)
#   personal_case   about one child's details or case: not answered and the question text is not kept
#   empty           nothing to answer
#   mismatch        the closest entry is about a different thing (funding vs doing, another programme);
#                   `offered` is that entry, shown as "closest to" and offered, never as a verdict
#   not_covered     the matching entry says plainly that the Virtual School's pages don't cover it;
#                   `offered` is that entry
#   parent          a parent asking an open question about their own child: signposted (`offered` is the
#                   parents' entry); the question text is not kept (Answer.keep_text)
# A parent's yes/no question is answered with reason "matched" (the entry may be the parents' entry) and
# Answer.audience == "parent", so the card can add the signpost.
REASONS = ("matched", "low_confidence", "out_of_scope", "personal_case", "empty", "mismatch", "not_covered",
           "parent")

# Weights of the three signals and the answer threshold (see bench.py for how they were chosen).
W_COSINE = 0.5
W_COVERAGE = 0.3
W_FUZZ = 0.2
DEFAULT_THRESHOLD = 0.5
# Context tokens weigh this much of an ask token; more when the ask itself says little ("can you help
# with it?"): then the context is what the question is about.
CONTEXT_WEIGHT = 0.45
CONTEXT_WEIGHT_THIN_ASK = 0.9
THIN_ASK_INFORMATION = 3.0  # an ask with less IDF mass than this (about one distinctive word) is thin
CONTEXT_MAX_SHARE = 1.0  # the story's words (not who it is about) weigh at most this much of the ask's, together
# Who the question is about (cohorts, ages) matters wherever it is said.
COHORT_CONTEXT_WEIGHT = 0.8
# A question with a distinctive word the KB has never seen ("laptop") is answered only if the entry
# covers at least this share of its information; otherwise we'd answer a question we weren't asked.
MIN_COVERAGE_WITH_UNKNOWN = 0.7
# ...but in a yes/no question ("can the VS arrange a taxi for our resident?") an unknown noun usually says more
# about the case, not what is asked: then the entry must cover only this much.
MIN_COVERAGE_WITH_UNKNOWN_CLOSED = 0.0
# Below this share of known information the question is about something the KB never mentions.
MIN_KNOWN_SHARE = 0.5
# A phrasing that is negated when the question is not (or the reverse) is a weaker match:
# "SEND but no social worker" vs "SEND and a social worker".
NEGATION_PENALTY = 0.85
NEGATION = "not"
# Everyday words count for this fraction of their IDF (normalise.GENERIC explains why).
GENERIC_WEIGHT = 0.3
# Coverage is measured against at least this much information (about one distinctive word), so a
# question made of a single vague word ("what time is it") cannot be "fully covered".
MIN_INFORMATION = 2.5
# When the best entry disagrees with the ask (funding vs doing...), an agreeing entry within this
# much of its score is taken instead; none -> "mismatch".
AGREEING_MARGIN = 0.2
# Each part of a two-part question must score at least this to be answered on its own.
PART_THRESHOLD = 0.42
# A part asking the Virtual School to do something it says it does not do, beside a part that is answered.
DOING_PART_THRESHOLD = 0.3
# An ask stands alone only with this much information of its own (about one distinctive word)...
MIN_PART_INFORMATION = 2.0
# ...not counting words that say little about which question it is.
_WEAK = frozenset({"team", "support", "school", "child", "staff", "professional", "take", "new", "provide", "contact",
                   "ask"})
FULL_TIME_HOURS = 25  # children of statutory school age should be in education 25 hours a week (seed 001)
# Among close candidates, one doing the same kind of action as the ask (advise / do / fund) is preferred
# to one that names no action ("can we get advice..." -> the advice entry, not the general support entry).
SAME_ACTION_MARGIN = 0.08
# A question saying the child has, or has no, social worker: an entry within COHORT_MARGIN that says the same is
# preferred to one that says neither ("children with SEND" in general).
_WHO_EXACTLY = frozenset({"cwsw", "nosocialworker"})  # with a social worker, or without one
COHORT_MARGIN = 0.1
# A young person over 18 in the question: the entry saying the ages covered stop at 18 answers, if it scores this much.
OVER_AGE = "over18"
OVER_AGE_FLOOR = 0.4
# Below the threshold, a yes/no question whose closest entries (at least CONSENSUS_SIZE of them, within
# CONSENSUS_MARGIN of the best, best at least CONSENSUS_FLOOR) all give one verdict gets that verdict.
CONSENSUS_FLOOR = 0.4
CONSENSUS_MARGIN = 0.1
CONSENSUS_SIZE = 3
# Two entries with different verdicts within this of each other: the one whose title the question fills more
# (by at least TITLE_FIT_MARGIN) is taken.
TIE_MARGIN = 0.03
TITLE_FIT_MARGIN = 0.1
# Two entries with different verdicts closer than this: not sure.
AMBIGUITY_MARGIN = 0.02
AMBIGUITY_BELOW = 0.6  # ...when neither fits well
MAX_SUGGESTIONS = 3
# A word in more than this share of the entries ("child", "school", "support") is scored only where a rarer word
# matched. A share of entries, not a count of phrasings: more phrasings per entry must not make a cohort word
# ("cic", "cwsw") common, or "are UASC in care part of your work?" would be scored on "work" alone.
COMMON_ENTRY_SHARE = 0.32
MAX_QUESTION_CHARS = 1000  # longer input is cut, so one huge message cannot slow the bot down

# The kind of action an ask or an entry is about (issue 12: "can the VS pay for a tutor?" is not
# "does the VS tutor?"). Tokens are normalise.py's canonical forms.
FUND = frozenset({"spend", "ppplus"})
ADVISE = frozenset({"advice", "guidance", "consultation", "training"})
DO = frozenset({"teach", "deliver", "complete", "apply", "transport", "homevisit", "takeon", "visit", "arrange"})
# Verbs of an ask: they stay with their own ask when a question joins two.
_ACTIONS = DO | ADVISE | frozenset({"monitor", "change", "tell", "overrule", "chair", "inspect", "ignore", "listen",
                                    "advocate", "alert", "refer", "book", "track", "involve", "direct", "schoolrun",
                                    "schoolsearch", "homevisit", "waitlist"})
# Besides doing things itself, what the Virtual School's pages say it does not do to schools and other
# professionals (seed 004): telling schools what to do, undermining heads, changing policies, inspecting, ignoring.
_NOT_DONE_ACTIONS = frozenset({"direct", "takeon", "schoolrun", "homevisit", "tell", "overrule", "inspect", "ignore"})
_DIRECTING = frozenset({"tell", "overrule"})  # giving a school orders, or overriding its head
_PROFESSIONAL_ROLES = frozenset("""sw sws social_worker social_workers dsl dsls dt dts designated_teacher designated_teachers
senco sencos ep eps educational_psychologist educational_psychologists iro iros governor governors head heads headteacher
headteachers teacher teachers send_officer send_officers send_team send_teams youth_worker youth_workers manager managers
team_manager team_managers locality_manager locality_managers supervising_social_worker supervising_social_workers
fostering_social_worker link_worker""".split())
_FAMILY_ROLES = frozenset("""carer carers parent parents adopter adopters foster_carer foster_carers kinship_carer
kinship_carers adoptive_parent adoptive_parents special_guardian special_guardians mum mums dad dads mother mothers
father fathers""".split())
_DETERMINERS = frozenset("the a an their our my his her your child's childs to for".split())  # (and "to parents")
_JOIN = re.compile(r" (?:and|&|or) ")


def _role_pair(text: str, me: str | None = None) -> tuple[int, int, str, str] | None:
    """Where two kinds of people are joined in `text`: a professional and a family ("both social workers and foster
    carers"), or two professionals said to be "both" asked about ("do the sw and the DT both get pinged?"); "parents
    and carers" are families together. (start, end, first, second), the span running from the first role to the
    second. Found from each "and"/"or" by the words either side (one pattern of every role over a long message cost
    13 µs). `me`: who the asker is ("foster carer"), for "can me and our supervising social worker both...?"."""
    low = text.lower()
    if len(low) != len(text):
        return None
    for join in _JOIN.finditer(low):
        before = low[max(0, join.start() - 30):join.start()].split()[-2:]
        if me and before and before[-1] == "me":
            first, first_text, start = "me", "me", join.start() - 2
        else:
            first = _role_at(before)
            if not first:
                continue
            first_text = first.replace("_", " ")
            start = join.start() - len(first_text)
        following = low[join.end():join.end() + 50].split()[:4]
        skip = 0
        for word in following[:2]:  # "the child's dad"
            if word not in _DETERMINERS:
                break
            skip += len(word) + 1
        second = _role_at(low[join.end() + skip:join.end() + skip + 40].split()[:3], after=True)
        if not second:
            continue
        second_text = second.replace("_", " ")
        second_start = join.start() + len(join.group(0)) + skip
        end = second_start + len(second_text)
        if low[start:join.start()] != first_text or low[second_start:end] != second_text:
            continue  # not single-spaced: left as it is
        both_before = low[max(0, start - 5):start] == "both " or low[max(0, start - 9):start] == "both the "
        family_first = first == "me" or first in _FAMILY_ROLES
        if family_first == (second in _FAMILY_ROLES) and not (
                not family_first and (both_before or low[end:end + 5] == " both")):
            continue
        if both_before:
            start -= 5 if low[start - 5:start] == "both " else 9
        said_first = me if first == "me" else text[join.start() - len(first_text):join.start()]
        return start, end, said_first, text[second_start:end]
    return None


def _role_at(words: list[str], *, after: bool = False) -> str | None:
    """The role the words next to a join name (two words before one: "foster carers" before "carers")."""
    words = [w.strip(",.;:?!()") for w in words]
    longer = ["_".join(words[:n]) for n in range(len(words), 1, -1)] if after else (
        ["_".join(words)] if len(words) == 2 else [])
    single = words[:1] if after else words[-1:]
    for candidate in (*longer, *single):
        if candidate in _PROFESSIONAL_ROLES or candidate in _FAMILY_ROLES:
            return candidate
    return None


_A_CONDITION = Folded(r"(?:if|when|once|unless)\s")
_OWN_CONDITION = Folded(r"(?:if|when|once|after)\s+(?:i|we)\s+(?!(?:am|are|was|were|have|had|think|thought|feel|felt)\b)")
# "is it only children in care...?", "just social workers who...": whether it is them alone (the words after "only")
# asked at the start of the question ("is it only...", "can only DSLs...", "does the VS only...")
_ONLY_SOME = Folded(r"\W*(?:(?:is|are)\s+(?:it|they|that|this|(?:the|your)\s+[\w+]+(?:\s+[\w+]+)?)\s+|(?:can|do|does|will|"
                    r"would|should)\s+(?:(?:the|your)\s+[\w+]+\s+)?)(?:only|just|solely|exclusively)\s+(?:for\s+)?(?:the\s+)?"
                    r"((?:[\w'’-]+\s+){0,2}[\w'’-]+)")
_OR_ELSE = Folded(r"\bor\b|\bnot\s+(?:just|only)\b|\balso\b|\btoo\b|\bas\s+well\b")
_COHORT_WORDS = frozenset({"cic", "plac", "cwsw", "cin", "cp"})
_AS_COHORT = {"cin": "cwsw", "cp": "cwsw"}
_COHORT_NAMES = (("cic", "children in care"), ("plac", "children previously in care"),
                 ("cwsw", "children with a social worker"))
_COHORT_NAMES_OF = dict(_COHORT_NAMES)
_PEOPLE_ROLES = frozenset({"socialworker", "dsl", "dt", "ep", "iro", "parent", "carer", "governor", "headteacher"})


def _may_say_only(text: str) -> bool:
    """Whether `_ONLY_SOME` can match (a substring test first: most questions say none of these words)."""
    low = text.lower()
    return "only" in low or "just" in low or "solely" in low or "exclusively" in low


_ANY_TIME_AGO = Folded(r"\b(?:however|no\s+matter\s+how)\s+(?:long|many\s+years)\s+ago\b|\bany\s+time\s+in\s+the\s+past\b|"
                      r"\bat\s+any\s+(?:time|point)\b|\bever\s+(?:had|been)\b")
_HOW_MUCH = Folded(r"\bhow\s+(?:much|many)\b")
# an entry whose question or answer gives an amount ("25 hours", "two education liaison officers")
_AN_AMOUNT = re.compile(r"\d|\bhow\s+(?:much|many)\b|\b(?:two|three|four|five|six|seven|eight|nine|ten|twelve)\b",
                        re.IGNORECASE)
_GROUP_JOIN = re.compile(r"\s+(?:and|&)\s+(?:also\s+)?(?:for\s+)?", re.IGNORECASE)
# after the "and": a second ask ("... and can I refer him?"), or more about the same child ("autism and no social worker")
_STARTS_A_CLAUSE = re.compile(r"(?:can|could|would|will|should|do|does|did|is|are|was|were|i|we|you|they|he|she|it|"
                              r"what|how|who|when|where|why|no|not|without|never|with|has|have|had|a|an|on|in)\b",
                              re.IGNORECASE)
_THE_SAME_HELP = Folded(r"\bthe\s+same\s+(?:help|support|things?)\b")
_WHEN_IN_CARE = Folded(r"\bwhen\s+(?:he|she|they)\s+(?:was|were)\s+(?:in\s+care|looked\s+after)\b")
_OR_SIDES = re.compile(r"\bor\b|\bnot\s+(?:just|only)\b", re.IGNORECASE)
_THE_ONES_WE = Folded(r"\b(?:the\s+ones|those)\s+(?:we|they|the\s+school)\s+(?:run|do|deliver|put\s+in|have)\b")
_THAT_THING = Folded(r"\b(?:that|this)\s+(meeting|review|plan)\b")
_NOT_A_NAME_FOR = frozenset({"a", "an", "the", "that", "this", "his", "her", "their", "our", "my", "next", "last", "first",
                             "same"})
_FROM_ABROAD = Folded(r"\b(?:abroad|overseas|another\s+country|other\s+country|outside\s+(?:the\s+)?(?:uk|england|britain)|"
                     r"inter-?country)\b")
_BEING_TOLD = Folded(r"\b(?:is|are|was|were|be|been|being|get|gets|got)\s+(?:\S+\s+){0,3}?(?:told|informed|notified)\b")
# Directing a school: the verb, then the school, head or setting within a few words ("tell the academy to...")
_DIRECTS_A_SCHOOL = Folded(r"\b(?:tell|tells|instruct|instructs|make|makes|force|forces|order|orders|require|requires|"
                           r"get|gets|overrule|overrules|overturn|overturns|insist|insists)\s+(?:\S+\s+){0,2}?(?:schools?|"
                           r"head|heads|headteachers?|academy|academies|college|colleges|nursery|setting|settings|senco|dt|"
                           r"dsl|them|us)\b")
# Who acts (refers, asks, contacts): the subject of an ask, as opposed to the child it is about.
_ACTORS = frozenset({"parent", "carer", "family", "school", "socialworker", "dsl", "dt", "headteacher", "iro"})
_ACTOR_FIRST = re.compile(r"^\W*(?:can|could|would|will|should|may|might|do|does|did|is|are)\s+"
                          r"(?:(?:the|a|an|our|my|his|her|their)\s+)?([\w-]+)", re.IGNORECASE)
# Asking the Virtual School to act for a child itself: its actions, and going to meetings to speak up for the child.
_ACTING_FOR_CHILD = _ACTIONS | frozenset({"attend", "meeting", "advocate", "come"})
# An entry whose own question is about one of these answers only a question that mentions it.
_KEY_ACTIONS = frozenset({"refer"})
# An entry about what parents and carers can do ("does the VS respond to requests from parents or carers?") answers only
# a question that names them, or is asked by one.
_FOR_FAMILIES = frozenset({"parent", "carer"})
_FAMILY = frozenset({"parent", "carer", "family", "foster", "kinship", "sgo", "adopt"})
# Named programmes: an ask naming one is only answered by an entry that mentions it.
PROGRAMMES = frozenset({"ppplus", "ehcp", "pep"})
# Who the question is about: weighed fully even in the context.
COHORT_TOKENS = frozenset({"cic", "cwsw", "cin", "cp", "plac", "sgo", "cao", "kinship", "send", "ehcp", "over18",
                           "nosocialworker",
                           "post16", "earlyyears", "adopt", "foster", "socialworker", "not"})
# "is she covered / one of yours / in your cohort": eligibility; these context words say who it is about.
_ELIGIBILITY = "include"
_COVERS = frozenset({_ELIGIBILITY, "support"})  # "are they covered", "do you support them": who the VS is for
_WHO = frozenset({"previous", "agerange", "plan", "new", "school", "nursery", "college", "university", "academy"})
# The parents' entry: a parent asking for help with their own child with a social worker gets it.
PARENT_ENTRY_ID = "parent-requests-cwsw"
PLAC_TOKENS = frozenset({"plac", "adopt", "sgo", "cao"})
_WITH_A_SOCIAL_WORKER = frozenset({"cin", "cp", "cwsw"})  # children with a social worker who are not in care
PLAC_ENTRY_ID = "plac-advice"  # previously looked-after children: advice and information only
CWSW_ENTRY_ID = "cwsw-strategic-lead"  # children with a social worker: a strategic role, not what it does for CiC
# "the same as children in care", "like when he was looked after", "what it does for CiC": other children compared
# with children in care
_AS_IN_CARE = Folded(r"\b(?:(?:the\s+)?same\s+(?:\w+\s+){0,2}?as|like\s+(?:when\s+(?:he|she|they)\s+(?:was|were)|they\s+do\s+for"
                     r"|it\s+does\s+for|you\s+do\s+for|for)|what\s+(?:it|you|they|the\s+vs)\s+(?:does|do)\s+for)\s+"
                     r"(?:(?:the\s+|other\s+|our\s+)?(?:children|kids|young\s+people|those|ones|pupils)\s+)?"
                     r"(?:in\s+care|looked\s+after|cic|cla|lac)\b")
# ... asking about all of it, not one thing ("the same PEP as children in care" asks about PEPs): "PEPs and support",
# "PEPs and everything", "all of it"; or "get the same as" with no one thing named
_WHOLE_OFFER = Folded(r"\b(?:everything|all\s+of\s+it|all\s+that|the\s+lot|support|help)\b")
_THE_SAME_AS = Folded(r"\bthe\s+same\s+as\b")
_ONE_THING = PROGRAMMES | frozenset({"tutor", "transport", "surgery", "refer"})
_OPEN_QUESTION_WORDS = frozenset({"what", "whats", "how", "who", "where", "why", "which"})

# Subjects that are clearly not the Virtual School's (other council services, office life, small
# talk). A question mentioning them is out of scope unless it is plainly about the Virtual School's
# own subjects (PP+, PEPs, children in care...): "PP+ for his after-school football club".
_OFF_TOPIC_WORDS = frozenset("""
weather rain raining snow sunny forecast temperature football footballer cricket rugby tennis
bin bins recycling litter pothole potholes parking tax vaccine vaccination housing landlord rent
library libraries leisure swimming gym recipe film movie song poem joke jokes lottery password passwords wifi
printer expenses mileage payslip payroll salary passport election evicted eviction lado mash dbs inset
allowance allowances hr haf grant grants benefits universal bursary bursaries clerk clerking
login logins logon username usernames
""".split())
_OFF_TOPIC_PHRASES = (
    ("council", "tax"), ("blue", "badge"), ("planning", "permission"), ("annual", "leave"),
    ("meeting", "room"), ("free", "school", "meals"), ("become", "a", "foster"), ("adopt", "a", "child"),
    ("school", "holidays"), ("term", "dates"), ("housing", "benefit"), ("care", "proceedings"),
    ("final", "hearing"), ("logging", "me", "out"), ("revision", "site"), ("uniform", "grant"), ("what", "time"),
    ("school", "day", "start"), ("school", "day", "end"), ("school", "run", "times"), ("term", "start"),
    ("term", "starts"), ("term", "begin"), ("term", "begins"), ("admission", "deadline"), ("admission", "deadlines"),
    ("admissions", "deadline"), ("admissions", "deadlines"), ("application", "deadline"), ("become", "an", "adopter"),
    ("become", "adopters"), ("how", "to", "adopt"), ("parenting", "course"), ("parenting", "courses"),
    ("parenting", "class"), ("parenting", "classes"), ("parenting", "programme"),
    ("log", "in"), ("log", "into"), ("log", "on"), ("log", "onto"), ("logged", "out"),  # IT access, not ours
    ("age", "assessment"), ("age", "assessments"), ("age", "assessed"),  # an asylum-seeking child's age: social care's
    # one person's own number: the knowledge base holds no names or numbers (how to reach the VS is an entry)
    ("direct", "number"), ("direct", "line"), ("direct", "phone"), ("direct", "dial"), ("mobile", "number"),
    ("extension", "number"),
    ("holiday", "activities", "and", "food"), ("holiday", "activity", "and", "food"),  # the HAF programme
    # family time with a child in care is the social worker's and the court's ("contact" alone is getting in touch)
    ("contact", "with", "my", "kids"), ("contact", "with", "my", "children"), ("contact", "with", "my", "son"),
    ("contact", "with", "my", "daughter"), ("contact", "with", "the", "kids"), ("contact", "arrangements"),
    ("family", "time", "with"),
    # a school's Ofsted grade (read as "year": "grade" is American for a year group), not the seeds'
    ("ofsted", "year"), ("ofsted", "rating"), ("ofsted", "ratings"), ("ofsted", "judgement"),
)
# Bank holidays are a calendar question, unless the question is about when this assistant's alerts are sent.
_DAYS_OFF = (("bank", "holiday"), ("bank", "holidays"))
# The phrases as one pattern over the words joined by spaces (" annual leave "): one pass, not one per phrase.
_OFF_TOPIC_TEXT = re.compile("|".join(re.escape(f" {' '.join(p)} ") for p in _OFF_TOPIC_PHRASES))
_DAYS_OFF_TEXT = re.compile("|".join(re.escape(f" {' '.join(p)} ") for p in _DAYS_OFF))
# A deadline or closing date for school applications or admissions (the council's admissions service, not ours).
_DEADLINE_WORDS = frozenset({"deadline", "deadlines", "cutoff"})
_ADMISSION_WORDS = frozenset({"application", "applications", "admission", "admissions", "apply", "reception"})
# Ofsted is another body: a question about Ofsted is ours only when it asks about the Virtual School itself
# ("is the VS like Ofsted?", "does the VS inspect schools like Ofsted?"), not "when are Ofsted coming?".
_OTHER_BODIES = frozenset({"ofsted"})
_ABOUT_US = frozenset({"virtual", "vs", "vsh", "you", "u", "your", "ur"})
_STRONG_DOMAIN = frozenset({"ppplus", "pep", "cic", "plac", "cwsw", "cin", "cp", "ehcp", "send", "kinship", "sgo",
                            "surgery", "refer", "inclusion", "exclusion", "suspension", "reducedtimetable"})


@dataclass(frozen=True)
class Part:
    """One ask of a question that joins two, and how it was answered."""

    ask: str
    verdict: str  # yes | no | partly
    entry: Entry
    note: str = ""  # why the verdict differs from the entry's (a figure outside its condition, someone else told)


@dataclass(frozen=True)
class Answer:
    """The matcher's reply. `verdict` is unknown whenever `entry` is None."""

    verdict: str  # yes | no | partly | unknown
    entry: Entry | None
    score: float  # 0..1, confidence in the best candidate
    suggestions: tuple[Entry, ...] = ()  # up to 3 closest entries (other than `entry`)
    reason: str = "matched"  # one of REASONS
    corrections: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # typos repaired
    offered: Entry | None = None  # no verdict: the closest entry, shown as "closest to" and offered first
    parts: tuple[Part, ...] = ()  # a question joining two asks: each ask's own answer (verdict is combined)
    note: str = ""  # why the verdict differs from the entry's (a figure outside its condition)
    audience: str = "professional"  # "parent" when a parent asked about their own child (card adds a signpost)

    @property
    def answered(self) -> bool:
        return self.entry is not None

    @property
    def keep_text(self) -> bool:
        """Whether the question's text may be stored (never for a child's details or a parent's own child)."""
        return self.reason != "personal_case" and self.audience != "parent"


class _Candidate(NamedTuple):  # a tuple: one is made per entry per ask, and a frozen dataclass is slow to make
    entry_index: int
    score: float
    cosine: float
    coverage: float
    fuzz: float


_SCORE = itemgetter(1)  # a _Candidate's score


@dataclass(frozen=True)
class _Doc:
    entry_index: int
    weights: dict[str, float]  # token -> L2-normalised TF-IDF weight
    text: str  # normalised tokens joined, for rapidfuzz
    negated: bool


@dataclass(frozen=True)
class _Resolved:
    """One ask scored and checked: an entry with a verdict, or why not."""

    reason: str  # matched | low_confidence | out_of_scope | mismatch | not_covered
    entry: Entry | None
    score: float
    candidates: tuple[Entry, ...]
    offered: Entry | None = None


class Matcher:
    """Lexical matcher over one KnowledgeBase. Immutable after construction; safe to share."""

    def __init__(self, kb: KnowledgeBase, *, threshold: float = DEFAULT_THRESHOLD, today: date | None = None):
        self.kb = kb
        self.threshold = threshold
        self.today = today  # the date a past year in a question is counted back from (None: the day it is asked)
        self.normaliser = Normaliser(_corpus(kb.entries))
        entry_tokens = [self._entry_phrasing_tokens(e) for e in kb.entries]
        self._entry_vocab: list[frozenset[str]] = [frozenset(t for ts in per for t in ts) for per in entry_tokens]
        self._title_tokens: list[frozenset[str]] = [frozenset(per[0]) if per else frozenset() for per in entry_tokens]
        self._idf = _idf(self._entry_vocab)
        # the weight of each word the knowledge base has (_weight: an unknown word's may change as words are learned)
        self._kb_weights = {t: idf * (GENERIC_WEIGHT if t in GENERIC else 1.0) for t, idf in self._idf.items()}
        self._unknown_idf = math.log(1 + (len(kb.entries) + 0.5) / 0.5)  # as if no entry had the word
        # One scored phrasing per distinct set of words in an entry: phrasings that read the same after normalising
        # ("can pp+ pay for a tutor" / "can PP+ fund tutoring") score the same, so the copies only cost time.
        distinct = {(index, frozenset(tokens)): tokens for index, per in enumerate(entry_tokens) for tokens in per
                    if tokens}
        self._docs: list[_Doc] = [
            _Doc(index, self._unit_vector(tokens), " ".join(sorted(set(tokens))), NEGATION in tokens)
            for (index, _), tokens in distinct.items()
        ]
        # each phrasing's information (its words are the knowledge base's, so their weights never change)
        self._doc_information = [sum(self._weight(t) for t in d.weights) for d in self._docs]
        self._entries_with: dict[str, list[int]] = {}
        for entry_index, vocab in enumerate(self._entry_vocab):
            for token in vocab:
                self._entries_with.setdefault(token, []).append(entry_index)
        self._docs_by_entry: list[list[int]] = [[] for _ in kb.entries]
        for doc_index, doc in enumerate(self._docs):
            self._docs_by_entry[doc.entry_index].append(doc_index)
        self._common_tokens = frozenset(t for t, entries in self._entries_with.items()
                                        if len(entries) > COMMON_ENTRY_SHARE * len(kb.entries))
        # The same facts as arrays, one row a word: the phrasings that have the word and its weight in each, and the
        # entries that have it (_rank_once adds them up in one call: a Python step per phrasing and per entry had been
        # most of a long question's time). Phrasings are numbered entry by entry, so an entry's are one run of
        # columns, starting at _entry_starts.
        self._row_of = {t: row for row, t in enumerate(sorted(self._entries_with))}
        row_docs: list[list[int]] = [[] for _ in self._row_of]
        row_weights: list[list[float]] = [[] for _ in self._row_of]
        for doc_index, doc in enumerate(self._docs):
            for token, weight in doc.weights.items():
                row_docs[self._row_of[token]].append(doc_index)
                row_weights[self._row_of[token]].append(weight)
        self._row_docs = [numpy.array(docs, dtype=numpy.intp) for docs in row_docs]
        self._row_weights = [numpy.array(weights, dtype=numpy.float64) for weights in row_weights]
        self._row_entries = [numpy.array([], dtype=numpy.intp)] * len(self._row_of)
        for token, entries in self._entries_with.items():
            self._row_entries[self._row_of[token]] = numpy.array(entries, dtype=numpy.intp)
        # the factor a phrasing's similarity is multiplied by, for a question that is / is not negated
        self._penalty = {negated: numpy.array([NEGATION_PENALTY if d.negated != negated else 1.0 for d in self._docs])
                         for negated in (False, True)}
        self._texts_by_entry = [[self._docs[d].text for d in docs] for docs in self._docs_by_entry]
        self._scored_entries = numpy.array([i for i, docs in enumerate(self._docs_by_entry) if docs], dtype=numpy.intp)
        self._entry_starts = numpy.array([self._docs_by_entry[i][0] for i in self._scored_entries], dtype=numpy.intp)
        self._classes = [_classes(t) for t in self._title_tokens]
        self._conditions = [parse_condition(e.condition) if e.condition else None for e in kb.entries]
        self._index_of = {e.id: i for i, e in enumerate(kb.entries)}

    # --- public ---------------------------------------------------------------------------------

    def answer(self, question: str) -> Answer:
        scope = memo.begin()  # one question's readings and measures, each made once (see _rank)
        family = _ASKED_BY_FAMILY.set(True)
        try:
            return self._answer(question)
        finally:
            _ASKED_BY_FAMILY.reset(family)
            memo.end(scope)

    def _answer(self, question: str) -> Answer:
        typed = (question or "")[:MAX_QUESTION_CHARS]
        text = without_courtesies(typed)
        normalised = self.normaliser.normalise(text)
        if not normalised.tokens:
            return Answer("unknown", None, 0.0, (), "empty", normalised.corrections)
        corrections = normalised.corrections

        # Whether it is about one child is read both with and without the courtesies: an introduction taken off
        # ("I'm the social worker for Jayden Smith.") may be where the child is named, and a sign-off after it may
        # hide how it ends ("...has she moved yet? thanks").
        known = self.normaliser.known_words
        if looks_personal(text, known) or (typed != text and looks_personal(typed, known)):
            return self._personal(normalised.tokens, corrections)
        if corrections:
            # From here on the question is read as it was meant: what is said around a word ("annual leave", "take
            # him to school") is found in the words, so a typo in one of them must not hide it (a typo in an
            # out-of-scope question made it answerable, measured with typos put into the evaluation set). Names are
            # looked for above, in the text as typed.
            text = repaired_text(text, corrections)
            normalised = self.normaliser.normalise(text)
            if looks_personal(text, known):
                # "what is Mia's attenadnce", "has my referrla for Callum gone through": the word that makes it one
                # child's record was the typo (measured: such questions were answered yes with a typo put in)
                return self._personal(normalised.tokens, corrections)

        asker = detect_asker(text)
        _ASKED_BY_FAMILY.set(asker != PROFESSIONAL)
        parsed = parse(text)
        asks = [(ask, normalised.tokens if ask == text else self._tokens(ask)) for ask in parsed.asks]
        asks = [(ask, tokens) for ask, tokens in asks if tokens]
        context = self._tokens(parsed.context) if parsed.context else ()
        if context and len(asks) == 1 and len(parsed.context.split()) <= 16 and (
                (_OWN_CONDITION.match(parsed.context) and len(parsed.context.split()) <= 12)
                or (_A_CONDITION.match(parsed.context) and not self._stands_alone(asks[0][1]))):
            # "If I put a referral in through here, will I hear back when it's accepted?": what the asker would do is
            # what the question is about, not a story around it; so is the condition of a thin ask ("if the officer
            # doesn't pick it up in 2 days, does the manager get chased?")
            asks, context = [(f"{parsed.context}, {asks[0][0]}", context + asks[0][1])], ()
        if len(asks) == 1 and parsed.context and (back := _THAT_THING.search(asks[0][0])):
            # "his sw keeps mentioning a PEP meeting... the VS doesn't run that meeting, does it?": "that meeting" is
            # the story's PEP meeting
            named = re.search(rf"\b([\w+]+)\s+{back.group(1)}s?\b", parsed.context, re.IGNORECASE)
            if named and named.group(1).lower() not in _NOT_A_NAME_FOR:
                # with its subject found, the story says only who it is about
                asks = [(asks[0][0], asks[0][1] + self._tokens(named.group(1)))]
                context = tuple(t for t in context if t in COHORT_TOKENS)
        if len(asks) > 1 and parsed.alternatives:
            # "can you advise the school, or do you just sit back?": the other side of a yes/no question that says nothing
            # of its own is not asked (its words had made the question unknown)
            kept = [(ask, tokens) for ask, tokens in asks if ask not in parsed.alternatives or self._stands_alone(tokens)]
            asks = kept if kept else asks
        if len(parsed.asks) == 1 and len(asks) < 2 and not (asks and self._stands_alone(asks[0][1])):
            # "Recommendations: (1) ...; (2) .... Can the VS do both?": the ask is each item of the list
            listed, rest = listed_asks(parsed.asks[0], parsed.context)
            if not listed:  # "...a maths programme, plus taxis so he arrives on time. Will the VS support both uses?"
                listed, rest = added_items(parsed.asks[0], text)
            if listed:
                # each item says in full what the VS is asked to do; of the story before them only who it is about
                asks = [(ask, tokens) for ask, tokens in ((a, self._tokens(a)) for a in listed) if tokens]
                context = tuple(t for t in self._tokens(rest) if t in COHORT_TOKENS) if rest else ()
        if not asks:  # "is that possible?" after the story: the story is the question
            joined, rest = story_asks(parsed.context)
            asks = [(ask, tokens) for ask, tokens in ((a, self._tokens(a)) for a in joined) if tokens]
            if len(asks) > 1:  # "...wants you to suggest schools and take him round them. do you do that?"
                context = self._tokens(rest) if rest else ()
            else:
                asks, context = [(parsed.context or text, context or normalised.tokens)], ()
        if _SHORT_WEEK(text):  # "2 hours a day", "10 hours a week": a reduced timetable, whatever it is called
            context = context + ("reducedtimetable",)
        if "years_ago" in measure(text, self.today):  # "on a CIN plan in 2016": a plan in the past
            context = context + ("previous",)
        if _ORDERS.intersection(context) or any(_ORDERS.intersection(tokens) for _, tokens in asks):
            asks, context = _never_in_care(asks, context)
        all_ask_tokens = tuple(t for _, tokens in asks for t in tokens)

        as_in_care = self._as_for_children_in_care(text, all_ask_tokens, context, corrections)
        parts = [] if as_in_care is not None else (
            self._parts(asks, context, text, parsed.alternatives, asker) or self._per_child(asks, parsed.context)
            or self._per_group(asks, context))
        if as_in_care is not None:
            result = as_in_care
        elif len(parts) == 1:  # "will you talk to his CAMHS worker, or do they just work on their own?": the first side
            result = self._apply_condition(self._to_answer(parts[0][1], corrections), text)
        elif parts:
            # each part answered: the question as a whole only ranks the entries suggested beside them (a whole
            # reading's checks had been a fifth of a long two-ask message's time, for three buttons)
            result = self._combine(parts, self._closest(all_ask_tokens, context, text), corrections)
        else:
            resolved = self._resolve(all_ask_tokens, context, text)
            result = self._to_answer(self._directed(resolved, all_ask_tokens, context, text), corrections)
            if result.entry is not None:
                result = self._apply_condition(result, text)

        if result.entry is not None and not result.parts and self._procedure_elsewhere(result.entry, asks, text):
            result = Answer("unknown", None, result.score, (result.entry, *result.suggestions)[:MAX_SUGGESTIONS],
                            "out_of_scope", corrections)
        if asker == PARENT:
            result = self._for_parent(result, all_ask_tokens + context, [ask for ask, _ in asks], text)
        if len(asks) == 1 and not result.parts and result.verdict in ("yes", "no"):
            result = self._for_each_role(result, asks[0][0], context, asker) or result
        if (result.entry is not None and not result.parts and "how" in text.lower() and _HOW_MUCH.search(text)
                and not _AN_AMOUNT.search(f"{result.entry.title} {result.entry.answer}")):
            # "how much PP+ does a child get a year?": an amount the knowledge base does not give; the entry about the
            # thing is offered, not its yes or no
            result = _offered_instead(result)
        if result.verdict == "yes" and not result.parts and len(asks) == 1 and _may_say_only(asks[0][0]):
            result = self._only_some(result, asks[0][0]) or result
        if result.entry is not None and "plac" in result.entry.cohorts and _FROM_ABROAD.search(text):
            # "we adopted him from abroad, does he count as previously looked after?": the seeds say nothing of children
            # adopted from another country, so the entry on previously looked-after children is offered, not given
            result = _offered_instead(result)
        return result

    def _for_each_role(self, answer: Answer, ask: str, context: tuple[str, ...], asker: str) -> Answer | None:
        """ "are the surgeries open to both social workers and foster carers?": two kinds of people asked about together.
        The ask is read once for each (in the same story); when one is answered yes and the other no, the answer is
        partly, part by part (the question as a whole had been answered by whichever of the two weighed more)."""
        pair = _role_pair(ask, {CARER: "a foster carer", PARENT: "a parent"}.get(asker))  # (who "me" is, if said)
        if pair is None:
            return None
        start, end, first, second = pair
        parts = []
        for role in (first, second):
            reading = ask[:start] + role + ask[end:]
            tokens = self._tokens(reading)
            resolved = self._directed(self._resolve(tokens, context, reading), tokens, context, reading)
            if resolved.reason != "matched" or resolved.entry is None or resolved.entry.verdict not in ("yes", "no"):
                return None
            verdict, note = self._verdict_with_condition(resolved.entry, reading)
            parts.append((Part(reading, verdict, resolved.entry, note), resolved.score))
        if parts[0][0].verdict == parts[1][0].verdict:
            return None
        seen = {p.entry.id for p, _ in parts}
        suggestions = tuple(e for e in (answer.entry, *answer.suggestions) if e.id not in seen)[:MAX_SUGGESTIONS]
        return Answer("partly", parts[0][0].entry, min(score for _, score in parts), suggestions, "matched",
                      answer.corrections, parts=tuple(p for p, _ in parts), audience=answer.audience)

    def _only_some(self, answer: Answer, text: str) -> Answer | None:
        """ "is it only children in care the VS helps?", "is it just social workers who can come to the surgeries?": the
        entry says yes for them, and the question asks whether it is them alone. No, when the Virtual School (for
        children) or the entry (for people) names others too; the note says so."""
        only = _ONLY_SOME.match(text)
        if only is None or _OR_ELSE.search(text):  # "DSLs too, or is it just social workers?": asked about the DSLs
            return None
        asked = set(self._tokens(only.group(1)))
        children = {_AS_COHORT.get(t, t) for t in asked & _COHORT_WORDS}
        people = asked & _PEOPLE_ROLES
        if children:
            others = [name for cohort, name in _COHORT_NAMES if cohort not in children]
            note = f"Not only {_COHORT_NAMES_OF[next(iter(children))]}: the Virtual School is also for {' and '.join(others)}."
        elif people:
            others = sorted(self._entry_vocab[self._index_of[answer.entry.id]] & _PEOPLE_ROLES - people)
            if not others:
                return None
            note = f"Not only {only.group(1).strip()}: see who else below."
        else:
            return None
        return _replace(answer, verdict="no", note=note)

    def _personal(self, tokens: tuple[str, ...], corrections) -> Answer:
        """About one child's case: not answered; the closest entries are offered."""
        candidates = self._rank({t: 1.0 for t in tokens})
        suggestions = tuple(self.kb.entries[c.entry_index] for c in candidates[:MAX_SUGGESTIONS])
        score = round(candidates[0].score, 4) if candidates else 0.0
        return Answer("unknown", None, score, suggestions, "personal_case", corrections)

    def _procedure_elsewhere(self, entry: Entry, asks, text: str) -> bool:
        """"what's the process for requesting a penalty notice?": how to get something done that the Virtual School
        says it does not do, asked without naming the Virtual School. The process is another service's (the entry
        says which), so it is not answered yes or no; the entry is offered first."""
        if entry.verdict != "no" or self._title_tokens[self._index_of[entry.id]] & _OWN_PROCESSES:
            return False
        if not all(_PROCEDURE_ASK.search(ask) for ask, _ in asks):
            return False
        return not _ABOUT_US.intersection(_british_words(text))

    def explain(self, question: str, limit: int = 5) -> list[dict[str, object]]:
        """The best candidates with each signal, for staff tuning the knowledge base."""
        question = without_courtesies(question)  # read as answer() reads it
        normalised = self.normaliser.normalise(question)
        parsed = parse(question)
        ask_tokens = tuple(t for ask in parsed.asks for t in self._tokens(ask)) or normalised.tokens
        context = self._tokens(parsed.context) if parsed.context else ()
        weights = self._query_weights(ask_tokens, context)
        return [
            {"id": self.kb.entries[c.entry_index].id, "score": round(c.score, 4), "cosine": round(c.cosine, 4),
             "coverage": round(c.coverage, 4), "fuzz": round(c.fuzz, 4), "tokens": list(normalised.tokens),
             "asks": list(parsed.asks), "context": parsed.context,
             "corrections": [list(pair) for pair in normalised.corrections]}
            for c in self._rank(weights, ask_tokens)[:limit]
        ]

    def score_candidates(self, tokens: tuple[str, ...]) -> list[_Candidate]:
        """Every entry that shares a word with `tokens` (all weighed as one ask), best first."""
        return self._rank({t: 1.0 for t in tokens}, tokens)

    # --- one ask ---------------------------------------------------------------------------------

    def _tokens(self, text: str) -> tuple[str, ...]:
        return self.normaliser.normalise(text).tokens

    def _weighed(self, ask: tuple[str, ...], context: tuple[str, ...], text: str) -> dict[str, float]:
        """The ask and its context weighed as _resolve reads them; "...loves her gymnastics club, will you fund it?":
        an ask pointing back at its story is about the story, so the story's weight is not capped."""
        return self._query_weights(ask, context, cap=not _REFERS_BACK.search(text))

    def _query_weights(self, ask: tuple[str, ...], context: tuple[str, ...], *, cap: bool = True) -> dict[str, float]:
        """token -> multiplier: ask tokens 1, context tokens less (cohorts nearly fully)."""
        multipliers = {t: 1.0 for t in ask}
        if context and _ELIGIBILITY in ask and not (set(ask) - {_ELIGIBILITY} - GENERIC - COHORT_TOKENS):
            # "are they covered by you now?": an eligibility ask; the context matters only for who it is about
            context = tuple(t for t in context if t in COHORT_TOKENS or t in _WHO)
        if context and _ACTIONS.intersection(ask):
            # "we run a nurture group... can you monitor it?": the ask's own verb says what is asked
            context = tuple(t for t in context if t not in _ACTIONS)
        if context:
            ask_information = sum(self._weight(t) for t in set(ask) if t in DOMAIN)
            thin = ask_information < THIN_ASK_INFORMATION
            base = CONTEXT_WEIGHT_THIN_ASK if thin else CONTEXT_WEIGHT
            story = {}
            for token in context:
                weight = max(base, COHORT_CONTEXT_WEIGHT) if token in COHORT_TOKENS else base
                if token in multipliers:
                    continue
                story[token] = max(story.get(token, 0.0), weight)
            if cap and not thin:
                # A long story around a clear ask ("...a series of incidents in lessons and at lunchtime. Would you
                # help us look at alternatives?"): the story says more about the case than about the question, so
                # together its words weigh at most as much as the ask's (who it is about keeps its weight).
                ask_total = sum(self._weight(t) for t in set(ask))
                story_total = sum(self._weight(t) * m for t, m in story.items() if t not in COHORT_TOKENS)
                if story_total > CONTEXT_MAX_SHARE * ask_total:
                    scale = CONTEXT_MAX_SHARE * ask_total / story_total
                    story = {t: (m if t in COHORT_TOKENS else m * scale) for t, m in story.items()}
            multipliers.update(story)
        return multipliers

    def _resolve(self, ask: tuple[str, ...], context: tuple[str, ...], text: str,
                 closed: bool | None = None) -> _Resolved:
        multipliers = self._weighed(ask, context, text)
        about = frozenset(multipliers)
        candidates = self._rank(multipliers, ask)
        top = tuple(self.kb.entries[c.entry_index] for c in candidates[: MAX_SUGGESTIONS + 1])
        best = candidates[0] if candidates else None
        score = round(best.score, 4) if best else 0.0
        all_tokens = set(multipliers)
        closed = is_closed_question(text) if closed is None else closed
        if "fund" in _classes(frozenset(ask)):
            closed = False  # "can PP+ pay for a laptop?": what is paid for is the question, known or not
        if best is None or self._off_topic(text, all_tokens) or self._known_share(multipliers) < MIN_KNOWN_SHARE:
            return _Resolved("out_of_scope", None, score, top)
        if context and not self._stands_alone(ask) and self._known_share(dict.fromkeys(context, 1.0)) < MIN_KNOWN_SHARE:
            # "laptop wont connect to the vpn, who do i ring": an ask with nothing of its own ("who do I ring", "can
            # you help") is about its story, and the story is about something the knowledge base never mentions
            return _Resolved("out_of_scope", None, score, top)
        if best.score < self.threshold:
            agreed = self._consensus(candidates, multipliers, ask, about, closed)
            if agreed is not None:
                entry = self.kb.entries[agreed.entry_index]
                others = tuple(islice((self.kb.entries[c.entry_index] for c in candidates if c is not agreed),
                                      MAX_SUGGESTIONS))
                return _Resolved("matched", entry, round(agreed.score, 4), others)
            return _Resolved("low_confidence", None, score, top)
        chosen = None
        disagreeing = None
        ruled = False
        floor = max(self.threshold, best.score - AGREEING_MARGIN)
        for candidate in candidates:
            if candidate.score < floor:
                break
            if not self._trustworthy(multipliers, candidate, closed):
                continue
            if not self._agrees(ask, candidate.entry_index, about):
                disagreeing = disagreeing or candidate
                continue
            chosen = candidate
            break
        if chosen is not None:
            asked = _classes(frozenset(ask))
            if asked and not (asked & self._classes[chosen.entry_index]):
                for candidate in candidates:
                    if candidate.score < max(self.threshold, chosen.score - SAME_ACTION_MARGIN):
                        break
                    if (asked & self._classes[candidate.entry_index] and self._trustworthy(multipliers, candidate, closed)
                            and self._agrees(ask, candidate.entry_index, about)):
                        chosen = candidate
                        break
        if chosen is not None:
            chosen = self._same_children(candidates, chosen, multipliers, ask, about, closed)
            chosen = self._tie_break(candidates, chosen, multipliers, ask, about, closed)
            by_age = self._over_age(candidates, chosen, multipliers, ask, about, closed)
            ruled = by_age is not chosen  # the age rule decides: entries about referring in general are no rivals
            chosen = by_age
        if chosen is not None and not ruled and self._ambiguous(candidates, chosen, multipliers, ask, closed):
            return _Resolved("low_confidence", None, round(chosen.score, 4), top)
        if chosen is None:
            if disagreeing is not None:
                return _Resolved("mismatch", None, score, top, self.kb.entries[disagreeing.entry_index])
            return _Resolved("low_confidence", None, score, top)
        entry = self.kb.entries[chosen.entry_index]
        others = tuple(islice((self.kb.entries[c.entry_index] for c in candidates if c is not chosen), MAX_SUGGESTIONS))
        if entry.verdict == "unknown":
            return _Resolved("not_covered", None, round(chosen.score, 4), (entry, *others), entry)
        return _Resolved("matched", entry, round(chosen.score, 4), others)

    def _over_age(self, candidates, chosen: _Candidate, multipliers, ask, about, closed) -> _Candidate:
        """A young person past 18 ("refer a 19 year old care leaver") is outside the ages the Virtual School covers
        (0 to 18), whatever else is asked: an entry saying so answers before one about referring or supporting in
        general, when it is close enough to be about the question at all."""
        if OVER_AGE not in about or OVER_AGE in self._entry_vocab[chosen.entry_index]:
            return chosen
        if self.kb.entries[chosen.entry_index].verdict == "no":
            return chosen
        for candidate in candidates:
            if candidate.score < OVER_AGE_FLOOR:
                break
            entry = self.kb.entries[candidate.entry_index]
            if (entry.verdict == "no" and OVER_AGE in self._title_tokens[candidate.entry_index]
                    and self._trustworthy(multipliers, candidate, closed)):
                return candidate
        return chosen

    def _same_children(self, candidates, chosen: _Candidate, multipliers, ask, about, closed) -> _Candidate:
        """The question says who it is about ("a disability AND a social worker"); an entry that never mentions
        those children ("children with SEND" in general) gives way to a close one that does."""
        named = about & _WHO_EXACTLY
        if len(named) != 1 or named <= self._entry_vocab[chosen.entry_index]:
            return chosen
        opposite = _WHO_EXACTLY - named
        for candidate in candidates:
            if candidate.score < chosen.score - COHORT_MARGIN:
                break
            vocab = self._entry_vocab[candidate.entry_index]
            if (candidate is not chosen and named <= vocab and not opposite & vocab
                    and self._trustworthy(multipliers, candidate, closed)
                    and self._agrees(ask, candidate.entry_index, about)):
                return candidate
        return chosen

    def _consensus(self, candidates, multipliers, ask, about, closed) -> _Candidate | None:
        """Below the threshold, the closest entries may still agree: "home visits for non attenders the way an EWO
        would" is close to three entries (home visits, taking on other roles, ignoring professionals), each saying
        no. When every entry near the best one is trustworthy, about the asked action and gives the same verdict,
        that verdict is the answer, from the best of them."""
        if not closed or candidates[0].score < CONSENSUS_FLOOR:
            return None
        near = [c for c in candidates[:CONSENSUS_SIZE + 2] if c.score >= candidates[0].score - CONSENSUS_MARGIN]
        if len(near) < CONSENSUS_SIZE:
            return None
        verdicts = {self.kb.entries[c.entry_index].verdict for c in near}
        if len(verdicts) != 1 or verdicts & {"unknown"}:
            return None
        if not all(self._trustworthy(multipliers, c, closed) and self._agrees(ask, c.entry_index, about) for c in near):
            return None
        return near[0]

    def _tie_break(self, candidates, chosen: _Candidate, multipliers, ask, about, closed: bool = False) -> _Candidate:
        """Two entries with different verdicts scoring alike ("does it go by the school?" against "by where the
        child lives" and "by the school"): take the one whose own question the ask's words fill more of."""
        verdict = self.kb.entries[chosen.entry_index].verdict
        rivals = []
        for c in candidates:
            if chosen.score - c.score > TIE_MARGIN:
                break  # (best first: none further on is close)
            if (c is not chosen and abs(c.score - chosen.score) <= TIE_MARGIN
                    and self.kb.entries[c.entry_index].verdict not in (verdict, "unknown")
                    and self._trustworthy(multipliers, c, closed) and self._agrees(ask, c.entry_index, about)):
                rivals.append(c)
        if not rivals:
            return chosen
        asked = {t: 1.0 for t in ask}  # the ask's own words decide; the story around it is the same for both
        fits = sorted(((self._title_fit(asked, c.entry_index), c) for c in (chosen, *rivals)),
                      key=lambda pair: -pair[0])
        return fits[0][1] if fits[0][0] - fits[1][0] >= TITLE_FIT_MARGIN else chosen

    def _title_fit(self, multipliers: dict[str, float], entry_index: int) -> float:
        """How well the words fill the entry's closest phrasing (or title) and the phrasing fills the words:
        the harmonic mean of the two shares of information (IDF), as in an F1 score."""
        asked = {t: self._weight(t) * m for t, m in multipliers.items()}
        asked_total = sum(asked.values()) or 1.0
        best = 0.0
        for doc_index in self._docs_by_entry[entry_index]:
            tokens = self._docs[doc_index].weights
            shared = [t for t in tokens if t in asked]
            if not shared:
                continue
            filled = sum(asked[t] for t in shared) / (self._doc_information[doc_index] or 1.0)
            answered = sum(asked[t] for t in shared) / asked_total
            best = max(best, 2 * filled * answered / (filled + answered))
        return best

    def _ambiguous(self, candidates, chosen: _Candidate, multipliers, ask, closed: bool = False) -> bool:
        """Two entries with different verdicts fit the question equally well ("will you be at the PEP?"):
        no verdict rather than a coin toss."""
        if chosen.score >= AMBIGUITY_BELOW:
            return False
        verdict = self.kb.entries[chosen.entry_index].verdict
        about = frozenset(multipliers)
        asked = _classes(frozenset(ask))
        same_action = bool(asked & self._classes[chosen.entry_index])
        for candidate in candidates:
            if candidate is chosen or (same_action and not asked & self._classes[candidate.entry_index]):
                continue
            if candidate.score < chosen.score - AMBIGUITY_MARGIN:
                return False
            entry = self.kb.entries[candidate.entry_index]
            if entry.cohorts == ("cwsw",) and "cic" in about and not about & _WITH_A_SOCIAL_WORKER:
                continue  # ("went into care last week... is the PEP started in the first weeks?": not the CiN PEP entry)
            if (entry.verdict != verdict and entry.verdict != "unknown"
                    and self._trustworthy(multipliers, candidate, closed) and self._agrees(ask, candidate.entry_index, about)):
                return True
        return False

    def _agrees(self, ask: tuple[str, ...], entry_index: int, about: frozenset[str] = frozenset()) -> bool:
        """Same kind of action and the same named programme as the ask (when the ask says), and about the same
        children: a child adopted from care or under an SGO (previously looked after) is not answered by an
        entry about children in care or with a social worker only ("does he still get a PEP?")."""
        asked = set(ask)
        vocab = self._entry_vocab[entry_index]
        cohorts = self.kb.entries[entry_index].cohorts
        if about & PLAC_TOKENS and cohorts and "plac" not in cohorts:
            return False
        if about & _WITH_A_SOCIAL_WORKER and "cic" not in about and cohorts == ("cic",) and not vocab & _WITH_A_SOCIAL_WORKER:
            return False  # "has the VS started doing PEPs for CiN?" is not answered by when a child in care's PEP starts
        if self._title_tokens[entry_index] & _KEY_ACTIONS - asked - about:
            return False  # an entry about referring answers only a question about referring
        if _FOR_FAMILIES <= self._title_tokens[entry_index] and not (about & _FAMILY or _ASKED_BY_FAMILY.get()):
            # "cp yp refusing school. can u give me advice on next steps": what parents and carers can ask of the VS
            # answers a question from them or about them, not a professional asking for themselves
            return False
        if any(p in asked and p not in vocab for p in PROGRAMMES):
            return False
        question_classes = _classes(frozenset(asked))
        entry_classes = self._classes[entry_index]
        if "fund" in question_classes and "fund" not in entry_classes:
            return False  # asked about paying for something; the entry is about doing or advising
        if "fund" in entry_classes and "fund" not in question_classes and question_classes:
            return False  # asked about doing or advising; the entry is about paying for something
        advise_or_do = {"advise", "do"}
        asked_kind = question_classes & advise_or_do
        entry_kind = entry_classes & advise_or_do
        return not (len(asked_kind) == 1 and len(entry_kind) == 1 and asked_kind != entry_kind)

    def _trustworthy(self, multipliers: dict[str, float], candidate: _Candidate, closed: bool = False) -> bool:
        """Rules that stop a high score resting on the wrong evidence (see the constants above)."""
        shared = set(multipliers) & self._entry_vocab[candidate.entry_index]
        if not shared & DOMAIN:
            return False  # only incidental words in common ("write my report" vs "write EHC plans")
        unknown = [t for t, m in multipliers.items()
                   if m >= 1.0 and t not in self._idf and not self._everyday_word(t) and not t.isdigit()]
        floor = MIN_COVERAGE_WITH_UNKNOWN_CLOSED if closed else MIN_COVERAGE_WITH_UNKNOWN
        return not unknown or candidate.coverage >= floor

    # --- several asks, conditions, parents --------------------------------------------------------

    def _parts(self, asks, outer_context: tuple[str, ...], text: str, alternatives: frozenset[str] = frozenset(),
               asker: str = PROFESSIONAL) -> list[tuple[str, _Resolved]]:
        """Each ask answered on its own, or [] when the question is really one ask; or the one ask understood, when the
        other was offered as its alternative ("..., or do they just ...?") and is not understood."""
        substantive = [(ask, tokens) for ask, tokens in asks if self._stands_alone(tokens)]
        if len(substantive) < 2:
            return []
        closed = is_closed_question(text)  # "could you do X and then update Y?": both parts ask yes or no
        results = []
        failed = []
        family = None
        for index, (ask, tokens) in enumerate(substantive):
            if approaches_the_vs_themselves(ask):
                # "does the VS cover kinship kids, and can I ask them directly to step in?" from a relative: the part
                # where a family would go to the VS themselves is the parents' entry (the other part lends it nothing)
                if family is None:  # (a special guardian or adopter can ask the VS for advice: not this rule)
                    said = set(outer_context).union(*(ts for _, ts in substantive))
                    family = asker == PARENT and not said & PLAC_TOKENS
                own = self._parents_entry(tokens) if family else None
                if own is not None:
                    results.append((ask, _Resolved("matched", own, PART_THRESHOLD, ())))
                    continue
            # The other asks lend their subject ("the intervention"), not their action ("run" vs "monitor").
            others = tuple(t for j, (_, ts) in enumerate(substantive) if j != index for t in ts if t not in _ACTIONS)
            if (("fund" in _classes(frozenset(tokens)) and "fund" in _classes(frozenset(others)))
                    or (_COVERS.intersection(tokens) and not set(tokens) - _COVERS - COHORT_TOKENS - _WHO - GENERIC - _WEAK)):
                # "can PP+ pay for maths help, and can PP+ pay for his football club": each part says what pays; the
                # other part has only its own thing to lend, which is not what this part asks about. "does VS support
                # CiN kids at all, and would they see him one to one": whether some children are the VS's is asked in
                # full; the other part's one-to-one work is not what it asks about
                others = tuple(t for t in others if t in COHORT_TOKENS)
            if COHORT_TOKENS.intersection(tokens) - {NEGATION}:
                # "are your surgeries open to SEND staff, and will you take on SEND pupils with no social worker?": a
                # part that names whom it is about is not about whom the other part names
                others = tuple(t for t in others if t not in COHORT_TOKENS)
            context = outer_context
            actor = _ACTOR_FIRST.match(ask)
            if actor and _ACTORS.intersection(self._tokens(actor.group(1))):
                # "can mum contact the VS herself, or can school refer in?": a part whose subject is who acts is about
                # them, not about whoever the story or the other part names
                others = tuple(t for t in others if t not in _ACTORS or t in tokens)
                context = tuple(t for t in context if t not in _ACTORS or t in tokens)
            own_clause = _before_relative_clause(ask)
            if _THE_ONES_WE.search(ask):  # "check the ones we run": what the school runs is not the part's own action
                tokens = self._tokens(own_clause) or tokens
            points_back = _POINTS_BACK.search(own_clause)
            resolved = None
            if others and _ACTIONS.intersection(tokens) and _PRONOUN_BACK.search(own_clause):
                # "deliver the interventions, or only monitor them?": "them" is the other part's subject, asked as
                # fully as the part's own action
                borrowed = self._resolve(tokens + others, context, ask, closed)
                if borrowed.reason == "matched" and borrowed.score >= PART_THRESHOLD:
                    resolved = borrowed
            resolved = resolved or self._resolve(tokens, context + others, ask, closed)
            if not points_back and (resolved.reason != "matched" or resolved.score < PART_THRESHOLD):
                # a part with its own subject ("advise the school on trauma"): read alone, with only who it is about
                alone = self._resolve(tokens, context + tuple(t for t in others if t in COHORT_TOKENS), ask, closed)
                if alone.reason == "matched":
                    resolved = alone
            action = _ACTIONS.intersection(tokens)
            if (resolved.reason == "matched" and action and not points_back
                    and not action & self._entry_vocab[self._index_of[resolved.entry.id]]):
                # "Y5 CiN on a reduced timetable. would the inclusion team get involved and could someone work with
                # him directly?": the story pulled the part to an entry that never speaks of the part's own action;
                # read by its own words and who it is about, an entry that does answers it
                cohort = tuple(t for t in context if t in COHORT_TOKENS)
                own = self._resolve(tokens, cohort, ask, closed)
                if (own.reason == "matched" and own.score >= PART_THRESHOLD
                        and action & self._entry_vocab[self._index_of[own.entry.id]]):
                    resolved = own
                elif closed and (doing := self._not_done(tokens, cohort)) is not None:
                    resolved = doing  # "...as well as teach him in a unit": what it does not do, among unknown words
            if resolved.reason != "matched" or resolved.score < PART_THRESHOLD:
                failed.append(index)
            results.append((ask, resolved))
        if len(failed) == 1 and all(r.score >= self.threshold for i, (_, r) in enumerate(results) if i != failed[0]):
            # "Do you monitor their mental health? And would you deliver ELSA sessions?": the second part asks the
            # Virtual School to do something itself; what it does not do is stated ("carry out interventions"), so
            # the closest entry saying it does not do that action answers it, even among unfamiliar words.
            index = failed[0]
            ask, tokens = substantive[index]
            # "can you advise them, or just tell them to stop?": a part cut from a yes/no question asks yes or no too
            asks_yes_no = is_closed_question(ask) or (closed and not _is_open_question(ask))
            if not asks_yes_no or self._off_topic(text, set(tokens)):
                return []
            doing = self._not_done(tokens, outer_context) or self._plac_request(tokens, outer_context,
                                                                                 results[index][1].score)
            if doing is None:
                if ask in alternatives and len(results) == 2 and results[1 - index][1].entry is not None:
                    # "X, or do they just Y?": the other side of one yes/no question; X answered answers it
                    return [results[1 - index]]
                return []
            results[index] = (ask, doing)
        elif failed:
            return []  # a part not understood: answer the question as a whole instead
        if len({r.entry.id for _, r in results}) < 2:
            # one entry for both: a real second ask only if one part's own action is one that entry never speaks of
            vocab = self._entry_vocab[self._index_of[results[0][1].entry.id]]
            if any(_ACTIONS.intersection(tokens) and not _ACTIONS.intersection(tokens) & vocab
                   for _, tokens in substantive):
                return self._parts_by_own_words(substantive, outer_context)
            return []
        return results

    def _parts_by_own_words(self, substantive, context: tuple[str, ...]) -> list[tuple[str, _Resolved]]:
        """ "Y9 CiN at risk of PEx. will VS inclusion get involved, and would they do direct work with him?": the story
        is the same for both asks, and it pulled both to one entry (exclusion). Read each by its own words and who it is
        about; if that tells them apart, each is answered so. A part that points back at a thing in the story ("advise
        them on it") keeps the story: it is what "it" is (but "refer him to them" points at people, not the story)."""
        cohort = tuple(t for t in context if t in COHORT_TOKENS)
        return self._each_answered([(ask, tokens, context if _THING_BACK.search(ask) else cohort)
                                    for ask, tokens in substantive])

    def _each_answered(self, readings, *, by_condition: bool = False) -> list[tuple[str, _Resolved]]:
        """Each (text, ask tokens, context) read on its own; [] unless every one is matched confidently and no two by
        the same entry (then the readings did not tell the asks, or the children, apart). With `by_condition`, one entry
        may answer two children whom its condition tells apart ("one plan ended 8 years ago, the other last year")."""
        results = []
        for text, tokens, context in readings:
            resolved = self._resolve(tokens, context, text)
            if resolved.reason != "matched" or resolved.score < PART_THRESHOLD:
                return []
            results.append((text, resolved))
        if len({r.entry.id for _, r in results}) == len(results):
            return results
        if by_condition and len({self._verdict_with_condition(r.entry, text) for text, r in results}) == len(results):
            return results
        return []

    def _directed(self, resolved: _Resolved, tokens: tuple[str, ...], context: tuple[str, ...], text: str) -> _Resolved:
        """ "Can the VS tell the school to put her on a reduced timetable?": the Virtual School is asked to direct a school
        (or overrule a head) about a thing that has an entry of its own. That entry says whether the Virtual School
        gets involved in the thing, not whether it gives schools orders about it; the entry saying it does not direct
        schools answers (seed 004), when the matched one never speaks of directing."""
        directing = _DIRECTING.intersection(tokens)  # (most questions direct no one: settled first, by a set)
        if not directing or resolved.reason not in ("matched", "low_confidence", "mismatch"):
            return resolved
        if resolved.entry is not None and (resolved.entry.verdict == "no"
                                           or directing & self._entry_vocab[self._index_of[resolved.entry.id]]):
            return resolved
        if not _DIRECTS_A_SCHOOL.search(text) or not is_closed_question(text):  # "can you order lunch?", "tell me who"
            return resolved
        if _BEING_TOLD.search(text):  # "is the school told when attendance falls?": being told, not given orders
            return resolved
        doing = self._not_done(tuple(t for t in tokens if t in directing or t not in _ACTIONS), context)
        if doing is None or not directing & self._title_tokens[self._index_of[doing.entry.id]]:
            return resolved
        offered = tuple(e for e in (resolved.entry, *resolved.candidates) if e is not None and e.id != doing.entry.id)
        return replace(doing, candidates=offered)  # the thing's own entry stays among the suggestions

    def _not_done(self, tokens: tuple[str, ...], context: tuple[str, ...]) -> _Resolved | None:
        """The "no" entry about the very action a part asks the Virtual School to do ("deliver", "visit", "attend
        on our behalf"), if one is close enough."""
        asked = set(tokens) & (DO | _NOT_DONE_ACTIONS)
        if not asked:
            return None
        multipliers = self._query_weights(tokens, context)
        for candidate in self._rank(multipliers, tokens):
            if candidate.score < DOING_PART_THRESHOLD:
                break
            entry = self.kb.entries[candidate.entry_index]
            if (entry.verdict == "no" and asked & self._title_tokens[candidate.entry_index]
                    and self._agrees(tokens, candidate.entry_index, frozenset(multipliers))):
                return _Resolved("matched", entry, round(candidate.score, 4), ())
        return None

    def _as_for_children_in_care(self, text: str, ask: tuple[str, ...], context: tuple[str, ...],
                                 corrections) -> Answer | None:
        """ "would the VS support them the same as children in care, with PEPs and everything?" about children adopted
        or under an SGO, "does the VS do for CiN kids what it does for CiC?": whether other children get all that
        children in care get. Partly: for children previously in care, advice and information (seed 004); for children
        with a social worker, a strategic role (seed 002). The entry saying so answers, not the one about a thing named
        among the rest ("PEPs and everything"); a question about one thing ("the same PEP as...") is that thing's."""
        if not _AS_IN_CARE.search(text) and not (_THE_SAME_HELP.search(text) and _WHEN_IN_CARE.search(text)):
            return None  # ("...when he was in care. Now we've adopted him, does he get the same help?" is the same)
        about = set(ask) | set(context)
        if not (_WHOLE_OFFER.search(text) or (_THE_SAME_AS.search(text) and not about & _ONE_THING)):
            return None  # ("does he still get a PEP like when he was in care?" asks about PEPs: no)
        if "fund" in _classes(about):
            return None  # "do adopted kids get PP+ the same as children in care?": what pays, not what the VS does
        if about & PLAC_TOKENS:
            entry_id = PLAC_ENTRY_ID
        elif about & _WITH_A_SOCIAL_WORKER:
            entry_id = CWSW_ENTRY_ID
        else:
            return None
        entry = self.kb.get(entry_id)
        if entry is None:
            return None
        ranked = self._rank(self._weighed(ask, context, text), ask)  # (the whole question, as _resolve reads it)
        index = self._index_of[entry.id]
        score = next((round(c.score, 4) for c in ranked if c.entry_index == index), 0.0)
        others = tuple(islice((self.kb.entries[c.entry_index] for c in ranked if c.entry_index != index), MAX_SUGGESTIONS))
        return Answer(entry.verdict, entry, score, others, "matched", corrections)

    def _plac_request(self, tokens: tuple[str, ...], context: tuple[str, ...], score: float) -> _Resolved | None:
        """ "my girl is adopted... can you give me advice AND send someone to her school meetings?": for a child previously
        in care the Virtual School gives advice and information only (seed 004), so a part asking it to do anything else
        is answered by the entry saying so."""
        asked = set(tokens)
        if not PLAC_TOKENS.intersection(tokens + context) or asked & (ADVISE | FUND) or not asked & _ACTING_FOR_CHILD:
            return None
        entry = self.kb.get(PLAC_ENTRY_ID)
        return None if entry is None else _Resolved("matched", entry, score, ())

    def _per_child(self, asks, context: str) -> list[tuple[str, _Resolved]]:
        """ "my eldest has ADHD and no social worker, my youngest is in foster care: are both covered?": the ask
        answered for each child the story describes (two of them, each said to be in or out of a cohort)."""
        if len(asks) != 1:
            return []
        children = [(c, self._tokens(c)) for c in about_two_children(asks[0][0], context)]
        # each said to be in or out of a cohort, or of an age ("one 17 at college and one just turned 19")
        children = [(c, tokens) for c, tokens in children if set(tokens) & COHORT_TOKENS or any(map(str.isdigit, tokens))]
        if len(children) == 3 and names_them_together(children[0][0]):
            # "two pupils with EHCPs, one on a CP plan and one with no SW ever": what is said of both is said of each
            (together, shared), *children = children
            children = [(f"{together} {c}", shared + tokens) for c, tokens in children]
        if len(children) != 2:
            return []
        return self._each_answered([(description, asks[0][1], tokens) for description, tokens in children],
                                   by_condition=True)

    def _per_group(self, asks, context: tuple[str, ...]) -> list[tuple[str, _Resolved]]:
        """ "is the VS there for kids on CiN plans and also for SEND kids who don't have a social worker?": two groups of
        children, the second said without the verb; each is read with what the other says of them (who it is for)."""
        if len(asks) == 1:
            asks = self._two_groups(asks[0][0])
        if len(asks) != 2 or any(not COHORT_TOKENS.intersection(tokens) for _, tokens in asks):
            return []
        if all(self._stands_alone(tokens) for _, tokens in asks):
            return []  # each says what it asks: _parts read them
        readings = []
        for index, (ask, tokens) in enumerate(asks):
            lent = tuple(t for t in asks[1 - index][1] if t not in COHORT_TOKENS and t not in tokens)
            readings.append((ask, tokens + lent, context))
        return self._each_answered(readings)

    def _two_groups(self, ask: str) -> list[tuple[str, tuple[str, ...]]]:
        """ "do you cover kinship kids AND children with SEND who don't have a social worker?": one short ask naming two
        groups of children, cut at the "and" between them ([] when it does not)."""
        if len(ask.split()) > 20:
            return []  # (a long message's asks are found by the splitter; this is for one short question)
        for join in _GROUP_JOIN.finditer(ask):
            left, right = ask[:join.start()], ask[join.end():]
            if _STARTS_A_CLAUSE.match(right):
                continue  # a second ask or the same child again, not a second group
            sides = [(left, self._tokens(left)), (right, self._tokens(right))]
            if all(COHORT_TOKENS.intersection(tokens) - {NEGATION} for _, tokens in sides):
                return sides
        return []

    def _stands_alone(self, tokens: tuple[str, ...]) -> bool:
        """An ask with its own subject: a word we model that is not only who it is about ("or is that the DT?",
        "could one of your team come in" are not asks of their own)."""
        if _COVERS.intersection(tokens) and COHORT_TOKENS.intersection(tokens) - {NEGATION}:
            # "are CiN kids covered now?", "does the VS support children previously looked after?": whether some
            # children are the VS's is an ask of its own
            return True
        own = {t for t in tokens if t in DOMAIN and t not in COHORT_TOKENS and t not in GENERIC and t not in _WEAK}
        return sum(self._weight(t) for t in own) >= MIN_PART_INFORMATION

    def _closest(self, ask: tuple[str, ...], context: tuple[str, ...], text: str) -> tuple[Entry, ...]:
        """The entries closest to the whole question, best first, as _resolve weighs it (for suggestions)."""
        return tuple(self.kb.entries[c.entry_index] for c in self._rank(self._weighed(ask, context, text), ask)
                     [: MAX_SUGGESTIONS + 1])

    def _combine(self, parts, closest: tuple[Entry, ...], corrections) -> Answer:
        answered = []
        for ask, resolved in parts:
            verdict, note = self._verdict_with_condition(resolved.entry, ask)
            answered.append(Part(ask, verdict, resolved.entry, note))
        verdicts = {p.verdict for p in answered}
        verdict = verdicts.pop() if len(verdicts) == 1 else "partly"
        first = answered[0].entry
        seen = {p.entry.id for p in answered}
        suggestions = tuple(e for e in closest if e.id not in seen)[:MAX_SUGGESTIONS]
        score = min(r.score for _, r in parts)
        return Answer(verdict, first, score, suggestions, "matched", corrections, parts=tuple(answered))

    def _verdict_with_condition(self, entry: Entry, text: str) -> tuple[str, str]:
        if entry.recipients:
            # "will the DT get an alert if attendance drops?": the alert's words fit whoever is named as told
            named = named_recipients(text)
            outside = named - set(entry.recipients) - {ASKER}
            if outside:  # partly when someone named does or may get them ("the SW and the DT", "me and the DT")
                return ("partly" if named & {*entry.recipients, ASKER} else "no"), recipients_note(entry.recipients,
                                                                                                  outside)
        condition = self._conditions[self._index_of[entry.id]]
        if condition is None:
            return entry.verdict, ""
        measured = measure(text, self.today).get(condition.quantity)
        if measured is None and condition.quantity == "years_ago" and _ANY_TIME_AGO.search(text):
            # "whose CP plan ended, however long ago that was?": some of them are inside the limit and some are not
            return "partly", f"Only if it was in the last {condition.value:g} years."
        if measured is None or condition.holds(measured):
            return entry.verdict, ""
        if _OR_SIDES.search(text) and any(
                (side := measure(piece, self.today).get(condition.quantity)) is not None and condition.holds(side)
                for piece in _OR_SIDES.split(text)):
            return entry.verdict, ""  # "every term or just once a year?", "every term, not just once a year?": the right
            # figure is one of those said
        return "no", explain_outside(condition, measured)

    def _apply_condition(self, answer: Answer, text: str) -> Answer:
        verdict, note = self._verdict_with_condition(answer.entry, text)
        if not note:
            return answer
        return Answer(verdict, answer.entry, answer.score, answer.suggestions, answer.reason, answer.corrections,
                      note=note)

    def _for_parent(self, answer: Answer, tokens: tuple[str, ...], asks: list[str], text: str) -> Answer:
        """A parent asking about their own child: answer what is true whoever asks, signpost the rest.

        A parent's request for the Virtual School to act ("can you help him?") about a child with a social worker
        gets the parents' entry (the Virtual School does not take parents' requests); a question about what it
        does ("is he covered?", "is that something they take on?") is answered as asked; a question with no
        yes/no in it ("how do I...?" and nothing else) is signposted."""
        parent_entry = self.kb.get(PARENT_ENTRY_ID)
        about = set(tokens)
        entry = answer.entry
        # open only when no ask is a yes/no question: "How do I refer my child? can parents do it?" has one
        open_question = all(_is_open_question(ask) for ask in asks) if len(asks) > 1 else (
            _is_open_question(asks[0]) or _is_open_question(text))
        request = is_request(text)
        if answer.parts and "cic" not in about and not about & PLAC_TOKENS:
            own = self._parent_parts(answer)
            if own is not answer or any(approaches_the_vs_themselves(p.ask) and "parent" in self._title_tokens[
                    self._index_of[p.entry.id]] for p in answer.parts):
                # their own request answered by the parents' entry (here or in _parts); the rest is what the VS does
                return _replace(own, audience=PARENT)
        if open_question and entry is not None and not (answer.parts or "cic" in about or about & PLAC_TOKENS):
            # "how do I ...?" from a parent: no yes/no; signpost, offering what the question is closest to
            others = tuple(e for e in (parent_entry, *answer.suggestions) if e is not None and e.id != entry.id)
            return Answer("unknown", None, answer.score, (entry, *others)[:MAX_SUGGESTIONS], "parent",
                          answer.corrections, offered=entry, audience=PARENT)
        if entry is not None and not open_question and (professional_referral(text) or not request):
            return _replace(answer, audience=PARENT)  # what the VS does, asked by a parent: answered as asked
        if entry is not None and entry.cohorts == ("plac",) and not about & PLAC_TOKENS:
            keep = False  # advice for adopters and special guardians, but this child was not in care
        else:
            keep = entry is not None and (
                _answers_parents(entry) or "cic" in about or bool(about & PLAC_TOKENS and "plac" in entry.cohorts))
        if keep:
            return _replace(answer, audience=PARENT)
        if answer.reason in ("out_of_scope",):
            return _replace(answer, audience=PARENT)
        topic = entry or answer.offered or (answer.suggestions[0] if answer.suggestions else None)
        if parent_entry is None:
            return _replace(answer, audience=PARENT)
        parent_entry = self._parents_entry(tokens) or parent_entry
        others = tuple(e for e in (topic, *answer.suggestions) if e is not None and e.id != parent_entry.id)
        others = tuple(dict.fromkeys(others))[:MAX_SUGGESTIONS]
        if (entry is None and answer.reason in ("low_confidence", "mismatch") and not open_question
                and about & PLAC_TOKENS and (about & (ADVISE | {"support"}) or request)):
            # an adoptive parent or special guardian asking for advice, or for the VS to act ("will you come to
            # meetings with me?"): the advice and information they can have
            plac = None
            if about & (ADVISE | {"support"}):
                plac = next((e for e in answer.suggestions if "plac" in e.cohorts and _answers_parents(e)), None)
            plac = plac or self.kb.get(PLAC_ENTRY_ID)
            if plac is not None:
                return Answer(plac.verdict, plac, answer.score, others, "matched", answer.corrections,
                              audience=PARENT)
        other_cohort = bool(about & PLAC_TOKENS) and "plac" not in parent_entry.cohorts  # adopters: not the CWSW rule
        if open_question or not request or other_cohort or (
                entry is None and answer.reason not in ("low_confidence", "mismatch")):
            return Answer("unknown", None, answer.score, (parent_entry, *others)[:MAX_SUGGESTIONS], "parent",
                          answer.corrections, offered=parent_entry, audience=PARENT)
        return Answer(parent_entry.verdict, parent_entry, answer.score, others, "matched", answer.corrections,
                      offered=topic, audience=PARENT)

    def _parent_parts(self, answer: Answer) -> Answer:
        """ "do you get involved when kids are out of school, and can I refer him myself?" from a parent: the part where
        they would go to the Virtual School themselves is answered by the entry about parents doing so."""
        parts = []
        for part in answer.parts:
            parents_already = "parent" in self._title_tokens[self._index_of[part.entry.id]]
            if approaches_the_vs_themselves(part.ask) and not parents_already:
                own = self._parents_entry(self._tokens(part.ask))
                if own is not None:
                    part = Part(part.ask, own.verdict, own)
            parts.append(part)
        if all(p is q for p, q in zip(parts, answer.parts, strict=True)):
            return answer
        verdicts = {p.verdict for p in parts}
        return _replace(answer, verdict=verdicts.pop() if len(verdicts) == 1 else "partly", parts=tuple(parts),
                        entry=parts[0].entry)  # the answer's entry is its first part's, as _combine makes it

    def _parents_entry(self, tokens: tuple[str, ...]) -> Entry | None:
        """The entry about parents closest to the question ("can I refer my son?" -> parents can't refer)."""
        multipliers = {t: 1.0 for t in tokens} | {"parent": 1.0}
        for candidate in self._rank(multipliers, tuple(multipliers)):
            if candidate.score < self.threshold:
                break
            if "parent" in self._title_tokens[candidate.entry_index]:
                entry = self.kb.entries[candidate.entry_index]
                if entry.verdict in ("no", "partly") and "plac" not in entry.cohorts:
                    return entry
        return None

    def _to_answer(self, resolved: _Resolved, corrections) -> Answer:
        if resolved.reason == "matched":
            return Answer(resolved.entry.verdict, resolved.entry, resolved.score, resolved.candidates[:MAX_SUGGESTIONS],
                          "matched", corrections)
        suggestions = resolved.candidates
        if resolved.offered is not None:
            suggestions = (resolved.offered, *(e for e in suggestions if e.id != resolved.offered.id))
        return Answer("unknown", None, resolved.score, suggestions[:MAX_SUGGESTIONS], resolved.reason, corrections,
                      offered=resolved.offered)

    # --- scoring ----------------------------------------------------------------------------------

    def _rank(self, multipliers: dict[str, float], ask: tuple[str, ...] | None = None) -> list[_Candidate]:
        """Every entry sharing a word with the weighed question, best first. A two-ask question may be read the same way
        twice (a part read by its own words, then all parts so; a part read alone when the other lends only who it is
        about): within one question each reading is made once and the list is shared (callers never change it)."""
        readings = memo.current()
        if readings is None:
            return self._rank_once(multipliers, ask)
        key = ("rank", tuple(multipliers.items()), ask)
        found = readings.get(key)
        if found is None:
            found = readings[key] = self._rank_once(multipliers, ask)
        return found

    def _rank_once(self, multipliers: dict[str, float], ask: tuple[str, ...] | None = None) -> list[_Candidate]:
        weights = {t: self._weight(t) * m for t, m in multipliers.items()}
        total = max(sum(weights.values()), MIN_INFORMATION)
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0

        # Cosine: dot products with every phrasing, best phrasing per entry. Only phrasings a word of the question
        # that is not in most of them finds are scored ("child", "school" alone find nearly all); when every known
        # word is that common, all are.
        row_of = self._row_of
        common = self._common_tokens
        known: list[tuple[int, float]] = []  # (row, weight) of each word a phrasing has, in the question's order
        rare: list[tuple[int, float]] = []
        usual: list[tuple[int, float]] = []
        for token, weight in weights.items():
            row = row_of.get(token)
            if row is not None:
                known.append((row, weight))
                (usual if token in common else rare).append((row, weight))
        finding = rare or known
        if not finding:
            return []
        # Each phrasing's dot product is its words' products added word by word (the finding words, then the common
        # ones): bincount adds in the order it is given, so each sum is the same float a loop over the words makes.
        adding = finding + usual if rare else finding
        row_docs = self._row_docs
        docs = numpy.concatenate([row_docs[row] for row, _ in adding])
        row_weights = self._row_weights
        # (array methods, not numpy.repeat / numpy.argsort: those wrap lists and arrays in Python first)
        products = numpy.concatenate([row_weights[row] for row, _ in adding]) * numpy.array(
            [weight for _, weight in adding]).repeat([len(row_docs[row]) for row, _ in adding])
        phrasings = len(self._docs)
        dot = numpy.bincount(docs, products, phrasings)
        found = numpy.zeros(phrasings, dtype=bool)
        found[docs[:sum(len(row_docs[row]) for row, _ in finding)] if rare else docs] = True
        similarity = dot / norm * self._penalty[NEGATION in multipliers]
        similarity[~found] = -1.0
        starts = self._entry_starts
        scored = numpy.logical_or.reduceat(found, starts)
        entries = self._scored_entries[scored]
        if not len(entries):
            return []
        cosine = numpy.maximum.reduceat(similarity, starts)[scored]
        row_entries = self._row_entries
        covered = numpy.bincount(numpy.concatenate([row_entries[row] for row, _ in known]),
                                 numpy.array([weight for _, weight in known]).repeat(
                                     [len(row_entries[row]) for row, _ in known]),
                                 len(self.kb.entries))
        coverage = covered[entries] / total
        partial = W_COSINE * cosine + W_COVERAGE * coverage
        # String similarity only where it can change the winner (it adds at most W_FUZZ): between the ask
        # (and what weighs like it) and the closest phrasing of each of those entries.
        contending = partial >= numpy.maximum.reduce(partial) - W_FUZZ
        ordered = entries[contending].tolist()
        focus = {t for t, m in multipliers.items() if m >= COHORT_CONTEXT_WEIGHT} | set(ask or ())
        query_text = " ".join(sorted(focus or multipliers))
        runs = [self._texts_by_entry[e] for e in ordered]
        run_starts = list(accumulate((len(r) for r in runs[:-1]), initial=0))
        # both texts are already sorted tokens, so plain ratio is token_sort_ratio without sorting them again
        ratios = process.cdist([query_text], list(chain.from_iterable(runs)), scorer=fuzz.ratio,
                               dtype=numpy.float64)[0]
        fuzzy = numpy.zeros(len(entries))
        fuzzy[contending] = numpy.maximum.reduceat(ratios / 100.0, run_starts)
        score = partial + W_FUZZ * fuzzy
        order = (-score).argsort(kind="stable")  # best first; ties in file order, so deterministic
        make = tuple.__new__  # (a _Candidate made without the NamedTuple constructor's extra call)
        return [make(_Candidate, fields) for fields in zip(entries[order].tolist(), score[order].tolist(),
                                                           cosine[order].tolist(), coverage[order].tolist(),
                                                           fuzzy[order].tolist(), strict=True)]

    # --- helpers ----------------------------------------------------------------------------------

    def _entry_phrasing_tokens(self, entry: Entry) -> list[tuple[str, ...]]:
        # KB text is trusted: normalise without typo repair so the vocabulary stays as written.
        return [self.normaliser.normalise(t, repair=False).tokens for t in (entry.title, *entry.phrasings)]

    def _weight(self, token: str) -> float:
        weight = self._kb_weights.get(token)
        if weight is not None:
            return weight
        # An unknown number ("3 suspensions") or everyday word says little; an unknown noun says "not our subject".
        return self._unknown_idf * (GENERIC_WEIGHT if self._everyday_word(token) or token.isdigit() else 1.0)

    def _everyday_word(self, token: str) -> bool:
        return token in GENERIC or token in self.normaliser.everyday

    def _unit_vector(self, tokens: tuple[str, ...]) -> dict[str, float]:
        weights = {t: self._weight(t) for t in set(tokens)}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    def _known_share(self, multipliers: dict[str, float]) -> float:
        """Share of the question's information (IDF mass) made of words the KB knows, or everyday words and
        numbers ("again", "this term", "3"), which say nothing about another subject."""
        weights = {t: self._weight(t) * m for t, m in multipliers.items()}
        total = sum(weights.values())
        known = sum(w for t, w in weights.items() if t in self._idf or self._everyday_word(t) or t.isdigit())
        return known / total if total else 0.0

    def _off_topic(self, text: str, tokens: set[str]) -> bool:
        words, off_topic_words, other_body, about_us, admissions, days_off, off_topic_text = _off_topic_signs(text)
        strong = bool(tokens & _STRONG_DOMAIN)
        if not strong and off_topic_words:
            return True
        if other_body and "inspect" not in tokens:
            if not about_us or {"us", "our"}.intersection(words):
                return True
        if admissions:
            return True  # "when do reception applications close?": school admissions timetables are not ours
        if "alert" not in tokens and days_off:
            return True  # "when is the next bank holiday?"; but "are alerts sent on bank holidays?" is ours
        return off_topic_text


@memo.per_question  # what _off_topic reads in the text, once however many asks it checks
def _off_topic_signs(text: str) -> tuple[tuple[str, ...], bool, bool, bool, bool, bool, bool]:
    words = _british_words(text)
    joined = f" {' '.join(words)} "
    return (words, any(w in _OFF_TOPIC_WORDS for w in words), any(w in _OTHER_BODIES for w in words),
            bool(_ABOUT_US.intersection(words)),
            bool(_DEADLINE_WORDS.intersection(words) and _ADMISSION_WORDS.intersection(words)),
            bool(_DAYS_OFF_TEXT.search(joined)), bool(_OFF_TOPIC_TEXT.search(joined)))


# Whether the question being answered is asked by a parent or carer (set by _answer; when nothing is being answered, as
# in score_candidates, an entry for parents and carers is not held back).
_ASKED_BY_FAMILY: ContextVar[bool] = ContextVar("faq_asked_by_family", default=True)


@memo.per_question  # the same question is checked once per ask it is resolved for
def _british_words(text: str) -> tuple[str, ...]:
    return tuple(british(w) for w in surface_tokens(text))


_REFERS_BACK = Folded(r"(?=[acdfghmprs])(?:\b(?:fund|pay\s+for|paying\s+for|do|support|cover|help\s+with|arrange|sort|"
                      r"attend|get\s+involved\s+(?:in|with)|monitor|chair|deliver|run)\s+(?:it|that|this|them|those|these)\b)")


_POINTS_BACK = Folded(r"\b(?:it|them|that|this|those|these|one|ones|the\s+same)\b")
# A pronoun that stands for the other part's subject ("...or only monitor them?"); "find one" points at the story.
_PRONOUN_BACK = Folded(r"\b(?:it|them|those|these|the\s+same)\b")
# A pronoun that stands for a thing the story is about ("advise them on it"), not for people ("refer him to them").
_THING_BACK = Folded(r"\b(?:it|that|this)\b")
# "deliver the tutoring that gets agreed in it", "the interventions agreed in it": a relative clause says which thing the
# part's own object is; a pronoun in it ("it": the PEP) is not the object of the part's action, so it does not make the
# part borrow the other's subject
_RELATIVE_CLAUSE = Folded(r"(?<=[a-z])\s+(?:(?:that|which)\s+(?:gets?|got|is|are|was|were|has|have|had|will|would|we|"
                          r"they|you|i|the|school|schools)|(?:agreed|set\s+out|written|recorded|decided|planned|listed|"
                          r"named)\s+(?:in|at|by|for)|(?:we|they|you|i)\s+(?:agree|set|put|decide|write|plan|record)\s+"
                          r"(?:out\s+)?(?:in|at|on)|(?:(?<=ones\s)|(?<=those\s))(?:we|they|the\s+school)\s+(?:run|do|deliver|put\s+in|"
                          r"have))\b")


def _before_relative_clause(ask: str) -> str:
    match = _RELATIVE_CLAUSE.search(ask)
    return _THEM_AS_PEOPLE.sub(" ", ask[:match.start()] if match else ask)


# "can I ask them directly to step in?": "them" is whom the asker would go to (the VS), not the other part's subject
_THEM_AS_PEOPLE = re.compile(r"\b(?:ask|asking|contact|contacting|ring|call|phone|email|message|speak\s+to|talk\s+to|"
                             r"get\s+hold\s+of|reach)\s+them\b", re.IGNORECASE)


_ORDERS = frozenset({"sgo", "cao"})  # special guardianship and child arrangements orders


def _never_in_care(asks, context: tuple[str, ...]):
    """ "we have an SGO for our grandson, he was never in care": an order for a child who was never in care is a kinship
    arrangement (in the cohort since 2024), not a child previously looked after (advice only)."""
    def pairs(tokens):
        return any(a == NEGATION and b == "cic" for a, b in zip(tokens, tokens[1:], strict=False))  # each with the next
    if not (pairs(context) or any(pairs(tokens) for _, tokens in asks)):
        return asks, context

    def as_kinship(tokens):
        out, skip = [], False
        for a, b in zip_longest(tokens, tokens[1:]):  # each token with the next (None after the last)
            if skip:
                skip = False
            elif a == NEGATION and b == "cic":
                skip = True  # "never in care" has said what it says
            else:
                out.append("kinship" if a in _ORDERS else a)
        return tuple(out)
    return [(ask, as_kinship(tokens)) for ask, tokens in asks], as_kinship(context)


def _SHORT_WEEK(text: str) -> bool:
    hours = measure(text).get("hours_per_week")
    return hours is not None and hours < FULL_TIME_HOURS


def _classes(tokens: frozenset[str] | set[str]) -> frozenset[str]:
    found = set()
    if tokens & FUND:
        found.add("fund")
    if tokens & ADVISE:
        found.add("advise")
    if tokens & DO:
        found.add("do")
    return frozenset(found)


# "what's the process for...", "how do we go about...": asking how to get something done.
_PROCEDURE_ASK = re.compile(r"^\W*(?:what(?:'|’)?s|what\s+is|what\s+are)\s+(?:the\s+)?(?:current\s+|usual\s+|right\s+)?"
                            r"(?:process|procedure|steps|way)\b|^\W*how\s+(?:do|can|should|would|does)\s+(?:i|we|one|"
                            r"a\s+school|schools?)\b", re.IGNORECASE)
# The Virtual School's own processes (referring, surgeries): a how-to about them is ours even when the answer is no.
_OWN_PROCESSES = frozenset({"refer", "surgery", "book", "alert"})
_OPEN_QUESTION = Folded(r"^\W*(?:what|whats|how|who|where|why|which)\b|\b(?:what|how|who|where|which)\s+(?:can|do|should|"
                            r"could|would|shall)\s+(?:i|we)\b|\bwhats\s+(?:happening|going\s+on|next)\b|"
                            r"\bwhat\s+(?:happens\s+)?(?:now|next)\b")


def _is_open_question(text: str) -> bool:
    """"what can I do?", "who do I speak to?": no yes/no answer is asked for."""
    return bool(_OPEN_QUESTION.search(text.replace("'", "").replace("’", "")))


def _offered_instead(answer: Answer) -> Answer:
    """No verdict: the matched entry is close but does not answer what was asked, so it is offered ("mismatch")."""
    return Answer("unknown", None, answer.score, answer.suggestions, "mismatch", answer.corrections, offered=answer.entry,
                  audience=answer.audience)


def _answers_parents(entry: Entry) -> bool:
    if entry.parents:
        return entry.parents == "answer"
    return entry.verdict == "no"


def _replace(answer: Answer, **changes) -> Answer:
    return replace(answer, **changes)


def _corpus(entries: Iterable[Entry]) -> list[str]:
    return [text for e in entries for text in (e.title, *e.phrasings)]


def _idf(vocabularies: list[frozenset[str]]) -> dict[str, float]:
    """Smoothed IDF over entries (BM25's form, always positive)."""
    count = len(vocabularies)
    document_frequency: dict[str, int] = {}
    for vocab in vocabularies:
        for token in vocab:
            document_frequency[token] = document_frequency.get(token, 0) + 1
    return {t: math.log(1 + (count - df + 0.5) / (df + 0.5)) for t, df in document_frequency.items()}
