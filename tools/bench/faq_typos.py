"""FAQ answers to questions typed with a slip: one typo (a swapped, dropped, doubled or changed letter, never the
first) put into one word of five letters or more of every question of the held-out sets used for tuning, with a
fixed seed, then scored as `vsbot bench` scores the sets. Sets 10 and 15 are left out (never tuned on).

    .venv/bin/python -m tools.bench.faq_typos [--seeds 3]
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

NEVER_TUNED = {"faq_holdout_10.yaml", "faq_holdout_15.yaml"}
_WORD = re.compile(r"[A-Za-z]{5,}")


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
        result = evaluate(matcher, noisy)
        print(f"one typo a question, seed {seed}: {result['verdict_accuracy']:.1%} right, "
              f"{result['in_scope_unsure']} not sure, {result['out_of_scope_answered']} out of scope answered")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
