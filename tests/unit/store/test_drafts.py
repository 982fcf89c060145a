"""Drafts: one per conversation, kept across a restart, cleared by an empty body, gone with the chat."""

from __future__ import annotations

from pathlib import Path

from signal_tui.store import Store

from .conftest import ME


async def test_drafts_survive_a_restart_and_clear_when_empty(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    store = await Store.open(path, account=ME)
    changes: list[object] = []
    store.subscribe(changes.append)
    alice = await store.ensure_direct("+4915112345678", name="Alice")
    bob = await store.ensure_direct("+4915187654321", name="Bob")
    changes.clear()
    await store.save_draft(alice.id, "half a thought\nand a second line")
    await store.save_draft(bob.id, "for Bob")
    await store.save_draft(bob.id, "for Bob, revised")
    assert changes == []  # a keystroke's draft save repaints nothing
    await store.close()

    store = await Store.open(path, account=ME)
    try:
        assert await store.get_draft(alice.id) == "half a thought\nand a second line"
        assert await store.get_draft(bob.id) == "for Bob, revised"
        assert await store.drafts() == {
            alice.id: "half a thought\nand a second line",
            bob.id: "for Bob, revised",
        }
        await store.save_draft(bob.id, "   \n")  # blank: the draft is gone
        assert await store.get_draft(bob.id) == ""
        assert set(await store.drafts()) == {alice.id}
    finally:
        await store.close()
