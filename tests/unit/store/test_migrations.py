"""Every migration is tested from every earlier version, with data written at that version.

Adding migration N+1 makes `test_every_version_has_sample_rows` fail until SAMPLES gains an entry
for version N+1, and the parametrised upgrade test then runs from each of 0..N.
"""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from signal_tui.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError, migrate

from .conftest import ME

# rows that are valid once the schema is at the given version (inserted right after it)
SAMPLES: dict[int, str] = {
    1: """
        INSERT INTO recipients (id, uuid, number, profile_name) VALUES
            (1, NULL, '+4917600000000', NULL),
            (2, '4f8b2a6e-1c3d-4e5f-8a9b-0c1d2e3f4a5b', '+4915112345678', 'Alice');
        INSERT INTO conversations (id, kind, recipient_id, last_preview, last_activity, unread)
            VALUES (1, 'direct', 2, 'old hello', 1700000000000, 1);
        INSERT INTO messages (id, conversation_id, author_id, sent_ts, received_ts, body, unread)
            VALUES (1, 1, 2, 1700000000000, 1700000000100, 'old hello', 1);
    """,
    2: """
        INSERT INTO outbox (id, kind, conversation_id, recipients, body, state, created_at)
            VALUES (1, 'send', 1, '["+4915112345678"]', 'queued before upgrade', 'queued', 1);
    """,
    3: """
        INSERT INTO messages (id, conversation_id, author_id, sent_ts, received_ts, body)
            VALUES (2, 1, 1, 1700000000500, 1700000000600, 'my reply written at v3');
    """,
    4: """
        INSERT INTO outbox (id, kind, conversation_id, recipients, body, state, created_at, details)
            VALUES (2, 'send', 1, '["+4915112345678"]', 'failed at v4', 'failed', 2,
                    '{"kind": "untrusted_identity", "recipients": ["+4915112345678"]}');
    """,
    5: """
        INSERT INTO drafts (conversation_id, body, updated_at) VALUES (1, 'half-written at v5', 3);
    """,
    6: """
        INSERT INTO messages (id, conversation_id, author_id, sent_ts, received_ts, body,
                              expires_in, expires_at)
            VALUES (3, 1, 2, 1700000001000, 1700000001100, 'vanishing at v6', 60, 1700000061100);
    """,
}


def test_every_version_has_sample_rows() -> None:
    assert set(SAMPLES) == set(range(1, SCHEMA_VERSION + 1))
    assert len(MIGRATIONS) == SCHEMA_VERSION


def _build(path: Path, version: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    for k in range(version):
        migrate(conn, MIGRATIONS[: k + 1])
        conn.executescript(SAMPLES[k + 1])
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    conn.close()


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
async def test_upgrade_from_every_earlier_version_keeps_data(tmp_path: Path, version: int) -> None:
    path = tmp_path / "cache.sqlite3"
    _build(path, version)
    store = await Store.open(path, account=ME)
    try:
        v = await store._read(lambda c: c.execute("PRAGMA user_version").fetchone()[0])
        assert v == SCHEMA_VERSION
        convs = await store.list_conversations()
        if version >= 1:  # data written at v1 is still readable and searchable
            assert [c.title for c in convs] == ["Alice"]
            page = await store.messages_before(convs[0].id)
            assert page[0].body == "old hello"
            assert [h.message_id for h in await store.search("hello")] == [1]
        else:
            assert convs == []
        if version >= 3:
            assert [h.message_id for h in await store.search("reply", conversation_id=1)] == [2]
        if version >= 2:
            items = await store.outbox_items()
            expected = ["queued before upgrade"] + (["failed at v4"] if version >= 4 else [])
            assert [i.body for i in items] == expected
            # rows from before V4 have no failure details; the column takes them now
            assert items[0].details is None
            if version >= 4:  # details written at V4 survive the later migrations
                assert items[1].details == {
                    "kind": "untrusted_identity",
                    "recipients": ["+4915112345678"],
                }
            await store.outbox_set(items[0].id, "failed", error="x", details={"kind": "file"})
            assert (await store.outbox_items(["failed"]))[0].details == {"kind": "file"}
        # and the upgraded database takes new writes
        conv = await store.ensure_direct("+4915199999999")
        await store.save_draft(conv.id, "draft after upgrade")
        assert await store.get_draft(conv.id) == "draft after upgrade"
        await store.add_outgoing(conv.id, "after upgrade", recipients=["+4915199999999"])
        assert (await store.search("upgrade"))[0].conversation_id == conv.id
        assert [h.conversation_id for h in await store.search("upgr", conversation_id=conv.id)] == [
            conv.id
        ]
        ok = await store._read(lambda c: c.execute("PRAGMA integrity_check").fetchone()[0])
        assert ok == "ok"
    finally:
        await store.close()


async def test_rows_written_at_the_current_version_read_back(tmp_path: Path) -> None:
    """The newest sample rows (SAMPLES[SCHEMA_VERSION]) are never upgraded: read them as they are."""
    path = tmp_path / "cache.sqlite3"
    _build(path, SCHEMA_VERSION)
    store = await Store.open(path, account=ME)
    try:
        [failed] = await store.outbox_items(["failed"])
        assert failed.details == {
            "kind": "untrusted_identity",
            "recipients": ["+4915112345678"],
        }
        assert await store.outbox_failure_details() == {failed.id: failed.details}
        assert await store.get_draft(1) == "half-written at v5"
        assert await store.next_expiry() == 1700000061100
        assert await store.delete_expired(1700000061100) == 1
        assert await store.next_expiry() is None
        assert await store.drafts() == {1: "half-written at v5"}
    finally:
        await store.close()


async def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        await Store.open(path, account=ME)


async def test_open_sets_private_modes_and_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "data" / "cache.sqlite3"
    store = await Store.open(path, account=ME)
    try:
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        pragmas = await store._read(
            lambda c: (
                c.execute("PRAGMA journal_mode").fetchone()[0],
                c.execute("PRAGMA synchronous").fetchone()[0],
                c.execute("PRAGMA foreign_keys").fetchone()[0],
            )
        )
        assert pragmas == ("wal", 1, 1)
        assert (await store.self_recipient()).number == ME
    finally:
        await store.close()
    # reopening is cheap and keeps everything
    store = await Store.open(path, account=ME)
    assert (await store.self_recipient()).number == ME
    await store.close()
