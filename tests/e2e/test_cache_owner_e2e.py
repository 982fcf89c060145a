"""Two processes on one account's cache: the second writer (another TUI, `receive`, `send`) is
refused with a sentence naming the first; `export` and `stats` read beside it."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from signal_tui.config import Config
from signal_tui.core.session import Session
from signal_tui.simulator.server import Simulator
from signal_tui.ui.app import make_app


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNAL_TUI_")}
    empty = tmp_path / "empty.toml"
    empty.touch()
    env["SIGNAL_TUI_CONFIG"] = str(empty)
    return env


async def _cli(tmp_path: Path, sim: Simulator, data: Path, *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "signal_tui", "--url", sim.url, "--account", sim.primary_account,
        "--data-dir", str(data), *args,
        env=_env(tmp_path), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode(), err.decode()


@pytest.mark.parametrize("mode", ["json-rpc"])
async def test_second_writer_refused_readers_allowed(
    sim: Simulator, config: Config, tmp_path: Path
) -> None:
    data = config.data_dir
    async with Session(config) as owner:  # as the running TUI holds it
        assert owner.store is not None
        code, out, err = await _cli(tmp_path, sim, data, "receive")
        assert code == 1, (out, err)
        assert f"already open in another signal-tui (pid {os.getpid()}" in err
        assert "Traceback" not in err and "database is locked" not in err
        code, out, err = await _cli(tmp_path, sim, data, "send", "--to", "+15550100001", "hi")
        assert code == 1 and "already open" in err, (out, err)
        code, out, err = await _cli(tmp_path, sim, data, "stats")  # a reader: fine beside it
        assert code == 0 and "messages" in out, (out, err)

        app = make_app(config)  # a second TUI on the same account
        async with app.run_test() as pilot:
            await pilot.pause(0.2)
        assert app.return_code == 1
    code, out, err = await _cli(tmp_path, sim, data, "receive")  # the owner closed: free
    assert code == 0, (out, err)
