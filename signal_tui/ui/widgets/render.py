"""Pure rendering of store records into rich Text: bodies, marks, times, sizes.

Kept free of widgets so it is cheap to test (hypothesis) and reusable by the history view, the
conversation list and the screenshots. Every piece of untrusted text passes through
core.safetext before it becomes a Text; nothing here ever parses markup.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from datetime import datetime, timedelta

from rich.style import Style
from rich.text import Text

from signal_tui.store.models import Conversation, Message
from signal_tui.text import clean, count, one_line, utf16_index_map

OBJECT_REPLACEMENT = "\ufffc"  # Signal's placeholder for a mention in the body
SPOILER_CHAR = "░"
_LINK = re.compile(r"https?://[^\s<>\"'`\u00a0]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""

# marks for own messages: (symbol, theme variable for its colour)
RECEIPT_MARKS: dict[str | None, tuple[str, str]] = {
    "queued": ("◷", "text-muted"),
    "sending": ("◷", "text-muted"),
    "sent": ("✓", "text-muted"),
    "delivered": ("✓✓", "text-muted"),
    "read": ("●●", "accent"),
    "viewed": ("●●", "accent"),
    "failed": ("✗", "error"),
    "unknown": ("?", "warning"),
}


def _range(idx: list[int], start: int, length: int) -> tuple[int, int] | None:
    if start < 0 or length <= 0 or start >= len(idx) - 1:
        return None
    end = min(start + length, len(idx) - 1)
    return idx[start], idx[end]


def find_links(text: str) -> list[tuple[int, int, str]]:
    """http/https URLs in plain text as (start, end, url); trailing punctuation excluded."""
    out = []
    for m in _LINK.finditer(text):
        url = m.group(0).rstrip(_TRAILING)
        if len(url) > len("https://"):
            out.append((m.start(), m.start() + len(url), url))
    return out


def format_body(
    message: Message,
    *,
    revealed: bool = False,
    mention_style: Style | str = "bold",
    link_style: Style | str = "underline",
    highlight: Sequence[str] = (),
    self_id: int | None = None,
    names: dict[int, str] | None = None,
) -> Text:
    """The message body as Text: mentions as @name, styles applied, spoilers hidden, links live.

    Offsets (mentions, styles) are UTF-16 code units into the raw body; control characters are
    removed while mapping, so the offsets still land on the right characters.
    """
    body = message.body or ""
    if not body:
        return Text("")
    idx = utf16_index_map(body)
    mention_at: dict[int, tuple[int, str]] = {}
    for m in message.mentions:
        r = _range(idx, m.start, m.length)
        if r:
            name = m.name
            if m.recipient_id is not None and names and m.recipient_id in names:
                name = names[m.recipient_id]
            if self_id is not None and m.recipient_id == self_id:
                name = "You"
            mention_at[r[0]] = (r[1], "@" + one_line(name or "someone", 40))
    spoilers = [
        r for s in message.styles if s.style == "SPOILER" and (r := _range(idx, s.start, s.length))
    ]
    parts: list[str] = []
    new_pos: list[int] = [0] * (len(body) + 1)
    mention_spans: list[tuple[int, int]] = []
    pos = 0
    i = 0
    while i < len(body):
        if i in mention_at:
            end, label = mention_at[i]
            for j in range(i, end):
                new_pos[j] = pos
            mention_spans.append((pos, pos + len(label)))
            parts.append(label)
            pos += len(label)
            i = max(end, i + 1)
            continue
        new_pos[i] = pos
        ch = body[i]
        if ch == OBJECT_REPLACEMENT:
            piece = "@…"
        else:
            piece = clean(ch)
        if piece and not revealed and piece != "\n" and any(a <= i < b for a, b in spoilers):
            piece = SPOILER_CHAR * len(piece)
        parts.append(piece)
        pos += len(piece)
        i += 1
    new_pos[len(body)] = pos
    plain = "".join(parts)
    text = Text(plain, end="")
    style_map = {
        "BOLD": Style(bold=True),
        "ITALIC": Style(italic=True),
        "STRIKETHROUGH": Style(strike=True),
        "MONOSPACE": Style(reverse=False, dim=True),
        "SPOILER": Style(dim=not revealed),
    }
    for s in message.styles:
        r = _range(idx, s.start, s.length)
        if r and s.style in style_map:
            text.stylize(style_map[s.style], new_pos[r[0]], new_pos[r[1]])
    for a, b in mention_spans:
        text.stylize(mention_style, a, b)
    for a, b, url in find_links(plain):
        text.stylize(Style(link=url) + Style.parse(str(link_style)), a, b)
    for word in highlight:
        if word:
            text.highlight_words([word], "reverse", case_sensitive=False)
    return text


def receipt_mark(message: Message) -> tuple[str, str]:
    """(symbol, theme colour variable) for an own message's delivery state."""
    return RECEIPT_MARKS.get(message.status, ("?", "warning"))


def format_size(size: int | None) -> str:
    """Human size: 532 B, 14.2 KB, 3.1 MB."""
    if size is None:
        return "? B"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


def format_timer(seconds: int) -> str:
    """Disappearing timer: 30s, 5m, 8h, 1d, 4w."""
    if seconds <= 0:
        return "off"
    for unit, n in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= n and seconds % n == 0:
            return f"{seconds // n}{unit}"
    return f"{seconds}s"


def _local(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000)


def relative_time(ms: int, now: datetime) -> str:
    """Conversation-list time: 'now', '5m', '14:02' today, 'Tue' this week, '3 Mar', '2024'."""
    if ms <= 0:
        return ""
    then = _local(ms)
    delta = now - then
    if delta < timedelta(minutes=1):
        return "now"
    if delta < timedelta(hours=1):
        return f"{int(delta.total_seconds() // 60)}m"
    if then.date() == now.date():
        return then.strftime("%H:%M")
    if delta < timedelta(days=6):
        return then.strftime("%a")
    if then.year == now.year:
        return f"{then.day} {then.strftime('%b')}"
    return str(then.year)


def day_label(ms: int, now: datetime) -> str:
    """Day separator text: Today, Yesterday, Monday 3 March, 3 March 2024."""
    day = _local(ms).date()
    if day == now.date():
        return "Today"
    if day == now.date() - timedelta(days=1):
        return "Yesterday"
    if (now.date() - day).days < 7 and day <= now.date():
        return day.strftime("%A")
    if day.year == now.year:
        return f"{day.strftime('%A')} {day.day} {day.strftime('%B')}"
    return f"{day.day} {day.strftime('%B')} {day.year}"


def clock_time(ms: int) -> str:
    return _local(ms).strftime("%H:%M")


def day_key(ms: int) -> tuple[int, int, int]:
    d = _local(ms).date()
    return (d.year, d.month, d.day)


PALETTE_VARIABLES = (  # readable on the dark and the light themes' surfaces
    "primary-lighten-2",
    "accent",
    "success",
    "error-lighten-2",
    "secondary-lighten-3",
    "warning-darken-1",
    "primary-lighten-3",
    "success-lighten-2",
    "accent-lighten-2",
    "error-lighten-3",
)


def sender_colour(recipient_id: int, palette: Sequence[str]) -> str:
    """A stable colour for a sender: the same person has the same colour in every session."""
    if not palette:
        return ""
    return palette[zlib.crc32(str(recipient_id).encode()) % len(palette)]


def conversation_subtitle(conv: Conversation) -> str:
    """Header second part: number (direct) or member count (group), plus flags."""
    bits = []
    if conv.kind == "group":
        if conv.member_count:
            bits.append(count(conv.member_count, "member"))
        if conv.left:
            bits.append("you left")
    elif conv.number and one_line(conv.number) != one_line(conv.title):
        bits.append(one_line(conv.number))
    if conv.blocked:
        bits.append("blocked")
    if conv.expiry_seconds:
        bits.append(f"⏱ {format_timer(conv.expiry_seconds)}")
    return " · ".join(bits)


def unsupported_placeholder(message: Message) -> str:
    if message.kind == "unsupported":
        return "Unsupported message (stored; a newer version may show it)"
    return ""


def attachment_line(
    att_name: str,
    size: int | None,
    state: str,
    content_type: str,
    progress: tuple[int, int | None] | None = None,
) -> str:
    """One line per attachment: 📎 name · 14.2 KB · downloading 42 %."""
    if state == "downloading" and progress is not None:
        done, total = progress
        if total:
            return " · ".join(
                [f"{'🖼' if content_type.startswith('image/') else '📎'} {one_line(att_name, 60) or 'attachment'}",
                 format_size(total), f"downloading {min(100, done * 100 // total)} %"]
            )  # fmt: skip
        return f"📎 {one_line(att_name, 60) or 'attachment'} · downloading {format_size(done)}"
    label = {
        "pending": "not downloaded",
        "downloading": "downloading…",
        "done": "",
        "failed": "download failed",
        "local": "",
    }.get(state, state)
    icon = "🖼" if content_type.startswith("image/") else "📎"
    bits = [f"{icon} {one_line(att_name, 60) or 'attachment'}", format_size(size)]
    if label:
        bits.append(label)
    return " · ".join(bits)
