"""The Store: one aiosqlite connection, migrations, the write path and change notices.

Why one connection: aiosqlite runs every call on one worker thread, so writes are serialised by
construction (the asyncio lock below only keeps the intent explicit). Every public method runs
as ONE synchronous function on that thread (`_read`/`_write`), so a page of messages or a whole
ingest batch costs one hop between the event loop and SQLite instead of one per statement.
That uses aiosqlite's `_execute`, which is private; it is wrapped here and nowhere else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from signal_tui.files import private_dir
from signal_tui.store.conversations import ConversationsMixin
from signal_tui.store.drafts import DraftsMixin
from signal_tui.store.ingest import Ingestor
from signal_tui.store.local import LocalMixin
from signal_tui.store.lock import CacheLock
from signal_tui.store.messages import MessagesMixin
from signal_tui.store.models import Change, IngestResult
from signal_tui.store.outbox import OutboxMixin
from signal_tui.store.reading import ReadingMixin
from signal_tui.store.repair import DAMAGE_HINT
from signal_tui.store.schema import MIGRATIONS
from signal_tui.store.tx import Tx

log = logging.getLogger(__name__)
T = TypeVar("T")


class StoreError(Exception):
    """The database cannot be used (newer schema, corrupt file)."""


class CacheDamaged(StoreError):
    """The cache file is not a readable SQLite database (truncated, overwritten)."""


def _is_damage(exc: BaseException) -> bool:
    """A damaged file, as opposed to a busy one (OperationalError: locked, I/O, full disk)."""
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)


def migrate(conn: sqlite3.Connection, migrations: list[str] = MIGRATIONS) -> int:
    """Bring the schema to len(migrations); each step is its own transaction. Returns the version."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(migrations):
        raise StoreError(
            f"the cache was written by a newer signal-tui (schema {version} > {len(migrations)})"
        )
    for index in range(version, len(migrations)):
        try:
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{migrations[index]}\nPRAGMA user_version = {index + 1};\nCOMMIT;"
            )
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return len(migrations)


class Store(ConversationsMixin, MessagesMixin, OutboxMixin, LocalMixin, DraftsMixin, ReadingMixin):
    """The local cache: reads return frozen models (store/models.py), writes notify subscribers."""

    def __init__(
        self, db: aiosqlite.Connection, path: Path, account: str, account_uuid: str | None
    ):
        self._db = db
        self.path = path
        self.account = account
        self.account_uuid = account_uuid
        self._self_id = 0
        self._cache: dict[tuple, int] = {}
        self._pending_keys: set[tuple[int, int]] | None = None  # targets waiting in `pending`
        # conversation list cache: rows re-read only for conversations a write touched
        self._conv_cache: dict[int, Any] | None = None
        self._conv_dirty: set[int] = set()
        self._lock = asyncio.Lock()
        self._subscribers: list[Callable[[list[Change]], None]] = []
        self._closed = False
        self._ingestor = Ingestor(self)
        self._lock_file: CacheLock | None = None

    # --- lifecycle ------------------------------------------------------------------------
    @classmethod
    async def open(
        cls, path: Path, *, account: str, account_uuid: str | None = None, owner: bool = True
    ) -> Store:
        """Open (creating) the cache. `owner`: this process writes it, so it takes the cache's
        lock (store/lock.py; CacheBusy names the other owner). Read-only tools pass False."""
        path = Path(path)
        private_dir(path.parent)
        lock = CacheLock(path) if owner else None
        if lock is not None:
            lock.acquire()
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        os.chmod(path, 0o600)
        try:
            db = await aiosqlite.connect(str(path), isolation_level=None)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        store = cls(db, path, account, account_uuid)
        store._lock_file = lock
        try:
            await store._read(store._setup)
        except BaseException as exc:
            await db.close()
            if lock is not None:
                lock.release()
            if _is_damage(exc):
                raise CacheDamaged(f"The cache {path} is damaged ({exc}). {DAMAGE_HINT}") from exc
            raise
        return store

    def _setup(self, conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -32000")
        conn.execute("PRAGMA mmap_size = 268435456")
        # checkpoint every ~32 MB of WAL instead of 4 MB (ingest +15-20 % measured), and
        # truncate the WAL file back to 64 MB after a checkpoint
        conn.execute("PRAGMA wal_autocheckpoint = 8000")
        conn.execute("PRAGMA journal_size_limit = 67108864")
        migrate(conn)
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._self_id = -1
            tx = Tx(self, conn)
            rid = tx.recipient_id(self.account_uuid, self.account)
            if rid is None:  # an account that is neither number nor uuid (tests, odd setups)
                row = conn.execute("SELECT id FROM recipients WHERE is_self = 1").fetchone()
                rid = (
                    row[0]
                    if row
                    else conn.execute(
                        "INSERT INTO recipients (username) VALUES (?)", (self.account,)
                    ).lastrowid
                )
            conn.execute("UPDATE recipients SET is_self = 0 WHERE is_self = 1 AND id != ?", (rid,))
            conn.execute("UPDATE recipients SET is_self = 1 WHERE id = ?", (rid,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        self._self_id = rid
        for path in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
            if path.exists():
                os.chmod(path, 0o600)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        acquired = False
        with contextlib.suppress(TimeoutError):  # a stuck write must not keep the file open
            acquired = await asyncio.wait_for(self._lock.acquire(), 5)
        try:
            try:
                # bounded: analysis_limit keeps optimize to milliseconds even on a large cache
                await self._read(
                    lambda c: c.executescript("PRAGMA analysis_limit = 400; PRAGMA optimize;")
                )
            except Exception:  # pragma: no cover - closing must not fail
                log.debug("optimize failed", exc_info=True)
            await self._db.close()
        finally:
            if acquired:
                self._lock.release()
            if self._lock_file is not None:
                self._lock_file.release()

    # --- plumbing -------------------------------------------------------------------------
    async def _read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run fn(conn, *args) on the database thread."""
        return await self._db._execute(fn, self._db._conn, *args)

    async def _write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run fn(tx, *args) in one IMMEDIATE transaction; notify subscribers after commit."""

        def run(conn: sqlite3.Connection) -> tuple[T, Tx]:
            conn.execute("BEGIN IMMEDIATE")
            tx = Tx(self, conn)
            try:
                result = fn(tx, *args)
                tx.flush_summaries()
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                tx.clear_caches()
                raise
            tx.commit_caches()
            return result, tx

        async with self._lock:
            result, tx = await self._read(run)
        self._notify(tx)
        return result

    def subscribe(self, callback: Callable[[list[Change]], None]) -> Callable[[], None]:
        """Call `callback(changes)` after every commit that changed something."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

        return unsubscribe

    def _notify(self, tx: Tx) -> None:
        changes = [Change(cid, frozenset(what)) for cid, what in tx.changes.items() if what]
        if not changes:
            return
        if None in tx.changes:  # names or many conversations changed: reload the list
            self._conv_cache = None
            self._conv_dirty.clear()
        else:
            self._conv_dirty.update(cid for cid in tx.changes if cid is not None)
        for callback in list(self._subscribers):
            try:
                callback(changes)
            except Exception:
                log.exception("store subscriber failed")

    async def stats(self) -> dict:
        def run(conn: sqlite3.Connection) -> dict:
            one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
            outbox = dict(conn.execute("SELECT state, count(*) FROM outbox GROUP BY state"))
            pages = one("PRAGMA page_count") * one("PRAGMA page_size")
            return {
                "conversations": one("SELECT count(*) FROM conversations"),
                "messages": one("SELECT count(*) FROM messages"),
                "unread": one("SELECT coalesce(sum(unread), 0) FROM conversations"),
                "outbox": outbox,
                "attachments": one("SELECT count(*) FROM attachments"),
                "recipients": one("SELECT count(*) FROM recipients"),
                "pending": one("SELECT count(*) FROM pending"),
                "db_bytes": pages,
            }

        return await self._read(run)

    async def ingest_batch(self, items: list[dict]) -> IngestResult:
        """Ingest raw receive items (`{"envelope": ..., "account": ...}`) in one transaction
        (see store/ingest.py); bad items are counted, never raised."""
        return await self._ingestor.ingest_batch(items)
