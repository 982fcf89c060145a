"""Create a group, or edit one: name, description, avatar, permissions, invite link, timer.

Dismisses with the saved core.admin.GroupInfo, or None when cancelled. Members of an existing
group are managed on the Groups screen (add/remove/admin), where each is its own server call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, Select

from signal_tui.core.admin import LINK_STATES, GroupInfo
from signal_tui.ui.screens.admin.base import TIMER_CHOICES, AdminScreen, format_timer

PERMISSION_FIELDS = [
    ("add_members", "Who can add members"),
    ("edit_group", "Who can edit the group's details"),
    ("send_messages", "Who can send messages"),
]
PERMISSION_OPTIONS = [("Every member", "every-member"), ("Only admins", "only-admins")]
# signal-cli-rest-api does not report who can edit a group's details (core.admin.groups): then
# the choice starts blank and is sent only when one is made
UNKNOWN_PROMPT = "Not reported by the server: choose to set it"
LINK_OPTIONS = [
    ("Off", "disabled"),
    ("On", "enabled"),
    ("On, admins approve new members", "enabled-with-approval"),
]


class GroupEditScreen(AdminScreen):
    """The form. `group` None = create a new group."""

    DEFAULT_CSS = """
    GroupEditScreen #form { height: 1fr; padding: 0 2; }
    GroupEditScreen Label { margin-top: 1; color: $text-muted; }
    GroupEditScreen Select { width: 60; }
    GroupEditScreen #buttons { height: auto; margin-top: 1; }
    GroupEditScreen #member-row { height: auto; }
    GroupEditScreen #member-row Input { width: 1fr; }
    GroupEditScreen #buttons Button { margin-right: 2; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "back", "Cancel"),
        # Priority: handled as the key arrives. Textual's own tab binding acts only once the key
        # has bubbled up from the focused field, and keys typed meanwhile went into that field.
        Binding("tab", "app.focus_next", "Next field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", show=False, priority=True),
    ]

    def __init__(self, session: Any, group: GroupInfo | None = None) -> None:
        super().__init__(session)
        self.group = group
        self.TITLE_TEXT = f"Edit group: {group.name}" if group else "New group"

    def compose(self) -> ComposeResult:
        g = self.group
        yield self.title_bar()
        with VerticalScroll(id="form"):
            yield Label("Name")
            yield Input(g.name if g else "", placeholder="Group name", id="name")
            yield Label("Description")
            yield Input(g.description if g else "", placeholder="Optional", id="description")
            if g is None:
                yield Label("Members: numbers or UUIDs, separated by commas")
                with Horizontal(id="member-row"):
                    yield Input(placeholder="+15550000002, +15550000003", id="members")
                    yield Button("Pick from contacts", id="pick")
            yield Label("Avatar: path of an image file (leave empty to keep)")
            yield Input(placeholder="~/Pictures/group.png", id="avatar")
            for key, label in PERMISSION_FIELDS:
                yield Label(label)
                current = g.permissions.get(key) if g else None
                if g is None:
                    current = "only-admins" if key == "edit_group" else "every-member"
                if current is None:
                    yield Select(PERMISSION_OPTIONS, prompt=UNKNOWN_PROMPT, id=key)
                else:
                    yield Select(PERMISSION_OPTIONS, value=current, allow_blank=False, id=key)
            yield Label("Invite link")
            link = "enabled" if g and g.invite_link else "disabled"
            yield Select(LINK_OPTIONS, value=link, allow_blank=False, id="link")
            yield Label("Disappearing messages")
            timers = list(TIMER_CHOICES)
            if g and g.expiry_seconds not in timers:
                timers.append(g.expiry_seconds)
            yield Select(
                [(format_timer(t), t) for t in sorted(timers)],
                value=g.expiry_seconds if g else 0,
                allow_blank=False,
                id="timer",
            )
            with Horizontal(id="buttons"):
                yield Button("Create" if g is None else "Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")
        yield self.status_bar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.dismiss(None)
        elif event.button.id == "pick":
            self._pick()

    def _pick(self) -> None:
        from signal_tui.ui.screens.admin.groups import own_addresses
        from signal_tui.ui.screens.recipients import RecipientPicker

        def chosen(addresses: list[str] | None) -> None:
            if addresses:
                field = self.query_one("#members", Input)
                have = [a.strip() for a in field.value.split(",") if a.strip()]
                field.value = ", ".join(dict.fromkeys([*have, *addresses]))

        picker = RecipientPicker(
            self.session.store,
            title="Members of the new group…",
            members=True,
            own=own_addresses(self.session),
        )
        self.app.push_screen(picker, chosen)

    def _value(self, wid: str) -> Any:
        return self.query_one(f"#{wid}", Select).value

    def action_save(self) -> None:
        name = self.query_one("#name", Input).value
        description = self.query_one("#description", Input).value
        avatar = self.query_one("#avatar", Input).value.strip()
        avatar_path = Path(avatar).expanduser() if avatar else None
        perms = {
            key: str(value)
            for key, _ in PERMISSION_FIELDS
            if (value := self._value(key)) is not Select.NULL
        }
        link = str(self._value("link"))
        timer = int(self._value("timer"))
        if link not in LINK_STATES:
            link = "disabled"
        g = self.group
        if g is None:
            members = [
                m.strip() for m in self.query_one("#members", Input).value.split(",") if m.strip()
            ]

            async def create() -> GroupInfo:
                info = await self.admin.create_group(
                    name, members, description=description or None, permissions=perms,
                    group_link=link, expiration_time=timer or None,
                )  # fmt: skip
                if avatar_path is not None:
                    info = await self.admin.edit_group(info.id, avatar_file=avatar_path)
                return info

            self.run_action("Creating the group…", create, self.dismiss)
            return
        changed_perms = {k: v for k, v in perms.items() if g.permissions.get(k) != v}
        self.run_action(
            "Saving…",
            lambda: self.admin.edit_group(
                g.id,
                name=name if name != g.name else None,
                description=description if description != g.description else None,
                avatar_file=avatar_path,
                permissions=changed_perms or None,
                group_link=link if link != g.link_state else None,
                timer=timer if timer != g.expiry_seconds else None,
            ),
            self.dismiss,
        )
