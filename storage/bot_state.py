"""botbuilder `Storage` on SQL, so dialog state survives restarts and is shared by several instances.

Behaves as botbuilder's MemoryStorage does (read returns only keys found; None or "*" e_tag overwrites;
a different non-wildcard e_tag is a conflict; an empty e_tag is an error; deleting an unknown key is a
no-op), with one deliberate strengthening: every write stamps a fresh e_tag, so two instances that read
the same state cannot both write it back. Compare-and-swap happens in SQL, not in Python, so it also
holds between processes.
"""
from __future__ import annotations

import uuid
from typing import Any

import jsonpickle
from botbuilder.core import Storage
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.clock import utcnow
from storage.models import BotStateItem

_TABLE = BotStateItem.__table__


class EtagConflictError(KeyError):
    """Raised on a stale write. The text "Etag conflict" is what botbuilder's SSO middleware matches on."""


def _get_etag(item: Any) -> str | None:
    if isinstance(item, dict):
        return item.get("e_tag")
    return getattr(item, "e_tag", None)


def _set_etag(item: Any, e_tag: str) -> None:
    if isinstance(item, dict):
        item["e_tag"] = e_tag
    elif hasattr(item, "e_tag") or hasattr(item, "__dict__"):
        item.e_tag = e_tag


def _encode(item: Any) -> str:
    # The e_tag lives in its own column; keep it out of the payload so the two never disagree.
    if isinstance(item, dict) and "e_tag" in item:
        item = {k: v for k, v in item.items() if k != "e_tag"}
    return jsonpickle.encode(item, unpicklable=True, make_refs=False)


def _decode(data: str, e_tag: str) -> Any:
    item = jsonpickle.decode(data)
    _set_etag(item, e_tag)
    return item


async def purge_idle(engine: AsyncEngine, *, idle_before) -> int:
    """Drop conversation and user state untouched since `idle_before` (a form abandoned half way holds a
    child's details; nothing else needs state that old)."""
    async with engine.begin() as conn:
        result = await conn.execute(delete(_TABLE).where(_TABLE.c.updated_at < idle_before))
    return result.rowcount


class SqlStorage(Storage):
    def __init__(self, engine: AsyncEngine):
        super().__init__()
        self._engine = engine

    async def read(self, keys: list[str]) -> dict[str, Any]:
        if not keys:
            return {}
        keys = list(dict.fromkeys(keys))
        async with self._engine.connect() as conn:
            rows = (await conn.execute(select(_TABLE.c.key, _TABLE.c.data, _TABLE.c.e_tag).where(_TABLE.c.key.in_(keys)))).all()
        return {row.key: _decode(row.data, row.e_tag) for row in rows}

    async def write(self, changes: dict[str, Any]) -> None:
        if changes is None:
            raise Exception("Changes are required when writing")  # pylint: disable=broad-exception-raised
        if not changes:
            return
        async with self._engine.begin() as conn:
            for key, item in changes.items():
                incoming = _get_etag(item)
                if incoming == "":
                    raise ValueError("SqlStorage.write(): e_tag is empty")
                new_etag = uuid.uuid4().hex
                payload = _encode(item)
                if incoming is None or incoming == "*":
                    await conn.execute(self._upsert(conn.dialect.name, key, payload, new_etag))
                else:
                    await self._compare_and_swap(conn, key, incoming, payload, new_etag)

    async def delete(self, keys: list[str]) -> None:
        if not keys:
            return
        async with self._engine.begin() as conn:
            await conn.execute(delete(_TABLE).where(_TABLE.c.key.in_(list(keys))))

    @staticmethod
    def _upsert(dialect: str, key: str, payload: str, e_tag: str):
        values = {"key": key, "data": payload, "e_tag": e_tag, "updated_at": utcnow()}
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(_TABLE).values(**values)
        return stmt.on_conflict_do_update(
            index_elements=[_TABLE.c.key], set_={"data": payload, "e_tag": e_tag, "updated_at": values["updated_at"]}
        )

    @staticmethod
    async def _compare_and_swap(conn, key: str, expected: str, payload: str, e_tag: str) -> None:
        result = await conn.execute(
            update(_TABLE)
            .where(_TABLE.c.key == key, _TABLE.c.e_tag == expected)
            .values(data=payload, e_tag=e_tag, updated_at=utcnow())
        )
        if result.rowcount == 1:
            return
        exists = (await conn.execute(select(_TABLE.c.e_tag).where(_TABLE.c.key == key))).first()
        if exists is not None:
            raise EtagConflictError(f"Etag conflict.\nOriginal: {expected}\r\nCurrent: {exists.e_tag}")
        # Unknown key with an e_tag: MemoryStorage simply stores it. A concurrent creator wins the race.
        dialect = conn.dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        inserted = await conn.execute(
            insert(_TABLE)
            .values(key=key, data=payload, e_tag=e_tag, updated_at=utcnow())
            .on_conflict_do_nothing(index_elements=[_TABLE.c.key])
        )
        if inserted.rowcount != 1:
            raise EtagConflictError(f"Etag conflict.\nOriginal: {expected}\r\nCurrent: (created concurrently)")
