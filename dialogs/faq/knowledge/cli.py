"""Command-line helpers behind `vsbot ask` (and `python -m dialogs.faq.knowledge.cli` for staff)."""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Sequence, TextIO

import yaml

from dialogs.faq.knowledge.loader import (
    DEFAULT_KB_PATH,
    KnowledgeBaseError,
    KnowledgeBaseStore,
    load_knowledge_base,
    parse_knowledge_base,
)
from dialogs.faq.knowledge.matcher import Answer, Matcher
from dialogs.faq.knowledge.present import VERDICT_LABELS, answer_to_dict, format_answer

# Questions staff taught the bot (`vsbot faq learn`), kept beside the knowledge base: `make bench` reports
# them as their own set, so the gain is visible, and a later edit that breaks one shows up there.
LEARNED_NAME = "faq_learned.yaml"


def ask_main(
    question: str | None,
    as_json: bool,
    stdin: TextIO,
    stdout: TextIO,
    *,
    matcher: Matcher | None = None,
    kb_path: str | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Answer one question, or one question per stdin line (then always JSON, one object a line).

    Returns the exit status: 0, or 2 when the knowledge base cannot be loaded (one line on stderr).
    """
    try:
        matcher = matcher or KnowledgeBaseStore(kb_path).matcher
    except KnowledgeBaseError as exc:
        _error(stderr, "knowledge base invalid: " + "; ".join(exc.problems) + f" ({exc.source})")
        return 2
    if question is not None:
        answer = matcher.answer(question)
        stdout.write((json.dumps(answer_to_dict(answer), ensure_ascii=False) if as_json else format_answer(answer)) + "\n")
        return 0
    for line in stdin:
        if not line.strip():
            continue
        stdout.write(json.dumps(answer_to_dict(matcher.answer(line.strip())), ensure_ascii=False) + "\n")
        stdout.flush()  # answer as each line arrives when used interactively or in a pipe
    return 0


def check_main(kb_path: str | None, stdout: TextIO, stderr: TextIO | None = None) -> int:
    """Validate a knowledge-base file (for staff after editing it). 0 = valid, 2 = problems listed."""
    try:
        kb = load_knowledge_base(kb_path)
    except KnowledgeBaseError as exc:
        (stderr or sys.stderr).write(str(exc) + "\n")
        return 2
    phrasings = sum(len(e.phrasings) for e in kb)
    stdout.write(f"OK: {len(kb)} entries, {phrasings} phrasings ({kb.path}, sha256 {kb.version[:12]})\n")
    return 0


class LearnError(ValueError):
    """The phrasing could not be added; the message says why, in one line."""


def learn_main(entry_id: str, question: str, *, phrasing: str | None = None, kb_path: str | None = None,
               learned_path: str | None = None, stdout: TextIO, stderr: TextIO | None = None) -> int:
    """Teach the bot a user's wording: add it as a phrasing of an entry, check the file, show the gain.

    The staff loop: `vsbot faq gaps` lists questions the bot could not answer; for one that an entry does
    answer, `vsbot faq learn ENTRY_ID "the question as the user wrote it"` adds the wording (or a tidier
    `--phrasing`) to that entry in kb.yaml, keeping the file's comments and layout, and only if the result
    is a valid knowledge base. It prints the answer before and after, and records the question in
    faq_learned.yaml beside kb.yaml, which `make bench` reports as its own set. The same edit can be made
    by hand (add a line under the entry's `phrasings:`) and checked with `vsbot faq check`.
    Returns 0, or 2 with one line on stderr.
    """
    path = Path(kb_path) if kb_path else DEFAULT_KB_PATH
    learned = Path(learned_path) if learned_path else path.with_name(LEARNED_NAME)
    try:
        before_kb = load_knowledge_base(path)
        entry = before_kb.get(entry_id)
        if entry is None:
            raise LearnError(f"no entry with id {entry_id!r} (see the ids in {path.name})")
        wording = " ".join((phrasing or question).split())
        if not wording:
            raise LearnError("the question is empty")
        before = Matcher(before_kb).answer(question)
        text = path.read_text(encoding="utf-8")
        new_text = add_phrasing_text(text, entry_id, wording)
        parse_knowledge_base(yaml.safe_load(new_text), source=str(path),
                             version=hashlib.sha256(new_text.encode("utf-8")).hexdigest())
        _write_atomically(path, new_text)
        after_kb = load_knowledge_base(path)
        after = Matcher(after_kb).answer(question)
        _record_learned(learned, question, after_kb.get(entry_id))
    except KnowledgeBaseError as exc:
        _error(stderr, "the knowledge base would be invalid, nothing changed: " + "; ".join(exc.problems))
        return 2
    except (LearnError, OSError, yaml.YAMLError) as exc:
        _error(stderr, " ".join(str(exc).split()))
        return 2
    stdout.write(f"added to {entry_id}: {wording}\n")
    stdout.write(f"before: {_summary(before)}\n")
    stdout.write(f"after:  {_summary(after)}\n")
    if after.entry is None or after.entry.id != entry_id:
        stdout.write("note: the question is still not answered by this entry; add a clearer phrasing, or check "
                     "that the entry really answers it\n")
    stdout.write(f"recorded in {learned} (reported by `make bench`); check the file with `vsbot faq check`\n")
    return 0


def add_phrasing_text(text: str, entry_id: str, phrasing: str) -> str:
    """kb.yaml text with one more phrasing under the entry, comments and layout untouched."""
    block = re.search(rf"^  - id: {re.escape(entry_id)}[ \t]*\n(.*?)(?=^  - id: |^  #|\Z)", text, re.S | re.M)
    if block is None:
        raise LearnError(f"entry {entry_id!r} is not laid out as '  - id: {entry_id}' in the file; add the phrasing "
                         "by hand under its 'phrasings:' and run `vsbot faq check`")
    items = re.search(r"^    phrasings:[ \t]*\n((?:      - .*\n)+)", block.group(0), re.M)
    if items is None:
        raise LearnError(f"entry {entry_id!r} has no block list of phrasings; add the phrasing by hand and run "
                         "`vsbot faq check`")
    # A phrasing used twice (here or by another entry) is reported by the loader's validation.
    line = f"      - {_yaml_scalar(phrasing)}\n"
    insert_at = block.start() + items.end()
    return text[:insert_at] + line + text[insert_at:]


def _yaml_scalar(value: str) -> str:
    """The phrasing as a YAML scalar: plain when that reads back the same, else double-quoted."""
    try:
        if yaml.safe_load(f"x: {value}") == {"x": value} and not value.startswith(("-", "?", "'", '"')):
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)  # the running bot never reads half a file
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _record_learned(path: Path, question: str, entry) -> None:
    items = []
    if path.exists():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        items = list(data.get("items") or [])
    verdict = entry.verdict if entry is not None else "unknown"
    item = {"q": question, "expected_id": entry.id if entry is not None else None, "expected_verdict": verdict}
    if item not in items:
        items.append(item)
    header = ("# Questions staff taught the FAQ (`vsbot faq learn`): each is now a phrasing of its entry.\n"
              "# `make bench` reports this set separately; a miss here means a later edit undid a lesson.\n")
    _write_atomically(path, header + yaml.safe_dump({"items": items}, allow_unicode=True, sort_keys=False))


def _summary(answer: Answer) -> str:
    if answer.entry is not None:
        return f"{VERDICT_LABELS[answer.verdict]} ({answer.entry.id}, {answer.reason}, confidence {answer.score:.2f})"
    closest = answer.offered or (answer.suggestions[0] if answer.suggestions else None)
    return (f"Not sure ({answer.reason}, confidence {answer.score:.2f}"
            + (f"; closest {closest.id})" if closest else ")"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dialogs.faq.knowledge.cli",
                                     description='Ask "does the Virtual School do X?" from the knowledge base.')
    parser.add_argument("question", nargs="?", help="the question; omit to read one question per line from stdin")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--kb", help="knowledge base file (default: the packaged kb.yaml)")
    parser.add_argument("--check", action="store_true", help="validate the knowledge base file and exit")
    args = parser.parse_args(argv)
    if args.check:
        return check_main(args.kb, sys.stdout)
    return ask_main(args.question, args.json, sys.stdin, sys.stdout, kb_path=args.kb)


def _error(stderr: TextIO | None, message: str) -> None:
    (stderr or sys.stderr).write(f"error: {message}\n")


if __name__ == "__main__":
    raise SystemExit(main())
