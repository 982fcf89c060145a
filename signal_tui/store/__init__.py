"""The local SQLite cache: `Store` (see /work/briefs/store_api.md for the contract)."""

from signal_tui.store.db import Store, StoreError, migrate
from signal_tui.store.schema import MIGRATIONS, SCHEMA_VERSION

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Store", "StoreError", "migrate"]
