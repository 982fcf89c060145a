"""Untrusted text and file names: the one place each is made safe."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signal_tui.files import path_inside, safe_filename
from signal_tui.text import clean, one_line


def test_clean_strips_escape_sequences_and_bidi_overrides() -> None:
    hostile = "hi\x1b[2J\x1b]0;pwned\x07 \u202eevil\u202c\x9b31m"
    out = clean(hostile)
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\x9b" not in out
    assert out.startswith("hi")
    assert "evil" in out


def test_clean_keeps_markup_like_text_literally() -> None:
    assert clean("[@click=app.quit]x[/]") == "[@click=app.quit]x[/]"


def test_one_line_folds_and_cuts() -> None:
    assert one_line("a\n\n b\r\nc", limit=4) == "a b…"
    assert one_line(None) == ""


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "..\\..\\windows\\system32\\x.dll", "/abs/path.txt", "..", ".", "", "CON",
     "a/../../b", "\x1b[31mred.png", "C:\\evil.exe"],
)  # fmt: skip
def test_path_inside_never_leaves_the_folder(tmp_path: Path, name: str) -> None:
    target = path_inside(tmp_path, name)
    assert target.parent == tmp_path.resolve()
    assert "\x1b" not in target.name


@given(st.text(max_size=300))
def test_safe_filename_is_one_harmless_component(name: str) -> None:
    out = safe_filename(name)
    assert out and "/" not in out and "\\" not in out and out not in {".", ".."}
    assert len(out) <= 120
    assert not out.startswith(".")


def test_path_inside_avoids_clobbering(tmp_path: Path) -> None:
    first = path_inside(tmp_path, "photo.jpg")
    first.write_bytes(b"x")
    second = path_inside(tmp_path, "photo.jpg")
    assert second.name == "photo (2).jpg"
