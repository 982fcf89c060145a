"""Whole-process launch time in a pseudo-terminal: until the first conversation list is painted.

Runs, alternating in one go, (a) an empty Textual app that paints one word and (b) signal-tui on a
cache of N messages (built once, through the real ingest path, in a temp dir), each `--runs` times,
and prints the medians and their ratio. The server URL points at a closed port: the launch must
not wait for the network. Usage:

    python tests/bench/bench_startup.py [--messages 20000] [--runs 6]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pty
import select
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

EMPTY_APP = """
from textual.app import App
from textual.widgets import Static
class Empty(App):
    def compose(self):
        yield Static("READY-MARK")
Empty().run()
"""
ACCOUNT = "+15550000001"


def build_cache(data: Path, messages: int) -> None:
    from signal_tui.config import Config
    from signal_tui.core.session import Session

    async def fill() -> None:
        config = Config(url="http://127.0.0.1:9", account=ACCOUNT, data_dir=data)
        async with Session(config) as session:
            assert session.store is not None
            batch = []
            for i in range(messages):
                sender = f"+1555010{i % 200:04d}"
                ts = 1_700_000_000_000 + i * 1000
                batch.append({
                    "envelope": {"source": sender, "sourceNumber": sender, "sourceName": f"P{i % 200}",
                                 "timestamp": ts, "dataMessage": {"timestamp": ts, "message": f"m{i}"}},
                    "account": ACCOUNT,
                })  # fmt: skip
                if len(batch) == 2000:
                    await session.store.ingest_batch(batch)
                    batch = []
            if batch:
                await session.store.ingest_batch(batch)

    asyncio.run(fill())


def launch(argv: list[str], needle: bytes, env: dict[str, str], limit: float = 60) -> float:
    """Seconds from exec to `needle` on the terminal; the child is then killed."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(env)
        os.execvp(argv[0], argv)
    seen = b""
    try:
        while needle not in seen:
            if time.perf_counter() - start > limit:
                raise RuntimeError(f"{needle!r} never showed: {seen[-300:]!r}")
            ready, _, _ = select.select([fd], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    break
        return time.perf_counter() - start
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        t = time.perf_counter()
        build_cache(data, args.messages)
        print(f"cache: {args.messages} messages built in {time.perf_counter() - t:.1f} s")
        empty = Path(tmp) / "empty_app.py"
        empty.write_text(EMPTY_APP)
        config = Path(tmp) / "config.toml"
        config.write_text("")
        env = {"TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40",
               "SIGNAL_TUI_CONFIG": str(config)}  # fmt: skip
        app = [sys.executable, "-m", "signal_tui", "--url", "http://127.0.0.1:9",
               "--account", ACCOUNT, "--data-dir", str(data)]  # fmt: skip
        base, ours = [], []
        for _ in range(args.runs):  # alternating, so load changes hit both alike
            base.append(launch([sys.executable, str(empty)], b"READY-MARK", env))
            ours.append(launch(app, b"P199", env))  # a conversation name in the list
        b, o = statistics.median(base), statistics.median(ours)
        print(f"empty Textual app  median {b:.3f} s  runs {[round(x, 3) for x in base]}")
        print(f"signal-tui         median {o:.3f} s  runs {[round(x, 3) for x in ours]}")
        print(f"ratio {o / b:.2f}x (goal <= 1.2x)")


if __name__ == "__main__":
    main()
