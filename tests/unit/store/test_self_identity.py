"""Envelopes cannot re-number this account or hand its number to a stranger (found by the
ingest property test: an edit redelivered after such an envelope was kept pending twice)."""

from __future__ import annotations

from signal_tui.store import Store

from .conftest import ME, ME_UUID

ALICE = "+4915112345678"
STRANGER_UUID = "0f8b2a6e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"


def _text(uuid: str, number: str, ts: int, body: str) -> dict:
    env = {
        "source": number, "sourceNumber": number, "sourceUuid": uuid, "sourceDevice": 1,
        "timestamp": ts, "serverReceivedTimestamp": ts,
        "dataMessage": {"timestamp": ts, "message": body},
    }  # fmt: skip
    return {"envelope": env, "account": ME}


async def test_own_uuid_with_another_number_keeps_our_number(store: Store) -> None:
    await store.ingest_batch([_text("1f8b2a6e-1c3d-4e5f-8a9b-0c1d2e3f4a5b", ALICE, 1000, "hi")])
    await store.ingest_batch([_text(ME_UUID, ALICE, 2000, "spoofed")])
    me = await store.self_recipient()
    assert me is not None and me.number == ME and me.uuid == ME_UUID
    alice = await store.find_conversation(ALICE)
    assert alice is not None  # Alice's chat still belongs to Alice


async def test_a_stranger_claiming_our_number_is_not_us(store: Store) -> None:
    await store.ingest_batch([_text(STRANGER_UUID, ME, 3000, "I am you")])
    me = await store.self_recipient()
    assert me is not None and me.number == ME and me.uuid == ME_UUID
    edit = {
        "envelope": {"source": ALICE, "sourceNumber": ALICE, "timestamp": 5000,
                     "editMessage": {"targetSentTimestamp": 4000,
                                     "dataMessage": {"timestamp": 5000, "message": "x"}}},
        "account": ME,
    }  # fmt: skip
    await store.ingest_batch([_text(ME_UUID, ALICE, 6000, "spoofed"), edit])
    count = lambda c: c.execute("SELECT count(*) FROM pending").fetchone()[0]  # noqa: E731
    before = await store._read(count)
    await store.ingest_batch([_text(ME_UUID, ALICE, 6000, "spoofed"), edit])  # redelivery
    assert await store._read(count) == before


async def test_an_account_known_by_number_learns_its_uuid(tmp_path) -> None:
    store = await Store.open(tmp_path / "c.sqlite3", account=ME)  # no uuid known yet
    try:
        await store.ingest_batch([_text(ME_UUID, ME, 7000, "sync of my own message")])
        me = await store.self_recipient()
        assert me.uuid == ME_UUID and me.number == ME
        rows = await store._read(lambda c: c.execute("SELECT count(*) FROM recipients").fetchone())
        assert rows[0] == 1  # no second "me"
    finally:
        await store.close()
