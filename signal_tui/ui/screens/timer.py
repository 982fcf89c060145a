"""Pick a disappearing-messages timer for the open chat (off, 30 s … 4 weeks)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from signal_tui.ui.screens.admin.base import TIMER_CHOICES, format_timer


class TimerScreen(ModalScreen[int | None]):
    """Dismisses the chosen timer in seconds (0 = off), or None."""

    DEFAULT_CSS = """
    TimerScreen { align: center middle; }
    TimerScreen > Vertical {
        width: 44; height: auto; padding: 1 2; border: thick $primary; background: $surface;
    }
    TimerScreen OptionList { height: auto; max-height: 12; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: int) -> None:
        super().__init__()
        self.current = current
        self.choices = list(TIMER_CHOICES)
        if current not in self.choices:
            self.choices.append(current)
            self.choices.sort()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Disappearing messages", markup=False)
            yield OptionList(
                *(
                    Option(format_timer(s) + ("  (now)" if s == self.current else ""))
                    for s in self.choices
                ),
                id="timer-choices",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.choices.index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
