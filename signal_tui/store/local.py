"""Optimistic own actions (reaction, edit, delete, vote), local deletes, attachment state."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from signal_tui.store import rows
from signal_tui.store.models import Attachment
from signal_tui.store.tx import Tx

T = TypeVar("T")


class LocalMixin:
    if TYPE_CHECKING:  # provided by store.db.Store

        async def _read(self, fn: Callable[..., T], *args: Any) -> T: ...

        async def _write(self, fn: Callable[..., T], *args: Any) -> T: ...

    # --- optimistic own actions -----------------------------------------------------------
    async def _own_action(self, kind: str, message_id: int, payload: dict[str, Any]) -> None:
        def run(tx: Tx) -> None:
            row = tx.conn.execute(
                "SELECT conversation_id FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            if row:
                tx.apply_action(kind, message_id, row[0], tx.self_id, tx.now, payload)

        await self._write(run)

    async def apply_local_reaction(
        self, message_id: int, emoji: str, *, remove: bool = False
    ) -> None:
        await self._own_action("reaction", message_id, {"emoji": emoji, "remove": remove})

    async def apply_local_edit(self, message_id: int, body: str) -> None:
        """Own edit (only own messages can be edited; others are left unchanged)."""
        await self._own_action("edit", message_id, {"body": body})

    async def apply_local_delete(self, message_id: int) -> None:
        """Own delete for everyone (only own messages)."""
        await self._own_action("delete", message_id, {})

    async def apply_local_vote(self, message_id: int, option_indexes: Sequence[int]) -> None:
        """Own poll vote (replaces my earlier vote: the vote count goes up by one)."""

        def run(tx: Tx) -> None:
            row = tx.conn.execute(
                "SELECT m.conversation_id, coalesce(v.vote_count, 0) FROM messages m"
                " LEFT JOIN poll_votes v ON v.message_id = m.id AND v.voter_id = ?"
                " WHERE m.id = ?",
                (tx.self_id, message_id),
            ).fetchone()
            if row:
                payload = {"options": [int(i) for i in option_indexes], "count": row[1] + 1}
                tx.apply_action("vote", message_id, row[0], tx.self_id, tx.now, payload)

        await self._write(run)

    async def next_expiry(self) -> int | None:
        """When the next disappearing message is due (ms since epoch), or None."""

        def run(conn: sqlite3.Connection) -> int | None:
            row = conn.execute(
                "SELECT min(expires_at) FROM messages WHERE expires_at IS NOT NULL"
            ).fetchone()
            return int(row[0]) if row and row[0] is not None else None

        return await self._read(run)

    async def delete_expired(self, now_ms: int) -> int:
        """Remove disappearing messages whose timer ran out; returns how many."""

        def run(tx: Tx) -> int:
            found = tx.conn.execute(
                "SELECT id, conversation_id FROM messages WHERE expires_at IS NOT NULL"
                " AND expires_at <= ?",
                (int(now_ms),),
            ).fetchall()
            tx.conn.executemany("DELETE FROM messages WHERE id = ?", [(m,) for m, _ in found])
            for cid in {c for _, c in found}:
                tx.refresh_summary(cid)
                tx.touch(cid, "messages")
            return len(found)

        return await self._write(run)

    async def delete_for_me(self, message_id: int) -> None:
        """Remove locally; a tombstone stops a redelivery from bringing it back."""

        def run(tx: Tx) -> None:
            row = tx.conn.execute(
                "SELECT conversation_id, author_id, sent_ts, sub FROM messages WHERE id = ?",
                (message_id,),
            ).fetchone()
            if row is None:
                return
            if row[3] == 0:
                tx.conn.execute(
                    "INSERT OR IGNORE INTO tombstones (author_id, sent_ts) VALUES (?, ?)",
                    (row[1], row[2]),
                )
            tx.conn.execute("DELETE FROM messages WHERE id = ?", (message_id,))
            tx.refresh_summary(row[0])
            tx.touch(row[0], "messages", "conversation")

        await self._write(run)

    # --- attachments ----------------------------------------------------------------------
    async def set_attachment_state(
        self,
        attachment_id: int,
        state: str,
        *,
        local_path: str | Path | None = None,
        thumbnail_path: str | Path | None = None,
    ) -> None:
        def run(tx: Tx) -> None:
            tx.conn.execute(
                "UPDATE attachments SET state = ?, local_path = coalesce(?, local_path),"
                " thumbnail_path = coalesce(?, thumbnail_path) WHERE id = ?",
                (state, None if local_path is None else str(local_path),
                 None if thumbnail_path is None else str(thumbnail_path), attachment_id),
            )  # fmt: skip
            row = tx.conn.execute(
                "SELECT m.conversation_id FROM attachments a JOIN messages m ON m.id = a.message_id"
                " WHERE a.id = ?",
                (attachment_id,),
            ).fetchone()
            tx.touch(row[0] if row else None, "attachments")

        await self._write(run)

    async def get_attachment(self, attachment_id: int) -> Attachment | None:
        def run(conn: sqlite3.Connection) -> Attachment | None:
            row = conn.execute(
                f"SELECT {rows.ATTACHMENT_COLS} FROM attachments WHERE id = ?", (attachment_id,)
            ).fetchone()
            return rows.attachment(row) if row else None

        return await self._read(run)

    async def attachments_in_state(self, states: Iterable[str] = ("pending",)) -> list[Attachment]:
        """E.g. downloads to resume after a restart."""
        wanted = list(states)

        def run(conn: sqlite3.Connection) -> list[Attachment]:
            return [
                rows.attachment(r)
                for r in conn.execute(
                    f"SELECT {rows.ATTACHMENT_COLS} FROM attachments"
                    f" WHERE state IN ({','.join('?' * len(wanted))}) ORDER BY id",
                    wanted,
                )
            ]

        return await self._read(run)
