"""Stay under Teams' proactive limits: per conversation 7/1 s, 8/2 s, 60/30 s, 1,800/hour; 50/s per app."""
from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque

CONVERSATION_WINDOWS = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))
# Teams counts 50 a second per app when the requests arrive, we count when they leave: network and event-loop
# jitter bunches arrivals, so a sender pacing at exactly 50/s is throttled (measured: 21 × 429 for 500 cards,
# 74% of the limit). 48/s with no burst over 13 in a quarter second stays under it (tools/bench/alerts.py).
APP_WINDOWS = ((0.25, 13), (1.0, 48))


class _Windows:
    def __init__(self, windows):
        self.windows = windows
        self.stamps: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        longest = self.windows[-1][0]
        while self.stamps and now - self.stamps[0] >= longest:
            self.stamps.popleft()
        wait = 0.0
        for span, limit in self.windows:
            recent = [t for t in self.stamps if now - t < span]
            if len(recent) >= limit:
                wait = max(wait, span - (now - recent[-limit]))
        return wait


class Pacer:
    """Sliding windows in this process. Several instances each pace themselves; the 429 handling in
    bot.sender covers what one process cannot see."""

    def __init__(self, clock=time.monotonic, sleep=asyncio.sleep):
        self._clock, self._sleep = clock, sleep
        self._app = _Windows(APP_WINDOWS)
        self._conversations: dict[str, _Windows] = defaultdict(lambda: _Windows(CONVERSATION_WINDOWS))
        self._blocked: dict[str, float] = {}  # conversation -> monotonic time Teams told us to wait until
        self._lock = asyncio.Lock()
        self._acquired = 0
        self._halted = asyncio.Event()

    def block(self, conversation_id: str, seconds: float) -> None:
        """Teams answered 429 with Retry-After for this conversation: nothing more goes to it until then."""
        until = self._clock() + seconds
        self._blocked[conversation_id] = max(until, self._blocked.get(conversation_id, 0.0))

    def unblock(self, conversation_id: str) -> None:
        self._blocked.pop(conversation_id, None)

    def blocked_for(self, conversation_id: str) -> float:
        """Seconds this conversation must still wait after a 429 (0 when it may be sent to)."""
        until = self._blocked.get(conversation_id)
        if until is None:
            return 0.0
        left = until - self._clock()
        if left <= 0:
            self._blocked.pop(conversation_id, None)
            return 0.0
        return left

    def halt(self) -> None:
        """The sender is stopping: every wait ends now and nothing more is let through (until `resume`)."""
        self._halted.set()

    def resume(self) -> None:
        self._halted.clear()

    async def acquire(self, conversation_id: str) -> bool:
        """Wait until a message may go to this conversation: True then, False if halted meanwhile."""
        while not self._halted.is_set():
            async with self._lock:  # never held while sleeping: other conversations keep flowing
                conv = self._conversations[conversation_id]
                now = self._clock()
                wait = max(self._app.wait_time(now), conv.wait_time(now), self.blocked_for(conversation_id))
                if wait <= 0:
                    conv.stamps.append(now)
                    self._app.stamps.append(now)
                    self._acquired += 1
                    if self._acquired % 1000 == 0:
                        self._forget_idle(now)
                    return True
            await self._wait(wait)
        return False

    async def _wait(self, seconds: float) -> None:
        """Sleep, unless halted first (a wait of up to 30 s for a busy chat must not hold up stopping)."""
        sleeping = asyncio.ensure_future(self._sleep(seconds))
        halted = asyncio.ensure_future(self._halted.wait())
        try:
            await asyncio.wait((sleeping, halted), return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeping.cancel()
            halted.cancel()

    def _forget_idle(self, now: float) -> None:
        """Conversations with nothing sent in the longest window need no memory (bounded over months)."""
        longest = CONVERSATION_WINDOWS[-1][0]
        for key in [k for k, w in self._conversations.items() if not w.stamps or now - w.stamps[-1] >= longest]:
            del self._conversations[key]
