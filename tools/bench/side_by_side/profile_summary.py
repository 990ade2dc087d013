"""Summarise a py-spy raw (collapsed stacks) profile: the functions with the largest inclusive share of samples,
grouped by where they live, so a profile before and after a change can be compared in a few lines.

    python tools/bench/side_by_side/profile_summary.py var/profiles/ours-sqlite-faq-20.txt [--top 30]
"""
import argparse
import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^:]+)(?::\d+)?\)$")


BUCKETS = [("sqlalchemy", "SQLAlchemy"), ("aiosqlite", "aiosqlite (thread hops)"), ("sqlite3", "SQLite"),
           ("asyncpg", "asyncpg"), ("msrest", "msrest (de)serialisation"), ("jsonpickle", "jsonpickle (state)"),
           ("botbuilder", "botbuilder"), ("aiohttp", "aiohttp"), ("uvloop", "event loop"), ("asyncio", "event loop"),
           ("selectors", "event loop"), ("logging", "logging"), ("json", "json"), ("rapidfuzz", "FAQ matcher"),
           ("dialogs/faq", "FAQ matcher"), ("/dialogs/", "our dialogs"), ("/bot/", "our edge (bot/)"),
           ("/storage/", "our storage"), ("/cards/", "our cards")]


def bucket(leaf_file: str) -> str:
    for marker, name in BUCKETS:
        if marker in leaf_file:
            return name
    return "other"


def _idle_worker_line() -> str | None:
    """aiosqlite's worker thread blocked on its queue looks busy to py-spy (a lock wait in C): that frame, as
    py-spy names it, so such samples are counted apart rather than as work."""
    try:
        import inspect  # pylint: disable=import-outside-toplevel

        import aiosqlite.core  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    lines, first = inspect.getsourcelines(aiosqlite.core._connection_worker_thread)  # pylint: disable=protected-access
    for offset, text in enumerate(lines):
        if "tx.get()" in text:
            return f"_connection_worker_thread (aiosqlite/core.py:{first + offset})"
    return None


def summarise(path: Path, top: int) -> str:
    inclusive: Counter = Counter()
    leaves: Counter = Counter()
    total = idle = 0
    idle_frame = _idle_worker_line()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        if idle_frame and stack.split(";")[-1].endswith(idle_frame):
            idle += n
            continue
        total += n
        leaf = FRAME.match(stack.split(";")[-1])
        if leaf and leaf["func"] == "run_app":  # no Python frame below it: uvloop's own C code
            leaves["uvloop's C code (sockets, polling; py-spy cannot tell its waiting from work)"] += n
        else:
            leaves[bucket(leaf["file"] if leaf else "")] += n
        seen = set()
        for frame in stack.split(";"):
            m = FRAME.match(frame)
            name = f"{m['func']} ({short(m['file'])})" if m else frame
            if name not in seen:
                seen.add(name)
                inclusive[name] += n
    by_place = [f"{100 * c / total:5.1f}%  {name}" for name, c in leaves.most_common()]
    rows = [f"{100 * c / total:5.1f}%  {name}" for name, c in inclusive.most_common(top)]
    return (f"{total} samples of work ({idle} more of aiosqlite's worker waiting for a statement, left out)\n\n"
            "Where the samples were (the innermost frame's package):\n"
            + "\n".join(by_place) + "\n\nFunctions by inclusive share:\n" + "\n".join(rows))


def short(file: str) -> str:
    for marker in ("site-packages/", "/work/", "lib/python3"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    print(summarise(args.profile, args.top))
