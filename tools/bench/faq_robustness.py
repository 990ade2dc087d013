"""FAQ answers to the questions of the held-out sets used for tuning, written the ways people write (sets 24
and 25, never tuned on, are left out), scored as `vsbot bench` scores the sets:
- one typo (a swapped, dropped, doubled or changed letter, never the first) in one word of five letters or more,
  with fixed seeds;
- a greeting, an apology or an introduction before the question, or a thank-you after it;
- all in lower case, without punctuation, or with hyphenated words joined ("lookedafter").

    .venv/bin/python -m tools.bench.faq_robustness [--seeds 3]
"""
from __future__ import annotations

import argparse
import random
import re
from dataclasses import replace
from pathlib import Path

from dialogs.faq.knowledge.bench import evaluate, holdout_paths, load_eval_items
from dialogs.faq.knowledge.loader import load_knowledge_base
from dialogs.faq.knowledge.matcher import Matcher

NEVER_TUNED = {"faq_holdout_24.yaml", "faq_holdout_25.yaml"}  # the last blind sets (10, 15 and 21 were until round 10)
_WORD = re.compile(r"[A-Za-z]{5,}")
BEFORE = ("Hi, I'm a DSL at a primary school. ", "Morning all, quick one from a social worker. ",
          "Hiya, foster carer here and a bit confused. ", "Sorry if this is a daft question but ",
          "Apologies for the long message, we've had a tough week. ")
AFTER = (" thanks in advance", " Many thanks.", " cheers", " any help appreciated x", " Thanks, Sarah")


def with_typo(word: str, rng: random.Random) -> str:
    kind = rng.choice(("swap", "drop", "double", "change"))
    i = rng.randrange(1, len(word) - 1)
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + word[i + 1:]


def _report(label: str, result: dict) -> None:
    print(f"{label:48s} {result['verdict_accuracy']:6.1%} right, {result['in_scope_unsure']:3d} not sure, "
          f"{result['out_of_scope_answered']} out of scope answered")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    matcher = Matcher(load_knowledge_base())
    items = [item for path in holdout_paths() if Path(path).name not in NEVER_TUNED for item in load_eval_items(path)]
    clean = evaluate(matcher, items)
    print(f"{len(items)} questions; as written: {clean['verdict_accuracy']:.1%} right, "
          f"{clean['in_scope_unsure']} in scope left not sure, {clean['out_of_scope_answered']} out of scope answered")
    for seed in range(args.seeds):
        rng = random.Random(seed)
        noisy = []
        for item in items:
            words = _WORD.findall(item.q)
            if words:
                word = rng.choice(words)
                noisy.append(replace(item, q=item.q.replace(word, with_typo(word, rng), 1)))
            else:
                noisy.append(item)
        _report(f"one typo a question, seed {seed}", evaluate(matcher, noisy))
    for label, texts, make in (("before", BEFORE, lambda q, t: t + q), ("after", AFTER, lambda q, t: q.rstrip() + t)):
        for text in texts:
            _report(f"{label}: {text.strip()[:40]}", evaluate(matcher, [replace(i, q=make(i.q, text)) for i in items]))
    _report("lower case", evaluate(matcher, [replace(i, q=i.q.lower()) for i in items]))
    _report("no punctuation", evaluate(matcher, [replace(i, q=re.sub(r"[^\w\s+%]", "", i.q)) for i in items]))
    _report("no ? . , ! ; or apostrophes", evaluate(matcher, [replace(i, q=re.sub(r"[?.,!;'’]", "", i.q)) for i in items]))
    _report("hyphenated words joined", evaluate(matcher, [replace(i, q=re.sub(r"(?<=\w)-(?=\w)", "", i.q))
                                                          for i in items]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
