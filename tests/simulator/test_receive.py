"""Receive: at-most-once GET polling in normal mode, WebSocket frames (and drops) in json-rpc mode."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest
from websockets.asyncio.client import connect

from signal_tui.simulator import Simulator
from tests.simulator.conftest import ME, SAM, StartSim, drain, wait_sockets


def ws_url(sim: Simulator, number: str) -> str:
    return sim.url.replace("http://", "ws://") + f"/v1/receive/{number}"


async def test_normal_receive_is_text_plain_and_removes_what_it_returns(
    start_sim: StartSim,
) -> None:
    sim, client = await start_sim(mode="normal", scenario="empty")
    sim.incoming_text(ME, ME, "note to self")
    r = await client.get(f"/v1/receive/{ME}", params={"timeout": 0})
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    items = json.loads(r.text)
    assert [i["envelope"]["dataMessage"]["message"] for i in items] == ["note to self"]
    assert await drain(client) == []  # never the same envelope twice


async def test_max_messages_and_escaped_number(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal", scenario="empty")
    sim.inject(ME, [{"envelope": {"timestamp": i}, "account": ME} for i in range(5)])
    r = await client.get("/v1/receive/%2B15550000001", params={"timeout": 0, "max_messages": 2})
    assert [i["envelope"]["timestamp"] for i in r.json()] == [0, 1]
    rest = await drain(client)
    assert [i["envelope"]["timestamp"] for i in rest] == [2, 3, 4]


async def test_idle_timeout_waits_for_the_next_envelope(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal", scenario="empty", receive_idle_cap=None)
    loop = asyncio.get_running_loop()
    loop.call_later(0.3, sim.inject, ME, {"timestamp": 1})
    start = time.monotonic()
    r = await client.get(f"/v1/receive/{ME}", params={"timeout": 1})
    elapsed = time.monotonic() - start
    assert [i["envelope"]["timestamp"] for i in r.json()] == [1]
    assert 1.2 <= elapsed < 2.5  # arrival at 0.3 s, then one idle second


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ({"timeout": "abc"}, "Couldn't process request - timeout needs to be numeric!"),
        ({"max_messages": "x"}, "Couldn't process request - max_messages needs to be numeric!"),
        ({"ignore_attachments": "yes"}, "parameter needs to be either 'true' or 'false'"),
    ],
)
async def test_receive_query_errors(start_sim: StartSim, query: dict, text: str) -> None:
    _, client = await start_sim(mode="normal", scenario="empty")
    r = await client.get(f"/v1/receive/{ME}", params=query)
    assert r.status_code == 400 and text in r.json()["error"]


async def test_unregistered_number_texts(start_sim: StartSim) -> None:
    _, normal = await start_sim(mode="normal", scenario="empty")
    r = await normal.get("/v1/receive/%2B4912345", params={"timeout": 0})
    assert r.json() == {"error": "User +4912345 is not registered.\n"}


async def test_plain_get_in_json_rpc_mode_is_a_non_json_400(start_sim: StartSim) -> None:
    _, client = await start_sim(mode="json-rpc", scenario="empty")
    r = await client.get(f"/v1/receive/{ME}")
    assert r.status_code == 400
    assert r.text.startswith("Bad Request\n{")
    with pytest.raises(ValueError):
        json.loads(r.text)


async def test_websocket_frames_only_for_that_account_and_dropped_without_socket(
    start_sim: StartSim,
) -> None:
    sim, _ = await start_sim(mode="json-rpc", scenario="demo")
    sim.incoming_text(ME, "+15550100001", "lost: nobody listening")
    async with connect(ws_url(sim, ME)) as ws:
        history = []
        while sim.world.accounts[ME].history is None and len(history) < 1:
            history.append(json.loads(await ws.recv()))
        # the demo history arrives first on the first connection; skip it
        while True:
            try:
                history.append(json.loads(await asyncio.wait_for(ws.recv(), 0.5)))
            except TimeoutError:
                break
        assert len(history) > 200
        assert all(h["account"] == ME for h in history)
        assert all("lost" not in json.dumps(h) for h in history)
        sim.incoming_text(SAM, "+15550100002", "for Sam only")
        sim.incoming_text(ME, "+15550100001", "live")
        frame = json.loads(await asyncio.wait_for(ws.recv(), 2))
        assert set(frame) == {"envelope", "account"} and frame["account"] == ME
        assert frame["envelope"]["dataMessage"]["message"] == "live"
    async with connect(ws_url(sim, ME)) as ws:  # second connection: no history again
        await wait_sockets(sim)
        sim.incoming_text(ME, "+15550100001", "second")
        frame = json.loads(await asyncio.wait_for(ws.recv(), 2))
        assert frame["envelope"]["dataMessage"]["message"] == "second"


async def test_several_sockets_each_get_a_copy_and_get_never_returns(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="json-rpc", scenario="empty")
    async with connect(ws_url(sim, ME)) as a, connect(ws_url(sim, ME)) as b:
        await wait_sockets(sim, ME, 2)
        sim.incoming_text(ME, ME, "both")
        for ws in (a, b):
            frame = json.loads(await asyncio.wait_for(ws.recv(), 2))
            assert frame["envelope"]["dataMessage"]["message"] == "both"
    assert (await client.get(f"/v1/receive/{ME}")).status_code == 400


async def test_server_pings_at_the_configured_interval(start_sim: StartSim) -> None:
    sim, _ = await start_sim(mode="json-rpc", scenario="empty", ping_interval=0.1)
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(ws_url(sim, ME), autoping=False) as ws:
            kinds = [(await ws.receive(timeout=2)).type for _ in range(2)]
    assert kinds == [aiohttp.WSMsgType.PING, aiohttp.WSMsgType.PING]


async def test_client_frames_over_512_bytes_close_the_socket(start_sim: StartSim) -> None:
    sim, _ = await start_sim(mode="json-rpc", scenario="empty")
    async with connect(ws_url(sim, ME)) as ws:
        await ws.send("small, discarded")
        await ws.send("x" * 600)
        with pytest.raises(Exception):  # noqa: B017 - the close is what matters
            await asyncio.wait_for(ws.recv(), 2)
    assert sim.connected_sockets(ME) == 0


async def test_inject_from_another_thread_with_start_in_thread() -> None:
    sim = Simulator(mode="normal", scenario="empty", trickle=False, receive_idle_cap=0)
    url = sim.start_in_thread()
    try:
        import httpx

        sim.inject(ME, {"timestamp": 42, "source": None})
        item = sim.incoming_text(ME, ME, "from the test thread")
        assert item["envelope"]["dataMessage"]["message"] == "from the test thread"
        async with httpx.AsyncClient(base_url=url) as client:
            r = await client.get(f"/v1/receive/{ME}", params={"timeout": 0})
        assert r.json()[0]["envelope"]["timestamp"] == 42
        assert len(r.json()) == 2
    finally:
        sim.stop_thread()


async def test_100k_envelopes_drain_quickly_in_normal_mode(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal", scenario="empty")
    env = {"envelope": {"timestamp": 1, "dataMessage": {"message": "x"}}, "account": ME}
    start = time.monotonic()
    sim.inject(ME, [env] * 100_000)
    total = 0
    while total < 100_000:
        r = await client.get(f"/v1/receive/{ME}", params={"timeout": 0, "max_messages": 5000})
        total += len(r.json())
    assert time.monotonic() - start < 15  # generous for a loaded 2-core box; O(n^2) takes minutes


async def test_20k_frames_in_a_tight_loop_over_websocket(start_sim: StartSim) -> None:
    sim, _ = await start_sim(mode="json-rpc", scenario="empty")
    async with connect(ws_url(sim, ME), max_queue=None) as ws:
        await wait_sockets(sim)
        start = time.monotonic()
        sim.inject(ME, [{"timestamp": i} for i in range(20_000)])
        got = 0
        while got < 20_000:
            await ws.recv()
            got += 1
    assert time.monotonic() - start < 15  # generous for a loaded 2-core box; O(n^2) takes minutes


async def test_restart_on_the_same_port_keeps_state() -> None:
    sim = Simulator(mode="json-rpc", scenario="empty", trickle=False)
    url = await sim.start()
    port = int(url.rsplit(":", 1)[1])
    async with connect(ws_url(sim, ME)):
        await wait_sockets(sim)
        await sim.stop()
    assert sim.connected_sockets(ME) == 0
    assert await sim.start(port=port) == url
    try:
        async with connect(ws_url(sim, ME)) as ws:
            await wait_sockets(sim)
            sim.incoming_text(ME, ME, "after restart")
            frame = json.loads(await asyncio.wait_for(ws.recv(), 2))
        assert frame["envelope"]["dataMessage"]["message"] == "after restart"
    finally:
        await sim.stop()


async def test_demo_in_a_thread_delivers_history_then_trickle() -> None:
    sim = Simulator(mode="json-rpc", scenario="demo", trickle=True)
    sim.trickle_interval = (0.05, 0.1)
    sim.start_in_thread()
    try:
        async with connect(ws_url(sim, ME), max_queue=None) as ws:
            frames = []
            while len(frames) < 600:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
                frames.append(frame)
                if frame["envelope"]["timestamp"] > time.time() * 1000 - 60_000:
                    if "dataMessage" in frame["envelope"]:
                        break  # a live message after the history
        assert len(frames) > 300
        assert frames[-1]["envelope"]["dataMessage"]["message"]
    finally:
        sim.stop_thread()


async def test_opt_in_account_lock_makes_a_send_wait_for_a_running_receive(
    start_sim: StartSim,
) -> None:
    sim, client = await start_sim(mode="normal", scenario="empty", receive_idle_cap=None)
    sim.account_lock = True
    sim.normal_latency = 0.1
    start = time.monotonic()
    poll = asyncio.ensure_future(client.get(f"/v1/receive/{ME}", params={"timeout": 1}))
    await asyncio.sleep(0.2)
    r = await client.post("/v2/send", json={"number": ME, "recipients": [ME], "message": "x"})
    assert r.status_code == 201
    assert time.monotonic() - start >= 1.1  # latency + the receive's idle second, then the send
    assert (await poll).json() == []


async def test_stop_drops_a_pending_long_poll_at_once() -> None:
    import httpx

    sim = Simulator(mode="normal", scenario="empty", trickle=False)
    url = await sim.start()
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        poll = asyncio.ensure_future(client.get(f"/v1/receive/{ME}", params={"timeout": 20}))
        await asyncio.sleep(0.2)
        start = time.monotonic()
        await sim.stop()
        assert time.monotonic() - start < 2
        with pytest.raises(httpx.TransportError):
            await poll
