"""Account setup: server URL, then choose/link/register an account. Minimal first version."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from signal_tui.config import Config, save_settings


class AccountSetupScreen(ModalScreen[Config | None]):
    """Ask for server URL and account number; save them; dismiss with the new Config."""

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config

    def compose(self) -> ComposeResult:
        with Vertical(id="account-setup"):
            yield Label("Server URL")
            yield Input(self.config.url or "", placeholder="http://localhost:8080", id="url")
            yield Label("Account (phone number)")
            yield Input(self.config.account or "", placeholder="+4912345678", id="account")
            yield Button("Save", id="save", variant="primary")
            yield Button("Cancel", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
            return
        url = self.query_one("#url", Input).value.strip().rstrip("/")
        account = self.query_one("#account", Input).value.strip()
        if not url or not account:
            self.notify("Both server URL and account are needed.", severity="error")
            return
        updates: dict[str, Any] = {"url": url, "account": account}
        save_settings(self.config.config_file, updates)
        self.dismiss(self.config.replace(**updates))


class SwitchAccountScreen(AccountSetupScreen):
    """Placeholder until the full account chooser lands."""
