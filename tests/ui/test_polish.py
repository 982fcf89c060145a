"""Small things a user sees in the first minutes: help text stays in its columns, toasts never
cover the composer, the filter's hint fits the sidebar."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input
from textual.widgets._toast import Toast

from signal_tui.config import Config
from signal_tui.ui.app import make_app
from signal_tui.ui.help_text import HELP_SECTIONS
from signal_tui.ui.screens.help import help_text
from tests.ui.harness import main_screen, wait_for


def test_help_descriptions_wrap_inside_their_column() -> None:
    lines = help_text(HELP_SECTIONS, width=60).plain.splitlines()
    titles = {title for title, _rows in HELP_SECTIONS}
    keys = [key for _t, rows in HELP_SECTIONS for key, _d in rows]
    column = min(24, max(len(k) for k in keys) + 2)
    for line in lines:
        if not line or line in titles:
            continue
        assert len(line) <= 60, line
        head = line[:column]
        # a line is a key row or a continuation indented to the description column
        assert head.strip() in keys or head.strip() == "", line


async def test_toasts_show_at_the_top_and_the_filter_hint_fits(tmp_path: Path) -> None:
    config = Config(url="http://127.0.0.1:9", account="+15550000001", data_dir=tmp_path / "d")
    for size in ((120, 40), (80, 24)):
        app = make_app(config, start_session=False)
        async with app.run_test(size=size, notifications=True) as pilot:
            main = main_screen(app)
            app.notify("a toast")
            screen = app.screen
            await wait_for(pilot, lambda s=screen: s.query(Toast), what="the toast")
            toast = screen.query_one(Toast)
            await wait_for(pilot, lambda t=toast: t.region.height > 0, what="the toast laid out")
            composer = main.composer.region
            assert toast.region.y < 5 and not toast.region.overlaps(composer), toast.region
            field = main.query_one("#filter", Input)
            assert len(field.placeholder) <= field.content_region.width, field.content_region


async def test_slash_in_the_list_starts_filtering_so_typed_names_are_not_lost(
    cache_config: Config,
) -> None:
    """In the list, letters typed for a name went nowhere and Enter opened whatever chat was
    under the cursor. `/` (shown in the footer) moves to the filter, as in most TUIs."""
    app = make_app(cache_config, start_session=False)
    async with app.run_test(size=(120, 40)) as pilot:
        main = main_screen(app)
        await wait_for(pilot, lambda: len(main.conv_list.order) >= 2)
        main.conv_list.focus()
        await pilot.pause()
        shown = {key for key, b in app.active_bindings.items() if b.binding.show}
        assert "slash" in shown  # the footer tells it
        await pilot.press("slash", *"climb", "enter")
        await wait_for(pilot, lambda: main.describe().startswith("Climbing crew"))
