"""`signal-tui receive/send/export/stats` as real processes against the simulator."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from signal_tui.core.session import Session
from signal_tui.simulator.server import Simulator
from tests.e2e.conftest import make_config, start_sim, wait_for
from tests.e2e.envelopes import burst, contact

BATCH = 200  # poll_max_messages for the child: "at most one batch" is at most this many


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNAL_TUI_")}
    empty = tmp_path / "empty.toml"  # never the user's own file; a named file must exist
    empty.touch()
    env["SIGNAL_TUI_CONFIG"] = str(empty)
    env["SIGNAL_TUI_POLL_MAX_MESSAGES"] = str(BATCH)
    env["SIGNAL_TUI_SEND_INTERVAL"] = "0"
    env.update(extra)
    return env


def _args(sim: Simulator, data: Path) -> list[str]:
    return ["--url", sim.url, "--account", sim.primary_account, "--data-dir", str(data)]


def _db(data: Path, account: str) -> Path:
    safe = "".join(ch if ch.isalnum() else "_" for ch in account)
    return data / "accounts" / safe / "cache.sqlite3"


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(con.execute("SELECT count(*) FROM messages").fetchone()[0])
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0


async def _spawn(*args: str, env: dict[str, str], stdout: Any = asyncio.subprocess.DEVNULL):
    return await asyncio.create_subprocess_exec(
        sys.executable, *args, env=env, stdout=stdout, stderr=asyncio.subprocess.PIPE
    )


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def test_receive_once_prints_and_exits(sim: Simulator, tmp_path: Path) -> None:
    data = tmp_path / "data"
    account = sim.primary_account
    if sim.mode == "json-rpc":
        # nothing is queued for a socket that is not there: connect first, then inject
        proc = await _spawn(
            "-m",
            "signal_tui",
            "receive",
            "--json",
            *_args(sim, data),
            env=_env(tmp_path),
            stdout=asyncio.subprocess.PIPE,
        )
        await wait_for(lambda: sim.connected_sockets(account) > 0, 15)
        sim.inject(account, burst(account, 5))
    else:
        sim.inject(account, burst(account, 5))
        proc = await _spawn(
            "-m",
            "signal_tui",
            "receive",
            "--json",
            *_args(sim, data),
            env=_env(tmp_path),
            stdout=asyncio.subprocess.PIPE,
        )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    lines = [json.loads(line) for line in out.decode().splitlines()]
    assert sorted(x["body"] for x in lines) == sorted(f"m{i}" for i in range(5))


async def test_receive_unreachable_server_exits_with_error(tmp_path: Path) -> None:
    env = _env(tmp_path)
    proc = await _spawn(
        "-m",
        "signal_tui",
        "receive",
        "--url",
        "http://127.0.0.1:9",
        "--account",
        "+15550000001",
        "--data-dir",
        str(tmp_path / "d"),
        env=env,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 1
    assert b"unreachable" in err.lower()
    assert b"Traceback" not in err


async def test_missing_settings_are_named(tmp_path: Path) -> None:
    proc = await _spawn(
        "-m", "signal_tui", "receive", "--data-dir", str(tmp_path / "d"), env=_env(tmp_path)
    )
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2
    assert b"url" in err


@pytest.mark.parametrize("mode", ["normal"])
async def test_sigkill_during_burst_then_restart(sim: Simulator, tmp_path: Path) -> None:
    """kill -9 mid-burst: the cache is intact and at most the batch being written is lost."""
    n = 10_000
    data = tmp_path / "data"
    account = sim.primary_account
    db = _db(data, account)
    sim.inject(account, burst(account, n))
    proc = await _spawn(
        "-m", "signal_tui", "receive", "--follow", *_args(sim, data), env=_env(tmp_path)
    )
    await wait_for(lambda: _count(db) >= 1_500, 60, every=0.01)
    proc.send_signal(signal.SIGKILL)
    await proc.wait()
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    assert _count(db) < n, "the kill came too late to test anything"
    proc = await _spawn(
        "-m", "signal_tui", "receive", "--follow", *_args(sim, data), env=_env(tmp_path)
    )
    try:
        await wait_for(lambda: len(sim.world.accounts[account].queue) == 0, 60)
        await wait_for(lambda: _count(db) >= n - BATCH, 30)
        await asyncio.sleep(0.5)
        final = _count(db)
        assert n - BATCH <= final <= n
    finally:
        proc.send_signal(signal.SIGTERM)
        await proc.wait()


RUNNER = """
import asyncio, sys
from signal_tui.config import load_config
from signal_tui.cli import headless
cfg = load_config({"url": sys.argv[1], "account": sys.argv[2], "data_dir": sys.argv[3]})
fast = {"backoff_base": 0.1, "backoff_max": 0.4, "ping_interval": 2.0}
sys.exit(asyncio.run(headless.receive_cmd(cfg, follow=True, as_json=True, receiver_options=fast)))
"""


async def test_server_restarted_ten_times(mode: str, tmp_path: Path) -> None:
    """Reconnects every time, idles while the server is down, loses nothing delivered."""
    sim = await start_sim(mode, receive_idle_cap=0.2)  # short polls: quick stops
    url = sim.url
    port = int(url.rsplit(":", 1)[1])
    account = sim.primary_account
    data = tmp_path / "data"
    db = _db(data, account)
    proc = await _spawn("-c", RUNNER, url, account, str(data), env=_env(tmp_path))
    expected = 0
    idle_cpu = 0.0
    try:
        for cycle in range(10):
            if cycle:
                sim = await start_sim(mode, port, receive_idle_cap=0.2)
            if mode == "json-rpc":
                await wait_for(lambda s=sim: s.connected_sockets(account) > 0, 15)
            sim.inject(account, burst(account, 10, start=cycle * 10))
            expected += 10
            await wait_for(lambda e=expected: _count(db) >= e, 20)
            await sim.stop()
            before = _cpu_seconds(proc.pid)
            await asyncio.sleep(0.6)
            idle_cpu += _cpu_seconds(proc.pid) - before
        assert _count(db) == expected == 100
        assert proc.returncode is None, "the receiver must survive the restarts"
        assert idle_cpu < 0.1 * 10 * 0.6, f"busy while the server was down: {idle_cpu:.2f} s CPU"
        proc.send_signal(signal.SIGTERM)  # a clean stop, exit status 0
        assert await asyncio.wait_for(proc.wait(), 15) == 0
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            await proc.wait()
        await sim.stop()


async def test_send_exit_status(sim: Simulator, tmp_path: Path) -> None:
    data = tmp_path / "data"
    bob = contact(1)[0]
    proc = await _spawn(
        "-m", "signal_tui", "send", *_args(sim, data), "--to", bob, "hi there", env=_env(tmp_path)
    )
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    sim.faults.untrusted.add(bob)
    proc = await _spawn(
        "-m", "signal_tui", "send", *_args(sim, data), "--to", bob, "again", env=_env(tmp_path)
    )
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 1
    assert b"safety number" in err
    # stats and export read the same cache, offline
    proc = await _spawn(
        "-m",
        "signal_tui",
        "stats",
        "--json",
        "--account",
        sim.primary_account,
        "--data-dir",
        str(data),
        env=_env(tmp_path),
        stdout=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    stats = json.loads(out)
    assert stats["messages"] == 2
    proc = await _spawn(
        "-m",
        "signal_tui",
        "export",
        "--format",
        "json",
        "--account",
        sim.primary_account,
        "--data-dir",
        str(data),
        env=_env(tmp_path),
        stdout=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    doc = json.loads(out)
    bodies = [m["body"] for c in doc["conversations"] for m in c["messages"]]
    assert bodies == ["hi there", "again"]


@pytest.mark.parametrize("mode", ["json-rpc"])
async def test_sigkill_mid_burst_json_rpc_cache_intact_and_receiving_continues(
    sim: Simulator, tmp_path: Path
) -> None:
    """json-rpc: frames in flight at the kill are gone (the server keeps nothing for a socket
    that is not there), but the cache is intact and the next run receives everything new."""
    data = tmp_path / "data"
    account = sim.primary_account
    db = _db(data, account)
    proc = await _spawn(
        "-m", "signal_tui", "receive", "--follow", *_args(sim, data), env=_env(tmp_path)
    )
    await wait_for(lambda: sim.connected_sockets(account) > 0, 15)
    sim.inject(account, burst(account, 8_000))
    await wait_for(lambda: _count(db) >= 1_000, 60, every=0.01)
    proc.send_signal(signal.SIGKILL)
    await proc.wait()
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    before = _count(db)
    await wait_for(lambda: sim.connected_sockets(account) == 0, 15)  # the dead socket is gone
    proc = await _spawn(
        "-m", "signal_tui", "receive", "--follow", *_args(sim, data), env=_env(tmp_path)
    )
    try:
        await wait_for(lambda: sim.connected_sockets(account) > 0, 15)
        sim.inject(account, burst(account, 500, start=100_000))
        await wait_for(lambda: _count(db) >= before + 500, 30)
    finally:
        proc.send_signal(signal.SIGTERM)
        await proc.wait()


async def test_global_options_before_the_subcommand(sim: Simulator, tmp_path: Path) -> None:
    """`signal-tui --url U --account A send ...` as `--help` shows it (they used to be dropped:
    "no server URL configured")."""
    data = tmp_path / "data"
    bob = contact(1)[0]
    proc = await _spawn(
        "-m", "signal_tui", *_args(sim, data), "send", "--to", bob, "hi", env=_env(tmp_path)
    )
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    proc = await _spawn(
        "-m",
        "signal_tui",
        *_args(sim, data),
        "stats",
        "--json",
        env=_env(tmp_path),
        stdout=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    assert json.loads(out)["outbox"] == {"sent": 1}


async def test_a_named_config_file_that_does_not_exist(tmp_path: Path) -> None:
    missing = tmp_path / "typo.toml"
    proc = await _spawn(
        "-m",
        "signal_tui",
        "stats",
        "--account",
        "+15550000001",
        env=_env(tmp_path, SIGNAL_TUI_CONFIG=str(missing)),
    )
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 2
    assert f"config file not found: {missing}".encode() in err


def _read_one_line_then_close(args: list[str], env: dict[str, str]) -> tuple[bytes, int, bytes]:
    """Like `signal-tui ... | head -1`: read one line, close the pipe, see how the writer ends."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "signal_tui", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    line = proc.stdout.readline()
    proc.stdout.close()
    try:
        code = proc.wait(30)  # before reading stderr: a writer that never ends fails the test
        return line, code, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


async def test_export_into_a_pipe_that_closes_early(tmp_path: Path) -> None:
    account = "+15550000001"
    data = tmp_path / "data"
    session = Session(make_config("http://127.0.0.1:9", account, data))
    await session.open()
    try:  # far more than a pipe buffer holds: the writer is still writing when head leaves
        await session.store.ingest_batch(burst(account, 3_000))
    finally:
        await session.stop()
    for fmt in ("json", "markdown"):
        args = ["export", "--format", fmt, "--account", account, "--data-dir", str(data)]
        line, code, err = await asyncio.to_thread(_read_one_line_then_close, args, _env(tmp_path))
        assert line.strip()
        assert code == 0, err.decode()
        assert err == b""  # no BrokenPipeError traceback, no "Exception ignored" at exit


@pytest.mark.parametrize("mode", ["json-rpc"])
async def test_receive_follow_into_a_pipe_that_closes_early(sim: Simulator, tmp_path: Path) -> None:
    """`receive --follow | head -1` ends once it next writes, instead of receiving forever."""
    account = sim.primary_account
    data = tmp_path / "data"
    args = ["receive", "--follow", "--json", *_args(sim, data)]

    async def feed() -> None:
        await wait_for(lambda: sim.connected_sockets(account) > 0, 15)
        sim.inject(account, burst(account, 1))
        await wait_for(lambda: _count(_db(data, account)) >= 1, 15)
        for i in range(1, 40):  # after the reader has gone, more arrives to be printed
            await asyncio.sleep(0.25)
            sim.inject(account, burst(account, 1, start=i))

    feeder = asyncio.create_task(feed())
    try:
        line, code, err = await asyncio.to_thread(_read_one_line_then_close, args, _env(tmp_path))
    finally:
        feeder.cancel()
    assert json.loads(line)["body"] == "m0"
    assert code == 0, err.decode()
    assert b"Traceback" not in err and b"BrokenPipe" not in err
