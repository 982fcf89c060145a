"""Main screen: conversation list | header + history + composer, status line, footer.

Siblings coordinate here: the list posts Selected, the composer posts Submitted/Typing, the
history posts Activated. All I/O goes through the app's Session (store reads, Messenger
commands) in workers; failures surface through the app's one error handler.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input
from textual.worker import Worker

from signal_tui.store.models import Conversation
from signal_tui.text import one_line
from signal_tui.ui.screens.main_actions import MainActions
from signal_tui.ui.widgets.composer import Composer
from signal_tui.ui.widgets.conversation_list import ConversationList
from signal_tui.ui.widgets.history import History
from signal_tui.ui.widgets.status import ConversationHeader, StatusBar

if TYPE_CHECKING:
    from signal_tui.ui.app import SignalApp


def _looks_like_address(text: str) -> bool:
    t = text.strip()
    return (t.startswith("+") and t[1:].replace(" ", "").isdigit()) or (
        len(t) == 36 and t.count("-") == 4
    )


class MainScreen(MainActions, Screen[None]):
    """The messenger's one main screen."""

    CSS_PATH = "../styles/main.tcss"
    BINDINGS = [
        Binding("ctrl+n", "new_conversation", "New chat"),
        Binding("ctrl+f", "app.search", "Search"),
        Binding("ctrl+l", "focus_filter", "Filter", show=False),
        Binding("ctrl+r", "reply", "Reply", show=False),
        Binding("escape", "back", "Back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.conversation: Conversation | None = None
        self._members: dict[int, str] = {}

    @property
    def sapp(self) -> SignalApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        now = self.sapp.now
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                filter_input = Input(
                    placeholder="Filter, or +number / UUID to start a chat", id="filter"
                )
                filter_input.cursor_blink = not self.sapp.pinned_clock  # steady snapshots
                yield filter_input
                yield ConversationList(now=now, id="conversations")
            with Vertical(id="chat"):
                yield ConversationHeader(id="header")
                yield History(now=now, id="history")
                yield Composer(id="composer")
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        history = self.query_one(History)
        try:
            from signal_tui.ui.widgets.image_preview import render_image_lines

            history.image_lines = render_image_lines
        except ImportError:  # the preview module is optional
            pass
        self.query_one(Composer).scratch_dir = self.sapp.session_data_dir
        self.query_one(ConversationHeader).show(None, self.sapp.receiver_state)
        self.query_one(StatusBar).show(
            self.sapp.receiver_state, account=self.sapp.config.account or ""
        )
        self.query_one(ConversationList).focus()
        self.sapp.main_ready()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.sapp.worker_failed(event)

    # --- helpers used by the app -----------------------------------------------------------
    @property
    def conv_list(self) -> ConversationList:
        return self.query_one(ConversationList)

    @property
    def history(self) -> History:
        return self.query_one(History)

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    def show_state(self, state: Any) -> None:
        self.query_one(StatusBar).show(state)
        self.query_one(ConversationHeader).show(self.conversation, state)

    def show_typing(self, conversation_id: int, names: list[str]) -> None:
        if self.conversation is not None and self.conversation.id == conversation_id:
            text = (", ".join(names) + " typing…") if names else ""
            self.query_one(ConversationHeader).show(self.conversation, typing=text)

    # --- opening conversations -------------------------------------------------------------
    @on(ConversationList.Selected)
    def handle_selected(self, event: ConversationList.Selected) -> None:
        self.open_conversation(event.conversation.id)

    @work(group="open", exclusive=True, exit_on_error=False)
    async def open_conversation(self, conversation_id: int, message_id: int | None = None) -> None:
        """One page query + paint; focus the composer; mark read (receipts if enabled)."""
        store = self.sapp.store
        conv = await store.get_conversation(conversation_id)
        if conv is None:
            return
        self.conversation = conv
        self.conv_list.active = conv.id
        self.conv_list.highlighted = conv.id
        self.conv_list.refresh()
        self.query_one(ConversationHeader).show(conv, typing="")
        if message_id is None:
            await self.history.open(store, conv.id, is_group=conv.kind == "group")
        else:
            self.history.is_group = conv.kind == "group"
            await self.history.open_around(store, conv.id, message_id)
        self.composer.clear()
        self.composer.members = []
        if conv.kind == "group":
            self.load_members(conv.id)
        self.composer.focus_input()
        if conv.unread:
            self.mark_read(conv.id)

    @work(group="members", exclusive=True, exit_on_error=False)
    async def load_members(self, conversation_id: int) -> None:
        members = await self.sapp.store.group_members(conversation_id)
        me = self.sapp.config.account
        self.composer.members = [
            (r.display_name, r.address) for r, _admin in members if r.address and r.number != me
        ]

    @work(group="read", exit_on_error=False)
    async def mark_read(self, conversation_id: int) -> None:
        messenger = self.sapp.messenger
        if messenger is not None:
            await messenger.mark_read(conversation_id)

    # --- filter / new conversation ---------------------------------------------------------
    @on(Input.Changed, "#filter")
    def handle_filter(self, event: Input.Changed) -> None:
        self.conv_list.set_filter(event.value)

    @on(Input.Submitted, "#filter")
    def handle_filter_submit(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if self.conv_list.order:
            target = self.conv_list.order[0]
            event.input.value = ""  # back to the full list, the chosen chat stays highlighted
            self.conv_list.set_filter("")
            self.conv_list.highlighted = target
            self.open_conversation(target)
        elif _looks_like_address(value):
            self.start_conversation(value)
        elif value:
            self.notify(
                "No conversation matches. Type a +number or UUID to start one.",
                markup=False,
            )

    @work(group="new", exit_on_error=False)
    async def start_conversation(self, address: str) -> None:
        messenger = self.sapp.messenger
        if messenger is None:
            return
        conv = await messenger.open_direct(address)
        self.conv_list.upsert(conv)
        self.query_one("#filter", Input).value = ""
        self.open_conversation(conv.id)

    def action_new_conversation(self) -> None:
        try:
            from signal_tui.ui.screens.new_conversation import NewConversationScreen
        except ImportError:
            self.action_focus_filter()
            return

        def done(address: str | None) -> None:
            if address:
                self.start_conversation(address)

        self.app.push_screen(NewConversationScreen(), done)

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_back(self) -> None:
        focused = self.focused
        if isinstance(focused, History) and focused.selected_id is not None:
            focused.action_last()
            self.composer.focus_input()
        elif focused is self.query_one("#filter", Input):
            self.conv_list.focus()
        else:
            self.conv_list.focus()

    # --- composing -------------------------------------------------------------------------
    @on(Composer.Cancelled)
    def handle_composer_cancelled(self) -> None:
        self.history.focus()

    @on(Composer.AttachRequested)
    def handle_attach(self) -> None:
        try:
            from signal_tui.ui.screens.attach import AttachmentPicker
        except ImportError:
            self.notify(
                "The file picker is not available; paste a file path instead.", markup=False
            )
            return

        def done(paths: list[Path] | None) -> None:
            if paths:
                self.composer.add_attachments(list(paths))
            self.composer.focus_input()

        self.app.push_screen(AttachmentPicker(Path.home()), done)

    @on(Composer.Typing)
    def handle_typing(self, event: Composer.Typing) -> None:
        if self.conversation is not None:
            self.send_typing(self.conversation.id, event.started)

    @work(group="typing", exclusive=True, exit_on_error=False)
    async def send_typing(self, conversation_id: int, started: bool) -> None:
        messenger = self.sapp.messenger
        if messenger is not None:
            await messenger.typing(conversation_id, started)

    @on(Composer.Submitted)
    def handle_submitted(self, event: Composer.Submitted) -> None:
        if self.conversation is None:
            self.notify("Open a conversation first.", markup=False)
            return
        self.send_draft(self.conversation.id, event.draft)

    @work(group="send", exit_on_error=False)
    async def send_draft(self, conversation_id: int, draft: Any) -> None:
        messenger = self.sapp.messenger
        if messenger is None:
            self.notify("Not connected to an account.", severity="error", markup=False)
            return
        if draft.edit is not None:
            await messenger.edit(draft.edit, draft.text)
        else:
            await messenger.send(
                conversation_id,
                draft.text,
                attachments=draft.attachments or None,
                quote=draft.quote,
                mentions=draft.mentions or None,
            )
        # the store's change notice repaints; make it immediate for our own message
        await self.history.reload()

    # --- message actions -------------------------------------------------------------------
    @on(History.Activated)
    def handle_activated(self, event: History.Activated) -> None:
        self.message_actions(event.message)

    def action_reply(self) -> None:
        msg = self.history.selected
        if msg is not None:
            self.composer.set_reply(msg)

    def describe(self) -> str:
        """One line for tests and screen readers: which conversation is open."""
        return one_line(self.conversation.title if self.conversation else "")
