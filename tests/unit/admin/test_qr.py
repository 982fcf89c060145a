"""The QR code drawn in the terminal decodes back to the exact link URI."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from signal_tui.ui.widgets.qr import lines_to_matrix, qr_lines, qr_matrix

URI = (
    "sgnl://linkdevice?uuid=Hw8mQ0X2bJ9sT1kL4nP7rA%3D%3D&pub_key="
    "BZd7x3Yx1Jv%2B9k1pQm4c8n2Vw5rT6yH0sL3eK7aD9fGh"
)


def _grid_image(lines: list[str], density: str, px: int = 6) -> Image.Image:
    """Paint the character grid the way a terminal shows it: each cell is 1 unit wide and 2
    tall; ▀ darkens the upper half, ▄ the lower, █ both (black on white, light quiet zone)."""
    if density == "full":  # one module = "██" = 2 cells wide x 1 cell (2 units) tall
        modules = lines_to_matrix(lines, "full")
        unit_w, unit_h = 2 * px, 2 * px
    else:  # one module = 1 cell wide x half a cell tall
        modules = lines_to_matrix(lines, "half")
        unit_w, unit_h = px, px
    small = Image.new("L", (len(modules[0]), len(modules)), 255)
    small.putdata([0 if dark else 255 for row in modules for dark in row])
    img = small.resize((small.width * unit_w, small.height * unit_h), Image.NEAREST)
    canvas = Image.new("L", (img.width + 40, img.height + 40), 255)
    canvas.paste(img, (20, 20))
    return canvas


@pytest.mark.parametrize("density", ["half", "full"])
def test_rendering_decodes_to_the_uri(density: str) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    lines = qr_lines(URI, density)  # type: ignore[arg-type]
    results = zxingcpp.read_barcodes(_grid_image(lines, density))
    assert [r.text for r in results] == [URI]


def test_half_blocks_hold_every_module() -> None:
    matrix = qr_matrix(URI)
    back = lines_to_matrix(qr_lines(URI, "half"), "half")
    assert back[: len(matrix)] == matrix
    assert all(not any(row) for row in back[len(matrix) :])  # padding row is light


@settings(max_examples=25, deadline=None)
@given(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=200)
)
def test_any_text_round_trips_through_the_character_grid(text: str) -> None:
    for density in ("half", "full"):
        assert lines_to_matrix(qr_lines(text, density), density)[: len(qr_matrix(text))] == (  # type: ignore[arg-type]
            qr_matrix(text)
        )
