"""The one place that makes untrusted text safe to display.

Text from other people (message bodies, names, filenames, group titles, server errors) may carry
terminal control sequences or bidi overrides that reorder what the user sees. `clean` removes
them; the UI then wraps the result in `rich.text.Text`/`Content` (never markup).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich is imported when a Text is built, so headless tools never pay for it
    from rich.text import Text

# C0 controls except TAB and LF, DEL, C1 controls, and the Unicode bidi embedding/override/isolate
# characters plus the line/paragraph separators that break single-line widgets.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]"
)
_WS_RUN = re.compile(r"\s+")


def clean(text: object, *, keep_newlines: bool = True) -> str:
    """Return `text` with control characters and bidi overrides removed.

    Carriage returns become newlines (or spaces when `keep_newlines` is false); TABs become spaces.
    Non-strings (None, numbers from a malformed envelope) become their `str`, None becomes "".
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = _UNSAFE.sub("", text)
    if not keep_newlines:
        text = text.replace("\n", " ")
    return text


def one_line(text: object, limit: int | None = None) -> str:
    """Clean `text` and fold it onto one line (whitespace runs become one space), optionally cut."""
    flat = _WS_RUN.sub(" ", clean(text, keep_newlines=False)).strip()
    if limit is not None and len(flat) > limit:
        flat = flat[: max(0, limit - 1)].rstrip() + "…"
    return flat


# --- the UI's door: cleaned text wrapped as rich Text (never markup) -------------------------------


def safe(text: object, style: str = "") -> Text:
    """Multi-line untrusted text as a rich Text: control characters stripped, no markup parsed."""
    from rich.text import Text

    return Text(clean(text), style=style, end="")


def safe_line(text: object, style: str = "", limit: int | None = None) -> Text:
    """Untrusted text folded onto one line (names, previews, titles)."""
    from rich.text import Text

    return Text(one_line(text, limit), style=style, end="", no_wrap=True, overflow="ellipsis")


def plain_line(text: object, limit: int | None = None) -> str:
    """Cleaned one-line str, for APIs that take str with markup=False (border titles, notify)."""
    return one_line(text, limit)


def count(n: int, word: str, plural: str | None = None) -> str:
    """'1 member', '2 members', '0 results' (English plural with an optional irregular form)."""
    return f"{n} {word if n == 1 else (plural or word + 's')}"


# --- UTF-16 offsets: Signal counts mention and style ranges in UTF-16 code units ----------------


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def utf16_index_map(text: str) -> list[int]:
    """For each UTF-16 offset 0..len16, the Python index of the character that starts there.

    Offsets inside a surrogate pair map to the character that contains them, so malformed ranges
    from the network never raise.
    """
    out: list[int] = []
    for i, ch in enumerate(text):
        out.append(i)
        if ord(ch) > 0xFFFF:
            out.append(i)
    out.append(len(text))
    return out
