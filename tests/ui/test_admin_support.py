"""Shared harness of the admin UI tests (no tests here): a tiny app with `.config`/`.session`
like the real SignalApp, helpers to wait in Pilot tests, and fixed demo facts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from signal_tui.config import Config
from signal_tui.core.session import Session

LINK_URI = (
    "sgnl://linkdevice?uuid=AbCdEfGhIjKlMnOpQrStUv&pub_key="
    "BXk4%2Bq0aZ1x2y3w4v5u6t7s8r9q0p1o2n3m4l5k6j7i8"
)


class AdminHarness(App[None]):
    """Like SignalApp for the admin screens: exposes config and session; can switch account."""

    def __init__(
        self,
        config: Config,
        screen: Callable[[AdminHarness], Screen[Any]] | None = None,
        *,
        open_session: bool = True,
    ) -> None:
        super().__init__()
        self.config = config
        self.session: Session | None = None
        self._factory = screen
        self._open_session = open_session
        self.results: list[Any] = []

    async def on_mount(self) -> None:
        if self._open_session and self.config.account:
            await self.use_config(self.config)
        if self._factory is not None:
            self.push_screen(self._factory(self), self.results.append)

    async def use_config(self, config: Config) -> None:
        if self.session is not None:
            await self.session.stop()
        self.config = config
        self.session = Session(config)
        await self.session.open()

    def switch_account(self, config: Config) -> None:
        self.run_worker(self.use_config(config))

    async def on_unmount(self) -> None:
        if self.session is not None:
            await self.session.stop()


async def wait_for(pilot: Pilot[Any], cond: Callable[[], object], limit: float = 10.0) -> None:
    """Let the app run until `cond()` is true (workers talk to the simulator meanwhile).
    On time-out the message shows the status line of the current screen (the plain failure)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + limit
    while not cond():
        if loop.time() > end:
            raise AssertionError(f"timed out; screen {pilot.app.screen!r} says: {status(pilot)}")
        await pilot.pause(0.05)


def status(pilot: Pilot[Any]) -> str:
    for selector in ("#admin-status", "#setup-status"):
        try:
            return str(pilot.app.screen.query_one(selector).render())
        except Exception:
            continue
    return ""


def config_for(tmp_path: Path, url: str | None, account: str | None = None) -> Config:
    return Config(
        url=url,
        account=account,
        data_dir=tmp_path / "data",
        config_file=tmp_path / "config" / "config.toml",
    )


def contact_numbers(sim: Any, n: int = 2) -> list[str]:
    """Numbers of simulated (not hosted) people, sorted: stable across runs."""
    hosted = set(sim.accounts)
    people = [p for num, p in sim.world.by_number.items() if num not in hosted and not p.bot]
    return sorted(p.number for p in people if p.number)[:n]
