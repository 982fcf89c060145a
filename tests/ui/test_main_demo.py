"""`signal-tui --demo` end to end in a real pseudo-terminal: it connects, shows the demo
account's chats, quits on ctrl+q with exit code 0 and removes its throwaway data dir."""

from __future__ import annotations

import os
import select
import sys
import time
from pathlib import Path

import pytest

pty = pytest.importorskip("pty")


def _read_until(fd: int, needle: bytes, limit: float) -> bytes:
    out = b""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and needle not in out:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
    return out


def test_demo_runs_in_a_terminal_and_cleans_up(tmp_path: Path) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    pid, fd = pty.fork()
    if pid == 0:  # child: the real command line, with its own temp dir to inspect
        os.environ.update(TERM="xterm-256color", TMPDIR=str(tmpdir), COLUMNS="120", LINES="40")
        os.execvp(sys.executable, [sys.executable, "-m", "signal_tui", "--demo"])
    try:
        screen = _read_until(fd, b"connected (json-rpc)", 30)
        assert b"connected (json-rpc)" in screen
        screen += _read_until(fd, b"Echo", 10)
        assert b"Echo" in screen and b"Traceback" not in screen
        assert [p.name for p in tmpdir.iterdir() if p.name.startswith("signal-tui-demo-")]
        os.write(fd, b"\x11")  # ctrl+q
        _read_until(fd, b"\x00never", 3)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert not [p for p in tmpdir.iterdir() if p.name.startswith("signal-tui-demo-")]
