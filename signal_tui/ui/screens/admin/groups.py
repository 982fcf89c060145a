"""Groups: list (name, members, your role/state), details, and every group change.

All changes go through core.admin.Admin, which also writes them into the store, so the main
conversation list and views follow through the ordinary change notices.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Footer, Static

from signal_tui.core.admin import DELETE_MEANS_LEAVE, GroupInfo
from signal_tui.text import count, plain_line, safe, safe_line
from signal_tui.ui.dialogs.confirm import ConfirmScreen
from signal_tui.ui.screens.admin.base import AdminScreen, format_size, format_timer, reset_table

PERMISSION_LABELS = {
    "add_members": "add members",
    "edit_group": "edit details",
    "send_messages": "send messages",
}
GROUP_COLUMNS = ("Name", "Members", "Role")
MEMBER_COLUMNS = ("Member", "Role", "Address")
VALUE_LABELS = {"only-admins": "only admins", "every-member": "every member"}
UNREPORTED = "not reported by the server"


class GroupsScreen(AdminScreen):
    """List of groups with details of the highlighted one."""

    TITLE_TEXT = "Groups"
    DEFAULT_CSS = """
    GroupsScreen #groups-body { height: 1fr; }
    GroupsScreen #groups { width: 2fr; min-width: 30; }
    GroupsScreen #group-details { width: 3fr; padding: 0 1; }
    GroupsScreen #group-info { height: auto; }
    GroupsScreen #group-avatar { height: auto; }
    GroupsScreen #members { height: auto; max-height: 20; }
    """
    BINDINGS = [
        Binding("n", "new", "New"),
        Binding("e", "edit", "Edit"),
        Binding("a", "add_members", "Add members"),
        Binding("x", "remove_member", "Remove member"),
        Binding("p", "toggle_admin", "Admin on/off"),
        Binding("l", "leave", "Leave"),
        Binding("b", "block", "Block"),
        Binding("d", "delete", "Delete"),
        Binding("j", "join", "Accept invite", show=False),
        Binding("ctrl+r", "refresh", "Refresh"),
    ]

    def __init__(self, session: Any) -> None:
        super().__init__(session)
        self.groups: list[GroupInfo] = []
        self.members: list[tuple[Any, bool]] = []
        self._members_of: str | None = None  # the group whose members self.members are
        self._self_id: int | None = None  # your recipient id in the store
        self._avatars: dict[str, bytes | None] = {}
        self._name_map: dict[str, str] = {}  # address -> display name, from the store

    def compose(self) -> ComposeResult:
        yield self.title_bar()
        with Horizontal(id="groups-body"):
            yield DataTable(id="groups", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="group-details"):
                yield Static("", id="group-info")
                yield Static("", id="group-avatar")
                yield DataTable(id="members", cursor_type="row")
        yield self.status_bar()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#groups", DataTable)
        table.focus()
        self.action_refresh()

    # --- data ----------------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.run_action("Loading groups from the server…", self.admin.refresh_groups, self._show)

    def _show(self, groups: list[GroupInfo], keep: str | None = None) -> None:
        table = self.query_one("#groups", DataTable)
        current = keep or self.selected_id()
        self.groups = list(groups)
        reset_table(table, *GROUP_COLUMNS)
        for g in self.groups:
            state = "blocked" if g.blocked else g.role
            table.add_row(
                safe_line(g.name or "(no name)", limit=40),
                Text(str(len(g.members))),
                Text(state, style="dim" if not g.member or g.blocked else ""),
                key=g.id,
            )
        if not self.groups:
            self.set_status("No groups yet: press n to create one.")
        ids = [g.id for g in self.groups]
        if current in ids:
            table.move_cursor(row=ids.index(current))
        self.show_details()

    def _replace(self, info: GroupInfo) -> None:
        groups = [info if g.id == info.id else g for g in self.groups]
        if info.id not in {g.id for g in groups}:
            groups.append(info)
        self._show(groups, keep=info.id)

    def selected(self) -> GroupInfo | None:
        gid = self.selected_id()
        return next((g for g in self.groups if g.id == gid), None)

    def selected_id(self) -> str | None:
        table = self.query_one("#groups", DataTable)
        if not self.groups or table.row_count == 0:
            return None
        try:
            return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        except Exception:
            return None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "groups":
            self.show_details()

    def show_details(self) -> None:
        group = self.selected()
        info = self.query_one("#group-info", Static)
        if group is None:
            info.update("")
            reset_table(self.query_one("#members", DataTable), *MEMBER_COLUMNS)
            return
        info.update(self.details_text(group))
        self.run_worker(partial(self._load_members, group), group="members", exclusive=True)

    def details_text(self, g: GroupInfo) -> Text:
        return details_text(g, self._name_map, self.session.account)

    def is_me(self, recipient: Any) -> bool:
        own = set(own_addresses(self.session))
        return recipient.id == self._self_id or bool({recipient.number, recipient.uuid} & own)

    async def _load_members(self, group: GroupInfo) -> None:
        rows = await self.admin.group_members(group)
        if self._self_id is None:
            try:
                self._self_id = (await self.session.store.self_recipient()).id
            except Exception:
                self._self_id = None
        table = self.query_one("#members", DataTable)
        keep = None  # after a change to this group, stay on the member it was about
        if self._members_of == group.id and self.members and table.row_count:
            keep = self.members[min(table.cursor_row, len(self.members) - 1)][0].id
        self.members = rows
        self._members_of = group.id
        self._name_map = {key: r.display_name for r, _ in rows for key in (r.uuid, r.number) if key}
        reset_table(table, *MEMBER_COLUMNS)
        for r, is_admin in rows:
            me = self.is_me(r)
            table.add_row(
                safe_line(r.display_name + (" (you)" if me else ""), limit=30),
                Text("admin" if is_admin else "", style="bold" if is_admin else ""),
                safe_line(r.number or r.uuid or "", style="dim", limit=16),
                key=str(r.id),
            )
        # else start on someone else: x and p act on this row, and you are often listed first
        ids = [r.id for r, _ in rows]
        others = [i for i, (r, _) in enumerate(rows) if not self.is_me(r)]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
        elif others:
            table.move_cursor(row=others[0])
        self.query_one("#group-info", Static).update(self.details_text(group))
        await self._load_avatar(group)

    async def _load_avatar(self, group: GroupInfo) -> None:
        widget = self.query_one("#group-avatar", Static)
        if group.id not in self._avatars:
            self._avatars[group.id] = await self.admin.group_avatar(group.id)
        data = self._avatars[group.id]
        if not data:
            widget.update("")
            return
        widget.update(Text(f"Avatar: image, {format_size(len(data))}", style="dim"))
        try:
            preview = await _avatar_preview(self.session.data_dir, group.id, data)
        except Exception:
            preview = None
        if preview is not None:
            widget.update(preview)

    # --- actions -------------------------------------------------------------------------------
    def _need_group(self) -> GroupInfo | None:
        group = self.selected()
        if group is None:
            self.set_status("Pick a group first.", "error")
        return group

    def _member(self) -> tuple[Any, bool] | None:
        table = self.query_one("#members", DataTable)
        if self.members and self._members_of != self.selected_id():
            self.set_status("The member list is still loading…", "error")
            return None
        if not self.members or table.row_count == 0:
            self.set_status("Pick a member in the member list first (tab to it).", "error")
            return None
        return self.members[min(table.cursor_row, len(self.members) - 1)]

    def action_new(self) -> None:
        from signal_tui.ui.screens.admin.group_edit import GroupEditScreen

        self.app.push_screen(GroupEditScreen(self.session), self._edited)

    def action_edit(self) -> None:
        from signal_tui.ui.screens.admin.group_edit import GroupEditScreen

        if (group := self._need_group()) is not None:
            self.app.push_screen(GroupEditScreen(self.session, group), self._edited)

    def _edited(self, info: GroupInfo | None) -> None:
        if info is not None:
            self._avatars.pop(info.id, None)
            self._replace(info)
            self.set_status(f"Saved {plain_line(info.name)}.")

    def action_add_members(self) -> None:
        if (group := self._need_group()) is None:
            return

        def chosen(value: str | list[str] | None) -> None:
            members = _split(value)
            if members:
                self.run_action(
                    f"Adding {len(members)} member(s)…",
                    lambda: self.admin.add_members(group.id, members),
                    self._done("Added."),
                )

        from signal_tui.ui.screens.recipients import RecipientPicker

        picker = RecipientPicker(
            self.session.store,
            title=f"Add to {plain_line(group.name, 40)}…",
            members=True,
            own=own_addresses(self.session),
            exclude=group.members,
        )
        self.app.push_screen(picker, chosen)

    def action_remove_member(self) -> None:
        if (group := self._need_group()) is None or (m := self._member()) is None:
            return
        recipient = m[0]
        if self.is_me(recipient):
            self.set_status(
                "That is you: to leave the group press l. Pick another member to remove.", "error"
            )
            return

        def go(yes: bool | None) -> None:
            if yes:
                self.run_action(
                    f"Removing {plain_line(recipient.display_name)}…",
                    lambda: self.admin.remove_members(group.id, [recipient.address]),
                    self._done(f"Removed {plain_line(recipient.display_name)}."),
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Remove {plain_line(recipient.display_name)} from {plain_line(group.name)}?",
                yes="Remove",
            ),
            go,
        )

    def action_toggle_admin(self) -> None:
        if (group := self._need_group()) is None or (m := self._member()) is None:
            return
        recipient, is_admin = m
        fn = self.admin.remove_admins if is_admin else self.admin.add_admins
        word = "Removing admin rights of" if is_admin else "Making admin:"

        def go(yes: bool | None = True) -> None:
            if yes:
                self.run_action(
                    f"{word} {plain_line(recipient.display_name)}…",
                    lambda: fn(group.id, [recipient.address]),
                    self._done("Done."),
                )

        if is_admin and self.is_me(recipient):
            question = (
                f"Give up your own admin rights in {plain_line(group.name)}? "
                "Only another admin can give them back."
            )
            self.app.push_screen(ConfirmScreen(question, yes="Give up"), go)
        else:
            go()

    def _done(self, text: str) -> Any:
        def after(info: GroupInfo) -> None:
            self._replace(info)
            self.set_status(text)

        return after

    def _confirm_then(self, question: str, yes: str, progress: str, fn: Any, text: str) -> None:
        if (group := self._need_group()) is None:
            return

        def go(ok: bool | None) -> None:
            if ok:
                self.run_action(progress, lambda: fn(group.id), self._done(text))

        self.app.push_screen(ConfirmScreen(question.format(name=plain_line(group.name)), yes), go)

    def action_leave(self) -> None:
        self._confirm_then(
            "Leave {name}? You will stop receiving its messages.", "Leave", "Leaving…",
            self.admin.leave_group, "You left the group.",
        )  # fmt: skip

    def action_block(self) -> None:
        self._confirm_then(
            "Block {name}? You will no longer receive its messages.", "Block", "Blocking…",
            self.admin.block_group, "Group blocked.",
        )  # fmt: skip

    def action_delete(self) -> None:
        self._confirm_then(
            "Delete {name}?\n\n" + DELETE_MEANS_LEAVE + ".", "Leave group", "Leaving…",
            self.admin.delete_group, "You left the group (the server cannot delete groups).",
        )  # fmt: skip

    def action_join(self) -> None:
        if (group := self._need_group()) is not None:
            self.run_action(
                "Accepting the invitation…",
                lambda: self.admin.join_group(group.id),
                self._done("Joined."),
            )


def own_addresses(session: Any) -> list[str]:
    """Your number, and your UUID when the cache knows it: never offered as a new member."""
    return [a for a in (session.account, getattr(session.store, "account_uuid", None)) if a]


def _split(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(";", ",").replace("\n", ",").split(",")
    return [v.strip() for v in value if v and v.strip()]


async def _avatar_preview(data_dir: Any, group_id: str, data: bytes) -> Any:
    """Half-block preview of a group's avatar."""
    import asyncio
    from pathlib import Path

    from signal_tui.files import private_dir, safe_filename, write_private
    from signal_tui.ui.widgets.halfblock import render_image_lines

    folder = private_dir(Path(data_dir) / "group-avatars")
    path = folder / safe_filename(group_id.removeprefix("group.")[:40], "avatar")
    await asyncio.to_thread(write_private, path, data)
    lines = await asyncio.to_thread(render_image_lines, path, 16)
    if not lines:
        return None
    return image_text(lines)


def image_text(lines: list[Any]) -> Text:
    """Rendered image lines (Strip/Text/str) as one Text, for a Static."""
    text = Text()
    for i, line in enumerate(lines):
        if i:
            text.append("\n")
        text.append_text(_as_text(line))
    return text


def _as_text(line: Any) -> Text:
    """render_image_lines may give Text, Strip or Segment lists: make it Text (no markup)."""
    if isinstance(line, Text):
        return line
    segments = list(line) if not isinstance(line, str) else None
    if segments and all(hasattr(s, "text") and hasattr(s, "style") for s in segments):
        out = Text()
        for seg in segments:
            out.append(seg.text, seg.style)
        return out
    return Text(str(line))


def details_text(g: GroupInfo, name_map: dict[str, str], account: str) -> Text:
    """What the details pane says about a group; every name and title is untrusted."""
    out = Text()
    out.append_text(safe_line(g.name or "(no name)", style="bold"))
    out.append("\n")
    if g.description:
        out.append_text(safe(g.description, style="italic"))
        out.append("\n")
    role = {"admin": "you are an admin", "member": "you are a member"}.get(
        g.role, "you left this group"
    )
    out.append(f"{count(len(g.members), 'member')} · {role}")
    if g.blocked:
        out.append(" · blocked", style="bold")
    out.append("\nInvite link: ")
    if g.invite_link:
        out.append("enabled ")
        out.append_text(safe_line(g.invite_link, style="dim"))
    else:
        out.append("disabled")
    if g.permissions:  # edit_group may be missing: the server does not report it (core)
        perms = " · ".join(
            f"{label}: {VALUE_LABELS.get(v, v) if (v := g.permissions.get(k)) else UNREPORTED}"
            for k, label in PERMISSION_LABELS.items()
        )
        out.append(f"\nPermissions: {perms}")
    out.append(f"\nDisappearing messages: {format_timer(g.expiry_seconds)}")

    def names(addresses: tuple[str, ...]) -> list[str]:
        return [name_map.get(a, a) for a in addresses]

    if g.pending_invites:
        out.append(f"\nInvited, not yet joined ({len(g.pending_invites)}): ")
        out.append_text(safe_line(", ".join(names(g.pending_invites)), limit=200))
    if g.pending_requests:
        out.append(f"\nAsking to join ({len(g.pending_requests)}): ")
        out.append_text(safe_line(", ".join(names(g.pending_requests)), limit=200))
    if g.member and account in g.pending_invites:
        out.append("\nYou are invited: press j to accept.")
    return out
