"""Fixed cache content for the main-UI tests and snapshots, built through the real ingest path
(plain data and builders, no tests; the pytest fixtures that use it are in conftest.py).

The envelopes follow tests/data/rest-api-notes.md §3. Names and bodies include hostile text (markup,
escape sequences, bidi overrides) so every snapshot also proves it is shown literally.
"""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime
from pathlib import Path
from typing import Any

from signal_tui.config import Config
from signal_tui.core.session import Session

ACCOUNT = "+15550000001"
ACCOUNT_UUID = "00000000-0000-4000-8000-000000000001"
NOW = datetime(2026, 3, 14, 15, 30)  # the pinned clock (local time; see the `utc` fixture)
HOSTILE_BODY = "[@click=app.quit]x[/]"
HOSTILE_NAME = "[bold red]Mallory[/] \x1b[31mred"
BIDI_NAME = "Eve \u202egnp.exe"
GROUP_INTERNAL = base64.b64encode(bytes(range(1, 33))).decode()

PEOPLE = {
    "alice": ("+15550100001", "00000000-0000-4000-8000-0000000000a1", "Alice Park"),
    "bob": ("+15550100002", "00000000-0000-4000-8000-0000000000b0", "Bob Nguyen"),
    "mallory": ("+15550100003", "00000000-0000-4000-8000-0000000000c3", HOSTILE_NAME),
    "eve": ("+15550100004", "00000000-0000-4000-8000-0000000000e4", BIDI_NAME),
}


def ms(year: int, month: int, day: int, hour: int, minute: int = 0) -> int:
    return int(datetime(year, month, day, hour, minute).timestamp() * 1000)


def _dm(ts: int, text: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "timestamp": ts,
        "message": text,
        "expiresInSeconds": 0,
        "isExpirationUpdate": False,
        "viewOnce": False,
        **extra,
    }


def _env(who: str, ts: int, key: str, content: dict[str, Any]) -> dict[str, Any]:
    number, uuid, name = PEOPLE[who]
    env = {
        "source": number,
        "sourceNumber": number,
        "sourceUuid": uuid,
        "sourceName": name,
        "sourceDevice": 1,
        "timestamp": ts,
        "serverReceivedTimestamp": ts + 5,
        "serverDeliveredTimestamp": ts + 9,
        key: content,
    }
    return {"envelope": env, "account": ACCOUNT}


def said(who: str, ts: int, text: str | None, **extra: Any) -> dict[str, Any]:
    return _env(who, ts, "dataMessage", _dm(ts, text, **extra))


def sent_by_me(to: str, ts: int, text: str, **extra: Any) -> dict[str, Any]:
    number, uuid, _name = PEOPLE[to]
    sent = {
        "destination": number,
        "destinationNumber": number,
        "destinationUuid": uuid,
        **_dm(ts, text, **extra),
    }
    env = {
        "source": ACCOUNT,
        "sourceNumber": ACCOUNT,
        "sourceUuid": ACCOUNT_UUID,
        "sourceName": "You",
        "sourceDevice": 2,
        "timestamp": ts,
        "serverReceivedTimestamp": ts + 5,
        "serverDeliveredTimestamp": ts + 9,
        "syncMessage": {"sentMessage": sent},
    }
    return {"envelope": env, "account": ACCOUNT}


def receipt(who: str, ts: int, kind: str, stamps: list[int]) -> dict[str, Any]:
    content = {
        "when": ts,
        "isDelivery": kind == "delivery",
        "isRead": kind == "read",
        "isViewed": False,
        "timestamps": stamps,
    }
    return _env(who, ts, "receiptMessage", content)


def group_info() -> dict[str, Any]:
    return {
        "groupId": GROUP_INTERNAL,
        "groupName": "Climbing crew",
        "revision": 3,
        "type": "DELIVER",
    }


def envelopes() -> list[dict[str, Any]]:
    """A week of believable history with every kind of message the history view draws."""
    t0 = ms(2026, 3, 9, 18, 5)
    t1 = ms(2026, 3, 13, 9, 12)
    t2 = ms(2026, 3, 14, 11, 40)
    items = [
        said("alice", t0, "Hey! Are you around this weekend?"),
        sent_by_me("alice", t0 + 60_000, "Yes — Saturday works. Climbing?"),
        receipt("alice", t0 + 70_000, "delivery", [t0 + 60_000]),
        receipt("alice", t0 + 90_000, "read", [t0 + 60_000]),
        said(
            "alice",
            t1,
            "Bring the rope, the chalk and the secret snack",
            textStyles=[
                {"start": 10, "length": 4, "style": "BOLD"},
                {"start": 20, "length": 5, "style": "ITALIC"},
                {"start": 34, "length": 6, "style": "SPOILER"},
                {"start": 41, "length": 5, "style": "MONOSPACE"},
            ],
        ),
        said("alice", t1 + 60_000, "Photos from last time: https://example.org/album?id=7."),
        said(
            "alice",
            t1 + 120_000,
            "Sunset at the crag",
            attachments=[
                {
                    "contentType": "image/jpeg",
                    "filename": "sunset.jpg",
                    "id": "AbCdEf123.jpg",
                    "size": 48213,
                    "width": 640,
                    "height": 480,
                    "caption": None,
                    "uploadTimestamp": t1 + 120_000,
                }
            ],
        ),
        said(
            "alice",
            t1 + 180_000,
            None,
            reaction={
                "emoji": "👍",
                "targetAuthor": ACCOUNT,
                "targetAuthorNumber": ACCOUNT,
                "targetAuthorUuid": ACCOUNT_UUID,
                "targetSentTimestamp": t0 + 60_000,
                "isRemove": False,
            },
        ),
        said(
            "alice",
            t2,
            "Pizza or sushi after?",
            pollCreate={
                "question": "Dinner after climbing?",
                "allowMultiple": False,
                "options": ["Pizza", "Sushi"],
            },
        ),
        said(
            "alice",
            t2 + 60_000,
            "See you at 7 at the wall",
            quote={
                "id": t0 + 60_000,
                "author": ACCOUNT,
                "authorNumber": ACCOUNT,
                "authorUuid": ACCOUNT_UUID,
                "text": "Yes — Saturday works. Climbing?",
                "attachments": [],
            },
        ),
        said("alice", t2 + 120_000, "I'll be 10 min late"),
        _env(
            "alice",
            t2 + 180_000,
            "editMessage",
            {
                "targetSentTimestamp": t2 + 120_000,
                "dataMessage": _dm(t2 + 180_000, "I'll be 15 min late, sorry"),
            },
        ),
        said("alice", t2 + 200_000, "oops wrong chat"),
        said("alice", t2 + 240_000, None, remoteDelete={"timestamp": t2 + 200_000}),
        said("alice", t2 + 250_000, "this one disappears", expiresInSeconds=31_536_000),
        said(
            "alice",
            t2 + 260_000,
            None,
            sticker={"packId": "9a32eda01a7a28574f2eb48668ae0dc4", "stickerId": 3},
        ),
        # group
        said("bob", ms(2026, 3, 14, 8, 0), "Who's in for Thursday?", groupInfo=group_info()),
        said(
            "alice",
            ms(2026, 3, 14, 8, 5),
            "\ufffc and me, obviously",
            groupInfo=group_info(),
            mentions=[
                {"name": ACCOUNT, "number": ACCOUNT, "uuid": ACCOUNT_UUID, "start": 0, "length": 1}
            ],
        ),
        said("bob", ms(2026, 3, 14, 8, 9), "🧗 great", groupInfo=group_info()),
        # hostile
        said("mallory", ms(2026, 3, 12, 22, 0), HOSTILE_BODY),
        said("mallory", ms(2026, 3, 12, 22, 1), "\x1b[31mred?\x1b[0m \x1b]8;;http://evil\x07link"),
        said("eve", ms(2026, 3, 11, 7, 30), "hello \u202eevil\u202c world"),
    ]
    return items


def make_config(tmp_path: Path, url: str = "http://127.0.0.1:9") -> Config:
    return Config(url=url, account=ACCOUNT, data_dir=tmp_path / "data", theme="textual-dark")


async def fill_cache(config: Config) -> None:
    """Write the fixture history into the cache through the real ingest path, then close."""
    session = Session(config)
    await session.open()
    try:
        await session.store.upsert_recipient(uuid=ACCOUNT_UUID, number=ACCOUNT, profile_name="You")
        await session.store.upsert_group(
            "group." + base64.b64encode(GROUP_INTERNAL.encode()).decode(),
            name="Climbing crew",
            description="Tue + Thu, 7pm",
            members=[ACCOUNT, PEOPLE["alice"][0], PEOPLE["bob"][0]],
        )
        await session.store.ingest_batch(envelopes())
    finally:
        await session.stop()


def build_cache(config: Config) -> None:
    """Synchronous wrapper (snapshot tests build the cache before the app's own loop runs)."""
    asyncio.run(fill_cache(config))
