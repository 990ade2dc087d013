"""The knowledge base's data types: plain frozen dataclasses, no framework."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

VERDICTS: frozenset[str] = frozenset({"yes", "no", "partly"})
COHORTS: frozenset[str] = frozenset({"cic", "plac", "cwsw"})
ACTIONS: frozenset[str] = frozenset({"refer", "book_surgery", "ask_staff"})


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
