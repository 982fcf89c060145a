"""The Textual app: wiring only.

`make_app(config)` builds (or takes) a core Session — store, messenger, receiver, outbox — and the
App shows the cached conversations at once from the store, then starts the session in a worker.
Store change notices, receiver state, typing and new-message callbacks all arrive on Textual's own
asyncio loop; they are turned into app Messages (coalesced) and applied to widgets in place.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message as TMessage
from textual.worker import Worker, WorkerState

from signal_tui.api.models import ReceiverState
from signal_tui.config import Config
from signal_tui.store.models import Change, Message
from signal_tui.text import one_line
from signal_tui.ui.app_support import HELP_SECTIONS, _desktop_notify, readable_error
from signal_tui.ui.commands import SignalCommands
from signal_tui.ui.screens.main import MainScreen

Clock = Callable[[], datetime]
DEBOUNCE = 0.05  # seconds: a burst of store notices becomes one repaint
QUIET = 0.2  # seconds without a repaint after which a notice is applied at once
# which change kinds (store.models.Change.what) repaint what; "*" = unspecified
LIST_CHANGES = {"*", "messages", "conversation", "read", "recipients", "groups"}
HISTORY_CHANGES = {"*", "messages", "reactions", "receipts", "attachments", "recipients"}


FRESH_SECONDS = 300  # messages older than this when they arrive are backlog, not news


class StoreChanged(TMessage):
    """Store notices since the last repaint. Pending ones are replaced: the app keeps the set."""

    def can_replace(self, message: TMessage) -> bool:
        return isinstance(message, StoreChanged)


class StateChanged(TMessage):
    def __init__(self, state: ReceiverState) -> None:
        super().__init__()
        self.state = state

    def can_replace(self, message: TMessage) -> bool:
        return isinstance(message, StateChanged)


class SignalApp(App[int]):
    """The messenger. Gets everything it uses from the Session passed in."""

    TITLE = "signal-tui"
    CSS_PATH = "styles/app.tcss"
    COMMANDS = App.COMMANDS | {SignalCommands}
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
        Binding("ctrl+f", "search", "Search"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        config: Config,
        *,
        session: Any = None,
        clock: Clock | datetime | None = None,
        start_session: bool = True,
    ) -> None:
        super().__init__()
        self.config = config
        self.start_session = start_session  # False: cache only (snapshots, offline use)
        self.session = session
        if isinstance(clock, datetime):
            pinned = clock
            clock = lambda: pinned  # noqa: E731
        self._clock = clock
        self.pinned_clock = clock is not None
        self.receiver_state = ReceiverState("offline")
        self._pending: dict[int | None, set[str]] = {}
        self._flush_timer: Any = None
        self._last_flush = 0.0
        self._unsubscribe: list[Callable[[], None]] = []
        self.typing_names: dict[int, dict[int, str]] = {}
        self.repaints = 0  # coalesced store repaints (tests and the benchmark read it)
        self.theme = config.theme if config.theme else "textual-dark"

    # --- accessors -------------------------------------------------------------------------
    def now(self) -> datetime:
        return self._clock() if self._clock is not None else datetime.now()

    @property
    def store(self) -> Any:
        return self.session.store if self.session is not None else None

    @property
    def messenger(self) -> Any:
        return self.session.messenger if self.session is not None else None

    @property
    def session_data_dir(self) -> Path:
        return Path(getattr(self.session, "data_dir", self.config.data_dir))

    @property
    def main(self) -> MainScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    # --- start -----------------------------------------------------------------------------
    def on_mount(self) -> None:
        if not self.config.url or not self.config.account:
            self._first_run()
            return
        self.push_screen(MainScreen())  # its on_mount calls main_ready()

    def main_ready(self) -> None:
        """The main screen is composed: fill it from the cache, then go online."""
        if self.config.url and self.config.account:
            self.run_worker(self._start_session(), name="open", exit_on_error=False)

    def _first_run(self) -> None:
        missing = [k for k in ("url", "account") if not getattr(self.config, k)]
        try:
            from signal_tui.ui.screens.admin.account import AccountSetupScreen
        except ImportError:
            self.push_screen(MainScreen())
            self.notify(
                "Not configured: set " + " and ".join(missing) + " (config file, "
                "SIGNAL_TUI_URL / SIGNAL_TUI_ACCOUNT, or --url / --account).",
                severity="error",
                timeout=30,
                markup=False,
            )
            return

        def done(config: Config | None) -> None:
            if config is None or not config.url or not config.account:
                self.exit(0)
                return
            self.config = config
            self.session = None
            if self.main is None:
                self.push_screen(MainScreen())
            else:
                self.main_ready()

        self.push_screen(AccountSetupScreen(self.config), done)

    async def _start_session(self) -> None:
        from signal_tui.core.session import Session

        if self.session is None:
            self.session = Session(self.config)
        await self.session.open()  # cache only: instant, offline
        main = self.main
        assert main is not None
        main.conv_list.set_all(await self.store.list_conversations())
        self._update_unread()
        self._unsubscribe = [
            self.store.subscribe(self._on_store_changes),
            self.session.subscribe_state(self._on_state),
            self.session.on_typing(self._on_typing),
            self.session.on_messages(self._on_messages),
        ]
        self._on_state(self.session.receiver_state)
        if self.start_session:
            self.run_worker(self.session.start(), name="session", exit_on_error=False)

    def switch_account(self, config: Config) -> None:
        """Use another account (or server) live: stop this session, open the other cache."""
        self.run_worker(self._switch_account(config), name="switch", exclusive=True)

    async def _switch_account(self, config: Config) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        old, self.session = self.session, None
        if old is not None:
            await old.stop()
        self.config = config
        self._on_state(ReceiverState("connecting"))  # not the old account's state
        self._pending.clear()
        self.typing_names.clear()
        self.call_later(self._remount_main)

    def _remount_main(self) -> None:
        """A fresh main screen; its on_mount opens the new session's cache (main_ready)."""
        while len(self.screen_stack) > 2 and not isinstance(self.screen, MainScreen):
            self.pop_screen()
        if isinstance(self.screen, MainScreen):
            self.switch_screen(MainScreen())
        else:
            self.push_screen(MainScreen())
        self.notify(f"Switched to {one_line(self.config.account)}", markup=False)

    async def on_unmount(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        if self.session is not None:
            await self.session.stop()

    # --- callbacks from the session (same loop) --------------------------------------------
    def _on_store_changes(self, changes: list[Change]) -> None:
        for change in changes:
            self._pending.setdefault(change.conversation_id, set()).update(change.what or {"*"})
        self.post_message(StoreChanged())

    def _on_state(self, state: ReceiverState) -> None:
        self.post_message(StateChanged(state))

    def _on_typing(self, conversation_id: int, recipient_id: int, started: bool) -> None:
        main = self.main
        if main is None:
            return
        main.conv_list.set_typing(conversation_id, recipient_id, started)
        names = self.typing_names.setdefault(conversation_id, {})
        if started:
            names[recipient_id] = "…"
            self._resolve_typing_name(conversation_id, recipient_id)
        else:
            names.pop(recipient_id, None)
        main.show_typing(conversation_id, list(names.values()))
        if started:  # a lost "stopped" must not leave the indicator on forever
            self.set_timer(15, lambda: self._on_typing(conversation_id, recipient_id, False))

    @work(group="typing-name", exit_on_error=False)
    async def _resolve_typing_name(self, conversation_id: int, recipient_id: int) -> None:
        rcpt = await self.store.get_recipient(recipient_id)
        names = self.typing_names.get(conversation_id, {})
        if rcpt is not None and recipient_id in names:
            names[recipient_id] = one_line(rcpt.display_name, 30)
            if self.main is not None:
                self.main.show_typing(conversation_id, list(names.values()))

    def _on_messages(self, messages: list[Message]) -> None:
        for m in messages:  # a message from someone who was typing ends their indicator
            if not m.outgoing and m.author_id in self.typing_names.get(m.conversation_id, {}):
                self._on_typing(m.conversation_id, m.author_id, False)
        main = self.main
        open_id = main.conversation.id if main and main.conversation else None
        # only fresh messages: a first sync or a backlog after being offline must not raise
        # a toast per batch of old history
        fresh_after = (self.now().timestamp() - FRESH_SECONDS) * 1000
        others = [
            m for m in messages if not m.outgoing and m.kind == "text" and m.sent_ts >= fresh_after
        ]
        if open_id is not None and self.app_focus:
            others = [m for m in others if m.conversation_id != open_id]
        if not others:
            return
        last = others[-1]
        body = one_line(last.body or ("attachment" if last.attachments else "new message"), 80)
        title = one_line(last.author_name, 40) or "New message"
        extra = f" (+{len(others) - 1} more)" if len(others) > 1 else ""
        self.notify(f"{body}{extra}", title=title, markup=False, timeout=4)
        if self.config.notify_bell:
            self.bell()
        if self.config.notify_desktop:
            _desktop_notify(title, body)

    # --- applying changes ------------------------------------------------------------------
    @on(StoreChanged)
    def handle_store_changed(self) -> None:
        """Leading edge after a quiet spell (a lone message shows at once), then a short
        trailing debounce, so a burst of notices becomes one repaint."""
        if self._flush_timer is not None:
            return
        quiet = time.monotonic() - self._last_flush > QUIET
        self._flush_timer = self.set_timer(0.001 if quiet else DEBOUNCE, self._flush_changes)

    @on(StateChanged)
    def handle_state_changed(self, event: StateChanged) -> None:
        self.receiver_state = event.state
        if self.main is not None:
            self.main.show_state(event.state)

    def _flush_changes(self) -> None:
        self._flush_timer = None
        self._last_flush = time.monotonic()
        pending, self._pending = self._pending, {}
        if pending:
            self.run_worker(self._apply(pending), group="apply", exit_on_error=False)

    async def _apply(self, pending: dict[int | None, set[str]]) -> None:
        main = self.main
        if main is None or self.store is None:
            return
        list_ids = {c for c, what in pending.items() if what & LIST_CHANGES}
        history_ids = {c for c, what in pending.items() if what & HISTORY_CHANGES}
        if not list_ids and not history_ids:
            return  # e.g. outbox bookkeeping: nothing the user sees changed
        self.repaints += 1
        if None in list_ids:
            main.conv_list.set_all(await self.store.list_conversations())
        else:
            for cid in list_ids:
                conv = await self.store.get_conversation(cid)
                if conv is None:
                    main.conv_list.remove_conversation(cid)  # type: ignore[arg-type]
                else:
                    main.conv_list.upsert(conv)
        self._update_unread()
        open_conv = main.conversation
        if open_conv is not None and (None in history_ids or open_conv.id in history_ids):
            fresh = main.conv_list.records.get(open_conv.id)
            if fresh is not None:
                main.conversation = fresh
                main.query_one("#header").show(fresh)  # type: ignore[attr-defined]
            await main.history.reload()
            if (
                fresh is not None
                and fresh.unread
                and self.app_focus
                and main.history.is_vertical_scroll_end
            ):
                main.mark_read(fresh.id)

    def _update_unread(self) -> None:
        main = self.main
        if main is not None:
            total = sum(c.unread for c in main.conv_list.records.values())
            main.query_one("#status").show(unread=total)  # type: ignore[attr-defined]

    # --- one place for failures ------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place failures surface. Worker.StateChanged does not bubble, so the screens
        and widgets that run workers forward theirs here (see `worker_failed`)."""
        self.worker_failed(event)

    def worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        self.notify(readable_error(error), severity="error", timeout=8, markup=False)

    # --- actions ---------------------------------------------------------------------------
    def action_help(self) -> None:
        from signal_tui.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen(HELP_SECTIONS))

    def action_search(self) -> None:
        if self.store is None:
            return
        try:
            from signal_tui.ui.screens.search import SearchScreen
        except ImportError:
            self.notify("Search is not available in this build.", markup=False)
            return

        def done(hit: Any) -> None:
            if hit is not None and self.main is not None:
                self.main.open_conversation(hit.conversation_id, hit.message_id)

        self.push_screen(SearchScreen(self.store), done)

    def open_conversation(self, conversation_id: int) -> None:
        if self.main is not None:
            self.main.open_conversation(conversation_id)


def make_app(
    config: Config,
    *,
    session: Any = None,
    clock: Clock | datetime | None = None,
    start_session: bool = True,
) -> SignalApp:
    """Build the app. Tests pass a pinned clock; the CLI passes only the config."""
    return SignalApp(config, session=session, clock=clock, start_session=start_session)
