"""Desktop notifications (notify-send), for new messages when the user asked for them."""

from __future__ import annotations

import shutil
import subprocess


def desktop_notify(title: str, body: str) -> None:
    """notify-send if present; never blocks the UI for long and never raises."""
    exe = shutil.which("notify-send")
    if not exe:
        return
    try:
        subprocess.Popen(
            [exe, "--app-name=signal-tui", "--", title, body],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        pass
