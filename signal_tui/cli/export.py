"""`signal-tui export`: history from the cache as JSON or Markdown (split out of headless.py).

Messages are streamed with the store's keyset-paged iterator, so exporting years of history does
not load it into memory. Text is cleaned of control characters; Markdown output escapes the
characters that would turn someone's message into formatting or links.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TextIO

from signal_tui.store.mentions import mention_name, with_mentions
from signal_tui.store.models import Conversation, Message
from signal_tui.text import clean, one_line

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~-])")


class MentionNames:
    """Display names of mentioned people for a stream of messages, each person looked up once.

    `receive` and `export` show a body as people read it: Signal's U+FFFC placeholders become
    "@Name" (store/mentions.py), Name as the store knows the person now.
    """

    def __init__(self, store: Any) -> None:
        self.store = store
        self.names: dict[int, str] = {}

    async def of(self, messages: Iterable[Message]) -> dict[int, str]:
        """The names for `messages` (fetching those not seen yet); the shared dict."""
        missing = {
            m.recipient_id
            for msg in messages
            for m in msg.mentions
            if m.recipient_id is not None and m.recipient_id not in self.names
        }
        if missing:
            self.names.update(await self.store.mention_names(missing))
        return self.names


def shown_body(msg: Message, names: Mapping[int, str] | None) -> str:
    """The body with mentions as '@Name' (raw text: callers clean it)."""
    return with_mentions(msg.body, msg.mentions, names)


def mention_records(msg: Message, names: Mapping[int, str] | None) -> list[dict[str, Any]]:
    return [
        {"start": m.start, "length": m.length, "name": clean(mention_name(m, names))}
        for m in msg.mentions
    ]


def _conv_dict(conv: Conversation) -> dict[str, Any]:
    return {
        "id": conv.id,
        "kind": conv.kind,
        "address": conv.address,
        "title": clean(conv.title),
        "number": conv.number,
        "description": clean(conv.description),
    }


def message_record(msg: Message, names: Mapping[int, str] | None = None) -> dict[str, Any]:
    """One message for JSON: `body` as received (mention placeholders and their UTF-16 ranges in
    `mentions`), `text` as a person reads it (mentions as '@Name')."""
    return {
        "id": msg.id,
        "author": clean(msg.author_name),
        "outgoing": msg.outgoing,
        "sent_ts": msg.sent_ts,
        "received_ts": msg.received_ts,
        "kind": msg.kind,
        "body": msg.body,
        "text": clean(shown_body(msg, names)),
        "mentions": mention_records(msg, names),
        "status": msg.status,
        "edited": msg.edited,
        "deleted": msg.deleted,
        "quote": (
            {
                "ts": msg.quote.ts,
                "author": clean(msg.quote.author_name),
                "text": clean(with_mentions(msg.quote.text)),
            }
            if msg.quote
            else None
        ),
        "attachments": [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "local_path": a.local_path,
            }
            for a in msg.attachments
        ],
        "reactions": [{"emoji": r.emoji, "author": clean(r.author_name)} for r in msg.reactions],
        "sticker": msg.sticker,
        "poll": (
            {
                "question": msg.poll.question,
                "options": [{"text": o.text, "votes": o.votes} for o in msg.poll.options],
                "closed": msg.poll.closed,
            }
            if msg.poll
            else None
        ),
    }


async def write_json(store: Any, convs: list[Conversation], out: TextIO) -> None:
    """One JSON document: {"conversations": [{..., "messages": [...]}]}, written as it streams."""
    out.write('{"conversations": [')
    names = MentionNames(store)
    for i, conv in enumerate(convs):
        head = json.dumps(_conv_dict(conv), ensure_ascii=False)
        out.write(("," if i else "") + "\n" + head[:-1] + ', "messages": [')
        first = True
        async for msg in store.export_messages(conv.id):
            out.write(("" if first else ",") + "\n  ")
            record = message_record(msg, await names.of([msg]))
            out.write(json.dumps(record, ensure_ascii=False))
            first = False
        out.write("]}")
    out.write("\n]}\n")


def md_escape(text: object) -> str:
    return _MD_SPECIAL.sub(r"\\\1", clean(text))


async def write_markdown(store: Any, convs: list[Conversation], out: TextIO) -> None:
    names = MentionNames(store)
    for conv in convs:
        out.write(f"# {md_escape(one_line(conv.title))}\n\n")
        day = None
        async for msg in store.export_messages(conv.id):
            when = _dt(msg.sent_ts)
            if when is not None and when.date() != day:
                day = when.date()
                out.write(f"## {day.isoformat()}\n\n")
            stamp = when.strftime("%H:%M") if when else "??:??"
            who = "me" if msg.outgoing else md_escape(one_line(msg.author_name, 80))
            body = _md_body(msg, await names.of([msg]))
            out.write(f"**{who}** ({stamp}){_suffix(msg)}: {body}\n\n")


def _suffix(msg: Message) -> str:
    marks = []
    if msg.edited:
        marks.append("edited")
    if msg.outgoing and msg.status in ("failed", "unknown", "queued"):
        marks.append(msg.status)
    return f" _({', '.join(marks)})_" if marks else ""


def _md_body(msg: Message, names: Mapping[int, str] | None = None) -> str:
    if msg.deleted:
        return "_This message was deleted._"
    parts = []
    if msg.quote is not None:
        # the quote keeps no mention ranges (the store does not keep them): placeholders read @…
        parts.append(f"> {md_escape(one_line(with_mentions(msg.quote.text), 120))}\n\n")
    body = md_escape(shown_body(msg, names))
    parts.append(body.replace("\n", "  \n"))
    for att in msg.attachments:
        parts.append(f" [attachment: {md_escape(one_line(att.filename, 120))}]")
    if msg.sticker:
        parts.append(" [sticker]")
    if msg.poll is not None:
        opts = ", ".join(f"{md_escape(o.text)} ({o.votes})" for o in msg.poll.options)
        parts.append(f" [poll: {md_escape(msg.poll.question)} — {opts}]")
    if msg.kind == "unsupported" and not msg.body:
        parts.append("_(unsupported message)_")
    for r in msg.reactions:
        parts.append(f" {clean(r.emoji)}")
    return "".join(parts)


def _dt(ts: int) -> datetime | None:
    try:
        return datetime.fromtimestamp(ts / 1000)
    except (OverflowError, OSError, ValueError):
        return None
