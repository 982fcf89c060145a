"""Pilot tests of the main flows against the real simulator (json-rpc, WebSocket) and a real cache.

App starts are expensive (~0.4 s on 2 cores), so one app walks through many user steps per test.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from signal_tui.config import Config
from signal_tui.simulator.server import Simulator
from signal_tui.ui.app import SignalApp, make_app
from signal_tui.ui.widgets.composer import MessageInput
from signal_tui.ui.widgets.history import History
from tests.ui.main_fixtures import ACCOUNT, HOSTILE_BODY, build_cache, make_config

ALICE = "+15550100001"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    simulator = Simulator(mode="json-rpc", scenario="demo", trickle=False, reply_delay=0.2)
    simulator.start_in_thread()
    yield simulator
    simulator.stop_thread()


@pytest.fixture
def config(tmp_path: Path, sim: Simulator) -> Config:
    assert sim.primary_account == ACCOUNT
    cfg = make_config(tmp_path, url=sim.url)
    build_cache(cfg)  # the cache already holds history before the app starts
    return cfg


async def until(pilot: Pilot, check: Callable[[], object], limit: float = 10.0) -> None:
    """Let the app run until `check()` is truthy (the simulator lives in another thread)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if check():
            return
        await pilot.pause(0.05)
    notes = [str(n.message) for n in pilot.app._notifications]
    raise AssertionError(f"timed out waiting for {check}; notifications: {notes}")


def rows(app: SignalApp) -> list[str]:
    assert app.main is not None
    return app.main.conv_list.row_texts()


def history_text(app: SignalApp) -> str:
    assert app.main is not None
    return app.main.history.all_text()


async def open_by_filter(pilot: Pilot, name: str) -> None:
    app = pilot.app
    await pilot.press("ctrl+l")
    await pilot.press(*name)
    await pilot.press("enter")
    await until(pilot, lambda: app.main.describe().startswith(name))  # type: ignore[union-attr]
    await pilot.app.workers.wait_for_complete()


async def test_receive_send_and_notify(config: Config, sim: Simulator) -> None:
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        # cached conversations are there at once; the receiver state is always visible
        await until(pilot, lambda: any("Alice Park" in r for r in rows(app)), limit=3)
        await until(pilot, lambda: app.receiver_state.state == "connected")
        status = str(app.main.query_one("#status").render())  # type: ignore[union-attr]
        assert "connected (json-rpc)" in status
        # the demo's history arrives over the WebSocket and fills the list in place
        await until(pilot, lambda: any(r.startswith("Echo") for r in rows(app)))

        # weeks of old history arriving on the first sync is backlog, not news: no toasts
        assert list(app._notifications) == []

        # open Echo via the filter: composer focused, conversation marked read
        await open_by_filter(pilot, "Echo")
        assert isinstance(app.focused, MessageInput)
        await until(pilot, lambda: app.main.conv_list.current.unread == 0)  # type: ignore[union-attr]

        # send: the message appears at once (optimistic), then its mark follows the outbox
        await pilot.press(*"ping from the tests", "enter")
        await until(pilot, lambda: "ping from the tests" in history_text(app), limit=2)
        history = app.main.history  # type: ignore[union-attr]
        await until(
            pilot,
            lambda: any(
                m.body == "ping from the tests" and m.status in ("sent", "delivered", "read")
                for m in history.messages
            ),
        )
        # Echo answers; the answer shows up in the open conversation
        await until(pilot, lambda: history_text(app).count("ping from the tests") >= 2)
        # ... and Echo's answer ends Echo's typing indicator (in the list and the header)
        await pilot.pause(0.2)
        assert "typing…" not in " ".join(rows(app))
        assert "typing" not in str(app.main.query_one("#header").render())  # type: ignore[union-attr]

        # a message in another conversation: toast (plain text), list preview updated
        sim.incoming_text(ACCOUNT, ALICE, "are you coming tonight?")
        try:
            await until(pilot, lambda: any("are you coming tonight?" in r for r in rows(app)))
        except AssertionError:
            print("\n".join(rows(app)), [str(n.message) for n in app._notifications])
            raise
        await until(
            pilot,
            lambda: any("are you coming tonight?" in str(n.message) for n in app._notifications),
        )
        assert app.main is not None and app.main.repaints >= 1


async def test_hostile_body_is_literal_and_click_does_nothing(
    config: Config, sim: Simulator
) -> None:
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.receiver_state.state == "connected")
        sim.incoming_text(ACCOUNT, ALICE, HOSTILE_BODY)
        await until(pilot, lambda: any(HOSTILE_BODY in r for r in rows(app)))
        await open_by_filter(pilot, "Alice")
        history = app.main.history  # type: ignore[union-attr]
        await until(pilot, lambda: HOSTILE_BODY in history.visible_text())
        lines = history.visible_text().splitlines()
        y = max(i for i, line in enumerate(lines) if HOSTILE_BODY in line)
        x = lines[y].index(HOSTILE_BODY) + 1  # the "[" … the would-be click target
        await pilot.click(History, offset=(x, y))
        await pilot.click(History, offset=(x + 18, y))
        await pilot.pause(0.2)
        assert app.is_running and app.return_code is None

        # selecting with k and Enter opens the message actions; Esc closes them
        history.focus()
        await pilot.press("k")
        assert history.selected is not None
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "MessageActions")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.main)

        # reply: ctrl+r on the selected message, the sent reply quotes it
        quoted = history.selected
        await pilot.press("ctrl+r")
        assert isinstance(app.focused, MessageInput)
        await pilot.press(*"on my way", "enter")
        await until(
            pilot,
            lambda: any(
                m.body == "on my way" and m.quote is not None and m.quote.ts == quoted.sent_ts
                for m in history.messages
            ),
        )
        await asyncio.sleep(0)


async def test_palette_lists_conversations_and_help(config: Config) -> None:
    from signal_tui.ui.commands import _entries

    app = make_app(config, start_session=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: rows(app), limit=3)
        names = [name for name, _help, _cb in _entries(app)]
        assert "Search messages" in names
        assert "Open conversation: Alice Park" in names
        assert any(n.startswith("Open conversation: [bold red]Mallory[/]") for n in names)
        await pilot.press("f1")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await until(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
        await pilot.press(*"Mallory")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: "Mallory" in app.main.describe())  # type: ignore[union-attr]
        assert app.is_running
