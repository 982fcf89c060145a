"""Hostile input, spelled out: what the issue lists must be stored harmlessly or skipped."""

from __future__ import annotations

import os
from pathlib import Path

from signal_tui.store import Store

from .envelopes import ALICE_UUID, BOB_UUID, item, text


async def test_hostile_envelopes_are_survived(store: Store, tmp_path: Path) -> None:
    markup = "[bold red]Mallory[/] \x1b]0;owned\x07\x1b[2J \u202eevil"
    big = "A" * 200_000
    batch = [
        text(1000, markup, name=markup),
        text(1001, big),
        text(
            1002,
            "bad file",
            fields={
                "attachments": [
                    {
                        "contentType": "image/png",
                        "filename": "../../../../tmp/evil.png",
                        "id": "../../x",
                    },
                    {
                        "contentType": "application/pdf",
                        "filename": "..\\..\\win.pdf",
                        "id": "ok.pdf",
                    },
                ]
            },
        ),
        text(-5, "negative timestamp"),
        text(2**80, "overflowing timestamp"),
        text(253402300800000, "after year 9999"),
        text(1003, 12345),  # wrongly typed body
        item({"dataMessage": "not a dict"}, ts=1004),
        item({"dataMessage": {"timestamp": "1005", "message": "string timestamp"}}, ts="x"),
        item({"receiptMessage": {"when": None, "isRead": True, "timestamps": ["a", None, -1]}}),
        item({"typingMessage": []}),
        item({"syncMessage": "x"}),
        item({"editMessage": {"targetSentTimestamp": None}}),
        {"envelope": {"timestamp": 1006}},  # no source, no content
        {"account": "+1", "envelope": None},
        text(1007, "uuid only", number=None, uuid=BOB_UUID.upper()),
        text(1000, markup),  # duplicate
    ]
    result = await store.ingest_batch(batch)
    assert result.duplicates == 1
    bodies = {m.body for m in result.new_messages}
    assert markup in bodies and big in bodies  # stored raw: display code cleans it
    assert "negative timestamp" not in bodies and "overflowing timestamp" not in bodies
    [att_msg] = [m for m in result.new_messages if m.body == "bad file"]
    names = [a.filename for a in att_msg.attachments]
    assert names == ["evil.png", "win.pdf"]
    assert [a.remote_id for a in att_msg.attachments] == [None, "ok.pdf"]  # no path in the id
    assert [a.remote_id for a in result.attachments_to_fetch] == ["ok.pdf"]
    convs = await store.list_conversations()
    assert sorted(c.address for c in convs) == sorted([ALICE_UUID, BOB_UUID])
    alice = next(c for c in convs if c.address == ALICE_UUID)
    assert "\x1b" not in alice.title and "\u202e" not in alice.title  # names are cleaned
    assert len(alice.last_preview) <= 120
    assert [h.conversation_id for h in await store.search("bad file")] == [alice.id]
    # nothing but the cache in the data dir, nothing next to it
    assert sorted(n for n in os.listdir(tmp_path) if n != "home") == ["data"]
