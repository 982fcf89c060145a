"""Command-palette entries for the administration screens (groups, devices, account, ...).

The main app adds every entry of ADMIN_COMMANDS to its command palette. Each ``run`` pushes one
screen; the screens themselves go through core.admin.Admin, never HTTP directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import App


@dataclass(frozen=True)
class AdminCommand:
    """One palette entry: plain name, one-line help, and what to do when chosen."""

    name: str
    help: str
    run: Callable[[App[Any]], None]


def _session(app: App[Any]) -> Any:
    return getattr(app, "session", None)


def _groups(app: App[Any]) -> None:
    from signal_tui.ui.screens.groups import GroupsScreen

    app.push_screen(GroupsScreen(_session(app)))


def _devices(app: App[Any]) -> None:
    from signal_tui.ui.screens.devices import DevicesScreen

    app.push_screen(DevicesScreen(_session(app)))


def _account(app: App[Any]) -> None:
    from signal_tui.ui.screens.account import AccountSetupScreen

    app.push_screen(AccountSetupScreen(app.config))  # type: ignore[attr-defined]


def _profile(app: App[Any]) -> None:
    from signal_tui.ui.screens.profile import ProfileScreen

    app.push_screen(ProfileScreen(_session(app)))


def _contacts(app: App[Any]) -> None:
    from signal_tui.ui.screens.contacts import ContactsScreen

    app.push_screen(ContactsScreen(_session(app)))


def _identities(app: App[Any]) -> None:
    from signal_tui.ui.screens.identities import IdentitiesScreen

    app.push_screen(IdentitiesScreen(_session(app)))


def _attachments(app: App[Any]) -> None:
    from signal_tui.ui.screens.server_attachments import ServerAttachmentsScreen

    app.push_screen(ServerAttachmentsScreen(_session(app)))


def _switch(app: App[Any]) -> None:
    from signal_tui.ui.screens.account import SwitchAccountScreen

    app.push_screen(SwitchAccountScreen(app.config))  # type: ignore[attr-defined]


ADMIN_COMMANDS: list[AdminCommand] = [
    AdminCommand("Groups", "List groups, create, edit members, leave or block", _groups),
    AdminCommand("Devices", "Linked devices: link a new one, remove, sync contacts", _devices),
    AdminCommand("Account", "Server connection and account setup (link or register)", _account),
    AdminCommand("Profile", "Your name, about, avatar, username and privacy settings", _profile),
    AdminCommand("Contacts", "Search contacts, rename locally, block, start a chat", _contacts),
    AdminCommand("Safety numbers", "Verify and trust contacts' safety numbers", _identities),
    AdminCommand("Server attachments", "Attachments stored on the server: list, delete", _attachments),
    AdminCommand("Switch account", "Use another account registered on this server", _switch),
]
