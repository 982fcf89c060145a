"""All keys, grouped by where they work. Built from data the app passes in (its bindings)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from signal_tui.text import clean, one_line

Sections = Sequence[tuple[str, Sequence[tuple[str, str]]]]


def help_text(sections: Sections | str, width: int = 70) -> Text:
    """Render sections [(title, [(key, description)])] as aligned columns, long descriptions
    wrapped inside their own column (never under the keys); a str is shown as is."""
    if isinstance(sections, str):
        return Text(clean(sections), end="")
    out = Text(end="")
    keys = [one_line(key) for _, rows in sections for key, _ in rows]
    column = min(24, max((len(k) for k in keys), default=0) + 2)
    for index, (title, rows) in enumerate(sections):
        if index:
            out.append("\n\n")
        out.append(one_line(title), style="bold underline")
        for key, description in rows:
            out.append("\n")
            out.append(one_line(key).ljust(column), style="bold")
            lines = textwrap.wrap(one_line(description), max(20, width - column)) or [""]
            out.append(("\n" + " " * column).join(lines))
    return out


class HelpScreen(ModalScreen[None]):
    """Scrollable list of every key. Esc, q, F1 or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > #help-dialog {
        width: 76; max-width: 95%; height: 90%; padding: 0 1;
        border: thick $primary; background: $surface;
        border-title-align: center;
    }
    HelpScreen #help-body { height: auto; }
    HelpScreen #help-footer { color: $text-muted; height: 1; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
        Binding("f1", "close", "Close", show=False),
        Binding("question_mark", "close", "Close", show=False),
    ]

    def __init__(self, sections: Sections | str) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog") as dialog:
            dialog.border_title = "Keys"
            with VerticalScroll(id="help-scroll"):
                yield Static(help_text(self.sections), id="help-body", markup=False)
            yield Static("Esc closes · ↑/↓ PgUp/PgDn scroll", id="help-footer", markup=False)

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
