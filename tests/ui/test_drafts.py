"""Drafts per chat: what you type stays with its chat when you switch, is marked in the list,
survives a restart, and is gone once sent."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from signal_tui.config import Config
from signal_tui.core.session import Session
from signal_tui.ui.app import SignalApp, make_app
from tests.ui.harness import wait_for

ACCOUNT = "+15550000001"


async def _prepare(tmp_path: Path) -> tuple[Config, int, int]:
    config = Config(url="http://127.0.0.1:9", account=ACCOUNT, data_dir=tmp_path / "data")
    async with Session(config) as session:
        assert session.store is not None
        ada = await session.store.ensure_direct("+15550100001", name="Ada")
        bo = await session.store.ensure_direct("+15550100002", name="Bo")
    return config, ada.id, bo.id


async def _open(pilot: Pilot[int], app: SignalApp, conversation_id: int) -> None:
    assert app.main is not None
    app.main.open_conversation(conversation_id)
    main = app.main
    await wait_for(
        pilot,
        lambda: (
            main.conversation is not None
            and main.conversation.id == conversation_id
            and app.focused is main.composer.input
        ),
        what=f"conversation {conversation_id} open",
    )


def _row_text(app: SignalApp, conversation_id: int) -> str:
    assert app.main is not None
    lst = app.main.conv_list
    top, bottom = lst._row_lines(lst.records[conversation_id], 40)
    return top.plain + "\n" + bottom.plain


async def test_draft_follows_its_chat_across_switches_and_restarts(tmp_path: Path) -> None:
    config, ada, bo = await _prepare(tmp_path)
    app = make_app(config, start_session=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot, app, ada)
        await pilot.press(*"half a thought")
        await _open(pilot, app, bo)
        assert app.main is not None
        assert app.main.composer.text == "", "Bo's composer does not show Ada's text"
        assert "Draft: half a thought" in _row_text(app, ada)
        await _open(pilot, app, ada)
        assert app.main.composer.text == "half a thought"
        await pilot.press(*" and more")  # then quit without switching: still kept
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running, what="the app to quit")

    app = make_app(config, start_session=False)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.main is not None
        main = app.main
        await wait_for(pilot, lambda: ada in main.conv_list.records, what="the list")
        await wait_for(pilot, lambda: ada in main.conv_list.drafts, what="drafts loaded")
        assert "Draft: half a thought and more" in _row_text(app, ada)
        await _open(pilot, app, ada)
        assert main.composer.text == "half a thought and more"


async def test_a_sent_draft_is_gone(tmp_path: Path) -> None:
    config, ada, bo = await _prepare(tmp_path)
    app = make_app(config, start_session=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await _open(pilot, app, ada)
        await pilot.press(*"send me")
        await _open(pilot, app, bo)
        await _open(pilot, app, ada)
        assert app.main is not None
        main = app.main
        assert main.composer.text == "send me"
        await pilot.press("enter")
        await wait_for(pilot, lambda: main.composer.text == "", what="the composer to clear")
        assert ada not in main.conv_list.drafts
        await _open(pilot, app, bo)
        await _open(pilot, app, ada)
        assert main.composer.text == ""
    async with Session(config) as session:
        assert session.store is not None
        assert await session.store.drafts() == {}
