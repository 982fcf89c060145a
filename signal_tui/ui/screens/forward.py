"""Pick the conversation to forward a message to: type to filter, Enter forwards.

Conversation titles are other people's words: options are built as Text, never markup.
"""

from __future__ import annotations

from typing import Protocol

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from signal_tui.store.models import Conversation
from signal_tui.text import safe_line


class ConversationSource(Protocol):
    async def list_conversations(self) -> list[Conversation]: ...


class ForwardPicker(ModalScreen[int | None]):
    """Dismisses the chosen conversation id (or None)."""

    DEFAULT_CSS = """
    ForwardPicker { align: center middle; }
    ForwardPicker > Vertical {
        width: 64; max-width: 95%; height: 80%; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    ForwardPicker OptionList { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("down", "to_list", show=False)]

    def __init__(self, store: ConversationSource, *, exclude: int | None = None) -> None:
        super().__init__()
        self.store = store
        self.exclude = exclude
        self.conversations: list[Conversation] = []
        self.shown: list[Conversation] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Forward to…", markup=False)
            yield Input(placeholder="Filter chats", id="forward-filter")
            yield OptionList(id="forward-list")

    async def on_mount(self) -> None:
        self.conversations = [
            c for c in await self.store.list_conversations() if c.id != self.exclude and not c.left
        ]
        self._show("")
        self.query_one(Input).focus()

    def _show(self, query: str) -> None:
        q = query.casefold().strip()
        self.shown = [
            c
            for c in self.conversations
            if not q or q in c.title.casefold() or q in (c.number or "")
        ]
        options = self.query_one(OptionList)
        options.set_options(
            Option(safe_line(("# " if c.kind == "group" else "") + c.title, limit=60))
            for c in self.shown
        )
        if self.shown:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        highlighted = self.query_one(OptionList).highlighted
        if self.shown and highlighted is not None:
            self.dismiss(self.shown[highlighted].id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.shown[event.option_index].id)

    def action_to_list(self) -> None:
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
