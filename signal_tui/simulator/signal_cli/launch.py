"""Start the fake signal-cli for a real server: the daemon, the control file, the shim on a PATH."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from signal_tui.simulator.signal_cli.daemon import FakeDaemon
from signal_tui.simulator.signal_cli.shim import CONTROL_FILE

if TYPE_CHECKING:
    from signal_tui.simulator.core import SimCore

SERVER_MODES = ("normal", "json-rpc")


@dataclass
class FakeSignalCli:
    daemon: FakeDaemon
    config_dir: Path
    bin_dir: Path
    mode: str
    env: dict[str, str] = field(default_factory=dict)

    def server_args(self) -> list[str]:
        """The real server's arguments for this config dir (temp dirs must end in `/`)."""
        scratch = f"{self.config_dir}/scratch/"
        return [
            "-signal-cli-config",
            str(self.config_dir),
            "-attachment-tmp-dir",
            scratch,
            "-avatar-tmp-dir",
            scratch,
        ]

    async def stop(self) -> None:
        await self.daemon.stop()


def write_shim(bin_dir: Path) -> Path:
    """An executable `signal-cli` that runs shim.py with this interpreter."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    shim = Path(__file__).with_name("shim.py")
    path = bin_dir / "signal-cli"
    path.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S -E "{shim}" "$@"\n')
    path.chmod(0o755)
    return path


async def start_fake_signal_cli(
    sim: SimCore, config_dir: Path, mode: str, *, jvm_delay: float = 0.0, pace: float = 0.03
) -> FakeSignalCli:
    """Serve `sim`'s world as signal-cli for a real server in `mode` (its MODE env value).

    `sim.mode` must match (json-rpc: pushes go to the daemon's connection; normal: they queue for
    `receive`). The server then runs with `fake.env` and `fake.server_args()`.
    """
    if mode not in SERVER_MODES:
        raise ValueError(f"mode must be one of {SERVER_MODES}")
    if (sim.mode == "json-rpc") != (mode == "json-rpc"):
        raise ValueError(f"the simulator runs in {sim.mode} mode, the server in {mode}")
    config_dir = Path(config_dir)
    for sub in ("scratch", "attachments"):
        (config_dir / sub).mkdir(parents=True, exist_ok=True)
    daemon = FakeDaemon(sim, config_dir, pace=pace)
    port = await daemon.start()
    (config_dir / CONTROL_FILE).write_text(json.dumps({"port": port, "jvm_delay": jvm_delay}))
    if mode == "json-rpc":
        (config_dir / "jsonrpc2.yml").write_text(
            f'config:\n  "<multi-account>":\n    tcp_port: {port}\n'
        )
    bin_dir = config_dir / "fakebin"
    write_shim(bin_dir)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "MODE": mode}
    return FakeSignalCli(daemon, config_dir, bin_dir, mode, env)
