"""Nothing fetched is ever dropped: while the cache cannot store (an injected "disk full"), what
the receiver fetched is kept in a durable spool, the status says why, fetching pauses in poll
mode, and once storing works again every envelope the server handed out is in the cache."""

from __future__ import annotations

import asyncio
from pathlib import Path

from signal_tui.core.session import Session
from signal_tui.simulator.server import Simulator
from tests.e2e.conftest import connected, message_count, wait_for
from tests.e2e.envelopes import burst


async def test_a_storm_while_the_disk_is_full_loses_nothing(
    sim: Simulator, session: Session, tmp_path: Path
) -> None:
    states: list[str] = []
    session.subscribe_state(lambda s: states.append(f"{s.state}: {s.error or ''}"))
    await session.start(send=False)
    await connected(session, sim)
    store = session.store
    assert store is not None
    real_ingest = store.ingest_batch
    full = {"on": True}

    async def ingest(items: list[dict]):  # the disk is full until full["on"] is False
        if full["on"]:
            raise OSError(28, "No space left on device")
        return await real_ingest(items)

    store.ingest_batch = ingest  # type: ignore[method-assign]
    sim.inject(session.account, burst(session.account, 150))
    await wait_for(lambda: session.spool.has_items(), 20)
    await asyncio.sleep(1.0)  # more of the storm arrives (socket) or waits on the server (poll)
    assert await message_count(session) == 0
    assert any("No space left on device" in s and "kept safely" in s for s in states), states
    sim.inject(session.account, burst(session.account, 50, start=150))

    full["on"] = False  # space returns
    session.receiver.retry_now()  # as a send would (no need to wait out a backoff in a test)

    async def all_stored() -> bool:
        return await message_count(session) == 200

    await wait_for(all_stored, 30)
    assert not session.spool.has_items()
