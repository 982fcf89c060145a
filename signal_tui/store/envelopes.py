"""Parsing the parts of a data message (also used for sync sentMessage, which flattens one).

Every reader here takes untrusted JSON and returns something the store can keep, or nothing:
wrong types are dropped, numbers are clamped, file names are sanitised, lists are bounded.
"""

from __future__ import annotations

import re
from typing import Any

from signal_tui.files import safe_filename
from signal_tui.ids import to_rest_id
from signal_tui.store.coerce import as_dict, as_int, as_list, as_opt_int, as_str, as_ts
from signal_tui.store.tx import Tx, clean_name

LONG_TEXT = "text/x-signal-plain"
MAX_BODY = 1_000_000  # characters; far above Signal's limits, keeps one row bounded
MAX_ITEMS = 100
_REMOTE_ID = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$")
_STYLES = {"BOLD", "ITALIC", "SPOILER", "STRIKETHROUGH", "MONOSPACE"}
YEAR_S = 366 * 24 * 3600


def body_of(dm: dict) -> str | None:
    text = as_str(dm.get("message"))
    if text is None or text == "":
        return None
    return text[:MAX_BODY]


def group_rest_id(dm: dict) -> str | None:
    """The REST form of the data message's group id, if it is a group message."""
    gid = as_str(as_dict(dm.get("groupInfo")).get("groupId"))
    if not gid:
        return None
    try:
        return to_rest_id(gid)
    except (UnicodeEncodeError, ValueError):
        return None


def attachments_of(dm: dict) -> list[dict[str, Any]]:
    """Attachment rows; the long-text attachment (its text is already in `message`) is hidden."""
    out = []
    for att in as_list(dm.get("attachments"))[:MAX_ITEMS]:
        if not isinstance(att, dict):
            continue
        ctype = (as_str(att.get("contentType")) or "application/octet-stream")[:120]
        if ctype == LONG_TEXT:
            continue
        remote = as_str(att.get("id"))
        if remote is not None and not _REMOTE_ID.match(remote):
            remote = None  # never let a server id climb paths in a URL or a file name
        out.append(
            {
                "remote_id": remote,
                "content_type": ctype,
                "filename": safe_filename(as_str(att.get("filename")) or remote or "attachment"),
                "size": as_opt_int(att.get("size")),
                "width": as_opt_int(att.get("width")),
                "height": as_opt_int(att.get("height")),
                "caption": (as_str(att.get("caption")) or None),
                "state": "pending" if remote else "failed",
            }
        )
    return out


def mentions_of(tx: Tx, dm: dict) -> list[list]:
    out = []
    for m in as_list(dm.get("mentions"))[:MAX_ITEMS]:
        if not isinstance(m, dict):
            continue
        start, length = as_opt_int(m.get("start")), as_opt_int(m.get("length"))
        if start is None or length is None:
            continue
        uuid, number = m.get("uuid"), m.get("number")
        rid = tx.recipient_id(uuid, number)
        name = clean_name(m.get("name")) or as_str(number) or as_str(uuid) or "?"
        out.append([start, length, rid, name])
    return out


def styles_of(dm: dict) -> list[list]:
    out = []
    for s in as_list(dm.get("textStyles"))[: MAX_ITEMS * 10]:
        if not isinstance(s, dict):
            continue
        start, length, style = (
            as_opt_int(s.get("start")),
            as_opt_int(s.get("length")),
            s.get("style"),
        )
        if start is not None and length is not None and style in _STYLES:
            out.append([start, length, style])
    return out


def quote_of(tx: Tx, dm: dict) -> dict | None:
    q = dm.get("quote")
    if not isinstance(q, dict):
        return None
    ts = as_ts(q.get("id"))
    author = tx.recipient_id(q.get("authorUuid"), q.get("authorNumber") or q.get("author"))
    text = as_str(q.get("text")) or ""
    if ts is None and not text:
        return None
    return {"ts": ts, "author_id": author, "author_name": "", "text": text[:2000]}


def sticker_of(dm: dict) -> str | None:
    st = dm.get("sticker")
    if not isinstance(st, dict):
        return None
    pack, sid = as_str(st.get("packId")), as_opt_int(st.get("stickerId"))
    if pack is None or sid is None:
        return None
    return f"{pack[:64]}:{sid}"


def poll_of(dm: dict) -> dict | None:
    pc = dm.get("pollCreate")
    if not isinstance(pc, dict):
        return None
    options = [str(o)[:500] for o in as_list(pc.get("options"))[:MAX_ITEMS] if isinstance(o, str)]
    return {
        "q": (as_str(pc.get("question")) or "")[:1000],
        "opts": options,
        "multi": pc.get("allowMultiple") is True,
        "closed": False,
    }


def extra_of(tx: Tx, dm: dict) -> dict:
    """The JSON side column: quote, mentions, styles, sticker, poll (only what is present)."""
    extra: dict[str, Any] = {}
    if quote := quote_of(tx, dm):
        extra["quote"] = quote
    if mentions := mentions_of(tx, dm):
        extra["mentions"] = mentions
    if styles := styles_of(dm):
        extra["styles"] = styles
    if sticker := sticker_of(dm):
        extra["sticker"] = sticker
    if poll := poll_of(dm):
        extra["poll"] = poll
    return extra


def expires_of(dm: dict) -> int:
    return as_int(dm.get("expiresInSeconds"), 0, lo=0, hi=10 * YEAR_S)


def timer_text(seconds: int) -> str:
    if seconds <= 0:
        return "Disappearing messages turned off"
    for unit, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"Disappearing messages set to {n} {unit}{'s' if n != 1 else ''}"
    return f"Disappearing messages set to {seconds} seconds"
