"""Envelope ingest: raw receive items -> store rows, one transaction per batch.

Entry points: `Ingestor(store).ingest_batch(items)` (also `Store.ingest_batch(items)`), where
`items` are what the receiver got: `{"envelope": {...}, "account": "..."}` dicts (a bare envelope
is accepted too). Each item runs inside its own SAVEPOINT, so a malformed item is rolled back and
counted in `errors` while the rest of the batch commits; ingest never raises for bad input.
Idempotent: messages are keyed by (author, sent timestamp), actions by their own timestamps
(see store/actions.py); actions whose target is missing wait in the `pending` table.
Every envelope shape handled here is described in tests/data/rest-api-notes.md §3.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field

from signal_tui.ids import norm_number, norm_uuid
from signal_tui.store import envelopes as d
from signal_tui.store.coerce import as_dict, as_list, as_str, as_ts
from signal_tui.store.messages import get_messages
from signal_tui.store.models import Attachment, IngestResult
from signal_tui.store.rows import ATTACHMENT_COLS, attachment
from signal_tui.store.tx import Tx

log = logging.getLogger(__name__)

CONTENT_KEYS = (
    "dataMessage", "editMessage", "syncMessage", "receiptMessage", "typingMessage",
    "callMessage", "storyMessage",
)  # fmt: skip
ENVELOPE_KEYS = {
    "source", "sourceNumber", "sourceUuid", "sourceName", "sourceDevice", "timestamp",
    "serverReceivedTimestamp", "serverDeliveredTimestamp", "relay", "urgent", *CONTENT_KEYS,
}  # fmt: skip
UNTRUSTED = "UntrustedIdentityException"
STALE_TYPING_MS = 15_000  # a "started typing" older than this is history, not news


@dataclass
class _Batch:
    unsupported: int = 0
    errors: int = 0
    ignored: int = 0
    duplicates: int = 0
    typing: list[tuple[int, int, bool]] = field(default_factory=list)
    group_updates: list[str] = field(default_factory=list)
    untrusted: list[str] = field(default_factory=list)


class _Retry(Exception):
    """An item raised on the fast path; the batch is redone item by item."""


class _Envelope:
    """One item being ingested: its source, timestamps and (lazily) its raw JSON."""

    def __init__(self, item: dict, env: dict, src: int | None) -> None:
        self.item = item
        self.env = env
        self.src = src
        self.ts = as_ts(env.get("timestamp"))
        self.received = as_ts(env.get("serverReceivedTimestamp"))
        self._raw: str | None = None

    @property
    def raw(self) -> str:
        if self._raw is None:
            try:
                self._raw = json.dumps(self.item, ensure_ascii=False, default=str)
            except (TypeError, ValueError):
                self._raw = "{}"
        return self._raw


class Ingestor:
    """Turns receive items into store rows (see module doc)."""

    def __init__(self, store) -> None:
        self.store = store

    async def ingest_batch(self, items: list[dict]) -> IngestResult:
        listed = items if isinstance(items, list) else []

        def run(tx: Tx, careful: bool) -> IngestResult:
            batch = _Batch(errors=0 if isinstance(items, list) else 1)
            for item in listed:
                if not careful:  # fast path: no savepoint per item
                    try:
                        self._item(tx, batch, item)
                    except Exception as exc:
                        raise _Retry from exc
                    continue
                tx.conn.execute("SAVEPOINT item")
                try:
                    self._item(tx, batch, item)
                    tx.flush_summaries()  # a later failure must not drop this item's updates
                    tx.conn.execute("RELEASE item")
                except Exception:
                    log.debug("malformed item skipped", exc_info=True)
                    tx.conn.execute("ROLLBACK TO item")
                    tx.conn.execute("RELEASE item")
                    tx.forget_local()
                    batch.errors += 1
            tx.flush_summaries()
            return self._result(tx, batch)

        try:
            return await self.store._write(run, False)
        except _Retry:
            # an item raised: redo the batch with one savepoint per item, skipping the bad ones
            return await self.store._write(run, True)

    def _result(self, tx: Tx, batch: _Batch) -> IngestResult:
        messages = get_messages(tx.conn, tx.new_message_ids)
        fetch: list[Attachment] = []
        ids = tx.new_attachment_ids
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            fetch.extend(
                attachment(r)
                for r in tx.conn.execute(
                    f"SELECT {ATTACHMENT_COLS} FROM attachments WHERE id IN"
                    f" ({','.join('?' * len(chunk))}) AND state = 'pending'"
                    " AND remote_id IS NOT NULL ORDER BY id",
                    chunk,
                )
            )
        return IngestResult(
            new_messages=messages,
            changed={cid for cid, what in tx.changes.items() if cid is not None and what},
            unsupported=batch.unsupported,
            errors=batch.errors,
            typing=batch.typing,
            group_updates=list(dict.fromkeys(batch.group_updates)),
            attachments_to_fetch=fetch,
            untrusted=list(dict.fromkeys(batch.untrusted)),
            ignored=batch.ignored,
            duplicates=batch.duplicates,
        )

    # --- dispatch -------------------------------------------------------------------------
    def _item(self, tx: Tx, b: _Batch, item: object) -> None:
        if not isinstance(item, dict):
            b.errors += 1
            return
        env = item.get("envelope", item if "timestamp" in item else None)
        if not isinstance(env, dict):
            b.errors += 1
            return
        source = env.get("source")
        src = tx.recipient_id(
            env.get("sourceUuid") or norm_uuid(source),
            env.get("sourceNumber") or norm_number(source),
            profile_name=env.get("sourceName"),
        )
        e = _Envelope(item, env, src)
        if "exception" in item:
            self._error(tx, b, e, as_dict(item.get("exception")))
            return
        for key in CONTENT_KEYS:
            if key in env:
                getattr(self, "_" + key)(tx, b, e, env[key])
                return
        if set(env) - ENVELOPE_KEYS:  # a content kind we do not know yet
            self._unsupported(tx, b, e)
        else:
            b.ignored += 1

    def _unsupported(self, tx: Tx, b: _Batch, e: _Envelope) -> None:
        b.unsupported += 1
        if e.src is None or e.ts is None:
            self._side(tx, "unsupported", e)
            return
        conv = tx.direct_conv(e.src)
        assert conv is not None
        mid = tx.insert_message(
            conv=conv, author=e.src, sent_ts=e.ts, kind="unsupported", raw=e.raw,
            received_ts=e.received, outgoing=e.src == tx.self_id,
        )  # fmt: skip
        if mid is None:
            b.duplicates += 1

    def _side(self, tx: Tx, kind: str, e: _Envelope) -> None:
        tx.conn.execute(
            "INSERT OR IGNORE INTO side_items (kind, author_id, sent_ts, json) VALUES (?, ?, ?, ?)",
            (kind, e.src, e.ts, e.raw),
        )

    def _notice(self, tx: Tx, b: _Batch, e: _Envelope, conv: int, text: str, **kw) -> int | None:
        assert e.src is not None and e.ts is not None
        mid = tx.insert_message(
            conv=conv, author=e.src, sent_ts=e.ts, kind="notice", body=text, raw=e.raw,
            received_ts=e.received, **kw,
        )  # fmt: skip
        if mid is None:
            b.duplicates += 1
        return mid

    def _error(self, tx: Tx, b: _Batch, e: _Envelope, exc: dict) -> None:
        kind = as_str(exc.get("type")) or "error"
        if kind == UNTRUSTED:
            address = norm_uuid(e.env.get("sourceUuid")) or norm_number(e.env.get("sourceNumber"))
            if address:
                b.untrusted.append(address)
            text = "A message could not be read: this contact's safety number has changed."
        else:
            text = f"A message could not be decrypted ({kind[:80]})."
        if e.src is None or e.ts is None:
            b.errors += 1
            return
        conv = tx.direct_conv(e.src)
        assert conv is not None
        # sub=1: the real message may be redelivered later under the same (author, timestamp)
        self._notice(tx, b, e, conv, text, sub=1)

    # --- content kinds --------------------------------------------------------------------
    def _dataMessage(self, tx: Tx, b: _Batch, e: _Envelope, dm: object) -> None:
        if not isinstance(dm, dict) or e.src is None:
            b.errors += 1
            return
        self._data(tx, b, e, dm, author=e.src, dest=None)

    def _data(self, tx: Tx, b: _Batch, e: _Envelope, dm: dict, *, author: int, dest) -> None:
        """A data message from `author`; `dest` is the direct peer for own (sync) messages."""
        ts = as_ts(dm.get("timestamp")) or e.ts
        if ts is None:
            b.errors += 1
            return
        outgoing = author == tx.self_id
        if isinstance(r := dm.get("reaction"), dict):
            target = tx.recipient_id(
                r.get("targetAuthorUuid"), r.get("targetAuthorNumber") or r.get("targetAuthor")
            )
            tts = as_ts(r.get("targetSentTimestamp"))
            emoji = as_str(r.get("emoji"))
            if target is None or tts is None or not emoji:
                b.errors += 1
                return
            payload = {"emoji": emoji[:32], "remove": r.get("isRemove") is True}
            tx.act("reaction", target, tts, author, ts, payload)
            return
        if isinstance(rd := dm.get("remoteDelete"), dict):
            if (tts := as_ts(rd.get("timestamp"))) is None:
                b.errors += 1
                return
            tx.act("delete", author, tts, author, ts, {})
            return
        if isinstance(pv := dm.get("pollVote"), dict):
            target = tx.recipient_id(
                pv.get("authorUuid"), pv.get("authorNumber") or pv.get("author")
            )
            tts = as_ts(pv.get("targetSentTimestamp"))
            if target is None or tts is None:
                b.errors += 1
                return
            options = [i for i in as_list(pv.get("optionIndexes"))[:100] if isinstance(i, int)]
            count = pv.get("voteCount") if isinstance(pv.get("voteCount"), int) else 0
            tx.act("vote", target, tts, author, ts, {"options": options, "count": count})
            return
        if isinstance(pt := dm.get("pollTerminate"), dict):
            if (tts := as_ts(pt.get("targetSentTimestamp"))) is None:
                b.errors += 1
                return
            tx.act("terminate", author, tts, author, ts, {})
            return
        group = d.group_rest_id(dm)
        info = as_dict(dm.get("groupInfo"))
        if group:
            conv = tx.group_conv(group, info.get("groupName"))
        else:
            peer = dest if outgoing and dest is not None else author
            conv = tx.direct_conv(peer)
        assert conv is not None
        common = {"conv": conv, "author": author, "sent_ts": ts, "raw": e.raw, "outgoing": outgoing,
                  "received_ts": e.received, "status": "sent" if outgoing else None}  # fmt: skip
        if dm.get("isExpirationUpdate") is True:
            seconds = d.expires_of(dm)
            if tx.insert_message(kind="notice", body=d.timer_text(seconds), **common) is None:
                b.duplicates += 1
            else:
                tx.conn.execute(
                    "UPDATE conversations SET expiry_seconds = ? WHERE id = ?", (seconds, conv)
                )
            return
        body = d.body_of(dm)
        atts = d.attachments_of(dm)
        if group and info.get("type") == "UPDATE":
            b.group_updates.append(group)
            if body is None and not atts:
                if tx.insert_message(kind="notice", body="The group was updated", **common) is None:
                    b.duplicates += 1
                return
        extra = d.extra_of(tx, dm)
        shown = body is not None or atts or "sticker" in extra or "poll" in extra
        if not shown:
            b.unsupported += 1
        mid = tx.insert_message(
            kind="text" if shown else "unsupported", body=body, extra=extra, attachments=atts,
            unread=not outgoing and bool(shown), expires_in=d.expires_of(dm),
            view_once=dm.get("viewOnce") is True, **common,
        )  # fmt: skip
        if mid is None:
            b.duplicates += 1

    def _editMessage(self, tx: Tx, b: _Batch, e: _Envelope, em: object) -> None:
        if not isinstance(em, dict) or e.src is None:
            b.errors += 1
            return
        self._edit(tx, b, e, em, author=e.src)

    def _edit(self, tx: Tx, b: _Batch, e: _Envelope, em: dict, *, author: int) -> None:
        target = as_ts(em.get("targetSentTimestamp"))
        dm = as_dict(em.get("dataMessage"))
        ts = as_ts(dm.get("timestamp")) or e.ts
        if target is None or ts is None:
            b.errors += 1
            return
        extra = {k: v for k, v in d.extra_of(tx, dm).items() if k in ("mentions", "styles")}
        tx.act("edit", author, target, author, ts, {"body": d.body_of(dm), "extra": extra})

    def _syncMessage(self, tx: Tx, b: _Batch, e: _Envelope, sm: object) -> None:
        if not isinstance(sm, dict):
            b.errors += 1
            return
        handled = False
        if isinstance(sent := sm.get("sentMessage"), dict):
            handled = True
            dest = tx.recipient_id(
                sent.get("destinationUuid"),
                sent.get("destinationNumber") or sent.get("destination"),
            )
            if isinstance(em := sent.get("editMessage"), dict):
                self._edit(tx, b, e, em, author=tx.self_id)
            elif isinstance(sent.get("storyMessage"), dict):
                self._side(tx, "story", e)
            else:
                self._data(tx, b, e, sent, author=tx.self_id, dest=dest)
        if "sentStoryMessage" in sm:
            handled = True
            self._side(tx, "story", e)
        if isinstance(read := sm.get("readMessages"), list):
            handled = True
            for entry in read[:1000]:
                entry = as_dict(entry)
                sender = tx.recipient_id(
                    entry.get("senderUuid"), entry.get("senderNumber") or entry.get("sender")
                )
                ts = as_ts(entry.get("timestamp"))
                if sender is not None and ts is not None:
                    tx.act("read", sender, ts, tx.self_id, e.ts or 0, {})
        if isinstance(numbers := sm.get("blockedNumbers"), list):
            handled = True
            for address in numbers[:10000]:
                rid = tx.recipient_id(address, address)
                if rid is not None and rid != tx.self_id:
                    tx.conn.execute("UPDATE recipients SET blocked = 1 WHERE id = ?", (rid,))
                    tx.conn.execute(
                        "UPDATE conversations SET blocked = 1 WHERE recipient_id = ?", (rid,)
                    )
                    tx.touch(None, "recipients", "conversation")
        if isinstance(groups := sm.get("blockedGroupIds"), list):
            handled = True
            for gid in groups[:10000]:
                rest = d.group_rest_id({"groupInfo": {"groupId": gid}})
                if rest:
                    tx.conn.execute(
                        "UPDATE conversations SET blocked = 1 WHERE group_id = ?", (rest,)
                    )
                    tx.touch(None, "conversation")
        if "type" in sm:
            handled = True  # CONTACTS_SYNC / GROUPS_SYNC / REQUEST_SYNC: nothing to store
        if not handled:  # `syncMessage: {}` (viewed, fetch...): kept raw, not shown in a chat
            b.unsupported += 1
            self._side(tx, "sync", e)

    def _receiptMessage(self, tx: Tx, b: _Batch, e: _Envelope, rm: object) -> None:
        if not isinstance(rm, dict) or e.src is None:
            b.errors += 1
            return
        when = as_ts(rm.get("when")) or e.ts or 0  # deterministic: redelivery must match
        if rm.get("isViewed") is True:
            status, rank = "viewed", 3
        elif rm.get("isRead") is True:
            status, rank = "read", 2
        elif rm.get("isDelivery") is True:
            status, rank = "delivered", 1
        else:
            b.ignored += 1
            return
        for ts in as_list(rm.get("timestamps"))[:1000]:
            if (ts := as_ts(ts)) is not None:
                # action_ts + rank keeps a pending delivered and read receipt apart
                tx.act("receipt", tx.self_id, ts, e.src, when + rank, {"status": status})

    def _typingMessage(self, tx: Tx, b: _Batch, e: _Envelope, tm: object) -> None:
        if not isinstance(tm, dict) or e.src is None:
            b.errors += 1
            return
        started = tm.get("action") == "STARTED"
        if started and e.ts is not None and time.time() * 1000 - e.ts > STALE_TYPING_MS:
            return  # from a backlog: nobody is typing that now ("stopped" still clears)
        group = d.group_rest_id({"groupInfo": {"groupId": tm.get("groupId")}})
        conv = tx.group_conv(group, create=False) if group else tx.direct_conv(e.src, create=False)
        if conv is not None:
            b.typing.append((conv, e.src, started))

    def _callMessage(self, tx: Tx, b: _Batch, e: _Envelope, cm: object) -> None:
        if not isinstance(cm, dict) or e.src is None or e.ts is None:
            b.errors += 1
            return
        offer = cm.get("offerMessage")
        if not isinstance(offer, dict):
            return  # answer/busy/hangup/ice: nothing to show
        video = offer.get("type") == "VIDEO_CALL"
        conv = tx.direct_conv(e.src)
        assert conv is not None
        text = "Missed video call" if video else "Missed voice call"
        self._notice(tx, b, e, conv, text, unread=True)

    def _storyMessage(self, tx: Tx, b: _Batch, e: _Envelope, story: object) -> None:
        self._side(tx, "story", e)  # stories are kept, not shown in chats
