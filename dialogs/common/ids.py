"""Ids carried in a card's data (a referral's version, a locality, a FAQ query): whatever a forged or stale
card sends, only a whole number the database could hold gets through; anything else is a refusal, never a
database error (99999999999999999999 overflows a PostgreSQL integer and SQLite's)."""
from __future__ import annotations

MAX_ID = 2 ** 31 - 1  # PostgreSQL `integer`


def card_id(raw) -> int | None:
    """A positive id from card data: an int (not a bool) or a string of digits, 1..2^31-1; else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        raw = raw.strip()
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 10:
            return None
        raw = int(raw)
    if not isinstance(raw, int):
        return None
    return raw if 0 < raw <= MAX_ID else None
