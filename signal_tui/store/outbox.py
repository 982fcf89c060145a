"""Own messages and the durable outbox (queued -> sending -> sent | failed | unknown)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from signal_tui.files import safe_filename
from signal_tui.ids import split_address
from signal_tui.store import rows
from signal_tui.store.messages import get_messages
from signal_tui.store.models import Message, OutboxItem
from signal_tui.store.tx import Tx

T = TypeVar("T")
_OUTBOX_STATES = {"queued", "sending", "sent", "failed", "unknown"}
# rows.OUTBOX_COLS plus the failure details (schema V4), always the last column
_COLS = f"{rows.OUTBOX_COLS}, details"


def _item(row: Sequence[Any]) -> OutboxItem:
    return replace(rows.outbox_item(row[:-1]), details=_load_details(row[-1]))


def _load_details(text: str | None) -> dict[str, Any] | None:
    return rows.load_extra(text) or None


def _dump_details(details: dict[str, Any] | None) -> str | None:
    return json.dumps(details) if details else None


def _outbox(conn: sqlite3.Connection, oid: int) -> OutboxItem | None:
    row = conn.execute(f"SELECT {_COLS} FROM outbox WHERE id = ?", (oid,)).fetchone()
    return _item(row) if row else None


def _address(conn: sqlite3.Connection, rid: int | None, account: str) -> str | None:
    if rid is None:
        return None
    row = conn.execute(
        "SELECT uuid, number, username, is_self FROM recipients WHERE id = ?", (rid,)
    ).fetchone()
    if row is None:
        return None
    return account if row[3] else (row[0] or row[1] or row[2])


class OutboxMixin:
    if TYPE_CHECKING:  # provided by store.db.Store

        async def _read(self, fn: Callable[..., T], *args: Any) -> T: ...

        async def _write(self, fn: Callable[..., T], *args: Any) -> T: ...

    _self_id: int
    account: str

    async def add_outgoing(
        self,
        conversation_id: int,
        body: str,
        *,
        recipients: Sequence[str],
        attachments: Iterable[tuple[Path, str, int]] = (),
        quote: Message | None = None,
        mentions: Iterable[tuple[int, int, str]] = (),
        kind: str = "send",
        payload: dict[str, Any] | None = None,
        poll: tuple[str, Sequence[str], bool] | None = None,
        sticker: str | None = None,
    ) -> tuple[Message, OutboxItem]:
        """Store an own message (status 'queued', provisional timestamp) and its outbox row.
        `poll` (question, answers, allow multiple) makes it a poll, shown as received ones are."""
        atts = [(str(p), str(ct), int(size)) for p, ct, size in attachments]
        ments = [(int(s), int(n), str(a)) for s, n, a in mentions]

        def run(tx: Tx) -> tuple[Message, OutboxItem]:
            c = tx.conn
            sent_ts = tx.now
            while tx.find_target(tx.self_id, sent_ts):
                sent_ts += 1
            extra: dict[str, Any] = {}
            full_payload = dict(payload or {})
            if quote is not None:
                extra["quote"] = {
                    "ts": quote.sent_ts,
                    "author_id": quote.author_id,
                    "author_name": quote.author_name,
                    "text": (quote.body or "")[:2000],
                }
                full_payload.setdefault(
                    "quote",
                    {
                        "timestamp": quote.sent_ts,
                        "author": _address(c, quote.author_id, self.account),
                        "message": quote.body or "",
                    },
                )
            if ments:
                listed = []
                for start, length, address in ments:
                    rid = tx.recipient_id(*split_address(address), create=False)
                    listed.append([start, length, rid, address])
                extra["mentions"] = listed
                full_payload.setdefault("mentions", [list(m) for m in ments])
            if atts:
                full_payload.setdefault("attachments", [list(a) for a in atts])
            if sticker is not None:
                extra["sticker"] = sticker
                full_payload.setdefault("sticker", sticker)
            if poll is not None:
                question, answers, multi = poll
                extra["poll"] = {
                    "q": question,
                    "opts": list(answers),
                    "multi": multi,
                    "closed": False,
                }
            expiry = c.execute(
                "SELECT expiry_seconds FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if expiry is None:
                raise KeyError(f"no conversation {conversation_id}")
            oid = c.execute(
                "INSERT INTO outbox (kind, conversation_id, recipients, body, payload, state,"
                " created_at) VALUES (?, ?, ?, ?, ?, 'queued', ?)",
                (kind, conversation_id, json.dumps(list(recipients)), body,
                 json.dumps(full_payload), tx.now),
            ).lastrowid  # fmt: skip
            mid = tx.insert_message(
                conv=conversation_id,
                author=tx.self_id,
                sent_ts=sent_ts,
                body=body or None,
                outgoing=True,
                status="queued",
                expires_in=expiry[0],
                extra=extra,
                attachments=[
                    {
                        "content_type": ct,
                        "filename": safe_filename(Path(p).name),
                        "size": size,
                        "local_path": p,
                        "state": "local",
                    }
                    for p, ct, size in atts
                ],
                outbox_id=oid,
            )
            assert mid is not None
            c.execute("UPDATE outbox SET message_id = ? WHERE id = ?", (mid, oid))
            tx.touch(conversation_id, "outbox")
            item = _outbox(c, oid)
            assert item is not None
            return get_messages(c, [mid])[0], item

        return await self._write(run)

    async def outbox_add(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        conversation_id: int | None = None,
        message_id: int | None = None,
    ) -> OutboxItem:
        """Queue a non-message action (reaction, edit, delete, receipt...)."""

        def run(tx: Tx) -> OutboxItem:
            recipients = payload.get("recipients", [])
            oid = tx.conn.execute(
                "INSERT INTO outbox (kind, conversation_id, message_id, recipients, body, payload,"
                " state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)",
                (kind, conversation_id, message_id, json.dumps(recipients),
                 str(payload.get("body", "")), json.dumps(payload), tx.now),
            ).lastrowid  # fmt: skip
            tx.touch(conversation_id, "outbox")
            item = _outbox(tx.conn, oid)
            assert item is not None
            return item

        return await self._write(run)

    async def outbox_next(self, now_ms: int) -> OutboxItem | None:
        """The oldest queued item that may run now."""

        def run(conn: sqlite3.Connection) -> OutboxItem | None:
            row = conn.execute(
                f"SELECT {_COLS} FROM outbox WHERE state = 'queued' AND not_before <= ?"
                " ORDER BY id LIMIT 1",
                (int(now_ms),),
            ).fetchone()
            return _item(row) if row else None

        return await self._read(run)

    async def outbox_set(
        self,
        outbox_id: int,
        state: str,
        *,
        error: str | None = None,
        not_before: int | None = None,
        attempts_inc: bool = False,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Move an item to `state` (the linked own message follows, except for 'sent').

        `error` and `details` (the engine's JSON about the failure) replace the stored ones, so
        a state change without them clears both."""
        if state not in _OUTBOX_STATES:
            raise ValueError(f"unknown outbox state {state!r}")
        details_json = _dump_details(details)

        def run(tx: Tx) -> None:
            c = tx.conn
            c.execute(
                "UPDATE outbox SET state = ?, error = ?, details = ?,"
                " not_before = coalesce(?, not_before), attempts = attempts + ? WHERE id = ?",
                (state, error, details_json, not_before, int(attempts_inc), outbox_id),
            )
            row = c.execute(
                "SELECT kind, message_id, conversation_id FROM outbox WHERE id = ?", (outbox_id,)
            ).fetchone()
            if row and row[0] == "send" and row[1] is not None and state != "sent":
                c.execute(
                    "UPDATE messages SET status = ?, error = ? WHERE id = ? AND outgoing = 1",
                    (state, error, row[1]),
                )
                tx.touch(row[2], "messages")
            tx.touch(row[2] if row else None, "outbox")

        await self._write(run)

    async def outbox_sent(
        self,
        outbox_id: int,
        server_ts: int,
        failures: dict[str, str] | None = None,
        *,
        details: dict[str, Any] | None = None,
    ) -> Message | None:
        """Mark sent and re-key the own message to the server's timestamp (see module doc).

        `failures` are the recipients it did not reach (address -> reason); `details` is the
        engine's JSON about them (replaces the stored details; None clears them)."""
        details_json = _dump_details(details)

        def run(tx: Tx) -> Message | None:
            c = tx.conn
            row = c.execute(
                "SELECT kind, message_id, conversation_id, recipients FROM outbox WHERE id = ?",
                (outbox_id,),
            ).fetchone()
            if row is None:
                return None
            kind, mid, conv, recipients = row
            c.execute(
                "UPDATE outbox SET state = 'sent', error = NULL, details = ?, server_ts = ?"
                " WHERE id = ?",
                (details_json, int(server_ts), outbox_id),
            )
            tx.touch(conv, "outbox")
            if kind not in ("send", "poll") or mid is None:  # these own a message: re-key it
                return None
            msg = c.execute("SELECT sent_ts FROM messages WHERE id = ?", (mid,)).fetchone()
            if msg is None:
                return None
            if msg[0] != server_ts:
                other = tx.find_target(tx.self_id, int(server_ts))
                # the holder of the real stamp is either another waiting message whose
                # provisional stamp it merely equals (it moves aside and is kept), or a sync
                # copy of this very send that arrived first (dropped: this row is the message)
                if other and other[0] != mid and not tx.move_aside(int(server_ts)):
                    c.execute("DELETE FROM messages WHERE id = ?", (other[0],))
                c.execute("UPDATE messages SET sent_ts = ? WHERE id = ?", (int(server_ts), mid))
            failed = {str(k): str(v) for k, v in (failures or {}).items()}
            c.execute("DELETE FROM send_failures WHERE message_id = ?", (mid,))
            c.executemany(
                "INSERT INTO send_failures (message_id, recipient, reason) VALUES (?, ?, ?)",
                [(mid, who, why) for who, why in failed.items()],
            )
            everyone = len(failed) >= max(1, len(json.loads(recipients or "[]")))
            error = (
                "Not delivered to " + ", ".join(f"{w} ({r})" for w, r in failed.items())
                if failed
                else None
            )
            c.execute(
                "UPDATE messages SET status = CASE WHEN ? THEN 'failed' WHEN status IN"
                " ('delivered', 'read', 'viewed') THEN status ELSE 'sent' END, error = ?,"
                " expires_at = CASE WHEN expires_in > 0 THEN ? + expires_in * 1000 END"
                " WHERE id = ?",
                (int(bool(failed) and everyone), error, tx.now, mid),
            )
            tx.refresh_summary(conv)
            tx.touch(conv, "messages")
            tx.apply_pending(tx.self_id, int(server_ts), mid)
            return get_messages(c, [mid])[0]

        return await self._write(run)

    async def outbox_items(self, states: Iterable[str] | None = None) -> list[OutboxItem]:
        wanted = list(states) if states is not None else None

        def run(conn: sqlite3.Connection) -> list[OutboxItem]:
            sql = f"SELECT {_COLS} FROM outbox"
            args: list[str] = []
            if wanted is not None:
                sql += f" WHERE state IN ({','.join('?' * len(wanted))})"
                args = wanted
            return [_item(r) for r in conn.execute(sql + " ORDER BY id", args)]

        return await self._read(run)

    async def outbox_failure_details(self) -> dict[int, dict[str, Any]]:
        """outbox id -> stored failure details, for every row that has them (one cheap query,
        not every row the outbox ever held)."""

        def run(conn: sqlite3.Connection) -> dict[int, dict[str, Any]]:
            found = conn.execute(
                "SELECT id, details FROM outbox WHERE details IS NOT NULL ORDER BY id"
            )
            return {oid: d for oid, text in found if (d := _load_details(text)) is not None}

        return await self._read(run)

    async def outbox_reset_stale(self) -> int:
        """On startup: a send interrupted mid-flight may or may not have gone out -> 'unknown'."""
        text = "The app stopped while sending; it may or may not have been sent."

        def run(tx: Tx) -> int:
            c = tx.conn
            c.execute(
                "UPDATE messages SET status = 'unknown', error = ? WHERE id IN (SELECT message_id"
                " FROM outbox WHERE state = 'sending' AND kind = 'send')",
                (text,),
            )
            n = c.execute(
                "UPDATE outbox SET state = 'unknown', error = ? WHERE state = 'sending'", (text,)
            ).rowcount
            if n:
                tx.touch(None, "outbox", "messages")
            return n

        return await self._write(run)
