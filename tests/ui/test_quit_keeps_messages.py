"""Nothing typed is lost on quit: Enter then ctrl+q at once keeps the message (on disk, in the
outbox), and quitting with unsent messages says so and offers to wait."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from signal_tui.config import Config
from signal_tui.core.session import Session
from signal_tui.ui.app import SignalApp, make_app
from signal_tui.ui.dialogs.quit import QuitScreen
from tests.ui.harness import history_text, main_screen, wait_for

ACCOUNT = "+15550000001"
FRIEND = "+15550100001"


async def _prepare(tmp_path: Path) -> tuple[Config, int]:
    # port 9 (discard) refuses connections: the server is down, the outbox keeps the message
    config = Config(url="http://127.0.0.1:9", account=ACCOUNT, data_dir=tmp_path / "data")
    async with Session(config) as session:
        assert session.store is not None
        conv = await session.store.ensure_direct(FRIEND, name="Friend")
    return config, conv.id


async def _stored_bodies(config: Config, conversation_id: int) -> list[str]:
    async with Session(config) as session:
        assert session.store is not None
        page = await session.store.messages_before(conversation_id, None, 50)
        queued = await session.store.outbox_items(("queued", "sending"))
    assert all(item.kind == "send" for item in queued)
    return [m.body or "" for m in page]


async def _open(pilot: Pilot[int], app: SignalApp, conversation_id: int) -> None:
    """Open the chat and wait until the composer has the focus (typing goes there)."""
    main = main_screen(app)
    main.open_conversation(conversation_id)
    await wait_for(
        pilot,
        lambda: main.conversation is not None and app.focused is main.composer.input,
        what="the chat to open with the composer focused",
    )


async def test_enter_then_ctrl_q_at_once_keeps_the_message(tmp_path: Path) -> None:
    config, conv_id = await _prepare(tmp_path)
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.main is not None
        await _open(pilot, app, conv_id)
        await pilot.press(*"do not lose me")
        await pilot.press("enter", "ctrl+q")  # no pause between: the race a user hits
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, QuitScreen),
            what="the quit dialog (quitting with an unsent message must ask)",
        )
        question = str(app.screen.query_one("#quit-question").render())
        assert "1 message has not been sent yet" in question
        await pilot.press("q")  # quit now: the outbox keeps it
    assert app.return_code == 0
    assert "do not lose me" in await _stored_bodies(config, conv_id)


async def test_quit_dialog_stay_keeps_the_app_open_and_the_text(tmp_path: Path) -> None:
    config, conv_id = await _prepare(tmp_path)
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.main is not None
        await _open(pilot, app, conv_id)
        main = app.main
        await pilot.press(*"first", "enter")
        await wait_for(
            pilot,
            lambda: main.composer.text == "",
            what="the composer to clear (it clears once the message is stored)",
        )
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, QuitScreen), what="the quit dialog")
        await pilot.press("escape")  # stay
        await wait_for(
            pilot, lambda: not isinstance(app.screen, QuitScreen), what="the dialog to close"
        )
        assert app.is_running


async def test_without_unsent_messages_ctrl_q_quits_at_once(tmp_path: Path) -> None:
    config, _conv_id = await _prepare(tmp_path)
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running, what="the app to quit")
        assert app.return_code == 0


async def test_typing_on_while_a_message_is_stored_loses_nothing(tmp_path: Path) -> None:
    """Three lines typed fast (as a paste or a quick typist does): three messages, each once."""
    config, conv_id = await _prepare(tmp_path)
    app = make_app(config)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.main is not None
        await _open(pilot, app, conv_id)
        main = app.main
        store = app.store
        assert store is not None
        store_it = store.add_outgoing

        async def slow_disk(*args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(0.3)  # each message takes a while to be stored
            return await store_it(*args, **kwargs)

        store.add_outgoing = slow_disk  # type: ignore[method-assign]
        await pilot.press(*"burst one", "enter", *"burst two", "enter", *"burst three", "enter")
        await wait_for(pilot, lambda: "burst three" in history_text(app), what="the third line")
        await pilot.press(*"still typing")  # the composer is free again, and empty before it
        await wait_for(pilot, lambda: main.composer.text == "still typing")
    bodies = await _stored_bodies(config, conv_id)
    assert [b for b in bodies if b.startswith("burst")] == ["burst one", "burst two", "burst three"]
