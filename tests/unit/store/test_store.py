"""Store behaviour a user notices: the list, paging, search, read state, contacts, notices."""

from __future__ import annotations

from ingest.envelopes import ALICE, ALICE_UUID, BOB, BOB_UUID, text

from signal_tui.store import Store
from signal_tui.store.models import Change


async def test_conversation_list_is_ordered_by_activity_with_summary(store: Store) -> None:
    await store.ingest_batch([text(1000, "from alice")])
    await store.ingest_batch([text(2000, "from bob", number=BOB, uuid=BOB_UUID, name="Bob")])
    await store.ingest_batch([text(500, "older alice message arriving late")])
    convs = await store.list_conversations()
    assert [(c.title, c.last_preview, c.unread) for c in convs] == [
        ("Bob", "from bob", 1),
        ("Alice", "from alice", 2),  # a late older message does not become the preview
    ]
    assert convs[1].address == ALICE_UUID and convs[1].number == ALICE
    assert [c.title for c in await store.list_conversations(query="bo")] == ["Bob"]
    assert [c.title for c in await store.list_conversations(query="%")] == []
    assert await store.unread_total() == 3


async def test_keyset_paging_both_ways_without_gaps(store: Store) -> None:
    await store.ingest_batch([text(1000 + i, f"m{i}") for i in range(120)])
    conv = (await store.list_conversations())[0]
    newest = await store.messages_before(conv.id, None, 50)
    assert [m.body for m in newest] == [f"m{i}" for i in range(70, 120)]
    older = await store.messages_before(conv.id, newest[0].cursor, 50)
    oldest = await store.messages_before(conv.id, older[0].cursor, 50)
    assert [m.body for m in oldest + older + newest] == [f"m{i}" for i in range(120)]
    assert await store.messages_before(conv.id, oldest[0].cursor, 50) == []
    forward = await store.messages_after(conv.id, oldest[-1].cursor, 30)
    assert [m.body for m in forward] == [f"m{i}" for i in range(20, 50)]
    context = await store.message_context(newest[0].id, before=2, after=2)
    assert [m.body for m in context] == ["m68", "m69", "m70", "m71", "m72"]
    exported = [m.body async for m in store.export_messages(conv.id)]
    assert exported == [f"m{i}" for i in range(120)]


async def test_search_newest_first_with_snippets_and_hostile_queries(store: Store) -> None:
    await store.ingest_batch(
        [
            text(1000, "Let us meet for pizza tonight"),
            text(2000, "pizzeria opened downtown"),
            text(3000, "no match here", number=BOB, uuid=BOB_UUID, name="Bob"),
        ]
    )
    hits = await store.search("pizz")
    assert [h.sent_ts for h in hits] == [2000, 1000]
    assert "\x02pizzeria\x03" in hits[0].snippet
    assert hits[0].conversation_title == "Alice" and hits[0].author_name == "Alice"
    for hostile in ['"', "pizza AND", "NEAR(", "body:x", "*", "' OR 1=1 --", "(((", ""]:
        assert isinstance(await store.search(hostile), list)
    bob = await store.find_conversation(BOB)
    assert bob is not None
    assert await store.search("pizza", conversation_id=bob.id) == []
    assert [h.sent_ts for h in await store.search("match", conversation_id=bob.id)] == [3000]


async def test_mark_read_up_to_a_message_returns_what_became_read(store: Store) -> None:
    await store.ingest_batch([text(1000 + i, f"m{i}") for i in range(5)])
    conv = (await store.list_conversations())[0]
    page = await store.messages_before(conv.id)
    read = await store.mark_read(conv.id, page[2].cursor)
    assert [m.body for m in read] == ["m0", "m1", "m2"]
    assert (await store.get_conversation(conv.id)).unread == 2
    assert await store.mark_read(conv.id, page[2].cursor) == []  # twice changes nothing
    assert [m.body for m in await store.mark_read(conv.id)] == ["m3", "m4"]
    assert await store.unread_total() == 0


async def test_change_notices_after_commit(store: Store) -> None:
    seen: list[list[Change]] = []
    unsubscribe = store.subscribe(seen.append)
    await store.ingest_batch([text(1000, "a"), text(1001, "b")])
    assert len(seen) == 1  # coalesced per transaction
    conv = (await store.list_conversations())[0]
    assert any(c.conversation_id == conv.id and "messages" in c.what for c in seen[0])
    # the subscriber can read the committed data
    unsubscribe()
    await store.ingest_batch([text(1002, "c")])
    assert len(seen) == 1


async def test_number_only_contact_merges_when_uuid_appears(store: Store) -> None:
    await store.ingest_batch([text(1000, "number only", uuid=None)])
    await store.ingest_batch([text(2000, "uuid only", number=None)])
    # uuid-only first: it must not merge into the number-only one yet (we cannot know)...
    convs = await store.list_conversations()
    assert len(convs) == 2
    # ...until an envelope shows both
    await store.ingest_batch([text(3000, "both")])
    convs = await store.list_conversations()
    assert len(convs) == 1
    conv = convs[0]
    assert conv.address == ALICE_UUID and conv.number == ALICE
    assert [m.body for m in await store.messages_before(conv.id)] == [
        "number only",
        "uuid only",
        "both",
    ]
    assert conv.unread == 3
    people = await store.recipients()
    assert [(r.uuid, r.number) for r in people] == [(ALICE_UUID, ALICE)]


async def test_strangers_without_numbers_are_never_merged(store: Store) -> None:
    await store.ingest_batch(
        [
            text(1000, "one", number=None, uuid=ALICE_UUID, name=None),
            text(1000, "two", number=None, uuid=BOB_UUID, name=None),
        ]
    )
    convs = await store.list_conversations()
    assert sorted(c.address for c in convs) == sorted([ALICE_UUID, BOB_UUID])
    assert all(c.title != "Unknown" for c in convs)


async def test_contacts_and_groups(store: Store) -> None:
    rec = await store.upsert_recipient(number=BOB, uuid=BOB_UUID, contact_name="Bobby")
    assert rec.display_name == "Bobby"
    rec = await store.upsert_recipient(uuid=BOB_UUID, nickname="B")
    assert rec.display_name == "B" and rec.contact_name == "Bobby"
    conv = await store.upsert_group(
        "group.abc", name="Climbing", description="Tuesdays", members=[BOB, ALICE_UUID],
        admins=[BOB], expiry_seconds=3600,
    )  # fmt: skip
    assert (conv.kind, conv.title, conv.member_count, conv.expiry_seconds) == (
        "group", "Climbing", 2, 3600,
    )  # fmt: skip
    members = await store.group_members(conv.id)
    assert sorted((r.display_name, admin) for r, admin in members) == [
        (ALICE_UUID, False), ("B", True),
    ]  # fmt: skip
    assert (await store.find_conversation("group.abc")).id == conv.id
    await store.set_conversation_blocked(conv.id, True)
    await store.set_conversation_expiry(conv.id, 0)
    again = await store.get_conversation(conv.id)
    assert again.blocked and again.expiry_seconds == 0
    direct = await store.ensure_direct(BOB_UUID)
    assert direct.title == "B" and (await store.ensure_direct(BOB)).id == direct.id
    stats = await store.stats()
    assert stats["conversations"] == 2 and stats["db_bytes"] > 0


async def test_cached_list_follows_every_kind_of_change(store: Store) -> None:
    await store.ingest_batch([text(1000, "hi")])
    first = await store.list_conversations()
    assert [c.title for c in first] == ["Alice"]
    await store.upsert_recipient(uuid=ALICE_UUID, nickname="Ally")  # a rename
    assert [c.title for c in await store.list_conversations()] == ["Ally"]
    group = await store.upsert_group("group.g1", name="Old name")
    await store.upsert_group("group.g1", name="New name")
    assert [c.title for c in await store.list_conversations()] == ["Ally", "New name"]
    await store.ingest_batch([text(5000, "bump", number=BOB, uuid=BOB_UUID, name="Bob")])
    listed = await store.list_conversations()
    assert [c.title for c in listed] == ["Bob", "Ally", "New name"]
    assert listed[0].unread == 1
    await store.mark_read(listed[0].id)
    assert (await store.list_conversations())[0].unread == 0
    assert [c.title for c in await store.list_conversations(limit=1)] == ["Bob"]
    assert group.id in {c.id for c in await store.list_conversations()}
