"""Switching theme at run time repaints names and times in the new theme's colours (the
Line-API views cache painted lines and resolved colours; a theme change must drop both)."""

from __future__ import annotations

from pathlib import Path

from signal_tui.config import Config
from signal_tui.core.session import Session
from signal_tui.ui.app import make_app
from tests.ui.harness import wait_for


def _colour_of(strips: list, text: str) -> str:
    """The foreground colour the segment holding `text` is painted in."""
    for strip in strips:
        for seg in strip:
            if text in seg.text and seg.style is not None and seg.style.color is not None:
                return seg.style.color.get_truecolor().hex
    raise AssertionError(f"{text!r} not painted")


async def test_theme_change_repaints_list_and_history(tmp_path: Path) -> None:
    config = Config(url="http://127.0.0.1:9", account="+15550000001", data_dir=tmp_path / "d")
    async with Session(config) as session:
        assert session.store is not None
        conv = await session.store.ensure_direct("+15550100001", name="Ada")
        await session.store.add_outgoing(conv.id, "hello there", recipients=["+15550100001"])
    app = make_app(config, start_session=False)
    async with app.run_test(size=(100, 30)) as pilot:
        main = app.main
        assert main is not None
        main.open_conversation(conv.id)
        await wait_for(pilot, lambda: main.history.messages, what="Ada's chat to open")
        history, conv_list = main.history, main.conv_list
        when = history.messages[-1]
        assert when.outgoing
        # the author line of the history (palette colour) and the list's time (muted colour)
        name_before = _colour_of([history.render_line(y) for y in range(8)], "You")
        list_strips = [conv_list.render_line(y) for y in range(2)]
        time_text = [s.text.strip() for s in list_strips[0] if s.text.strip()][-1]
        time_before = _colour_of(list_strips, time_text)
        app.theme = "textual-light"
        await wait_for(
            pilot,
            lambda: _colour_of([history.render_line(y) for y in range(8)], "You") != name_before,
            what="the history's names in the new theme (it kept the old theme's colour)",
        )
        await wait_for(
            pilot,
            lambda: (
                _colour_of([conv_list.render_line(y) for y in range(2)], time_text) != time_before
            ),
            what="the list's times in the new theme (it kept the old theme's muted colour)",
        )
