"""The Textual app: wiring only.

`make_app(config)` builds the App; the App builds (or is given) the account's core `Session`,
opens its cache (instant, offline) and shows the main screen with it, then starts the session in
a worker. The session's callbacks (store commits, receiver state, typing, new messages) arrive on
Textual's own loop; the App turns each into a message from ui/messages.py and posts it to the
main screen, which applies it. Failed workers anywhere bubble up here as one readable sentence.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from signal_tui.config import Config
from signal_tui.core.errors import explain
from signal_tui.core.messenger import Messenger
from signal_tui.core.session import ReceiverState, Session, SessionError
from signal_tui.store import Store
from signal_tui.store.models import Change, Message
from signal_tui.text import one_line
from signal_tui.ui.commands import SignalCommands
from signal_tui.ui.help_text import HELP_SECTIONS
from signal_tui.ui.messages import (
    MessagesArrived,
    ReceiverStateChanged,
    StoreChanged,
    TypingChanged,
    WorkerFailed,
)
from signal_tui.ui.screens.main import MainScreen

Clock = Callable[[], datetime]
ExtraCommand = tuple[str, str, Callable[[], object]]  # palette name, help, what it does


class SignalApp(App[int]):
    """The messenger. Gets everything it uses from the Session it builds or is given."""

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
        session: Session | None = None,
        clock: Clock | datetime | None = None,
        start_session: bool = True,
        extra_commands: Sequence[ExtraCommand] = (),
    ) -> None:
        super().__init__()
        self.extra_commands = list(extra_commands)  # (name, help, run): e.g. the demo's
        self.config = config
        self.start_session = start_session  # False: cache only (snapshots, offline use)
        self.session = session
        if isinstance(clock, datetime):
            pinned = clock
            clock = lambda: pinned  # noqa: E731
        self._clock = clock
        self.pinned_clock = clock is not None
        self.receiver_state = ReceiverState("connecting")
        self._unsubscribe: list[Callable[[], None]] = []
        self._quitting = False  # waiting for the outbox before exiting
        self.theme = config.theme if config.theme else "textual-dark"

    # --- accessors -------------------------------------------------------------------------
    def now(self) -> datetime:
        return self._clock() if self._clock is not None else datetime.now()

    @property
    def store(self) -> Store | None:
        return self.session.store if self.session is not None else None

    @property
    def messenger(self) -> Messenger | None:
        return self.session.messenger if self.session is not None else None

    @property
    def main(self) -> MainScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    # --- start -----------------------------------------------------------------------------
    async def on_mount(self) -> None:
        if not self.config.url or not self.config.account:
            self._first_run()
            return
        try:  # awaited here: the first frame already shows the cached conversations
            await self._open_session()
        except SessionError as exc:  # e.g. the cache is open in another signal-tui
            self.session = None
            self.exit(return_code=1, message=Text(f"signal-tui: {exc}"))
        except Exception as exc:
            self.tell_failure(exc)

    def _first_run(self) -> None:
        from signal_tui.ui.screens.admin.account import AccountSetupScreen

        def done(config: Config | None) -> None:
            if config is None or not config.url or not config.account:
                self.exit(0)
                return
            self.config = config
            self.session = None
            self.run_worker(self._open_session(), name="open", exit_on_error=False)

        self.push_screen(AccountSetupScreen(self.config), done)

    async def _open_session(self) -> None:
        """Open the cache (instant, offline), show it, then go online in the background."""
        if self.session is None:
            self.session = Session(self.config)
        session = self.session
        await session.open()
        self._subscribe(session)
        if self.start_session and session.receiver_state.state == "offline":
            self.receiver_state = ReceiverState("connecting")  # not "offline" while it starts
        main = MainScreen(
            session, now=self.now, steady=self.pinned_clock, state=self.receiver_state
        )
        if isinstance(self.screen, MainScreen):
            await self.switch_screen(main)
        else:
            while len(self.screen_stack) > 1:
                self.pop_screen()
            await self.push_screen(main)
        if self.start_session:
            self.run_worker(session.start(), name="session", exit_on_error=False)

    def _subscribe(self, session: Session) -> None:
        assert session.store is not None
        self._unsubscribe = [
            session.store.subscribe(self._on_store_changes),
            session.subscribe_state(self._on_state),
            session.on_typing(self._on_typing),
            session.on_messages(self._on_messages),
        ]
        self.receiver_state = session.receiver_state

    def _unsubscribe_all(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []

    def switch_account(self, config: Config) -> None:
        """Use another account (or server) live: stop this session, open the other cache."""
        self.run_worker(self._switch_account(config), name="switch", exclusive=True)

    async def _switch_account(self, config: Config) -> None:
        self._unsubscribe_all()
        old, self.session = self.session, None
        if old is not None:
            await old.stop()
        self.config = config
        self.receiver_state = ReceiverState("connecting")  # not the old account's state
        await self._open_session()
        self.notify(f"Switched to {one_line(config.account)}", markup=False)

    async def on_unmount(self) -> None:
        self._unsubscribe_all()
        if self.session is not None:
            await self.session.stop()

    # --- session callbacks (same loop) -> messages to the main screen ----------------------
    def _post_main(
        self, message: StoreChanged | ReceiverStateChanged | TypingChanged | MessagesArrived
    ) -> None:
        main = self.main
        if main is not None:
            main.post_message(message)

    def _on_store_changes(self, changes: list[Change]) -> None:
        self._post_main(StoreChanged(changes))

    def _on_state(self, state: ReceiverState) -> None:
        self.receiver_state = state
        self._post_main(ReceiverStateChanged(state))

    def _on_typing(self, conversation_id: int, recipient_id: int, started: bool) -> None:
        self._post_main(TypingChanged(conversation_id, recipient_id, started))

    def _on_messages(self, messages: list[Message]) -> None:
        self._post_main(MessagesArrived(messages))

    # --- one place for failures ------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.tell_failure(event.worker.error)

    @on(WorkerFailed)
    def handle_worker_failed(self, event: WorkerFailed) -> None:
        self.tell_failure(event.error)

    def tell_failure(self, error: BaseException | None) -> None:
        """A failure as one readable sentence (never a traceback, never markup)."""
        sentence = str(explain(error)) if error is not None else "Something went wrong."
        self.notify(one_line(sentence, 300), severity="error", timeout=8, markup=False)

    # --- quitting: nothing the user wrote is lost ------------------------------------------
    async def action_quit(self) -> None:
        """Quit once every submitted draft is on disk; with unsent messages, ask first."""
        if self._quitting:  # ctrl+q again while waiting: quit now (the outbox keeps them)
            self.exit(0)
            return
        main = self.main
        if main is not None:
            await main.settle_sends()
            await main.save_draft_now()
        unsent = await self._unsent()
        if not unsent:
            self.exit(0)
            return
        from signal_tui.ui.dialogs.quit import QuitChoice, QuitScreen

        def chosen(choice: QuitChoice) -> None:
            if choice == "quit":
                self.exit(0)
            elif choice == "wait":
                self._quitting = True
                self.notify(
                    "Quitting once the outbox is empty (ctrl+q again quits now; nothing is lost).",
                    markup=False,
                    timeout=30,
                )
                self.run_worker(self._quit_when_sent(), name="quit-wait", exclusive=True)

        self.push_screen(QuitScreen(unsent), chosen)

    async def _unsent(self) -> int:
        """Messages the user sent that the outbox has not handed to the server yet."""
        store = self.store
        if store is None:
            return 0
        items = await store.outbox_items(("queued", "sending"))
        return sum(1 for item in items if item.kind in ("send", "edit"))

    async def _quit_when_sent(self) -> None:
        store = self.store
        if store is None:
            self.exit(0)
            return
        changed = asyncio.Event()
        unsubscribe = store.subscribe(lambda _changes: changed.set())  # every outbox step commits
        try:
            while await self._unsent():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), timeout=5)
                changed.clear()
        finally:
            unsubscribe()
        self.exit(0)

    # --- actions ---------------------------------------------------------------------------
    def action_help(self) -> None:
        from signal_tui.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen(HELP_SECTIONS))

    def action_search(self) -> None:
        main = self.main
        if main is None:
            return
        from signal_tui.store.models import SearchHit
        from signal_tui.ui.screens.search import SearchScreen

        def done(hit: SearchHit | None) -> None:
            if hit is not None:
                main.open_conversation(hit.conversation_id, hit.message_id)

        self.push_screen(SearchScreen(main.store), done)

    def open_conversation(self, conversation_id: int) -> None:
        if self.main is not None:
            self.main.open_conversation(conversation_id)


def make_app(
    config: Config,
    *,
    session: Session | None = None,
    clock: Clock | datetime | None = None,
    start_session: bool = True,
    extra_commands: Sequence[ExtraCommand] = (),
) -> SignalApp:
    """Build the app. Tests pass a pinned clock; the CLI passes the config (the demo also its
    own palette commands)."""
    return SignalApp(
        config,
        session=session,
        clock=clock,
        start_session=start_session,
        extra_commands=extra_commands,
    )
