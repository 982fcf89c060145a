"""End-to-end fixtures: the real simulator on a loopback socket (port 0), real SQLite in tmp_path."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from signal_tui.config import Config
from signal_tui.core.session import Session
from signal_tui.simulator.server import Simulator
from signal_tui.simulator.state import ContactMeta, Person
from tests.e2e.envelopes import contact
from tests.e2e.realserver import served  # noqa: F401  (the {simulator, real server} x mode fixture)

FAST_RECEIVER = {"backoff_base": 0.05, "backoff_max": 0.3, "ping_interval": 5.0}
FAST_OUTBOX = {"retry_base": 0.05, "retry_max": 0.3}


def make_config(url: str, account: str, data_dir: Path, **changes: Any) -> Config:
    values: dict[str, Any] = {
        "url": url,
        "account": account,
        "data_dir": data_dir,
        "send_interval": 0.0,
        "poll_timeout": 1,
        "poll_max_messages": 500,
        "send_typing": True,
        "config_file": data_dir / "none.toml",
    }
    values.update(changes)
    return Config(**values)


async def wait_for(
    check: Callable[[], Awaitable[bool] | bool], limit: float = 10.0, every: float = 0.02
) -> None:
    """Poll `check` until it is true; fail the test with a clear message on timeout."""
    deadline = time.monotonic() + limit
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {limit} s")
        await asyncio.sleep(every)


@pytest.fixture(params=["normal", "json-rpc"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


def add_contacts(sim: Simulator, n: int = 20) -> None:
    """Remote people on the simulated network (the "empty" scenario has only our account)."""
    account = sim.world.accounts[sim.primary_account]
    for i in range(1, n + 1):
        number, uuid = contact(i)
        sim.world.add_person(Person(uuid=uuid, number=number, given_name=f"Contact {i}"))
        account.contacts[uuid] = ContactMeta()


def sends(sim: Simulator) -> int:
    """Messages the simulated server actually sent (each leaves a sync copy for our devices)."""
    return len(sim.sync_log)


def last_sent(sim: Simulator) -> dict[str, Any]:
    return sim.sync_log[-1]["sentMessage"]


async def start_sim(mode: str, port: int = 0, **options: Any) -> Simulator:
    simulator = Simulator(mode=mode, scenario="empty", trickle=False, **options)
    add_contacts(simulator)
    await simulator.start(port=port)
    return simulator


@pytest.fixture
async def sim(mode: str) -> AsyncIterator[Simulator]:
    simulator = await start_sim(mode)
    try:
        yield simulator
    finally:
        await simulator.stop()


@pytest.fixture
def config(sim: Simulator, tmp_path: Path) -> Config:
    return make_config(sim.url, sim.primary_account, tmp_path / "data")


@pytest.fixture
async def session(config: Config) -> AsyncIterator[Session]:
    s = Session(config, receiver_options=dict(FAST_RECEIVER), outbox_options=dict(FAST_OUTBOX))
    await s.open()
    try:
        yield s
    finally:
        await s.stop()


async def message_count(session: Session) -> int:
    stats = await session.store.stats()
    return int(stats["messages"])


async def connected(session: Session, sim: Simulator) -> None:
    """Wait until the receiver is connected (json-rpc: the socket is attached on the server)."""
    await wait_for(lambda: session.receiver_state.state == "connected", 10)
    if session.receiver_state.mode == "json-rpc":
        await wait_for(lambda: sim.connected_sockets(session.account) > 0, 10)
