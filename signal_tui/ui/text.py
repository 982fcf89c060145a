"""The UI's one door for untrusted text: clean it, then wrap it as Text (never markup)."""

from __future__ import annotations

from rich.text import Text

from signal_tui.core.safetext import clean, one_line


def safe(text: object, style: str = "") -> Text:
    """Multi-line untrusted text as a rich Text: control characters stripped, no markup parsed."""
    return Text(clean(text), style=style, end="")


def safe_line(text: object, style: str = "", limit: int | None = None) -> Text:
    """Untrusted text folded onto one line (names, previews, titles)."""
    return Text(one_line(text, limit), style=style, end="", no_wrap=True, overflow="ellipsis")


def plain_line(text: object, limit: int | None = None) -> str:
    """Cleaned one-line str, for APIs that take str with markup=False (border titles, notify)."""
    return one_line(text, limit)
