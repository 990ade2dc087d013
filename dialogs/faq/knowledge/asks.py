"""Find the ask inside a question, and the second ask when a question joins two.

Real questions carry context around the ask: "year 10 boy, two suspensions since September, head now
talking about a managed move - can you help?". The matcher weighs the ask fully and the context less,
so a long story does not drown the match. The rules are plain text rules, explainable to staff:

  * the text is cut into clauses at sentence ends (. ? ! ;), dashes and line breaks;
  * in each clause the ask starts at the first question opener followed by a subject ("can VS",
    "would the inclusion team", "is it", "does he") or a question word ("who", "how", "what");
    a clause that ends with "?" is an ask; the rest is context;
  * an ask is split in two where a conjunction starts a second action: "... and also ...",
    "... and then ...", "... and if ...", "... and <verb> ...", "... or just ...", "... or do you just ...",
    "... and the rest on ...", "... or at least ...", "... or even ...", "... or is your role only to ...",
    "..., plus would they ...", "... n could they ..." ("n" typed for "and"), "... and basically <verb> ...",
    "... or <verb> ..." ("advise them on it or make them change it"; not "or do I have to?").
    "X or is that the DT?" is one ask (who does it), not two; "come in and see him" is one action.
  * also asked: a statement assumed before the ask ("X is fine I assume, but can ...?"), the Virtual School and a
    bare verb typed without "does" ("vs monitor interventions for cic can they..."), and the claim before "is that
    right?" (instead of "is that right" itself);
  * also asked: what someone wants, said after the question ("does vs check how pp+ is spent? carer wants it spent on
    his football club"; "... his carer would like you to take him on a visit");
  * not asked: the alternative ruled out ("... and not / rather than where the school is"), and a "when / where ..."
    clause with its own subject ahead of the question ("When a child in care moves here, does the VS ...?"): the
    condition it is asked under, context.
When nothing looks like an ask, the whole text is the ask; an ask that says nothing itself ("do you do that?")
points back at the last sentence of the story, which may join two asks (story_asks).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from dialogs.faq.knowledge.folded import Folded

# (every break starts with a space, a stop or a colon: the lookahead lets the rest be tried only there, twice as fast)
_CLAUSE_BREAK = re.compile(r"(?=[\s.?!:])(?:(?<=[.?!;])\s+|\n+|\s+[-–—]+\s+|\s*[.?!]{2,}\s*|:\s+|\s*\.\.\.\s*)")
_OPENERS = (r"can|could|would|will|do|does|did|is|are|was|were|should|shall|may|might|has|have|cud|wud|shud|"
            r"shouldnt|shouldn't|isnt|isn't|doesnt|doesn't|dont|don't|wont|won't|cant|can't|r")
# (a family member is a subject too: "can mum contact the VS herself or can school refer?" asks from its start)
_SUBJECTS = (r"you|u|ya|yous|youse|yez|some|vs|vsh|the|your|ur|we|i|they|he|she|it|its|that|this|there|someone|somebody|anyone|"
             r"anybody|a|an|our|my|his|her|their|dsls?|dts?|eps?|sws?|iros?|cin|cla|lac|cic|parents?|carers?|"
             r"mum|mam|mom|dad|nan|nana|gran|grandma|grandad|grandparents?|guardians?|"
             r"schools?|pp\+?|ppp|pupil|children|kids?|virtual|inclusion|one|these|those|all|any|each|every|"
             r"him|them|me|us|foster|adoptive|adopted|sgo|kinship|social|designated|educational|looked|send|sen|"
             r"ehcp|peps?|surgery|surgeries|referrals?|this|yp|yps|cyp|child")
_WH = r"who|whom|whose|what|whats|what's|when|where|which|how|why"
_ASK_START = Folded(  # (tried only at a letter that starts one of its words: the same matches, faster)
    rf"(?=[acdfhikmrsw])(?:\b(?:(?P<opener>{_OPENERS})\s+(?P<subject>{_SUBJECTS})\b|(?P<wh>{_WH})\b|any\s+chance\b|is\s+there\b|are\s+there\b|"
    rf"(?P<indirect>(?:check|know|ask|asking|wondering|wonder|confirm|clarify|find\s+out|see)\s+(?:whether|if)\b)))",
)
# "a student who has...", "a child whose attendance...": a relative clause, not a question (unless "... or who?").
_RELATIVE = frozenset({"who", "whose", "whom", "which"})
_PEOPLE = frozenset("""child children kid kids pupil pupils student students boy boys girl girls lad lads person people
son daughter someone somebody anyone parent parents mum dad carer carers family families sibling siblings brother
sister nephew niece grandson granddaughter learner learners teenager toddler baby yp cyp one ones those""".split())
# Inside a clause (not at its start) only these open an ask: "... 40 mins away can VS sort ...".
_MID_OPENERS = frozenset("can could would will should shall may might do does did cud wud shud".split())
_MID_IS_SUBJECTS = frozenset("it that this there she he they vs you u".split())
# A question word after these is the start of a subordinate clause, not an ask: "asked me which schools",
# "worried about how this school treats", "ended when she was in year 1".
_NOT_BEFORE_WH = frozenset("""about me us him her them asked ask asking know knows knew see tell told wondering wonder
idea if on of to from in is that and decides decide sure unclear explain check ago since till until back""".split())
# "nobody is hearing what she actually wants, she told me...": inside a clause, a question word followed by its subject
# (not by a verb, as in "...been excluded what can we do") opens a clause that is part of the statement.
_EMBEDDED = re.compile(r"\s+(?:i|you|he|she|we|they|it|his|her|their|my|our|your)\s+(?!(?:can|could|would|will|should|do|"
                       r"does|did|is|are|was|were|has|have|had|shall|may|might|must)\b)\w", re.IGNORECASE)
_TRAILING_JOIN = re.compile(r"\s+[+&]$")
# Openers of a clause that only lead in to the ask: "so can you...", "quick q - is it...".
_LEAD_IN = Folded(r"^(?:(?:so|and|but|also|ok|okay|right|hi|hiya|hello|hey|quick\s+(?:q|question|one)|"
                      r"just|then|please|pls|sorry|or|or\s+else|failing\s+that|if\s+not)\W+)*")


# "When a looked after child moves into the area, does the VS complete the application?": "when" / "where" followed by
# its own subject (not by "do", "can"... as in "when do PEPs happen?") starts a subordinate clause, the condition the
# question is asked under; the ask is the main clause after it (after its comma, when it has one).
_SUBORDINATE = re.compile(rf"(?:when|whenever|where|wherever)\s+(?!(?:{_OPENERS}|{_WH}|ll|ya|u|you|we|i)\b)\w",
                          re.IGNORECASE)


def _ask_start(clause: str) -> int | None:
    """Where the ask starts in a clause, or None if the clause is context."""
    lead = _LEAD_IN.match(clause).end()
    subordinate = None
    if _SUBORDINATE.match(clause, lead):
        comma = clause.find(",", lead)
        subordinate = (lead, comma if comma > 0 else lead)
    for match in _ASK_START.finditer(clause):
        if subordinate is not None:
            if match.start() <= subordinate[1]:
                continue  # the subordinate clause, and what is inside it
        at_start = match.start() <= lead
        if at_start:
            return match.start()
        before = clause[: match.start()].split()
        if before and before[-1].endswith(","):
            return match.start()  # "..., can you help?"
        previous = before[-1].lower().strip(",'’") if before else ""
        if match.group("opener"):
            opener, subject = match.group("opener").lower(), match.group("subject").lower()
            if _TAG_AFTER.match(clause, match.end()):
                continue  # "you don't do X do you, it's just Y?": a tag on the statement before it, not an ask
            if opener in _MID_OPENERS or (opener in {"is", "isnt", "isn't"} and subject in _MID_IS_SUBJECTS):
                return match.start()
        elif match.group("indirect"):  # "I wanted to check whether you offer...": the ask, said indirectly
            return match.start() + re.search(r"(?:whether|if)\b", match.group("indirect"), re.IGNORECASE).start()
        elif match.group("wh"):
            wh = match.group("wh").lower()
            if (wh in {"whose", "whom"} and previous.isalpha() and previous not in {"or", "and", "but", "so"}) or (
                    wh in _RELATIVE and previous in _PEOPLE):
                continue
            if wh != "when" and previous not in _NOT_BEFORE_WH and not (
                    _EMBEDDED.match(clause, match.end()) and not clause.rstrip().endswith("?")):
                return match.start()
    return subordinate[0] if subordinate is not None else None


_TAG_AFTER = re.compile(r"\s*(?:,|\?|$)")


# Where a second action starts inside an ask.
# Verbs that start a second action; words that are as often nouns ("advice and support", "advice and
# challenge", "training and help") are left out on purpose.
_VERBS = (r"do|run|take|fill|complete|update|rewrite|write|send|find|go|come|make|give|pay|fund|"
          r"chair|attend|advise|monitor|arrange|sort|book|get|put|use|spend|meet|visit|apply|"
          r"organise|organize|deliver|teach|tutor|overrule|overturn|tell|inspect|refer|"
          r"act|step|speak|talk|listen|join|pick|collect|drive|stop|prevent|block|push|point|signpost|track|"
          # "work" only as working with someone: "school work" is a noun
          r"work(?=\s+(?:with|directly|alongside|one|1))|"
          # "help" only when helping someone do something ("... and help get him into education"): "advice and help"
          r"help(?=\s+(?:get|find|sort|make|keep|move|him|her|them|us|me)\b)")
_SECOND_ASK = Folded(
    r"(?=[,\s])(?:"  # (every joint starts with a comma or a space: the rest is tried only there)
    rf",?\s+(?:and|&|but|plus|n)\s+(?:also|then|if|maybe|perhaps|possibly|what|the\s+rest|as\s+well)\b"
    rf"|,?\s+(?:and|&|n)\s+(?:to\s+)?(?=(?:{_VERBS})(?:s|es)?\b)"  # ("n": "and" on a phone; "...and to come to...";
    # "vs monitors and runs interventions?": a verb said of the VS)
    # "...advice about his learning and basically tell them what to do": a word of manner between "and" and the verb
    rf"|,?\s+(?:and|&|n)\s+(?=(?:basically|just|actually|simply|really|even|personally|directly|individually|"
    rf"separately|closely)\s+(?:{_VERBS})\b)"
    # "can the VS advise them on it or make them change their policy": the other side of an "or" is asked too
    rf"|,?\s+or\s+(?!do\b)(?=(?:{_VERBS})\b)"  # ("or do I have to?" is the other side said as a question)
    # "help us find alternatives and, if the head excludes anyway, get it overturned?": a condition, then the second ask
    rf"|,?\s+(?:and|but)\s*,\s*(?=if\b[^,?]{{1,60}},\s*(?:{_VERBS})\b)"
    # "monitor the interventions and carry them out too?": carrying out what the first part named ("step in and carry
    # out the DT's duties" is one ask)
    rf"|,?\s+(?:and|&)\s+(?=carry\s+(?:them|it|those|these|that)\s+out\b)"
    rf"|,?\s+(?:and|&|n|plus|but)\s+(?=(?:can|could|would|will|should|is|are|does|do)\s+(?:{_SUBJECTS})\b)"
    # "..., and ok to use it for trips?": whether something is allowed, asked without "is it"
    rf"|,?\s+(?:and|&|n|plus|but)\s+(?=(?:is\s+it\s+|would\s+it\s+be\s+)?(?:ok|okay|alright|all\s+right|fine|allowed)\s+to\b)"
    # a "+" standing between words joins two asks as "and" does ("monitor attendance + do home visits"; "pp+" is a word)
    rf"|\s+\+\s+(?=(?:also\b|then\b|(?:{_VERBS})\b|(?:can|could|would|will|should|does|do)\s+(?:{_SUBJECTS})\b))"
    rf"|,?\s+or\s+(?=(?:just|only|do\s+(?:u|you|they)|does\s+(?:vs|the)|can|could|will|would|should)\b)"
    rf"|,?\s+or\s+(?:at\s+(?:the\s+)?(?:very\s+)?least|even|failing\s+that|if\s+not(?:\s+that)?)\b,?"
    rf"|,?\s+or\s+(?=(?:is|are)\s+(?:your|ur|the\s+vs|the\s+virtual\s+school'?s?|vs)\s+(?:role|job|remit)\b)"
    rf"|,?\s+as\s+well\s+as\s+"
    # "...confirm whether the VS monitors attendance, and whether your officers would...": a second indirect question
    rf"|,?\s+(?:and|&|or)\s+(?:also\s+)?(?=(?:whether|if)\s+(?:{_SUBJECTS})\b)"
    rf"|,\s+(?=(?:{_OPENERS})\s+(?:{_SUBJECTS})\b))",
)
_MIN_ASK_WORDS = 2  # a fragment shorter than this is not a second ask ("... and also?")
# "come and get advice", "go and see him", "try and find", "come in and see him", "pop over and talk to the DT": the
# first verb only leads in to the second (one action).
_SERIAL_VERB = re.compile(r"\b(?:come|comes|go|goes|try|pop|nip)"
                          r"(?:\s+(?:in|into\s+school|over|round|along|out|down|up))?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Parsed:
    """A question cut into its asks (usually one) and the context around them."""

    asks: tuple[str, ...]
    context: str
    # the asks offered as the other side of an "or" ("will you talk to his CAMHS worker, or do they just work on their
    # own?"): the question is answered by the first side when this one is not understood
    alternatives: frozenset[str] = frozenset()

    @property
    def multiple(self) -> bool:
        return len(self.asks) > 1


# Courtesies around a question say nothing about what is asked, but their words ("any help appreciated", "sorry for
# the long message, it's been a tough week") were read as part of it: a sign-off left a sixth of the tuning sets'
# questions at "not sure" (measured by adding one to every question). They are taken off both ends first.
_SIGN_OFF = re.compile(
    r"(?:^|[\s,.!;:-])(?:(?:many\s+|massive\s+|huge\s+)?(?:thanks|thank\s+you|thankyou|thx|ty|cheers)"
    r"(?:\s+(?:so\s+much|very\s+much|a\s+lot|loads|in\s+advance|all|everyone))*"
    r"|(?:any|all)\s+(?:help|advice|support|thoughts|info(?:rmation)?|guidance|pointers)(?:\s+(?:would\s+be|is|are))?"
    r"(?:\s+(?:much|greatly|really|gratefully))?\s+(?:appreciated|welcome|received)"
    r"|(?:i\s+)?(?:would\s+)?appreciate\s+(?:any|your)\s+(?:help|advice|thoughts|support)"
    r"|(?:kind(?:est)?\s+|best\s+|warm(?:est)?\s+)?(?:regards|wishes)|x+)"
    r"(?:[\s,.!-]+(?-i:[A-Z][a-z]+))?[\s.!,x]*$", re.IGNORECASE)
# What _SIGN_OFF allows after its last word (the whitespace is what \s matches in ASCII), and the words it can end in before
# a kiss or a name.
_SIGN_OFF_TRAILING = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f.!,xX"
_SIGN_OFF_LAST_WORDS = frozenset("""thanks you thankyou ty cheers much lot loads advance all everyone appreciated welcome
received help advice thoughts support regards wishes""".split())


def may_end_with_sign_off(text: str) -> bool:
    """False when _SIGN_OFF cannot match `text`. A match runs to the end of the text, so once the dots, commas, spaces
    and kisses it allows last are taken off, the text ends in one of its last words or a capitalised name; a search
    that tries every position of a long message is skipped when it doesn't (most questions end in "?")."""
    if not text.isascii():  # (letters outside ASCII that match ASCII ones with IGNORECASE: search)
        return True
    body = text.rstrip(_SIGN_OFF_TRAILING)
    if "x" in text[len(body):].lower():  # a kiss, "thx", a name like "Max": what was taken off may be the words
        return True
    start = len(body)
    while start and body[start - 1].isalpha():
        start -= 1
    word = body[start:]
    return word.lower() in _SIGN_OFF_LAST_WORDS or (len(word) > 1 and word[0].isupper() and word[1:].islower())


_GREETING = re.compile(
    r"^\s*(?:(?:hi|hiya|hey|hello|morning|afternoon|evening|good\s+(?:morning|afternoon|evening))"
    r"(?:\s+(?:all|everyone|team|there|folks|both))?\s*(?:[,.!:;-]+\s*|\s+(?=[a-z]))"
    r"|(?:sorry|apologies)\s+(?:if|for)\b[^.?!]*?(?:[.!]+\s*|\s*-\s*|,?\s+but\s+)"
    r"|quick\s+(?:one|question|q)\b[^.?!,:-]*[.!,:-]+\s*)+", re.IGNORECASE)


# "I'm a DSL at a primary school. ...": a professional saying who they are, in a sentence of its own before the
# question. Its words ("school", "DSL") were read as what is asked, so chit-chat or an out-of-scope question after it
# got an answer (measured by adding it to every question). A family or carer role stays: it says whose child it is.
_PROFESSIONAL_INTRO = re.compile(
    r"^\s*(?:i'?m|i’m|im|i\s+am|we'?re|we’re|we\s+are|this\s+is)\s+(?:a|an|the|one\s+of\s+the)\s+"
    r"(?P<who>[^.?!,;:]{1,60}?)\s*[.,;:!-]+\s+(?=\S)", re.IGNORECASE)
_FAMILY_ROLE = re.compile(r"\b(?:carers?|guardians?|adopt\w*|parents?|mum|mam|dad|nan|nana|gran\w*|grand\w*|kinship|"
                          r"foster\w*|aunt\w*|uncle|sister|brother|step\w*|family|birth|mother|father)\b", re.IGNORECASE)


def without_courtesies(text: str) -> str:
    """The question without a greeting, an apology or a professional's introduction before it and a thank-you or
    sign-off after it (never emptied: a bare "thanks" stays as it is)."""
    inner = _GREETING.sub("", text or "", count=1)
    intro = _PROFESSIONAL_INTRO.match(inner)
    if intro and not _FAMILY_ROLE.search(intro.group("who")):
        inner = inner[intro.end():]
    while may_end_with_sign_off(inner):
        shorter = _SIGN_OFF.sub("", inner, count=1)
        if shorter == inner:
            break
        inner = shorter
    return inner.strip() if inner.strip() else (text or "")


# "EP here, ...", "SENCo here.", "send caseworker -": who is writing, not what they ask.
_INTRO = re.compile(r"^\s*(?:hi\W+|hiya\W+|hello\W+)?(?:[a-z]+\s+){0,2}?[a-z]+\s+here\b[\s,.:;-]*", re.IGNORECASE)


# "I'm a foster carer and ...", "as a kinship carer, ...": who is asking. Unless the ask is about the asker ("can I
# book...?"), the role only says which children the question is about, so it is read as that.
_SELF_INTRO = re.compile(
    r"^\s*(?:(?:hi|hiya|hello)\W+)?(?:i'?m|i’m|im|i\s+am|as|we'?re|we’re|we\s+are)\s+(?:a|an|the|his|her|their)?\s*"
    r"(?P<role>foster\s+(?:carer|carers|parent|parents|mum|dad)|kinship\s+carers?|special\s+guardians?|"
    r"adoptive\s+(?:parent|parents|mum|dad)|adopters?)\b(?:\s*(?:,|\band\b|-|\.)\s*)?",
    re.IGNORECASE,
)
_ROLE_AS_CHILDREN = (("foster", "a child in care "), ("kinship", "kinship arrangement "), ("special", "special guardianship "),
                     ("adopt", "adopted "))
_ASKS_ABOUT_ASKER = re.compile(r"\b(?:i|we|me|us|my|our)\b", re.IGNORECASE)


def _read_self_intro(text: str) -> str:
    match = _SELF_INTRO.match(text)
    if not match:
        return text
    ask = _ask_text(text[match.end():])
    if not ask or _ASKS_ABOUT_ASKER.search(ask):
        return text  # "I'm a foster carer and need advice", "... can I book?": about the asker
    role = match.group("role").lower()
    children = next(words for lead, words in _ROLE_AS_CHILDREN if role.startswith(lead))
    return children + text[match.end():]


def _ask_text(text: str) -> str:
    clauses = [c for c in _CLAUSE_BREAK.split(text) if c and c.strip()]
    asks = []
    for clause in clauses:
        start = _ask_start(clause)
        if start is not None:
            asks.append(clause[start:])
    return " ".join(asks)


# "...17 yr olds on CiN plans Are they within your remit": typed without a full stop, a capitalised question word
# after a lower-case word starts a new sentence (measured: questions without punctuation lost their ask in the
# story before it).
_UNMARKED_SENTENCE = re.compile(r"(?<=[a-z0-9+])\s+(?=(?:Are|Does|Do|Can|Could|Would|Will|Is|What|How|Who|Where|When|"
                                r"Why|Should|Has|Have|Did|Any)\b)")


def parse(text: str) -> Parsed:
    text = _UNMARKED_SENTENCE.sub(". ", text or "")
    text = _INTRO.sub("", text or "", count=1)
    text = _read_self_intro(text)
    clauses = [c.strip(" ,") for c in _CLAUSE_BREAK.split(text or "") if c and c.strip(" ,")]
    if not clauses:
        return Parsed((), "")
    asks: list[str] = []
    context: list[str] = []
    for clause in clauses:
        wish = _WISH_AFTER.match(clause) if asks else None
        if wish:
            asks.append(_wished(wish, asks[-1]))  # "does vs check how pp+ is spent? carer wants it spent on football"
            continue
        start = _ask_start(clause)
        if start is not None:
            if start > 0:
                before = clause[:start].strip(" ,")
                assumed = _ASSUMED.search(before)
                if assumed and len(before[: assumed.start()].split()) >= _MIN_ASK_WORDS:
                    asks.append(before[: assumed.start()])  # "X is fine I assume, but can...": X is asked too
                elif _UNINVERTED.match(before):
                    asks.append(_TRAILING_JOIN.sub("", before))  # "vs monitor interventions for cic, can they deliver..."
                else:
                    context.append(before)
            asks.append(clause[start:])
        elif clause.rstrip().endswith("?") or _UNINVERTED.match(clause):
            asks.append(clause)
        else:
            context.append(clause)
    if not asks:  # a statement or a bare phrase ("pp+ on uniform"): all of it is the ask
        return Parsed((" ".join(clauses),), "")
    if len(asks) == 1 and context and _CONFIRM.match(asks[0]):
        # "someone said kinship kids come under the VS now, is that right?": the claim is what is asked
        claim = _HEARSAY.sub("", context.pop()).strip(" ,.!")
        if len(claim.split()) >= _MIN_ASK_WORDS:
            asks = [claim]
        else:
            context.append(claim)
    parts: list[str] = []
    alternatives: set[str] = set()
    for ask in asks:
        ask, reason = _without_reason(ask)
        ask = _without_ruled_out(ask)
        context.append(reason)
        for part, alternative in _split_ask_marked(ask):
            part, means = _without_means(part)
            part, condition = _without_condition(part)
            parts.append(part)
            if alternative:
                alternatives.add(part)
            context.extend((means, condition))
    return Parsed(tuple(parts), " ".join(c for c in context if c), frozenset(alternatives))


# "does vs check how school spends pp+ for my lac yp? carer wants it spent on his football club": what someone wants,
# said after the question, is asked too (whether the money may go on it, whether the VS will do it).
_WISH_AFTER = re.compile(
    r"^(?:(?:the|his|her|my|our|their)\s+)?(?:foster\s+)?(?:carers?|mum|mam|dad|parents?|school|head(?:teacher)?|sw|"
    r"social\s+worker|dt|senco|he|she|they)\s+(?:wants?|would\s+like|is\s+asking\s+for|are\s+asking\s+for)\s+"
    r"(?:(?P<money>it|pp\+|ppp?|pupil\s+premium\s+plus|the\s+money)\s+(?P<use>(?:spent|used|put|to\s+go)\s+"
    r"(?:on|for|towards)\b.*)|(?:you|u|vs|the\s+vs|the\s+virtual\s+school)\s+to\s+(?P<act>\w.*))$", re.IGNORECASE)


def _wished(wish: re.Match, ask: str) -> str:
    """The wish as an ask: the money's use said with what pays in the ask before ("pp+ spent on his football club"),
    or the action wanted of the Virtual School."""
    if wish.group("act"):
        return wish.group("act")
    payer = _PAYING.search(ask) if wish.group("money").lower() in {"it", "the money"} else None
    return f"{payer.group(0) if payer else wish.group('money')} {wish.group('use')}"


# "PP+ for catch-up is fine I assume, but can some of it go on the trip?": a statement the asker wants confirmed.
_ASSUMED = re.compile(r"[\s,]+(?:i\s+(?:assume|presume|take\s+it|imagine)|presumably|surely)"
                      r"(?:[\s,]+(?:but|and|though|although))?\W*$", re.IGNORECASE)
# "vs chair peps and also do tuition with the yp", typed without "does" or a question mark: the Virtual School and a
# bare verb is a question (a statement says "the VS chairs..."), so it is an ask and may join two.
_UNINVERTED = re.compile(r"^(?:the\s+)?(?:vs|vsh|virtual\s+school)(?:\s+(?:inclusion\s+)?(?:team|staff|officers?))?\s+"
                         r"(?!is\b|are\b|was\b|were\b|has\b|have\b|had\b|did\b|said\b|told\b|says\b)"
                         r"[a-z]+(?<!s)\b", re.IGNORECASE)
# An ask that only asks to confirm what was said before it, and who said it.
_CONFIRM = re.compile(r"^(?:is\s+(?:that|this|it)\s+(?:right|true|correct|so|the\s+case|still\s+the\s+case)|"
                      r"(?:is|are)\s+(?:she|he|they)\s+(?:right|correct)|who(?:'s|\s+is)\s+right|"
                      r"am\s+i\s+right|"
                      r"have\s+i\s+got\s+that\s+right|is\s+that\s+how\s+it\s+works)\W*$", re.IGNORECASE)
_HEARSAY = re.compile(r"^.*?\b(?:said|says|told\s+(?:me|us)|heard|read|reckons|thinks|mentioned)\s+(?:that\s+)?",
                      re.IGNORECASE)


# "can VS take my yp to school, carer can't do the school run atm": a statement after the ask gives the reason
# (someone can't, won't, is off...); it is context, not a second thing asked.
_REASON_AFTER = re.compile(
    r",\s*(?:(?:as|because|cos|coz|since)\s+)?(?:(?:the|his|her|my|our|their)\s+)?(?:foster\s+)?"
    r"(?:carers?|school|parents?|mum|dad|he|she|they|we|i|sw|social\s+worker|dt|dsl|head)\s+"
    r"(?:cant|can't|can’t|cannot|won't|wont|won’t|isn't|isnt|isn’t|aren't|arent|doesn't|doesnt|doesn’t|"
    r"don't|dont|don’t|is\s+off|are\s+off|keeps?|refuses?|work|works|am\s+working|'m\s+working|’m\s+working)"
    r"\b[^?]*$",  # ("..., i work shifts and can't get the time off")
    re.IGNORECASE)


# "can you tell the school to move him up, he's bright and they've put him in the bottom group": a statement about the
# child or the others after the ask ("he's", "she's", "they've") is context too, whatever its verb.
_STATEMENT_AFTER = re.compile(
    r",\s*(?:(?:as|because|cos|coz|since)\s+)?(?:he'?s|he’s|she'?s|she’s|they'?ve|they’ve|they'?re|they’re|it'?s|it’s)\s+"
    r"[^?]*$", re.IGNORECASE)


def _without_reason(ask: str) -> tuple[str, str]:
    match = _REASON_AFTER.search(ask) or _STATEMENT_AFTER.search(ask)
    if not match or len(ask[: match.start()].split()) < 3:
        return ask, ""
    return ask[: match.start()], ask[match.start():].strip(" ,")


# "keep an eye on his mental health through the PEP", "deliver the interventions agreed in the PEP": the plan named is
# how, or where the thing asked about was written down, not what is asked; it is context (so the ask is not held to
# entries that name the plan).
_MEANS = re.compile(r"\s+(?:through|thru|thro|via|by\s+way\s+of|as\s+part\s+of|(?:agreed|set(?:\s+out)?|written|listed|"
                    r"identified|recorded|named|planned|put|recommended)\s+(?:in|at|through))\s+"
                    r"(?:the\s+|his\s+|her\s+|their\s+|a\s+)?(?:(?:last|latest|next)\s+)?"
                    r"(?:peps?|personal\s+education\s+plans?|pen)\b", re.IGNORECASE)


def _without_means(ask: str) -> tuple[str, str]:
    match = _MEANS.search(ask)
    if not match or not ask[: match.start()].strip():
        return ask, ""
    return (ask[: match.start()] + ask[match.end():]).strip(), match.group(0).strip()


# "find an alternative, and if that doesn't work block the exclusion": the condition on the second ask (the first one
# failing) is context; what is asked is the action after it.
_CONDITION = re.compile(
    r"^(?:if\s+)?(?:(?:that|this|it|all\s+else)\s+(?:doesn'?t|doesn’t|does\s+not|don'?t|won'?t|wont|will\s+not|fails?|"
    r"failed)\b(?:\s+(?:work|works|help|helps))?|none\s+of\s+(?:that|this|it|them)\s+(?:works?|helps?))\s*,?\s*"
    r"(?:then\s+)?",
    re.IGNORECASE)


# "allocated by where the child lives and not where the school is", "...rather than where the school is": the
# alternative ruled out is not what is asked (its words would pull the ask towards its opposite); "not just/only X"
# adds to the ask, so it stays.
_RULED_OUT = re.compile(r"(?:(?:,\s*|\s+(?:and|but)\s+)not\s+(?!just\b|only\b|simply\b|merely\b|even\b)"
                        r"|,?\s+(?:rather\s+than|instead\s+of|as\s+opposed\s+to)\s+)"
                        r"(?=(?:where|by|based|on|at|in|the|their|his|her)\b)[^,?]*", re.IGNORECASE)


def _without_ruled_out(ask: str) -> str:
    match = _RULED_OUT.search(ask)
    if not match or len(ask[: match.start()].split()) < 3:
        return ask
    return (ask[: match.start()] + ask[match.end():]).strip()


def _without_condition(ask: str) -> tuple[str, str]:
    match = _CONDITION.match(ask)
    if not match or len(ask[match.end():].split()) < _MIN_ASK_WORDS:
        return ask, ""
    return ask[match.end():], match.group(0).strip(" ,")


# "can PP+ cover his tutoring and his uniform": two things to pay for, each allowed or not on its own.
_PAYING = re.compile(r"(?:\bpp\s*\+|\bppp?\b|\bpupil\s+premium\b|\b(?:pay|pays|paying|fund|funds|funding|cover|covers|spend|"
                     r"spent|buy|buys|buying)\b)", re.IGNORECASE)
# ("can her pp+ go on catch-up, and on school trips": the second thing said with the first one's preposition again)
_SECOND_ITEM = re.compile(r",?\s+(?:and|&)\s+(?:also\s+)?(?=(?:his|her|their|a|an|the|some|any)\s+\w+|"
                          r"(?P<preposition>on|for|towards)\s+\w+)", re.IGNORECASE)


def _split_items(ask: str) -> list[str]:
    match = _SECOND_ITEM.search(ask)
    paying = match and _PAYING.search(ask, 0, match.start())
    if not paying:
        return [ask]
    head, tail = ask[: match.start()].strip(" ,"), ask[match.end():].strip(" ,?")
    if len(head.split()) < _MIN_ASK_WORDS or len(tail.split()) < _MIN_ASK_WORDS or _PAYING.search(tail):
        return [ask]
    if match.group("preposition"):
        carried = _paid_with_preposition(head, tail)
        return [head, carried + tail] if carried else [ask]
    return [head, _paid_with(head) + tail]


_PREPOSITION = re.compile(r"^(on|for|towards)\s", re.IGNORECASE)


def _paid_with_preposition(head: str, tail: str) -> str:
    """ "can her pp+ go on catch-up" and "on school trips": the words of `head` before the preposition `tail` says again
    ("can her pp+ go "), or "" when `tail` starts with no such preposition or `head` pays for nothing with it."""
    preposition = _PREPOSITION.match(tail)
    paying = _PAYING.search(head)
    if not preposition or not paying:
        return ""
    said = re.search(rf"\s{preposition.group(1)}\s", head[paying.end():], re.IGNORECASE)
    return head[: paying.end() + said.start() + 1] if said else ""


# "can PP+ pay for extra maths help and also his football club": the second thing paid for is asked with the same words
# ("can PP+ pay for his football club"), so each thing is read with what pays for it and not with the other thing.
_NOUN_PHRASE = re.compile(r"^(?:his|her|their|a|an|the|some|any)\s+\w+", re.IGNORECASE)
_PAID_WITH = Folded(r"^.*" + _PAYING.pattern + r"(?:\s+for)?\s+")


def _paid_with(head: str) -> str:
    """The words of `head` up to what it asks to pay for ("can PP+ pay for "), or "" when it pays for nothing."""
    match = _PAID_WITH.match(head)
    return head[: match.end()] if match else ""  # (as typed: the match is on the lowered text)


def _split_ask(ask: str) -> list[str]:
    return [piece for piece, _ in _split_ask_marked(ask)]


def _split_ask_marked(ask: str) -> list[tuple[str, bool]]:
    """The asks joined in `ask`, each with whether it is offered as an alternative ("... or do they just ...")."""
    pieces: list[str] = []
    after_or: list[bool] = [False]
    rest = ask
    at = 0
    while True:
        match = _SECOND_ASK.search(rest, at)
        if not match:
            break
        head, tail = rest[: match.start()], rest[match.end():]
        if len(head.split()) < _MIN_ASK_WORDS or len(tail.split()) < _MIN_ASK_WORDS:
            break
        if _SERIAL_VERB.search(head) and "or" not in match.group(0).lower().split():
            at = match.end()  # "can DSLs come and get advice", "go and see him": one action said with two verbs
            continue
        pieces.append(head.strip(" ,"))
        after_or.append("or" in match.group(0).lower().split())
        rest, at = tail, 0
    pieces.append(rest.strip(" ,?"))
    for index in range(1, len(pieces)):
        if _NOUN_PHRASE.match(pieces[index]) and not _PAYING.search(pieces[index]):
            pieces[index] = _paid_with(pieces[index - 1]) + pieces[index]  # "... and also his football club"
        elif not _PAYING.search(pieces[index]):
            pieces[index] = _paid_with_preposition(pieces[index - 1], pieces[index]) + pieces[index]  # "and also on..."
    return [(item, alternative and number == 0) for p, alternative in zip(pieces, after_or, strict=True) if p
            for number, item in enumerate(_split_items(p))]


def story_asks(story: str) -> tuple[tuple[str, ...], str]:
    """ "the carer wants the VS to suggest schools near the placement and take him to look round them. do you do
    that?": an ask that says nothing itself points back at the last sentence of the story, which may join two asks.
    Those asks and the rest of the story, or ((), "") when that sentence holds one ask only."""
    clauses = [c.strip(" ,") for c in _CLAUSE_BREAK.split(story or "") if c and c.strip(" ,")]
    if not clauses:
        return (), ""
    pieces = _split_ask(clauses[-1])
    if len(pieces) < 2:
        return (), ""
    return tuple(p.strip(" ,.!") for p in pieces), " ".join(clauses[:-1])


# "Recommendations: (1) VS to hear his views; (2) VS to provide mentoring. Can the VS do both?": an ask that only points
# at several things ("both", "all of them", "each of these") after a numbered or lettered list asks each item.
_POINTS_AT_SEVERAL = re.compile(r"\b(?:both|all\s+(?:of\s+)?(?:them|these|those|three)|each\s+of\s+(?:them|these|those)|"
                                r"(?:them|these|those)\s+all|either)\b", re.IGNORECASE)
_LIST_MARK = re.compile(r"(?:^|(?<=[\s:;,.]))(?:\(\s*(?:[1-9]|[a-e]|i{1,3}|iv)\s*\)|(?:[1-9]|[a-e])[).])\s+", re.IGNORECASE)


def listed_asks(ask: str, story: str) -> tuple[tuple[str, ...], str]:
    """The items of a numbered or lettered list in the story that an ask pointing at several things asks about, and the
    story before the list; ((), "") when the ask points at no list."""
    if not story or not _POINTS_AT_SEVERAL.search(ask):
        return (), ""
    pieces = _LIST_MARK.split(story)
    items = tuple(p.strip(" ,;.") for p in pieces[1:] if len(p.split()) >= _MIN_ASK_WORDS)
    if len(items) < 2 or len(items) != len(pieces) - 1:
        return (), ""
    return items, pieces[0].strip(" ,;.:")


# "School business manager, planning PP+ for a Y9 CiC: a maths programme, plus taxis so he arrives on time. Will the VS
# support both uses?": "both" after a clause that adds one thing to another ("plus", "as well as", "and also") asks about
# each thing; what pays for them, named earlier in the story, pays for each.
_ADDED_ITEM = re.compile(r",?\s+(?:plus|as\s+well\s+as|and\s+also)\s+", re.IGNORECASE)
_BOTH = re.compile(r"\bboth\b", re.IGNORECASE)


def added_items(ask: str, text: str) -> tuple[tuple[str, ...], str]:
    """The two things the clause before `ask` in `text` adds together, when `ask` points at both of them, and the story
    before that clause; ((), "") otherwise."""
    at = text.rfind(ask)
    if not _BOTH.search(ask) or at < 0:
        return (), ""
    *before, last = [c for c in _CLAUSE_BREAK.split(text[:at]) if c and c.strip(" ,")] or [""]
    joins = list(_ADDED_ITEM.finditer(last))
    if len(joins) != 1:
        return (), ""
    items = [last[: joins[0].start()].strip(" ,;.:"), last[joins[0].end():].strip(" ,;.:")]
    if any(len(item.split()) < _MIN_ASK_WORDS for item in items):
        return (), ""
    story = " ".join(before)
    payer = _PAYING.search(story)
    if payer and not any(_PAYING.search(item) for item in items):
        items = [f"{payer.group(0)} {item}" for item in items]
    return tuple(items), story


# "Does the VS cover both of them?" after a story about two children: each child is a question of its own.
# ("which of them": "lots of our pupils have EHCPs, some have a social worker and some don't. Which of them...")
_ABOUT_BOTH = Folded(r"\b(?:both|each\s+of\s+them|either\s+of\s+them|the\s+two\s+of\s+them|which\s+of\s+them|"
                         r"which\s+ones)\b")
_NEXT_CHILD = re.compile(
    r"\s*(?:[,;(]|\band\b|\bbut\b|\bwhile\b|\bwhereas\b)\s*(?=(?:my|our|the|his|her|one|other|older|younger|eldest|"
    r"youngest|oldest|second|first|another|some|others)\b)",
    re.IGNORECASE,
)


_TOGETHER = Folded(r"\b(?:two|2|both|twins|siblings|brothers|sisters|lots|loads|many|several|children|kids|pupils|"
                       r"students)\b")
# "some have a social worker and some don't": the second group is said by leaving out what the first one has.
_HAS = re.compile(r"^(?P<who>.*?)\s+(?:have|has)\s+(?P<what>.+)$", re.IGNORECASE)
_HAS_NOT = re.compile(r"^(?P<who>.*?)\s+(?P<not>don'?t|don’t|doesn'?t|doesn’t|do\s+not|does\s+not|haven'?t|haven’t|"
                      r"hasn'?t|hasn’t)$", re.IGNORECASE)


def about_two_children(ask: str, context: str) -> list[str]:
    """The descriptions of the children an ask about "both" refers to, or [] when it is not such an ask."""
    if not context or not _ABOUT_BOTH.search(ask):
        return []
    described = [c.strip(" ,.;()") for c in _NEXT_CHILD.split(context) if c.strip(" ,.;()")]
    for index in range(1, len(described)):
        left_out, before = _HAS_NOT.match(described[index]), _HAS.match(described[index - 1])
        if left_out and before:
            described[index] = f"{left_out.group('who')} do not have {before.group('what')}"
    return described


def names_them_together(description: str) -> bool:
    """ "two pupils with EHCPs" before "one on a CP plan and one with no SW": the children together, not a third."""
    return bool(_TOGETHER.search(description))


# "can the VS...?", "does it count?", "..., correct?": a question asking yes or no. The knowledge base answers
# yes/no questions about what the Virtual School does, so a word it doesn't know in one usually only says more
# about the case; in "when do I get my payment?" or "what's the process for claiming mileage?" the unknown word
# is what is asked about.
_CLOSED_START = Folded(rf"^(?:{_OPENERS})\b|^(?:any\s+chance|is\s+there|are\s+there)\b")
_TAG = Folded(r"\b(?:correct|right|yes|yeah|true|y\s*/\s*n|yes\s+or\s+no|or\s+not|no)\W*$")
_OPEN_REQUEST = Folded(r"\b(?:tell\s+me|explain|process\s+for|how\s+(?:do|can|should)\s+i)\b")


# "I would be grateful if you could clarify whether...", "can you tell me if...": a yes/no question asked indirectly.
_INDIRECT_CLOSED = Folded(r"(?=[acfktw])(?:\b(?:clarify|confirm|check|know|tell\s+(?:me|us)|advise|ask|asking|wondering|"
                              r"wonder|find\s+out)\s+(?:whether|if)\b)")


def is_closed_question(text: str) -> bool:
    """Whether some clause of `text` asks yes or no (and none asks to be told or shown something)."""
    if _INDIRECT_CLOSED.search(text):
        return True
    if _OPEN_REQUEST.search(text):
        return False
    for clause in _CLAUSE_BREAK.split(text):
        clause = clause.strip()
        if not clause:
            continue
        clause = clause[_LEAD_IN.match(clause).end():]
        if _CLOSED_START.match(clause) or _TAG.search(clause.rstrip("?!. ")):
            return True
        # "lac yp placed out of borough, can vs advise carer...": the ask starts inside the clause, after the story
        start = _ask_start(clause)
        if start and _CLOSED_START.match(clause[start:]):
            return True
    return False

