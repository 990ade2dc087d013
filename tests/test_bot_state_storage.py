"""One conformance suite for botbuilder Storage: MemoryStorage, SQL on SQLite and SQL on PostgreSQL must
behave the same (MemoryStorage is the reference), including concurrent writers with stale e_tags."""
from __future__ import annotations

import asyncio

import pytest
from botbuilder.core import MemoryStorage
from botbuilder.testing import StorageBaseTests

from storage.bot_state import SqlStorage
from storage.db import create_engine
from tests.conftest import _backends, new_database

KINDS = ["memory"] + _backends()


@pytest.fixture(params=KINDS)
async def storage(request, tmp_path):
    if request.param == "memory":
        yield MemoryStorage()
        return
    async with new_database(request.param, request, tmp_path) as url:
        engine = create_engine(url)
        try:
            yield SqlStorage(engine)
        finally:
            await engine.dispose()


# --- botbuilder's own conformance suite (the tests every storage provider is meant to pass) -------------
@pytest.mark.parametrize("name", [
    "return_empty_object_when_reading_unknown_key",
    "handle_null_keys_when_writing",
    "does_not_raise_when_writing_no_items",
    "create_object",
    "handle_crazy_keys",
    "update_object",
    "delete_object",
    "delete_unknown_object",
    "perform_batch_operations",
    "proceeds_through_waterfall",
])
async def test_botbuilder_storage_base_tests(storage, name):
    assert await getattr(StorageBaseTests, name)(storage) is True


# --- the behaviour we rely on, stated explicitly ------------------------------------------------------------
async def test_null_or_empty_keys_read_nothing(storage):
    # botbuilder's suite expects non-memory storages to raise here; we match MemoryStorage instead.
    assert await storage.read(None) == {}
    assert await storage.read([]) == {}


async def test_read_returns_only_found_keys(storage):
    await storage.write({"a": {"n": 1}})
    assert set(await storage.read(["a", "missing"])) == {"a"}


async def test_read_returns_independent_copies(storage):
    await storage.write({"k": {"items": [1]}})
    first = (await storage.read(["k"]))["k"]
    await storage.write({"k": {"items": [1, 2], "e_tag": "*"}})
    assert (await storage.read(["k"]))["k"]["items"] == [1, 2]
    assert first["items"] == [1], "a value read earlier must not change under the reader"


async def _with_real_etag(storage, key: str) -> str:
    """Write, then write back, so every backend (MemoryStorage included) has stamped a real e_tag."""
    await storage.write({key: {"count": 0, "e_tag": "*"}})
    item = (await storage.read([key]))[key]
    await storage.write({key: item})
    e_tag = (await storage.read([key]))[key]["e_tag"]
    assert e_tag and e_tag != "*"
    return e_tag


async def test_stale_etag_is_a_conflict_and_wildcard_overwrites(storage):
    e_tag = await _with_real_etag(storage, "doc")
    await storage.write({"doc": {"count": 1, "e_tag": e_tag}})
    with pytest.raises(Exception, match="Etag conflict"):
        await storage.write({"doc": {"count": 2, "e_tag": e_tag}})
    assert (await storage.read(["doc"]))["doc"]["count"] == 1
    await storage.write({"doc": {"count": 3, "e_tag": "*"}})
    await storage.write({"doc": {"count": 4}})  # no e_tag at all also overwrites
    assert (await storage.read(["doc"]))["doc"]["count"] == 4


async def test_empty_etag_is_an_error(storage):
    await _with_real_etag(storage, "e")
    with pytest.raises(Exception):
        await storage.write({"e": {"count": 9, "e_tag": ""}})
    assert (await storage.read(["e"]))["e"]["count"] == 0


async def test_concurrent_writers_with_the_same_etag_exactly_one_wins(storage):
    e_tag = await _with_real_etag(storage, "race")

    async def writer(n: int):
        try:
            await storage.write({"race": {"count": n, "e_tag": e_tag}})
            return n
        except Exception as exc:  # noqa: BLE001 - we count conflicts
            assert "Etag conflict" in str(exc)
            return None

    results = await asyncio.gather(*(writer(n) for n in range(1, 9)))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert (await storage.read(["race"]))["race"]["count"] == winners[0]


async def test_delete_then_recreate(storage):
    await storage.write({"d": {"v": 1}})
    await storage.delete(["d", "never-existed"])
    assert await storage.read(["d"]) == {}
    await storage.write({"d": {"v": 2}})
    assert (await storage.read(["d"]))["d"]["v"] == 2
