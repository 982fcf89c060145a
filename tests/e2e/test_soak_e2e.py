"""A short soak (issue 12): the receiver behind a fault-injecting proxy, in both server modes.

Slow answers, 500/502 with HTML pages, garbage and truncated JSON, resets mid-body, garbage
WebSocket frames and abrupt closes: every message the client was handed is stored exactly once,
the receiver recovers to "connected", never crashes, and what it reports are sentences. The long
version with figures is tests/bench/soak.py.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from pathlib import Path

import pytest

from signal_tui.core.session import Session
from signal_tui.simulator.server import Simulator
from tests.e2e.conftest import FAST_OUTBOX, FAST_RECEIVER, make_config, start_sim, wait_for
from tests.soak.faultproxy import HTTP_FAULTS, FaultPlan, FaultProxy, stored_texts
from tests.soak.watch import problems_in

SENDERS = 5
TRICKLE = 40  # messages, one every TRICKLE_EVERY seconds, round robin over SENDERS contacts
TRICKLE_EVERY = 0.15
BURSTS = (25, 25)  # plus two bursts (one contact, back to back)
# every kind of HTTP fault early (each followed by a good answer), random ones after that
SCRIPT = tuple(k for kind in HTTP_FAULTS for k in (kind, "pass"))
PLAN = FaultPlan(
    seed=12,
    http={kind: 0.07 for kind in HTTP_FAULTS},
    slow_seconds=(0.2, 0.8),
    ws_junk_every=(0.1, 0.4),
    ws_life=(0.8, 2.0),
    script=SCRIPT,
)


async def test_faults_lose_nothing_and_the_receiver_recovers(
    mode: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    sim = await start_sim(mode, receive_idle_cap=0.2)  # short polls: many requests to fault
    proxy = FaultProxy(sim.url, PLAN)
    url = await proxy.start()
    config = make_config(url, sim.primary_account, tmp_path / "data")
    session = Session(
        config, receiver_options=dict(FAST_RECEIVER), outbox_options=dict(FAST_OUTBOX)
    )
    states: list[str] = []
    errors: list[str] = []

    def on_state(state: object) -> None:
        states.append(state.state)  # type: ignore[attr-defined]
        if state.error:  # type: ignore[attr-defined]
            errors.append(state.describe())  # type: ignore[attr-defined]

    session.subscribe_state(on_state)
    await session.open()
    try:
        await session.start(send=False)
        sent = await _send_under_faults(sim, session.account)
        proxy.enabled = False  # the network heals

        await wait_for(lambda: session.receiver_state.state == "connected", 15)
        if mode == "json-rpc":
            await wait_for(lambda: sim.connected_sockets(session.account) > 0, 15)

        async def all_landed() -> bool:  # normal: everything; json-rpc: what the socket carried
            expected = sent if mode == "normal" else proxy.forwarded_texts()
            stored = await _stored(session)
            return all(stored[t] >= 1 for t in expected)

        await wait_for(all_landed, 20)
        await asyncio.sleep(0.3)  # anything late (a duplicate, a stray frame) lands now
        stored = await _stored(session)
        forwarded = proxy.forwarded_texts()
        assert session.receiver_state.state == "connected", session.receiver_state
        receiver_task = session._receiver_task
        assert receiver_task is not None and not receiver_task.done(), "the receiver died"
        assert session.receiver_error is None
    finally:
        await session.stop()
        await proxy.stop()
        await sim.stop()

    # nothing the client was handed is lost, nothing is stored twice, nothing is invented
    assert not proxy.destroyed  # body faults are fabricated before the request goes upstream
    assert max(forwarded.values(), default=1) == 1, "the server sent a message twice"
    assert set(stored) <= set(sent), set(stored) - set(sent)
    assert all(n == 1 for n in stored.values()), [t for t, n in stored.items() if n > 1]
    missing = [t for t in forwarded if t not in stored]
    assert not missing, f"{len(missing)} messages handed to the client are not in the cache"
    if mode == "json-rpc":
        # what arrived while no socket was attached is dropped by the server (as the real one
        # does, rest-api-notes §2b), never by the client: it never reached the proxy
        assert set(stored) == set(forwarded)
        assert len(stored) >= 10, (len(stored), len(sent))  # the socket did carry messages
        assert proxy.faults["ws_abrupt_close"] >= 2
        assert sum(proxy.faults[k] for k in ("ws_garbage_text", "ws_binary", "ws_invalid_json"))
        assert proxy.ws_connections >= 3  # it reconnected after every abrupt close
    else:
        assert set(stored) == set(sent), "normal mode: faults on polls must not lose messages"
        assert all(proxy.faults[k] >= 1 for k in HTTP_FAULTS), proxy.faults
    assert states.count("reconnecting") >= 2  # the faults were felt ...
    assert errors, "no error was reported to the user"
    bad = {e: problems_in(e) for e in errors if problems_in(e)}
    assert not bad, bad  # ... and reported as sentences
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [
        r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR
    ]


async def _send_under_faults(sim: Simulator, account: str) -> Counter[str]:
    """A trickle from several contacts with two bursts in it; returns the texts sent."""
    acct = sim.world.accounts[account]
    people = [sim.world.find(f"+1555{7000000 + i:07d}") for i in range(1, SENDERS + 1)]
    sent: Counter[str] = Counter()
    n = 0
    deadline = time.monotonic() + 30
    for i in range(TRICKLE):
        if i in (TRICKLE // 3, 2 * TRICKLE // 3):
            for _ in range(BURSTS[0 if i < TRICKLE // 2 else 1]):
                text = f"soak {n}"
                sim.contact_says(acct, people[0], text)
                sent[text] += 1
                n += 1
        text = f"soak {n}"
        sim.contact_says(acct, people[i % SENDERS], text)
        sent[text] += 1
        n += 1
        assert time.monotonic() < deadline
        await asyncio.sleep(TRICKLE_EVERY)
    return sent


async def _stored(session: Session) -> Counter[str]:
    """Bodies of the soak messages in the cache, read from the SQLite file itself."""
    return await asyncio.to_thread(stored_texts, session.cache_path)


async def test_receive_behind_a_failing_reverse_proxy_says_so_in_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`signal-tui receive` (no --follow) when every answer is a proxy's 502 page: exit 1 and
    one sentence naming the page on stderr, not the HTML itself."""
    from signal_tui.cli.headless import receive_cmd

    sim = await start_sim("normal")
    proxy = FaultProxy(sim.url, FaultPlan(http={"http502_html": 1.0}))
    url = await proxy.start()
    try:
        config = make_config(url, sim.primary_account, tmp_path / "data")
        code = await asyncio.wait_for(
            receive_cmd(config, follow=False, as_json=False, receiver_options=dict(FAST_RECEIVER)),
            30,
        )
    finally:
        await proxy.stop()
        await sim.stop()
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err and err[-1].startswith("signal-tui: The server answered 502 with a web page")
    assert '"502 Bad Gateway"' in err[-1]
    assert not problems_in(err[-1]), err[-1]
