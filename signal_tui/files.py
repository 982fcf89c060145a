"""The one place that turns untrusted file names into safe local paths."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

from signal_tui.text import clean

_BAD = re.compile(r'[\\/:*?"<>|\x00]')
_RESERVED = {
    "CON", "PRN", "AUX", "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}  # fmt: skip
MAX_NAME = 120


def safe_filename(name: object, fallback: str = "attachment") -> str:
    """Reduce an untrusted name to one harmless path component.

    Path separators (both kinds), drive colons, control characters and leading dots are removed,
    so `../../etc/passwd` becomes `etc_passwd`-like and can never climb out of a folder.
    """
    text = unicodedata.normalize("NFC", clean(name, keep_newlines=False))
    # keep only the last component of anything that looks like a path, whichever separator it uses
    text = re.split(r"[\\/]", text)[-1] if text else ""
    text = _BAD.sub("_", text).strip().strip(". ")
    if not text or text in {".", ".."}:
        text = fallback
    stem, dot, ext = text.rpartition(".")
    if (stem if dot else text).upper() in _RESERVED:
        text = "_" + text
    if len(text) > MAX_NAME:
        if dot and 0 < len(ext) <= 10:
            text = stem[: MAX_NAME - len(ext) - 1] + "." + ext
        else:
            text = text[:MAX_NAME]
    return text


def path_inside(base: Path, name: object, fallback: str = "attachment") -> Path:
    """A path for `name` directly inside `base` that does not exist yet.

    The result is always a child of `base` (checked after resolving); clashes get ` (2)`, ` (3)`.
    """
    base = Path(base).resolve()
    filename = safe_filename(name, fallback)
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    candidate = base / filename
    n = 2
    while candidate.exists():
        candidate = base / (f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})")
        n += 1
    resolved = candidate.resolve()
    if resolved.parent != base:
        raise ValueError("refusing to write outside the data directory")
    return resolved


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) with mode 0700 for the leaf; return it."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write bytes to a new file created with mode 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
