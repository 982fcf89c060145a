"""Value coercion shared by the store and ingest (addresses: `signal_tui.ids`).

Envelopes are untrusted: any field may be missing, null or of the wrong type. These helpers turn a
value into what the store can key on, or None, and never raise.
"""

from __future__ import annotations

MAX_TS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z in ms
MAX_INT = 2**63 - 1


def as_ts(value: object) -> int | None:
    """A plausible ms timestamp (0 .. year 9999), or None for absurd or wrongly typed values."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    if 0 <= value <= MAX_TS:
        return value
    return None


def as_int(value: object, default: int = 0, *, lo: int = 0, hi: int = MAX_INT) -> int:
    """An int clamped into [lo, hi] (so SQLite never overflows), or `default`."""
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return min(max(value, lo), hi)


def as_opt_int(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT:
        return None
    return value


def as_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def as_dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list:
    return value if isinstance(value, list) else []
