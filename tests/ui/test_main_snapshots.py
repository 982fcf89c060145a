"""Snapshots of the main screen and the conversation view at 120x40 and 80x24.

Deterministic: the clock is pinned (relative times, day separators), the cursor does not blink,
the receiver is not started (state "offline"), and the cache is built from fixed envelopes
through the real ingest path — including hostile names and bodies, which must appear literally.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from signal_tui.config import Config
from signal_tui.ui.app import make_app
from tests.ui.cache_data import NOW
from tests.ui.harness import main_screen, wait_for

SIZES = [(120, 40), (80, 24)]


async def _settle(pilot: Pilot, opened: str | None = None) -> None:
    """Until the list is loaded (and the conversation `opened`, if given) and no worker runs."""
    app = pilot.app

    def ready() -> bool:
        main = main_screen(app)
        if not main.conv_list.records or any(not w.is_finished for w in app.workers):
            return False
        if main._pending or main._flush_timer is not None:  # a store notice not yet repainted
            return False
        if opened is not None and main.conversation is not None:
            fresh = main.conv_list.records.get(main.conversation.id)
            if fresh is None or fresh.unread:  # opening marks it read: wait for that repaint
                return False
        return opened is None or main.describe().startswith(opened)

    await wait_for(pilot, ready, what=f"the main screen with {opened or 'the list'} loaded")
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(snap_compare, cache_config: Config, size: tuple[int, int]) -> None:
    app = make_app(cache_config, clock=NOW, start_session=False)
    assert snap_compare(app, terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_conversation_view(snap_compare, cache_config: Config, size: tuple[int, int]) -> None:
    app = make_app(cache_config, clock=NOW, start_session=False)

    async def open_alice(pilot: Pilot) -> None:
        await _settle(pilot)
        await pilot.press("enter")  # the newest conversation (Alice) is highlighted
        await _settle(pilot, opened="Alice Park")

    assert snap_compare(app, terminal_size=size, run_before=open_alice)


def test_hostile_conversation(snap_compare, cache_config: Config) -> None:
    app = make_app(cache_config, clock=NOW, start_session=False)

    async def open_mallory(pilot: Pilot) -> None:
        await _settle(pilot)
        await pilot.press("down", "down", "enter")
        await _settle(pilot, opened="[bold red]Mallory[/]")

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_mallory)
