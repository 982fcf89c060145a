"""Admin tests run against the real simulator over loopback and a real SQLite store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from signal_tui.api.client import SignalClient
from signal_tui.core.admin import Admin
from signal_tui.simulator.server import Simulator
from signal_tui.store import Store


@dataclass
class Env:
    sim: Simulator
    url: str
    client: SignalClient
    store: Store
    admin: Admin
    account: str
    data_dir: Path


async def make_env(tmp_path: Path, mode: str = "json-rpc", scenario: str = "demo") -> Env:
    sim = Simulator(mode=mode, scenario=scenario, trickle=False, reply_delay=0.2)
    url = await sim.start()
    account = sim.accounts[0]
    client = SignalClient(url)
    data_dir = tmp_path / "data" / "acct"
    store = await Store.open(data_dir / "cache.sqlite3", account=account)
    return Env(sim, url, client, store, Admin(client, store, account, data_dir), account, data_dir)


async def close_env(env: Env) -> None:
    await env.client.aclose()
    await env.store.close()
    await env.sim.stop()


@pytest.fixture(params=["json-rpc", "normal"])
async def env(request: Any, tmp_path: Path) -> AsyncIterator[Env]:
    e = await make_env(tmp_path, request.param)
    try:
        yield e
    finally:
        await close_env(e)


@pytest.fixture
async def env1(tmp_path: Path) -> AsyncIterator[Env]:
    """One mode only, for checks that do not depend on it."""
    e = await make_env(tmp_path)
    try:
        yield e
    finally:
        await close_env(e)
