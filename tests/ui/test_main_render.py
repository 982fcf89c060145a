"""Unit tests of the pure rendering helpers (bodies, offsets, marks, times, mentions)."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from signal_tui.store.models import Mention, Message, TextStyle
from signal_tui.text import utf16_index_map, utf16_len
from signal_tui.ui.widgets.composer import encode_mentions
from signal_tui.ui.widgets.render import (
    SPOILER_CHAR,
    day_label,
    find_links,
    format_body,
    format_size,
    format_timer,
    receipt_mark,
    relative_time,
)


def msg(body: str | None, **kw: object) -> Message:
    return Message(
        id=1, conversation_id=1, author_id=2, author_name="A", sent_ts=0, received_ts=0,
        body=body, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def test_markup_in_body_is_literal_and_controls_are_stripped() -> None:
    text = format_body(msg("[@click=app.quit]x[/] \x1b[31mred\u202e!"))
    assert text.plain == "[@click=app.quit]x[/] [31mred!"
    assert not any(span.style and "click" in str(span.style) for span in text.spans)


def test_styles_use_utf16_offsets_after_emoji() -> None:
    body = "🧗 bold rest"  # the emoji is two UTF-16 units
    text = format_body(msg(body, styles=(TextStyle(3, 4, "BOLD"),)))
    bold = [s for s in text.spans if getattr(s.style, "bold", False)]
    assert [text.plain[s.start : s.end] for s in bold] == ["bold"]


def test_spoiler_hidden_until_revealed() -> None:
    m = msg("the secret word", styles=(TextStyle(4, 6, "SPOILER"),))
    assert "secret" not in format_body(m).plain
    assert SPOILER_CHAR * 6 in format_body(m).plain
    assert "secret" in format_body(m, revealed=True).plain


def test_mention_placeholder_becomes_name() -> None:
    m = msg("\ufffc and me", mentions=(Mention(0, 1, 5, "Bob"),))
    text = format_body(m)
    assert text.plain == "@Bob and me"
    assert any(s.start == 0 and s.end == 4 for s in text.spans)


def test_links_only_http_and_trailing_punctuation_excluded() -> None:
    text = format_body(msg("see https://example.org/a?b=1. or javascript:alert(1) ftp://x"))
    links = [s.style.link for s in text.spans if getattr(s.style, "link", None)]
    assert links == ["https://example.org/a?b=1"]


def test_receipt_marks() -> None:
    assert receipt_mark(msg("x", status="queued"))[0] == "◷"
    assert receipt_mark(msg("x", status="sent"))[0] == "✓"
    assert receipt_mark(msg("x", status="delivered"))[0] == "✓✓"
    assert receipt_mark(msg("x", status="read"))[0] == "●●"
    assert receipt_mark(msg("x", status="failed"))[0] == "✗"
    assert receipt_mark(msg("x", status="unknown"))[0] == "?"


def test_times_and_sizes() -> None:
    now = datetime(2026, 3, 14, 15, 30)
    at = lambda *a: int(datetime(*a).timestamp() * 1000)  # noqa: E731
    assert relative_time(at(2026, 3, 14, 15, 29, 50), now) == "now"
    assert relative_time(at(2026, 3, 14, 15, 10), now) == "20m"
    assert relative_time(at(2026, 3, 14, 9, 5), now) == "09:05"
    assert relative_time(at(2026, 3, 12, 9, 5), now) == "Thu"
    assert relative_time(at(2026, 1, 2, 9, 5), now) == "2 Jan"
    assert relative_time(at(2024, 1, 2, 9, 5), now) == "2024"
    assert day_label(at(2026, 3, 14, 1), now) == "Today"
    assert day_label(at(2026, 3, 13, 23), now) == "Yesterday"
    assert day_label(at(2025, 3, 13, 23), now) == "13 March 2025"
    assert format_size(532) == "532 B" and format_size(48213) == "47.1 KB"
    assert format_timer(3600) == "1h" and format_timer(0) == "off" and format_timer(90) == "90s"


def test_encode_mentions_utf16_offsets() -> None:
    body, ranges = encode_mentions("🧗 @Bob Nguyen hi @Al", [("@Bob Nguyen", "uuid-b")])
    assert body == "🧗 \ufffc hi @Al"
    assert ranges == [(3, 1, "uuid-b")]


@given(
    st.text(max_size=60),
    st.lists(
        st.tuples(
            st.integers(-5, 80),
            st.integers(-5, 80),
            st.sampled_from(["BOLD", "ITALIC", "SPOILER", "STRIKETHROUGH", "MONOSPACE"]),
        ),
        max_size=6,
    ),
    st.lists(st.tuples(st.integers(-5, 80), st.integers(-5, 80), st.text(max_size=8)), max_size=4),
)
def test_format_body_never_raises_and_never_leaks_controls(
    body: str, styles: list[tuple[int, int, str]], mentions: list[tuple[int, int, str]]
) -> None:
    m = msg(
        body,
        styles=tuple(TextStyle(a, b, s) for a, b, s in styles),  # type: ignore[arg-type]
        mentions=tuple(Mention(a, b, None, n) for a, b, n in mentions),
    )
    for revealed in (False, True):
        plain = format_body(m, revealed=revealed).plain
        assert not any(ord(c) < 32 and c != "\n" for c in plain)
        assert "\x1b" not in plain and "\u202e" not in plain


@given(st.text(max_size=40))
def test_utf16_map_covers_every_offset(text: str) -> None:
    idx = utf16_index_map(text)
    assert len(idx) == utf16_len(text) + 1
    assert idx[-1] == len(text)
    assert idx == sorted(idx)


@given(st.text(max_size=80))
def test_found_links_are_http_substrings(text: str) -> None:
    for start, end, url in find_links(text):
        assert text[start:end] == url
        assert url.lower().startswith(("http://", "https://"))
