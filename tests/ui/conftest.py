"""Fixtures shared by the UI tests. Plain helpers are in harness.py, the fixed cache content in
cache_data.py; no test module imports another one."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from signal_tui.config import Config
from signal_tui.simulator.server import Simulator
from tests.ui.cache_data import ACCOUNT, build_cache, make_config


@pytest.fixture
def utc() -> Iterator[None]:
    """Times render in local time: pin the zone to UTC so texts and snapshots match anywhere."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def cache_config(tmp_path: Path, utc: None) -> Config:
    """An account whose cache already holds the fixed history (cache_data.py); no server."""
    config = make_config(tmp_path)
    build_cache(config)
    return config


@pytest.fixture
def sim() -> Iterator[Simulator]:
    """The demo world (json-rpc, WebSocket) in its own thread, fresh for each test."""
    simulator = Simulator(mode="json-rpc", scenario="demo", trickle=False, reply_delay=0.2)
    simulator.start_in_thread()
    yield simulator
    simulator.stop_thread()


@pytest.fixture
def config(tmp_path: Path, sim: Simulator) -> Config:
    """The demo's primary account on `sim`, its cache already holding the fixed history."""
    assert sim.primary_account == ACCOUNT
    cfg = make_config(tmp_path, url=sim.url)
    build_cache(cfg)
    return cfg


@pytest.fixture
async def start_sim() -> AsyncIterator[Callable[..., Awaitable[Simulator]]]:
    """`await start_sim(mode=..., scenario=..., **options)`: a simulator on the test's own loop
    (the admin tests tune it before and while the app runs), stopped after the test."""
    started: list[Simulator] = []

    async def start(**options: Any) -> Simulator:
        settings: dict[str, Any] = {"mode": "json-rpc", "scenario": "demo", "trickle": False}
        simulator = Simulator(**(settings | options))
        await simulator.start()
        started.append(simulator)
        return simulator

    yield start
    for simulator in reversed(started):
        await simulator.stop()
