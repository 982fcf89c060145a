"""`signal-tui --demo`: the bundled simulator's demo account in a throwaway cache.

Starts the simulator (json-rpc mode, "demo" scenario) in-process on a free loopback port, points a
config at it with a temporary data dir, runs the app, and cleans everything up on exit — nothing
touches the user's real configuration or cache.
"""

from __future__ import annotations

import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from signal_tui.config import Config

if TYPE_CHECKING:
    from signal_tui.simulator.server import Simulator


@contextmanager
def demo_environment(
    config: Config, *, trickle: bool = True, mode: str = "json-rpc"
) -> Iterator[tuple[Config, object]]:
    """Yield (config pointing at a running demo simulator, the simulator); clean up after."""
    from signal_tui.simulator.server import Simulator

    sim = Simulator(mode=mode, scenario="demo", trickle=trickle)
    url = sim.start_in_thread(host="127.0.0.1", port=0)
    data_dir = Path(tempfile.mkdtemp(prefix="signal-tui-demo-"))
    try:
        demo_config = config.replace(
            url=url,
            account=sim.primary_account,
            data_dir=data_dir,
            config_file=data_dir / "config.toml",  # account setup must not edit the real file
            demo=True,
            auth_user=None,
            auth_password=None,
            auth_password_command=None,
            auth_token=None,
            auth_token_command=None,
        )
        yield demo_config, sim
    finally:
        try:
            sim.stop_thread()
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)


def run_demo(config: Config) -> int:
    """Run the app against the demo simulator; returns the app's exit code."""
    from signal_tui.ui.app import make_app

    with demo_environment(config) as (demo_config, sim):
        app = make_app(demo_config, extra_commands=demo_commands(sim))
        previous = signal.signal(signal.SIGHUP, lambda *_: app.exit(0))  # terminal closed: clean up
        try:
            app.run()
        finally:
            signal.signal(signal.SIGHUP, previous)
        return app.return_code or 0


def demo_commands(sim: Simulator) -> list[tuple[str, str, Callable[[], object]]]:
    """Palette entries only the demo has: take the server away to watch the outbox work."""
    return [
        (
            "Demo: simulate a server outage",
            "The server stops answering; what you send waits in the outbox (◷ queued)",
            lambda: sim.outage_in_thread(True),
        ),
        (
            "Demo: end the server outage",
            "The server is back; queued messages go out",
            lambda: sim.outage_in_thread(False),
        ),
    ]
