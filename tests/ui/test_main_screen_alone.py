"""MainScreen needs only an open Session: mounted in a plain textual App (not SignalApp, nothing
subscribed to the session), it shows what the messages posted to it say — receiver state, store
changes, typing — and nothing more. The Session is real, over a real SQLite cache in tmp_path
filled through the real ingest path (cache_data.py); it is never started (no server)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from textual.app import App

from signal_tui.config import Config
from signal_tui.core.errors import explain
from signal_tui.core.session import ReceiverState, Session
from signal_tui.store.models import Change, Conversation
from signal_tui.ui.messages import (
    MessagesArrived,
    ReceiverStateChanged,
    StoreChanged,
    TypingChanged,
    WorkerFailed,
)
from signal_tui.ui.screens.main import MainScreen
from tests.ui.cache_data import NOW, PEOPLE, ms, said
from tests.ui.harness import (
    MessageLog,
    header_text,
    main_screen,
    rows,
    status_text,
    wait_for,
    workers_done,
)


class Bare(App[None]):
    """The least an app can do for the main screen: push it. No CSS, no failure handler."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    async def on_mount(self) -> None:
        await self.push_screen(MainScreen(self.session, now=lambda: NOW, steady=True))


@pytest.fixture
async def session(cache_config: Config) -> AsyncIterator[Session]:
    session = Session(cache_config)
    await session.open()  # the cache only
    yield session
    await session.stop()


async def conversation(session: Session, who: str) -> Conversation:
    conv = await session.store.find_conversation(PEOPLE[who][0])
    assert conv is not None, who
    return conv


def row(app: App[None], title: str) -> str:
    """The list row of the conversation called `title` ('▌' marks the open one)."""
    found = [r for r in rows(app) if r.lstrip("▌").startswith(title)]
    assert len(found) == 1, (title, rows(app))
    return found[0]


async def test_receiver_state_is_shown_in_the_status_line_and_the_header(
    session: Session,
) -> None:
    app = Bare(session)
    log = MessageLog()
    async with app.run_test(size=(120, 40), message_hook=log) as pilot:
        main = main_screen(app)
        await wait_for(pilot, lambda: rows(app), what="the cached conversations")
        assert session.receiver_state.describe() in status_text(app)
        assert session.account in status_text(app)

        main.post_message(
            ReceiverStateChanged(
                ReceiverState("reconnecting", retry_in=4, error="connection refused")
            )
        )
        await wait_for(
            pilot,
            lambda: "reconnecting in 4 s: connection refused" in status_text(app),
            what="the status line to say it reconnects",
        )
        assert "reconnecting in 4 s" in header_text(app)
        assert session.account in status_text(app)

        # a flood of states: only the newest is handled (the older notices are replaced)
        mark = log.mark()
        for state in (
            ReceiverState("connecting"),
            ReceiverState("error", error="server said no"),
            ReceiverState("connected", mode="json-rpc"),
        ):
            main.post_message(ReceiverStateChanged(state))
        await wait_for(pilot, lambda: "connected (json-rpc)" in status_text(app))
        handled = log.since(mark).of(ReceiverStateChanged, at=MainScreen)
        assert [m.state.state for m in handled] == ["connected"]
        assert "connected (json-rpc)" in header_text(app)
        assert "server said no" not in status_text(app)


async def test_store_changes_reach_the_list_and_a_burst_repaints_once(session: Session) -> None:
    store = session.store
    alice, mallory, eve = [await conversation(session, who) for who in ("alice", "mallory", "eve")]
    app = Bare(session)
    log = MessageLog()
    async with app.run_test(size=(120, 40), message_hook=log) as pilot:
        main = main_screen(app)
        await wait_for(pilot, lambda: rows(app), what="the cached conversations")
        assert "new on disk" not in row(app, "Alice Park")

        # a message written to the cache shows once the screen is told (nothing else tells it)
        await store.ingest_batch([said("alice", ms(2026, 3, 14, 15, 20), "new on disk")])
        await pilot.pause()
        assert "new on disk" not in row(app, "Alice Park")
        main.post_message(StoreChanged([Change(alice.id, frozenset({"messages"}))]))
        await wait_for(
            pilot, lambda: "new on disk" in row(app, "Alice Park"), what="Alice's row to update"
        )
        await workers_done(pilot, "the repaint")

        # a burst: three commits, three notices posted before the screen gets to them (as the
        # App posts them while the screen is busy) -> ONE StoreChanged carrying all three, one
        # repaint, every row updated
        news = {alice.id: "alice again", mallory.id: "mallory again", eve.id: "eve again"}
        for minute, who in enumerate(("alice", "mallory", "eve"), start=21):
            await store.ingest_batch([said(who, ms(2026, 3, 14, 15, minute), f"{who} again")])
        unread_before = sum(c.unread for c in main.conv_list.records.values())
        repaints, mark = main.repaints, log.mark()
        for cid in news:
            main.post_message(StoreChanged([Change(cid, frozenset({"messages"}))]))
        await wait_for(
            pilot,
            lambda: all(any(text in r for r in rows(app)) for text in news.values()),
            what="the three rows to update",
        )
        await workers_done(pilot, "the repaint")
        handled = log.since(mark).of(StoreChanged, at=MainScreen)
        assert len(handled) == 1, handled
        assert handled[0].pending == {cid: {"messages"} for cid in news}
        assert main.repaints == repaints + 1
        # ... and the unread total in the status line counts the new messages
        assert f"{unread_before + 3} unread" in status_text(app)
        assert rows(app)[0].startswith("Eve")  # the newest conversation comes first


async def test_typing_shows_in_the_row_and_in_the_open_conversations_header(
    session: Session,
) -> None:
    alice = await conversation(session, "alice")
    assert alice.recipient_id is not None
    app = Bare(session)
    async with app.run_test(size=(120, 40)) as pilot:
        main = main_screen(app)
        await wait_for(pilot, lambda: rows(app), what="the cached conversations")
        main.open_conversation(alice.id)
        await wait_for(pilot, lambda: main.describe() == "Alice Park", what="Alice's chat")
        await workers_done(pilot, "Alice's chat to load")
        assert "typing" not in header_text(app)

        main.post_message(TypingChanged(alice.id, alice.recipient_id, True))
        await wait_for(
            pilot,
            lambda: "Alice Park typing…" in header_text(app),
            what="the header to say Alice is typing",
        )
        assert "typing…" in row(app, "Alice Park")

        main.post_message(TypingChanged(alice.id, alice.recipient_id, False))
        await wait_for(pilot, lambda: "typing" not in header_text(app), what="typing to end")
        assert "typing…" not in row(app, "Alice Park")

        # a message from her ends her typing too
        main.post_message(TypingChanged(alice.id, alice.recipient_id, True))
        await wait_for(pilot, lambda: "typing…" in row(app, "Alice Park"))
        (newest,) = await session.store.messages_before(alice.id, None, 1)
        assert newest.author_id == alice.recipient_id
        main.post_message(MessagesArrived([newest]))
        await wait_for(pilot, lambda: "typing…" not in row(app, "Alice Park"))
        assert "typing" not in header_text(app)


async def test_a_failed_action_bubbles_up_as_worker_failed(session: Session) -> None:
    """Telling the user is the App's job (SignalApp notifies); the screen only reports it."""
    app = Bare(session)
    log = MessageLog()
    async with app.run_test(size=(120, 40), message_hook=log) as pilot:
        main = main_screen(app)
        main.start_conversation("not a number")
        await wait_for(pilot, lambda: log.of(WorkerFailed, at=Bare), what="a WorkerFailed")
        (failure,) = log.of(WorkerFailed, at=Bare)
        assert "'not a number' is not a phone number" in str(explain(failure.error))
        assert app.is_running and app.screen is main
