"""Command-palette entries for the administration screens (groups, devices, account, ...).

The main app adds every entry of ADMIN_COMMANDS to its command palette. Each ``run`` pushes one
screen; the screens themselves go through core.admin.Admin, never HTTP directly.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from weakref import WeakKeyDictionary

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Input, Static

from signal_tui.ui.text import plain_line, safe


@dataclass(frozen=True)
class AdminCommand:
    """One palette entry: plain name, one-line help, and what to do when chosen."""

    name: str
    help: str
    run: Callable[[App[Any]], None]


def _session(app: App[Any]) -> Any:
    session = getattr(app, "session", None)
    if session is None or getattr(session, "store", None) is None:
        app.notify(
            "No account is open yet: finish the account setup first (Account).",
            severity="warning",
            markup=False,
        )
        raise _NoSession
    return session


class _NoSession(Exception):
    """Raised inside a command when there is no open session (already told to the user)."""


def _guard(run: Callable[[App[Any]], None]) -> Callable[[App[Any]], None]:
    def guarded(app: App[Any]) -> None:
        try:
            run(app)
        except _NoSession:
            pass

    guarded.__name__ = run.__name__
    guarded.__doc__ = run.__doc__
    return guarded


def _groups(app: App[Any]) -> None:
    from signal_tui.ui.screens.groups import GroupsScreen

    app.push_screen(GroupsScreen(_session(app)))


def _devices(app: App[Any]) -> None:
    from signal_tui.ui.screens.devices import DevicesScreen

    app.push_screen(DevicesScreen(_session(app)))


def _apply_config(app: App[Any], config: Any) -> None:
    """After setup/switch: hand the new Config to the app if it can switch live, else say how."""
    if config is None:
        return
    switch = getattr(app, "switch_account", None)
    if callable(switch):
        switch(config)
        return
    app.notify(f"Saved. Restart signal-tui to use {plain_line(config.account)}.", markup=False)


def _account(app: App[Any]) -> None:
    from signal_tui.ui.screens.account import AccountSetupScreen

    app.push_screen(
        AccountSetupScreen(app.config),  # type: ignore[attr-defined]
        callback=lambda cfg: _apply_config(app, cfg),
    )


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

    app.push_screen(
        SwitchAccountScreen(app.config),  # type: ignore[attr-defined]
        callback=lambda cfg: _apply_config(app, cfg),
    )


def review_safety_number(
    app: App[Any], address: str, then: Callable[[Any], None] | None = None
) -> None:
    """For the conversation view: a send failed because `address`'s safety number changed.
    Opens the safety numbers with that contact selected (v = verify, t = trust the new key);
    `then` runs when the user closes it (e.g. messenger.trust_and_resend after trusting)."""
    from signal_tui.ui.screens.identities import IdentitiesScreen

    try:
        session = _session(app)
    except _NoSession:
        return
    app.push_screen(IdentitiesScreen(session, focus=address), then)


ADMIN_COMMANDS: list[AdminCommand] = [
    AdminCommand("Groups", "List groups, create, edit members, leave or block", _guard(_groups)),
    AdminCommand(
        "Devices", "Linked devices: link a new one, remove, sync contacts", _guard(_devices)
    ),
    AdminCommand("Account", "Server connection and account setup (link or register)", _account),
    AdminCommand(
        "Profile", "Your name, about, avatar, username and privacy settings", _guard(_profile)
    ),
    AdminCommand(
        "Contacts", "Search contacts, rename locally, block, start a chat", _guard(_contacts)
    ),
    AdminCommand(
        "Safety numbers", "Verify and trust contacts' safety numbers", _guard(_identities)
    ),
    AdminCommand(
        "Server attachments", "Attachments stored on the server: list, delete", _attachments
    ),
    AdminCommand("Switch account", "Use another account registered on this server", _switch),
]


# --- shared pieces of the admin screens ---------------------------------------------------------


def format_time(ms: int | None) -> str:
    """Absolute local time for created/last-seen columns (tests pin this for snapshots)."""
    if not ms:
        return "-"
    return datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M")


def format_size(size: int | None) -> str:
    if size is None:
        return "…"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def format_timer(seconds: int) -> str:
    if not seconds:
        return "off"
    for unit, span in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= span and seconds % span == 0:
            n = seconds // span
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} s"


def reset_table(table: DataTable[Any], *columns: str) -> list[Any]:
    """Empty a table for new rows, columns included: a plain clear() keeps the old column
    widths in the header until some later refresh, which shows a misaligned header."""
    table.clear(columns=True)
    return table.add_columns(*columns)


TIMER_CHOICES = [0, 30, 300, 3600, 8 * 3600, 86400, 604800, 4 * 604800]


def admin_for(session: Any) -> Any:
    """One core.admin.Admin per session (kept beside it, so screens share group details)."""
    from signal_tui.core.admin import Admin

    admin = _ADMINS.get(session)
    if admin is None:
        admin = Admin(session.client, session.store, session.account, session.data_dir)
        _ADMINS[session] = admin
    return admin


_ADMINS: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text (a URI, a name, numbers). Enter accepts, Esc cancels."""

    DEFAULT_CSS = """
    PromptScreen { align: center middle; }
    PromptScreen > Vertical { width: 80%; max-width: 90; height: auto; border: thick $primary;
        background: $surface; padding: 1 2; }
    PromptScreen Input { margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question, self.value, self.placeholder = question, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe(self.question))
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class _Confirm(ModalScreen[bool]):
    """Fallback yes/no modal, used only when ui/screens/confirm.py is not there."""

    DEFAULT_CSS = PromptScreen.DEFAULT_CSS.replace("PromptScreen", "_Confirm")
    BINDINGS = [Binding("escape", "no", "No"), Binding("y", "yes", "Yes")]

    def __init__(self, question: str, yes: str = "Yes") -> None:
        super().__init__()
        self.question, self.yes = question, yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe(self.question))
            with Horizontal():
                yield Button(self.yes, id="yes", variant="error")
                yield Button("Cancel", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)


def confirm_screen(question: str, yes: str = "Yes") -> ModalScreen[bool]:
    try:
        from signal_tui.ui.screens.confirm import ConfirmScreen
    except ImportError:
        return _Confirm(question, yes=yes)
    return ConfirmScreen(question, yes=yes)  # type: ignore[no-any-return]


class AdminScreen(Screen[Any]):
    """Base of the admin screens: a title, a status line for progress and plain failures."""

    DEFAULT_CSS = """
    AdminScreen #admin-title { height: 1; padding: 0 1; background: $primary; color: $text; }
    AdminScreen #admin-status { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    AdminScreen #admin-status.-error { color: $error; }
    AdminScreen #admin-status.-busy { color: $warning; }
    AdminScreen DataTable { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "back", "Back")]
    TITLE_TEXT = ""

    def __init__(self, session: Any) -> None:
        super().__init__()
        self.session = session
        self.admin = admin_for(session) if session is not None else None
        self.busy = False

    def title_bar(self) -> Static:
        return Static(self.TITLE_TEXT, id="admin-title", markup=False)

    def status_bar(self) -> Static:
        return Static("", id="admin-status", markup=False)

    def set_status(self, text: object, kind: str = "") -> None:
        status = self.query_one("#admin-status", Static)
        status.set_classes("-" + kind if kind else "")
        status.update(safe(text))

    def action_back(self) -> None:
        self.dismiss(None)

    def run_action(
        self,
        progress: str,
        action: Callable[[], Awaitable[Any]],
        done: Callable[[Any], object] | str | None = None,
    ) -> None:
        """Run a core call in a worker: show progress, then `done` (text or callback) or the
        failure in plain words. One action at a time per screen."""
        if self.busy:
            self.notify("Still working on the previous change…", markup=False)
            return
        self.busy = True
        self.set_status(progress, "busy")
        self.run_worker(partial(self._run, action, done), group="admin", exclusive=False)

    async def _run(
        self, action: Callable[[], Awaitable[Any]], done: Callable[[Any], object] | str | None
    ) -> None:
        from signal_tui.core.admin_errors import explain

        try:
            result = await action()
        except Exception as exc:
            err = explain(exc)
            self.set_status(str(err), "error")
            self.notify(plain_line(err), severity="error", markup=False)
            return
        finally:
            self.busy = False
        if isinstance(done, str):
            self.set_status(done)
        else:
            self.set_status("")
            if done is not None:
                out = done(result)
                # await our own async callbacks, but never an AwaitComplete from dismiss():
                # awaiting the removal of this screen from its own worker would cancel itself
                if inspect.iscoroutine(out):
                    await out
