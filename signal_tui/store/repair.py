"""A damaged cache: find out, keep the file aside (never delete it), start over or rebuild.

The cache keeps every received envelope's raw JSON (`raw_envelopes`, `side_items`), so a cache
whose tables are damaged can often be rebuilt: read what rows still read from the damaged copy
and ingest them into a fresh cache. Messages this client sent itself have no envelope unless a
linked device synced them back; the report says how many rows were recovered.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

DAMAGE_HINT = (
    "Nothing was changed. `signal-tui doctor --rebuild` keeps the damaged file aside and "
    "rebuilds the cache from the messages it still holds; `signal-tui doctor --reset` keeps it "
    "aside and starts an empty cache."
)


@dataclass(frozen=True)
class Report:
    ok: bool
    problems: tuple[str, ...]  # integrity_check lines (or why the file cannot be opened)


@dataclass(frozen=True)
class Rebuilt:
    kept_at: Path  # where the damaged file now is
    read: int  # raw envelopes read back from it
    unreadable: bool  # the scan stopped early at a damaged page


def check(path: Path) -> Report:
    """`PRAGMA integrity_check` on the cache (read-only); a missing file is fine (empty)."""
    if not path.exists():
        return Report(True, ())
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(20)")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return Report(False, (str(exc),))
    problems = tuple(r for r in rows if r != "ok")
    return Report(not problems, problems)


def move_aside(path: Path) -> Path:
    """Rename the cache (and its -wal/-shm) to `<name>.damaged-<time>`; returns the new path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{path}{suffix}")
        if part.exists():
            part.rename(Path(f"{target}{suffix}"))
    return target


def read_envelopes(path: Path) -> tuple[list[dict], bool]:
    """Receive items still readable in a (damaged) cache, oldest first; and whether the scan
    stopped early. Rows that are not JSON objects are skipped."""
    items: list[dict] = []
    stopped = False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.DatabaseError:
        return items, True
    try:
        for sql in (
            "SELECT json FROM raw_envelopes ORDER BY message_id",
            "SELECT json FROM side_items ORDER BY id",
        ):
            try:
                for (text,) in conn.execute(sql):
                    try:
                        item = json.loads(text)
                    except (TypeError, ValueError):
                        continue
                    if isinstance(item, dict):
                        items.append(item)
            except sqlite3.DatabaseError:
                stopped = True  # a damaged page: keep what was read before it
    finally:
        conn.close()
    return items, stopped
