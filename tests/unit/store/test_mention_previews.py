"""Mentions in the conversation list: the preview names the person ("@Bob"), never U+FFFC."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from ingest.envelopes import ALICE, ALICE_UUID, BOB, BOB_UUID, ME, ME_UUID, text

from signal_tui.store import Store

FFFC = "\ufffc"


def _mention(number: str | None, uuid: str | None, start: int, length: int = 1) -> dict:
    return {
        "name": number or uuid,
        "number": number,
        "uuid": uuid,
        "start": start,
        "length": length,
    }


async def _raw_preview(store: Store, cid: int) -> str:
    return await store._read(
        lambda c: c.execute(
            "SELECT last_preview FROM conversations WHERE id = ?", (cid,)
        ).fetchone()[0]
    )


async def test_preview_names_the_mentioned_people(store: Store) -> None:
    await store.ingest_batch([text(1000, "hi", number=BOB, uuid=BOB_UUID, name="Bob")])
    stranger = "+4915100000042"
    fields = {
        "mentions": [
            _mention(BOB, BOB_UUID, 3),  # after an emoji: UTF-16 offsets, the emoji counts 2
            _mention(ME, None, 9),
            _mention(stranger, None, 16),
        ]
    }
    body = f"😀 {FFFC} and {FFFC}, ask {FFFC}!"
    await store.ingest_batch([text(2000, body, fields=fields)])
    alice = await store.find_conversation(ALICE_UUID)
    assert alice is not None
    want = f"😀 @Bob and @You, ask @{stranger}!"
    assert alice.last_preview == want
    assert (await store.get_conversation(alice.id)).last_preview == want
    listed = {c.id: c for c in await store.list_conversations()}
    assert listed[alice.id].last_preview == want
    assert [c.last_preview for c in await store.list_conversations(query="alice")] == [want]
    # what is stored keeps the placeholders: the names are the ones known when it is read
    assert FFFC in await _raw_preview(store, alice.id)


async def test_preview_follows_a_rename(store: Store) -> None:
    await store.ingest_batch([text(1000, "hi", number=BOB, uuid=BOB_UUID, name="Bob")])
    await store.ingest_batch(
        [text(2000, f"{FFFC} is late", fields={"mentions": [_mention(BOB, BOB_UUID, 0)]})]
    )
    before = [c.last_preview for c in await store.list_conversations()]  # cached list
    assert "@Bob is late" in before
    await store.upsert_recipient(uuid=BOB_UUID, nickname="Bobby")
    after = [c.last_preview for c in await store.list_conversations()]
    assert "@Bobby is late" in after and "@Bob is late" not in after


async def test_preview_of_a_stray_placeholder_and_of_an_own_message(store: Store) -> None:
    await store.ingest_batch([text(1000, f"no range for {FFFC}")])
    (conv,) = await store.list_conversations()
    assert conv.last_preview == "no range for @…"
    bob = await store.upsert_recipient(uuid=BOB_UUID, number=BOB, contact_name="Bob Builder")
    mine, _item = await store.add_outgoing(
        conv.id, f"{FFFC} joins", recipients=[ALICE], mentions=[(0, 1, BOB_UUID)]
    )
    assert mine.mentions[0].recipient_id == bob.id
    assert (await store.get_conversation(conv.id)).last_preview == "@Bob Builder joins"


async def test_a_preview_stored_before_names_were_shown_reads_right(tmp_path: Path) -> None:
    """Caches written by earlier versions hold U+FFFC in last_preview: fixed when read."""
    path = tmp_path / "data" / "cache.sqlite3"
    store = await Store.open(path, account=ME, account_uuid=ME_UUID)
    await store.close()
    con = sqlite3.connect(path)
    with con:
        con.execute(
            "INSERT INTO recipients (id, uuid, number, profile_name) VALUES (50, ?, ?, 'Alice'),"
            " (51, ?, ?, 'Bob')",
            (ALICE_UUID, ALICE, BOB_UUID, BOB),
        )
        con.execute(
            "INSERT INTO conversations (id, kind, recipient_id, last_preview, last_activity,"
            " last_message_id) VALUES (7, 'direct', 50, ?, 1700000000000, 70)",
            (f"{FFFC} dinner?",),
        )
        con.execute(
            "INSERT INTO messages (id, conversation_id, author_id, sent_ts, received_ts, body,"
            " extra) VALUES (70, 7, 50, 1700000000000, 1700000000100, ?, ?)",
            (f"{FFFC} dinner?", json.dumps({"mentions": [[0, 1, 51, BOB]]})),
        )
    con.close()
    store = await Store.open(path, account=ME, account_uuid=ME_UUID)
    try:
        assert [c.last_preview for c in await store.list_conversations()] == ["@Bob dinner?"]
        assert (await store.get_conversation(7)).last_preview == "@Bob dinner?"
        (msg,) = await store.messages_before(7)
        assert await store.mention_names([msg]) == {51: "Bob"}
    finally:
        await store.close()


async def test_mention_names(store: Store) -> None:
    await store.ingest_batch([text(1000, "hi", number=BOB, uuid=BOB_UUID, name="Bob")])
    fields = {"mentions": [_mention(BOB, BOB_UUID, 0), _mention(ME, None, 2)]}
    result = await store.ingest_batch([text(2000, f"{FFFC} {FFFC}", fields=fields)])
    (msg,) = result.new_messages
    bob, me = (m.recipient_id for m in msg.mentions)
    assert await store.mention_names([msg]) == {bob: "Bob", me: "You"}
    assert await store.mention_names([bob]) == {bob: "Bob"}
    assert await store.mention_names([]) == {}
