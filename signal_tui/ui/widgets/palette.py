"""Command palette provider: every screen and action by plain name, and one entry per conversation.

Conversation names are untrusted. Textual's `Matcher.highlight` parses its argument as markup, so
it is not used here: hits are built as plain `Content` and the matched characters are styled by
offset, so a name like "[@click=app.quit]x[/]" stays literal text.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from signal_tui.core.safetext import one_line


def _entries(app: Any) -> list[tuple[str, str, Callable[[], Any]]]:
    out: list[tuple[str, str, Callable[[], Any]]] = [
        ("Search messages", "Full-text search over every conversation", app.action_search),
        ("Help: keys", "Every key, grouped by where it works", app.action_help),
    ]
    main = getattr(app, "main", None)
    if main is not None:
        out.append(
            ("New conversation", "Start a chat by +number or UUID", main.action_new_conversation)
        )
        out.append(("Filter conversations", "Type to narrow the list", main.action_focus_filter))
        out.append(
            (
                "Send to several contacts",
                "One message to many people; per-recipient results in each chat",
                main.action_send_to_many,
            )
        )
    try:
        from signal_tui.ui.screens.admin_commands import ADMIN_COMMANDS
    except ImportError:
        ADMIN_COMMANDS = []
    for cmd in ADMIN_COMMANDS:
        out.append((one_line(cmd.name), one_line(cmd.help), partial(cmd.run, app)))
    if main is not None:
        records = main.conv_list.records
        for cid in sorted(records, key=lambda c: -records[c].last_activity):
            conv = records[cid]
            name = one_line(conv.title, 60) or "Unknown"
            out.append(
                (
                    f"Open conversation: {name}",
                    "group" if conv.kind == "group" else one_line(conv.number or conv.address),
                    partial(app.open_conversation, cid),
                )
            )
    return out


class SignalCommands(Provider):
    """Palette entries for signal-tui."""

    async def discover(self) -> Hits:
        for name, help_text, callback in _entries(self.app)[:40]:
            yield DiscoveryHit(Content(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in _entries(self.app):
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score, highlight(matcher, query, name), callback, text=name, help=help_text
                )


def highlight(matcher: Any, query: str, text: str) -> Content:
    """`text` as plain Content with the fuzzy-matched characters styled (no markup parsing)."""
    content = Content(text)
    try:
        _score, offsets = matcher.fuzzy_search.match(query, text)
    except Exception:
        return content
    for offset in offsets:
        if offset < len(text) and not text[offset].isspace():
            content = content.stylize("bold reverse", offset, offset + 1)
    return content
