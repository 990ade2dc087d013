"""CSV imports (UTF-8, header row, dates YYYY-MM-DD). Every row is validated and every problem reported as
`line N: …` (the first 50, then a count); a file with any bad row changes nothing unless `skip_bad` is given,
and then only its good rows are imported. Extra columns are ignored with a warning. Importing the same file
twice changes nothing. Children, attendance and PEP reviews are written in bulk (a staging table, then set-based
checks and upserts in the database); staff and localities, which are small, a row at a time."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from storage.importers import children, people
from storage.importers.common import (
    COLUMN_HELP,
    COLUMNS,
    OPTIONAL,
    CsvSource,
    ImportError_,
    ImportReport,
    Problems,
    Progress,
    format_problems,
    open_source,
    read_rows,
)

__all__ = ["COLUMNS", "COLUMN_HELP", "OPTIONAL", "ImportError_", "ImportReport", "Problems", "format_problems",
           "import_csv", "import_file", "read_rows"]

ROW_HANDLERS = {"staff": people.staff, "localities": people.localities}
BULK = {"children": children.import_children, "attendance": children.import_attendance, "peps": children.import_peps}


async def _import(session: AsyncSession, source: CsvSource, *, today: date | None, skip_bad: bool,
                  progress: Progress | None) -> ImportReport:
    kind = source.kind
    report = ImportReport(kind=kind, warnings=source.warnings)
    if kind in BULK:
        await BULK[kind](session, source, report, today=today or date.today(), skip_bad=skip_bad,
                         progress=progress or Progress(False))
        report.rows = source.rows
        return report
    problems: list[str] = []
    handler = ROW_HANDLERS[kind]
    for line, row in source:
        before = len(problems)
        await handler(session, line, row, report, problems)
        report.skipped += len(problems) > before
    report.rows = source.rows
    if problems and not skip_bad:
        raise ImportError_(problems[:50], len(problems))
    report.problems = format_problems(problems)
    await session.flush()
    return report


async def import_csv(*, session: AsyncSession, kind: str, content: str, today: date | None = None,
                     skip_bad: bool = False) -> ImportReport:
    """Validate and apply. Raises ImportError_ listing the problems; the caller commits or rolls back."""
    return await _import(session, CsvSource(kind, io.StringIO(content)), today=today, skip_bad=skip_bad,
                         progress=None)


async def import_file(*, session: AsyncSession, kind: str, path: Path, today: date | None = None,
                      skip_bad: bool = False, progress: Progress | None = None) -> ImportReport:
    """The same, streaming the file from disk (memory stays flat however long it is)."""
    with open_source(kind, path) as source:
        return await _import(session, source, today=today, skip_bad=skip_bad, progress=progress)

