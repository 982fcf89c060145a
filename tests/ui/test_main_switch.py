"""Several accounts on one server: switching account live opens that account's own cache."""

from __future__ import annotations

from pathlib import Path

import httpx

from signal_tui.simulator.server import Simulator
from signal_tui.ui.app import make_app
from tests.ui.cache_data import ACCOUNT, make_config
from tests.ui.harness import rows, wait_for

SAM = "+15550000002"


async def test_switch_account_uses_the_other_accounts_cache(tmp_path: Path, sim: Simulator) -> None:
    config = make_config(tmp_path, url=sim.url)
    assert config.account == ACCOUNT
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.receiver_state.state == "connected")
        await wait_for(pilot, lambda: any("Family" in r for r in rows(app)))
        first_cache = app.session.cache_path

        app.switch_account(config.replace(account=SAM))
        await wait_for(pilot, lambda: app.session is not None and app.config.account == SAM)
        assert app.receiver_state.state != "connected" or sim.connected_sockets(SAM)
        await wait_for(pilot, lambda: sim.connected_sockets(SAM) == 1)
        await wait_for(pilot, lambda: app.receiver_state.state == "connected")
        assert sim.connected_sockets(ACCOUNT) == 0  # the old account's session is stopped
        assert app.session.cache_path != first_cache  # each account keeps its own cache
        assert app.session.account == SAM
        # Sam's cache does not show the first account's chats
        assert not any("Family" in r for r in rows(app))

        # the first account (another signal-tui, say) writes to Sam: it lands in Sam's list
        async with httpx.AsyncClient() as http:
            body = {"number": ACCOUNT, "recipients": [SAM], "message": "hello Sam, it's me"}
            response = await http.post(f"{sim.url}/v2/send", json=body)
            assert response.status_code == 201
        await wait_for(pilot, lambda: any("hello Sam" in r for r in rows(app)))
