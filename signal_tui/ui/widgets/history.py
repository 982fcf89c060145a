"""The message history: a Line-API ScrollView over a bounded window of messages paged from SQLite.

Never one widget per message and never the whole conversation: the view holds at most
`MAX_WINDOW` messages, loads pages with keyset cursors (store.messages_before/after) as the user
scrolls towards either edge, and renders only the visible lines (`render_line`). Each message's
lines are built once per width and cached, so a repaint after scrolling costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message as TMessage
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.worker import Worker

from signal_tui.store import Store
from signal_tui.store.models import Message
from signal_tui.ui.messages import forward_failure
from signal_tui.ui.widgets.blocks import RenderContext, message_lines, separator_line
from signal_tui.ui.widgets.history_paging import MAX_WINDOW, HistoryPaging
from signal_tui.ui.widgets.render import PALETTE_VARIABLES, day_key, day_label
from signal_tui.ui.widgets.theme import theme_colours

EDGE = 8
EMPTY_HINT = "  Pick a chat: j/k and Enter · ctrl+n new chat · ctrl+f search"


@dataclass
class _Entry:
    kind: str  # "day" | "new" (the "new messages" divider) | "msg"
    message: Message | None = None
    label: str = ""


class History(HistoryPaging, ScrollView, can_focus=True):
    """Scrollable history of one conversation with a selected-message cursor."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Prev", show=False),
        Binding("down,j", "cursor(1)", "Next", show=False),
        Binding("enter", "activate", "Actions"),
        Binding("home,g", "first", "Oldest", show=False),
        Binding("end,G", "last", "Newest", show=False),
        Binding("u", "new", "First unread", show=False),
        Binding("l", "open_link", "Open link", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
    ]

    DEFAULT_CSS = """
    History { background: $surface; scrollbar-size-vertical: 1; overflow-x: hidden; }
    """

    class AtNewest(TMessage):
        """The newest message is in view (the screen marks the chat read)."""

        def can_replace(self, message: TMessage) -> bool:
            return isinstance(message, History.AtNewest)

    class LinkRequested(TMessage):
        """`l` on the selected message: the screen opens its link (a picker for several)."""

        def __init__(self, message: Message) -> None:
            super().__init__()
            self.message = message

    class Activated(TMessage):
        """Enter on the selected message: the screen opens the actions menu."""

        def __init__(self, message: Message) -> None:
            super().__init__()
            self.message = message

    def __init__(self, *, now: Callable[[], datetime], **kw: Any) -> None:
        super().__init__(**kw)
        self._now = now
        self.store: Store | None = None
        self.conversation_id: int | None = None
        self.is_group = False
        self.messages: list[Message] = []
        self.more_before = False
        self.more_after = False  # True when the window does not reach the newest message
        self.selected_id: int | None = None
        self.highlight_id: int | None = None
        self.new_from: int | None = None  # the "new messages" divider stands before this one
        self.new_label = ""
        self.follow = True  # at the bottom: new messages scroll into view
        self.revealed: set[int] = set()
        self.image_lines: Callable[..., list[Text]] | None = None
        self._entries: list[_Entry] = []
        self._lines: list[tuple[int, int]] = []  # per visual line: (entry index, line in entry)
        self._cache: dict[tuple[Message, int, bool, bool, bool], list[Strip]] = {}
        self._loading = False
        self._width = 0
        self._colours: dict[str, str] = {}
        self._colours_theme = ""  # the theme _colours were resolved for
        self.self_id: int | None = None
        self.names: dict[int, str] = {}  # mention names resolved from the store
        self.progress: dict[int, tuple[int, int | None]] = {}  # attachment id -> downloaded
        self.loads = 0  # page queries run (tests and the benchmark read it)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    def notify_style_update(self) -> None:
        """Styles changed; when the theme did, the colours painted into lines are stale."""
        super().notify_style_update()
        if self._colours and self.is_mounted and self.app.theme != self._colours_theme:
            self._colours = {}
            self._cache.clear()
            self.refresh()

    # --- layout ----------------------------------------------------------------------------
    def _render_ctx(self) -> RenderContext:
        if not self._colours:
            self._colours_theme = self.app.theme
            try:
                self._colours = theme_colours(self.app.get_css_variables())
            except Exception:
                self._colours = {}
        palette = [self._colours[v] for v in PALETTE_VARIABLES if v in self._colours]
        return RenderContext(
            now=self._now(),
            is_group=self.is_group,
            colours=self._colours,
            palette=palette,
            revealed=self.revealed,
            image_lines=self.image_lines,
            self_id=self.self_id,
            names=self.names,
            progress=self.progress,
        )

    def _relayout(self) -> None:
        width = max(20, self.scrollable_content_region.width or 80)
        self._width = width
        now = self._now()
        entries: list[_Entry] = []
        last_day: tuple[int, int, int] | None = None
        for m in self.messages:
            key = day_key(m.sent_ts)
            if key != last_day:
                entries.append(_Entry("day", label=day_label(m.sent_ts, now)))
                last_day = key
            if m.id == self.new_from:
                entries.append(_Entry("new", label=self.new_label))
            entries.append(_Entry("msg", m))
        self._entries = entries
        ctx = self._render_ctx()
        lines: list[tuple[int, int]] = []
        for ei, entry in enumerate(entries):
            for li in range(len(self._strips(ei, entry, ctx))):
                lines.append((ei, li))
        self._lines = lines
        self.virtual_size = Size(0, len(lines))
        self.refresh()

    def _strips(self, ei: int, entry: _Entry, ctx: RenderContext | None = None) -> list[Strip]:
        console = self.app.console
        if entry.kind in ("day", "new"):
            ctx = ctx or self._render_ctx()
            text = separator_line(entry.label, ctx, self._width, new=entry.kind == "new")
            return [Strip(list(text.render(console)), text.cell_len)]
        msg = entry.message
        assert msg is not None
        key = (  # by value: an unchanged message is never re-wrapped after a reload
            msg,
            self._width,
            msg.id == self.selected_id,
            msg.id == self.highlight_id,
            msg.id in self.revealed,
        )
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        ctx = ctx or self._render_ctx()
        texts = message_lines(
            msg,
            ctx,
            console,
            self._width,
            selected=key[2],
            highlighted=key[3],
        )
        strips = [
            t if isinstance(t, Strip) else Strip(list(t.render(console)), t.cell_len) for t in texts
        ]
        if len(self._cache) > 3 * MAX_WINDOW:
            self._cache.clear()
        self._cache[key] = strips
        return strips

    def on_resize(self, event: events.Resize) -> None:
        width = self.scrollable_content_region.width
        if width and max(20, width) != self._width:
            self._cache.clear()
            at_bottom = self.is_vertical_scroll_end
            self._relayout()
            if at_bottom:
                self._stick_to_bottom()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        base = self.rich_style
        width = self.scrollable_content_region.width
        if index >= len(self._lines):
            if self.conversation_id is None and y == 1:
                hint = Text(EMPTY_HINT, style="italic", end="")
                hint.truncate(width, overflow="ellipsis")
                strip = Strip(list(hint.render(self.app.console)), hint.cell_len)
                return strip.crop_extend(0, width, base).apply_style(base)
            return Strip.blank(width, base)
        ei, li = self._lines[index]
        strips = self._strips(ei, self._entries[ei])
        strip = strips[li] if li < len(strips) else Strip.blank(width)
        entry = self._entries[ei]
        if entry.kind == "msg" and entry.message is not None:
            strip = strip.apply_meta({"message_id": entry.message.id})
        return strip.crop_extend(scroll_x, scroll_x + width, base).apply_style(base)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if self.store is None:
            return
        # follow the newest message while the user is at the bottom; scrolling up stops that
        if new >= self.max_scroll_y - 1 and not self.more_after:
            if not self.follow:
                self.follow = True
            self.post_message(self.AtNewest())
        elif new < old:
            self.follow = False
        if new <= EDGE and self.more_before:
            self.run_worker(self._load_older(), group="history-page", exit_on_error=False)
        elif new >= self.max_scroll_y - EDGE and self.more_after:
            self.run_worker(self._load_newer(), group="history-page", exit_on_error=False)

    # --- anchors (keep the view steady when pages are added or dropped) --------------------
    def _top_anchor(self) -> tuple[int, int] | None:
        """(id of the first message at or below the top line, its first line minus scroll_y)."""
        y = int(self.scroll_y)
        for index in range(y, len(self._lines)):
            ei, li = self._lines[index]
            message = self._entries[ei].message
            if message is not None:
                return message.id, index - li - y
        return None

    def _restore_anchor(self, anchor: tuple[int, int] | None) -> None:
        if anchor is None:
            return
        mid, delta = anchor
        for y, (ei, eli) in enumerate(self._lines):
            m = self._entries[ei].message
            if m is not None and m.id == mid and eli == 0:
                self._scroll_y(y - delta)
                return

    def _start_at_new(self) -> None:
        """Opened with unread messages: when they do not all fit, start at the divider."""
        for y, (ei, _li) in enumerate(self._lines):
            if self._entries[ei].kind == "new":
                height = self.scrollable_content_region.height
                if len(self._lines) - y > height:
                    self.follow = False
                    self._scroll_y(y - 1)
                return

    def _scroll_y(self, y: float) -> None:
        """Scroll at once. Forced: right after the first page grows the virtual size, Textual
        has not shown the scrollbar yet and would ignore an unforced scroll (the chat then
        opened at its oldest line instead of the newest or the "new messages" line)."""
        self.scroll_to(y=max(0, y), animate=False, immediate=True, force=True)

    def _stick_to_bottom(self) -> None:
        """Scroll to the newest line once the new virtual size is laid out."""
        self._scroll_y(self.max_scroll_y)
        self.call_after_refresh(self._end_if_following)

    def _end_if_following(self) -> None:
        if self.follow:  # not when a key (u, k, a search hit) moved away in the meantime
            self._scroll_y(self.max_scroll_y)

    # --- selection -------------------------------------------------------------------------
    @property
    def selected(self) -> Message | None:
        for m in self.messages:
            if m.id == self.selected_id:
                return m
        return None

    def _line_of(self, message_id: int) -> tuple[int, int] | None:
        start = None
        for y, (ei, _li) in enumerate(self._lines):
            m = self._entries[ei].message
            if m is not None and m.id == message_id:
                if start is None:
                    start = y
                end = y
            elif start is not None:
                return start, end
        return (start, end) if start is not None else None

    def _scroll_to_selected(self, center: bool = False) -> None:
        if self.selected_id is None:
            return
        span = self._line_of(self.selected_id)
        if span is None:
            return
        top, bottom = span
        height = self.scrollable_content_region.height
        if center:
            self._scroll_y(top - height // 3)
        elif top < self.scroll_y:
            self._scroll_y(top)
        elif bottom >= self.scroll_y + height:
            self._scroll_y(max(top, bottom - height + 1))

    def select(self, message_id: int | None) -> None:
        self.selected_id = message_id
        self._relayout()
        self._scroll_to_selected()

    def action_cursor(self, step: int) -> None:
        if not self.messages:
            return
        ids = [m.id for m in self.messages]
        if self.selected_id not in ids:
            index = len(ids) - 1 if step < 0 else 0
            if step > 0 and self.is_vertical_scroll_end:
                index = len(ids) - 1
        else:
            index = max(0, min(len(ids) - 1, ids.index(self.selected_id) + step))
        self.select(ids[index])
        if index == 0 and self.more_before:
            self.run_worker(self._load_older(), group="history-page", exit_on_error=False)
        elif index == len(ids) - 1 and self.more_after:
            self.run_worker(self._load_newer(), group="history-page", exit_on_error=False)

    def action_first(self) -> None:
        self.scroll_home(animate=False)

    def action_last(self) -> None:
        """The newest message, even when the window was paged back past it."""
        self.selected_id = None
        if self.more_after:
            self.run_worker(self.show_newest(), group="history-page", exit_on_error=False)
            return
        self.follow = True
        self._relayout()
        self._stick_to_bottom()

    def action_new(self) -> None:
        """To the "new messages" divider (the first message not read when the chat opened)."""
        if self.new_from is None:
            self.action_last()
            return
        if all(m.id != self.new_from for m in self.messages):
            self.run_worker(self.show_new_line(), group="history-page", exit_on_error=False)
            return
        self._scroll_to_new()

    def _scroll_to_new(self) -> None:
        """Select the first unread message and put the divider near the top."""
        if self.new_from is None:
            return
        self.follow = False
        self.select(self.new_from)
        span = self._line_of(self.new_from)
        if span is not None:
            self._scroll_y(span[0] - 2)

    def action_page(self, direction: int) -> None:
        if direction < 0:
            self.scroll_page_up(animate=False)
        else:
            self.scroll_page_down(animate=False)

    def show_progress(self, attachment_id: int, done: int, total: int | None) -> None:
        """A download moved on: repaint the message it belongs to, if it is in view."""
        self.progress[attachment_id] = (done, total)
        for m in self.messages:
            if any(a.id == attachment_id for a in m.attachments):
                self._cache = {k: v for k, v in self._cache.items() if k[0].id != m.id}
                self.refresh()
                return

    def action_open_link(self) -> None:
        msg = self.selected
        if msg is not None:
            self.post_message(self.LinkRequested(msg))

    def action_activate(self) -> None:
        msg = self.selected
        if msg is not None:
            self.post_message(self.Activated(msg))

    def on_click(self, event: events.Click) -> None:
        mid = event.style.meta.get("message_id") if event.style else None
        if isinstance(mid, int):
            if mid == self.selected_id and event.chain >= 2:
                self.action_activate()
            else:
                self.select(mid)

    def visible_text(self) -> str:
        """Plain text of the visible lines (tests, screen readers, copy)."""
        height = self.scrollable_content_region.height
        out = []
        for y in range(height):
            strip = self.render_line(y)
            out.append("".join(seg.text for seg in strip if isinstance(seg, Segment)).rstrip())
        return "\n".join(out)

    def all_text(self) -> str:
        """Plain text of every line in the window (tests)."""
        out = []
        for ei, li in self._lines:
            strip = self._strips(ei, self._entries[ei])[li]
            out.append("".join(seg.text for seg in strip).rstrip())
        return "\n".join(out)
