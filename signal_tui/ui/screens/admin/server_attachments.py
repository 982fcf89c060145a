"""Attachments kept on the server (signal-cli's attachments folder): list with size, delete.

Nothing deletes them on the server by itself, so a long-running server fills its disk. The list
call gives names only; sizes are measured one by one in the background (each is fetched once).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer

from signal_tui.core.admin import ServerAttachment
from signal_tui.text import plain_line, safe_line
from signal_tui.ui.dialogs.confirm import ConfirmScreen
from signal_tui.ui.screens.admin.base import AdminScreen, format_size, reset_table

MEASURE_LIMIT = 200  # do not fetch more than this many files just to show sizes


class ServerAttachmentsScreen(AdminScreen):
    TITLE_TEXT = "Attachments on the server"
    BINDINGS = [
        Binding("x", "delete", "Delete"),
        Binding("D", "delete_all", "Delete all"),
        Binding("ctrl+r", "refresh", "Refresh"),
    ]

    def __init__(self, session: Any) -> None:
        super().__init__(session)
        self.items: list[ServerAttachment] = []
        self.sizes: dict[str, int | None] = {}

    def compose(self) -> ComposeResult:
        yield self.title_bar()
        yield DataTable(id="attachments", cursor_type="row", zebra_stripes=True)
        yield self.status_bar()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#attachments", DataTable)
        table.focus()
        self.action_refresh()

    def action_refresh(self) -> None:
        self.run_action(
            "Listing attachments on the server…", self.admin.server_attachments, self._show
        )

    def _show(self, items: list[ServerAttachment]) -> None:
        self.items = list(items)
        table = self.query_one("#attachments", DataTable)
        self._size_col = reset_table(table, "File", "Size")[1]
        for a in self.items:
            table.add_row(
                safe_line(a.id, limit=60), Text(format_size(self.sizes.get(a.id))), key=a.id
            )
        self.set_status(
            f"{len(self.items)} file(s) on the server."
            if self.items
            else "No attachments left on the server."
        )
        self.run_worker(partial(self._measure), group="measure", exclusive=True)

    async def _measure(self) -> None:
        table = self.query_one("#attachments", DataTable)
        total = 0
        for a in self.items[:MEASURE_LIMIT]:
            if a.id not in self.sizes:
                self.sizes[a.id] = await self.admin.attachment_size(a.id)
            size = self.sizes[a.id]
            total += size or 0
            if a.id in table.rows:
                table.update_cell(a.id, self._size_col, Text(format_size(size)), update_width=True)
        if self.items:
            self.set_status(f"{len(self.items)} file(s), {format_size(total)} in all.")

    def selected(self) -> ServerAttachment | None:
        if not self.items:
            return None
        table = self.query_one("#attachments", DataTable)
        return self.items[min(table.cursor_row, len(self.items) - 1)]

    def action_delete(self) -> None:
        item = self.selected()
        if item is None:
            return

        def go(yes: bool | None) -> None:
            if yes:
                self.run_action(
                    f"Deleting {plain_line(item.id)}…",
                    lambda: self.admin.delete_server_attachment(item.id),
                    self._reload(f"Deleted {plain_line(item.id)}."),
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Delete {plain_line(item.id)} from the server? Copies already downloaded by "
                "signal-tui stay on this computer.",
                yes="Delete",
            ),
            go,
        )

    def action_delete_all(self) -> None:
        if not self.items:
            return
        ids = [a.id for a in self.items]

        async def delete_all() -> None:
            for aid in ids:
                await self.admin.delete_server_attachment(aid)

        def go(yes: bool | None) -> None:
            if yes:
                self.run_action(
                    f"Deleting {len(ids)} file(s)…", delete_all, self._reload("All deleted.")
                )

        self.app.push_screen(
            ConfirmScreen(f"Delete all {len(ids)} attachment(s) from the server?", "Delete all"),
            go,
        )

    def _reload(self, text: str) -> Any:
        async def after(_: object) -> None:
            self._show(await self.admin.server_attachments())
            self.set_status(text)

        return after
