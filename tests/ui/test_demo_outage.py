"""The demo's "simulate a server outage" palette commands: while the server is away a message
waits in the outbox (queued), and it goes out once the outage ends."""

from __future__ import annotations

from signal_tui.cli.demo import demo_commands
from signal_tui.config import Config
from signal_tui.simulator.server import Simulator
from signal_tui.ui.app import make_app
from tests.ui.harness import main_screen, open_by_filter, rows, wait_for


async def test_outage_then_recovery_sends_the_queued_message(
    config: Config, sim: Simulator
) -> None:
    commands = demo_commands(sim)
    app = make_app(config, extra_commands=commands)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.receiver_state.state == "connected", what="connected")
        await wait_for(pilot, lambda: any(r.startswith("Echo") for r in rows(app)))
        names = [name for name, _help, _run in app.extra_commands]
        assert names == ["Demo: simulate a server outage", "Demo: end the server outage"]
        start, end = commands[0][2], commands[1][2]
        start()
        await wait_for(
            pilot, lambda: app.receiver_state.state != "connected", what="the outage seen"
        )
        await open_by_filter(pilot, "Echo")
        main = main_screen(app)
        await pilot.press(*"sent during the outage", "enter")

        def mine():
            return next(
                (m for m in main.history.messages if m.body == "sent during the outage"), None
            )

        await wait_for(pilot, lambda: mine() is not None, what="the message shown")
        assert mine().status in ("queued", "sending"), mine()
        end()
        await wait_for(
            pilot,
            lambda: (m := mine()) is not None and m.status in ("sent", "delivered", "read"),
            what="the queued message sent after the outage",
        )
        # the send proved the server is back: the receiver reconnects without its backoff
        await wait_for(
            pilot,
            lambda: app.receiver_state.state == "connected",
            timeout=5,
            what="the receiver back at once",
        )
