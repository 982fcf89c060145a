"""A yes/no question. The question often quotes untrusted text (a name, a file), so it is never markup."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from signal_tui.text import plain_line, safe


class ConfirmScreen(ModalScreen[bool]):
    """Ask `question`; dismiss True for `yes`, False for `no`/Esc. Keys: y / n, Enter = focused button."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > #confirm-dialog {
        width: 60; max-width: 90%; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    ConfirmScreen #confirm-question { width: 1fr; height: auto; margin-bottom: 1; }
    ConfirmScreen #confirm-buttons { width: 1fr; height: auto; align-horizontal: right; }
    ConfirmScreen Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape", "answer(False)", "Cancel"),
        Binding("n", "answer(False)", "No", show=False),
        Binding("y", "answer(True)", "Yes", show=False),
    ]

    def __init__(self, question: str, yes: str = "Yes", no: str = "Cancel") -> None:
        super().__init__()
        self.question = question
        # Button parses a str label as markup; a Text label is shown as it is
        self.yes_label = Text(plain_line(yes), end="")
        self.no_label = Text(plain_line(no), end="")

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(safe(self.question), id="confirm-question", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button(self.no_label, id="no")
                yield Button(self.yes_label, id="yes", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
