"""The REAL bbernhard/signal-cli-rest-api over the simulator's fake signal-cli, for the e2e tests.

The binary comes from `SIGNAL_TUI_REAL_SERVER` (`.ci/run` points it at
`../shared/realserver/signal-cli-rest-api` when that exists). Unset: the real-server cases are
skipped with a reason. Set but the server does not come up: the test fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from signal_tui.simulator.server import Simulator
from signal_tui.simulator.signal_cli import FakeSignalCli, start_fake_signal_cli

ENV = "SIGNAL_TUI_REAL_SERVER"
# the four servers a test can run against: (kind, mode)
SERVERS = [("sim", "normal"), ("sim", "json-rpc"), ("real", "normal"), ("real", "json-rpc")]


# read at import (collection), before the autouse fixture of tests/conftest.py removes every
# SIGNAL_TUI_* variable from the tests' environment
_BINARY = os.environ.get(ENV) or None


def binary() -> str | None:
    return _BINARY


def skip_without_binary(kind: str) -> None:
    if kind == "real" and binary() is None:
        pytest.skip(f"{ENV} is not set (the path of a signal-cli-rest-api binary; see README)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class RealServer:
    url: str
    process: subprocess.Popen[bytes]
    fake: FakeSignalCli
    log: Path

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


async def start_real_server(
    sim: Simulator, config_dir: Path, *, jvm_delay: float = 0.0, log_level: str = "info"
) -> RealServer:
    """Start the fake signal-cli for `sim`, then the real server in `sim.mode`; wait for /v1/about."""
    path = binary()
    if path is None:
        raise RuntimeError(f"{ENV} is not set")
    mode = "json-rpc" if sim.json_rpc else "normal"
    fake = await start_fake_signal_cli(sim, config_dir, mode, jvm_delay=jvm_delay)
    port = free_port()
    env = {**fake.env, "PORT": str(port), "LOG_LEVEL": log_level, "GIN_MODE": "release"}
    log = config_dir / "server.log"
    process = _spawn([path, *fake.server_args()], env, log)
    server = RealServer(f"http://127.0.0.1:{port}", process, fake, log)
    deadline = time.monotonic() + 20
    async with httpx.AsyncClient(timeout=1.0) as client:
        while True:
            if process.poll() is not None:
                await stop_real_server(server)
                raise RuntimeError(f"{path} exited with {process.returncode}:\n{server.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                r = await client.get(server.url + "/v1/about")
                if r.status_code == 200:
                    break
            if time.monotonic() > deadline:
                await stop_real_server(server)
                raise RuntimeError(f"{path} did not answer /v1/about in 20 s:\n{server.log_tail()}")
            await asyncio.sleep(0.05)
    if mode == "json-rpc":  # the server connects to the daemon at start; wait until it has
        await _wait(lambda: any(a.sockets for a in sim.world.accounts.values()), 10)
    return server


def _spawn(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            argv,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: killed whole at teardown
        )


async def _wait(check: Any, limit: float) -> None:
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError("the real server did not connect to the fake daemon")
        await asyncio.sleep(0.02)


async def stop_real_server(server: RealServer) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        await asyncio.to_thread(server.process.wait, 5)
    await server.fake.stop()


@contextlib.asynccontextmanager
async def serving(sim: Simulator, kind: str, tmp: Path, **options: Any) -> AsyncIterator[str]:
    """The URL of `sim`'s world behind `kind` ("sim": its own HTTP face; "real": the real server)."""
    await sim.start()
    if kind == "sim":
        yield sim.url
        return
    server = await start_real_server(sim, tmp, **options)
    try:
        yield server.url
    finally:
        await stop_real_server(server)


@dataclass
class Served:
    """A simulated world and the URL a client talks to: its own HTTP face or the real server."""

    sim: Simulator
    url: str
    kind: str  # "sim" | "real"
    mode: str  # "normal" | "json-rpc"
    sim_config: Path  # the fake signal-cli's config dir (real server only)

    @property
    def account(self) -> str:
        return self.sim.primary_account


@pytest.fixture(params=SERVERS, ids=[f"{k}-{m}" for k, m in SERVERS])
async def served(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Served]:
    """{bundled simulator, real server} x {normal, json-rpc} over one world ("empty" + 20 contacts)."""
    kind, mode = request.param
    skip_without_binary(kind)
    from tests.e2e.conftest import add_contacts

    sim = Simulator(mode=mode, scenario="empty", trickle=False)
    add_contacts(sim)
    cfg = tmp_path / "signal-cli-config"
    try:
        async with serving(sim, kind, cfg) as url:
            yield Served(sim, url, kind, mode, cfg)
    finally:
        await sim.stop()
