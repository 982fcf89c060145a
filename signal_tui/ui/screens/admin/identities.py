"""Safety numbers: one per contact with its state (verified / unverified / untrusted); trust."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from signal_tui.core.admin.people import IdentityInfo
from signal_tui.text import plain_line, safe, safe_line
from signal_tui.ui.dialogs.confirm import ConfirmScreen
from signal_tui.ui.screens.admin.base import AdminScreen, reset_table

STATE_STYLE = {"verified": "bold green", "unverified": "", "untrusted": "bold red"}


class IdentitiesScreen(AdminScreen):
    """`focus` (an address) selects that contact first: used after a send failed because a
    contact's safety number changed."""

    TITLE_TEXT = "Safety numbers"
    DEFAULT_CSS = """
    IdentitiesScreen #identity-detail { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("v", "verify", "Mark verified"),
        Binding("t", "trust_all", "Trust new key"),
        Binding("ctrl+r", "refresh", "Refresh"),
    ]

    def __init__(self, session: Any, focus: str | None = None) -> None:
        super().__init__(session)
        self.focus_address = focus
        self.identities: list[IdentityInfo] = []

    def compose(self) -> ComposeResult:
        yield self.title_bar()
        yield DataTable(id="identities", cursor_type="row", zebra_stripes=True)
        yield Static("", id="identity-detail")
        yield self.status_bar()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#identities", DataTable)
        table.focus()
        self.action_refresh()

    def action_refresh(self) -> None:
        self.run_action("Loading safety numbers…", self.admin.identities, self._show)

    def _show(self, identities: list[IdentityInfo]) -> None:
        self.identities = list(identities)
        table = self.query_one("#identities", DataTable)
        reset_table(table, "Contact", "Number", "State")
        for i in self.identities:
            table.add_row(
                safe_line(i.name, limit=40),
                safe_line(i.number or "", style="dim"),
                Text(i.status, style=STATE_STYLE.get(i.status, "")),
                key=i.address + i.fingerprint[:8],
            )
        if self.focus_address:
            for n, i in enumerate(self.identities):
                if self.focus_address in (i.uuid, i.number, i.address):
                    table.move_cursor(row=n)
                    break
        self._detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def selected(self) -> IdentityInfo | None:
        if not self.identities:
            return None
        table = self.query_one("#identities", DataTable)
        return self.identities[min(table.cursor_row, len(self.identities) - 1)]

    def _detail(self) -> None:
        i = self.selected()
        box = self.query_one("#identity-detail", Static)
        if i is None:
            box.update(Text("No safety numbers known yet.", style="dim"))
            return
        text = Text()
        text.append("Safety number with ")
        text.append_text(safe_line(i.name, style="bold"))
        text.append(":\n")
        text.append_text(safe(i.safety_number or "(not known)", style="bold"))
        text.append(
            "\nCompare it with the number on their phone (Signal → their name → View safety "
            "number). If it matches, press v."
        )
        if i.status == "untrusted":
            text.append(
                "\nTheir safety number changed: messages to them fail until you trust it.",
                style="bold red",
            )
        box.update(text)

    def action_verify(self) -> None:
        i = self.selected()
        if i is None:
            return

        def go(yes: bool | None) -> None:
            if yes:
                self.run_action(
                    "Marking as verified…",
                    lambda: self.admin.trust(i, verified=True),
                    self._reload(f"{plain_line(i.name)} is verified."),
                )

        self.app.push_screen(
            ConfirmScreen(
                f"Does {plain_line(i.name)}'s phone show exactly this safety number?\n\n"
                f"{i.safety_number}",
                yes="It matches",
            ),
            go,
        )

    def action_trust_all(self) -> None:
        i = self.selected()
        if i is None:
            return
        self.run_action(
            "Trusting the new key…",
            lambda: self.admin.trust(i, verified=False),
            self._reload(f"Trusted {plain_line(i.name)}'s key (not verified)."),
        )

    def _reload(self, text: str) -> Any:
        async def after(_: object) -> None:
            self._show(await self.admin.identities())
            self.set_status(text)

        return after
