"""Disappearing messages in a 1:1 chat: the user sets the timer (it reaches the server), and a
message whose timer runs out goes from the screen and the cache while the app runs."""

from __future__ import annotations

import time

from signal_tui.config import Config
from signal_tui.simulator.server import Simulator
from signal_tui.ui.app import make_app
from signal_tui.ui.screens.timer import TimerScreen
from tests.ui.harness import main_screen, open_by_filter, rows, wait_for


async def test_set_a_direct_timer_and_watch_a_message_vanish(
    config: Config, sim: Simulator
) -> None:
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.receiver_state.state == "connected", what="connected")
        await wait_for(pilot, lambda: any(r.startswith("Echo") for r in rows(app)))
        await open_by_filter(pilot, "Echo")
        main = main_screen(app)
        conv = main.conversation
        assert conv is not None and conv.kind == "direct"
        main.action_disappearing()
        await wait_for(pilot, lambda: isinstance(app.screen, TimerScreen), what="the choices")
        await pilot.press("down", "down", "enter")  # off -> 30 s -> 5 minutes
        await wait_for(
            pilot,
            lambda: any("5 minutes" in str(n.message) for n in app._notifications),
            what="the timer confirmed",
        )
        store = app.session.store
        fresh = await store.get_conversation(conv.id)
        assert fresh is not None and fresh.expiry_seconds == 300
        person = sim.world.find(conv.number)  # what the server now holds for this contact
        assert person is not None
        account = sim.account_or_error(sim.primary_account)
        assert account.contacts[person.uuid].expiration == 300

        now = int(time.time() * 1000)
        vanishing = {
            "envelope": {
                "source": conv.number, "sourceNumber": conv.number, "sourceName": "Echo",
                "sourceDevice": 1, "timestamp": now, "serverReceivedTimestamp": now,
                "dataMessage": {"timestamp": now, "message": "gone in a second",
                                "expiresInSeconds": 1},
            },
            "account": sim.primary_account,
        }  # fmt: skip
        await store.ingest_batch([vanishing])
        await wait_for(
            pilot, lambda: "gone in a second" in main.history.visible_text(), what="it shows"
        )
        await wait_for(
            pilot,
            lambda: "gone in a second" not in main.history.visible_text(),
            what="it to vanish when its timer runs out",
        )
        assert not [m for m in await store.messages_before(conv.id) if m.body == "gone in a second"]
