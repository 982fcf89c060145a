"""`signal-tui send --to A --to B ...`: one line per recipient and an exit status by rule
(the one `signal-tui send --help` states: the outcome all recipients share, else 5)."""

from __future__ import annotations

import asyncio
import io
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from signal_tui.cli import headless, main
from signal_tui.core.session import Session
from signal_tui.simulator.server import Simulator
from tests.e2e.conftest import make_config, sends
from tests.e2e.envelopes import contact

NOBODY = "+15550009999"  # not on the simulated network
NOBODY_TOO = "+15550009998"


async def _send(config: Any, to: list[str], text: str = "hi all") -> tuple[int, dict[str, str]]:
    out = io.StringIO()
    code = await headless.send_cmd(config, to=to, attach=[], text=text, wait=15, out=out)
    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines())
    return code, lines


async def test_one_recipient_not_on_signal_does_not_stop_the_others(
    sim: Simulator, tmp_path: Path
) -> None:
    config = make_config(sim.url, sim.primary_account, tmp_path / "d")
    alice, bob = contact(1)[0], contact(2)[0]
    code, lines = await _send(config, [alice, NOBODY, bob])
    assert code == headless.EXIT_PARTIAL == 5
    assert list(lines) == [alice, NOBODY, bob]  # in the order given
    assert lines[alice] == "sent" and lines[bob] == "sent"
    assert lines[NOBODY].startswith("failed: ") and "not on Signal" in lines[NOBODY]
    assert sends(sim) == 1  # one multi-recipient send reached both

    session = Session(config)
    await session.open()
    try:
        for who in (alice, bob):
            conv = await session.store.find_conversation(who)
            assert conv is not None
            (mine,) = await session.store.messages_before(conv.id)
            assert mine.status == "sent" and mine.body == "hi all"
        assert await session.store.find_conversation(NOBODY) is None
    finally:
        await session.stop()


async def test_a_known_number_that_left_signal_fails_alone(sim: Simulator, tmp_path: Path) -> None:
    """The cache knows the number (so no lookup stops it): the server's per-recipient answer
    fails its copy, the others are sent; also when it is the batch's first recipient."""
    config = make_config(sim.url, sim.primary_account, tmp_path / "d")
    alice, bob = contact(1)[0], contact(2)[0]
    session = Session(config)
    await session.open()
    try:
        await session.store.ensure_direct(NOBODY, number=NOBODY, name="Gone")
    finally:
        await session.stop()
    code, lines = await _send(config, [NOBODY, alice, bob])
    assert code == headless.EXIT_PARTIAL
    assert lines[alice] == lines[bob] == "sent"
    assert lines[NOBODY].startswith("failed: ") and "not on Signal" in lines[NOBODY]
    assert sends(sim) == 1


async def test_every_recipient_shares_the_outcome(sim: Simulator, tmp_path: Path) -> None:
    config = make_config(sim.url, sim.primary_account, tmp_path / "d")
    alice, bob = contact(1)[0], contact(2)[0]
    code, lines = await _send(config, [alice, bob, alice])  # the same one twice: once
    assert (code, lines) == (headless.EXIT_SENT, {alice: "sent", bob: "sent"})
    code, lines = await _send(config, [NOBODY, NOBODY_TOO, "not-a-number"])
    assert code == headless.EXIT_FAILED
    assert all(line.startswith("failed: ") for line in lines.values()) and len(lines) == 3
    assert sends(sim) == 1


async def test_a_group_and_people_together(sim: Simulator, tmp_path: Path) -> None:
    config = make_config(sim.url, sim.primary_account, tmp_path / "d")
    alice, bob = contact(1)[0], contact(2)[0]
    session = Session(config)
    await session.open()
    try:
        sim.world.accounts[sim.primary_account].person.given_name = "Me"  # groups want a profile
        gid = await session.client.create_group(session.account, "Crew", [alice, bob])
    finally:
        await session.stop()
    code, lines = await _send(config, [gid, alice, "group.bm90LWEtZ3JvdXA="])
    assert code == headless.EXIT_PARTIAL
    assert lines[gid] == "sent" and lines[alice] == "sent"
    assert lines["group.bm90LWEtZ3JvdXA="].startswith("failed: unknown group")


async def test_the_command_line_prints_a_line_each_and_exits_5(
    sim: Simulator, tmp_path: Path
) -> None:
    (tmp_path / "empty.toml").touch()  # never the user's own config file
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNAL_TUI_")}
    env.update(SIGNAL_TUI_CONFIG=str(tmp_path / "empty.toml"), SIGNAL_TUI_SEND_INTERVAL="0")
    alice = contact(1)[0]
    args = ["--url", sim.url, "--account", sim.primary_account, "--data-dir", str(tmp_path / "d")]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "signal_tui",
        "send",
        *args,
        "--to",
        alice,
        "--to",
        NOBODY,
        "hello",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 5, err.decode()
    lines = out.decode().splitlines()
    assert lines[0] == f"{alice}: sent"
    assert lines[1].startswith(f"{NOBODY}: failed: ") and "not on Signal" in lines[1]


def test_send_help_states_the_rule(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["send", "--help"])
    text = capsys.readouterr().out
    assert "one line per recipient" in text and "5  the recipients' outcomes differ" in text
