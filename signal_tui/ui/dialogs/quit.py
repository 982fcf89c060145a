"""Quitting with messages that have not gone out yet: say so, and offer to wait."""

from __future__ import annotations

from typing import Literal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

QuitChoice = Literal["wait", "quit"] | None


class QuitScreen(ModalScreen[QuitChoice]):
    """`unsent` messages are still in the outbox. Wait for them, quit anyway, or stay."""

    DEFAULT_CSS = """
    QuitScreen { align: center middle; }
    QuitScreen > #quit-dialog {
        width: 64; max-width: 90%; height: auto; padding: 1 2;
        border: thick $warning; background: $surface;
    }
    QuitScreen #quit-question { width: 1fr; height: auto; margin-bottom: 1; }
    QuitScreen #quit-buttons { width: 1fr; height: auto; align-horizontal: right; }
    QuitScreen Button { margin-left: 1; }
    """
    BINDINGS = [
        Binding("escape", "choose(None)", "Stay"),
        Binding("w", "choose('wait')", "Wait, then quit", show=False),
        Binding("q", "choose('quit')", "Quit now", show=False),
        Binding("ctrl+q", "choose('quit')", "Quit now", show=False, priority=True),
    ]

    def __init__(self, unsent: int) -> None:
        super().__init__()
        self.unsent = unsent

    def compose(self) -> ComposeResult:
        n = self.unsent
        what = "1 message has" if n == 1 else f"{n} messages have"
        with Vertical(id="quit-dialog"):
            yield Static(
                f"{what} not been sent yet. They are saved in the outbox and go out the next "
                "time signal-tui (or `signal-tui receive --follow`) runs, or wait here until "
                "they are sent.",
                id="quit-question",
                markup=False,
            )
            with Horizontal(id="quit-buttons"):
                yield Button("Stay", id="stay")
                yield Button("Quit now", id="quit", variant="error")
                yield Button("Wait, then quit", id="wait", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#wait", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        choice: QuitChoice = {"wait": "wait", "quit": "quit"}.get(event.button.id or "")  # type: ignore[assignment]
        self.dismiss(choice)

    def action_choose(self, choice: QuitChoice) -> None:
        self.dismiss(choice)
