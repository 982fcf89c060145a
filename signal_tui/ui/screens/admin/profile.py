"""Profile: name, about, avatar (never removed by accident), privacy settings, username."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, Static, Switch

from signal_tui.core.admin.people import ProfileInfo
from signal_tui.text import safe_line
from signal_tui.ui.dialogs.confirm import ConfirmScreen
from signal_tui.ui.screens.admin.base import AdminScreen, format_size
from signal_tui.ui.screens.admin.groups import image_text


class ProfileScreen(AdminScreen):
    TITLE_TEXT = "Profile"
    DEFAULT_CSS = """
    ProfileScreen #form { height: 1fr; padding: 0 2; }
    ProfileScreen Label { margin-top: 1; color: $text-muted; }
    ProfileScreen .row { height: auto; }
    ProfileScreen .row Button { margin-right: 2; }
    ProfileScreen .row Label { margin: 1 1 0 0; }
    ProfileScreen #avatar-state { height: auto; margin-top: 1; }
    """
    BINDINGS = [Binding("ctrl+s", "save", "Save profile")]

    def __init__(self, session: Any) -> None:
        super().__init__(session)
        self.profile: ProfileInfo | None = None

    def compose(self) -> ComposeResult:
        yield self.title_bar()
        with VerticalScroll(id="form"):
            yield Label("Name (shown to people you message)")
            yield Input(id="name", placeholder="Your name")
            yield Label("About")
            yield Input(id="about", placeholder="Optional")
            yield Static("", id="avatar-state")
            yield _hidden_static()
            yield Label("New avatar: path of an image file (leave empty to keep the current one)")
            yield Input(id="avatar", placeholder="~/Pictures/me.jpg")
            with Horizontal(classes="row"):
                yield Button("Save profile", id="save", variant="primary")
                yield Button("Remove avatar", id="remove-avatar", variant="error")
            yield Label("Privacy")
            with Horizontal(classes="row"):
                yield Switch(id="share", value=False)
                yield Label("Share my phone number with people I message")
            with Horizontal(classes="row"):
                yield Switch(id="discoverable", value=True)
                yield Label("People who have my number can find me")
            with Horizontal(classes="row"):
                yield Button("Save privacy settings", id="save-settings")
            yield Label("Username")
            yield Input(id="username", placeholder="alice.42")
            with Horizontal(classes="row"):
                yield Button("Set username", id="set-username")
                yield Button("Delete username", id="delete-username")
            yield Static("", id="username-link")
        yield self.status_bar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()
        self.run_action("Loading your profile…", self.admin.profile, self._show)

    def _show(self, profile: ProfileInfo) -> None:
        self.profile = profile
        self.query_one("#name", Input).value = profile.name
        self.query_one("#about", Input).value = profile.about
        self.query_one("#avatar", Input).value = ""
        state = self.query_one("#avatar-state", Static)
        preview = self.query_one("#avatar-preview", Static)
        if profile.has_avatar and profile.avatar_path:
            size = Path(profile.avatar_path).stat().st_size
            state.update(Text(f"Avatar: set ({format_size(size)}); kept on every change."))
            self.run_worker(partial(self._preview, Path(profile.avatar_path)), exclusive=True)
        else:
            state.update(Text("Avatar: none known to signal-tui.", style="dim"))
            preview.update("")
            preview.display = False
        if profile.share_number is not None:
            self.query_one("#share", Switch).value = profile.share_number
        if profile.discoverable is not None:
            self.query_one("#discoverable", Switch).value = profile.discoverable
        self.query_one("#username", Input).value = profile.username or ""
        link = self.query_one("#username-link", Static)
        link.update(safe_line(profile.username_link or "", style="dim"))
        if not profile.name:
            self.set_status(
                "Type your profile name: the server does not tell signal-tui what it is."
            )

    async def _preview(self, path: Path) -> None:
        """Half-block picture of the avatar (in a thread: Pillow decodes)."""
        from signal_tui.ui.widgets.halfblock import render_image_lines

        lines = await asyncio.to_thread(render_image_lines, path, 12, 6)
        preview = self.query_one("#avatar-preview", Static)
        preview.update(image_text(lines))
        preview.display = bool(lines)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        bid = event.button.id
        if bid == "save":
            self.action_save()
        elif bid == "remove-avatar":
            self._remove_avatar()
        elif bid == "save-settings":
            share = self.query_one("#share", Switch).value
            disc = self.query_one("#discoverable", Switch).value
            self.run_action(
                "Saving privacy settings…",
                lambda: self.admin.update_settings(share_number=share, discoverable=disc),
                self._saved("Privacy settings saved."),
            )
        elif bid == "set-username":
            name = self.query_one("#username", Input).value
            self.run_action(
                "Setting the username…",
                lambda: self.admin.set_username(name),
                self._saved("Username set."),
            )
        elif bid == "delete-username":
            self.run_action(
                "Deleting the username…",
                self.admin.delete_username,
                self._saved("Username deleted."),
            )

    def _saved(self, text: str) -> Any:
        def after(profile: ProfileInfo) -> None:
            self._show(profile)
            self.set_status(text)

        return after

    def action_save(self, allow_without_avatar: bool = False) -> None:
        name = self.query_one("#name", Input).value
        about = self.query_one("#about", Input).value
        avatar = self.query_one("#avatar", Input).value.strip()
        avatar_file = Path(avatar).expanduser() if avatar else None

        async def save() -> ProfileInfo | None:
            from signal_tui.core.errors import ActionError

            try:
                return await self.admin.update_profile(
                    name=name, about=about, avatar_file=avatar_file,
                    allow_without_avatar=allow_without_avatar,
                )  # fmt: skip
            except ActionError as exc:
                if exc.kind != "avatar_unknown":
                    raise
                self.app.call_later(self._ask_without_avatar, str(exc))
                return None

        def done(profile: ProfileInfo | None) -> None:
            if profile is not None:
                self._show(profile)
                self.set_status("Profile saved (avatar kept).")

        self.run_action("Saving your profile…", save, done)

    def _ask_without_avatar(self, question: str) -> None:
        def go(yes: bool | None) -> None:
            if yes:
                self.action_save(allow_without_avatar=True)
            else:
                self.set_status("Not saved. Choose an avatar file to keep a picture.")

        self.app.push_screen(ConfirmScreen(question, yes="Save without an avatar"), go)

    def _remove_avatar(self) -> None:
        name = self.query_one("#name", Input).value
        about = self.query_one("#about", Input).value

        def go(yes: bool | None) -> None:
            if yes:
                self.run_action(
                    "Removing your avatar…",
                    lambda: self.admin.update_profile(name=name, about=about, remove_avatar=True),
                    self._saved("Avatar removed."),
                )

        self.app.push_screen(ConfirmScreen("Remove your profile picture?", yes="Remove"), go)


def _hidden_static() -> Static:
    """The avatar preview: takes no room until there is a picture to show."""
    widget = Static("", id="avatar-preview")
    widget.display = False
    return widget
