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

SIZES = [(120, 40), (80, 24)]


async def _settle(pilot: Pilot) -> None:
    for _ in range(3):
        await pilot.pause()
    await pilot.app.workers.wait_for_complete()
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
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_alice)


def test_hostile_conversation(snap_compare, cache_config: Config) -> None:
    app = make_app(cache_config, clock=NOW, start_session=False)

    async def open_mallory(pilot: Pilot) -> None:
        await _settle(pilot)
        await pilot.press("down", "down", "enter")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_mallory)
