"""Receiver: persist-then-poll in normal mode, batched WebSocket frames in json-rpc mode, backoff.

Poll tests answer HTTP with httpx.MockTransport; WebSocket tests run a small real websockets server
on a loopback port (the full simulator round trips are in tests/contract/test_roundtrip.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from http import HTTPStatus
from typing import Any

import httpx
import pytest
from websockets.asyncio.server import ServerConnection, serve

from signal_tui.api.client import SignalClient
from signal_tui.api.errors import Unreachable
from signal_tui.api.models import ReceiverState
from signal_tui.api.receiver import Receiver

NUMBER = "+4917600000000"


def item(ts: int) -> dict[str, Any]:
    return {"envelope": {"source": "+4915112345678", "timestamp": ts}, "account": NUMBER}


class PollServer:
    """Answers /v1/about (normal mode) and hands out queued batches on GET receive."""

    def __init__(self, batches: list[Any], fail_first: int = 0) -> None:
        self.batches = list(batches)
        self.fail_first = fail_first
        self.calls = 0
        self.in_batch = False
        self.polled_during_batch = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.fail_first > 0:
            self.fail_first -= 1
            raise httpx.ConnectError("All connection attempts failed", request=request)
        if request.url.path == "/v1/about":
            return httpx.Response(
                200, json={"versions": ["v1", "v2"], "build": 2, "mode": "normal"}
            )
        self.calls += 1
        if self.in_batch:
            self.polled_during_batch = True
        batch = self.batches.pop(0) if self.batches else []
        if isinstance(batch, str | bytes):
            return httpx.Response(200, content=batch, headers={"Content-Type": "text/plain"})
        return httpx.Response(200, json=batch, headers={"Content-Type": "text/plain"})


async def test_poll_mode_persists_each_batch_before_polling_again_then_idles_out():
    server = PollServer([[item(1), item(2)], [item(3)], []])
    got: list[list[dict]] = []
    states: list[ReceiverState] = []

    async def on_batch(batch: list[dict]) -> None:
        server.in_batch = True
        await asyncio.sleep(0.02)  # a disk write
        got.append(batch)
        server.in_batch = False

    async with SignalClient("http://sim", transport=httpx.MockTransport(server)) as client:
        receiver = Receiver(client, NUMBER, on_batch, states.append, idle_exit=0)
        await asyncio.wait_for(receiver.run(), 5)
    assert [[i["envelope"]["timestamp"] for i in b] for b in got] == [[1, 2], [3]]
    assert not server.polled_during_batch
    assert receiver.received == 3
    assert [s.state for s in states][:2] == ["connecting", "connected"]
    assert states[1].mode == "normal"
    assert states[-1].state == "offline"


async def test_poll_mode_stray_line_does_not_crash_and_polling_continues():
    server = PollServer([b'[{"envelope":{}},\nERROR boom\n]', [item(9)], []])
    got: list[dict] = []

    async def on_batch(batch: list[dict]) -> None:
        got.extend(batch)

    async with SignalClient("http://sim", transport=httpx.MockTransport(server)) as client:
        receiver = Receiver(client, NUMBER, on_batch, backoff_base=0.01, idle_exit=0.5)
        await asyncio.wait_for(receiver.run(), 5)
    assert [i["envelope"]["timestamp"] for i in got] == [9]


async def test_server_down_backs_off_without_spinning_and_reports_the_retry():
    states: list[ReceiverState] = []

    async def on_batch(batch: list[dict]) -> None:  # pragma: no cover - nothing arrives
        raise AssertionError

    async with SignalClient("http://127.0.0.1:9") as client:
        receiver = Receiver(
            client,
            NUMBER,
            on_batch,
            states.append,
            backoff_base=0.05,
            backoff_max=0.2,
            idle_exit=0.6,
        )
        with pytest.raises(Unreachable):
            await asyncio.wait_for(receiver.run(), 5)
    retries = [s for s in states if s.state == "reconnecting"]
    # 0.6 s with delays of 0.025..0.2 s: a handful of attempts, never hundreds
    assert 2 <= len(retries) <= 20
    assert all(s.retry_in is not None and s.retry_in <= 0.2 for s in retries)
    assert "connection refused" in (retries[0].error or "")
    assert "reconnecting in" in retries[0].describe()


async def test_recovers_after_the_server_comes_back():
    server = PollServer([[item(1)], []], fail_first=3)
    got: list[dict] = []
    arrived = asyncio.Event()

    async def on_batch(batch: list[dict]) -> None:
        got.extend(batch)
        arrived.set()

    async with SignalClient("http://sim", transport=httpx.MockTransport(server)) as client:
        receiver = Receiver(client, NUMBER, on_batch, backoff_base=0.01, idle_exit=2)
        task = asyncio.create_task(receiver.run())
        await asyncio.wait_for(arrived.wait(), 5)
        receiver.stop()
        await asyncio.wait_for(task, 5)
    assert got == [item(1)]
    assert receiver.state.state == "offline"


async def test_failing_on_batch_gets_the_same_batch_again():
    server = PollServer([[item(1)], []])
    attempts: list[list[dict]] = []

    async def on_batch(batch: list[dict]) -> None:
        attempts.append(batch)
        if len(attempts) == 1:
            raise OSError("disk full")

    async with SignalClient("http://sim", transport=httpx.MockTransport(server)) as client:
        receiver = Receiver(client, NUMBER, on_batch, backoff_base=0.01, idle_exit=0.3)
        await asyncio.wait_for(receiver.run(), 5)
    assert attempts == [[item(1)], [item(1)]]


async def test_stop_while_waiting_returns_promptly():
    async def slow(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/about":
            return httpx.Response(200, json={"mode": "native"})
        await asyncio.sleep(30)
        return httpx.Response(200, json=[])

    async def on_batch(batch: list[dict]) -> None:  # pragma: no cover
        pass

    async with SignalClient("http://sim", transport=httpx.MockTransport(slow)) as client:
        receiver = Receiver(client, NUMBER, on_batch)
        task = asyncio.create_task(receiver.run())
        await asyncio.sleep(0.1)
        receiver.stop()
        await asyncio.wait_for(task, 2)
    assert receiver.state.state == "offline"


# --- json-rpc mode -------------------------------------------------------------------------------


class WsServer:
    """A loopback server that says json-rpc in /v1/about and pushes frames over the WebSocket."""

    def __init__(self) -> None:
        self.connections: list[ServerConnection] = []
        self.connected = asyncio.Event()
        self.url = ""
        self.close_at_once = False

    def process_request(self, connection: ServerConnection, request: Any) -> Any:
        if request.path == "/v1/about":
            return connection.respond(HTTPStatus.OK, json.dumps({"mode": "json-rpc", "build": 2}))
        if not request.path.startswith("/v1/receive/%2B4917600000000"):
            return connection.respond(HTTPStatus.NOT_FOUND, "404 page not found")
        return None

    async def handler(self, connection: ServerConnection) -> None:
        self.connections.append(connection)
        self.connected.set()
        if self.close_at_once:
            await connection.close()
        await connection.wait_closed()


@pytest.fixture
async def ws_server() -> AsyncIterator[WsServer]:
    stub = WsServer()
    async with serve(
        stub.handler, "127.0.0.1", 0, process_request=stub.process_request, close_timeout=0.2
    ) as srv:
        port = srv.sockets[0].getsockname()[1]
        stub.url = f"http://127.0.0.1:{port}"
        yield stub


async def test_websocket_frames_are_batched_bad_frames_skipped_error_frames_shown(ws_server):
    batches: list[list[dict]] = []
    states: list[ReceiverState] = []
    first_batch = asyncio.Event()

    async def on_batch(batch: list[dict]) -> None:
        batches.append(batch)
        first_batch.set()

    async with SignalClient(ws_server.url) as client:
        receiver = Receiver(client, NUMBER, on_batch, states.append, idle_exit=0.5)
        task = asyncio.create_task(receiver.run())
        await asyncio.wait_for(ws_server.connected.wait(), 5)
        conn = ws_server.connections[0]
        frames = [json.dumps(item(i)) for i in range(300)]
        frames.insert(5, "not json at all")
        frames.insert(9, "[1, 2]")
        for frame in frames:
            await conn.send(frame)
        await asyncio.wait_for(first_batch.wait(), 5)
        await conn.send(json.dumps({"error": "Something broke in signal-cli"}))
        await asyncio.wait_for(task, 5)
    received = [i["envelope"]["timestamp"] for b in batches for i in b]
    assert received == list(range(300))
    assert len(batches) < 300  # frames already buffered arrive together
    assert any(
        s.state == "connected" and s.error == "Something broke in signal-cli" for s in states
    )


async def test_websocket_reconnects_after_the_server_drops_it(ws_server):
    got: list[int] = []

    async def on_batch(batch: list[dict]) -> None:
        got.extend(i["envelope"]["timestamp"] for i in batch)

    async with SignalClient(ws_server.url) as client:
        receiver = Receiver(client, NUMBER, on_batch, backoff_base=0.02, ping_interval=5)
        task = asyncio.create_task(receiver.run())
        await asyncio.wait_for(ws_server.connected.wait(), 5)
        await ws_server.connections[0].send(json.dumps(item(1)))
        await asyncio.sleep(0.1)
        await ws_server.connections[0].close()
        for _ in range(200):
            if len(ws_server.connections) > 1:
                break
            await asyncio.sleep(0.02)
        await ws_server.connections[1].send(json.dumps(item(2)))
        for _ in range(200):
            if len(got) == 2:
                break
            await asyncio.sleep(0.02)
        receiver.stop()
        await asyncio.wait_for(task, 5)
    assert got == [1, 2]


async def test_half_open_socket_is_detected_by_client_pings(ws_server):
    """The server stops reading (a dead NAT entry, a frozen host): pings go unanswered."""
    got: list[int] = []
    states: list[ReceiverState] = []
    arrived = asyncio.Event()

    async def on_batch(batch: list[dict]) -> None:
        got.extend(i["envelope"]["timestamp"] for i in batch)
        arrived.set()

    async with SignalClient(ws_server.url) as client:
        receiver = Receiver(
            client, NUMBER, on_batch, states.append, backoff_base=0.02, ping_interval=0.2
        )
        task = asyncio.create_task(receiver.run())
        await asyncio.wait_for(ws_server.connected.wait(), 5)
        ws_server.connected.clear()
        ws_server.connections[0].transport.pause_reading()  # no more pongs from here on
        await asyncio.wait_for(ws_server.connected.wait(), 5)  # the receiver came back
        await ws_server.connections[1].send(json.dumps(item(7)))
        await asyncio.wait_for(arrived.wait(), 5)
        receiver.stop()
        await asyncio.wait_for(task, 5)
    assert got == [7]
    assert any(s.state == "reconnecting" for s in states)


async def test_a_server_that_drops_every_connection_gets_growing_backoff(ws_server):
    ws_server.close_at_once = True

    async def on_batch(batch: list[dict]) -> None:  # pragma: no cover - nothing arrives
        raise AssertionError

    async with SignalClient(ws_server.url) as client:
        receiver = Receiver(client, NUMBER, on_batch, backoff_base=0.05, backoff_max=1.0)
        task = asyncio.create_task(receiver.run())
        await asyncio.sleep(1.2)
        receiver.stop()
        await asyncio.wait_for(task, 5)
    # delays double from 0.025-0.05 s: a handful of attempts, not one every 50 ms
    assert 2 <= len(ws_server.connections) <= 9


async def test_retry_now_ends_a_long_backoff_at_once():
    """The server came back (a send went through): the receiver reconnects without waiting out
    a backoff of a minute."""
    server = PollServer([[]], fail_first=1)
    states: list[ReceiverState] = []

    async def on_batch(items: list[dict]) -> None:
        pass

    async with SignalClient("http://sim", transport=httpx.MockTransport(server)) as client:
        receiver = Receiver(
            client, NUMBER, on_batch, states.append, poll_timeout=0, backoff_base=60.0
        )
        task = asyncio.create_task(receiver.run())
        try:
            for _ in range(200):
                if states and states[-1].state == "reconnecting":
                    break
                await asyncio.sleep(0.01)
            assert states[-1].state == "reconnecting" and (states[-1].retry_in or 0) >= 30
            receiver.retry_now()
            for _ in range(200):
                if states[-1].state == "connected":
                    break
                await asyncio.sleep(0.01)
            assert states[-1].state == "connected"
        finally:
            receiver.stop()
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


async def test_a_batch_is_never_dropped_however_often_storing_fails():
    """Signal hands a message out once: after many failed stores the batch is still delivered."""
    server = PollServer([[item(1), item(2)], [item(3)], []])
    failures = {"left": 8}
    stored: list[int] = []
    polls_when_stored: list[int] = []

    async def on_batch(items: list[dict]) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise OSError(28, "No space left on device")
        stored.extend(i["envelope"]["timestamp"] for i in items)
        polls_when_stored.append(server.calls)

    async with SignalClient("http://sim", transport=httpx.MockTransport(server)) as client:
        receiver = Receiver(
            client, NUMBER, on_batch, poll_timeout=0, backoff_base=0.01, backoff_max=0.02,
            idle_exit=1.0,
        )  # fmt: skip
        await asyncio.wait_for(receiver.run(), 20)
    assert stored == [1, 2, 3]
    assert polls_when_stored[0] == 1  # no poll while the first batch could not be stored
