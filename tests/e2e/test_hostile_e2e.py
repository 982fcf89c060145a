"""Hostile input through the whole path: simulator -> receiver -> ingest -> downloads -> cache."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from signal_tui.core.errors import ActionError
from signal_tui.core.session import Session
from signal_tui.simulator.server import Simulator
from tests.e2e.conftest import connected, message_count, wait_for
from tests.e2e.envelopes import data_envelope, hostile


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


async def test_hostile_envelopes_never_break_the_receiver(
    sim: Simulator, session: Session, tmp_path: Path
) -> None:
    account = session.account
    sim.world.attachments["evil0000000000000001.txt"] = b"#!/bin/sh\necho pwned\n"
    outside_before = _files_under(tmp_path) - _files_under(session.data_dir)
    await session.start(send=False)
    await connected(session, sim)
    sim.inject(account, hostile(account, "evil0000000000000001.txt"))
    # a normal message after the hostile ones proves the receiver is still alive
    sim.inject(account, data_envelope(account, sender=9, text="still here"))

    async def arrived() -> bool:
        hits = await session.store.search("still here")
        return bool(hits)

    await wait_for(arrived, 20)
    assert session.receiver_state.state == "connected"
    assert session.attachments is not None
    await session.attachments.drain(limit=10)
    # nothing was written outside the account's data dir
    outside_after = _files_under(tmp_path) - _files_under(session.data_dir)
    assert outside_after == outside_before
    downloaded = list((session.data_dir / "attachments").glob("*evil*"))
    assert len(downloaded) == 1 and downloaded[0].read_bytes().startswith(b"#!/bin/sh")
    assert (downloaded[0].stat().st_mode & 0o777) == 0o600
    # the duplicate was stored once; the 200 KB text is there in full
    dup = await session.store.search("duplicate")
    assert len(dup) == 1
    convs = await session.store.list_conversations()
    assert convs, "conversations exist"
    assert await message_count(session) >= 5


async def test_received_image_is_downloaded_thumbnailed_and_freed_on_the_server(
    sim: Simulator, session: Session
) -> None:
    account = session.account
    buf = io.BytesIO()
    Image.new("RGB", (900, 600), (10, 120, 200)).save(buf, format="JPEG")
    sim.world.attachments["photo0000000000000001.jpg"] = buf.getvalue()
    att = {
        "contentType": "image/jpeg",
        "filename": "holiday.jpg",
        "id": "photo0000000000000001.jpg",
        "size": len(buf.getvalue()),
        "width": 900,
        "height": 600,
        "caption": None,
        "uploadTimestamp": 1,
    }
    await session.start(send=False)
    await connected(session, sim)
    sim.inject(account, data_envelope(account, sender=3, text="look", extra={"attachments": [att]}))

    async def done() -> bool:
        hits = await session.store.search("look")
        if not hits:
            return False
        msg = await session.store.get_message(hits[0].message_id)
        return bool(msg and msg.attachments and msg.attachments[0].state == "done")

    await wait_for(done, 20)
    hits = await session.store.search("look")
    msg = await session.store.get_message(hits[0].message_id)
    assert msg is not None
    a = msg.attachments[0]
    _check_download(a.local_path, a.thumbnail_path, session.data_dir, buf.getvalue())
    await wait_for(lambda: "photo0000000000000001.jpg" not in sim.world.attachments, 5)
    # "save as": sanitized name inside the chosen folder, never overwriting
    folder = session.data_dir.parent / "Downloads"
    first = await session.messenger.save_attachment(a.id, folder)
    second = await session.messenger.save_attachment(a.id, folder)
    assert (first.name, second.name) == ("holiday.jpg", "holiday (2).jpg")
    # view-once: shown once, then the local file is gone and cannot come back
    await session.messenger.viewed_once(a.id)
    assert not _exists(a.local_path)
    with pytest.raises(ActionError):
        await session.messenger.download(a.id)


async def test_attachment_missing_on_the_server_is_marked_failed(
    sim: Simulator, session: Session
) -> None:
    account = session.account
    att = {
        "contentType": "image/png",
        "filename": "gone.png",
        "id": "gone0000000000000001.png",
        "size": 10,
        "width": None,
        "height": None,
        "caption": None,
        "uploadTimestamp": 1,
    }
    await session.start(send=False)
    await connected(session, sim)
    sim.inject(account, data_envelope(account, sender=4, text="lost", extra={"attachments": [att]}))

    async def failed() -> bool:
        hits = await session.store.search("lost")
        msg = await session.store.get_message(hits[0].message_id) if hits else None
        return bool(msg and msg.attachments and msg.attachments[0].state == "failed")

    await wait_for(failed, 15)
    hits = await session.store.search("lost")
    msg = await session.store.get_message(hits[0].message_id)
    assert msg is not None
    with pytest.raises(ActionError) as err:
        await session.messenger.download(msg.attachments[0].id)
    assert err.value.kind == "not_found"


def _exists(path: str | None) -> bool:
    return bool(path) and Path(str(path)).exists()


def _check_download(local: str | None, thumb: str | None, data_dir: Path, data: bytes) -> None:
    assert local and Path(local).parent == data_dir / "attachments"
    assert Path(local).read_bytes() == data
    assert (os.stat(local).st_mode & 0o777) == 0o600
    assert thumb and Path(thumb).exists()
    with Image.open(thumb) as image:
        assert max(image.size) <= 320
