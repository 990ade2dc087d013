"""Command-line helpers behind `vsbot ask` (and `python -m dialogs.faq.knowledge.cli` for staff)."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence, TextIO

from dialogs.faq.knowledge.loader import KnowledgeBaseError, KnowledgeBaseStore, load_knowledge_base
from dialogs.faq.knowledge.matcher import Matcher
from dialogs.faq.knowledge.present import answer_to_dict, format_answer


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
