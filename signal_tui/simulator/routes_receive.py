"""`/v1/receive/{number}`: GET polling in normal/native mode, a WebSocket in json-rpc mode."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from typing import TYPE_CHECKING

from aiohttp import WSMsgType, web

from signal_tui.simulator.http import number_param
from signal_tui.simulator.state import Account
from signal_tui.simulator.util import ApiError, bad

if TYPE_CHECKING:
    from signal_tui.simulator.server import Simulator

NOT_WEBSOCKET = (
    "Bad Request\n"
    '{"error":"websocket: the client is not using the websocket protocol: '
    "'upgrade' token not found in 'Connection' header\"}"
)
BOOL_FLAGS = (
    "ignore_attachments",
    "ignore_stories",
    "ignore_avatars",
    "ignore_stickers",
    "send_read_receipts",
)


class SocketConn:
    """One attached WebSocket: a deque of frames drained by a writer task (no O(n^2) queueing)."""

    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.frames: deque[str] = deque()
        self.wake = asyncio.Event()
        self.closed = False

    def put(self, frame: str) -> None:
        if not self.closed:
            self.frames.append(frame)
            self.wake.set()

    async def writer(self) -> None:
        while not self.closed:
            await self.wake.wait()
            self.wake.clear()
            while self.frames and not self.closed:
                try:
                    await self.ws.send_str(self.frames.popleft())
                except (ConnectionError, RuntimeError):
                    self.closed = True
                    return

    async def pinger(self, interval: float) -> None:
        while not self.closed:
            await asyncio.sleep(interval)
            try:
                await self.ws.ping()
            except (ConnectionError, RuntimeError):
                self.closed = True
                return

    async def close(self) -> None:
        self.closed = True
        self.wake.set()
        with contextlib.suppress(Exception):
            await self.ws.close()


def _int_param(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise bad(f"Couldn't process request - {name} needs to be numeric!") from None


async def _collect(account: Account, idle: float, limit: int | None) -> list[str]:
    """signal-cli returns once `idle` seconds pass with no new message (an IDLE timeout)."""
    assert account.arrived is not None
    taken: list[str] = []
    queue = account.queue
    while True:
        while queue and (limit is None or len(taken) < limit):
            taken.append(queue.popleft())  # removed now: at-most-once, lost if the client aborts
        if limit is not None and len(taken) >= limit:
            return taken
        account.arrived.clear()
        try:
            await asyncio.wait_for(account.arrived.wait(), timeout=idle)
        except TimeoutError:
            return taken


def add_routes(app: web.Application, sim: Simulator) -> None:
    async def poll(request: web.Request, number: str) -> web.Response:
        timeout = _int_param(request, "timeout", 1)
        max_messages = _int_param(request, "max_messages", 0)
        for flag in BOOL_FLAGS:
            value = request.query.get(flag)
            if value is not None and value not in ("true", "false"):
                raise bad(
                    f"Couldn't process request - {flag} parameter needs to be either 'true' or 'false'"
                )
        account: Account = sim.account_or_error(number)
        idle = float(max(timeout, 0))
        if sim.receive_idle_cap is not None:
            idle = min(idle, sim.receive_idle_cap)
        if account.arrived is None:
            account.arrived = asyncio.Event()
        async with sim.cli_call(account):
            taken = await _collect(account, idle, max_messages if max_messages > 0 else None)
        body = "[" + ",".join(taken) + "]"
        return web.Response(text=body, content_type="text/plain", charset="utf-8")

    async def socket(request: web.Request, number: str) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0, timeout=1.0)
        await ws.prepare(request)
        account = sim.world.accounts.get(number)
        conn = SocketConn(ws)
        tasks = [
            asyncio.ensure_future(conn.writer()),
            asyncio.ensure_future(conn.pinger(sim.ping_interval)),
        ]
        if account is not None:
            if account.history is not None:  # demo convenience: history for the first connection
                for frame in account.history:
                    conn.put(frame)
                account.history = None
            account.sockets.add(conn)
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT and len(msg.data.encode()) > 512:
                    await ws.close(code=1009, message=b"read limit exceeded")
                    break
                # other client frames are read and discarded, as the real server does
        finally:
            conn.closed = True
            conn.wake.set()
            if account is not None:
                account.sockets.discard(conn)
            for task in tasks:
                task.cancel()
        return ws

    async def receive(request: web.Request) -> web.StreamResponse:
        number = number_param(request)
        if sim.json_rpc:
            upgrade = request.headers.get("Upgrade", "").lower() == "websocket"
            if not upgrade:
                raise ApiError(400, "", raw=NOT_WEBSOCKET)
            return await socket(request, number)
        return await poll(request, number)

    app.router.add_get("/v1/receive/{number}", receive)
