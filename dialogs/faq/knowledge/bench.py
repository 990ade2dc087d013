"""Benchmark the FAQ matcher on the labelled evaluation set (`vsbot bench`).

Accuracy is measured once (the matcher is deterministic); latency is measured warm, over several
repeats of the whole set, per question with time.perf_counter.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import yaml

from dialogs.faq.knowledge.loader import load_knowledge_base
from dialogs.faq.knowledge.matcher import Matcher

DEFAULT_EVAL_PATH = Path(__file__).resolve().parents[3] / "tests" / "data" / "faq_eval.yaml"
TARGETS = {"verdict_accuracy": 0.95, "out_of_scope_answered": 0, "p99_ms": 10.0}


@dataclass(frozen=True)
class EvalItem:
    q: str
    expected_id: str | None
    expected_verdict: str
    expected_reason: str | None = None

    @property
    def out_of_scope(self) -> bool:
        return self.expected_id is None


def load_eval_items(path: str | Path | None = None) -> list[EvalItem]:
    eval_path = Path(path) if path is not None else DEFAULT_EVAL_PATH
    if not eval_path.exists():
        raise FileNotFoundError(f"evaluation set not found: {eval_path}")
    data = yaml.safe_load(eval_path.read_text(encoding="utf-8"))
    raw_items = data.get("items") if isinstance(data, dict) else data
    items = []
    for raw in raw_items or []:
        verdict = raw["expected_verdict"]
        verdict = {True: "yes", False: "no"}.get(verdict, verdict)  # YAML 1.1 booleans
        items.append(EvalItem(str(raw["q"]), raw.get("expected_id"), str(verdict), raw.get("expected_reason")))
    return items


def evaluate(matcher: Matcher, items: Sequence[EvalItem]) -> dict[str, Any]:
    """Accuracy figures (no timing). Abstaining = verdict unknown; its positive class is out of scope."""
    in_scope = [i for i in items if not i.out_of_scope]
    out_of_scope = [i for i in items if i.out_of_scope]
    verdict_correct = top1_correct = abstained_oos = abstained_in_scope = oos_answered = 0
    reasons: dict[str, int] = {}
    failures: list[dict[str, Any]] = []
    for item in items:
        answer = matcher.answer(item.q)
        reasons[answer.reason] = reasons.get(answer.reason, 0) + 1
        got_id = answer.entry.id if answer.entry else None
        verdict_correct += answer.verdict == item.expected_verdict
        abstained = answer.verdict == "unknown"
        if item.out_of_scope:
            abstained_oos += abstained
            oos_answered += not abstained
        else:
            top1_correct += got_id == item.expected_id
            abstained_in_scope += abstained
        if answer.verdict != item.expected_verdict or (not item.out_of_scope and got_id != item.expected_id):
            failures.append({"q": item.q, "expected_id": item.expected_id, "expected_verdict": item.expected_verdict,
                             "got_id": got_id, "got_verdict": answer.verdict, "reason": answer.reason,
                             "score": answer.score})
    abstained_total = abstained_oos + abstained_in_scope
    return {
        "items": len(items),
        "in_scope": len(in_scope),
        "out_of_scope": len(out_of_scope),
        "top1_accuracy": _ratio(top1_correct, len(in_scope)),
        "verdict_accuracy": _ratio(verdict_correct, len(items)),
        "abstention_precision": _ratio(abstained_oos, abstained_total),
        "abstention_recall": _ratio(abstained_oos, len(out_of_scope)),
        "out_of_scope_answered": oos_answered,
        "reasons": dict(sorted(reasons.items())),
        "failures": failures,
    }


def measure_latency(matcher: Matcher, questions: Sequence[str], repeats: int) -> dict[str, float]:
    """Per-question latency in ms over `repeats` warm passes (one untimed warm-up pass first)."""
    for question in questions:
        matcher.answer(question)
    samples: list[float] = []
    for _ in range(max(1, repeats)):
        for question in questions:
            start = time.perf_counter()
            matcher.answer(question)
            samples.append((time.perf_counter() - start) * 1000.0)
    samples.sort()
    return {
        "p50_ms": round(_percentile(samples, 50), 3),
        "p99_ms": round(_percentile(samples, 99), 3),
        "mean_ms": round(sum(samples) / len(samples), 3),
        "max_ms": round(samples[-1], 3),
        "samples": len(samples),
    }


def run_faq_bench(eval_path: str | Path | None = None, repeats: int = 5, kb_path: str | Path | None = None) -> dict[str, Any]:
    """Accuracy, abstention and latency of the matcher on the evaluation set, plus the targets."""
    started = time.perf_counter()
    kb = load_knowledge_base(kb_path)
    matcher = Matcher(kb)
    load_ms = (time.perf_counter() - started) * 1000.0
    items = load_eval_items(eval_path)
    unknown_ids = sorted({i.expected_id for i in items if i.expected_id and kb.get(i.expected_id) is None})
    if unknown_ids:
        raise ValueError(f"evaluation set refers to ids missing from the knowledge base: {', '.join(unknown_ids)}")

    result = evaluate(matcher, items)
    result["latency"] = measure_latency(matcher, [i.q for i in items], repeats)
    result["repeats"] = repeats
    result["load_ms"] = round(load_ms, 1)
    result["kb"] = {"entries": len(kb), "phrasings": sum(len(e.phrasings) for e in kb), "version": kb.version[:12]}
    result["threshold"] = matcher.threshold
    result["targets"] = dict(TARGETS)
    result["meets_targets"] = (
        result["verdict_accuracy"] >= TARGETS["verdict_accuracy"]
        and result["out_of_scope_answered"] <= TARGETS["out_of_scope_answered"]
        and result["latency"]["p99_ms"] < TARGETS["p99_ms"]
    )
    return result


def format_report(result: dict[str, Any]) -> str:
    latency = result["latency"]
    lines = [
        "FAQ matcher benchmark",
        f"  knowledge base     {result['kb']['entries']} entries, {result['kb']['phrasings']} phrasings "
        f"(sha256 {result['kb']['version']}), built in {result['load_ms']} ms",
        f"  evaluation set     {result['items']} questions: {result['in_scope']} answerable, "
        f"{result['out_of_scope']} out of scope",
        f"  verdict accuracy   {result['verdict_accuracy']:.1%}   (target >= {TARGETS['verdict_accuracy']:.0%})",
        f"  top-1 accuracy     {result['top1_accuracy']:.1%}   (answerable questions, right entry)",
        f"  abstention         precision {result['abstention_precision']:.1%}, recall {result['abstention_recall']:.1%}",
        f"  out of scope answered yes/no/partly: {result['out_of_scope_answered']}   (target 0)",
        f"  latency            p50 {latency['p50_ms']} ms, p99 {latency['p99_ms']} ms, max {latency['max_ms']} ms "
        f"({latency['samples']} warm samples, {result['repeats']} repeats; target p99 < {TARGETS['p99_ms']:g} ms)",
        "  reasons            " + ", ".join(f"{k} {v}" for k, v in result["reasons"].items()),
        f"  threshold          {result['threshold']}",
        f"  result             {'targets met' if result['meets_targets'] else 'TARGETS NOT MET'}",
    ]
    if result["failures"]:
        lines.append(f"  misses ({len(result['failures'])}):")
        for f in result["failures"]:
            lines.append(f"    - {f['q']!r}: expected {f['expected_id'] or 'none'} ({f['expected_verdict']}), "
                         f"got {f['got_id'] or 'none'} ({f['got_verdict']}, {f['reason']}, {f['score']:.2f})")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the report (or --json). Exit status 1 when a target is missed, so CI can use it."""
    parser = argparse.ArgumentParser(prog="python -m dialogs.faq.knowledge.bench", description="Benchmark the FAQ matcher.")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    parser.add_argument("--eval", dest="eval_path", help=f"evaluation set (default {DEFAULT_EVAL_PATH})")
    parser.add_argument("--kb", dest="kb_path", help="knowledge base (default: the packaged kb.yaml)")
    parser.add_argument("--repeats", type=int, default=5, help="timed passes over the set (default 5)")
    args = parser.parse_args(argv)
    try:
        result = run_faq_bench(args.eval_path, repeats=args.repeats, kb_path=args.kb_path)
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"error: {' '.join(str(exc).split())}\n")
        return 2
    sys.stdout.write((json.dumps(result, indent=2) if args.json else format_report(result)) + "\n")
    return 0 if result["meets_targets"] else 1


def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def _percentile(sorted_samples: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile of already sorted samples."""
    rank = max(1, min(len(sorted_samples), -(-len(sorted_samples) * percent // 100)))
    return sorted_samples[int(rank) - 1]


if __name__ == "__main__":
    raise SystemExit(main())
