"""CSV imports (UTF-8, header row, dates YYYY-MM-DD). Each row is validated; a file with any bad row
changes nothing and every problem is reported with its line number. Extra columns are ignored with a warning."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from storage.importers import children, people
from storage.importers.common import COLUMNS, OPTIONAL, ImportError_, ImportReport, read_rows

__all__ = ["COLUMNS", "OPTIONAL", "ImportError_", "ImportReport", "import_csv", "import_file", "read_rows"]

HANDLERS = {"staff": people.staff, "localities": people.localities, "children": children.children,
            "attendance": children.attendance, "peps": children.peps}


async def import_csv(*, session: AsyncSession, kind: str, content: str) -> ImportReport:
    """Validate and apply. Raises ImportError_ listing every problem; the caller commits or rolls back."""
    rows, warnings = read_rows(kind, content)
    report = ImportReport(kind=kind, rows=len(rows), warnings=warnings)
    problems: list[str] = []
    handler = HANDLERS[kind]
    for line, row in rows:
        await handler(session, line, row, report, problems)
    if problems:
        raise ImportError_(problems)
    await session.flush()
    return report


async def import_file(*, session: AsyncSession, kind: str, path: Path) -> ImportReport:
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ImportError_([f"no such file: {path}"]) from exc
    except UnicodeDecodeError as exc:
        raise ImportError_([f"{path} is not UTF-8 text"]) from exc
    return await import_csv(session=session, kind=kind, content=content)
