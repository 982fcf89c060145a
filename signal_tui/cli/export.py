"""`signal-tui export`: history from the cache as JSON or Markdown (split out of headless.py).

Messages are streamed with the store's keyset-paged iterator, so exporting years of history does
not load it into memory. Text is cleaned of control characters; Markdown output escapes the
characters that would turn someone's message into formatting or links.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, TextIO

from signal_tui.store.models import Conversation, Message
from signal_tui.text import clean, one_line

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~-])")


def _conv_dict(conv: Conversation) -> dict[str, Any]:
    return {
        "id": conv.id,
        "kind": conv.kind,
        "address": conv.address,
        "title": clean(conv.title),
        "number": conv.number,
        "description": clean(conv.description),
    }


def message_record(msg: Message) -> dict[str, Any]:
    return {
        "id": msg.id,
        "author": clean(msg.author_name),
        "outgoing": msg.outgoing,
        "sent_ts": msg.sent_ts,
        "received_ts": msg.received_ts,
        "kind": msg.kind,
        "body": msg.body,
        "status": msg.status,
        "edited": msg.edited,
        "deleted": msg.deleted,
        "quote": (
            {"ts": msg.quote.ts, "author": clean(msg.quote.author_name), "text": msg.quote.text}
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
    for i, conv in enumerate(convs):
        head = json.dumps(_conv_dict(conv), ensure_ascii=False)
        out.write(("," if i else "") + "\n" + head[:-1] + ', "messages": [')
        first = True
        async for msg in store.export_messages(conv.id):
            out.write(("" if first else ",") + "\n  ")
            out.write(json.dumps(message_record(msg), ensure_ascii=False))
            first = False
        out.write("]}")
    out.write("\n]}\n")


def md_escape(text: object) -> str:
    return _MD_SPECIAL.sub(r"\\\1", clean(text))


async def write_markdown(store: Any, convs: list[Conversation], out: TextIO) -> None:
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
            out.write(f"**{who}** ({stamp}){_suffix(msg)}: {_md_body(msg)}\n\n")


def _suffix(msg: Message) -> str:
    marks = []
    if msg.edited:
        marks.append("edited")
    if msg.outgoing and msg.status in ("failed", "unknown", "queued"):
        marks.append(msg.status)
    return f" _({', '.join(marks)})_" if marks else ""


def _md_body(msg: Message) -> str:
    if msg.deleted:
        return "_This message was deleted._"
    parts = []
    if msg.quote is not None:
        parts.append(f"> {md_escape(one_line(msg.quote.text, 120))}\n\n")
    body = md_escape(msg.body or "")
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
