"""Open a link from a message with a key: `l` opens its link, a picker when it has several."""

from __future__ import annotations

from pathlib import Path

import pytest

from signal_tui.config import Config
from signal_tui.core.session import Session
from signal_tui.ui.app import make_app
from signal_tui.ui.screens import main_actions
from signal_tui.ui.screens.links import LinkPicker
from tests.ui.harness import main_screen, wait_for, workers_done

ACCOUNT = "+15550000001"
ADA = "+15550100001"
T0 = 1_764_000_000_000


def said(ts: int, body: str) -> dict:
    env = {
        "source": ADA, "sourceNumber": ADA, "sourceName": "Ada", "sourceDevice": 1,
        "timestamp": ts, "serverReceivedTimestamp": ts, "dataMessage": {"timestamp": ts, "message": body},
    }  # fmt: skip
    return {"envelope": env, "account": ACCOUNT}


async def test_l_opens_the_link_or_offers_a_choice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[object] = []
    monkeypatch.setattr(
        main_actions, "open_with_system", lambda target: opened.append(target) or True
    )
    config = Config(url="http://127.0.0.1:9", account=ACCOUNT, data_dir=tmp_path / "data")
    async with Session(config) as session:
        await session.store.ingest_batch(
            [
                said(T0, "album: https://example.org/album?id=7."),
                said(T0 + 1000, "see https://a.example/one and https://b.example/two"),
            ]
        )
        conv = await session.store.find_conversation(ADA)
        await session.store.mark_read(conv.id)
    app = make_app(config, start_session=False)
    async with app.run_test(size=(100, 30)) as pilot:
        main = main_screen(app)
        main.open_conversation(conv.id)
        await wait_for(pilot, lambda: len(main.history.messages) == 2, what="the chat")
        await workers_done(pilot, "the chat to finish opening (it focuses the composer last)")
        first, second = main.history.messages
        main.history.focus()
        await wait_for(pilot, lambda: app.focused is main.history, what="the history focused")
        main.history.select(first.id)
        await pilot.press("l")
        await wait_for(pilot, lambda: opened, what="the link opened")
        assert opened == ["https://example.org/album?id=7"]  # the full stop is not part of it
        main.history.select(second.id)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LinkPicker), what="the choice")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: len(opened) == 2, what="the second link opened")
        assert opened[1] == "https://b.example/two"
