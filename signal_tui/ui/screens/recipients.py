"""Pick several recipients (contacts and groups) for one send, with a filter and free-form numbers;
or, with `members=True`, people to add to a group (no groups, not yourself, not those excluded)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Input, SelectionList, Static
from textual.widgets.selection_list import Selection

from signal_tui.store.models import Conversation, Recipient
from signal_tui.text import one_line
from signal_tui.ui.screens.new_conversation import normalize_address

DEBOUNCE_S = 0.05


class RecipientStore(Protocol):
    """The part of Store this screen reads."""

    async def recipients(
        self, *, query: str | None = None, limit: int = 500
    ) -> list[Recipient]: ...

    async def list_conversations(
        self, *, query: str | None = None, limit: int = 1000
    ) -> list[Conversation]: ...


@dataclass(frozen=True, slots=True)
class Candidate:
    address: str  # what the caller sends to: UUID/number, or "group.<b64>"
    label: Text


def group_candidate(conv: Conversation) -> Candidate:
    label = Text(no_wrap=True, overflow="ellipsis", end="")
    label.append(one_line(conv.title, 40), style="bold")
    label.append(f"  group · {conv.member_count} members", style="dim")
    return Candidate(conv.address, label)


def person_candidate(person: Recipient) -> Candidate:
    label = Text(no_wrap=True, overflow="ellipsis", end="")
    label.append(one_line(person.display_name, 40), style="bold")
    if person.number and person.number != person.display_name:
        label.append("  " + one_line(person.number), style="dim")
    return Candidate(person.address, label)


def typed_candidate(address: str) -> Candidate:
    return Candidate(address, Text(address + "  (typed)", no_wrap=True, end=""))


@dataclass(frozen=True, slots=True)
class Wording:
    button: str
    hint: str
    chosen: str  # before the chosen names
    none_chosen: str


SEND_WORDING = Wording(
    "Send", "Enter toggles · ctrl+s sends · Esc cancels", "To: ", "Choose at least one recipient."
)
MEMBER_WORDING = Wording(
    "Add", "Enter toggles · ctrl+s adds · Esc cancels", "Adding: ", "Choose at least one person."
)


def _addresses(values: Iterable[str]) -> set[str]:
    return {a.strip().lower() for a in values if a and a.strip()}


class RecipientPicker(ModalScreen[list[str] | None]):
    """Filter, then toggle entries (Enter/space in the list, Enter in the filter toggles the
    highlighted one or adds a typed +number/UUID); ctrl+s or "Send" dismisses with the chosen
    addresses in the order they were chosen; Esc = None.

    `members=True` picks people for a group: no groups, the button says "Add". Addresses in
    `exclude` (already in the group) are not offered; those in `own` (yourself) are not taken
    when typed either."""

    DEFAULT_CSS = """
    RecipientPicker { align: center middle; }
    RecipientPicker > #rcpt-dialog {
        width: 80%; max-width: 90; height: 80%;
        border: thick $primary; background: $surface; border-title-align: center;
    }
    RecipientPicker #rcpt-list { height: 1fr; border: none; }
    RecipientPicker #rcpt-chosen { height: auto; max-height: 3; padding: 0 1; }
    RecipientPicker #rcpt-hint { color: $text-muted; height: auto; padding: 0 1; }
    RecipientPicker #rcpt-buttons { height: auto; align-horizontal: right; }
    RecipientPicker #rcpt-buttons Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "done", "Send"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    def __init__(
        self,
        store: RecipientStore,
        *,
        title: str = "Send to…",
        members: bool = False,
        own: Iterable[str] = (),
        exclude: Iterable[str] = (),
    ) -> None:
        super().__init__()
        self.store = store
        self.title_text = one_line(title)
        self.members = members
        self.words = MEMBER_WORDING if members else SEND_WORDING
        self.own = _addresses(own)
        self.exclude = _addresses(exclude) | self.own
        self.chosen: dict[str, Candidate] = {}  # insertion order = order chosen
        self.shown: list[Candidate] = []
        self._timer: Timer | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="rcpt-dialog") as dialog:
            dialog.border_title = Text(self.title_text)  # str would be parsed as markup
            yield Input(placeholder="Filter, or type +number / UUID and Enter", id="rcpt-filter")
            yield SelectionList[str](id="rcpt-list")
            yield Static("", id="rcpt-chosen", markup=False)
            yield Static(self.words.hint, id="rcpt-hint", markup=False)
            with Horizontal(id="rcpt-buttons"):
                yield Button("Cancel", id="rcpt-cancel")
                yield Button(self.words.button, id="rcpt-done", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#rcpt-filter", Input).focus()
        self._refresh_chosen()
        self._schedule()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._schedule()

    def _schedule(self) -> None:
        self._generation += 1
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_S, self._load)

    def _load(self) -> None:
        query = self.query_one("#rcpt-filter", Input).value.strip() or None
        self.run_worker(self._fetch(query, self._generation), exclusive=True, group="recipients")

    async def _fetch(self, query: str | None, generation: int) -> None:
        try:
            groups, people = await asyncio.gather(
                self.store.list_conversations(query=query, limit=200),
                self.store.recipients(query=query, limit=300),
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.query_one("#rcpt-hint", Static).update(
                Text(f"Could not read contacts: {one_line(exc)}")
            )
            return
        if generation != self._generation:
            return
        candidates = [] if self.members else [
            group_candidate(c) for c in groups if c.kind == "group" and not c.left
        ]  # fmt: skip
        candidates += [
            person_candidate(p)
            for p in people
            if p.address and not p.blocked and not self._excluded(p.uuid, p.number)
        ]
        self._show(candidates, query)

    def _excluded(self, *addresses: str | None) -> bool:
        return any(a and a.lower() in self.exclude for a in addresses)

    def _show(self, candidates: list[Candidate], query: str | None) -> None:
        seen = {c.address for c in candidates}
        typed, _ = normalize_address(query or "")
        extra = [c for a, c in self.chosen.items() if a not in seen]
        new = typed is not None and typed not in seen and typed not in self.chosen
        if typed is not None and new and typed.lower() not in self.own:
            extra.append(typed_candidate(typed))
        self.shown = extra + candidates
        selection = self.query_one("#rcpt-list", SelectionList)
        selection.clear_options()
        selection.add_options(
            Selection(c.label, c.address, c.address in self.chosen, id=c.address)
            for c in self.shown
        )
        if self.shown:
            selection.highlighted = 0

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        event.stop()
        address = event.selection.value
        candidate = next((c for c in self.shown if c.address == address), None)
        if candidate is None:
            return
        if address in event.selection_list.selected:
            self.chosen[address] = candidate
        else:
            self.chosen.pop(address, None)
        self._refresh_chosen()

    def _toggle(self, candidate: Candidate) -> None:
        if candidate.address in self.chosen:
            del self.chosen[candidate.address]
        else:
            self.chosen[candidate.address] = candidate
        self._refresh_chosen()

    def _refresh_chosen(self) -> None:
        text = Text(self.words.chosen, style="bold", end="")
        if not self.chosen:
            text.append("nobody yet", style="dim")
        for index, candidate in enumerate(self.chosen.values()):
            if index:
                text.append(", ")
            name = candidate.label.plain.split("  ")[0]
            text.append(name)
        self.query_one("#rcpt-chosen", Static).update(text)

    def action_move(self, delta: int) -> None:
        selection = self.query_one("#rcpt-list", SelectionList)
        if not self.shown:
            return
        current = selection.highlighted if selection.highlighted is not None else 0
        selection.highlighted = max(0, min(len(self.shown) - 1, current + delta))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        typed, message = normalize_address(event.value)
        if typed is not None and typed.lower() in self.own:
            self.query_one("#rcpt-hint", Static).update("That is you: you are in the group anyway.")
            return
        if typed is not None and typed not in {c.address for c in self.shown}:
            self._toggle(typed_candidate(typed))
            event.input.value = ""
            return
        selection = self.query_one("#rcpt-list", SelectionList)
        if self.shown and selection.highlighted is not None:
            selection.toggle(self.shown[selection.highlighted].address)
        elif event.value.strip():
            self.query_one("#rcpt-hint", Static).update(message)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "rcpt-done":
            self.action_done()
        else:
            self.action_cancel()

    def action_done(self) -> None:
        if not self.chosen:
            self.query_one("#rcpt-hint", Static).update(self.words.none_chosen)
            return
        self.dismiss(list(self.chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)
