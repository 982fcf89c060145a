"""Plain helpers for the app: the help text, readable error sentences, desktop notifications."""

from __future__ import annotations

import shutil
import subprocess

from signal_tui.text import one_line

HELP_SECTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Everywhere",
        [
            ("ctrl+p", "command palette: every screen and action, open any conversation"),
            ("ctrl+f", "search all messages"),
            ("ctrl+n", "new conversation by +number or UUID"),
            ("tab / shift+tab", "move between list, history and composer"),
            ("F1 / ?", "this help"),
            ("esc", "back / cancel"),
            ("ctrl+q", "quit"),
        ],
    ),
    (
        "Conversation list",
        [
            ("j / k, ↑ / ↓", "move"),
            ("enter", "open the conversation"),
            ("ctrl+l", "filter conversations (type a +number to start a chat)"),
        ],
    ),
    (
        "History",
        [
            ("j / k, ↑ / ↓", "select a message"),
            ("enter", "actions: reply, react, edit, delete, copy, details, retry…"),
            ("ctrl+r", "reply to the selected message"),
            ("g / G", "oldest loaded / newest"),
        ],
    ),
    (
        "Composer",
        [
            ("enter", "send"),
            ("ctrl+j / shift+enter", "new line"),
            ("ctrl+e", "write in $EDITOR"),
            ("ctrl+a", "attach files (or paste a file path)"),
            ("@", "mention a group member"),
            ("esc", "cancel reply / edit"),
        ],
    ),
]


def readable_error(error: BaseException | None) -> str:
    """A sentence for the user; never a traceback."""
    if error is None:
        return "Something went wrong."
    user_message = getattr(error, "user_message", None)
    if callable(user_message):
        try:
            return one_line(user_message(), 300)
        except Exception:
            pass
    text = one_line(str(error), 300)
    if type(error).__name__ in ("ActionError", "SessionError", "ConfigError") and text:
        return text
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _desktop_notify(title: str, body: str) -> None:
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
