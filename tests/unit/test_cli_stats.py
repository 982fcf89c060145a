"""`signal-tui stats`: the outbox line counts messages the user sent, not read receipts."""

from __future__ import annotations

import io
import json
from pathlib import Path

from signal_tui.cli import headless
from signal_tui.config import Config
from signal_tui.core.session import Session
from tests.e2e.envelopes import contact, data_envelope

ACCOUNT = "+15550000001"


async def test_outbox_counts_only_messages_the_user_sent(tmp_path: Path) -> None:
    config = Config(account=ACCOUNT, data_dir=tmp_path / "d", config_file=tmp_path / "c.toml")
    session = Session(config)
    await session.open()
    try:
        store, messenger = session.store, session.messenger
        await store.ingest_batch([data_envelope(ACCOUNT, sender=1, text=f"m{i}") for i in range(3)])
        conv = await store.find_conversation(contact(1)[0])
        assert conv is not None
        await messenger.mark_read(conv.id)  # three read receipts into the outbox
        first = await messenger.send(conv.id, "hello")
        await messenger.send(conv.id, "still queued")
        items = await store.outbox_items()
        assert sorted(i.kind for i in items) == ["receipt"] * 3 + ["send"] * 2
        for item in items:  # the receipts and the first message went out
            if item.kind == "receipt" or item.message_id == first.id:
                await store.outbox_sent(item.id, first.sent_ts + item.id)
    finally:
        await session.stop()

    out = io.StringIO()
    assert await headless.stats_cmd(config, as_json=True, out=out) == 0
    stats = json.loads(out.getvalue())
    assert stats["outbox"] == {"queued": 1, "sent": 1}
    assert stats["messages"] == 5
    out = io.StringIO()
    assert await headless.stats_cmd(config, as_json=False, out=out) == 0
    assert "outbox: queued 1, sent 1\n" in out.getvalue()
