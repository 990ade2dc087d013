"""The layers stay as the notes draw them: nothing under dialogs/ or cards/ imports bot/, SQL lives in
storage/ (no SQLAlchemy outside storage/ and the edge's wiring), and botbuilder stays behind the edge
(dialogs may use botbuilder.dialogs, which is what they are, and nothing else of it)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> list[str]:
    """Modules a file imports at run time (imports under `if TYPE_CHECKING:` are for annotations only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            skipped.update(id(n) for n in ast.walk(node))
    names = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def _files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_nothing_under_dialogs_or_cards_imports_the_edge():
    offenders = [f"{p.relative_to(ROOT)}: {m}" for pkg in ("dialogs", "cards", "storage") for p in _files(pkg)
                 for m in _imports(p) if m == "bot" or m.startswith("bot.")]
    assert not offenders, offenders


def test_sql_lives_in_storage():
    offenders = [f"{p.relative_to(ROOT)}: {m}" for pkg in ("dialogs", "cards") for p in _files(pkg)
                 for m in _imports(p) if m.startswith("sqlalchemy") or m.startswith("sqlmodel")]
    assert not offenders, offenders


def test_botbuilder_stays_behind_the_edge():
    allowed = ("botbuilder.dialogs", "botbuilder.core")  # dialogs are botbuilder dialogs (prompts need MessageFactory)
    offenders = [f"{p.relative_to(ROOT)}: {m}" for p in _files("dialogs") for m in _imports(p)
                 if m.startswith("botbuilder") and not m.startswith(allowed)]
    offenders += [f"{p.relative_to(ROOT)}: {m}" for pkg in ("cards", "storage") for p in _files(pkg)
                  for m in _imports(p) if m.startswith(("botbuilder", "botframework"))
                  and p.name != "bot_state.py"]  # the SQL Storage implements botbuilder's Storage interface
    assert not offenders, offenders
