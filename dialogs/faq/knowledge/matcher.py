"""Answer "does the Virtual School do X?" from the knowledge base, or say honestly that it can't.

How a question is scored (everything but the question's own tokens is precomputed at load):
  * normalise it (normalise.py): spelling, typos, abbreviations, synonyms, stopwords, stems;
  * for every entry, three lexical signals, each in 0..1:
      - best cosine similarity between the question and one of the entry's phrasings (TF-IDF,
        IDF over entries, so words shared by many entries such as "school" weigh little);
      - coverage: the share of the question's information (IDF mass) found anywhere in the entry;
      - string similarity (rapidfuzz token-sort ratio) with the closest normalised phrasing;
  * score = weighted sum. The best entry answers if its score clears the threshold (tuned on
    tests/data/faq_eval.yaml) and the question is not about one child or an unrelated service.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable

from rapidfuzz import fuzz, process

from dialogs.faq.knowledge.model import Entry, KnowledgeBase
from dialogs.faq.knowledge.normalise import DOMAIN, GENERIC, Normaliser, british, surface_tokens
from dialogs.faq.knowledge.personal import looks_personal

REASONS = ("matched", "low_confidence", "out_of_scope", "personal_case", "empty")

# Weights of the three signals and the answer threshold (see bench.py for how they were chosen).
W_COSINE = 0.5
W_COVERAGE = 0.3
W_FUZZ = 0.2
DEFAULT_THRESHOLD = 0.5
# A question with a distinctive word the KB has never seen ("laptop") is answered only if the entry
# covers at least this share of its information; otherwise we'd answer a question we weren't asked.
MIN_COVERAGE_WITH_UNKNOWN = 0.7
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
MAX_SUGGESTIONS = 3
MAX_QUESTION_CHARS = 1000  # longer input is cut, so one huge message cannot slow the bot down

# Subjects that are clearly not the Virtual School's (other council services, office life, small
# talk). A question mentioning them is out of scope even if it also says "school".
_OFF_TOPIC_WORDS = frozenset("""
weather rain raining snow sunny forecast temperature football footballer cricket rugby tennis
bin bins recycling rubbish litter pothole potholes parking tax vaccine vaccination housing landlord rent
library libraries leisure swimming gym recipe film movie song poem joke jokes lottery password wifi
printer expenses mileage payslip payroll salary passport election
""".split())
_OFF_TOPIC_PHRASES = (
    ("council", "tax"), ("blue", "badge"), ("planning", "permission"), ("annual", "leave"),
    ("meeting", "room"), ("free", "school", "meals"), ("become", "a", "foster"), ("adopt", "a", "child"),
    ("school", "holidays"), ("term", "dates"), ("housing", "benefit"),
)


@dataclass(frozen=True)
class Answer:
    """The matcher's reply. `verdict` is unknown whenever `entry` is None."""

    verdict: str  # yes | no | partly | unknown
    entry: Entry | None
    score: float  # 0..1, confidence in the best candidate
    suggestions: tuple[Entry, ...] = ()  # up to 3 closest entries (other than `entry`)
    reason: str = "matched"  # one of REASONS
    corrections: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # typos repaired
    offered: Entry | None = None  # when no verdict is given: the closest entry, offered to the user

    @property
    def answered(self) -> bool:
        return self.entry is not None


@dataclass(frozen=True)
class _Candidate:
    entry_index: int
    score: float
    cosine: float
    coverage: float
    fuzz: float


@dataclass(frozen=True)
class _Doc:
    entry_index: int
    weights: dict[str, float]  # token -> L2-normalised TF-IDF weight
    text: str  # normalised tokens joined, for rapidfuzz
    negated: bool


class Matcher:
    """Lexical matcher over one KnowledgeBase. Immutable after construction; safe to share."""

    def __init__(self, kb: KnowledgeBase, *, threshold: float = DEFAULT_THRESHOLD):
        self.kb = kb
        self.threshold = threshold
        self.normaliser = Normaliser(_corpus(kb.entries))
        entry_tokens = [self._entry_phrasing_tokens(e) for e in kb.entries]
        self._entry_vocab: list[frozenset[str]] = [frozenset(t for ts in per for t in ts) for per in entry_tokens]
        self._idf = _idf(self._entry_vocab)
        self._unknown_idf = math.log(1 + (len(kb.entries) + 0.5) / 0.5)  # as if no entry had the word
        self._docs: list[_Doc] = [
            _Doc(index, self._unit_vector(tokens), " ".join(sorted(set(tokens))), NEGATION in tokens)
            for index, per in enumerate(entry_tokens)
            for tokens in per
            if tokens
        ]
        self._doc_texts = [d.text for d in self._docs]
        self._postings: dict[str, list[tuple[int, float]]] = {}
        for doc_index, doc in enumerate(self._docs):
            for token, weight in doc.weights.items():
                self._postings.setdefault(token, []).append((doc_index, weight))

    # --- public ---------------------------------------------------------------------------------

    def answer(self, question: str) -> Answer:
        text = (question or "")[:MAX_QUESTION_CHARS]
        normalised = self.normaliser.normalise(text)
        tokens = normalised.tokens
        if not tokens:
            return Answer("unknown", None, 0.0, (), "empty", normalised.corrections)

        candidates = self.score_candidates(tokens)
        best = candidates[0] if candidates else None
        best_score = round(best.score, 4) if best else 0.0
        suggestions = tuple(self.kb.entries[c.entry_index] for c in candidates[:MAX_SUGGESTIONS])

        def unknown(reason: str) -> Answer:
            return Answer("unknown", None, best_score, suggestions, reason, normalised.corrections)

        if looks_personal(text, self.normaliser.known_words):
            return unknown("personal_case")
        if best is None or self._off_topic(text) or self._known_share(tokens) < MIN_KNOWN_SHARE:
            return unknown("out_of_scope")
        if best.score < self.threshold or not self._trustworthy(tokens, best):
            return unknown("low_confidence")
        entry = self.kb.entries[best.entry_index]
        others = tuple(self.kb.entries[c.entry_index] for c in candidates[1:MAX_SUGGESTIONS + 1])
        return Answer(entry.verdict, entry, best_score, others, "matched", normalised.corrections)

    def _trustworthy(self, tokens: tuple[str, ...], best: _Candidate) -> bool:
        """Rules that stop a high score resting on the wrong evidence (see the constants above)."""
        shared = set(tokens) & self._entry_vocab[best.entry_index]
        if not shared & DOMAIN:
            return False  # only incidental words in common ("write my report" vs "write EHC plans")
        unknown = [t for t in set(tokens) if t not in self._idf and t not in GENERIC and not t.isdigit()]
        return not unknown or best.coverage >= MIN_COVERAGE_WITH_UNKNOWN

    def explain(self, question: str, limit: int = 5) -> list[dict[str, object]]:
        """The best candidates with each signal, for staff tuning the knowledge base."""
        normalised = self.normaliser.normalise(question)
        return [
            {"id": self.kb.entries[c.entry_index].id, "score": round(c.score, 4), "cosine": round(c.cosine, 4),
             "coverage": round(c.coverage, 4), "fuzz": round(c.fuzz, 4), "tokens": list(normalised.tokens),
             "corrections": [list(pair) for pair in normalised.corrections]}
            for c in self.score_candidates(normalised.tokens)[:limit]
        ]

    def score_candidates(self, tokens: tuple[str, ...]) -> list[_Candidate]:
        query_set = set(tokens)
        weights = {t: self._weight(t) for t in query_set}
        total = max(sum(weights.values()), MIN_INFORMATION)
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0

        # Cosine: dot products through the inverted index, best phrasing per entry.
        doc_dot: dict[int, float] = {}
        for token, weight in weights.items():
            for doc_index, doc_weight in self._postings.get(token, ()):
                doc_dot[doc_index] = doc_dot.get(doc_index, 0.0) + weight * doc_weight
        negated = NEGATION in query_set
        cosine: dict[int, float] = {}
        for doc_index, dot in doc_dot.items():
            doc = self._docs[doc_index]
            similarity = dot / norm * (NEGATION_PENALTY if doc.negated != negated else 1.0)
            cosine[doc.entry_index] = max(cosine.get(doc.entry_index, 0.0), similarity)
        if not cosine:
            return []

        # String similarity with the closest normalised phrasing of each candidate entry.
        query_text = " ".join(sorted(query_set))
        candidate_docs = [i for i, d in enumerate(self._docs) if d.entry_index in cosine]
        fuzzy: dict[int, float] = {}
        for _text, similarity, position in process.extract(
            query_text, [self._doc_texts[i] for i in candidate_docs], scorer=fuzz.token_sort_ratio, limit=None
        ):
            entry_index = self._docs[candidate_docs[position]].entry_index
            fuzzy[entry_index] = max(fuzzy.get(entry_index, 0.0), similarity / 100.0)

        candidates = []
        for entry_index, cos in cosine.items():
            vocab = self._entry_vocab[entry_index]
            coverage = sum(w for t, w in weights.items() if t in vocab) / total
            similarity = fuzzy.get(entry_index, 0.0)
            score = W_COSINE * cos + W_COVERAGE * coverage + W_FUZZ * similarity
            candidates.append(_Candidate(entry_index, score, cos, coverage, similarity))
        candidates.sort(key=lambda c: (-c.score, c.entry_index))  # ties: file order, so deterministic
        return candidates

    # --- helpers ----------------------------------------------------------------------------------

    def _entry_phrasing_tokens(self, entry: Entry) -> list[tuple[str, ...]]:
        # KB text is trusted: normalise without typo repair so the vocabulary stays as written.
        return [self.normaliser.normalise(t, repair=False).tokens for t in (entry.title, *entry.phrasings)]

    def _weight(self, token: str) -> float:
        if token in self._idf:
            return self._idf[token] * (GENERIC_WEIGHT if token in GENERIC else 1.0)
        # An unknown number ("3 suspensions") says little; an unknown word says "not our subject".
        return self._unknown_idf * (GENERIC_WEIGHT if token in GENERIC or token.isdigit() else 1.0)

    def _unit_vector(self, tokens: tuple[str, ...]) -> dict[str, float]:
        weights = {t: self._weight(t) for t in set(tokens)}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {t: w / norm for t, w in weights.items()}

    def _known_share(self, tokens: tuple[str, ...]) -> float:
        """Share of the question's information (IDF mass) made of words the KB knows."""
        weights = {t: self._weight(t) for t in set(tokens)}
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in self._idf) / total if total else 0.0

    def _off_topic(self, text: str) -> bool:
        words = [british(w) for w in surface_tokens(text)]
        if any(w in _OFF_TOPIC_WORDS for w in words):
            return True
        joined = f" {' '.join(words)} "
        return any(f" {' '.join(p)} " in joined for p in _OFF_TOPIC_PHRASES)


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

