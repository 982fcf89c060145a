"""Unsent drafts, one per conversation (what the composer held when the user left the chat)."""

from __future__ import annotations

import sqlite3
import time

from signal_tui.store.tx import Tx


class DraftsMixin:
    """Part of Store: `_read`/`_write` come from Store."""

    async def save_draft(self, conversation_id: int, body: str) -> None:
        """Keep `body` as the conversation's draft; an empty or blank body removes it."""

        def run(tx: Tx) -> None:
            if body.strip():
                tx.conn.execute(
                    "INSERT INTO drafts (conversation_id, body, updated_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (conversation_id) DO UPDATE SET body = excluded.body, "
                    "updated_at = excluded.updated_at",
                    (conversation_id, body, int(time.time() * 1000)),
                )
            else:
                tx.conn.execute("DELETE FROM drafts WHERE conversation_id = ?", (conversation_id,))

        await self._write(run)  # type: ignore[attr-defined]

    async def get_draft(self, conversation_id: int) -> str:
        def run(conn: sqlite3.Connection) -> str:
            row = conn.execute(
                "SELECT body FROM drafts WHERE conversation_id = ?", (conversation_id,)
            ).fetchone()
            return str(row[0]) if row else ""

        return await self._read(run)  # type: ignore[attr-defined,no-any-return]

    async def drafts(self) -> dict[int, str]:
        """conversation id -> draft, for every chat that has one (the list shows them)."""

        def run(conn: sqlite3.Connection) -> dict[int, str]:
            rows = conn.execute("SELECT conversation_id, body FROM drafts")
            return {int(cid): str(body) for cid, body in rows}

        return await self._read(run)  # type: ignore[attr-defined,no-any-return]
