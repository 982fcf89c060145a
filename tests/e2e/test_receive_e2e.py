"""Simulator -> receiver -> cache, in both server modes: everything exactly once, nothing lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

from signal_tui.core.session import Session
from signal_tui.simulator.server import Simulator
from tests.e2e.conftest import connected, message_count, wait_for
from tests.e2e.envelopes import burst

N = 5_000  # the 100,000 run in tests/bench/bench_ingest.py


async def test_burst_lands_exactly_once(sim: Simulator, session: Session) -> None:
    account = session.account
    seen: list[int] = []
    session.on_messages(lambda msgs: seen.extend(m.id for m in msgs))
    await session.start(send=False)
    await connected(session, sim)
    items = burst(account, N)
    sim.inject(account, items)
    await wait_for(lambda: _count_is(session, N), 60)
    # a redelivery of the whole burst changes nothing
    sim.inject(account, items[:1000])
    await asyncio.sleep(0.5)
    await wait_for(lambda: session.batches > 0, 5)
    await asyncio.sleep(1.2)  # one more poll cycle / frames drained
    assert await message_count(session) == N
    assert len(seen) == N == len(set(seen))  # each new message announced once, after commit


async def _count_is(session: Session, n: int) -> bool:
    return await message_count(session) >= n


async def test_state_is_published(sim: Simulator, session: Session) -> None:
    states: list[str] = []
    session.subscribe_state(lambda s: states.append(s.state))
    await session.start(send=False)
    await connected(session, sim)
    assert session.receiver_state.mode in ("normal", "native", "json-rpc")
    assert "connected" in states
    assert "connected" in session.receiver_state.describe()


async def test_cache_reopens_offline(sim: Simulator, session: Session, tmp_path: Path) -> None:
    """What was received is there on the next start, before (and without) any network call."""
    await session.start(send=False)
    await connected(session, sim)
    sim.inject(session.account, burst(session.account, 30))
    await wait_for(lambda: _count_is(session, 30), 20)
    config = session.config.replace(url="http://127.0.0.1:9")  # nothing listens there
    await session.stop()
    offline = Session(config)
    await offline.open()
    try:
        convs = await offline.store.list_conversations()
        assert len(convs) == 20
        assert await message_count(offline) == 30
    finally:
        await offline.stop()
