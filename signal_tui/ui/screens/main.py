"""Main screen: conversation list | header + history + composer, status line, footer.

It is given an open `Session` and applies what the App posts about it (ui/messages.py: store
changes, receiver state, typing, new messages). Siblings coordinate here: the list posts
Selected, the composer posts Submitted/Typing, the history posts Activated. All I/O goes
through the session (store reads, Messenger commands) in workers; failures surface through the
app's one error handler.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input
from textual.worker import Worker

from signal_tui.core.messenger import Messenger
from signal_tui.core.session import ReceiverState, Session
from signal_tui.ids import split_address
from signal_tui.store import Store
from signal_tui.store.mentions import with_mentions
from signal_tui.store.models import Conversation
from signal_tui.text import one_line
from signal_tui.ui.messages import (
    MessagesArrived,
    ReceiverStateChanged,
    StoreChanged,
    TypingChanged,
    forward_failure,
)
from signal_tui.ui.notify import desktop_notify
from signal_tui.ui.screens.main_actions import MainActions
from signal_tui.ui.widgets.composer import Composer, Draft
from signal_tui.ui.widgets.conversation_list import ConversationList
from signal_tui.ui.widgets.halfblock import render_image_lines
from signal_tui.ui.widgets.history import History
from signal_tui.ui.widgets.status import ConversationHeader, StatusBar

DEBOUNCE = 0.05  # seconds: a burst of store notices becomes one repaint
QUIET = 0.2  # seconds without a repaint after which a notice is applied at once
# which change kinds (store.models.Change.what) repaint what; "*" = unspecified
LIST_CHANGES = {"*", "messages", "conversation", "read", "recipients", "groups"}
HISTORY_CHANGES = {"*", "messages", "reactions", "receipts", "attachments", "recipients"}
FRESH_SECONDS = 300  # messages older than this when they arrive are backlog, not news
TYPING_TIMEOUT = 15  # seconds: a lost "stopped" must not leave the indicator on forever
DRAFT_SAVE_DELAY = 0.5  # seconds after the last keystroke: the draft is written to the cache


def _looks_like_address(text: str) -> bool:
    uuid, number = split_address(text.strip())
    return bool(uuid or number)


class MainScreen(MainActions, Screen[None]):
    """The messenger's one main screen."""

    CSS_PATH = "../styles/main.tcss"
    BINDINGS = [
        Binding("ctrl+n", "new_conversation", "New chat"),
        Binding("ctrl+f", "app.search", "Search"),
        Binding("ctrl+l", "focus_filter", "Filter", show=False),
        Binding("ctrl+r", "reply", "Reply", show=False),
        Binding("alt+down,ctrl+down", "next_unread", "Next unread", show=False),
        Binding("escape", "back", "Back", show=False),
    ]

    def __init__(
        self,
        session: Session,
        *,
        now: Callable[[], datetime] = datetime.now,
        steady: bool = False,
        state: ReceiverState | None = None,
    ) -> None:
        """`session` is open (its cache readable); `now` is the clock the views show time by;
        `steady` turns off cursor blinking (snapshots with a pinned clock); `state` is the
        receiver state to show until the session reports one (default: the session's)."""
        super().__init__()
        self.session = session
        self.now = now
        self.steady = steady
        self.conversation: Conversation | None = None
        self.receiver_state: ReceiverState = state or session.receiver_state
        self.typing_names: dict[int, dict[int, str]] = {}
        self.repaints = 0  # coalesced store repaints (tests and the benchmark read it)
        self._pending: dict[int | None, set[str]] = {}
        self._flush_timer: object | None = None
        self._last_flush = 0.0
        self._draft_pending: tuple[int, str] | None = None  # (conversation id, text) to store
        self._draft_timer: Timer | None = None
        self._unsubscribe_progress: Callable[[], None] | None = None

    @property
    def store(self) -> Store:
        assert self.session.store is not None, "the main screen needs an open session"
        return self.session.store

    @property
    def messenger(self) -> Messenger:
        assert self.session.messenger is not None, "the main screen needs an open session"
        return self.session.messenger

    def compose(self) -> ComposeResult:
        now = self.now
        with Horizontal(id="body"):
            with Vertical(id="sidebar"):
                filter_input = Input(placeholder="Filter or +number", id="filter")
                filter_input.cursor_blink = not self.steady
                yield filter_input
                yield ConversationList(now=now, id="conversations")
            with Vertical(id="chat"):
                yield ConversationHeader(id="header")
                yield History(now=now, id="history")
                yield Composer(id="composer", steady=self.steady)
        yield StatusBar(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(History).image_lines = render_image_lines
        self.query_one(Composer).scratch_dir = self.session.data_dir
        self.query_one(ConversationHeader).show(None, self.receiver_state)
        self.query_one(StatusBar).show(self.receiver_state, account=self.session.account)
        self.query_one(ConversationList).focus()
        if self.session.attachments is not None:  # downloads show how far they are
            self._unsubscribe_progress = self.session.attachments.on_progress(
                lambda aid, done, total: self.call_later(
                    self.history.show_progress, aid, done, total
                )
            )
        self.load_conversations()

    @work(group="list", exclusive=True, exit_on_error=False)
    async def load_conversations(self) -> None:
        """The whole list from the cache (one query on the summary table)."""
        self.conv_list.set_all(await self.store.list_conversations())
        self.conv_list.drafts = await self.store.drafts()
        self._update_unread()

    def on_unmount(self) -> None:
        if self._unsubscribe_progress is not None:
            self._unsubscribe_progress()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    # --- what the app tells us about the session -------------------------------------------
    @on(StoreChanged)
    def handle_store_changed(self, event: StoreChanged) -> None:
        """Leading edge after a quiet spell (a lone message shows at once), then a short
        trailing debounce, so a burst of notices becomes one repaint."""
        for cid, what in event.pending.items():
            self._pending.setdefault(cid, set()).update(what)
        if self._flush_timer is not None:
            return
        quiet = time.monotonic() - self._last_flush > QUIET
        self._flush_timer = self.set_timer(0.001 if quiet else DEBOUNCE, self._flush_changes)

    def _flush_changes(self) -> None:
        self._flush_timer = None
        self._last_flush = time.monotonic()
        pending, self._pending = self._pending, {}
        if pending:
            self.run_worker(self._apply(pending), group="apply", exit_on_error=False)

    async def _apply(self, pending: dict[int | None, set[str]]) -> None:
        list_ids = {c for c, what in pending.items() if what & LIST_CHANGES}
        history_ids = {c for c, what in pending.items() if what & HISTORY_CHANGES}
        if not list_ids and not history_ids:
            return  # e.g. outbox bookkeeping: nothing the user sees changed
        self.repaints += 1
        if None in list_ids:
            self.conv_list.set_all(await self.store.list_conversations())
        else:
            for cid in list_ids:
                assert cid is not None
                conv = await self.store.get_conversation(cid)
                if conv is None:
                    self.conv_list.remove_conversation(cid)
                else:
                    self.conv_list.upsert(conv)
        self._update_unread()
        open_conv = self.conversation
        if open_conv is not None and (None in history_ids or open_conv.id in history_ids):
            fresh = self.conv_list.records.get(open_conv.id)
            if fresh is not None:
                self.conversation = fresh
                self.query_one(ConversationHeader).show(fresh)
            await self.history.reload()
            if (
                fresh is not None
                and fresh.unread
                and self.app.app_focus
                and (self.history.follow or self.history.is_vertical_scroll_end)
            ):
                self.mark_read(fresh.id)

    def _update_unread(self) -> None:
        total = sum(c.unread for c in self.conv_list.records.values())
        self.query_one(StatusBar).show(unread=total)

    @on(ReceiverStateChanged)
    def handle_state_changed(self, event: ReceiverStateChanged) -> None:
        self.receiver_state = event.state
        self.query_one(StatusBar).show(event.state)
        self.query_one(ConversationHeader).show(self.conversation, event.state)

    @on(TypingChanged)
    def handle_typing_changed(self, event: TypingChanged) -> None:
        self._set_typing(event.conversation_id, event.recipient_id, event.started)

    def _set_typing(self, conversation_id: int, recipient_id: int, started: bool) -> None:
        self.conv_list.set_typing(conversation_id, recipient_id, started)
        names = self.typing_names.setdefault(conversation_id, {})
        if started:
            names[recipient_id] = "…"
            self._resolve_typing_name(conversation_id, recipient_id)
            self.set_timer(
                TYPING_TIMEOUT, lambda: self._set_typing(conversation_id, recipient_id, False)
            )
        else:
            names.pop(recipient_id, None)
        self.show_typing(conversation_id, list(names.values()))

    @work(group="typing-name", exit_on_error=False)
    async def _resolve_typing_name(self, conversation_id: int, recipient_id: int) -> None:
        rcpt = await self.store.get_recipient(recipient_id)
        names = self.typing_names.get(conversation_id, {})
        if rcpt is not None and recipient_id in names:
            names[recipient_id] = one_line(rcpt.display_name, 30)
            self.show_typing(conversation_id, list(names.values()))

    @on(MessagesArrived)
    def handle_messages_arrived(self, event: MessagesArrived) -> None:
        messages = event.messages
        for m in messages:  # a message from someone who was typing ends their indicator
            if not m.outgoing and m.author_id in self.typing_names.get(m.conversation_id, {}):
                self._set_typing(m.conversation_id, m.author_id, False)
        open_id = self.conversation.id if self.conversation else None
        # only fresh messages: a first sync or a backlog after being offline must not raise
        # a toast per batch of old history
        fresh_after = (self.now().timestamp() - FRESH_SECONDS) * 1000
        others = [
            m for m in messages if not m.outgoing and m.kind == "text" and m.sent_ts >= fresh_after
        ]
        if open_id is not None and self.app.app_focus:
            others = [m for m in others if m.conversation_id != open_id]
        if not others:
            return
        last = others[-1]
        text = with_mentions(last.body, last.mentions)  # "@Name", never U+FFFC
        body = one_line(text or ("attachment" if last.attachments else "new message"), 80)
        title = one_line(last.author_name, 40) or "New message"
        extra = f" (+{len(others) - 1} more)" if len(others) > 1 else ""
        self.notify(f"{body}{extra}", title=title, markup=False, timeout=4)
        config = self.session.config
        if config.notify_bell:
            self.app.bell()
        if config.notify_desktop:
            desktop_notify(title, body)

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
        store = self.store
        conv = await store.get_conversation(conversation_id)
        if conv is None:
            return
        await self.save_draft_now()  # what was written in the chat we leave stays its draft
        self.conversation = conv
        self.conv_list.active = conv.id
        self.conv_list.highlighted = conv.id
        self.conv_list.refresh()
        self.query_one(ConversationHeader).show(conv, typing="")
        if message_id is None:
            unread = await store.first_unread(conv.id) if conv.unread else None
            await self.history.open(store, conv.id, is_group=conv.kind == "group", unread=unread)
        else:
            self.history.is_group = conv.kind == "group"
            await self.history.open_around(store, conv.id, message_id)
        self.composer.clear()
        draft = await store.get_draft(conv.id)
        if draft:
            self.composer.restore(draft)
        self.composer.members = []
        if conv.kind == "group":
            self.load_members(conv.id)
        self.composer.focus_input()
        if conv.unread:
            self.mark_read(conv.id)

    @work(group="members", exclusive=True, exit_on_error=False)
    async def load_members(self, conversation_id: int) -> None:
        members = await self.store.group_members(conversation_id)
        me = self.session.account
        self.composer.members = [
            (r.display_name, r.address) for r, _admin in members if r.address and r.number != me
        ]

    @work(group="read", exit_on_error=False)
    async def mark_read(self, conversation_id: int) -> None:
        await self.messenger.mark_read(conversation_id)

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
        conv = await self.messenger.open_direct(address)
        self.conv_list.upsert(conv)
        self.query_one("#filter", Input).value = ""
        self.open_conversation(conv.id)

    def action_new_conversation(self) -> None:
        from signal_tui.ui.screens.new_conversation import NewConversationScreen

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
        from signal_tui.ui.screens.attach import AttachmentPicker

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
        await self.messenger.typing(conversation_id, started)

    @on(Composer.Submitted)
    def handle_submitted(self, event: Composer.Submitted) -> None:
        if self.conversation is None:
            self.composer.not_sent(event.draft)
            self.notify("Open a conversation first.", markup=False)
            return
        self.send_draft(self.conversation.id, event.draft)

    @work(group="send", exit_on_error=False)
    async def send_draft(self, conversation_id: int, draft: Draft) -> None:
        """Store the draft in the outbox (on disk), then clear the composer; the outbox sends."""
        messenger = self.messenger
        try:
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
        except BaseException:
            self.composer.not_sent(draft)
            raise
        self.composer.sent(draft)
        self._forget_draft(conversation_id)
        await self.store.save_draft(conversation_id, "")
        # our own message is always brought into view, even when the user had scrolled back
        await self.history.show_newest()

    # --- drafts: what the user writes is kept per chat, on disk ----------------------------
    @on(Composer.Edited)
    def handle_edited(self, event: Composer.Edited) -> None:
        if self.conversation is None:
            return
        cid = self.conversation.id
        self._draft_pending = (cid, event.text)
        self._show_draft(cid, event.text)
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_SAVE_DELAY, self._save_draft_later)

    def _save_draft_later(self) -> None:
        self.run_worker(self.save_draft_now(), group="draft", exit_on_error=False)

    async def save_draft_now(self) -> None:
        """Store the pending draft at once (leaving a chat, quitting)."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        pending, self._draft_pending = self._draft_pending, None
        if pending is not None:
            await self.store.save_draft(*pending)

    def _forget_draft(self, conversation_id: int) -> None:
        if self._draft_pending is not None and self._draft_pending[0] == conversation_id:
            self._draft_pending = None
        self._show_draft(conversation_id, "")

    def _show_draft(self, conversation_id: int, text: str) -> None:
        drafts = self.conv_list.drafts
        had = drafts.get(conversation_id, "")
        if text.strip():
            drafts[conversation_id] = text
        else:
            drafts.pop(conversation_id, None)
        if had != drafts.get(conversation_id, ""):
            self.conv_list.refresh()

    async def settle_sends(self) -> None:
        """Until every draft the user submitted is stored (or failed): quitting waits for this."""
        for worker in list(self.workers):
            if worker.group == "send" and not worker.is_finished:
                with contextlib.suppress(Exception):
                    await worker.wait()

    # --- message actions -------------------------------------------------------------------
    @on(History.LinkRequested)
    def handle_link_requested(self, event: History.LinkRequested) -> None:
        self.open_links(event.message)

    @on(History.AtNewest)
    def handle_at_newest(self) -> None:
        conv = self.conversation
        fresh = self.conv_list.records.get(conv.id) if conv is not None else None
        if fresh is not None and fresh.unread and self.app.app_focus:
            self.mark_read(fresh.id)

    def action_next_unread(self) -> None:
        """Open the next conversation (below the open one, wrapping) with unread messages."""
        order = self.conv_list.order
        records = self.conv_list.records
        start = (
            order.index(self.conversation.id) + 1
            if self.conversation and self.conversation.id in order
            else 0
        )
        for cid in order[start:] + order[:start]:
            if records[cid].unread and (self.conversation is None or cid != self.conversation.id):
                self.conv_list.highlighted = cid
                self.open_conversation(cid)
                return
        self.notify("No unread messages.", markup=False)

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
