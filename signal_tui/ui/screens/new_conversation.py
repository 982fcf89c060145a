"""Start a conversation by phone number (+E.164) or Signal UUID, validated as you type."""

from __future__ import annotations

import re
import uuid as uuidlib

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

_SEPARATORS = re.compile(r"[\s\-().]")
_E164 = re.compile(r"\+[1-9]\d{6,14}")


def normalize_address(text: str) -> tuple[str | None, str]:
    """Return (address, message): a normalized +E.164 number or lower-case UUID, else None and why.

    Spaces, dashes, dots and brackets inside a number are ignored ("+49 151 2345-678" works); a
    leading "00" is read as "+". The message is a readable sentence for the screen.
    """
    raw = text.strip()
    if not raw:
        return None, "Type a phone number with country code (+4915…) or a Signal UUID."
    try:
        if len(raw) in (32, 36):
            return str(uuidlib.UUID(raw)).lower(), "Signal UUID."
    except ValueError:
        pass
    number = _SEPARATORS.sub("", raw)
    if number.startswith("00"):
        number = "+" + number[2:]
    if _E164.fullmatch(number):
        return number, f"Phone number {number}."
    if number.isdigit():
        return None, "Add the country code: numbers start with + (for example +4915…)."
    if number.startswith("+") and number[1:].isdigit():
        return None, "A phone number has 7 to 15 digits after the +."
    return None, "Not a phone number or UUID."


class NewConversationScreen(ModalScreen[str | None]):
    """Ask for a number or UUID; dismiss with the normalized address (Enter) or None (Esc).

    Whether the address is registered with Signal is checked by the caller (messenger.open_direct),
    which can talk to the server; this screen only checks the form.
    """

    DEFAULT_CSS = """
    NewConversationScreen { align: center middle; }
    NewConversationScreen > #new-dialog {
        width: 64; max-width: 95%; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    NewConversationScreen #new-hint { color: $text-muted; height: auto; margin-top: 1; }
    NewConversationScreen #new-hint.-invalid { color: $error; }
    NewConversationScreen #new-hint.-valid { color: $success; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="new-dialog"):
            yield Label("New conversation: phone number or Signal UUID")
            yield Input(placeholder="+4915123456789", id="new-address")
            yield Static(normalize_address("")[1], id="new-hint", markup=False)

    def on_input_changed(self, event: Input.Changed) -> None:
        address, message = normalize_address(event.value)
        hint = self.query_one("#new-hint", Static)
        hint.update(message)
        hint.set_class(address is not None, "-valid")
        hint.set_class(address is None and bool(event.value.strip()), "-invalid")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        address, message = normalize_address(event.value)
        if address is None:
            hint = self.query_one("#new-hint", Static)
            hint.update(message)
            hint.add_class("-invalid")
            return
        self.dismiss(address)

    def action_cancel(self) -> None:
        self.dismiss(None)
