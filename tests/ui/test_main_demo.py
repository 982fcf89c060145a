"""`signal-tui --demo` end to end in a real pseudo-terminal: it connects, shows the demo
account's chats, quits on ctrl+q with exit code 0 and removes its throwaway data dir."""

from __future__ import annotations

import os
import select
import signal
import sys
import time
from pathlib import Path

import pytest

pty = pytest.importorskip("pty")


def _read(fd: int) -> bytes | None:
    """What the terminal shows next (waiting up to 0.1 s); None once the app closed it."""
    ready, _, _ = select.select([fd], [], [], 0.1)
    if not ready:
        return b""
    try:
        return os.read(fd, 65536) or None
    except OSError:  # EIO: the child closed the terminal
        return None


def _read_until(fd: int, needle: bytes, limit: float, out: bytes = b"") -> bytes:
    """Terminal output until `needle` shows (fails after `limit` seconds, showing the tail)."""
    deadline = time.monotonic() + limit
    while needle not in out:
        chunk = _read(fd)
        if chunk is None or time.monotonic() > deadline:
            why = "the app closed the terminal" if chunk is None else f"{limit:g} s passed"
            raise AssertionError(f"{needle!r} never showed ({why}); last output: {out[-600:]!r}")
        out += chunk
    return out


def _wait_exit(fd: int, pid: int, limit: float) -> int:
    """Drain the terminal until the child exits; its exit status (fails after `limit` s)."""
    deadline = time.monotonic() + limit
    seen = b""
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        chunk = _read(fd)  # keep the pipe empty so the app can write its last frames and exit
        seen = (seen + (chunk or b""))[-4000:]
    raise AssertionError(
        f"signal-tui --demo did not exit within {limit:g} s after ctrl+q; it showed: {seen!r}"
    )


def test_demo_runs_in_a_terminal_and_cleans_up(tmp_path: Path) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    pid, fd = pty.fork()
    if pid == 0:  # child: the real command line, with its own temp dir to inspect
        os.environ.update(TERM="xterm-256color", TMPDIR=str(tmpdir), COLUMNS="120", LINES="40")
        os.execvp(sys.executable, [sys.executable, "-m", "signal_tui", "--demo"])
    status: int | None = None
    try:
        screen = _read_until(fd, b"connected (json-rpc)", 60)
        screen = _read_until(fd, b"Echo", 30, screen)
        assert b"Traceback" not in screen
        assert [p.name for p in tmpdir.iterdir() if p.name.startswith("signal-tui-demo-")]
        os.write(fd, b"\x11")  # ctrl+q
        status = _wait_exit(fd, pid, 30)
    finally:
        if status is None:  # failed before it exited: do not leave the demo running
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert not [p for p in tmpdir.iterdir() if p.name.startswith("signal-tui-demo-")]


def test_demo_closed_terminal_sighup_still_cleans_up(tmp_path: Path) -> None:
    """Closing the terminal window sends SIGHUP: the demo's temp folder must not stay behind."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(TERM="xterm-256color", TMPDIR=str(tmpdir), COLUMNS="120", LINES="40")
        os.execvp(sys.executable, [sys.executable, "-m", "signal_tui", "--demo"])
    status: int | None = None
    try:
        _read_until(fd, b"connected (json-rpc)", 60)
        assert [p.name for p in tmpdir.iterdir() if p.name.startswith("signal-tui-demo-")]
        os.kill(pid, signal.SIGHUP)
        status = _wait_exit(fd, pid, 30)
    finally:
        if status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert not [p for p in tmpdir.iterdir() if p.name.startswith("signal-tui-demo-")]
