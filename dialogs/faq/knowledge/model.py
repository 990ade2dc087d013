"""The knowledge base's data types: plain frozen dataclasses, no framework."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

VERDICTS: frozenset[str] = frozenset({"yes", "no", "partly"})
# An entry may also say "unknown": the seeds do not cover the question, and its answer says so plainly
# and who to ask. The matcher never gives such an entry as a verdict; it offers it ("not_covered").
KB_VERDICTS: frozenset[str] = VERDICTS | {"unknown"}
# How an entry answers a parent asking about their own child (see audience.py):
#   "answer"   the entry is true whoever asks (eligibility, definitions, what parents can do)
#   "signpost" a parent's request is signposted instead (the default for yes / partly entries)
PARENTS: frozenset[str] = frozenset({"answer", "signpost"})
COHORTS: frozenset[str] = frozenset({"cic", "plac", "cwsw"})
ACTIONS: frozenset[str] = frozenset({"refer", "book_surgery", "ask_staff"})
# Who an alert entry's alerts go to: a question naming someone else as the one told gets "no" (see recipients.py).
RECIPIENTS: frozenset[str] = frozenset({"social worker", "designated teacher", "manager"})


@dataclass(frozen=True)
class Entry:
    """One question the Virtual School answers, as reviewed by staff."""

    id: str
    title: str
    phrasings: tuple[str, ...]
    verdict: str
    answer: str
    instead: str
    cohorts: tuple[str, ...]
    source: str
    actions: tuple[str, ...]
    condition: str = ""  # e.g. "attendance <= 90": a figure in the question outside it turns "yes" into "no"
    parents: str = ""  # "answer" | "signpost" | "" (default by verdict: "no" answers, yes/partly signposts)
    short_title: str = ""  # a button-sized title (Teams cuts suggestion buttons); derived when empty
    recipients: tuple[str, ...] = ()  # an alert's recipients, e.g. ("social worker", "manager")

    @property
    def button_title(self) -> str:
        return self.short_title or shorten_title(self.title)


BUTTON_CHARS = 40  # Teams shows about this much of a button's title on a phone before cutting it
_LEADS = ("Does the Virtual School ", "Is the Virtual School ", "Can the Virtual School ", "Will the Virtual School ",
          "Has the Virtual School ")


def shorten_title(title: str, limit: int = BUTTON_CHARS) -> str:
    """A button-sized version of a question: drop "Does the Virtual School", keep whole words, end with "…"."""
    text = " ".join(title.split()).rstrip("?")
    for lead in _LEADS:
        if text.startswith(lead):
            rest = text[len(lead):]
            text = rest[:1].upper() + rest[1:]
            break
    text = text.split(" (", 1)[0]
    if len(text) <= limit:
        return text + "?"
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


@dataclass(frozen=True)
class KnowledgeBase:
    """Every entry, in file order, plus where it came from (for logs and reload checks)."""

    entries: tuple[Entry, ...]
    path: str = ""
    version: str = ""  # sha256 of the file's bytes, so logs can say which KB answered
    _by_id: Mapping[str, Entry] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Read-only index built once; object.__setattr__ because the dataclass is frozen.
        object.__setattr__(self, "_by_id", MappingProxyType({e.id: e for e in self.entries}))

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.entries)
