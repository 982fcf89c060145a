"""Send a sticker from a pack installed on the server (the palette's "Send a sticker")."""

from __future__ import annotations

from signal_tui.config import Config
from signal_tui.simulator.server import Simulator
from signal_tui.ui.app import make_app
from signal_tui.ui.screens.stickers import StickerPicker
from tests.ui.harness import main_screen, open_by_filter, rows, wait_for

PACK = "9a32eda01a7a28574f2eb48668ae0dc4"
KEY = "b" * 64


async def test_send_a_sticker_from_an_installed_pack(config: Config, sim: Simulator) -> None:
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.receiver_state.state == "connected", what="connected")
        await wait_for(pilot, lambda: any(r.startswith("Echo") for r in rows(app)))
        await app.session.client.add_sticker_pack(sim.primary_account, PACK, KEY)  # installed
        await open_by_filter(pilot, "Echo")
        main = main_screen(app)
        main.action_sticker()
        await wait_for(pilot, lambda: isinstance(app.screen, StickerPicker), what="the packs")
        await pilot.press("enter", *"3", "enter")
        await wait_for(
            pilot,
            lambda: any(
                m.outgoing
                and m.sticker == f"{PACK}:3"
                and m.status in ("sent", "delivered", "read")
                for m in main.history.messages
            ),
            what="the sticker sent",
        )
        items = await app.session.store.outbox_items(("sent",))
        assert any(i.payload.get("sticker") == f"{PACK}:3" for i in items)
