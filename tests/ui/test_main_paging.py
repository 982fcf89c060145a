"""History paging: a long conversation is never fully in memory, both directions load by keyset."""

from __future__ import annotations

from pathlib import Path

from signal_tui.config import Config
from signal_tui.core.session import Session
from signal_tui.ui.app import SignalApp, make_app
from signal_tui.ui.screens.main import MainScreen
from signal_tui.ui.widgets.conversation_list import ConversationList
from signal_tui.ui.widgets.history_paging import MAX_WINDOW, PAGE
from tests.ui.cache_data import NOW, make_config, ms, said
from tests.ui.harness import MessageLog, main_screen, rows, wait_for, workers_done

COUNT = 800


async def long_cache(tmp_path: Path) -> Config:
    config = make_config(tmp_path)

    async def fill() -> None:
        session = Session(config)
        await session.open()
        try:
            start = ms(2026, 3, 1, 8)
            items = [said("alice", start + i * 60_000, f"message number {i}") for i in range(COUNT)]
            for chunk in range(0, COUNT, 500):
                await session.store.ingest_batch(items[chunk : chunk + 500])
            # read: this test is about paging from the newest page; opening at the first
            # unread message is tests/ui/test_unread.py
            for conv in await session.store.list_conversations():
                await session.store.mark_read(conv.id)
        finally:
            await session.stop()

    await fill()
    return config


async def test_history_pages_both_ways_with_a_bounded_window(tmp_path: Path) -> None:
    config = await long_cache(tmp_path)
    app = make_app(config, clock=NOW, start_session=False)
    log = MessageLog()
    async with app.run_test(size=(100, 30), message_hook=log) as pilot:
        await wait_for(pilot, lambda: rows(app), what="the conversation list")
        await pilot.press("enter")
        # Enter on the list is the list's Selected, handled by the main screen
        selected = log.of(ConversationList.Selected, at=MainScreen)
        assert [m.conversation.title for m in selected] == ["Alice Park"]
        history = main_screen(app).history
        await wait_for(pilot, lambda: history.messages, what="the newest page")
        await workers_done(pilot, "the conversation to open")
        # opening = one page query, newest page, painted at the bottom
        assert history.loads == 1
        assert len(history.messages) == PAGE
        assert history.messages[-1].body == f"message number {COUNT - 1}"
        assert f"message number {COUNT - 1}" in history.visible_text()

        # scrolling to the top keeps loading older pages, but the window stays bounded
        window: list[int] = []

        def scrolled_to(edge: str) -> bool:
            """The user keeps scrolling to `edge`; each look is one more scroll."""
            window.append(len(history.messages))
            if edge == "top":
                history.scroll_home(animate=False, immediate=True)
                return not history.more_before and not _loading(app)
            history.scroll_end(animate=False, immediate=True)
            return not history.more_after and not _loading(app)

        await wait_for(pilot, lambda: scrolled_to("top"), what="the first message (scrolling up)")
        assert history.messages[0].body == "message number 0"
        assert max(window) <= MAX_WINDOW
        assert history.more_after  # the newest messages were dropped from memory
        history.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert "message number 0" in history.visible_text()

        # and back down: newer pages come back in order, older ones are dropped
        window.clear()
        await wait_for(
            pilot, lambda: scrolled_to("end"), what="the newest message (scrolling down)"
        )
        bodies = [m.body for m in history.messages]
        assert bodies[-1] == f"message number {COUNT - 1}"
        assert max(window) <= MAX_WINDOW
        numbers = [int(b.rsplit(" ", 1)[1]) for b in bodies]  # type: ignore[union-attr]
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)

        # j/k selection walks messages; Esc returns to the newest and the composer
        history.focus()
        await pilot.press("k", "k")
        assert history.selected is not None
        assert history.selected.body == f"message number {COUNT - 2}"
        await pilot.press("escape")
        assert history.selected is None


def _loading(app: SignalApp) -> bool:
    return any(not w.is_finished for w in app.workers)
