"""Conversation list: a virtual (Line-API) list of conversations, updated in place by id.

Two lines per conversation (name + time, preview + unread badge). Records live in a dict keyed
by conversation id; a change replaces one record and re-sorts the id order (cheap), then
repaints — no widgets are created or destroyed, however long the list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message as TMessage
from textual.scroll_view import ScrollView
from textual.strip import Strip

from signal_tui.store.models import Conversation
from signal_tui.text import one_line
from signal_tui.ui.widgets.render import relative_time
from signal_tui.ui.widgets.theme import distinct_shade, theme_colours

ROW = 2


class ConversationList(ScrollView, can_focus=True):
    """Sorted by activity; filter with `set_filter`; `upsert`/`remove` change single rows."""

    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("home", "edge(0)", show=False),
        Binding("end", "edge(1)", show=False),
        Binding("enter", "choose", "Open"),
        Binding("slash", "screen.focus_filter", "Filter"),  # type a name: the list narrows
    ]

    DEFAULT_CSS = """
    ConversationList { background: $panel; scrollbar-size-vertical: 1; overflow-x: hidden; }
    """

    class Selected(TMessage):
        """The user opened a conversation (enter or click)."""

        def __init__(self, conversation: Conversation) -> None:
            super().__init__()
            self.conversation = conversation

    def __init__(self, *, now: Callable[[], datetime], **kw: Any) -> None:
        super().__init__(**kw)
        self._now = now
        self.records: dict[int, Conversation] = {}
        self.order: list[int] = []  # visible ids (filtered), newest activity first
        self.highlighted: int | None = None  # conversation id under the cursor
        self.active: int | None = None  # the open conversation
        self.typing: dict[int, set[int]] = {}  # conversation id -> recipient ids typing
        self.drafts: dict[int, str] = {}  # conversation id -> unsent draft (shown as the preview)
        self.filter = ""
        self._colours: dict[str, str] = {}
        self._colours_theme = ""  # the theme _colours were resolved for

    def notify_style_update(self) -> None:
        """Styles changed; when the theme did, the colours painted into lines are stale."""
        super().notify_style_update()
        if self._colours and self.is_mounted and self.app.theme != self._colours_theme:
            self._colours = {}
            self.refresh()

    # --- data ------------------------------------------------------------------------------
    def set_all(self, conversations: Iterable[Conversation]) -> None:
        self.records = {c.id: c for c in conversations}
        self._resort()

    def upsert(self, conversation: Conversation) -> None:
        """Replace (or add) one conversation; only the order list is recomputed."""
        self.records[conversation.id] = conversation
        self._resort()

    def remove_conversation(self, conversation_id: int) -> None:
        self.records.pop(conversation_id, None)
        self._resort()

    def set_filter(self, text: str) -> None:
        self.filter = text.strip().casefold()
        self._resort()
        if self.order and self.highlighted not in self.order:
            self.highlighted = self.order[0]
        self.scroll_to(y=0, animate=False)

    def set_typing(self, conversation_id: int, recipient_id: int, started: bool) -> None:
        people = self.typing.setdefault(conversation_id, set())
        (people.add if started else people.discard)(recipient_id)
        self.refresh()

    def _matches(self, conv: Conversation) -> bool:
        if not self.filter:
            return True
        hay = f"{one_line(conv.title)} {conv.number or ''} {conv.address}".casefold()
        return all(word in hay for word in self.filter.split())

    def _resort(self) -> None:
        visible = [c for c in self.records.values() if self._matches(c)]
        visible.sort(key=lambda c: (c.last_activity, c.id), reverse=True)
        self.order = [c.id for c in visible]
        if self.highlighted not in self.records and self.order:
            self.highlighted = self.order[0]
        self.virtual_size = Size(0, len(self.order) * ROW)
        self.refresh()

    @property
    def current(self) -> Conversation | None:
        return self.records.get(self.highlighted) if self.highlighted is not None else None

    # --- painting --------------------------------------------------------------------------
    def _colour(self, name: str) -> str:
        if not self._colours:
            self._colours_theme = self.app.theme
            try:
                self._colours = theme_colours(self.app.get_css_variables())
            except Exception:
                self._colours = {}
        return self._colours.get(name, "")

    def _row_lines(self, conv: Conversation, width: int) -> tuple[Text, Text]:
        muted = Style(color=self._colour("text-muted") or None)
        accent = Style(color=self._colour("accent") or None, bold=True)
        when = relative_time(conv.last_activity, self._now())
        marker = "▌" if conv.id == self.active else " "
        top = Text(end="", no_wrap=True, overflow="ellipsis")
        top.append(marker, accent)
        icon = "# " if conv.kind == "group" else ""
        name_style = Style(bold=conv.unread > 0)
        room = max(1, width - len(when) - 3 - len(icon))
        top.append(icon, muted)
        name = Text(one_line(conv.title, 200) or "Unknown", name_style, end="")
        name.truncate(room, overflow="ellipsis")
        top.append_text(name)
        top.pad_right(max(0, width - top.cell_len - len(when) - 1))
        top.append(when + " ", muted)
        bottom = Text("  ", end="", no_wrap=True, overflow="ellipsis")
        badge = f" {conv.unread} " if conv.unread else ""
        typing = self.typing.get(conv.id)
        draft = self.drafts.get(conv.id)
        if typing:
            bottom.append("typing…", Style(color=self._colour("success") or None, italic=True))
        elif draft:
            bottom.append("Draft: ", Style(color=self._colour("warning") or None, italic=True))
            room = max(1, width - 10 - len(badge))
            preview = Text(one_line(draft, 200), muted, end="")
            preview.truncate(room, overflow="ellipsis")
            bottom.append_text(preview)
        else:
            room = max(1, width - 3 - len(badge))
            preview = Text(one_line(conv.last_preview, 200), muted, end="")
            preview.truncate(room, overflow="ellipsis")  # by cells: emoji are two wide
            bottom.append_text(preview)
        if badge:
            bottom.pad_right(max(0, width - bottom.cell_len - len(badge) - 1))
            bottom.append(badge, Style(color="black", bgcolor=self._colour("accent") or None))
        return top, bottom

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        row = index // ROW
        if row >= len(self.order):
            return Strip.blank(width, base)
        conv = self.records[self.order[row]]
        lines = self._row_lines(conv, width)
        text = lines[index % ROW]
        text.truncate(width, overflow="ellipsis")
        if conv.id == self.highlighted:
            text.pad_right(width - text.cell_len)
            text.stylize_before(self._highlight_style(base))  # the badge keeps its own
        strip = Strip(list(text.render(self.app.console)), text.cell_len)
        strip = strip.apply_meta({"conversation_id": conv.id})
        return strip.crop_extend(scroll_x, scroll_x + width, base).apply_style(base)

    def _highlight_style(self, base: Style) -> Style:
        """The row under the cursor: when the list has focus, a shade clearly apart from the
        list's own background at any colour depth (reverse video if the theme has none)."""
        if not self.has_focus:
            return Style(bgcolor=self._colour("boost") or None)
        background = base.bgcolor.get_truecolor().hex if base.bgcolor is not None else "#000000"
        candidates = [self._colour(n) for n in ("secondary", "primary", "accent-darken-3")]
        shade = distinct_shade(background, candidates)
        return Style(bgcolor=shade, bold=True) if shade else Style(reverse=True, bold=True)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(0, len(self.order) * ROW)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # --- actions ---------------------------------------------------------------------------
    def _scroll_to_highlight(self) -> None:
        if self.highlighted not in self.order:
            return
        top = self.order.index(self.highlighted) * ROW
        height = self.scrollable_content_region.height
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True, force=True)
        elif top + ROW > self.scroll_y + height:
            self.scroll_to(y=top + ROW - height, animate=False, immediate=True, force=True)

    def action_move(self, step: int) -> None:
        if not self.order:
            return
        i = self.order.index(self.highlighted) if self.highlighted in self.order else -1
        i = max(0, min(len(self.order) - 1, i + step))
        self.highlighted = self.order[i]
        self._scroll_to_highlight()
        self.refresh()

    def action_edge(self, end: int) -> None:
        if self.order:
            self.highlighted = self.order[-1 if end else 0]
            self._scroll_to_highlight()
            self.refresh()

    def action_choose(self) -> None:
        conv = self.current
        if conv is not None:
            self.post_message(self.Selected(conv))

    def on_click(self, event: events.Click) -> None:
        cid = event.style.meta.get("conversation_id") if event.style else None
        if isinstance(cid, int) and cid in self.records:
            self.highlighted = cid
            self.refresh()
            self.post_message(self.Selected(self.records[cid]))

    def row_texts(self) -> list[str]:
        """Plain text of each visible conversation row (tests)."""
        width = self.scrollable_content_region.width or 40
        out = []
        for cid in self.order:
            top, bottom = self._row_lines(self.records[cid], width)
            out.append(f"{top.plain.strip()} | {bottom.plain.strip()}")
        return out
