"""Shared harness of the UI tests (helpers only, no tests; the pytest fixtures are in conftest.py,
the fixed cache content in cache_data.py).

- `wait_for`: the one way a test waits for the app — until a condition holds, with a time limit
  and a failure message that says what was awaited and what the app showed meanwhile.
- `MessageLog`: a `message_hook` for `App.run_test` that records each message as it is handled,
  with the node handling it, so tests can assert on what the UI told itself.
- host apps standing in for SignalApp (`Host`, `AdminHarness`) and small readers of the main
  screen (`rows`, `history_text`, `open_by_filter`).
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from textual._context import active_message_pump
from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.pilot import Pilot
from textual.screen import Screen

from signal_tui.config import Config
from signal_tui.core.session import Session
from signal_tui.store.db import Store
from signal_tui.ui.app import SignalApp
from signal_tui.ui.screens.main import MainScreen

# Generous: the suite runs on two workers and other suites may share the machine. A healthy run
# waits a fraction of a second; the limit only decides how long a broken run takes to say so.
WAIT = 20.0
POLL = 0.05  # seconds the app runs between two looks at the condition

M = TypeVar("M", bound=Message)


# --- waiting -----------------------------------------------------------------------------------
async def wait_for(
    pilot: Pilot[Any],
    condition: Callable[[], object],
    timeout: float = WAIT,  # noqa: ASYNC109 (a limit on polling, nothing to cancel)
    what: str | None = None,
) -> None:
    """Let the app run until `condition()` is truthy; fail after `timeout` seconds, saying
    `what` was awaited (default: the condition's source) and what the app shows."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            awaited = what or _source(condition)
            raise AssertionError(
                f"timed out after {timeout:g} s waiting for {awaited}; {app_state(pilot.app)}"
            )
        await pilot.pause(POLL)


def _source(condition: Callable[[], object]) -> str:
    try:
        return inspect.getsource(condition).strip()
    except (OSError, TypeError):
        return repr(condition)


def app_state(app: App[Any]) -> str:
    """What the user would see that explains a time-out: screen, status lines, toasts."""
    try:
        screen = app.screen
    except Exception:  # the app has exited (or never showed a screen)
        return f"no screen (app running: {app.is_running}, return code {app.return_code})"
    parts = [f"screen {type(screen).__name__}"]
    for selector in ("#status", "#admin-status", "#setup-status", "#search-status"):
        try:
            parts.append(f"{selector}: {str(screen.query_one(selector).render())!r}")
        except Exception:
            continue
    if isinstance(screen, MainScreen):
        parts.append(f"conversations: {screen.conv_list.row_texts()}")
    notes = [str(n.message) for n in app._notifications]
    parts.append(f"notifications: {notes}")
    return "; ".join(parts)


# --- messages ----------------------------------------------------------------------------------
class MessageLog:
    """`app.run_test(message_hook=log)`: Textual calls it with every message a node is about to
    handle. A bubbling message is seen once per node it reaches; `at=` picks the node."""

    def __init__(self) -> None:
        self.handled: list[tuple[MessagePump | None, Message]] = []

    def __call__(self, message: Message) -> None:
        self.handled.append((active_message_pump.get(None), message))

    def of(self, kind: type[M], at: type[MessagePump] | MessagePump | None = None) -> list[M]:
        """Messages of `kind` in the order handled, at nodes of type `at` (or that node)."""
        found: list[M] = []
        for node, message in self.handled:
            if not isinstance(message, kind):
                continue
            if at is not None:
                if isinstance(at, type) and not isinstance(node, at):
                    continue
                if not isinstance(at, type) and node is not at:
                    continue
            found.append(message)
        return found

    def mark(self) -> int:
        """A position: `since(mark)` gives only what was handled after it."""
        return len(self.handled)

    def since(self, mark: int) -> MessageLog:
        later = MessageLog()
        later.handled = self.handled[mark:]
        return later


# --- the main screen ---------------------------------------------------------------------------
def main_screen(app: App[Any]) -> MainScreen:
    main = app.main if isinstance(app, SignalApp) else app.screen
    assert isinstance(main, MainScreen), f"no main screen (on {type(app.screen).__name__})"
    return main


def rows(app: App[Any]) -> list[str]:
    """The conversation list as the user reads it: 'title … time | preview' per row."""
    return main_screen(app).conv_list.row_texts()


def history_text(app: App[Any]) -> str:
    return main_screen(app).history.all_text()


def header_text(app: App[Any]) -> str:
    return str(main_screen(app).query_one("#header").render())


def status_text(app: App[Any]) -> str:
    return str(main_screen(app).query_one("#status").render())


async def open_by_filter(pilot: Pilot[Any], name: str) -> None:
    """Open a conversation the way a user does: ctrl+l, type part of its name, Enter."""
    main = main_screen(pilot.app)
    await pilot.press("ctrl+l")
    await pilot.press(*name)
    await pilot.press("enter")
    await wait_for(pilot, lambda: main.describe().startswith(name), what=f"{name!r} to open")
    await workers_done(pilot, f"{name!r} to finish loading")


async def workers_done(
    pilot: Pilot[Any],
    what: str,
    timeout: float = WAIT,  # noqa: ASYNC109 (passed on to wait_for)
) -> None:
    """Until the workers running now are done (like `app.workers.wait_for_complete()`, with a
    time limit; workers started meanwhile, e.g. by arriving messages, are not waited for)."""
    running = list(pilot.app.workers)
    await wait_for(pilot, lambda: all(w.is_finished for w in running), timeout, what)


# --- host apps ---------------------------------------------------------------------------------
class Host(App[None]):
    """Stands in for the main app: screens under test are pushed on it. Records a quit (a hostile
    `[@click=app.quit]` must never get there) and closes `store` if a test gave it one.
    The name shows in snapshot titles: keep it."""

    def __init__(self) -> None:
        super().__init__()
        self.quit_requested = False
        self.store: Store | None = None

    async def action_quit(self) -> None:
        self.quit_requested = True

    async def on_unmount(self) -> None:
        if self.store is not None:
            await self.store.close()


async def show(pilot: Pilot[Any], screen: Screen[Any]) -> asyncio.Future[Any]:
    """Push `screen`; the returned future gets what it is dismissed with."""
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    pilot.app.push_screen(screen, callback=future.set_result)
    await pilot.pause()
    return future


async def result(
    pilot: Pilot[Any],
    future: asyncio.Future[Any],
    timeout: float = WAIT,  # noqa: ASYNC109 (passed on to wait_for)
) -> Any:
    """What the screen pushed by `show` was dismissed with."""
    await wait_for(pilot, future.done, timeout, "the screen to be dismissed")
    return future.result()


LINK_URI = (
    "sgnl://linkdevice?uuid=AbCdEfGhIjKlMnOpQrStUv&pub_key="
    "BXk4%2Bq0aZ1x2y3w4v5u6t7s8r9q0p1o2n3m4l5k6j7i8"
)


class AdminHarness(App[None]):
    """Like SignalApp for the admin screens: exposes config and session; can switch account.
    The name shows in snapshot titles: keep it."""

    def __init__(
        self,
        config: Config,
        screen: Callable[[AdminHarness], Screen[Any]] | None = None,
        *,
        open_session: bool = True,
    ) -> None:
        super().__init__()
        self.config = config
        self.session: Session | None = None
        self._factory = screen
        self._open_session = open_session
        self.results: list[Any] = []
        self.pushed: Screen[Any] | None = None  # the screen under test, once pushed

    async def on_mount(self) -> None:
        if self._open_session and self.config.account:
            await self.use_config(self.config)
        if self._factory is not None:
            self.pushed = self._factory(self)
            self.push_screen(self.pushed, self.results.append)

    async def use_config(self, config: Config) -> None:
        if self.session is not None:
            await self.session.stop()
        self.config = config
        self.session = Session(config)
        await self.session.open()

    def switch_account(self, config: Config) -> None:
        self.run_worker(self.use_config(config))

    async def on_unmount(self) -> None:
        if self.session is not None:
            await self.session.stop()


def status(pilot: Pilot[Any]) -> str:
    """The status line of the admin screen on top."""
    for selector in ("#admin-status", "#setup-status"):
        try:
            return str(pilot.app.screen.query_one(selector).render())
        except Exception:
            continue
    return ""


def config_for(tmp_path: Path, url: str | None, account: str | None = None) -> Config:
    return Config(
        url=url,
        account=account,
        data_dir=tmp_path / "data",
        config_file=tmp_path / "config" / "config.toml",
    )


def contact_numbers(sim: Any, n: int = 2) -> list[str]:
    """Numbers of simulated (not hosted) people, sorted: stable across runs."""
    hosted = set(sim.accounts)
    people = [p for num, p in sim.world.by_number.items() if num not in hosted and not p.bot]
    return sorted(p.number for p in people if p.number)[:n]
