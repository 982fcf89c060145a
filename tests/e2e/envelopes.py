"""Envelope builders for end-to-end tests: the shapes of tests/data/rest-api-notes.md §3, plus hostile ones."""

from __future__ import annotations

import itertools
import uuid as uuidlib
from typing import Any

_counter = itertools.count(1)
BASE_TS = 1_760_000_000_000


def contact(i: int) -> tuple[str, str]:
    """A stable (number, uuid) for remote contact i."""
    return f"+1555{7000000 + i:07d}", str(uuidlib.UUID(int=0xC0FFEE00000000000000 + i))


def data_envelope(
    account: str,
    *,
    sender: int = 1,
    ts: int | None = None,
    text: str | None = "hello",
    name: str | None = None,
    extra: dict[str, Any] | None = None,
    envelope_extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    number, uuid = contact(sender)
    ts = ts if ts is not None else BASE_TS + next(_counter)
    data = {
        "timestamp": ts,
        "message": text,
        "expiresInSeconds": 0,
        "isExpirationUpdate": False,
        "viewOnce": False,
        **(extra or {}),
    }
    env = {
        "source": number,
        "sourceNumber": number,
        "sourceUuid": uuid,
        "sourceName": name if name is not None else f"Contact {sender}",
        "sourceDevice": 1,
        "timestamp": ts,
        "serverReceivedTimestamp": ts + 5,
        "serverDeliveredTimestamp": ts + 9,
        "dataMessage": data,
        **(envelope_extra or {}),
    }
    return {"envelope": env, "account": account}


def burst(account: str, n: int, *, senders: int = 20, start: int = 0) -> list[dict[str, Any]]:
    """n distinct messages from a few senders with distinct timestamps."""
    return [
        data_envelope(account, sender=1 + (i % senders), ts=BASE_TS + 10_000_000 + i, text=f"m{i}")
        for i in range(start, start + n)
    ]


def hostile(account: str, attachment_id: str | None = None) -> list[dict[str, Any]]:
    """Envelopes that try to break the receiver, the store, the terminal or the file system."""
    att_id = attachment_id or "doesnotexist.bin"
    items: list[dict[str, Any]] = [
        data_envelope(account, sender=2, text="[bold red]boom[/] [@click=app.quit]x[/]"),
        data_envelope(
            account, sender=2, text="\x1b[2J\x1b]0;pwned\x07 bell \x9b31m", name="\x1b[31mEvil"
        ),
        data_envelope(account, sender=3, text="x" * 200_000),
        data_envelope(account, sender=3, ts=-5, text="negative timestamp"),
        data_envelope(account, sender=3, ts=10**17, text="year 3 million"),
        data_envelope(account, sender=3, ts=2**70, text="too big for sqlite"),
        data_envelope(account, sender=4, text=12345),  # type: ignore[arg-type]
        data_envelope(
            account,
            sender=4,
            text="file",
            extra={
                "attachments": [
                    {
                        "contentType": "text/plain",
                        "filename": "../../../../evil.sh",
                        "id": att_id,
                        "size": 5,
                        "width": None,
                        "height": None,
                        "caption": None,
                        "uploadTimestamp": 1,
                    },
                    {
                        "contentType": "image/png",
                        "filename": "..\\..\\win.png",
                        "id": "../../etc/passwd",
                        "size": None,
                        "width": None,
                        "height": None,
                        "caption": None,
                        "uploadTimestamp": None,
                    },
                    {"contentType": None, "filename": None, "id": None},
                    "not an object",
                ]
            },
        ),
        {"envelope": {"source": None, "timestamp": "soon"}, "account": account},
        {
            "envelope": {"sourceUuid": contact(5)[1], "timestamp": BASE_TS, "weirdMessage": {}},
            "account": account,
        },
        {
            "envelope": {"source": contact(5)[0], "timestamp": BASE_TS + 1, "syncMessage": {}},
            "account": account,
        },
        {
            "account": account,
            "exception": {"message": "Untrusted identity", "type": "UntrustedIdentityException"},
            "envelope": {
                "source": contact(6)[0],
                "sourceNumber": contact(6)[0],
                "sourceUuid": contact(6)[1],
                "timestamp": BASE_TS + 2,
            },
        },
        {"envelope": None, "account": account},
        {"envelope": [], "account": account},
        {"nonsense": True},
        data_envelope(
            account, sender=7, extra={"groupInfo": {"groupId": "../../x", "type": "DELIVER"}}
        ),
        data_envelope(
            account,
            sender=7,
            extra={
                "reaction": {
                    "emoji": "👍",
                    "targetAuthor": None,
                    "targetSentTimestamp": "x",
                    "isRemove": "no",
                }
            },
        ),
        data_envelope(account, sender=7, extra={"quote": {"id": None, "author": 5, "text": ["x"]}}),
        data_envelope(
            account, sender=7, extra={"mentions": [{"start": -1, "length": 10**9, "uuid": None}]}
        ),
    ]
    dup = data_envelope(account, sender=8, ts=BASE_TS + 42, text="duplicate")
    items += [dup, dup, dict(dup)]
    return items
