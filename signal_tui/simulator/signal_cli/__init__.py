"""The simulator's second face: a fake signal-cli (JSON-RPC daemon and `signal-cli` command shim)
behind which the REAL bbernhard/signal-cli-rest-api can run. Same world as the HTTP face.

    fake = await start_fake_signal_cli(sim, cfg_dir, "normal" | "json-rpc", jvm_delay=0.0)
    fake.env      -> environment for the real server (PATH with the shim first; MODE)
    fake.daemon   -> FakeDaemon (its .calls log what the server asked)
    await fake.stop()
"""

from signal_tui.simulator.signal_cli.launch import FakeSignalCli, start_fake_signal_cli

__all__ = ["FakeSignalCli", "start_fake_signal_cli"]
