"""The selected message is unmistakable in every built-in theme, in truecolor and 256 colours:
a bar down its left edge and a shade clearly apart from the history's background."""

from __future__ import annotations

from datetime import datetime

import pytest
from rich.color import Color, ColorSystem
from rich.console import Console
from rich.text import Text
from textual.app import App
from textual.theme import BUILTIN_THEMES

from signal_tui.config import Config
from signal_tui.store.models import Message
from signal_tui.ui.app import make_app
from signal_tui.ui.widgets.blocks import SELECTION_BAR, RenderContext, message_lines
from signal_tui.ui.widgets.theme import theme_colours
from tests.ui.harness import main_screen, wait_for

THEMES = [n for n in BUILTIN_THEMES if "ansi" not in n]  # ansi themes: the terminal's own colours
MSG = Message(
    id=1, conversation_id=1, author_id=2, author_name="Alice", sent_ts=1, received_ts=1,
    body="first line of a message that wraps onto a second line in a narrow view",
)  # fmt: skip


def _distance(a: Color, b: Color, system: ColorSystem) -> int:
    ta = a.downgrade(system).get_truecolor()
    tb = b.downgrade(system).get_truecolor()
    return sum(abs(x - y) for x, y in zip(ta, tb, strict=True))


@pytest.fixture(scope="module")
def theme_variables() -> dict[str, dict[str, str]]:
    import asyncio

    async def collect() -> dict[str, dict[str, str]]:
        app: App[None] = App()
        out = {}
        async with app.run_test():
            for name in THEMES:
                app.theme = name
                out[name] = app.get_css_variables()
        return out

    return asyncio.run(collect())


@pytest.mark.parametrize("theme", THEMES)
def test_selected_message_has_a_bar_and_a_visible_shade(
    theme: str, theme_variables: dict[str, dict[str, str]]
) -> None:
    variables = theme_variables[theme]
    colours = theme_colours(variables)
    ctx = RenderContext(now=datetime(2026, 12, 3), is_group=False, colours=colours, palette=[])
    console = Console(width=40, color_system="truecolor")
    plain = message_lines(MSG, ctx, console, 40)
    selected = message_lines(MSG, ctx, console, 40, selected=True)
    body_lines = [line for line in selected if isinstance(line, Text) and line.plain.strip()]
    assert len(body_lines) >= 3  # header + two wrapped lines
    for line in body_lines:
        assert line.plain.startswith(SELECTION_BAR), line.plain
        assert line.cell_len <= 40
    assert not any(
        isinstance(line, Text) and line.plain.startswith(SELECTION_BAR) for line in plain
    )
    background = Color.parse(variables["background"])
    shade = body_lines[1].get_style_at_offset(console, 3).bgcolor
    assert shade is not None
    for system in (ColorSystem.TRUECOLOR, ColorSystem.EIGHT_BIT):
        assert _distance(shade, background, system) >= 90, (theme, system)


def _background_at(strip, x: int) -> Color | None:  # type: ignore[no-untyped-def]
    for segment in strip:
        if x < len(segment.text):
            return segment.style.bgcolor if segment.style else None
        x -= len(segment.text)
    return None


async def test_the_chat_under_the_cursor_stands_out_in_every_theme_and_depth(
    cache_config: Config,
) -> None:
    """The conversation list's cursor row, list focused (the screen tints its background):
    its shade keeps clear of the list's background in truecolor and in 256 colours (in tmux
    the two were colours 23 and 24, the cursor all but invisible)."""
    app = make_app(cache_config, start_session=False)
    async with app.run_test(size=(100, 30)) as pilot:
        chats = main_screen(app).conv_list
        await wait_for(pilot, lambda: len(chats.order) >= 2)
        chats.highlighted = chats.order[1]
        chats.focus()
        await pilot.pause()
        for name in THEMES:
            app.theme = name
            await pilot.pause()
            plain, cursor = chats.render_line(0), chats.render_line(2)  # rows 1 and 2
            plain_bg, cursor_bg = _background_at(plain, 5), _background_at(cursor, 5)
            assert plain_bg is not None and cursor_bg is not None, name
            for system in (ColorSystem.TRUECOLOR, ColorSystem.EIGHT_BIT):
                assert _distance(cursor_bg, plain_bg, system) >= 90, (name, system)
