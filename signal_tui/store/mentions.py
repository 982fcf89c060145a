"""Mentions as "@Name": the one helper that replaces Signal's placeholders by names.

Signal sends a mention as U+FFFC (the object replacement character) in the body plus a range in
UTF-16 code units that names the person (store/models.py `Mention`). The store keeps both as
received. Whatever shows a body to a person (the conversation list's preview, `signal-tui
receive` and `export`, the history) replaces each mentioned range by "@" and the person's display
name as the store knows it now: `names` maps recipient ids to display names (the store's
`mention_names`), and a mention of someone the store does not know keeps the number or UUID it
arrived with. A placeholder that no mention covers reads "@…".

Pure functions on str (no database, no rich), usable by the store, the UI and the CLI. The
result is still raw text: callers clean it (signal_tui.text) as they do any body.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from signal_tui.text import one_line, utf16_index_map

PLACEHOLDER = "\ufffc"  # what Signal puts in the body where a mention is
UNRESOLVED = "@…"  # a placeholder no mention range covers
NAME_LIMIT = 40  # characters of a name in a mention label


class MentionLike(Protocol):
    """What a mention needs for its label (store/models.py Mention has these)."""

    @property
    def start(self) -> int: ...  # UTF-16 code units

    @property
    def length(self) -> int: ...

    @property
    def recipient_id(self) -> int | None: ...

    @property
    def name(self) -> str: ...


def mention_label(name: object) -> str:
    """'@Name' for a display name (one line, at most NAME_LIMIT characters)."""
    return "@" + (one_line(name, NAME_LIMIT) or "someone")


def mention_name(mention: MentionLike, names: Mapping[int, str] | None = None) -> str:
    """The mentioned person's name: from `names` by recipient id, else what the mention carries."""
    rid = mention.recipient_id
    if names and rid is not None and names.get(rid):
        return names[rid]
    return mention.name


def mention_spans(
    body: str, mentions: Iterable[MentionLike], names: Mapping[int, str] | None = None
) -> list[tuple[int, int, str]]:
    """(start, end, label) in Python indices of `body` for each usable mention, in text order.

    Ranges out of the body or overlapping an earlier one are skipped (they come from the network).
    """
    if not body:
        return []
    idx = utf16_index_map(body)
    last = len(idx) - 1
    spans: list[tuple[int, int, str]] = []
    for m in mentions:
        try:
            start, length = int(m.start), int(m.length)
        except (TypeError, ValueError):
            continue
        if start < 0 or length <= 0 or start >= last:
            continue
        a, b = idx[start], idx[min(start + length, last)]
        spans.append((a, max(b, a + 1), mention_label(mention_name(m, names))))
    spans.sort()
    out: list[tuple[int, int, str]] = []
    for span in spans:
        if out and span[0] < out[-1][1]:
            continue
        out.append(span)
    return out


def with_mentions(
    body: str | None,
    mentions: Iterable[MentionLike] = (),
    names: Mapping[int, str] | None = None,
) -> str:
    """`body` with each mention's range replaced by '@Name' and stray placeholders by '@…'."""
    if not body:
        return ""
    parts: list[str] = []
    pos = 0
    for a, b, label in mention_spans(body, mentions, names):
        parts.append(body[pos:a].replace(PLACEHOLDER, UNRESOLVED))
        parts.append(label)
        pos = b
    parts.append(body[pos:].replace(PLACEHOLDER, UNRESOLVED))
    return "".join(parts)
