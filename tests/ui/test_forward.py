"""Forward: a message (its text and its pictures) goes to another chat the user picks."""

from __future__ import annotations

from pathlib import Path

from signal_tui.config import Config
from signal_tui.simulator.server import Simulator
from signal_tui.ui.app import make_app
from signal_tui.ui.screens.forward import ForwardPicker
from signal_tui.ui.screens.message_actions import MessageActions
from tests.ui.harness import main_screen, open_by_filter, rows, wait_for

SENT = ("sent", "delivered", "read")


async def test_forward_text_and_attachment_to_a_group(
    config: Config, sim: Simulator, tmp_path: Path
) -> None:
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.receiver_state.state == "connected", what="connected")
        await wait_for(pilot, lambda: any(r.startswith("Echo") for r in rows(app)))
        await open_by_filter(pilot, "Echo")
        main = main_screen(app)
        photo = tmp_path / "wall.png"
        photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
        main.composer.add_attachments([photo])
        await pilot.press(*"the new wall", "enter")
        history = main.history
        await wait_for(
            pilot,
            lambda: any(m.body == "the new wall" and m.status in SENT for m in history.messages),
            what="our picture message sent",
        )
        mine = next(m for m in history.messages if m.body == "the new wall")
        history.focus()
        history.select(mine.id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MessageActions), what="the menu")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ForwardPicker), what="the picker")
        await pilot.press(*"climb", "enter")
        await wait_for(
            pilot,
            lambda: any("Forwarded to Climbing crew" in str(n.message) for n in app._notifications),
            what="the forward confirmed",
        )
        store = app.session.store
        copies: list = []

        async def find_copy() -> bool:
            copies.clear()
            for conv in await store.list_conversations():
                if conv.id == mine.conversation_id:
                    continue
                for m in await store.messages_before(conv.id, None, 20):
                    if m.body == "the new wall" and m.outgoing:
                        copies.append((conv, m))
            return bool(copies) and copies[0][1].status in SENT

        for _ in range(200):
            if await find_copy():
                break
            await pilot.pause(0.05)
        assert len(copies) == 1, copies
        conv, copy = copies[0]
        assert conv.title == "Climbing crew" and conv.kind == "group"
        assert copy.status in SENT
        assert [a.filename for a in copy.attachments] == ["wall.png"]
