"""Every card the bot can send, error states included, parses with the official Adaptive Cards library
(pinned in tools/cards), declares a version Teams renders (≤ 1.5) and fits in a Teams message.

Builders are found by name (public functions ending in `_card` in each cards module); each module's
`samples()` must give at least one example per builder, so a builder added later without a sample fails."""
from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import shutil
import subprocess
from pathlib import Path

import pytest

import cards

VALIDATOR = Path(__file__).resolve().parent.parent / "tools" / "cards" / "validate.cjs"
TEAMS_MESSAGE_LIMIT = 28 * 1024  # bytes: Teams' limit for a whole message; the card must leave room for the rest
CARD_BUDGET = 24 * 1024
TEAMS_VERSIONS = {"1.0", "1.1", "1.2", "1.3", "1.4", "1.5"}


def _modules():
    for info in pkgutil.iter_modules(cards.__path__):
        if info.name not in ("common",):
            yield importlib.import_module(f"cards.{info.name}")


def _builders(module) -> set[str]:
    return {name for name, fn in inspect.getmembers(module, inspect.isfunction)
            if fn.__module__ == module.__name__ and name.endswith("_card") and not name.startswith("_")}


def _all_samples() -> list[tuple[str, dict]]:
    out = []
    for module in _modules():
        samples = module.samples() if hasattr(module, "samples") else {}
        for builder, examples in samples.items():
            for n, example in enumerate(examples):
                out.append((f"{module.__name__}.{builder}[{n}]", example))
    return out


def test_every_card_builder_has_samples():
    missing = []
    for module in _modules():
        samples = module.samples() if hasattr(module, "samples") else {}
        missing += [f"{module.__name__}.{b}" for b in sorted(_builders(module)) if not samples.get(b)]
    assert not missing, f"card builders without a sample in their module's samples(): {missing}"


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_every_sample_declares_a_teams_version_and_fits_a_message():
    for name, example in _all_samples():
        for node in _walk(example):
            if node.get("type") == "AdaptiveCard":
                assert node.get("version") in TEAMS_VERSIONS, f"{name}: version {node.get('version')}"
        size = len(json.dumps(example, ensure_ascii=False).encode("utf-8"))
        assert size < CARD_BUDGET < TEAMS_MESSAGE_LIMIT, f"{name}: {size} bytes"


def test_every_sample_parses_with_the_adaptive_cards_library():
    node = shutil.which("node")
    if node is None or not (VALIDATOR.parent / "node_modules" / "adaptivecards").exists():
        pytest.fail("the card validator needs Node.js and `npm ci --prefix tools/cards` (make test does it)",
                    pytrace=False)
    samples = [{"name": name, "card": example} for name, example in _all_samples()]
    assert len(samples) > 40
    result = subprocess.run([node, str(VALIDATOR)], input=json.dumps(samples), capture_output=True, text=True,
                            check=True, timeout=120)
    problems = {r["name"]: r["problems"] for r in json.loads(result.stdout) if r["problems"]}
    assert not problems, json.dumps(problems, indent=1)
