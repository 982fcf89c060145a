"""The base of the administration screens, and the small formatting helpers they share.

An admin screen gets the open `Session` and acts only through `session.admin` (core.admin.Admin),
never HTTP. Progress and failures show in the screen's status line, worded by `core.errors.explain`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from signal_tui.core.errors import explain
from signal_tui.text import plain_line, safe
from signal_tui.ui.widgets import render

if TYPE_CHECKING:
    from signal_tui.core.admin import Admin
    from signal_tui.core.session import Session


# --- shared pieces of the admin screens ---------------------------------------------------------


def format_time(ms: int | None) -> str:
    """Absolute local time for created/last-seen columns (tests pin this for snapshots)."""
    if not ms:
        return "-"
    return datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M")


def format_size(size: int | None) -> str:
    """As the history writes sizes; "…" while a size is not known yet (being fetched)."""
    return "…" if size is None else render.format_size(size)


def format_timer(seconds: int) -> str:
    if not seconds:
        return "off"
    for unit, span in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= span and seconds % span == 0:
            n = seconds // span
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} s"


def reset_table(table: DataTable[Any], *columns: str) -> list[Any]:
    """Empty a table for new rows, columns included: a plain clear() keeps the old column
    widths in the header until some later refresh, which shows a misaligned header."""
    table.clear(columns=True)
    return table.add_columns(*columns)


TIMER_CHOICES = [0, 30, 300, 3600, 8 * 3600, 86400, 604800, 4 * 604800]


class AdminScreen(Screen[Any]):
    """Base of the admin screens: a title, a status line for progress and plain failures."""

    DEFAULT_CSS = """
    AdminScreen #admin-title { height: 1; padding: 0 1; background: $primary; color: $text; }
    AdminScreen #admin-status { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    AdminScreen #admin-status.-error { color: $error; }
    AdminScreen #admin-status.-busy { color: $warning; }
    AdminScreen DataTable { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "back", "Back")]
    TITLE_TEXT = ""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.admin: Admin = session.admin
        self.busy = False

    def title_bar(self) -> Static:
        return Static(self.TITLE_TEXT, id="admin-title", markup=False)

    def status_bar(self) -> Static:
        return Static("", id="admin-status", markup=False)

    def set_status(self, text: object, kind: str = "") -> None:
        status = self.query_one("#admin-status", Static)
        status.set_classes("-" + kind if kind else "")
        status.update(safe(text))

    def action_back(self) -> None:
        self.dismiss(None)

    def run_action(
        self,
        progress: str,
        action: Callable[[], Awaitable[Any]],
        done: Callable[[Any], object] | str | None = None,
    ) -> None:
        """Run a core call in a worker: show progress, then `done` (text or callback) or the
        failure in plain words. One action at a time per screen."""
        if self.busy:
            self.notify("Still working on the previous change…", markup=False)
            return
        self.busy = True
        self.set_status(progress, "busy")
        self.run_worker(partial(self._run, action, done), group="admin", exclusive=False)

    async def _run(
        self, action: Callable[[], Awaitable[Any]], done: Callable[[Any], object] | str | None
    ) -> None:
        try:
            result = await action()
        except Exception as exc:
            err = explain(exc)
            self.set_status(str(err), "error")
            self.notify(plain_line(err), severity="error", markup=False)
            return
        finally:
            self.busy = False
        if isinstance(done, str):
            self.set_status(done)
        else:
            self.set_status("")
            if done is not None:
                out = done(result)
                # await our own async callbacks, but never an AwaitComplete from dismiss():
                # awaiting the removal of this screen from its own worker would cancel itself
                if inspect.iscoroutine(out):
                    await out
