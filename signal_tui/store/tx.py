"""One write transaction: the synchronous primitives ingest and the Store's write methods use.

Everything here runs inside the database thread, inside `BEGIN IMMEDIATE ... COMMIT`, so a whole
batch costs one hop between the event loop and SQLite. Caches of (address -> id) are local to the
transaction until it commits; a rolled-back transaction (or savepoint) throws them away so no id
that never reached the disk is ever reused.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from signal_tui.ids import norm_number, norm_uuid
from signal_tui.store.actions import TxActions
from signal_tui.store.rows import load_extra, preview_text
from signal_tui.text import one_line

if TYPE_CHECKING:
    from signal_tui.store.db import Store

NAME_LIMIT = 200
_MERGE_TABLES = (
    ("messages", "author_id"),
    ("reactions", "reactor_id"),
    ("receipts", "recipient_id"),
    ("poll_votes", "voter_id"),
    ("group_members", "recipient_id"),
    ("pending", "target_author_id"),
    ("pending", "actor_id"),
    ("tombstones", "author_id"),
    ("side_items", "author_id"),
)


def now_ms() -> int:
    return int(time.time() * 1000)


def clean_name(value: object) -> str | None:
    """A profile/contact name as stored: one line, bounded; None for empty or non-text."""
    if not isinstance(value, str):
        return None
    text = one_line(value, NAME_LIMIT)
    return text or None


class Tx(TxActions):
    """State of one write transaction (see module doc)."""

    def __init__(self, store: Store, conn: sqlite3.Connection) -> None:
        self.store = store
        self.conn = conn
        self.self_id: int = store._self_id
        self.now = now_ms()
        self.changes: dict[int | None, set[str]] = defaultdict(set)
        self.new_message_ids: list[int] = []
        self.new_attachment_ids: list[int] = []
        self._local: dict[tuple, int] = {}
        if store._pending_keys is None:
            store._pending_keys = self._load_pending_keys()
        self.pending_keys: set[tuple[int, int]] = store._pending_keys
        # summary updates are coalesced per conversation and written once (flush_summaries)
        self._summary: dict[int, list] = {}
        self._raws: list[tuple[int, str]] = []  # raw envelopes, written in one executemany
        self.has_tombstones = bool(
            conn.execute("SELECT EXISTS (SELECT 1 FROM tombstones)").fetchone()[0]
        )

    # --- bookkeeping ----------------------------------------------------------------------
    def touch(self, conversation_id: int | None, *what: str) -> None:
        self.changes[conversation_id].update(what)

    def _cached(self, key: tuple) -> int | None:
        return self._local.get(key) or self.store._cache.get(key)

    def _load_pending_keys(self) -> set[tuple[int, int]]:
        return {
            (a, t) for a, t in self.conn.execute("SELECT target_author_id, target_ts FROM pending")
        }

    def forget_local(self) -> None:
        """After a savepoint rollback: ids created since may be gone."""
        self._local.clear()
        self._summary.clear()
        self._raws.clear()
        self.pending_keys = self.store._pending_keys = self._load_pending_keys()

    def clear_caches(self) -> None:
        self._local.clear()
        self.store._cache.clear()
        self.store._pending_keys = None

    def flush_summaries(self) -> None:
        """Write the coalesced summary updates and raw envelopes (before anything reads them)."""
        if self._raws:
            self.conn.executemany(
                "INSERT INTO raw_envelopes (message_id, json) VALUES (?, ?)", self._raws
            )
            self._raws.clear()
        if not self._summary:
            return
        self.conn.executemany(
            "UPDATE conversations SET unread = unread + ?,"
            " last_preview = CASE WHEN ? >= last_activity THEN ? ELSE last_preview END,"
            " last_message_id = CASE WHEN ? >= last_activity THEN ? ELSE last_message_id END,"
            " last_activity = max(last_activity, ?) WHERE id = ?",
            [(u, ts, pv, ts, mid, ts, conv) for conv, (u, ts, pv, mid) in self._summary.items()],
        )
        self._summary.clear()

    def commit_caches(self) -> None:
        if len(self.store._cache) > 50_000:
            self.store._cache.clear()
        self.store._cache.update(self._local)

    # --- recipients -----------------------------------------------------------------------
    def recipient_id(
        self,
        uuid: object = None,
        number: object = None,
        *,
        profile_name: object = None,
        create: bool = True,
    ) -> int | None:
        """Find (or create) the recipient for a uuid and/or number, merging as they become known.

        A number-only record is merged into the uuid record once an envelope shows both; a
        number that now belongs to a different uuid moves to it. Strangers are never merged.
        """
        u = norm_uuid(uuid) or norm_uuid(number)
        n = norm_number(number) or norm_number(uuid)
        if u is None and n is None:
            return None
        key = ("r", u, n, profile_name if isinstance(profile_name, str) else None)
        rid = self._cached(key)
        if rid is not None:
            return rid
        rid = self._resolve(u, n, create)
        if rid is None:
            return None
        name = clean_name(profile_name)
        if name is not None:
            cur = self.conn.execute(
                "UPDATE recipients SET profile_name = ? WHERE id = ? AND profile_name IS NOT ?",
                (name, rid, name),
            )
            if cur.rowcount:
                self.touch(None, "recipients")
        self._local[key] = rid
        return rid

    def _resolve(self, u: str | None, n: str | None, create: bool) -> int | None:
        c = self.conn
        ru = (
            c.execute("SELECT id, number FROM recipients WHERE uuid = ?", (u,)).fetchone()
            if u
            else None
        )
        rn = (
            c.execute("SELECT id, uuid FROM recipients WHERE number = ?", (n,)).fetchone()
            if n
            else None
        )
        me = self.self_id
        if me > 0:  # envelopes never re-number this account, nor give its number to others
            if ru and ru[0] == me:
                return me
            if rn and rn[0] == me:
                if not u:
                    return me
                if rn[1] is None:  # our own uuid, learned now (the account was set by number)
                    if ru:
                        self._merge(keep=me, drop=ru[0])
                    c.execute("UPDATE recipients SET uuid = ? WHERE id = ?", (u, me))
                    self.touch(None, "recipients")
                    return me
                if rn[1] != u:
                    rn, n = None, None  # a stranger claiming our number: known by uuid only
        if ru and rn and ru[0] != rn[0]:
            if rn[1] is None:
                self._merge(keep=ru[0], drop=rn[0])
            else:  # the number now belongs to another account: move it, merge nothing
                c.execute("UPDATE recipients SET number = NULL WHERE id = ?", (rn[0],))
            c.execute("UPDATE recipients SET number = ? WHERE id = ?", (n, ru[0]))
            self.touch(None, "recipients")
            return ru[0]
        if ru:
            if n and ru[1] != n:
                c.execute("UPDATE recipients SET number = ? WHERE id = ?", (n, ru[0]))
                self.touch(None, "recipients")
            return ru[0]
        if rn:
            if not u:
                return rn[0]
            if rn[1] is None:
                c.execute("UPDATE recipients SET uuid = ? WHERE id = ?", (u, rn[0]))
                self.touch(None, "recipients")
                return rn[0]
            c.execute("UPDATE recipients SET number = NULL WHERE id = ?", (rn[0],))
        if not create:
            return None
        cur = c.execute("INSERT INTO recipients (uuid, number) VALUES (?, ?)", (u, n))
        self.touch(None, "recipients")
        return cur.lastrowid

    def _merge(self, keep: int, drop: int) -> None:
        """Fold recipient `drop` (known by number only) into `keep` (same person, uuid known)."""
        self.flush_summaries()
        c = self.conn
        ck = c.execute("SELECT id FROM conversations WHERE recipient_id = ?", (keep,)).fetchone()
        cd = c.execute("SELECT id FROM conversations WHERE recipient_id = ?", (drop,)).fetchone()
        if cd and not ck:
            c.execute("UPDATE conversations SET recipient_id = ? WHERE id = ?", (keep, cd[0]))
            self.touch(cd[0], "conversation")
        elif cd and ck:
            c.execute(
                "UPDATE messages SET conversation_id = ? WHERE conversation_id = ?", (ck[0], cd[0])
            )
            c.execute(
                "UPDATE outbox SET conversation_id = ? WHERE conversation_id = ?", (ck[0], cd[0])
            )
            c.execute("DELETE FROM conversations WHERE id = ?", (cd[0],))
            self.touch(cd[0], "conversation")
        for table, col in _MERGE_TABLES:
            c.execute(f"UPDATE OR IGNORE {table} SET {col} = ? WHERE {col} = ?", (keep, drop))
            c.execute(f"DELETE FROM {table} WHERE {col} = ?", (drop,))
        c.execute(
            "UPDATE recipients SET"
            " profile_name = coalesce(profile_name, (SELECT profile_name FROM recipients WHERE id = :d)),"
            " contact_name = coalesce(contact_name, (SELECT contact_name FROM recipients WHERE id = :d)),"
            " nickname = coalesce(nickname, (SELECT nickname FROM recipients WHERE id = :d)),"
            " username = coalesce(username, (SELECT username FROM recipients WHERE id = :d)),"
            " blocked = max(blocked, (SELECT blocked FROM recipients WHERE id = :d))"
            " WHERE id = :k",
            {"d": drop, "k": keep},
        )
        c.execute("DELETE FROM recipients WHERE id = ?", (drop,))
        if ck:
            self.refresh_summary(ck[0])
            self.touch(ck[0], "messages", "conversation")
        self.clear_caches()

    # --- conversations --------------------------------------------------------------------
    def direct_conv(self, rid: int, *, create: bool = True) -> int | None:
        key = ("d", rid)
        cid = self._cached(key)
        if cid is not None:
            return cid
        row = self.conn.execute(
            "SELECT id FROM conversations WHERE recipient_id = ?", (rid,)
        ).fetchone()
        if row:
            cid = row[0]
        elif create:
            blocked = self.conn.execute(
                "SELECT blocked FROM recipients WHERE id = ?", (rid,)
            ).fetchone()
            cid = self.conn.execute(
                "INSERT INTO conversations (kind, recipient_id, blocked) VALUES ('direct', ?, ?)",
                (rid, blocked[0] if blocked else 0),
            ).lastrowid
            self.touch(cid, "conversation")
        else:
            return None
        self._local[key] = cid
        return cid

    def group_conv(self, group_id: str, name: object = None, *, create: bool = True) -> int | None:
        title = clean_name(name)
        key = ("g", group_id, title)
        cid = self._cached(key)
        if cid is not None:
            return cid
        row = self.conn.execute(
            "SELECT id, title FROM conversations WHERE group_id = ?", (group_id,)
        ).fetchone()
        if row:
            cid = row[0]
            if title and row[1] != title:
                self.conn.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, cid))
                self.touch(cid, "conversation")
        elif create:
            cid = self.conn.execute(
                "INSERT INTO conversations (kind, group_id, title) VALUES ('group', ?, ?)",
                (group_id, title or ""),
            ).lastrowid
            self.touch(cid, "conversation", "groups")
        else:
            return None
        self._local[key] = cid
        return cid

    def refresh_summary(self, cid: int) -> None:
        """Recompute one conversation's summary (after deletes, merges, edits of the last row)."""
        self.flush_summaries()
        c = self.conn
        row = c.execute(
            "SELECT id, kind, body, extra, sent_ts, deleted FROM messages WHERE conversation_id = ?"
            " ORDER BY sent_ts DESC, id DESC LIMIT 1",
            (cid,),
        ).fetchone()
        unread = c.execute(
            "SELECT count(*) FROM messages WHERE conversation_id = ? AND unread = 1", (cid,)
        ).fetchone()[0]
        if row is None:
            c.execute(
                "UPDATE conversations SET last_preview = '', last_message_id = NULL, unread = ?"
                " WHERE id = ?",
                (unread, cid),
            )
        else:
            n_att = c.execute(
                "SELECT count(*) FROM attachments WHERE message_id = ?", (row[0],)
            ).fetchone()[0]
            extra = load_extra(row[3])
            if row[5]:
                extra["deleted"] = True
            c.execute(
                "UPDATE conversations SET last_preview = ?, last_message_id = ?, unread = ?,"
                " last_activity = max(last_activity, ?) WHERE id = ?",
                (preview_text(row[1], row[2], extra, n_att), row[0], unread, row[4], cid),
            )
        self.touch(cid, "conversation")

    def refresh_if_last(self, cid: int, mid: int) -> None:
        self.flush_summaries()
        row = self.conn.execute(
            "SELECT last_message_id FROM conversations WHERE id = ?", (cid,)
        ).fetchone()
        if row and row[0] == mid:
            self.refresh_summary(cid)

    # --- messages -------------------------------------------------------------------------
    def insert_message(
        self,
        *,
        conv: int,
        author: int,
        sent_ts: int,
        kind: str = "text",
        body: str | None = None,
        outgoing: bool = False,
        status: str | None = None,
        unread: bool = False,
        expires_in: int = 0,
        expires_at: int | None = None,
        view_once: bool = False,
        extra: dict | None = None,
        sub: int = 0,
        raw: str | None = None,
        attachments: list[dict[str, Any]] | tuple = (),
        received_ts: int | None = None,
        outbox_id: int | None = None,
    ) -> int | None:
        """Insert a message unless (author, sent_ts, sub) exists; returns the new id or None."""
        c = self.conn
        if (
            self.has_tombstones
            and c.execute(
                "SELECT 1 FROM tombstones WHERE author_id = ? AND sent_ts = ?", (author, sent_ts)
            ).fetchone()
        ):
            return None
        extra_json = json.dumps(extra, ensure_ascii=False) if extra else None
        for _try in range(2):
            cur = c.execute(
                "INSERT OR IGNORE INTO messages (conversation_id, author_id, sent_ts, sub, received_ts,"
                " kind, body, outgoing, status, unread, expires_in, expires_at, view_once, extra,"
                " outbox_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    conv, author, sent_ts, sub, received_ts or self.now, kind, body, int(outgoing),
                    status, int(unread), expires_in, expires_at, int(view_once), extra_json, outbox_id,
                ),
            )  # fmt: skip
            if cur.rowcount:
                break
            # an own message from another device (or a sync copy) may carry the very stamp a
            # message still waiting here was given provisionally: that one moves, not this one
            if author != self.self_id or sub or not self.move_aside(sent_ts):
                return None
        else:  # pragma: no cover - move_aside frees the key
            return None
        mid = cur.lastrowid
        assert mid is not None
        if raw is not None:
            self._raws.append((mid, raw))
        for idx, att in enumerate(attachments):
            aid = c.execute(
                "INSERT INTO attachments (message_id, idx, remote_id, content_type, filename, size,"
                " width, height, caption, local_path, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    mid, idx, att.get("remote_id"), att.get("content_type") or "application/octet-stream",
                    att.get("filename") or "attachment", att.get("size"), att.get("width"),
                    att.get("height"), att.get("caption"), att.get("local_path"),
                    att.get("state") or "pending",
                ),
            ).lastrowid  # fmt: skip
            assert aid is not None
            self.new_attachment_ids.append(aid)
        entry = self._summary.get(conv)
        if entry is None:
            entry = self._summary[conv] = [0, -1, "", None]
        entry[0] += int(unread)
        if sent_ts >= entry[1]:
            entry[1:] = [sent_ts, preview_text(kind, body, extra, len(attachments)), mid]
        self.touch(conv, "messages", "conversation")
        self.new_message_ids.append(mid)
        if (author, sent_ts) in self.pending_keys:
            self.apply_pending(author, sent_ts, mid)
        return mid

    def find_target(self, author: int, sent_ts: int) -> tuple[int, int] | None:
        """(message id, conversation id) of the real message (author, sent_ts), if stored."""
        row = self.conn.execute(
            "SELECT id, conversation_id FROM messages WHERE author_id = ? AND sent_ts = ? AND sub = 0",
            (author, sent_ts),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def move_aside(self, sent_ts: int) -> bool:
        """If the own message keyed `sent_ts` still waits for its send (so the stamp is only
        provisional), give it the next free stamp and return True; a real message never moves."""
        hit = self.find_target(self.self_id, sent_ts)
        if (
            hit is None
            or not self.conn.execute(
                "SELECT 1 FROM outbox WHERE message_id = ? AND kind IN ('send', 'poll')"
                " AND state != 'sent' LIMIT 1",
                (hit[0],),
            ).fetchone()
        ):
            return False
        free = sent_ts + 1
        while self.find_target(self.self_id, free):
            free += 1
        self.conn.execute("UPDATE messages SET sent_ts = ? WHERE id = ?", (free, hit[0]))
        return True

    def act(
        self,
        kind: str,
        target_author: int,
        target_ts: int,
        actor: int,
        action_ts: int,
        payload: dict,
    ) -> bool:
        """Apply an action to its target now, or keep it pending until the target arrives."""
        hit = self.find_target(target_author, target_ts)
        if hit is None:
            self.conn.execute(
                "INSERT OR IGNORE INTO pending (target_author_id, target_ts, kind, actor_id,"
                " action_ts, payload) VALUES (?, ?, ?, ?, ?, ?)",
                (target_author, target_ts, kind, actor, action_ts, json.dumps(payload)),
            )
            self.pending_keys.add((target_author, target_ts))
            return False
        self.apply_action(kind, hit[0], hit[1], actor, action_ts, payload)
        return True

    def apply_pending(self, author: int, sent_ts: int, mid: int) -> None:
        self.pending_keys.discard((author, sent_ts))
        rows = self.conn.execute(
            "SELECT id, kind, actor_id, action_ts, payload FROM pending"
            " WHERE target_author_id = ? AND target_ts = ? ORDER BY action_ts, id",
            (author, sent_ts),
        ).fetchall()
        if not rows:
            return
        conv = self.conn.execute(
            "SELECT conversation_id FROM messages WHERE id = ?", (mid,)
        ).fetchone()[0]
        for pid, kind, actor, action_ts, payload in rows:
            self.apply_action(kind, mid, conv, actor, action_ts, load_extra(payload))
            self.conn.execute("DELETE FROM pending WHERE id = ?", (pid,))
