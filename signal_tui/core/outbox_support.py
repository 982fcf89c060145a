"""Pieces of the outbox that are not the worker: failure details, payload readers, file reading.

Split out of core/outbox.py to keep it readable; everything here is re-exported there.
"""

from __future__ import annotations

import asyncio
import mimetypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from signal_tui.api.errors import ErrorKind, RecipientFailure, SignalApiError
from signal_tui.api.models import MentionRef, OutgoingAttachment
from signal_tui.store.models import OutboxItem
from signal_tui.text import one_line

# how the store and the messenger write a mention / an attachment into a payload (JSON)
MentionSpec = dict[str, Any] | Sequence[Any]  # {"start", "length", "author"} or [s, n, address]
AttachmentSpec = str | Path | list[Any] | tuple[Any, ...] | dict[str, Any]


@dataclass(frozen=True, slots=True)
class Failure:
    """What the UI needs to offer the right fix for a failed row (trust, captcha, retry)."""

    kind: str  # ErrorKind value ("untrusted_identity", "rate_limited", ...) or "file"/"error"
    message: str  # readable sentence
    recipients: tuple[str, ...] = ()  # who failed (untrusted identities: whom to trust)
    challenge_tokens: tuple[str, ...] = ()  # rate limit: tokens for the captcha step

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message": self.message,
            "recipients": list(self.recipients),
            "challenge_tokens": list(self.challenge_tokens),
        }

    @classmethod
    def from_dict(cls, data: object) -> Failure | None:
        if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
            return None
        return cls(
            kind=data["kind"],
            message=str(data.get("message") or ""),
            recipients=tuple(str(r) for r in data.get("recipients") or ()),
            challenge_tokens=tuple(str(t) for t in data.get("challenge_tokens") or ()),
        )


@dataclass
class TypingState:
    last_started: float = 0.0
    active: bool = False
    tasks: set[asyncio.Task[None]] = field(default_factory=set)


def item_kind(item: OutboxItem) -> str:
    return item.kind or "send"


def item_payload(item: OutboxItem) -> dict[str, Any]:
    return item.payload if isinstance(item.payload, dict) else {}


def failure_from_error(exc: SignalApiError) -> Failure:
    kind = exc.kind.value if isinstance(exc.kind, ErrorKind) else str(exc.kind)
    recipients = [str(f.recipient) for f in exc.failures if f.recipient]
    tokens = tuple(str(t) for t in exc.challenge_tokens)
    return Failure(kind, one_line(exc.user_message()), tuple(recipients), tokens)


def copy_ids(item: OutboxItem) -> list[int]:
    copies = item_payload(item).get("copies")
    if not isinstance(copies, list):
        return []
    return [int(c["outbox_id"]) for c in copies if isinstance(c, dict) and "outbox_id" in c]


def mention_ref(m: MentionSpec) -> MentionRef:
    """Stored as [start, length, address] by the store, or as a dict."""
    if isinstance(m, dict):
        return MentionRef(int(m["start"]), int(m["length"]), str(m["author"]))
    start, length, author = m[0], m[1], m[2]
    return MentionRef(int(start), int(length), str(author))


def read_attachment(spec: AttachmentSpec) -> OutgoingAttachment:
    """Read a file at send time (not when queued: the queue stays small)."""
    if isinstance(spec, str | Path):
        spec = {"path": str(spec)}
    elif isinstance(spec, list | tuple):  # the store's [path, content_type, size]
        spec = {"path": str(spec[0]), "content_type": spec[1] if len(spec) > 1 else None}
    path = Path(spec["path"])
    data = path.read_bytes()
    ctype = spec.get("content_type") or mimetypes.guess_type(path.name)[0]
    return OutgoingAttachment(
        filename=spec.get("filename") or path.name,
        data=data,
        content_type=ctype or "application/octet-stream",
    )


def reason_text(failure: RecipientFailure) -> str:
    return one_line(failure.describe())


def recipient_failure(failures: Sequence[RecipientFailure]) -> Failure:
    """Per-recipient failures of a partly successful send, as one Failure for the UI."""
    reasons = {str(f.reason).upper() for f in failures}
    if any("IDENTITY" in r or "UNTRUSTED" in r for r in reasons):
        kind = ErrorKind.UNTRUSTED_IDENTITY.value
    elif any("RATE" in r for r in reasons):
        kind = ErrorKind.RATE_LIMITED.value
    elif any("UNREGISTERED" in r for r in reasons):
        kind = "not_registered"
    else:
        kind = "send"
    tokens = tuple(t for f in failures if (t := f.token))
    text = "Not delivered to " + ", ".join(reason_text(f) for f in failures) + "."
    return Failure(kind, text, tuple(str(f.recipient) for f in failures), tokens)
