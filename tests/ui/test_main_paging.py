"""History paging: a long conversation is never fully in memory, both directions load by keyset."""

from __future__ import annotations

from pathlib import Path

from signal_tui.config import Config
from signal_tui.core.session import Session
from signal_tui.ui.app import make_app
from signal_tui.ui.widgets.history_paging import MAX_WINDOW, PAGE
from tests.ui.cache_data import NOW, make_config, ms, said

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
        finally:
            await session.stop()

    await fill()
    return config


async def test_history_pages_both_ways_with_a_bounded_window(tmp_path: Path) -> None:
    config = await long_cache(tmp_path)
    app = make_app(config, clock=NOW, start_session=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        history = app.main.history  # type: ignore[union-attr]
        # opening = one page query, newest page, painted at the bottom
        assert history.loads == 1
        assert len(history.messages) == PAGE
        assert history.messages[-1].body == f"message number {COUNT - 1}"
        assert f"message number {COUNT - 1}" in history.visible_text()

        # scrolling to the top keeps loading older pages, but the window stays bounded
        for _ in range(40):
            history.scroll_home(animate=False, immediate=True)
            await pilot.pause()
            await app.workers.wait_for_complete()
            if not history.more_before:
                break
        assert history.messages[0].body == "message number 0"
        assert len(history.messages) <= MAX_WINDOW
        assert history.more_after  # the newest messages were dropped from memory
        history.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert "message number 0" in history.visible_text()

        # and back down: newer pages come back in order, older ones are dropped
        for _ in range(40):
            history.scroll_end(animate=False, immediate=True)
            await pilot.pause()
            await app.workers.wait_for_complete()
            if not history.more_after:
                break
        bodies = [m.body for m in history.messages]
        assert bodies[-1] == f"message number {COUNT - 1}"
        assert len(bodies) <= MAX_WINDOW
        numbers = [int(b.rsplit(" ", 1)[1]) for b in bodies]  # type: ignore[union-attr]
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)

        # j/k selection walks messages; Esc returns to the newest and the composer
        history.focus()
        await pilot.press("k", "k")
        assert history.selected is not None
        assert history.selected.body == f"message number {COUNT - 2}"
        await pilot.press("escape")
        assert history.selected is None
