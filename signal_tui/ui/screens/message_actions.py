"""What can be done with one message: a short menu showing only the actions that apply."""

from __future__ import annotations

import re
from typing import NamedTuple

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from signal_tui.store.models import Message
from signal_tui.text import safe_line
from signal_tui.ui.widgets.render import find_links


class Action(NamedTuple):
    name: str  # the dismiss() result
    key: str  # the character that picks it
    label: str


ACTIONS: tuple[Action, ...] = (
    Action("reply", "r", "Reply"),
    Action("react", "e", "React with emoji"),
    Action("edit", "t", "Edit"),
    Action("copy", "c", "Copy text"),
    Action("open_link", "l", "Open link…"),
    Action("forward", "f", "Forward to another chat…"),
    Action("details", "i", "Details (timestamps, receipts)"),
    Action("reveal_spoiler", "v", "Reveal spoiler"),
    Action("vote", "p", "Vote in poll"),
    Action("open_attachment", "o", "Open attachment"),
    Action("save_attachment", "w", "Save attachment to a folder"),
    Action("retry", "s", "Send again"),
    Action("trust_resend", "T", "Trust new safety number and resend"),
    Action("delete_me", "d", "Delete for me"),
    Action("delete_everyone", "D", "Delete for everyone"),
)
ACTION_NAMES = frozenset(a.name for a in ACTIONS)

# own messages that reached the server: only these can be edited or deleted remotely, and reacting
# to an own message needs its server timestamp too
_ON_SERVER = {None, "sent", "delivered", "read", "viewed"}
_IDENTITY_ERROR = re.compile(r"safety.?number|identity|untrusted", re.IGNORECASE)


def available_actions(message: Message, own: bool) -> list[Action]:
    """The actions that make sense for `message`, in menu order.

    edit / delete for everyone: own, not deleted, already on the server. retry: own and failed or
    unknown. trust and resend: additionally the error names a safety number / identity problem.
    Attachment actions need attachments; vote needs an open poll; reveal needs a spoiler.
    """
    alive = not message.deleted
    text_kind = message.kind == "text"
    on_server = not own or message.status in _ON_SERVER
    failed = own and message.status in ("failed", "unknown")
    checks = {
        "reply": alive and text_kind and on_server,
        "react": alive and text_kind and on_server,
        "edit": own and alive and text_kind and on_server and message.body is not None,
        "copy": alive and bool(message.body),
        "open_link": alive and bool(find_links(message.body or "")),
        "forward": alive
        and not message.view_once
        and message.kind == "text"
        and message.poll is None
        and (bool(message.body) or bool(message.attachments)),
        "details": True,
        "reveal_spoiler": alive and any(s.style == "SPOILER" for s in message.styles),
        "vote": alive and message.poll is not None and not message.poll.closed,
        "open_attachment": alive and bool(message.attachments),
        "save_attachment": alive and bool(message.attachments),
        "retry": failed,
        "trust_resend": failed and bool(message.error and _IDENTITY_ERROR.search(message.error)),
        "delete_me": True,
        "delete_everyone": own and alive and on_server,
    }
    return [action for action in ACTIONS if checks[action.name]]


def _label(action: Action) -> Text:
    text = Text(no_wrap=True, end="")
    text.append(f" {action.key} ", style="bold reverse")
    text.append("  " + action.label)
    return text


class MessageActions(ModalScreen[str | None]):
    """Menu of actions for one message: press an action's key, or move and Enter. Esc = None."""

    DEFAULT_CSS = """
    MessageActions { align: center middle; }
    MessageActions > #actions-dialog {
        width: 52; max-width: 95%; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; border-title-align: center;
    }
    MessageActions #actions-preview { color: $text-muted; height: auto; max-height: 2; padding: 0 1; }
    MessageActions #actions-list { height: auto; max-height: 16; border: none; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, message: Message, own: bool) -> None:
        super().__init__()
        self.message = message
        self.own = own
        self.actions = available_actions(message, own)
        self._by_key = {action.key: action.name for action in self.actions}

    def compose(self) -> ComposeResult:
        with Vertical(id="actions-dialog") as dialog:
            dialog.border_title = "Message"
            yield Static(self._preview(), id="actions-preview", markup=False)
            yield OptionList(
                *(Option(_label(a), id=a.name) for a in self.actions), id="actions-list"
            )

    def _preview(self) -> Text:
        m = self.message
        if m.deleted:
            body = "This message was deleted"
        elif m.body:
            body = m.body
        elif m.attachments:
            body = ", ".join(a.filename for a in m.attachments)
        else:
            body = m.kind
        preview = safe_line(m.author_name, style="bold", limit=30)
        preview.append(": ")
        preview.append_text(safe_line(body, limit=80))
        return preview

    def on_mount(self) -> None:
        self.query_one("#actions-list", OptionList).focus()

    def on_key(self, event: events.Key) -> None:
        name = self._by_key.get(event.character or "")
        if name is not None:
            event.stop()
            event.prevent_default()
            self.dismiss(name)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
