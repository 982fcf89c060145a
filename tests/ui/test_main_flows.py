"""Pilot tests of the main flows against the real simulator (json-rpc, WebSocket) and a real cache.

App starts are expensive (~0.4 s on 2 cores), so one app walks through many user steps per test.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.command import CommandList
from textual.screen import Screen

from signal_tui.config import Config
from signal_tui.simulator.server import Simulator
from signal_tui.ui.app import make_app
from signal_tui.ui.messages import MessagesArrived, StoreChanged
from signal_tui.ui.screens.main import TYPING_TIMEOUT, MainScreen
from signal_tui.ui.widgets.composer import Composer, MessageInput
from signal_tui.ui.widgets.history import History
from tests.ui.cache_data import ACCOUNT, HOSTILE_BODY, PEOPLE
from tests.ui.harness import (
    MessageLog,
    header_text,
    history_text,
    open_by_filter,
    rows,
    wait_for,
)

ALICE = PEOPLE["alice"][0]


async def test_receive_send_and_notify(config: Config, sim: Simulator) -> None:
    app = make_app(config)
    log = MessageLog()
    async with app.run_test(size=(120, 40), message_hook=log) as pilot:
        # cached conversations are there at once; the receiver state is always visible
        await wait_for(pilot, lambda: any("Alice Park" in r for r in rows(app)), timeout=5)
        await wait_for(pilot, lambda: app.receiver_state.state == "connected")
        status = app.main.query_one("#status")  # type: ignore[union-attr]
        await wait_for(pilot, lambda: "connected (json-rpc)" in str(status.render()))
        # the demo's history arrives over the WebSocket and fills the list in place
        await wait_for(pilot, lambda: any(r.startswith("Echo") for r in rows(app)))

        # weeks of old history arriving on the first sync is backlog, not news: no toasts
        assert list(app._notifications) == []

        # open Echo via the filter: composer focused, conversation marked read
        await open_by_filter(pilot, "Echo")
        assert isinstance(app.focused, MessageInput)
        await wait_for(pilot, lambda: app.main.conv_list.current.unread == 0)  # type: ignore[union-attr]

        # send: the message appears at once (optimistic), then its mark follows the outbox
        await pilot.press(*"ping from the tests", "enter")
        # Enter in the composer is the composer's Submitted, handled by the main screen
        submitted = log.of(Composer.Submitted, at=MainScreen)
        assert [m.draft.text for m in submitted] == ["ping from the tests"]
        await wait_for(pilot, lambda: "ping from the tests" in history_text(app), timeout=5)
        history = app.main.history  # type: ignore[union-attr]
        await wait_for(
            pilot,
            lambda: any(
                m.body == "ping from the tests" and m.status in ("sent", "delivered", "read")
                for m in history.messages
            ),
        )
        # Echo answers; the answer shows up in the open conversation
        await wait_for(pilot, lambda: history_text(app).count("ping from the tests") >= 2)
        # ... and it raises no toast: the user is reading that conversation
        assert not any("ping from the tests" in str(n.message) for n in app._notifications)
        # ... and Echo's answer ends Echo's typing indicator (in the list and the header); well
        # before the indicator's own time-out (TYPING_TIMEOUT) could have cleared it
        await wait_for(
            pilot,
            lambda: "typing…" not in " ".join(rows(app)) and "typing" not in header_text(app),
            timeout=TYPING_TIMEOUT / 2,
            what="Echo's answer to end Echo's typing indicator",
        )

        # a message in another conversation: toast (plain text), list preview updated
        alice = await app.store.find_conversation(ALICE)  # type: ignore[union-attr]
        assert alice is not None
        mark = log.mark()
        sim.incoming_text(ACCOUNT, ALICE, "are you coming tonight?")
        await wait_for(pilot, lambda: any("are you coming tonight?" in r for r in rows(app)))
        await wait_for(
            pilot,
            lambda: any("are you coming tonight?" in str(n.message) for n in app._notifications),
        )
        assert app.main is not None and app.main.repaints >= 1
        # ... because the store's commit reached the main screen as a StoreChanged naming
        # Alice's conversation, and the stored message as MessagesArrived (the toast)
        later = log.since(mark)
        changed = later.of(StoreChanged, at=MainScreen)
        assert any("messages" in m.pending.get(alice.id, ()) for m in changed), changed
        arrived = [m for e in later.of(MessagesArrived, at=MainScreen) for m in e.messages]
        assert [m.body for m in arrived if m.conversation_id == alice.id] == [
            "are you coming tonight?"
        ]


async def test_hostile_body_is_literal_and_click_does_nothing(
    config: Config, sim: Simulator
) -> None:
    app = make_app(config)
    log = MessageLog()
    async with app.run_test(size=(100, 30), message_hook=log) as pilot:
        await wait_for(pilot, lambda: app.receiver_state.state == "connected")
        sim.incoming_text(ACCOUNT, ALICE, HOSTILE_BODY)
        await wait_for(pilot, lambda: any(HOSTILE_BODY in r for r in rows(app)))
        await open_by_filter(pilot, "Alice")
        history = app.main.history  # type: ignore[union-attr]
        # the chat opens at its "new messages" line; Alice's unread scenario messages (an
        # image among them) can push the newest below the fold, so go to the newest first
        history.focus()
        await pilot.press("end")
        await wait_for(pilot, lambda: HOSTILE_BODY in history.visible_text())
        lines = history.visible_text().splitlines()
        y = max(i for i, line in enumerate(lines) if HOSTILE_BODY in line)
        x = lines[y].index(HOSTILE_BODY) + 1  # the "[" … the would-be click target
        await pilot.click(History, offset=(x, y))
        await pilot.click(History, offset=(x + 18, y))
        # both clicks landed on the history, on the hostile text ...
        assert len(log.of(events.Click, at=History)) == 2
        # ... and did nothing: a markup link's action would run while the click is handled,
        # which click() awaits
        assert app.is_running and app.return_code is None

        # selecting with k and Enter opens the message actions; Esc closes them
        history.focus()
        await pilot.press("k")
        assert history.selected is not None
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "MessageActions")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main)

        # reply: ctrl+r on the selected message, the sent reply quotes it
        quoted = history.selected
        await pilot.press("ctrl+r")
        assert isinstance(app.focused, MessageInput)
        await pilot.press(*"on my way", "enter")
        await wait_for(
            pilot,
            lambda: any(
                m.body == "on my way" and m.quote is not None and m.quote.ts == quoted.sent_ts
                for m in history.messages
            ),
        )


async def test_palette_lists_conversations_and_help(config: Config) -> None:
    from signal_tui.ui.commands import _entries

    app = make_app(config, start_session=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: rows(app), timeout=5)
        names = [name for name, _help, _cb in _entries(app)]
        assert "Search messages" in names
        assert "Open conversation: Alice Park" in names
        assert any(n.startswith("Open conversation: [bold red]Mallory[/]") for n in names)
        await pilot.press("f1")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
        await pilot.press(*"Mallory")
        palette = app.screen
        await wait_for(
            pilot,
            lambda: "Mallory" in _highlighted_command(palette),
            what="the palette to offer Mallory's conversation",
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Mallory" in app.main.describe())  # type: ignore[union-attr]
        assert app.is_running


def _highlighted_command(palette: Screen[Any]) -> str:
    """The prompt of the command the palette's Enter would run ("" while it searches)."""
    commands = palette.query_one(CommandList)
    if commands.highlighted is None:
        return ""
    return str(commands.get_option_at_index(commands.highlighted).prompt)
