"""Load and validate the staff-editable knowledge base (kb.yaml), and hold it for the bot.

Validation collects every problem before failing, so a member of staff who edited the file sees the
whole list at once (one line each, naming the entry), not just the first mistake.
"""
from __future__ import annotations

import hashlib
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dialogs.faq.knowledge.matcher import Answer, Matcher
from dialogs.faq.knowledge.model import (ACTIONS, BUTTON_CHARS, COHORTS, KB_VERDICTS, PARENTS, RECIPIENTS, Entry,
                                         KnowledgeBase)
from dialogs.faq.knowledge.quantities import QUANTITIES, parse_condition

__all__ = [
    "DEFAULT_KB_PATH",
    "Entry",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "KnowledgeBaseStore",
    "load_knowledge_base",
    "parse_knowledge_base",
]

DEFAULT_KB_PATH = Path(__file__).with_name("kb.yaml")

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_REQUIRED = ("id", "title", "phrasings", "verdict", "answer", "source")
_OPTIONAL = ("instead", "cohorts", "actions", "condition", "parents", "short_title", "recipients")
_KNOWN_KEYS = frozenset(_REQUIRED + _OPTIONAL)


class KnowledgeBaseError(ValueError):
    """The knowledge base file is unreadable or invalid; `problems` has one line per problem."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        count = len(self.problems)
        header = f"{source}: {count} problem{'s' if count != 1 else ''} in the knowledge base"
        super().__init__("\n".join([header, *(f"  - {p}" for p in self.problems)]))


def load_knowledge_base(path: str | os.PathLike[str] | None = None) -> KnowledgeBase:
    """Read, parse and validate a kb.yaml (default: the packaged one). Raises KnowledgeBaseError."""
    kb_path = Path(path) if path is not None else DEFAULT_KB_PATH
    try:
        raw = kb_path.read_bytes()
    except OSError as exc:
        raise KnowledgeBaseError(str(kb_path), [f"cannot read the file: {exc.strerror or exc}"]) from exc
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise KnowledgeBaseError(str(kb_path), [f"the file is not UTF-8 text: {exc}"]) from exc
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(str(kb_path), [f"YAML syntax error: {_one_line(str(exc))}"]) from exc
    return parse_knowledge_base(data, source=str(kb_path), version=hashlib.sha256(raw).hexdigest())


def parse_knowledge_base(data: Any, *, source: str = "<data>", version: str = "") -> KnowledgeBase:
    """Validate already-parsed YAML data (a mapping with `entries`, or a bare list of entries)."""
    raw_entries = data.get("entries") if isinstance(data, dict) else data
    if not isinstance(raw_entries, list) or not raw_entries:
        raise KnowledgeBaseError(source, ["expected a non-empty list under the top-level key 'entries'"])

    problems: list[str] = []
    entries: list[Entry] = []
    first_index_of_id: dict[str, int] = {}
    owner_of_phrasing: dict[str, str] = {}
    for index, raw in enumerate(raw_entries, start=1):
        label = _label(index, raw)
        entry, entry_problems = _parse_entry(raw)
        problems.extend(f"{label}: {p}" for p in entry_problems)
        if entry is None:
            continue
        if entry.id in first_index_of_id:
            problems.append(f"{label}: duplicate id (first used by entry {first_index_of_id[entry.id]})")
        else:
            first_index_of_id[entry.id] = index
        for text in (entry.title, *entry.phrasings):
            key = " ".join(text.lower().split())
            owner = owner_of_phrasing.setdefault(key, entry.id)
            if owner != entry.id:
                problems.append(f"{label}: phrasing {text!r} is also used by entry '{owner}'")
        entries.append(entry)
    if problems:
        raise KnowledgeBaseError(source, problems)
    return KnowledgeBase(entries=tuple(entries), path=source, version=version)


def _label(index: int, raw: Any) -> str:
    entry_id = raw.get("id") if isinstance(raw, dict) else None
    return f"entry {index} (id '{entry_id}')" if isinstance(entry_id, str) and entry_id else f"entry {index}"


def _parse_entry(raw: Any) -> tuple[Entry | None, list[str]]:
    """One entry and its problems; the entry is None when it cannot be built at all."""
    if not isinstance(raw, dict):
        return None, [f"expected a mapping of fields, got {type(raw).__name__}"]
    problems = [f"missing required field '{key}'" for key in _REQUIRED if key not in raw]
    problems += [f"unknown field '{key}' (allowed: {', '.join(sorted(_KNOWN_KEYS))})"
                 for key in raw if key not in _KNOWN_KEYS]

    entry_id = _text(raw.get("id"), "id", problems, required="id" in raw)
    if entry_id and not _ID_RE.match(entry_id):
        problems.append(f"id {entry_id!r} is not kebab-case (lowercase letters, digits and single hyphens)")
    title = _text(raw.get("title"), "title", problems, required="title" in raw)
    answer = _text(raw.get("answer"), "answer", problems, required="answer" in raw)
    source = _text(raw.get("source"), "source", problems, required="source" in raw)
    instead = _text(raw.get("instead", ""), "instead", problems, required=False)
    verdict = _verdict(raw.get("verdict"), problems) if "verdict" in raw else ""
    phrasings = _phrasings(raw.get("phrasings"), problems) if "phrasings" in raw else ()
    cohorts = _choices(raw.get("cohorts", []), "cohorts", "cohort", COHORTS, problems)
    actions = _choices(raw.get("actions", []), "actions", "action", ACTIONS, problems)
    condition = _text(raw.get("condition", ""), "condition", problems, required=False)
    if condition and parse_condition(condition) is None:
        problems.append(f"condition {condition!r} is not '<quantity> <op> <number>' with a quantity from "
                        f"{', '.join(QUANTITIES)} and an op from <=, <, >=, >, ==")
    if condition and verdict != "yes":
        problems.append("a condition can only be set on a 'yes' entry (a figure outside it turns the answer into 'no')")
    parents = _text(raw.get("parents", ""), "parents", problems, required=False)
    if parents and parents not in PARENTS:
        problems.append(f"parents {parents!r} is not one of {', '.join(sorted(PARENTS))}")
    recipients = _choices(raw.get("recipients", []), "recipients", "recipient", RECIPIENTS, problems)
    if recipients and verdict != "yes":
        problems.append("recipients can only be set on a 'yes' entry (someone else named turns the answer into 'no')")
    short_title = _text(raw.get("short_title", ""), "short_title", problems, required=False)
    if len(short_title) > BUTTON_CHARS:
        problems.append(f"short_title is {len(short_title)} characters; buttons show about {BUTTON_CHARS}")
    # Built even when invalid (if it has an id) so duplicate ids are still reported.
    entry = Entry(entry_id, title, phrasings, verdict, answer, instead, cohorts, source, actions,
                  condition, parents, short_title, recipients) if entry_id else None
    return entry, problems


def _text(value: Any, name: str, problems: list[str], *, required: bool) -> str:
    if value is None:
        if required:
            problems.append(f"field '{name}' is empty")
        return ""
    if not isinstance(value, str):
        problems.append(f"field '{name}' must be text, got {type(value).__name__}")
        return ""
    text = " ".join(value.split())
    if required and not text:
        problems.append(f"field '{name}' is empty")
    return text


def _verdict(value: Any, problems: list[str]) -> str:
    # YAML 1.1 reads unquoted yes/no as booleans; accept them so staff need not remember quotes.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, str) and value.strip().lower() in KB_VERDICTS:
        return value.strip().lower()
    problems.append(f"verdict {value!r} is not one of {', '.join(sorted(KB_VERDICTS))}")
    return ""


def _phrasings(value: Any, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        problems.append("field 'phrasings' must be a non-empty list of questions")
        return ()
    texts: list[str] = []
    for position, item in enumerate(value, start=1):
        if not isinstance(item, str) or not item.strip():
            problems.append(f"phrasing {position} is empty or not text")
            continue
        texts.append(" ".join(item.split()))
    return tuple(texts)


def _choices(value: Any, field_name: str, noun: str, allowed: frozenset[str], problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(f"field '{field_name}' must be a list")
        return ()
    chosen: list[str] = []
    for item in value:
        if not isinstance(item, str) or item not in allowed:
            problems.append(f"unknown {noun} {item!r} (expected one of {', '.join(sorted(allowed))})")
        elif item not in chosen:
            chosen.append(item)
    return tuple(chosen)


def _one_line(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class _Loaded:
    kb: KnowledgeBase
    matcher: Matcher
    mtime_ns: int


class KnowledgeBaseStore:
    """The current knowledge base and its matcher, reloadable from disk without a restart.

    Readers take one reference to an immutable snapshot, so a reload in another thread never
    shows them half a knowledge base. An invalid file never replaces a valid one.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None):
        self.path = Path(path) if path is not None else DEFAULT_KB_PATH
        self._lock = threading.Lock()
        self._loaded = self._load()  # an invalid file at start-up is an error: raise

    @property
    def kb(self) -> KnowledgeBase:
        return self._loaded.kb

    @property
    def matcher(self) -> Matcher:
        return self._loaded.matcher

    def answer(self, question: str) -> Answer:
        return self._loaded.matcher.answer(question)

    def reload(self) -> KnowledgeBase:
        """Re-read the file. On KnowledgeBaseError the previous knowledge base stays in use."""
        with self._lock:
            self._loaded = self._load()
            return self._loaded.kb

    def try_reload(self) -> list[str]:
        """Like reload() but returns the problems (empty list = reloaded) instead of raising."""
        try:
            self.reload()
        except KnowledgeBaseError as exc:
            return exc.problems
        return []

    def reload_if_changed(self) -> bool:
        """Reload when the file's modification time changed; True if a new version was loaded."""
        try:
            mtime_ns = self.path.stat().st_mtime_ns
        except OSError:
            return False
        if mtime_ns == self._loaded.mtime_ns:
            return False
        previous_version = self._loaded.kb.version
        return self.reload().version != previous_version

    def _load(self) -> _Loaded:
        mtime_ns = self.path.stat().st_mtime_ns if self.path.exists() else 0
        kb = load_knowledge_base(self.path)
        return _Loaded(kb=kb, matcher=Matcher(kb), mtime_ns=mtime_ns)
