"""Global search: full-text search over the cache as you type, results with highlighted snippets."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Protocol

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Checkbox, Input, OptionList, Static
from textual.widgets.option_list import Option

from signal_tui.store.models import SearchHit
from signal_tui.text import clean, count, one_line

DEBOUNCE_S = 0.08
START, END = "\x02", "\x03"
MATCH_STYLE = "bold reverse"


class SearchStore(Protocol):
    """The part of Store this screen uses."""

    async def search(
        self, query: str, *, conversation_id: int | None = None, limit: int = 50
    ) -> list[SearchHit]: ...


def snippet_text(snippet: str, style: str = MATCH_STYLE) -> Text:
    """Turn a store snippet into one line of Text with the matched terms styled.

    The store wraps matches in \\x02 … \\x03. They are parsed here, before cleaning (clean would
    strip them as control characters); unbalanced markers are tolerated. Never markup.
    """
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    inside = False
    piece: list[str] = []

    def flush() -> None:
        if piece:
            text.append(one_line_keep_edges("".join(piece)), style=style if inside else "")
            piece.clear()

    for char in snippet:
        if char in (START, END):
            flush()
            inside = char == START
        else:
            piece.append(char)
    flush()
    return text


def one_line_keep_edges(value: str) -> str:
    """Like one_line, but keeps a single leading/trailing space so words stay apart."""
    flat = " ".join(clean(value, keep_newlines=False).split())
    if flat and value[:1].isspace():
        flat = " " + flat
    if flat and value[-1:].isspace():
        flat += " "
    return flat


def hit_label(hit: SearchHit) -> Text:
    """Two lines: conversation · author (when different) · date, then the snippet."""
    label = Text(end="")
    label.append(one_line(hit.conversation_title, 40), style="bold")
    if hit.author_name != hit.conversation_title:  # groups, and own messages in direct chats
        label.append(" · ")
        label.append(one_line(hit.author_name, 30))
    label.append("  " + datetime.fromtimestamp(hit.sent_ts / 1000).strftime("%Y-%m-%d %H:%M"))
    label.append("\n  ")
    label.append_text(snippet_text(hit.snippet))
    return label


class SearchScreen(ModalScreen[SearchHit | None]):
    """Type to search (debounced, in a worker; stale results dropped); Enter opens the highlighted
    hit; Esc closes. With `conversation_id`, ctrl+t toggles "this conversation only"."""

    DEFAULT_CSS = """
    SearchScreen { align: center top; }
    SearchScreen > #search-dialog {
        width: 90%; max-width: 120; height: 80%; margin-top: 1;
        border: thick $primary; background: $surface; border-title-align: center;
    }
    SearchScreen #search-bar { height: auto; }
    SearchScreen #search-input { width: 1fr; }
    SearchScreen #search-scope { width: auto; }
    SearchScreen #search-results { height: 1fr; border: none; text-wrap: nowrap; text-overflow: ellipsis; }
    SearchScreen #search-status { color: $text-muted; height: 1; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Close"),
        Binding("down", "move(1)", "Next", show=False),
        Binding("up", "move(-1)", "Previous", show=False),
        Binding("pagedown", "move(5)", show=False),
        Binding("pageup", "move(-5)", show=False),
        Binding("ctrl+t", "toggle_scope", "This conversation only"),
    ]

    def __init__(
        self, store: SearchStore, conversation_id: int | None = None, *, limit: int = 50
    ) -> None:
        super().__init__()
        self.store = store
        self.conversation_id = conversation_id
        self.limit = limit
        self.hits: list[SearchHit] = []
        self._timer: Timer | None = None
        self._generation = 0  # bumped on every keystroke; older results are stale

    def compose(self) -> ComposeResult:
        with Vertical(id="search-dialog") as dialog:
            dialog.border_title = "Search messages"
            with Horizontal(id="search-bar"):
                yield Input(placeholder="Search all conversations", id="search-input")
                if self.conversation_id is not None:
                    yield Checkbox("This conversation only", id="search-scope")
            yield OptionList(id="search-results")
            yield Static("Type to search", id="search-status", markup=False)

    def on_mount(self) -> None:
        self.query_one("#search-input", Input).focus()

    @property
    def scoped(self) -> bool:
        if self.conversation_id is None:
            return False
        return self.query_one("#search-scope", Checkbox).value

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._schedule()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        self._schedule()
        self.query_one("#search-input", Input).focus()

    def action_toggle_scope(self) -> None:
        if self.conversation_id is not None:
            self.query_one("#search-scope", Checkbox).toggle()

    def _schedule(self) -> None:
        self._generation += 1
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_S, self._start_search)

    def _start_search(self) -> None:
        query = self.query_one("#search-input", Input).value
        if not query.strip():
            self._show([], "Type to search")
            return
        scope = self.conversation_id if self.scoped else None
        self.run_worker(
            self._search(query, scope, self._generation), exclusive=True, group="search"
        )

    async def _search(self, query: str, scope: int | None, generation: int) -> None:
        try:
            hits = await self.store.search(query, conversation_id=scope, limit=self.limit)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a broken query must not kill the screen: say so instead
            if generation == self._generation:
                self._show([], f"Search failed: {one_line(exc, 80)}")
            return
        if generation != self._generation:
            return  # the user typed on; a newer search is coming
        if hits:
            found = (
                f"{len(hits)}+ results" if len(hits) >= self.limit else count(len(hits), "result")
            )
            status = f"{found} · Enter opens"
        else:
            status = "No messages found"
        self._show(hits, status)

    def _show(self, hits: list[SearchHit], status: str) -> None:
        self.hits = hits
        results = self.query_one("#search-results", OptionList)
        results.set_options(Option(hit_label(hit)) for hit in hits)
        if hits:
            results.highlighted = 0
        self.query_one("#search-status", Static).update(status)

    def on_key(self, event: events.Key) -> None:
        """Typing while the results list has focus goes on editing the query."""
        search = self.query_one("#search-input", Input)
        results = self.query_one("#search-results", OptionList)
        if event.is_printable and event.character and self.focused is results:
            event.stop()
            event.prevent_default()
            search.focus()
            search.insert_text_at_cursor(event.character)

    def action_move(self, delta: int) -> None:
        if not self.hits:
            return
        results = self.query_one("#search-results", OptionList)
        current = results.highlighted if results.highlighted is not None else 0
        results.highlighted = max(0, min(len(self.hits) - 1, current + delta))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        results = self.query_one("#search-results", OptionList)
        if self.hits and results.highlighted is not None:
            self.dismiss(self.hits[results.highlighted])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.hits[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


__all__ = ["SearchScreen", "SearchStore", "hit_label", "snippet_text"]
