"""Turn one message (or a day separator) into the wrapped lines the history view paints.

The history is a Line-API view: it keeps only a bounded window of messages and asks this module
for each message's lines once per width (cached by the view). Everything here builds rich Text
from cleaned strings; no markup is parsed anywhere.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from signal_tui.store.models import Message
from signal_tui.text import one_line
from signal_tui.ui.widgets.render import (
    attachment_line,
    clock_time,
    format_body,
    format_timer,
    receipt_mark,
    sender_colour,
    unsupported_placeholder,
)

INDENT = 2


@dataclass
class RenderContext:
    """What a message's look depends on besides the message itself."""

    now: datetime
    is_group: bool
    colours: dict[str, str]  # theme variable name -> colour string
    palette: list[str]
    revealed: set[int] = field(default_factory=set)  # message ids with spoilers shown
    image_lines: Callable[[Path, int], list[Any]] | None = None  # Strips (or Texts) per row
    self_id: int | None = None  # own recipient id: mentions of it read "@You"
    names: dict[int, str] = field(default_factory=dict)  # recipient id -> display name
    progress: dict[int, tuple[int, int | None]] = field(default_factory=dict)  # downloads

    def colour(self, name: str, fallback: str = "") -> str:
        return self.colours.get(name, fallback)


def _style(colour: str, **kw: object) -> Style:
    try:
        return Style(color=colour or None, **kw)  # type: ignore[arg-type]
    except Exception:  # an unparseable theme value must not break painting
        return Style(**kw)  # type: ignore[arg-type]


def header_text(msg: Message, ctx: RenderContext) -> Text:
    """Sender, time and state flags on the first line of a message."""
    muted = _style(ctx.colour("text-muted", "grey50"))
    head = Text(end="", no_wrap=True)
    if msg.outgoing:
        head.append("You", _style(ctx.colour("primary"), bold=True))
    else:
        colour = sender_colour(msg.author_id, ctx.palette) if ctx.is_group else ctx.colour("accent")
        head.append(one_line(msg.author_name, 48) or "Unknown", _style(colour, bold=True))
    head.append("  " + clock_time(msg.sent_ts), muted)
    if msg.edited and not msg.deleted:
        head.append("  edited", muted)
    if msg.expires_in:
        head.append(f"  ⏱ {format_timer(msg.expires_in)}", muted)
    if msg.view_once:
        head.append("  view once", muted)
    if msg.outgoing and msg.status:
        symbol, var = receipt_mark(msg)
        head.append("  " + symbol, _style(ctx.colour(var)))
    return head


def body_parts(msg: Message, ctx: RenderContext) -> list[Text]:
    """The message's content blocks (each wrapped separately, indented)."""
    muted = _style(ctx.colour("text-muted", "grey50"))
    italic_muted = muted + Style(italic=True)
    parts: list[Text] = []
    if msg.deleted:
        return [Text("This message was deleted", italic_muted, end="")]
    if msg.kind == "notice":
        return [Text(one_line(msg.body or "", 300), italic_muted, end="")]
    if msg.kind == "unsupported":
        return [Text(unsupported_placeholder(msg), italic_muted, end="")]
    if msg.quote is not None:
        q = Text("▎ ", _style(ctx.colour("accent")), end="")
        q.append(one_line(msg.quote.author_name, 40) or "Unknown", Style(bold=True))
        q.append(": ")
        q.append(one_line(msg.quote.text, 160) or "(attachment)", muted)
        parts.append(q)
    if msg.body:
        parts.append(
            format_body(
                msg,
                revealed=msg.id in ctx.revealed,
                mention_style=_style(ctx.colour("accent"), bold=True),
                link_style="underline",
                self_id=ctx.self_id,
                names=ctx.names,
            )
        )
    for att in msg.attachments:
        parts.append(
            Text(
                attachment_line(
                    att.filename, att.size, att.state, att.content_type, ctx.progress.get(att.id)
                ),
                muted,
                end="",
            )
        )
        if att.caption:
            parts.append(Text(one_line(att.caption, 200), end=""))
    if msg.sticker:
        parts.append(Text("▣ Sticker", italic_muted, end=""))
    if msg.poll is not None:
        parts.extend(poll_lines(msg, ctx))
    if not parts:
        parts.append(Text("(empty message)", italic_muted, end=""))
    if msg.reactions:
        counts = Counter(r.emoji for r in msg.reactions)
        line = Text(end="")
        for emoji, n in counts.most_common():
            line.append(f" {one_line(emoji, 8)} {n} ", _style(ctx.colour("text"), reverse=False))
        parts.append(line)
    if msg.outgoing and msg.status in ("failed", "unknown"):
        reason = one_line(msg.error or "", 200) or (
            "sending failed" if msg.status == "failed" else "the server did not answer"
        )
        fix = (
            "enter: actions → retry / trust and resend"
            if msg.status == "failed"
            else "enter: actions → retry if it did not arrive"
        )
        parts.append(Text(f"✗ {reason} — {fix}", _style(ctx.colour("error")), end=""))
    for address, why in msg.failed_recipients:
        parts.append(
            Text(f"✗ {one_line(address, 40)}: {one_line(why, 120)}", _style(ctx.colour("error")))
        )
    return parts


def poll_lines(msg: Message, ctx: RenderContext) -> list[Text]:
    """Poll question and one bar per option with its vote count."""
    assert msg.poll is not None
    poll = msg.poll
    total = sum(o.votes for o in poll.options) or 1
    out = [Text("📊 " + one_line(poll.question, 200), Style(bold=True), end="")]
    for opt in poll.options:
        filled = round(10 * opt.votes / total)
        line = Text(end="")
        line.append("█" * filled + "·" * (10 - filled), _style(ctx.colour("accent")))
        line.append(f" {opt.votes:>2}  " + one_line(opt.text, 80))
        out.append(line)
    if poll.closed:
        out.append(Text("poll closed", Style(italic=True), end=""))
    return out


def message_lines(
    msg: Message,
    ctx: RenderContext,
    console: Console,
    width: int,
    *,
    selected: bool = False,
    highlighted: bool = False,
) -> list[Text | Strip]:
    """All wrapped lines of one message (header + indented content), at `width` cells."""
    width = max(10, width)
    lines: list[Text | Strip] = []
    head = header_text(msg, ctx)
    head.truncate(width, overflow="ellipsis")
    lines.append(head)
    inner = width - INDENT
    for part in body_parts(msg, ctx):
        for line in part.wrap(console, inner, overflow="fold"):
            line.pad_left(INDENT)
            line.end = ""
            lines.append(line)
    if ctx.image_lines is not None:
        for att in msg.attachments:
            if att.is_image and att.thumbnail_path and not msg.deleted:
                try:
                    preview = ctx.image_lines(Path(att.thumbnail_path), min(inner, 40))
                except Exception:
                    preview = []
                for pl in preview:
                    if isinstance(pl, Text):
                        row = Text(" " * INDENT, end="")
                        row.append_text(pl)
                        lines.append(row)
                    else:  # a Strip of half-block cells from ui.widgets.image_preview
                        lines.append(Strip([Segment(" " * INDENT), *pl]))
    if selected or highlighted:
        lines = _mark(lines, ctx, width, bar=selected)
    lines.append(Text(""))
    return lines


SELECTION_BAR = "▌"  # the selected message's left edge: visible in any theme and colour depth


def _mark(
    lines: list[Text | Strip], ctx: RenderContext, width: int, *, bar: bool
) -> list[Text | Strip]:
    """Shade a message's lines; the selected one also gets a bar down its left edge, so it is
    unmistakable even where the theme's shades are close (256 colours)."""
    bg = ctx.colour("accent-darken-3", "grey30") or "grey30"
    bar_style = _style(ctx.colour("accent", "yellow") or "yellow", bold=True)
    out: list[Text | Strip] = []
    for line in lines:
        if isinstance(line, Strip):
            if bar:
                line = Strip([Segment(SELECTION_BAR, bar_style), *line.crop(1, line.cell_length)])
            out.append(line)
            continue
        if bar:
            rest = line[1:] if line.plain.startswith(" ") else line
            marked = Text(SELECTION_BAR, bar_style, end="")
            marked.append_text(rest)
            marked.truncate(width, overflow="ellipsis")
            line = marked
        try:
            line.stylize(Style(bgcolor=bg), 0, len(line))
        except Exception:
            line.stylize(Style(reverse=True), 0, len(line))
        out.append(line)
    return out


def separator_line(label: str, ctx: RenderContext, width: int, *, new: bool = False) -> Text:
    """A centred separator: ──── Today ────, or the accented "new messages" divider."""
    label = f" {label} "
    side = max(0, (width - len(label)) // 2)
    muted = _style(ctx.colour("accent" if new else "text-muted", "grey50"))
    text = Text("─" * side, muted, end="")
    text.append(label, muted + Style(bold=True))
    text.append("─" * max(0, width - side - len(label)), muted)
    return text
