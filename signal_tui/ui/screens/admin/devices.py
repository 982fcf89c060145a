"""Linked devices: list, link a new one by its sgnl://linkdevice URI, remove, send contacts sync."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from signal_tui.core.admin import DeviceInfo
from signal_tui.text import plain_line, safe_line
from signal_tui.ui.dialogs.confirm import ConfirmScreen
from signal_tui.ui.dialogs.prompt import PromptScreen
from signal_tui.ui.screens.admin import base as admin_commands
from signal_tui.ui.screens.admin.base import AdminScreen, reset_table

HELP = (
    "Linking and removing devices and sending a contacts sync work only when this server is the "
    "primary device (the one that registered the number)."
)


class DevicesScreen(AdminScreen):
    TITLE_TEXT = "Linked devices"
    BINDINGS = [
        Binding("l", "link", "Link device"),
        Binding("x", "remove", "Remove"),
        Binding("s", "sync", "Sync contacts"),
        Binding("ctrl+r", "refresh", "Refresh"),
    ]

    def __init__(self, session: Any) -> None:
        super().__init__(session)
        self.devices: list[DeviceInfo] = []

    def compose(self) -> ComposeResult:
        yield self.title_bar()
        yield DataTable(id="devices", cursor_type="row", zebra_stripes=True)
        yield Static(HELP, id="devices-help", markup=False, classes="muted")
        yield self.status_bar()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#devices", DataTable)
        table.focus()
        self.action_refresh()

    def action_refresh(self) -> None:
        self.run_action("Loading devices…", self.admin.devices, self._show)

    def _show(self, devices: list[DeviceInfo]) -> None:
        self.devices = list(devices)
        table = self.query_one("#devices", DataTable)
        reset_table(table, "ID", "Name", "Created", "Last seen", "")
        for d in self.devices:
            table.add_row(
                Text(str(d.id)),
                safe_line(d.name, limit=40),
                Text(admin_commands.format_time(d.created)),
                Text(admin_commands.format_time(d.last_seen)),
                Text("this device" if d.this_device else "", style="bold"),
                key=str(d.id),
            )
        self.set_status(f"{len(self.devices)} device(s).")

    def selected(self) -> DeviceInfo | None:
        table = self.query_one("#devices", DataTable)
        if not self.devices:
            return None
        return self.devices[min(table.cursor_row, len(self.devices) - 1)]

    def action_link(self) -> None:
        def go(uri: str | None) -> None:
            if uri and uri.strip():
                self.run_action(
                    "Linking the new device…",
                    lambda: self.admin.link_device(uri),
                    self._then_refresh("Device linked. It may take a moment to show up."),
                )

        self.app.push_screen(
            PromptScreen(
                "Paste the link shown by the new device (scan its QR code with a QR reader to "
                "get the text). " + HELP,
                placeholder="sgnl://linkdevice?uuid=…&pub_key=…",
            ),
            go,
        )

    def _then_refresh(self, text: str) -> Any:
        async def after(_: object) -> None:
            self._show(await self.admin.devices())
            self.set_status(text)

        return after

    def action_remove(self) -> None:
        device = self.selected()
        if device is None:
            return
        if device.id == 1:
            self.set_status("The primary device cannot be removed.", "error")
            return

        def go(yes: bool | None) -> None:
            if yes:
                self.run_action(
                    f"Removing {plain_line(device.name)}…",
                    lambda: self.admin.remove_device(device.id),
                    self._then_refresh(f"Removed {plain_line(device.name)}."),
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Remove the linked device {plain_line(device.name)} (id {device.id})? "
                "It will stop receiving messages.",
                yes="Remove",
            ),
            go,
        )

    def action_sync(self) -> None:
        self.run_action(
            "Sending contacts to the linked devices…",
            self.admin.sync_contacts,
            "Contacts sync sent.",
        )
