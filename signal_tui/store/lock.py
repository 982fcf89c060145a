"""One owner per cache: the process that writes an account's cache holds a lock beside it.

A second writer (two TUIs, or the TUI and `receive --follow`) is refused with a sentence that
names the other process, instead of meeting "database is locked" halfway through a batch. The
lock is an flock on `<cache>.lock`: the kernel drops it when its process ends, even on SIGKILL, so
a crash never leaves a stale lock behind. Readers (`export`, `stats`) need no lock (WAL).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
from pathlib import Path


class CacheBusy(Exception):
    """Another process owns this cache; `str()` says which."""


class CacheLock:
    def __init__(self, path: Path) -> None:
        self.path = Path(f"{path}.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = _read(fd)
            os.close(fd)
            who = f"pid {other}" if other else "another process"
            raise CacheBusy(
                f"This account's cache is already open in another signal-tui ({who}). Close that "
                "one first; `signal-tui export` and `stats` can read while it runs."
            ) from None
        os.ftruncate(fd, 0)
        command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))
        os.write(fd, f"{os.getpid()} {command}"[:300].encode("utf-8", "replace"))
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)  # closing drops the flock


def _read(fd: int) -> str:
    with contextlib.suppress(OSError):
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 400).decode("utf-8", "replace").strip()
        pid, _, command = text.partition(" ")
        if pid.isdigit():
            return f"{pid}: {command}" if command else pid
    return ""
