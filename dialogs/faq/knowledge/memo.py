"""What one question needs more than once, worked out once while it is answered (Matcher.answer opens the scope).

Kept for one question, never across questions: a cache keyed by whole texts would flatter a benchmark that asks the
same questions again, and would keep what people typed (children's names) in memory after the answer.
"""
from __future__ import annotations

from contextvars import ContextVar
from functools import wraps
from typing import Any, Callable, TypeVar

_MEMO: ContextVar[dict | None] = ContextVar("faq_question_memo", default=None)

T = TypeVar("T")


def begin() -> Any:
    """Open one question's memo; pass the result to end()."""
    return _MEMO.set({})


def end(token: Any) -> None:
    _MEMO.reset(token)


def current() -> dict | None:
    """The memo of the question being answered (None outside an answer: then nothing is kept)."""
    return _MEMO.get()


def per_question(function: Callable[..., T]) -> Callable[..., T]:
    """`function` (of hashable arguments) called once per question for the same arguments."""
    @wraps(function)
    def wrapper(*args: Any) -> T:
        memo = _MEMO.get()
        if memo is None:
            return function(*args)
        key = (function, args)
        if key in memo:
            return memo[key]
        value = memo[key] = function(*args)
        return value
    return wrapper
