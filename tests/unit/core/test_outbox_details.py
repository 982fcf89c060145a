"""The outbox worker keeps failure details with the row: a new Outbox on the reopened file knows them.

A real Store on a SQLite file in tmp_path; the client is a stand-in that answers `send` the way
the server does for a partly delivered message (no simulator needed for that shape).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from signal_tui.api.errors import RecipientFailure
from signal_tui.api.models import SendResult
from signal_tui.core.outbox import Failure, Outbox
from signal_tui.store import Store

ME = "+4917600000000"
ALICE = "+4915112345678"
BOB = "+4915112345679"


class _PartlyDelivered:
    """`send` reaches Alice but not Bob (his safety number changed)."""

    def __init__(self) -> None:
        self.sends = 0

    async def send(self, number: str, recipients: list[str], message: str | None = None,
                   **kwargs: Any) -> SendResult:  # fmt: skip
        self.sends += 1
        return SendResult(7_000, (RecipientFailure(BOB, "IDENTITY_FAILURE"),))


async def test_partial_failure_details_are_known_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    client = _PartlyDelivered()
    store = await Store.open(path, account=ME)
    try:
        conv = await store.ensure_direct(ALICE)
        _msg, item = await store.add_outgoing(conv.id, "hi both", recipients=[ALICE, BOB])
        outbox = Outbox(store, client, ME, min_interval=0)  # type: ignore[arg-type]
        assert await outbox.process_one()
        seen = outbox.failures[item.id]
        assert (seen.kind, seen.recipients) == ("untrusted_identity", (BOB,))
    finally:
        await store.close()

    store = await Store.open(path, account=ME)
    try:
        [row] = await store.outbox_items(["sent"])
        assert row.details == seen.to_dict()
        again = Outbox(store, client, ME, min_interval=0)  # type: ignore[arg-type]
        assert again.failures == {}
        await again.start()
        await again.stop()
        assert again.failures == {item.id: seen}
        assert client.sends == 1
    finally:
        await store.close()


async def test_an_unknown_action_fails_with_its_reason_stored(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "cache.sqlite3", account=ME)
    try:
        item = await store.outbox_add("bogus", {"recipient": ALICE})
        outbox = Outbox(store, _PartlyDelivered(), ME, min_interval=0)  # type: ignore[arg-type]
        assert await outbox.process_one()
        [failed] = await store.outbox_items(["failed"])
        assert failed.id == item.id and failed.error == "Unknown outbox action 'bogus'"
        assert Failure.from_dict(failed.details) == Failure(
            "error", "Unknown outbox action 'bogus'"
        )
    finally:
        await store.close()
