"""Fixtures: a real simulator on a loopback port (port 0) and a plain httpx client of our own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from signal_tui.simulator import Simulator

ME = "+15550000001"
SAM = "+15550000002"

StartSim = Callable[..., Awaitable[tuple[Simulator, httpx.AsyncClient]]]


@pytest.fixture
async def start_sim() -> AsyncIterator[StartSim]:
    """`await start_sim(mode=..., scenario=..., profile=...)` -> (simulator, client); both closed after."""
    running: list[tuple[Simulator, httpx.AsyncClient]] = []

    async def start(**kwargs: Any) -> tuple[Simulator, httpx.AsyncClient]:
        kwargs.setdefault("trickle", False)
        kwargs.setdefault("reply_delay", 0.2)
        kwargs.setdefault("receive_idle_cap", 0.3)
        sim = Simulator(**kwargs)
        url = await sim.start()
        client = httpx.AsyncClient(base_url=url, timeout=10)
        running.append((sim, client))
        return sim, client

    yield start
    for sim, client in running:
        await client.aclose()
        await sim.stop()


async def drain(client: httpx.AsyncClient, number: str = ME, idle: int = 0) -> list[dict[str, Any]]:
    """Normal mode: everything queued for `number` (one GET with an immediate idle timeout)."""
    r = await client.get(f"/v1/receive/{number}", params={"timeout": idle})
    assert r.status_code == 200, r.text
    return r.json()


def kinds(items: list[dict[str, Any]]) -> list[str]:
    keys = ("dataMessage", "editMessage", "syncMessage", "receiptMessage", "typingMessage")
    return [next((k for k in keys if k in it["envelope"]), "none") for it in items]


async def wait_sockets(sim: Simulator, number: str = ME, count: int = 1) -> None:
    """Wait until `count` WebSockets are attached (frames sent before that are dropped)."""
    for _ in range(500):
        if sim.connected_sockets(number) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("socket never attached")
