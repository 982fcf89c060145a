"""Actions applied to an existing message: edit, reaction, receipt, delete, vote, terminate, read.

Each is idempotent and order-independent where Signal allows it: a reaction only replaces an older
one (by its own timestamp), a receipt only raises the status, an edit is keyed by its timestamp
and the newest edit wins, a redelivered delete finds nothing left to delete.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict

from signal_tui.store.rows import load_extra

RECEIPT_RANK = {"delivered": 1, "read": 2, "viewed": 3}
STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "viewed": 4}
_RANK_SQL = "CASE {} WHEN 'delivered' THEN 1 WHEN 'read' THEN 2 WHEN 'viewed' THEN 3 ELSE 0 END"


class TxActions:
    conn: sqlite3.Connection
    now: int
    changes: defaultdict

    def touch(self, conversation_id: int | None, *what: str) -> None:  # pragma: no cover
        raise NotImplementedError

    def refresh_if_last(self, cid: int, mid: int) -> None:  # pragma: no cover
        raise NotImplementedError

    def flush_summaries(self) -> None:  # pragma: no cover
        raise NotImplementedError

    def apply_action(
        self, kind: str, mid: int, conv: int, actor: int, action_ts: int, payload: dict
    ) -> None:
        handler = getattr(self, f"_do_{kind}", None)
        if handler is not None:
            self.flush_summaries()
            handler(mid, conv, actor, action_ts, payload)

    def _do_edit(self, mid: int, conv: int, actor: int, ts: int, p: dict) -> None:
        c = self.conn
        row = c.execute(
            "SELECT author_id, sent_ts, body, extra, edited, deleted FROM messages WHERE id = ?",
            (mid,),
        ).fetchone()
        if row is None or row[5] or row[0] != actor:
            return
        ts = max(ts, row[1] + 1)  # an edit comes after the original, even in the same millisecond
        if not row[4]:  # keep the original as the first version
            c.execute(
                "INSERT OR IGNORE INTO edits (message_id, edit_ts, body, extra) VALUES (?, ?, ?, ?)",
                (mid, row[1], row[2], row[3]),
            )
        new_extra = {k: v for k, v in (p.get("extra") or {}).items() if k in ("mentions", "styles")}
        cur = c.execute(
            "INSERT OR IGNORE INTO edits (message_id, edit_ts, body, extra) VALUES (?, ?, ?, ?)",
            (mid, ts, p.get("body"), json.dumps(new_extra) if new_extra else None),
        )
        if not cur.rowcount:
            return
        latest = c.execute(
            "SELECT edit_ts FROM edits WHERE message_id = ? ORDER BY edit_ts DESC LIMIT 1", (mid,)
        ).fetchone()
        if latest[0] == ts:
            extra = load_extra(row[3])
            extra.pop("mentions", None)
            extra.pop("styles", None)
            extra.update(new_extra)
            c.execute(
                "UPDATE messages SET body = ?, extra = ?, edited = 1 WHERE id = ?",
                (p.get("body"), json.dumps(extra) if extra else None, mid),
            )
            self.refresh_if_last(conv, mid)
        else:
            c.execute("UPDATE messages SET edited = 1 WHERE id = ?", (mid,))
        self.touch(conv, "messages")

    def _do_reaction(self, mid: int, conv: int, actor: int, ts: int, p: dict) -> None:
        emoji = None if p.get("remove") else p.get("emoji")
        cur = self.conn.execute(
            "INSERT INTO reactions (message_id, reactor_id, emoji, ts) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (message_id, reactor_id) DO UPDATE SET emoji = excluded.emoji,"
            " ts = excluded.ts WHERE excluded.ts > reactions.ts",
            (mid, actor, emoji, ts),
        )
        if cur.rowcount:
            self.touch(conv, "reactions")

    def _do_receipt(self, mid: int, conv: int, actor: int, ts: int, p: dict) -> None:
        status = p.get("status")
        if status not in RECEIPT_RANK:
            return
        cur = self.conn.execute(
            "INSERT INTO receipts (message_id, recipient_id, status, ts) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (message_id, recipient_id) DO UPDATE SET status = excluded.status,"
            f" ts = excluded.ts WHERE {_RANK_SQL.format('excluded.status')}"
            f" > {_RANK_SQL.format('receipts.status')}",
            (mid, actor, status, ts),
        )
        if not cur.rowcount:
            return
        self.touch(conv, "receipts")
        rank = STATUS_RANK[status]
        self.conn.execute(
            "UPDATE messages SET status = ?, error = CASE WHEN status IN ('failed', 'unknown')"
            " THEN NULL ELSE error END WHERE id = ? AND outgoing = 1 AND CASE status"
            " WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 WHEN 'viewed' THEN 4"
            " ELSE 0 END < ?",
            (status, mid, rank),
        )
        self.touch(conv, "messages")

    def _do_delete(self, mid: int, conv: int, actor: int, ts: int, p: dict) -> None:
        c = self.conn
        cur = c.execute(
            "UPDATE messages SET deleted = 1, body = NULL, extra = NULL, unread = 0, edited = 0"
            " WHERE id = ? AND author_id = ? AND deleted = 0",
            (mid, actor),
        )
        if not cur.rowcount:
            return
        for table in ("edits", "reactions", "attachments", "poll_votes"):
            c.execute(f"DELETE FROM {table} WHERE message_id = ?", (mid,))
        c.execute(
            "UPDATE conversations SET unread = (SELECT count(*) FROM messages"
            " WHERE conversation_id = ? AND unread = 1) WHERE id = ?",
            (conv, conv),
        )
        self.refresh_if_last(conv, mid)
        self.touch(conv, "messages", "conversation")

    def _do_vote(self, mid: int, conv: int, actor: int, ts: int, p: dict) -> None:
        row = self.conn.execute("SELECT extra FROM messages WHERE id = ?", (mid,)).fetchone()
        poll = load_extra(row[0] if row else None).get("poll")
        if not isinstance(poll, dict) or poll.get("closed"):
            return
        count = p.get("count") if isinstance(p.get("count"), int) else 0
        options = [i for i in p.get("options", []) if isinstance(i, int)]
        cur = self.conn.execute(
            "INSERT INTO poll_votes (message_id, voter_id, options, vote_count) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (message_id, voter_id) DO UPDATE SET options = excluded.options,"
            " vote_count = excluded.vote_count WHERE excluded.vote_count > poll_votes.vote_count",
            (mid, actor, json.dumps(options), count),
        )
        if cur.rowcount:
            self.touch(conv, "messages")

    def _do_terminate(self, mid: int, conv: int, actor: int, ts: int, p: dict) -> None:
        row = self.conn.execute(
            "SELECT extra, author_id FROM messages WHERE id = ?", (mid,)
        ).fetchone()
        extra = load_extra(row[0] if row else None)
        poll = extra.get("poll")
        if not isinstance(poll, dict) or poll.get("closed") or row[1] != actor:
            return
        poll["closed"] = True
        self.conn.execute("UPDATE messages SET extra = ? WHERE id = ?", (json.dumps(extra), mid))
        self.touch(conv, "messages")

    def _do_read(self, mid: int, conv: int, actor: int, ts: int, p: dict) -> None:
        row = self.conn.execute("SELECT sent_ts FROM messages WHERE id = ?", (mid,)).fetchone()
        if row:
            self.mark_read(conv, (row[0], mid))

    def mark_read(self, conv: int, up_to: tuple[int, int] | None) -> list[int]:
        """Mark incoming messages read up to a cursor; start their disappearing timers."""
        self.flush_summaries()
        c = self.conn
        if up_to is None:
            ids = [
                r[0]
                for r in c.execute(
                    "SELECT id FROM messages WHERE conversation_id = ? AND unread = 1", (conv,)
                )
            ]
        else:
            ids = [
                r[0]
                for r in c.execute(
                    "SELECT id FROM messages WHERE conversation_id = ? AND unread = 1"
                    " AND (sent_ts, id) <= (?, ?)",
                    (conv, int(up_to[0]), int(up_to[1])),
                )
            ]
        if not ids:
            return []
        c.executemany(
            "UPDATE messages SET unread = 0, expires_at = CASE WHEN expires_in > 0"
            " THEN ? + expires_in * 1000 ELSE expires_at END WHERE id = ?",
            [(self.now, i) for i in ids],
        )
        c.execute(
            "UPDATE conversations SET unread = (SELECT count(*) FROM messages"
            " WHERE conversation_id = ? AND unread = 1) WHERE id = ?",
            (conv, conv),
        )
        self.touch(conv, "read", "conversation")
        return ids
