"""Header and status line: conversation identity and the receiver's connection state.

Both are plain Statics fed with cleaned Text (never markup). The connection state is always
visible, in the status line at the bottom of the main screen and in the conversation header.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from signal_tui.core.session import ReceiverState
from signal_tui.store.models import Conversation
from signal_tui.text import one_line
from signal_tui.ui.widgets.render import conversation_subtitle

_STATE_ICON = {
    "connected": "●",
    "connecting": "◌",
    "reconnecting": "◌",
    "offline": "○",
    "error": "✗",
}


def describe_state(state: ReceiverState) -> Text:
    """'● connected (json-rpc)' / '◌ reconnecting in 4 s: connection refused'."""
    icon = _STATE_ICON.get(state.state, "?")
    style = {"connected": "green", "error": "red", "reconnecting": "yellow"}.get(state.state, "")
    text = Text(icon + " ", style=style, end="", no_wrap=True, overflow="ellipsis")
    text.append(one_line(state.describe(), 160))
    return text


class ConversationHeader(Static):
    """Name, number or member count, disappearing timer, connection state."""

    DEFAULT_CSS = """
    ConversationHeader { height: 1; background: $primary-background; padding: 0 1; }
    """

    def __init__(self, **kw: object) -> None:
        super().__init__("", markup=False, **kw)  # type: ignore[arg-type]
        self.conversation: Conversation | None = None
        self.state = ReceiverState("offline")
        self.typing = ""

    def show(
        self,
        conversation: Conversation | None,
        state: ReceiverState | None = None,
        typing: str | None = None,
    ) -> None:
        self.conversation = conversation
        if state is not None:
            self.state = state
        if typing is not None:
            self.typing = typing
        text = Text(end="", no_wrap=True, overflow="ellipsis")
        if conversation is None:
            text.append("signal-tui", "bold")
        else:
            text.append(one_line(conversation.title, 60) or "Unknown", "bold")
            sub = conversation_subtitle(conversation)
            if sub:
                text.append("  " + sub, "dim")
            if self.typing:
                text.append("  " + one_line(self.typing, 60), "italic green")
        text.append("   ")
        text.append_text(describe_state(self.state))
        self.update(text)


class StatusBar(Static):
    """Bottom line: connection state, unread total, account."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, **kw: object) -> None:
        super().__init__("", markup=False, **kw)  # type: ignore[arg-type]
        self.state = ReceiverState("offline")
        self.account = ""
        self.unread = 0

    def show(
        self,
        state: ReceiverState | None = None,
        *,
        account: str | None = None,
        unread: int | None = None,
    ) -> None:
        if state is not None:
            self.state = state
        if account is not None:
            self.account = account
        if unread is not None:
            self.unread = unread
        text = describe_state(self.state)
        if self.unread:
            text.append(f"   {self.unread} unread")
        if self.account:
            text.append("   " + one_line(self.account, 40))
        self.update(text)
