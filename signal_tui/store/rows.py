"""Turning rows into the frozen records of store/models.py (synchronous, runs in the DB thread).

A page of messages is read with one query plus one query per side table for all ids at once,
so the cost of a page does not grow with the number of reactions or attachments.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from signal_tui.store.mentions import PLACEHOLDER, with_mentions
from signal_tui.store.models import (
    Attachment,
    Conversation,
    Mention,
    Message,
    OutboxItem,
    Poll,
    PollOption,
    Quote,
    Reaction,
    Recipient,
    TextStyle,
)
from signal_tui.text import one_line

RECIPIENT_COLS = "id, uuid, number, profile_name, contact_name, nickname, username, blocked"

MESSAGE_COLS = (
    "m.id, m.conversation_id, m.author_id, m.sent_ts, m.received_ts, m.kind, m.body, m.outgoing,"
    " m.status, m.error, m.edited, m.deleted, m.expires_in, m.expires_at, m.view_once, m.extra,"
    " m.outbox_id, r.uuid, r.number, r.profile_name, r.contact_name, r.nickname, r.username,"
    " r.is_self"
)
MESSAGE_FROM = "messages m JOIN recipients r ON r.id = m.author_id"

CONV_COLS = (
    "c.id, c.kind, c.recipient_id, c.group_id, c.title, c.description, c.expiry_seconds,"
    " c.blocked, c.left_group, c.member_count, c.last_preview, c.last_activity, c.unread,"
    " r.uuid, r.number, r.profile_name, r.contact_name, r.nickname, r.username, r.is_self,"
    " c.last_message_id"
)
CONV_FROM = "conversations c LEFT JOIN recipients r ON r.id = c.recipient_id"

ATTACHMENT_COLS = (
    "id, remote_id, content_type, filename, size, width, height, caption, local_path,"
    " thumbnail_path, state"
)

_STYLES = {"BOLD", "ITALIC", "SPOILER", "STRIKETHROUGH", "MONOSPACE"}


def name_of(uuid, number, profile, contact, nick, username, is_self=0) -> str:
    """Display name in the order the UI promises (Recipient.display_name)."""
    if is_self:
        return "You"
    return nick or contact or profile or number or uuid or username or "Unknown"


def recipient(row: Sequence) -> Recipient:
    return Recipient(
        id=row[0],
        uuid=row[1],
        number=row[2],
        profile_name=row[3],
        contact_name=row[4],
        nickname=row[5],
        username=row[6],
        blocked=bool(row[7]),
    )


def conversation(row: Sequence) -> Conversation:
    (
        cid,
        kind,
        rid,
        gid,
        title,
        desc,
        expiry,
        blocked,
        left,
        members,
        preview,
        activity,
        unread,
    ) = row[:13]
    uuid, number, profile, contact, nick, username, is_self = row[13:20]
    if kind == "group":
        address, shown, num = gid or "", title or "Group", None
    else:
        address = uuid or number or username or ""
        shown = (
            "Note to Self" if is_self else name_of(uuid, number, profile, contact, nick, username)
        )
        num = number
    return Conversation(
        id=cid,
        kind=kind,
        address=address,
        title=shown,
        last_preview=preview or "",
        last_activity=activity or 0,
        unread=unread or 0,
        expiry_seconds=expiry or 0,
        blocked=bool(blocked),
        left=bool(left),
        member_count=members or 0,
        number=num,
        description=desc or "",
        recipient_id=rid,
    )


def conversations(conn: sqlite3.Connection, found: Sequence[Sequence]) -> list[Conversation]:
    """Conversation records for rows of CONV_COLS, previews with mentions as '@Name'.

    The stored preview keeps Signal's placeholders (it is written with every message, when names
    may not be known yet, and names change). A preview that holds one is rebuilt here from the
    conversation's last message with the names the store knows now, so old previews read right
    too and no migration is needed; the list's cache is reset when names change.
    """
    convs = [conversation(r) for r in found]
    stale = {i: r[20] for i, r in enumerate(found) if PLACEHOLDER in (r[10] or "") and len(r) > 20}
    if not stale:
        return convs
    last: dict[int, tuple] = {}
    mids = [mid for mid in stale.values() if mid is not None]
    for chunk in range(0, len(mids), 500):
        part = mids[chunk : chunk + 500]
        for mid, kind, body, extra_json, deleted, n_att in conn.execute(
            "SELECT m.id, m.kind, m.body, m.extra, m.deleted,"
            " (SELECT count(*) FROM attachments a WHERE a.message_id = m.id)"
            f" FROM messages m WHERE m.id IN ({_in(part)})",
            part,
        ):
            extra = load_extra(extra_json)
            if deleted:
                extra["deleted"] = True
            last[mid] = (kind, body, extra, n_att)
    rids = {m.recipient_id for _k, _b, extra, _n in last.values() for m in mentions_of(extra)}
    names = mention_names(conn, [r for r in rids if r is not None])
    for i, mid in stale.items():
        conv = convs[i]
        if mid in last:
            kind, body, extra, n_att = last[mid]
            shown = preview_text(kind, body, extra, n_att, names=names)
        else:  # the summary points nowhere (cannot happen after refresh_summary): no ranges
            shown = with_mentions(conv.last_preview)
        convs[i] = dataclasses.replace(conv, last_preview=shown)
    return convs


def mentions_of(extra: Mapping) -> tuple[Mention, ...]:
    """The mentions kept in a message's extra column ([start, length, recipient id, name])."""
    out = []
    for m in extra.get("mentions", ()) or ():
        if isinstance(m, list | tuple) and len(m) >= 4:
            out.append(Mention(start=m[0], length=m[1], recipient_id=m[2], name=str(m[3])))
    return tuple(out)


def mention_names(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, str]:
    """Display names (as Recipient.display_name orders them; yourself is "You") by recipient id."""
    wanted = sorted({int(i) for i in ids})
    names: dict[int, str] = {}
    for chunk in range(0, len(wanted), 500):
        part = wanted[chunk : chunk + 500]
        for rid, *who in conn.execute(
            "SELECT id, uuid, number, profile_name, contact_name, nickname, username, is_self"
            f" FROM recipients WHERE id IN ({_in(part)})",
            part,
        ):
            names[rid] = name_of(*who)
    return names


def preview_text(
    kind: str,
    body: str | None,
    extra: dict | None,
    n_attachments: int = 0,
    *,
    names: Mapping[int, str] | None = None,
) -> str:
    """One-line summary of a message for the conversation list (raw text, cleaned).

    Without `names` mention placeholders stay as they are (what is stored); with them each
    becomes '@Name' (what is shown, see `conversations`).
    """
    extra = extra or {}
    if extra.get("deleted"):
        return "This message was deleted"
    if body:
        if names is not None:
            return one_line(with_mentions(body[:480], mentions_of(extra), names), 120)
        return one_line(body[:480], 120)
    if "poll" in extra:
        return one_line("Poll: " + str(extra["poll"].get("q", "")), 120)
    if "sticker" in extra:
        return "Sticker"
    if n_attachments:
        return "Attachment" if n_attachments == 1 else f"{n_attachments} attachments"
    if kind == "unsupported":
        return "Unsupported message"
    return ""


def load_extra(text: str | None) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def attachment(row: Sequence) -> Attachment:
    return Attachment(
        id=row[0],
        remote_id=row[1],
        content_type=row[2],
        filename=row[3],
        size=row[4],
        width=row[5],
        height=row[6],
        caption=row[7],
        local_path=row[8],
        thumbnail_path=row[9],
        state=row[10],
    )


def _in(ids: Sequence[int]) -> str:
    return ",".join("?" * len(ids))


def messages(conn: sqlite3.Connection, rows: Sequence[Sequence]) -> list[Message]:
    """Build full Message records for message rows (MESSAGE_COLS), in the given order."""
    if not rows:
        return []
    ids = [r[0] for r in rows]
    marks = _in(ids)
    reactions: dict[int, list[Reaction]] = defaultdict(list)
    for mid, emoji, rid, ts, *who in conn.execute(
        "SELECT x.message_id, x.emoji, x.reactor_id, x.ts, r.uuid, r.number, r.profile_name,"
        " r.contact_name, r.nickname, r.username, r.is_self FROM reactions x"
        f" JOIN recipients r ON r.id = x.reactor_id WHERE x.message_id IN ({marks})"
        " AND x.emoji IS NOT NULL ORDER BY x.ts",
        ids,
    ):
        reactions[mid].append(
            Reaction(emoji=emoji, author_id=rid, author_name=name_of(*who), ts=ts)
        )
    atts: dict[int, list[Attachment]] = defaultdict(list)
    for row in conn.execute(
        f"SELECT message_id, {ATTACHMENT_COLS} FROM attachments WHERE message_id IN ({marks})"
        " ORDER BY message_id, idx",
        ids,
    ):
        atts[row[0]].append(attachment(row[1:]))
    failures: dict[int, list[tuple[str, str]]] = defaultdict(list)
    outgoing_ids = [r[0] for r in rows if r[7]]
    if outgoing_ids:
        for mid, who, reason in conn.execute(
            "SELECT message_id, recipient, reason FROM send_failures"
            f" WHERE message_id IN ({_in(outgoing_ids)})",
            outgoing_ids,
        ):
            failures[mid].append((who, reason))
    out = []
    for row in rows:
        extra = load_extra(row[15])
        out.append(_message(conn, row, extra, reactions[row[0]], atts[row[0]], failures[row[0]]))
    return out


def _message(conn, row, extra, reactions, atts, failures) -> Message:
    (mid, conv, author, sent, received, kind, body, outgoing, status, error, edited, deleted) = row[
        :12
    ]
    expires_in, expires_at, view_once, _extra, outbox_id = row[12:17]
    quote = None
    if isinstance(q := extra.get("quote"), dict):
        target = None
        author_name = str(q.get("author_name") or "")
        if q.get("author_id") is not None:
            who = conn.execute(
                "SELECT uuid, number, profile_name, contact_name, nickname, username, is_self"
                " FROM recipients WHERE id = ?",
                (q["author_id"],),
            ).fetchone()
            author_name = name_of(*who) if who else author_name
            hit = conn.execute(
                "SELECT id FROM messages WHERE author_id = ? AND sent_ts = ? AND sub = 0",
                (q["author_id"], q.get("ts") or 0),
            ).fetchone()
            target = hit[0] if hit else None
        quote = Quote(
            ts=q.get("ts") or 0,
            author_id=q.get("author_id"),
            author_name=author_name,
            text=str(q.get("text") or ""),
            message_id=target,
        )
    mentions = mentions_of(extra)
    styles = tuple(
        TextStyle(start=s[0], length=s[1], style=s[2])
        for s in extra.get("styles", ())
        if s[2] in _STYLES
    )
    poll = None
    if isinstance(p := extra.get("poll"), dict):
        poll = _poll(conn, mid, p)
    return Message(
        id=mid,
        conversation_id=conv,
        author_id=author,
        author_name=name_of(*row[17:24]),
        sent_ts=sent,
        received_ts=received,
        body=body,
        kind=kind,
        outgoing=bool(outgoing),
        status=status,
        error=error,
        edited=bool(edited),
        deleted=bool(deleted),
        quote=quote,
        reactions=tuple(reactions),
        attachments=tuple(atts),
        mentions=mentions,
        styles=styles,
        sticker=extra.get("sticker"),
        poll=poll,
        expires_in=expires_in or 0,
        expires_at=expires_at,
        view_once=bool(view_once),
        outbox_id=outbox_id,
        failed_recipients=tuple(failures),
    )


def _poll(conn: sqlite3.Connection, mid: int, p: dict) -> Poll:
    options = [str(o) for o in p.get("opts", [])]
    voters: list[list[str]] = [[] for _ in options]
    for opts, *who in conn.execute(
        "SELECT v.options, r.uuid, r.number, r.profile_name, r.contact_name, r.nickname,"
        " r.username, r.is_self FROM poll_votes v JOIN recipients r ON r.id = v.voter_id"
        " WHERE v.message_id = ?",
        (mid,),
    ):
        for index in load_extra('{"o":' + opts + "}").get("o", []):
            if isinstance(index, int) and 0 <= index < len(options):
                voters[index].append(name_of(*who))
    return Poll(
        question=str(p.get("q", "")),
        options=tuple(
            PollOption(text=t, votes=len(v), voters=tuple(v))
            for t, v in zip(options, voters, strict=True)
        ),
        allow_multiple=bool(p.get("multi")),
        closed=bool(p.get("closed")),
    )


OUTBOX_COLS = (
    "id, conversation_id, recipients, body, state, error, attempts, created_at, message_id,"
    " kind, payload, not_before, server_ts"
)


def outbox_item(row: Sequence) -> OutboxItem:
    recipients = load_extra('{"r":' + (row[2] or "[]") + "}").get("r", [])
    return OutboxItem(
        id=row[0],
        conversation_id=row[1],
        recipients=tuple(str(r) for r in recipients),
        body=row[3] or "",
        state=row[4],
        error=row[5],
        attempts=row[6],
        created_at=row[7],
        message_id=row[8],
        kind=row[9],
        payload=load_extra(row[10]),
        not_before=row[11],
        server_ts=row[12],
    )
