"""Parsing helpers of the simulated server: errors, recipients, group ids, attachments, styled text.

These re-implement, independently of the client, what signal-cli-rest-api does in Go
(`client.go` getRecipientType / group-id conversion, `attachment.go` extractMetaData,
`utils/textstyleparser.go`), so a shared bug cannot hide on both sides of a test.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
from dataclasses import dataclass
from typing import Any

_UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
_NUMBER_RE = re.compile(r"^\+[0-9 ]+$")
_B64_ALPHABET = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")

INVALID_REQUEST = "Couldn't process request - invalid request"


class ApiError(Exception):
    """An error response: `{"error": text}` with `status`, or a raw body when `raw` is given."""

    def __init__(
        self,
        status: int,
        text: str,
        *,
        extra: dict[str, Any] | None = None,
        raw: str | None = None,
    ) -> None:
        super().__init__(text)
        self.status = status
        self.text = text
        self.extra = extra or {}
        self.raw = raw


def bad(text: str) -> ApiError:
    """The common case: 400 `{"error": text}`."""
    return ApiError(400, text)


def is_uuid(value: str) -> bool:
    return bool(_UUID_RE.match(value))


@dataclass(frozen=True)
class Recipient:
    kind: str  # "group" | "number" | "username"
    value: str  # internal group id for groups, normalised number/uuid, or the username


def go_b64decode(data: str) -> bytes:
    """Go `base64.StdEncoding.DecodeString`: padding required, no URL-safe alphabet, newlines ignored."""
    cleaned = data.replace("\r", "").replace("\n", "")
    for pos, ch in enumerate(cleaned.encode("utf-8", "replace")):
        if ch not in _B64_ALPHABET:
            raise bad(f"illegal base64 data at input byte {pos}")
    if len(cleaned) % 4:
        raise bad(f"illegal base64 data at input byte {len(cleaned) - len(cleaned) % 4}")
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        eq = cleaned.find("=")
        raise bad(f"illegal base64 data at input byte {max(eq, 0)}") from None


def group_id_from_internal(internal_id: str) -> str:
    """`group.` + base64(internal id as ASCII): the REST form (`client.go` convertInternalGroupIdToGroupId)."""
    return "group." + base64.b64encode(internal_id.encode("ascii")).decode("ascii")


def internal_from_group_id(group_id: str) -> str:
    """Undo `group_id_from_internal`; the inner id must decode to exactly 32 bytes."""
    payload = group_id[len("group.") :]
    try:
        internal = base64.b64decode(payload, validate=True).decode("ascii")
        raw = base64.b64decode(internal, validate=True)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad(f"Invalid identifier {group_id}") from None
    if len(raw) != 32:
        raise bad(f"Invalid Signal group size ({len(raw)}")
    return internal


def classify(recipient: str) -> Recipient:
    """`client.go` getRecipientType: group., +number, UUID; anything else is a username."""
    if recipient.startswith("group."):
        return Recipient("group", internal_from_group_id(recipient))
    if _NUMBER_RE.match(recipient):
        return Recipient("number", recipient.replace(" ", ""))
    if is_uuid(recipient):
        return Recipient("number", recipient.lower())
    return Recipient("username", recipient)


MIX_TEXT = (
    "Signal Messenger Groups and phone numbers cannot be specified together in one request! "
    "Please split them up into multiple REST API calls."
)
MIX_GROUP_USERNAME = (
    "Signal Messenger Groups and usernames cannot be specified together in one request! "
    "Please split them up into multiple REST API calls."
)
MIX_NUMBER_USERNAME = (
    "Signal Messenger phone numbers and usernames cannot be specified together in one request! "
    "Please split them up into multiple REST API calls."
)
MULTI_GROUP = (
    "A signal message cannot be sent to more than one group at once! "
    "Please use multiple REST API calls for that."
)


def classify_all(recipients: list[str]) -> list[Recipient]:
    """Classify and apply the recipient-mix rules of `client.go` SendV2."""
    kinds = {"group" if r.startswith("group.") else classify(r).kind for r in recipients}
    if {"group", "number"} <= kinds:
        raise bad(MIX_TEXT)
    if {"group", "username"} <= kinds:
        raise bad(MIX_GROUP_USERNAME)
    if {"number", "username"} <= kinds:
        raise bad(MIX_NUMBER_USERNAME)
    if sum(1 for r in recipients if r.startswith("group.")) > 1:
        raise bad(MULTI_GROUP)
    return [classify(r) for r in recipients]


# --- attachments -------------------------------------------------------------------------------

_SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"PK\x03\x04", "application/zip", ".zip"),
    (b"OggS", "audio/ogg", ".ogg"),
    (b"ID3", "audio/mpeg", ".mp3"),
]


def sniff(data: bytes) -> tuple[str, str]:
    """Content type and extension from the bytes (like Go's http.DetectContentType / Tika)."""
    for magic, mime, ext in _SIGNATURES:
        if data.startswith(magic):
            return mime, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", ".webp"
    if data[4:8] == b"ftyp":
        return "video/mp4", ".mp4"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream", ".bin"
    return "text/plain; charset=utf-8", ".txt"


def image_size(data: bytes) -> tuple[int | None, int | None]:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            return im.width, im.height
    except Exception:
        return None, None


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str | None
    data: bytes


def parse_attachment(entry: str) -> ParsedAttachment:
    """`attachment.go` extractMetaData: raw base64 or a data URI; payload after the LAST `base64,`."""
    if "data:" in entry and "base64," in entry:
        head, _, payload = entry.rpartition("base64,")
        filename = None
        for part in head.split(";"):
            if part.startswith("filename="):
                filename = part[len("filename=") :] or None
    else:
        filename, payload = None, entry
    if payload == "":
        raise bad("The base64 data does not exist.")
    return ParsedAttachment(filename, go_b64decode(payload))


# --- text ----------------------------------------------------------------------------------------


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_MARKERS = {"**": "BOLD", "||": "SPOILER", "*": "ITALIC", "~": "STRIKETHROUGH", "`": "MONOSPACE"}


def parse_styled(text: str) -> tuple[str, list[dict[str, Any]]]:
    """`text_mode: styled`: strip markers and return (plain text, textStyles in UTF-16 units)."""
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            tokens.append(("text", text[i + 1]))
            i += 2
            continue
        two = text[i : i + 2]
        if two in ("**", "||"):
            tokens.append(("marker", two))
            i += 2
            continue
        if ch in "*~`":
            tokens.append(("marker", ch))
            i += 1
            continue
        tokens.append(("text", ch))
        i += 1
    partner: dict[int, int] = {}
    for idx, (kind, value) in enumerate(tokens):
        if kind != "marker" or idx in partner:
            continue
        for j in range(idx + 1, len(tokens)):
            if tokens[j] == ("marker", value) and j not in partner:
                partner[idx], partner[j] = j, idx
                break
    out: list[str] = []
    pos = 0
    opened: dict[int, int] = {}
    styles: list[dict[str, Any]] = []
    for idx, (kind, value) in enumerate(tokens):
        if kind == "marker" and idx in partner:
            if partner[idx] > idx:
                opened[idx] = pos
            else:
                start = opened.pop(partner[idx])
                if pos > start:
                    styles.append({"style": _MARKERS[value], "start": start, "length": pos - start})
            continue
        out.append(value)
        pos += utf16_len(value)
    styles.sort(key=lambda s: (s["start"], s["length"]))
    return "".join(out), styles
