"""Two signal-tui sessions talking through one simulator: own actions resolve on the other side.

The outbox stores a sent message under the server's timestamp, so reactions, edits, deletes,
receipts and quotes that reference it (by author + timestamp) land on the right message.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from signal_tui.core.session import Session
from signal_tui.simulator.server import Simulator
from signal_tui.simulator.state import Person
from tests.e2e.conftest import FAST_OUTBOX, FAST_RECEIVER, connected, make_config, wait_for

SAM = "+15550000002"


@pytest.fixture
async def pair(sim: Simulator, tmp_path: Path) -> AsyncIterator[tuple[Session, Session]]:
    sim.world.host(Person(uuid=sim.world.new_uuid(), number=SAM, given_name="Sam"))
    sessions = []
    for account in (sim.primary_account, SAM):
        config = make_config(sim.url, account, tmp_path / "data")
        s = Session(config, receiver_options=dict(FAST_RECEIVER), outbox_options=dict(FAST_OUTBOX))
        await s.start()
        await connected(s, sim)
        sessions.append(s)
    try:
        yield sessions[0], sessions[1]
    finally:
        for s in sessions:
            await s.stop()


async def _only_message(session: Session, text: str):  # type: ignore[no-untyped-def]
    hits = await session.store.search(text)
    return await session.store.get_message(hits[0].message_id) if hits else None


async def test_actions_resolve_to_the_sent_message(pair: tuple[Session, Session]) -> None:
    alice, sam = pair
    conv = await alice.messenger.open_direct(SAM)
    mine = await alice.messenger.send(conv.id, "hello sam")

    async def sam_has_it() -> bool:
        return await _only_message(sam, "hello sam") is not None

    await wait_for(sam_has_it, 15)
    sent = await alice.store.get_message(mine.id)
    theirs = await _only_message(sam, "hello sam")
    assert sent is not None and theirs is not None
    assert theirs.sent_ts == sent.sent_ts  # re-keyed to the server's timestamp

    # Sam reacts and reads; Alice sees both on her message
    await sam.messenger.react(theirs, "👍")
    await sam.messenger.mark_read(theirs.conversation_id)

    async def alice_sees_reaction_and_read() -> bool:
        m = await alice.store.get_message(mine.id)
        return bool(m and m.reactions and m.status == "read")

    await wait_for(alice_sees_reaction_and_read, 15)
    m = await alice.store.get_message(mine.id)
    assert m is not None and m.reactions[0].emoji == "👍"

    # Sam replies quoting it; the quote resolves to Alice's message
    await sam.messenger.send(theirs.conversation_id, "hi alice", quote=theirs)

    async def alice_has_reply() -> bool:
        return await _only_message(alice, "hi alice") is not None

    await wait_for(alice_has_reply, 15)
    reply = await _only_message(alice, "hi alice")
    assert reply is not None and reply.quote is not None
    assert reply.quote.ts == sent.sent_ts and reply.quote.message_id == mine.id

    # Alice edits (edit_timestamp = the original) and then deletes for everyone
    m = await alice.store.get_message(mine.id)
    assert m is not None
    await alice.messenger.edit(m, "hello sam!!")

    async def sam_sees_edit() -> bool:
        t = await sam.store.get_message(theirs.id)
        return bool(t and t.edited and t.body == "hello sam!!")

    await wait_for(sam_sees_edit, 15)
    await alice.messenger.edit((await alice.store.get_message(mine.id)), "hello sam, again")  # type: ignore[arg-type]

    async def sam_sees_second_edit() -> bool:
        t = await sam.store.get_message(theirs.id)
        return bool(t and t.body == "hello sam, again")

    await wait_for(sam_sees_second_edit, 15)
    await alice.messenger.delete_for_everyone(await alice.store.get_message(mine.id))  # type: ignore[arg-type]

    async def sam_sees_delete() -> bool:
        t = await sam.store.get_message(theirs.id)
        return bool(t and t.deleted)

    await wait_for(sam_sees_delete, 15)


async def test_group_message_after_group_refresh(
    sim: Simulator, pair: tuple[Session, Session]
) -> None:
    alice, sam = pair
    gid = await alice.client.create_group(alice.account, "Climbing", [SAM])
    await alice.refresh_groups()
    conv = await alice.store.find_conversation(gid)
    assert conv is not None and conv.kind == "group" and conv.title == "Climbing"
    await alice.messenger.send(conv.id, "rope check")

    async def sam_has_it() -> bool:
        return await _only_message(sam, "rope check") is not None

    await wait_for(sam_has_it, 15)
    got = await _only_message(sam, "rope check")
    assert got is not None
    sam_conv = await sam.store.get_conversation(got.conversation_id)
    assert sam_conv is not None and sam_conv.address == gid

    # membership comes from the server's group list (refreshed on group updates)
    async def members_known() -> bool:
        members = await sam.store.group_members(got.conversation_id)
        return alice.account in {r.number for r, _admin in members}

    await wait_for(members_known, 15)


async def test_vote_in_a_poll(pair: tuple[Session, Session]) -> None:
    alice, sam = pair
    ts = await alice.client.create_poll(alice.account, SAM, "Lunch?", ["Pizza", "Sushi"])

    async def find_poll():  # type: ignore[no-untyped-def]
        for conv in await sam.store.list_conversations():
            for m in await sam.store.messages_before(conv.id):
                if m.poll is not None:
                    return m
        return None

    async def sam_has_poll() -> bool:
        return await find_poll() is not None

    await wait_for(sam_has_poll, 15)
    poll_msg = await find_poll()
    assert poll_msg is not None and poll_msg.poll is not None and poll_msg.sent_ts == ts
    await sam.messenger.vote(poll_msg, [1])  # "Sushi"

    async def counted() -> bool:
        m = await sam.store.get_message(poll_msg.id)
        return bool(m and m.poll and m.poll.options[1].votes == 1)

    await wait_for(counted, 15)  # shown at once (optimistic)

    async def vote_sent() -> bool:
        return any(i.kind == "vote" for i in await sam.store.outbox_items(["sent"]))

    await wait_for(vote_sent, 15)


async def test_typing_reaches_the_other_side(pair: tuple[Session, Session]) -> None:
    """Once per burst of keystrokes, and a stop, even when the contact's address changes
    (number -> UUID once the server reveals it) in between."""
    alice, sam = pair
    seen: list[bool] = []
    sam.on_typing(lambda conv, who, started: seen.append(started))
    conv = await alice.messenger.open_direct(SAM)
    await alice.messenger.send(conv.id, "psst")  # typing from a stranger opens no chat

    async def sam_has_chat() -> bool:
        return await _only_message(sam, "psst") is not None

    await wait_for(sam_has_chat, 15)
    for _ in range(5):  # keystrokes: one indicator goes out
        await alice.messenger.typing(conv.id, True)
    try:
        await wait_for(lambda: seen == [True], 10)
    except AssertionError:
        raise AssertionError(seen) from None
    await alice.messenger.typing(conv.id, False)
    try:
        await wait_for(lambda: seen == [True, False], 10)
    except AssertionError:
        raise AssertionError(seen) from None
