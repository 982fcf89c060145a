"""Headless commands called in-process (the CLI calls exactly these)."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

from signal_tui.cli import headless
from signal_tui.core.session import Session
from signal_tui.simulator.server import Simulator
from tests.e2e.conftest import connected, make_config, wait_for
from tests.e2e.envelopes import contact, data_envelope


async def test_send_to_a_server_that_is_down_stays_queued(tmp_path: Path) -> None:
    config = make_config("http://127.0.0.1:9", "+15550000001", tmp_path / "d")
    code = await headless.send_cmd(
        config,
        to=[contact(1)[0]],
        attach=[],
        text="later",
        wait=0.5,
        outbox_options={"retry_base": 0.05, "retry_max": 0.1},
    )
    assert code == headless.EXIT_QUEUED  # kept on disk, sent by the next run
    session = Session(config)
    await session.open()
    try:
        (item,) = await session.store.outbox_items(["queued"])
        assert item.body == "later"
    finally:
        await session.stop()


async def test_send_with_attachment_and_export(sim: Simulator, tmp_path: Path) -> None:
    config = make_config(sim.url, sim.primary_account, tmp_path / "d")
    note = tmp_path / "note.txt"
    note.write_text("hello file")
    code = await headless.send_cmd(config, to=[contact(1)[0]], attach=[note], text="*see* [file]")
    assert code == headless.EXIT_SENT
    # someone answers with hostile markdown and a terminal escape
    session = Session(config)
    await session.start(send=False)
    await connected(session, sim)
    sim.inject(
        session.account,
        data_envelope(session.account, sender=1, text="# not a heading\n\x1b[31mred [x](http://e)"),
    )

    async def arrived() -> bool:
        return bool(await session.store.search("heading"))

    await wait_for(arrived, 10)
    await session.stop()
    out = io.StringIO()
    assert (
        await headless.export_cmd(config, conversation=contact(1)[0], fmt="markdown", out=out) == 0
    )
    text = out.getvalue()
    assert "\\*see\\* \\[file\\]" in text and "[attachment: note.txt]" in text
    assert "\\# not a heading" in text and "\x1b" not in text
    assert "\\[x\\]\\(http://e\\)" in text
    out = io.StringIO()
    assert await headless.export_cmd(config, conversation=None, fmt="json", out=out) == 0
    doc = json.loads(out.getvalue())
    (conv,) = doc["conversations"]
    mine = next(m for m in conv["messages"] if m["outgoing"])
    assert mine["body"] == "*see* [file]" and mine["status"] in ("sent", "delivered", "read")
    assert mine["attachments"][0]["filename"] == "note.txt"
    assert len(conv["messages"]) == 2
    out = io.StringIO()
    assert await headless.stats_cmd(config, as_json=False, out=out) == 0
    assert "messages: 2" in out.getvalue()


async def test_export_unknown_conversation_is_an_error(tmp_path: Path) -> None:
    config = make_config("http://127.0.0.1:9", "+15550000001", tmp_path / "d")
    try:
        await headless.export_cmd(config, conversation="+19999999999", fmt="json")
    except headless.HeadlessError as exc:
        assert "no conversation" in str(exc)
    else:
        raise AssertionError("expected HeadlessError")


async def _receive(sim: Simulator, config, items: list, *, as_json: bool) -> str:
    """`receive` (without --follow) in-process while `items` arrive; what it printed."""
    out = io.StringIO()
    if sim.mode == "json-rpc":  # nothing is queued for a socket that is not there
        task = asyncio.create_task(
            headless.receive_cmd(config, follow=False, as_json=as_json, out=out)
        )
        await wait_for(lambda: sim.connected_sockets(config.account) > 0, 15)
        sim.inject(config.account, items)
        assert await asyncio.wait_for(task, 30) == 0
    else:
        sim.inject(config.account, items)
        assert await headless.receive_cmd(config, follow=False, as_json=as_json, out=out) == 0
    return out.getvalue()


async def test_mentions_read_as_names_in_receive_and_export(sim: Simulator, tmp_path: Path) -> None:
    config = make_config(sim.url, sim.primary_account, tmp_path / "d")
    account = config.account
    carol, carol_uuid = contact(2)
    stranger = "+15550009999"

    def mention(number: str, uuid: str | None, start: int) -> dict:
        return {"name": number, "number": number, "uuid": uuid, "start": start, "length": 1}

    body = "\ufffc and \ufffc: climbing?"
    items = [
        data_envelope(account, sender=2, text="I'm in"),  # "Contact 2", as the server says
        data_envelope(
            account,
            sender=1,
            text=body,
            extra={"mentions": [mention(carol, carol_uuid, 0), mention(stranger, None, 6)]},
        ),
    ]
    printed = await _receive(sim, config, items, as_json=False)
    assert f"@Contact 2 and @{stranger}: climbing?" in printed and "\ufffc" not in printed
    again = [
        data_envelope(
            account, sender=1, text="\ufffc?", extra={"mentions": [mention(carol, carol_uuid, 0)]}
        )
    ]
    (line,) = [
        json.loads(x) for x in (await _receive(sim, config, again, as_json=True)).splitlines()
    ]
    assert line["body"] == "\ufffc?" and line["text"] == "@Contact 2?"  # body as received
    assert line["mentions"] == [{"start": 0, "length": 1, "name": "Contact 2"}]

    out = io.StringIO()
    assert (
        await headless.export_cmd(config, conversation=contact(1)[0], fmt="markdown", out=out) == 0
    )
    text = out.getvalue()
    assert f"@Contact 2 and @\\{stranger}: climbing?" in text and "@Contact 2?" in text
    assert "\ufffc" not in text
    out = io.StringIO()
    assert await headless.export_cmd(config, conversation=contact(1)[0], fmt="json", out=out) == 0
    (conv,) = json.loads(out.getvalue())["conversations"]
    assert [m["text"] for m in conv["messages"]] == [
        f"@Contact 2 and @{stranger}: climbing?",
        "@Contact 2?",
    ]
    assert conv["messages"][0]["body"] == body
