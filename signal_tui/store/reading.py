"""Where the user stopped reading: the first unread message of a conversation."""

from __future__ import annotations

import sqlite3


class ReadingMixin:
    """Part of Store: `_read` comes from Store."""

    async def first_unread(self, conversation_id: int) -> tuple[int, int] | None:
        """(message id, how many incoming messages are unread) for the oldest unread one, or None
        when everything is read (one indexed query: messages_unread)."""

        def run(conn: sqlite3.Connection) -> tuple[int, int] | None:
            row = conn.execute(
                "SELECT id, (SELECT count(*) FROM messages WHERE conversation_id = ?1 AND unread = 1)"
                " FROM messages WHERE conversation_id = ?1 AND unread = 1"
                " ORDER BY sent_ts, id LIMIT 1",
                (conversation_id,),
            ).fetchone()
            return (int(row[0]), int(row[1])) if row else None

        return await self._read(run)  # type: ignore[attr-defined,no-any-return]
