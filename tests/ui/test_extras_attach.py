"""AttachmentPicker: path completion (unit + property) and the picking flow in a Pilot run."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from textual.widgets import OptionList

from signal_tui.ui.screens.attach import (
    AttachmentPicker,
    AttachmentTree,
    PathInput,
    complete_path,
)
from signal_tui.ui.widgets.image_preview import HalfBlockImage
from tests.ui.harness import Host, result, show, wait_for

HOSTILE_FILE = "\x1b[31m[@click=app.quit]x[b].txt"
NAMES = ["cat.png", "catalog.txt", "notes.txt", "docs", ".secret", HOSTILE_FILE]


def make_tree(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 30), (200, 80, 20)).save(root / "cat.png")
    (root / "catalog.txt").write_text("c")
    (root / "notes.txt").write_text("n" * 2048)
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "report.pdf").write_bytes(b"%PDF")
    (root / ".secret").write_text("s")
    (root / HOSTILE_FILE).write_text("x")
    return root


def test_complete_path(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "files")
    assert complete_path("ca", root) == ("cat", ["cat.png", "catalog.txt"])
    assert complete_path("no", root) == ("notes.txt", ["notes.txt"])
    assert complete_path("do", root) == ("docs/", ["docs/"])
    assert complete_path("docs/r", root) == ("docs/report.pdf", ["report.pdf"])
    assert complete_path("", root)[1] == sorted(
        ["cat.png", "catalog.txt", "docs/", "notes.txt", HOSTILE_FILE]
    )
    assert complete_path(".s", root) == (".secret", [".secret"])
    assert complete_path(str(root) + "/cat.", Path("/")) == (str(root) + "/cat.png", ["cat.png"])
    assert complete_path("zz", root) == ("zz", [])
    assert complete_path("missing/dir/x", root) == ("missing/dir/x", [])
    assert complete_path("~", root) == ("~/", [])


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="cato.dsnx/~[", max_size=8))
def test_completion_only_extends_what_was_typed(text: str) -> None:
    root = Path(__file__).parent  # any existing folder works; the property is about the text
    completed, names = complete_path(text, root)
    assert completed.startswith(text)
    assert all("/" not in n[:-1] for n in names)


async def test_pick_files_by_completion_tree_and_remove(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "files")
    async with Host().run_test(size=(100, 32)) as pilot:
        screen = AttachmentPicker(root)
        done = await show(pilot, screen)
        path_input = screen.query_one(PathInput)
        assert path_input.value == str(root) + "/"
        await pilot.press("n", "tab")
        assert path_input.value == str(root / "notes.txt")
        assert "2.0 KB" in str(screen.query_one("#att-info").render())
        await pilot.press("enter")
        assert screen.chosen == [root / "notes.txt"]
        path_input.value = str(root) + "/cat.p"
        await pilot.press("tab", "enter")
        assert screen.chosen == [root / "notes.txt", root / "cat.png"]
        # an image shows a half-block thumbnail (headless: never a graphics protocol), decoded
        # in a thread
        await wait_for(
            pilot,
            lambda: any(image._lines for image in screen.query(HalfBlockImage)),
            what="the thumbnail of cat.png",
        )
        # hostile file name is shown literally in the tree and clicking does nothing
        path_input.value = str(root / HOSTILE_FILE)
        await pilot.press("enter")
        chosen = screen.query_one("#att-chosen", OptionList)
        assert "[@click=app.quit]x[b].txt" in str(chosen.get_option_at_index(2).prompt)
        assert "\x1b" not in str(chosen.get_option_at_index(2).prompt)
        await pilot.click("#att-chosen")
        assert not pilot.app.quit_requested
        # remove the hostile one again: Enter on a chosen chip removes it
        chosen.focus()
        chosen.highlighted = 2
        await pilot.press("delete")
        assert len(screen.chosen) == 2
        await pilot.press("ctrl+s")
        assert await result(pilot, done) == [root / "notes.txt", root / "cat.png"]


async def test_tree_selection_and_cancel(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "files")
    async with Host().run_test(size=(80, 24)) as pilot:
        screen = AttachmentPicker(root / "notes.txt")  # a file: starts in its folder
        done = await show(pilot, screen)
        tree = screen.query_one("#att-tree", AttachmentTree)
        # the tree loads folders in a background worker
        await wait_for(pilot, lambda: tree.root.children, what="the folder listing")
        tree.focus()
        # hidden .secret is not listed; names are shown literally, without control characters
        labels = [str(node.label) for node in tree.root.children]
        assert ".secret" not in " ".join(labels) and "cat.png" in " ".join(labels)
        assert not any("\x1b" in label for label in labels)
        assert "[@click=app.quit]x[b].txt" in " ".join(labels)
        await pilot.press(*["down"] * (1 + next(i for i, t in enumerate(labels) if "cat.png" in t)))
        await pilot.press("enter")
        await pilot.pause()
        assert screen.chosen == [root / "cat.png"]
        await pilot.press("escape")
        assert await result(pilot, done) is None
