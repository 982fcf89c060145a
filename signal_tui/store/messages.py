"""Message reads: keyset pages, context, details, full-text search, mark read, export."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

from signal_tui.ids import split_address
from signal_tui.store import rows
from signal_tui.store.models import Edit, Message, MessageDetails, Receipt, SearchHit
from signal_tui.store.tx import Tx

_WORD = re.compile(r"\w+")
_SELECT = f"SELECT {rows.MESSAGE_COLS} FROM {rows.MESSAGE_FROM}"


def fts_query(text: str) -> str | None:
    """User text -> a safe FTS5 query: every word a quoted phrase, the last one a prefix.

    Quotes, operators (AND/OR/NOT/NEAR), parentheses and column filters in the input are plain
    text afterwards, so a query can never be a syntax error.
    """
    words = _WORD.findall(text or "")
    if not words:
        return None
    parts = [f'"{w}"' for w in words[:32]]
    parts[-1] += "*"
    return " ".join(parts)


def _page_before(conn, conv: int, cursor: tuple[int, int] | None, limit: int) -> list[Message]:
    limit = max(0, int(limit))
    if cursor is None:
        found = conn.execute(
            f"{_SELECT} WHERE m.conversation_id = ? ORDER BY m.sent_ts DESC, m.id DESC LIMIT ?",
            (conv, limit),
        ).fetchall()
    else:
        found = conn.execute(
            f"{_SELECT} WHERE m.conversation_id = ? AND (m.sent_ts, m.id) < (?, ?)"
            " ORDER BY m.sent_ts DESC, m.id DESC LIMIT ?",
            (conv, int(cursor[0]), int(cursor[1]), limit),
        ).fetchall()
    found.reverse()
    return rows.messages(conn, found)


def _page_after(conn, conv: int, cursor: tuple[int, int], limit: int) -> list[Message]:
    found = conn.execute(
        f"{_SELECT} WHERE m.conversation_id = ? AND (m.sent_ts, m.id) > (?, ?)"
        " ORDER BY m.sent_ts, m.id LIMIT ?",
        (conv, int(cursor[0]), int(cursor[1]), max(0, int(limit))),
    ).fetchall()
    return rows.messages(conn, found)


def get_messages(conn: sqlite3.Connection, ids: list[int]) -> list[Message]:
    """Messages by id, in the order given (missing ids are skipped)."""
    if not ids:
        return []
    found = {
        r[0]: r
        for r in conn.execute(
            f"{_SELECT} WHERE m.id IN ({','.join('?' * len(ids))})", ids
        ).fetchall()
    }
    return rows.messages(conn, [found[i] for i in ids if i in found])


def _one(conn: sqlite3.Connection, mid: int) -> Message | None:
    got = get_messages(conn, [mid])
    return got[0] if got else None


class MessagesMixin:
    _read: Callable[..., Any]
    _write: Callable[..., Any]
    _self_id: int
    account: str

    async def messages_before(
        self, conversation_id: int, cursor: tuple[int, int] | None = None, limit: int = 50
    ) -> list[Message]:
        """Up to `limit` messages older than `cursor` (None: the newest page), oldest first."""
        return await self._read(_page_before, conversation_id, cursor, limit)

    async def messages_after(
        self, conversation_id: int, cursor: tuple[int, int], limit: int = 50
    ) -> list[Message]:
        """Up to `limit` messages newer than `cursor`, oldest first."""
        return await self._read(_page_after, conversation_id, cursor, limit)

    async def message_context(
        self, message_id: int, *, before: int = 25, after: int = 25
    ) -> list[Message]:
        """The message with its neighbours (for jumping to a search hit), oldest first."""

        def run(conn: sqlite3.Connection) -> list[Message]:
            target = _one(conn, message_id)
            if target is None:
                return []
            return [
                *_page_before(conn, target.conversation_id, target.cursor, before),
                target,
                *_page_after(conn, target.conversation_id, target.cursor, after),
            ]

        return await self._read(run)

    async def get_message(self, message_id: int) -> Message | None:
        return await self._read(_one, message_id)

    async def find_message(
        self, conversation_id: int | None, author_address: str, sent_ts: int
    ) -> Message | None:
        """The message Signal knows as (author, sent timestamp)."""

        def run(conn: sqlite3.Connection) -> Message | None:
            if author_address in (self.account, "self"):
                author = self._self_id
            else:
                uuid, number = split_address(author_address)
                row = conn.execute(
                    "SELECT id FROM recipients WHERE uuid = ? OR number = ? OR username = ?"
                    " ORDER BY uuid IS NULL LIMIT 1",
                    (uuid, number, author_address),
                ).fetchone()
                if row is None:
                    return None
                author = row[0]
            sql = "SELECT id FROM messages WHERE author_id = ? AND sent_ts = ? AND sub = 0"
            args: list[Any] = [author, int(sent_ts)]
            if conversation_id is not None:
                sql += " AND conversation_id = ?"
                args.append(conversation_id)
            row = conn.execute(sql, args).fetchone()
            return _one(conn, row[0]) if row else None

        return await self._read(run)

    async def mention_names(self, messages_or_ids: Iterable[Message | int]) -> dict[int, str]:
        """Display names of the people mentioned in `messages` (or of these recipient ids), by
        recipient id, for store.mentions.with_mentions. Yourself is "You"."""
        ids: set[int] = set()
        for item in messages_or_ids:
            if isinstance(item, Message):
                ids.update(m.recipient_id for m in item.mentions if m.recipient_id is not None)
            else:
                ids.add(int(item))
        if not ids:
            return {}
        return await self._read(rows.mention_names, ids)

    async def message_details(self, message_id: int) -> MessageDetails:
        """Receipts per recipient, earlier versions (oldest first) and the raw envelope."""

        def run(conn: sqlite3.Connection) -> MessageDetails:
            message = _one(conn, message_id)
            if message is None:
                raise KeyError(message_id)
            receipts = tuple(
                Receipt(recipient_id=rid, name=rows.name_of(*who), status=status, ts=ts)
                for rid, status, ts, *who in conn.execute(
                    "SELECT x.recipient_id, x.status, x.ts, r.uuid, r.number, r.profile_name,"
                    " r.contact_name, r.nickname, r.username, r.is_self FROM receipts x"
                    " JOIN recipients r ON r.id = x.recipient_id WHERE x.message_id = ?"
                    " ORDER BY x.ts",
                    (message_id,),
                )
            )
            versions = conn.execute(
                "SELECT edit_ts, body FROM edits WHERE message_id = ? ORDER BY edit_ts",
                (message_id,),
            ).fetchall()
            edits = tuple(Edit(ts=ts, body=body or "") for ts, body in versions[:-1])
            raw = conn.execute(
                "SELECT json FROM raw_envelopes WHERE message_id = ?", (message_id,)
            ).fetchone()
            return MessageDetails(
                message=message,
                receipts=receipts,
                edits=edits,
                raw_envelope=raw[0] if raw else None,
            )

        return await self._read(run)

    async def search(
        self, query: str, *, conversation_id: int | None = None, limit: int = 50
    ) -> list[SearchHit]:
        """Full-text search, newest first, snippets with matches wrapped in \\x02 ... \\x03.

        "Newest" is arrival order (FTS rowid), which lets SQLite stop after `limit` hits instead
        of sorting every match; hits are then ordered by sent time.
        """
        words = fts_query(query)
        if words is None:
            return []
        match = f"body:({words})"
        if conversation_id is not None:
            match += f" AND conv_tok:c{int(conversation_id)}"

        def run(conn: sqlite3.Connection) -> list[SearchHit]:
            sql = (
                "SELECT m.id, m.conversation_id, m.sent_ts,"
                " snippet(messages_fts, 0, char(2), char(3), '…', 12),"
                " r.uuid, r.number, r.profile_name, r.contact_name, r.nickname, r.username,"
                " r.is_self FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid"
                " JOIN recipients r ON r.id = m.author_id WHERE messages_fts MATCH ?"
            )
            args: list[Any] = [match]
            sql += " ORDER BY messages_fts.rowid DESC LIMIT ?"
            args.append(max(0, int(limit)))
            try:
                found = conn.execute(sql, args).fetchall()
            except sqlite3.OperationalError:
                return []
            titles: dict[int, str] = {}
            hits = []
            for mid, cid, ts, snippet, *who in found:
                if cid not in titles:
                    row = conn.execute(
                        f"SELECT {rows.CONV_COLS} FROM {rows.CONV_FROM} WHERE c.id = ?", (cid,)
                    ).fetchone()
                    titles[cid] = rows.conversation(row).title if row else ""
                hits.append(
                    SearchHit(
                        message_id=mid,
                        conversation_id=cid,
                        conversation_title=titles[cid],
                        author_name=rows.name_of(*who),
                        sent_ts=ts,
                        snippet=snippet or "",
                    )
                )
            hits.sort(key=lambda h: (h.sent_ts, h.message_id), reverse=True)
            return hits

        return await self._read(run)

    async def mark_read(
        self, conversation_id: int, up_to: tuple[int, int] | None = None
    ) -> list[Message]:
        """Mark incoming messages read (all, or up to a cursor); returns those that became read."""

        def run(tx: Tx) -> list[Message]:
            ids = tx.mark_read(conversation_id, up_to)
            return get_messages(tx.conn, ids)

        return await self._write(run)

    async def unread_total(self) -> int:
        return await self._read(
            lambda c: c.execute("SELECT coalesce(sum(unread), 0) FROM conversations").fetchone()[0]
        )

    async def export_messages(self, conversation_id: int) -> AsyncIterator[Message]:
        """Every message of a conversation, oldest first, read in keyset pages."""
        cursor: tuple[int, int] = (-(2**62), -1)
        while True:
            page = await self._read(_page_after, conversation_id, cursor, 500)
            for message in page:
                yield message
            if len(page) < 500:
                return
            cursor = page[-1].cursor
