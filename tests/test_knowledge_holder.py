"""The knowledge base is reloaded off the event loop when staff edit it; a broken edit is reported once and
never re-parsed per question, while the previous version keeps answering."""
from __future__ import annotations

import asyncio
import logging
import os
import time

from dialogs.faq.knowledge.loader import DEFAULT_KB_PATH
from dialogs.faq.service import KnowledgeHolder


def _touch(path, step_ns: int) -> None:
    os.utime(path, ns=(1, os.stat(path).st_mtime_ns + step_ns))


async def test_a_reload_does_not_block_other_turns(tmp_path, monkeypatch):
    path = tmp_path / "kb.yaml"
    path.write_text(DEFAULT_KB_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    holder = KnowledgeHolder(path)
    slow_reload = holder._store.reload  # pylint: disable=protected-access

    def reload_slowly():
        time.sleep(0.3)  # as a big knowledge base would take: it must run in a worker thread
        return slow_reload()

    monkeypatch.setattr(holder._store, "reload", reload_slowly)  # pylint: disable=protected-access
    _touch(path, 10_000_000)
    ticks = 0

    async def other_turns():
        nonlocal ticks
        for _ in range(20):
            await asyncio.sleep(0.01)
            ticks += 1

    await asyncio.gather(holder.refresh(), other_turns())
    assert ticks == 20  # the loop kept running while the file was parsed


async def test_a_broken_edit_is_reported_once_and_not_reparsed(tmp_path, monkeypatch, caplog):
    path = tmp_path / "kb.yaml"
    path.write_text(DEFAULT_KB_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    holder = KnowledgeHolder(path)
    before = holder.answer("Does the Virtual School chair PEP meetings?")
    path.write_text("entries: [this is: not valid", encoding="utf-8")
    _touch(path, 20_000_000)
    calls = 0
    real = holder._store.reload  # pylint: disable=protected-access

    def counting():
        nonlocal calls
        calls += 1
        return real()

    monkeypatch.setattr(holder._store, "reload", counting)  # pylint: disable=protected-access
    with caplog.at_level(logging.ERROR, logger="vsbot.faq"):
        for _ in range(5):
            await holder.refresh()
            assert holder.answer("Does the Virtual School chair PEP meetings?").entry == before.entry
    assert calls == 1 and len([r for r in caplog.records if "refused" in r.getMessage()]) == 1
    assert holder.last_problems
