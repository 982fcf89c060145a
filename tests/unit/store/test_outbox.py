"""Own messages through the outbox: queued, sent and re-keyed, receipts resolve, restarts."""

from __future__ import annotations

from pathlib import Path

from ingest.envelopes import ALICE, ALICE_UUID, ME, reaction, receipt, sync_sent, text

from signal_tui.store import Store
from signal_tui.store.tx import Tx


async def test_send_rekeys_to_server_timestamp_and_receipts_resolve(store: Store) -> None:
    conv = await store.ensure_direct(ALICE_UUID, number=ALICE)
    msg, item = await store.add_outgoing(conv.id, "hello", recipients=[ALICE_UUID])
    assert (msg.status, msg.outgoing, item.state, item.message_id) == (
        "queued",
        True,
        "queued",
        msg.id,
    )
    assert (await store.get_conversation(conv.id)).last_preview == "hello"
    assert (await store.outbox_next(now_ms=msg.sent_ts + 10)).id == item.id
    await store.outbox_set(item.id, "sending", attempts_inc=True)
    assert (await store.get_message(msg.id)).status == "sending"
    # a receipt for the server timestamp races ahead of outbox_sent: it waits in pending
    await store.ingest_batch([receipt(9_000_000, [8_000_000], "delivered")])
    sent = await store.outbox_sent(item.id, 8_000_000)
    assert sent.sent_ts == 8_000_000 and sent.status == "delivered"
    await store.ingest_batch([reaction(9_000_001, 8_000_000, "🎉", target=ME)])
    found = await store.find_message(conv.id, ME, 8_000_000)
    assert found.id == msg.id and [r.emoji for r in found.reactions] == ["🎉"]
    assert await store.outbox_next(now_ms=10**13) is None
    assert [i.state for i in await store.outbox_items()] == ["sent"]


async def test_a_real_stamp_equal_to_a_waiting_messages_provisional_one_loses_nothing(
    store: Store,
) -> None:
    """A burst: the server stamps the first send with the very millisecond the fourth one was
    given locally. The fourth must survive, still queued, and later be sent under its own stamp."""
    conv = await store.ensure_direct(ALICE_UUID, number=ALICE)
    burst = [await store.add_outgoing(conv.id, f"b{i}", recipients=[ALICE_UUID]) for i in range(4)]
    first, last = burst[0], burst[-1]
    sent = await store.outbox_sent(first[1].id, last[0].sent_ts)
    assert sent.sent_ts == last[0].sent_ts and sent.body == "b0"
    waiting = await store.get_message(last[0].id)
    assert waiting is not None and (waiting.body, waiting.status) == ("b3", "queued")
    assert waiting.sent_ts != sent.sent_ts
    done = await store.outbox_sent(last[1].id, last[0].sent_ts + 500)
    assert (done.body, done.status, done.sent_ts) == ("b3", "sent", last[0].sent_ts + 500)
    bodies = [m.body for m in await store.messages_before(conv.id)]
    assert sorted(bodies) == ["b0", "b1", "b2", "b3"]


async def test_a_message_from_the_phone_with_a_waiting_messages_stamp_is_kept(
    store: Store,
) -> None:
    """The phone sends in the same millisecond a message here was queued: both are kept."""
    conv = await store.ensure_direct(ALICE_UUID, number=ALICE)
    waiting, item = await store.add_outgoing(conv.id, "from here", recipients=[ALICE_UUID])
    await store.ingest_batch([sync_sent(waiting.sent_ts, "from the phone")])
    phone = await store.find_message(conv.id, ME, waiting.sent_ts)
    assert phone is not None and phone.body == "from the phone"
    moved = await store.get_message(waiting.id)
    assert (moved.body, moved.status) == ("from here", "queued")
    done = await store.outbox_sent(item.id, waiting.sent_ts + 900)
    assert (done.body, done.status) == ("from here", "sent")
    assert sorted(m.body for m in await store.messages_before(conv.id)) == [
        "from here",
        "from the phone",
    ]


async def test_partial_and_total_failures_are_recorded(store: Store) -> None:
    conv = await store.ensure_direct(ALICE)
    _msg, item = await store.add_outgoing(conv.id, "x", recipients=[ALICE, "+4915100000001"])
    sent = await store.outbox_sent(item.id, 7000, {"+4915100000001": "IDENTITY_FAILURE"})
    assert sent.status == "sent" and sent.failed_recipients == (
        ("+4915100000001", "IDENTITY_FAILURE"),
    )
    assert "IDENTITY_FAILURE" in sent.error
    _msg2, item2 = await store.add_outgoing(conv.id, "y", recipients=[ALICE])
    sent2 = await store.outbox_sent(item2.id, 7001, {ALICE: "UNREGISTERED_FAILURE"})
    assert sent2.status == "failed"


async def test_queue_backoff_failure_and_restart(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    store = await Store.open(path, account=ME)
    conv = await store.ensure_direct(ALICE)
    msg, item = await store.add_outgoing(
        conv.id, "with file", recipients=[ALICE], attachments=[(tmp_path / "a.png", "image/png", 3)]
    )
    assert [(a.filename, a.state) for a in msg.attachments] == [("a.png", "local")]
    assert item.payload["attachments"] == [[str(tmp_path / "a.png"), "image/png", 3]]
    await store.outbox_set(item.id, "queued", error="connection refused", not_before=5000)
    assert await store.outbox_next(now_ms=4999) is None
    await store.outbox_set(item.id, "sending")
    await store.close()
    store = await Store.open(path, account=ME)  # the app died mid-send
    assert await store.outbox_reset_stale() == 1
    [again] = await store.outbox_items(["unknown"])
    assert again.id == item.id
    assert (await store.get_message(msg.id)).status == "unknown"
    await store.close()


async def test_failure_details_survive_a_restart_and_clear_on_the_next_state(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cache.sqlite3"
    store = await Store.open(path, account=ME)
    conv = await store.ensure_direct(ALICE)
    _msg, item = await store.add_outgoing(conv.id, "are you still you?", recipients=[ALICE])
    _msg2, partial = await store.add_outgoing(
        conv.id, "to two", recipients=[ALICE, "+4915100000001"]
    )
    assert item.details is None
    details = {"kind": "untrusted_identity", "recipients": [ALICE], "challenge_tokens": []}
    await store.outbox_set(item.id, "failed", error="safety number changed", details=details)
    partly = {"kind": "rate_limited", "recipients": ["+4915100000001"], "challenge_tokens": ["t"]}
    await store.outbox_sent(
        partial.id, 7000, {"+4915100000001": "RATE_LIMIT_FAILURE"}, details=partly
    )
    await store.close()

    store = await Store.open(path, account=ME)
    try:
        [failed] = await store.outbox_items(["failed"])
        assert (failed.id, failed.error, failed.details) == (
            item.id,
            "safety number changed",
            details,
        )
        assert await store.outbox_failure_details() == {item.id: details, partial.id: partly}
        # the next state change replaces them, like `error`: a retry starts clean
        await store.outbox_set(item.id, "queued", error=None, not_before=0)
        queued = await store.outbox_next(now_ms=10**13)
        assert queued is not None and (queued.id, queued.details) == (item.id, None)
        await store.outbox_sent(partial.id, 7000)
        assert await store.outbox_failure_details() == {}
    finally:
        await store.close()


async def test_local_actions_quote_and_delete_for_me(store: Store) -> None:
    await store.ingest_batch([text(1000, "question?")])
    conv = await store.find_conversation(ALICE)
    [theirs] = await store.messages_before(conv.id)
    mine, item = await store.add_outgoing(
        conv.id,
        "\ufffc answer",
        recipients=[ALICE_UUID],
        quote=theirs,
        mentions=[(0, 1, ALICE_UUID)],
    )
    assert mine.quote.message_id == theirs.id and mine.quote.text == "question?"
    assert item.payload["quote"] == {
        "timestamp": 1000,
        "author": ALICE_UUID,
        "message": "question?",
    }
    assert [m.recipient_id for m in mine.mentions] == [theirs.author_id]
    await store.apply_local_reaction(theirs.id, "👍")
    await store.apply_local_edit(mine.id, "better answer")
    await store.apply_local_edit(theirs.id, "not mine to edit")
    await store.outbox_add(
        "reaction", {"emoji": "👍"}, conversation_id=conv.id, message_id=theirs.id
    )
    page = await store.messages_before(conv.id)
    assert [m.body for m in page] == ["question?", "better answer"]
    assert [r.author_name for r in page[0].reactions] == ["You"]
    await store.apply_local_delete(mine.id)
    assert (await store.get_message(mine.id)).deleted
    await store.delete_for_me(theirs.id)
    await store.ingest_batch([text(1000, "question?")])  # redelivery does not bring it back
    assert [m.id for m in await store.messages_before(conv.id)] == [mine.id]


async def test_engine_payload_is_kept_and_votes_and_expiry(store: Store) -> None:
    conv = await store.ensure_direct(ALICE)
    payload = {"attachments": [{"path": "/x.png", "content_type": "image/png"}], "message": "m"}
    _msg, item = await store.add_outgoing(
        conv.id, "m", recipients=[ALICE], attachments=[(Path("/x.png"), "image/png", 1)],
        payload=payload,
    )  # fmt: skip
    assert item.payload["attachments"] == payload["attachments"]  # the engine's own format wins
    await store.ingest_batch(
        [text(1000, None, fields={"pollCreate": {"question": "Q", "allowMultiple": True,
                                                 "options": ["a", "b"]}})]
    )  # fmt: skip
    [poll] = [m for m in await store.messages_before(conv.id) if m.poll]
    await store.apply_local_vote(poll.id, [0])
    await store.apply_local_vote(poll.id, [1])
    poll = await store.get_message(poll.id)
    assert [(o.text, o.voters) for o in poll.poll.options] == [("a", ()), ("b", ("You",))]
    await store.set_conversation_expiry(conv.id, 60)
    timed, item = await store.add_outgoing(conv.id, "vanishing", recipients=[ALICE])
    sent = await store.outbox_sent(item.id, 5000)
    assert sent.expires_in == 60 and sent.expires_at is not None
    assert await store.delete_expired(sent.expires_at - 1) == 0
    assert await store.delete_expired(sent.expires_at) == 1
    assert await store.get_message(timed.id) is None


async def test_an_edit_in_the_same_millisecond_as_its_message_still_applies(store: Store) -> None:
    """A local edit right after sending (same ms) is kept, not taken for the original version."""
    conv = await store.ensure_direct(ALICE_UUID, number=ALICE)
    mine, _item = await store.add_outgoing(conv.id, "draft answer", recipients=[ALICE_UUID])

    def same_ms(tx: Tx) -> None:
        tx.apply_action("edit", mine.id, conv.id, tx.self_id, mine.sent_ts, {"body": "final"})

    await store._write(same_ms)
    assert (await store.get_message(mine.id)).body == "final"
