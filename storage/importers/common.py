"""What every CSV import shares: the columns of each kind, a streaming reader, the problem report
(`line N: …`, one problem a line, the first 50 then a count), the progress bar and field parsers.

Files are read a row at a time (never whole into memory). A row handler (staff, localities) or a bulk
importer (children, attendance, peps) reports each problem with `Problems.add(line, message)` or, in the
older style, by appending `"line N: …"` to a list; `format_problems` turns either into what a person reads."""
from __future__ import annotations

import csv
import io
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator, TextIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import StaffMember

COLUMNS: dict[str, list[str]] = {
    "staff": ["aad_object_id", "email", "name", "role", "locality"],
    "localities": ["postcode_prefix", "locality", "officer"],
    "children": ["local_id", "first_name", "last_name", "date_of_birth", "legal_status", "school_name",
                 "social_worker", "designated_teacher", "home_postcode"],
    "attendance": ["local_id", "period_start", "period_end", "possible_sessions", "attended_sessions"],
    "peps": ["local_id", "due_date", "completed_date"],
}
OPTIONAL: dict[str, set[str]] = {
    "staff": {"email", "locality"},
    "localities": {"officer"},
    "children": {"school_name", "social_worker", "designated_teacher", "home_postcode"},
    "attendance": set(),
    "peps": {"completed_date"},
}
# What `vsbot import --help` and the README say about each column.
COLUMN_HELP: dict[str, str] = {
    "staff": "aad_object_id, email, name, role (social_worker, iro, dsl, designated_teacher, send, ep, officer, "
             "manager, admin), locality",
    "localities": "postcode_prefix (a district HA1 or a sector HA1 2), locality, officer (AAD object id or e-mail)",
    "children": "local_id, first_name, last_name, date_of_birth, legal_status (cin, cp, cic, plac, kinship, "
                "previous_cin_cp), school_name, social_worker, designated_teacher (AAD object id or e-mail of "
                "someone in the staff directory), home_postcode",
    "attendance": "local_id, period_start, period_end (a day or a longer period), possible_sessions, "
                  "attended_sessions (two sessions a school day)",
    "peps": "local_id, due_date, completed_date (empty = not done yet)",
}
MAX_SHOWN = 50  # problems listed one a line; the rest are counted


class ImportError_(Exception):  # noqa: N801  (not the builtin ImportError)
    """The import changed nothing. `problems` holds at most MAX_SHOWN lines; `total` counts them all."""

    def __init__(self, problems: list[str], total: int | None = None):
        self.problems = list(problems)
        self.total = max(total or 0, len(self.problems))
        super().__init__("\n".join(format_problems(self.problems, self.total)))


def format_problems(problems: list[str], total: int | None = None) -> list[str]:
    """One problem a line, the first MAX_SHOWN, then how many more there were."""
    total = max(total or 0, len(problems))
    shown = [p.replace("\n", " ") for p in problems[:MAX_SHOWN]]
    if total > len(shown):
        shown.append(f"… and {total - len(shown):,} more problem{'s' if total - len(shown) > 1 else ''}")
    return shown


class Problems:
    """Collects row problems: every one is counted, the first MAX_SHOWN are kept (memory stays bounded)."""

    def __init__(self) -> None:
        self.shown: list[str] = []
        self.total = 0
        self.bad_lines = 0

    def add(self, line: int, message: str) -> None:
        self.total += 1
        if len(self.shown) < MAX_SHOWN:
            self.shown.append(f"line {line}: {message}")

    def extend(self, lines: Iterable[str], total: int) -> None:
        """Problems found in the database (already formatted, `total` of them in all)."""
        for text in lines:
            if len(self.shown) < MAX_SHOWN:
                self.shown.append(text)
        self.total += total

    def __len__(self) -> int:
        return self.total

    def error(self) -> ImportError_:
        return ImportError_(sorted(self.shown, key=_line_number), self.total)


def _line_number(problem: str) -> int:
    head = problem.split(":", 1)[0]
    return int(head[5:]) if head.startswith("line ") and head[5:].isdigit() else 0


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # bad rows left out (--skip-bad)
    warnings: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what was skipped, formatted (--skip-bad)


class CsvSource:
    """A CSV file read a row at a time: header checked, extra columns warned about, each row with its line
    number (the physical line it ends on, as an editor shows it), values stripped."""

    def __init__(self, kind: str, stream: TextIO, *, size: int | None = None):
        if kind not in COLUMNS:
            raise ImportError_([f"unknown import kind {kind!r} (expected one of {', '.join(COLUMNS)})"])
        self.kind = kind
        self.size = size  # characters, for the progress bar (None: unknown)
        self.consumed = 0
        self._stream = stream
        first = True

        def lines():
            nonlocal first
            for line in stream:
                if first:
                    line, first = line.lstrip("\ufeff"), False
                self.consumed += len(line)
                yield line

        self._reader = csv.reader(lines())
        try:
            header = [h.strip() for h in next(self._reader)]
        except StopIteration:
            header = []
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ImportError_([f"line 1: the header cannot be read ({_why(exc)})"]) from exc
        if not any(header):
            raise ImportError_(["the file is empty (a header row is required)"])
        missing = [c for c in COLUMNS[kind] if c not in header and c not in OPTIONAL[kind]]
        if missing:
            raise ImportError_([f"missing column(s): {', '.join(missing)}"])
        self.warnings = [f"column {c!r} is not used and was ignored" for c in header if c not in COLUMNS[kind]]
        self._index = [(c, header.index(c)) for c in COLUMNS[kind] if c in header]
        self.rows = 0

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        width = max((i for _, i in self._index), default=-1)
        index = self._index
        while True:
            try:
                values = next(self._reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                raise ImportError_([f"line {self._reader.line_num}: the file cannot be read ({_why(exc)})"]) from exc
            if len(values) <= 1 and not (values and values[0].strip()):
                continue  # blank lines are not rows
            self.rows += 1
            if len(values) <= width:
                values = values + [""] * (width + 1 - len(values))
            yield self._reader.line_num, {c: values[i].strip() for c, i in index}


def _why(exc: Exception) -> str:
    return "it is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else str(exc)


def read_rows(kind: str, content: str) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """Every row of a small file in memory (staff and localities files)."""
    source = CsvSource(kind, io.StringIO(content))
    return list(source), source.warnings


@contextmanager
def open_source(kind: str, path: Path) -> Iterator[CsvSource]:
    try:
        handle = path.open(encoding="utf-8", newline="")
    except FileNotFoundError as exc:
        raise ImportError_([f"no such file: {path}"]) from exc
    except IsADirectoryError as exc:
        raise ImportError_([f"{path} is a directory, not a CSV file"]) from exc
    with handle:
        yield CsvSource(kind, handle, size=path.stat().st_size)


class Progress:
    """A progress bar on a terminal (rich); nothing at all otherwise (pipes, logs, tests)."""

    def __init__(self, enabled: bool | None = None, *, stream: TextIO | None = None):
        stream = stream or sys.stdout
        self.enabled = stream.isatty() if enabled is None else enabled
        self._progress = None
        self._task = None
        self._stream = stream

    def __enter__(self) -> "Progress":
        if self.enabled:
            from rich.console import Console  # pylint: disable=import-outside-toplevel
            from rich.progress import (  # pylint: disable=import-outside-toplevel
                BarColumn, MofNCompleteColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn)

            self._progress = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                          TimeElapsedColumn(), console=Console(file=self._stream), transient=True)
            self._progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def phase(self, description: str, total: int | None = None) -> None:
        if self._progress is None:
            return
        if self._task is not None:
            self._progress.update(self._task, completed=self._progress.tasks[-1].total or 0)
        self._task = self._progress.add_task(description, total=total)

    def update(self, completed: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=completed)


def parse_date(value: str, line: int, column: str, problems) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        _add(problems, line, f"{column} {value!r} is not a date (YYYY-MM-DD)" if value else f"{column} is required")
        return None


def parse_int(value: str, line: int, column: str, problems) -> int | None:
    try:
        number = int(value)
    except ValueError:
        _add(problems, line, f"{column} {value!r} is not a whole number" if value else f"{column} is required")
        return None
    if number < 0:
        _add(problems, line, f"{column} must not be negative")
        return None
    return number


def _add(problems, line: int, message: str) -> None:
    """Row handlers pass a Problems collector or a plain list of formatted lines."""
    if isinstance(problems, Problems):
        problems.add(line, message)
    else:
        problems.append(f"line {line}: {message}")


async def person_id(session: AsyncSession, ref: str) -> str | None:
    """People are given by AAD object id or e-mail; returns the AAD object id."""
    if not ref:
        return None
    condition = StaffMember.email == ref.lower() if "@" in ref else StaffMember.aad_object_id == ref
    member = (await session.execute(select(StaffMember).where(condition))).scalar_one_or_none()
    if member:
        return member.aad_object_id
    return None if "@" in ref else ref
