"""Watching client processes during a soak: /proc samples, a TUI in a private tmux server, and the
check that what users are shown is a sentence (not a traceback, an HTML page or raw JSON)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
STATE_LINE = re.compile(r"[●◌○✗] +((?:re)?connect(?:ing|ed)|offline|error)\b.*")


def problems_in(text: str) -> list[str]:
    """Why `text` (a state or error shown to the user) is not a readable sentence."""
    found = []
    lower = text.lower()
    for bad in ("traceback", "<html", "<!doctype", "<head", "<body", 'file "'):
        if bad in lower:
            found.append(f"contains {bad!r}")
    if text.lstrip().startswith(("{", "[")):
        found.append("is raw JSON")
    if '{"' in text or '":' in text:
        found.append("quotes raw JSON")
    if any(ord(ch) < 32 for ch in text):
        found.append("has control characters")
    return found


@dataclass
class Sample:
    at: float  # monotonic seconds
    cpu: float  # user + system CPU seconds so far
    rss: int  # bytes


@dataclass
class ProcWatch:
    """Samples one process: CPU seconds (utime+stime) and resident memory (VmRSS)."""

    name: str
    pid: int
    samples: list[Sample] = field(default_factory=list)

    def sample(self) -> Sample | None:
        try:
            stat = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return None
        cpu = (int(stat[11]) + int(stat[12])) / CLOCK_TICKS
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        rss = int(match.group(1)) * 1024 if match else 0
        s = Sample(time.monotonic(), cpu, rss)
        self.samples.append(s)
        return s

    def cpu_percent(self, start: float, end: float) -> float | None:
        """Share of one core used between two monotonic times (from the nearest samples)."""
        inside = [s for s in self.samples if start <= s.at <= end]
        if len(inside) < 2 or inside[-1].at - inside[0].at <= 0:
            return None
        return 100 * (inside[-1].cpu - inside[0].cpu) / (inside[-1].at - inside[0].at)

    def rss_mib(self, start: float = 0.0, end: float = float("inf")) -> list[float]:
        return [s.rss / 2**20 for s in self.samples if start <= s.at <= end]


class Tmux:
    """A TUI in its own tmux server (`-L` socket): nothing of the user's tmux is touched."""

    def __init__(self, name: str, width: int = 120, height: int = 40) -> None:
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is not installed")
        self.socket = f"{name}-{os.getpid()}"
        self.width, self.height = width, height

    def _run(self, *args: str, check: bool = True) -> str:
        out = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            timeout=15,
            check=check,
        )
        return out.stdout

    def start(self, command: str, env: dict[str, str]) -> int:
        """Run `command` (exec'd, so the pane's pid is the program's); returns that pid."""
        exports = " ".join(f"{k}={_quote(v)}" for k, v in env.items())
        self._run("-f", "/dev/null", "new-session", "-d", "-s", "soak", "-x", str(self.width),
                  "-y", str(self.height), f"env -i {exports} {command}")  # fmt: skip
        self._run("set-option", "-t", "soak", "remain-on-exit", "on")
        pane = int(self._run("list-panes", "-t", "soak", "-F", "#{pane_pid}").split()[0])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the shells in between may or may not exec
            found = _descendant(pane, b"signal_tui")
            if found is not None:
                return found
            time.sleep(0.05)
        raise RuntimeError(f"the TUI did not start: {self.capture()[-500:]}")

    def capture(self, history: bool = False) -> str:
        more = ("-S", "-2000") if history else ()
        return self._run("capture-pane", "-p", *more, "-t", "soak", check=False)

    def dead(self) -> bool:
        out = self._run("list-panes", "-t", "soak", "-F", "#{pane_dead}", check=False)
        return out.strip() in ("", "1")

    def keys(self, *keys: str) -> None:
        self._run("send-keys", "-t", "soak", *keys, check=False)

    def kill(self) -> None:
        self._run("kill-server", check=False)


def state_lines(screen: str) -> list[str]:
    """The connection-state texts on a captured screen ('● connected (normal)' ...)."""
    lines = (m.group(0).strip().strip("│┃|").strip() for m in STATE_LINE.finditer(screen))
    return [re.split(r"\s{3,}", line)[0] for line in lines]  # without "3 unread   +number"


def _descendant(pid: int, needle: bytes) -> int | None:
    """`pid` or the first of its descendants whose command line contains `needle`."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    todo = [pid]
    while todo:
        current = todo.pop(0)
        try:
            cmdline = Path(f"/proc/{current}/cmdline").read_bytes()
        except OSError:
            cmdline = b""
        if needle in cmdline and b"sh\x00-c" not in cmdline:
            return current
        todo.extend(children.get(current, []))
    return None


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"
