"""Emoji with a variation selector (☀️, ❤️) are measured as terminals draw them (two cells), so
list rows keep their columns: the time stays right-aligned and nothing spills past the width."""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len

from signal_tui.store.models import Conversation
from signal_tui.ui.widgets.conversation_list import ConversationList

NAMES = ["☀️ Sunny ❤️", "Plain name", "✔️✔️✔️ checks", "👍🏽 thumbs"]


def test_variation_selector_emoji_count_two_cells() -> None:
    assert cell_len("☀️") == 2 and cell_len("❤️") == 2 and cell_len("☀") == 1


def test_rows_with_emoji_keep_their_columns() -> None:
    lst = ConversationList(now=lambda: datetime(2026, 12, 3, 12))
    lst._colours = {"text-muted": "#888888", "accent": "#ffaa00", "success": "#00ff00"}
    lst._colours_theme = "x"
    for width in (30, 38, 50):
        for i, name in enumerate(NAMES):
            conv = Conversation(
                id=i, kind="direct", address=f"+1555010000{i}", title=name,
                last_preview=f"{name} said ❤️ and ☀️ again and again", last_activity=0, unread=i,
            )  # fmt: skip
            top, bottom = lst._row_lines(conv, width)
            assert top.cell_len == width, (name, width, top.plain)
            assert bottom.cell_len <= width, (name, width, bottom.plain)
