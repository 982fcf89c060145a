"""Contacts: search, local rename, block/unblock, start a chat."""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Input

from signal_tui.text import plain_line, safe_line
from signal_tui.ui.dialogs.prompt import PromptScreen
from signal_tui.ui.screens.admin.base import AdminScreen, reset_table


class ContactsScreen(AdminScreen):
    TITLE_TEXT = "Contacts"
    DEFAULT_CSS = """
    ContactsScreen #contact-search { margin: 0 1; }
    """
    BINDINGS = [
        Binding("enter", "chat", "Start chat", show=True, priority=False),
        Binding("r", "rename", "Rename"),
        Binding("b", "block", "Block/unblock"),
        Binding("ctrl+r", "refresh", "Refresh from server"),
        Binding("slash", "search", "Search", show=False),
    ]

    def __init__(self, session: Any) -> None:
        super().__init__(session)
        self.contacts: list[Any] = []

    def compose(self) -> ComposeResult:
        yield self.title_bar()
        yield Input(placeholder="Search by name, number or username", id="contact-search")
        yield DataTable(id="contacts", cursor_type="row", zebra_stripes=True)
        yield self.status_bar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#contacts", DataTable).focus()
        self.run_worker(partial(self._load), group="load", exclusive=True)
        self.action_refresh()

    async def _load(self) -> None:
        query = self.query_one("#contact-search", Input).value.strip()
        self._show(await self.admin.contacts(query or None))

    def _show(self, contacts: list[Any]) -> None:
        table = self.query_one("#contacts", DataTable)
        keep = self.selected()
        self.contacts = list(contacts)
        reset_table(table, "Name", "Number", "Username", "")
        for r in self.contacts:
            table.add_row(
                safe_line(r.display_name, limit=40),
                safe_line(r.number or "", style="dim"),
                safe_line(r.username or "", style="dim"),
                Text("blocked" if r.blocked else "", style="bold"),
                key=str(r.id),
            )
        if keep is not None:
            ids = [r.id for r in self.contacts]
            if keep.id in ids:
                table.move_cursor(row=ids.index(keep.id))

    def action_refresh(self) -> None:
        async def refresh() -> int:
            count = await self.admin.refresh_contacts()
            await self._load()
            return count

        self.run_action("Loading contacts from the server…", refresh, self._counted)

    def _counted(self, count: int) -> None:
        self.set_status(f"{len(self.contacts)} contact(s). Enter starts a chat.")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "contact-search":
            self.run_worker(partial(self._load), group="load", exclusive=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#contacts", DataTable).focus()

    def action_search(self) -> None:
        self.query_one("#contact-search", Input).focus()

    def selected(self) -> Any | None:
        if not self.contacts:
            return None
        table = self.query_one("#contacts", DataTable)
        return self.contacts[min(table.cursor_row, len(self.contacts) - 1)]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_chat()

    def action_rename(self) -> None:
        contact = self.selected()
        if contact is None:
            return

        def go(name: str | None) -> None:
            if name is not None:
                self.run_action(
                    "Renaming…",
                    lambda: self.admin.rename_contact(contact, name),
                    self._reload("Renamed (only you see this name)."),
                )

        self.app.push_screen(
            PromptScreen(
                f"New name for {plain_line(contact.display_name)} (only you see it; empty to "
                "use their profile name)",
                value=contact.contact_name or "",
            ),
            go,
        )

    def _reload(self, text: str) -> Any:
        async def after(_: object) -> None:
            await self._load()
            self.set_status(text)

        return after

    def action_block(self) -> None:
        contact = self.selected()
        if contact is None:
            return
        blocked = not contact.blocked
        self.run_action(
            "Blocking…" if blocked else "Unblocking…",
            lambda: self.admin.set_contact_blocked(contact, blocked),
            self._reload(
                "Blocked in signal-tui (the server has no call to block a contact)."
                if blocked
                else "Unblocked."
            ),
        )

    def action_chat(self) -> None:
        contact = self.selected()
        if contact is None or self.session.messenger is None:
            return

        async def open_chat() -> Any:
            return await self.session.messenger.open_direct(contact.address)

        def opened(conversation: Any) -> None:
            self.dismiss(conversation)  # whoever pushed this screen opens the chat

        self.run_action("Opening the conversation…", open_chat, opened)
