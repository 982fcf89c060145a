"""Emoji picker: search by name or :shortcode:, recent emoji first, Enter picks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from signal_tui.text import one_line
from signal_tui.ui.emoji_data import BY_CHAR, EMOJI, Emoji

MAX_RESULTS = 200


def search_emoji(query: str, recent: Sequence[str] = ()) -> list[Emoji]:
    """Emoji matching `query`, best first.

    `:thu`, `thu` and `thumbs` all find 👍: shortcode prefixes rank first, then name-word
    prefixes, then substrings anywhere. Within a rank, emoji from `recent` come first (in that
    order), then table order. An empty query lists recent emoji, then the whole table.
    A trailing ":" (a completed `:shortcode:`) narrows to exact shortcode matches when any exist.
    """
    q = query.strip().lower()
    exact = q.startswith(":") and q.endswith(":") and len(q) > 2
    q = q.strip(":").strip()
    recent_rank = {char: i for i, char in enumerate(dict.fromkeys(recent))}
    ranked: list[tuple[int, int, int, Emoji]] = []
    for index, emoji in enumerate(EMOJI):
        rank = _rank(emoji, q, exact)
        if rank is not None:
            ranked.append((rank, recent_rank.get(emoji.char, len(recent_rank)), index, emoji))
    ranked.sort(key=lambda row: row[:3])
    found = [row[3] for row in ranked]
    if not q:
        # recent emoji first in recent order, including ones typed directly (not in the table)
        top = [BY_CHAR.get(c) or Emoji(c, "recent", (), "recent") for c in recent_rank]
        found = top + [e for e in found if e.char not in recent_rank]
    return found


def _rank(emoji: Emoji, q: str, exact: bool) -> int | None:
    if not q:
        return 0
    codes = emoji.shortcodes
    if exact:
        return 0 if q in codes else None
    if q in codes:
        return 0
    if any(code.startswith(q) for code in codes):
        return 1
    words = emoji.name.replace("-", " ").split()
    if all(any(word.startswith(part) for word in words) for part in q.split()):
        return 2
    if any(q in code for code in codes) or q in emoji.name:
        return 3
    if emoji.char == q:
        return 0
    return None


def emoji_label(emoji: Emoji) -> Text:
    """One result row: the emoji, its first :shortcode: and its name."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append(emoji.char)
    text.append("  ")
    if emoji.shortcodes:
        text.append(f":{emoji.shortcodes[0]}:", style="bold")
        text.append("  ")
    text.append(emoji.name, style="dim")
    return text


def _typed_emoji(value: str) -> str | None:
    """An emoji the user typed or pasted directly (not in our table), if `value` looks like one."""
    value = one_line(value)
    if value and len(value) <= 8 and not any(c.isascii() for c in value):
        return value
    return None


class EmojiPicker(ModalScreen[str | None]):
    """Type to filter; ↑/↓ move; Enter picks the highlighted emoji; Esc cancels (None)."""

    DEFAULT_CSS = """
    EmojiPicker { align: center middle; }
    EmojiPicker > #emoji-dialog {
        width: 56; max-width: 95%; height: 20; max-height: 90%;
        border: thick $primary; background: $surface; border-title-align: center;
    }
    EmojiPicker #emoji-results { height: 1fr; border: none; text-wrap: nowrap; text-overflow: ellipsis; }
    EmojiPicker #emoji-hint { color: $text-muted; height: 1; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Down", show=False),
        Binding("up", "move(-1)", "Up", show=False),
        Binding("pagedown", "move(8)", show=False),
        Binding("pageup", "move(-8)", show=False),
    ]

    def __init__(self, recent: Iterable[str] = ()) -> None:
        super().__init__()
        self.recent = list(recent)
        self._shown: list[Emoji] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="emoji-dialog") as dialog:
            dialog.border_title = "React"
            yield Input(placeholder="Search: name or :shortcode:", id="emoji-search")
            yield OptionList(id="emoji-results")
            yield Static("Enter picks · Esc cancels", id="emoji-hint", markup=False)

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#emoji-search", Input).focus()

    def _fill(self, query: str) -> None:
        self._shown = search_emoji(query, self.recent)[:MAX_RESULTS]
        results = self.query_one("#emoji-results", OptionList)
        results.set_options(Option(emoji_label(e)) for e in self._shown)
        if self._shown:
            results.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_move(self, delta: int) -> None:
        results = self.query_one("#emoji-results", OptionList)
        if not self._shown:
            return
        current = results.highlighted if results.highlighted is not None else 0
        results.highlighted = max(0, min(len(self._shown) - 1, current + delta))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        results = self.query_one("#emoji-results", OptionList)
        if self._shown and results.highlighted is not None:
            self.dismiss(self._shown[results.highlighted].char)
        elif (typed := _typed_emoji(event.value)) is not None:
            self.dismiss(typed)
        else:
            self.notify("No emoji matches that.", severity="warning", markup=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self._shown[event.option_index].char)

    def action_cancel(self) -> None:
        self.dismiss(None)
