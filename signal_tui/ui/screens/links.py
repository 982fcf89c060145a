"""Pick one of a message's links to open. URLs come from other people: shown as Text."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from signal_tui.text import safe_line


class LinkPicker(ModalScreen[str | None]):
    """Dismisses the chosen URL (or None)."""

    DEFAULT_CSS = """
    LinkPicker { align: center middle; }
    LinkPicker > Vertical {
        width: 90; max-width: 95%; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    LinkPicker OptionList { height: auto; max-height: 12; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, links: list[str]) -> None:
        super().__init__()
        self.links = links

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Open which link?", markup=False)
            yield OptionList(*(Option(safe_line(url, limit=200)) for url in self.links))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.links[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
