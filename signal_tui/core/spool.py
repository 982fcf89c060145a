"""The receive spool: envelopes fetched but not yet stored (the cache could not take them).

Signal hands out each message once, so what the receiver fetched exists nowhere else. When the
cache refuses a batch (disk full, database locked, a bug in ingest), the batch is appended here,
one JSON line per item, and fsync'd before the receiver is told it is safe; it is ingested (and
the spool emptied) as soon as the cache works again. A torn last line (a crash mid-write) is
skipped; ingest is idempotent, so an item stored and spooled twice is stored once.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any


class Spool:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def __len__(self) -> int:
        return len(self.read())

    def has_items(self) -> bool:
        try:
            return self.path.stat().st_size > 0
        except OSError:
            return False

    def append(self, items: list[dict[str, Any]]) -> None:
        """Write and fsync; raises OSError when even this fails (then nothing is claimed safe)."""
        if not items:
            return
        data = "".join(json.dumps(i, ensure_ascii=False, default=str) + "\n" for i in items)
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, data.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(self) -> list[dict[str, Any]]:
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
        items = []
        for line in text.splitlines():
            with contextlib.suppress(ValueError):
                item = json.loads(line)
                if isinstance(item, dict):
                    items.append(item)
        return items

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            fd = os.open(self.path, os.O_WRONLY | os.O_TRUNC)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
