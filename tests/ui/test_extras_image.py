"""Half-block image rendering: exact width for any image, colours, transparency, cache, widget."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from textual.app import App, ComposeResult
from textual_image.widget import HalfcellImage

from signal_tui.ui.widgets import image_preview
from signal_tui.ui.widgets.halfblock import LOWER, UPPER, render_image_lines
from signal_tui.ui.widgets.image_preview import HalfBlockImage, ImagePreview
from tests.ui.harness import wait_for

ASSETS = Path(__file__).resolve().parents[2] / "assets"


@settings(max_examples=40, deadline=None)
@given(
    iw=st.integers(1, 400),
    ih=st.integers(1, 400),
    width=st.integers(1, 120),
    max_height=st.integers(1, 20),
    mode=st.sampled_from(["RGB", "RGBA", "L", "P"]),
)
def test_lines_are_exactly_the_requested_width(
    iw: int, ih: int, width: int, max_height: int, mode: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "img.png"
        Image.new(mode, (iw, ih)).save(path)
        lines = render_image_lines(path, width, max_height)
    assert 1 <= len(lines) <= max_height
    assert all(line.cell_length == width for line in lines)


def test_colours_top_pixel_foreground_bottom_background(tmp_path: Path) -> None:
    img = Image.new("RGBA", (2, 2))
    img.putdata([(255, 0, 0, 255), (255, 0, 0, 255), (0, 0, 255, 255), (0, 0, 0, 0)])
    img.save(tmp_path / "px.png")
    (line,) = render_image_lines(tmp_path / "px.png", 4, 1)
    segments = list(line)
    first, second = segments[0], segments[1]
    assert first.text == UPPER and first.style is not None
    assert first.style.color.triplet.hex == "#ff0000"  # type: ignore[union-attr]
    assert first.style.bgcolor.triplet.hex == "#0000ff"  # type: ignore[union-attr]
    # transparent bottom pixel: the top one is drawn alone on the terminal background
    assert second.text == UPPER and second.style.bgcolor is None  # type: ignore[union-attr]
    assert line.cell_length == 4 and line.text.endswith("  ")


def test_transparent_top_uses_lower_half(tmp_path: Path) -> None:
    img = Image.new("RGBA", (1, 2))
    img.putdata([(0, 0, 0, 0), (0, 255, 0, 255)])
    img.save(tmp_path / "t.png")
    (line,) = render_image_lines(tmp_path / "t.png", 1, 1)
    assert line.text == LOWER


def test_bad_input_gives_no_lines(tmp_path: Path) -> None:
    (tmp_path / "not-an-image.png").write_bytes(b"\x1b[31m hello")
    assert render_image_lines(tmp_path / "not-an-image.png", 20) == []
    assert render_image_lines(tmp_path / "missing.png", 20) == []
    Image.new("RGB", (4, 4)).save(tmp_path / "ok.png")
    assert render_image_lines(tmp_path / "ok.png", 0) == []
    assert render_image_lines(tmp_path / "ok.png", 10, 0) == []


def test_cache_follows_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "c.png"
    Image.new("RGB", (4, 4), (255, 0, 0)).save(path)
    red = render_image_lines(path, 4, 2)
    assert render_image_lines(path, 4, 2) == red
    Image.new("RGB", (4, 4), (0, 255, 0)).save(path)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    green = render_image_lines(path, 4, 2)
    assert green != red and "#00ff00" in str(green[0])


async def test_decodes_in_threads_concurrently() -> None:
    photo = ASSETS / "sunset.jpg"
    results = await asyncio.gather(
        *(asyncio.to_thread(render_image_lines, photo, w, 10) for w in (30, 40, 50, 60))
    )
    assert [len(r[0].text) for r in results] == [30, 40, 50, 60]


class Viewer(App[None]):
    def __init__(self, path: Path | None) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        yield ImagePreview(self.path, max_height=6, id="preview")


async def test_image_preview_widget_falls_back_to_half_blocks() -> None:
    async with Viewer(ASSETS / "cat.jpg").run_test(size=(40, 12)) as pilot:
        preview = pilot.app.query_one(ImagePreview)
        assert not preview.uses_graphics  # headless: deterministic half-blocks
        image = pilot.app.query_one(HalfBlockImage)
        await wait_for(pilot, lambda: image._lines, what="cat.jpg to be decoded (a thread)")
        assert image.size.height == len(image._lines) <= 6
        assert all(line.cell_length == 40 for line in image._lines)
        preview.path = None  # cleared: nothing shown
        await pilot.pause()
        assert not pilot.app.query(HalfBlockImage)


async def test_graphics_protocol_branch_uses_textual_image(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the terminal speaks Kitty/Sixel, textual-image's widget draws the picture. Headless
    runs never take that branch, so stand in textual-image's half-cell widget for the protocol."""
    monkeypatch.setattr(image_preview, "GRAPHICS_IMAGE", HalfcellImage)
    monkeypatch.setattr(ImagePreview, "uses_graphics", property(lambda self: True))
    async with Viewer(ASSETS / "cat.jpg").run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        assert pilot.app.query(HalfcellImage) and not pilot.app.query(HalfBlockImage)
