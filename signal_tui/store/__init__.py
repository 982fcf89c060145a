"""The local SQLite cache: `Store` (aiosqlite, WAL, FTS5); knows no server and no UI."""

from signal_tui.store.db import CacheDamaged, Store, StoreError, migrate
from signal_tui.store.lock import CacheBusy
from signal_tui.store.schema import MIGRATIONS, SCHEMA_VERSION

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "CacheBusy",
    "CacheDamaged",
    "Store",
    "StoreError",
    "migrate",
]
