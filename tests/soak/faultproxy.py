"""A fault-injecting reverse proxy for soak tests: client -> FaultProxy -> simulator, on loopback.

Every request gets a fault drawn from a seeded schedule (`FaultPlan`): pass it through, answer
slowly, answer 500 or 502 with an HTML page (what a reverse proxy sends), 200 with garbage or
truncated JSON, or reset the connection in the middle of the body. A WebSocket
(`GET /v1/receive/{number}` upgrade, json-rpc mode) is relayed frame by frame, with garbage text
frames, binary frames and invalid JSON injected now and then, and closed abruptly (TCP FIN
without a close frame) after a random lifetime. Every injected fault is counted in `faults`.

How "nothing lost" stays honest
-------------------------------
Body faults (HTML errors, garbage, truncated JSON, reset mid-body) are FABRICATED: the request
is never forwarded upstream, so the simulator never pops (acknowledges) anything for it. A real
server cannot lose messages on a request it never received, so any message missing from the
client's cache afterwards is the client's fault. "slow" waits, then forwards the request; the
upstream answer is then relayed unchanged.

With `FaultPlan(lossy_receive=True)` a body fault on `GET /v1/receive` is applied AFTER the
request went upstream instead: the simulator popped the envelopes (signal-cli acknowledged them
to Signal) and the proxy destroys the answer. That is the real at-most-once loss mode of normal
mode; the envelopes in a destroyed answer are recorded in `destroyed`, so a report can say "lost
by the injected fault, not by the client".

Every envelope the proxy handed to the client (in a poll answer it relayed, or a WebSocket frame
it wrote before a clean FIN) is recorded in `forwarded`: the client is accountable for exactly
those. In json-rpc mode the server drops what arrives while no socket is attached (the real
server does too, rest-api-notes §2b); such envelopes never reach the proxy and are neither
forwarded nor destroyed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import aiohttp
from aiohttp import WSMsgType, web

log = logging.getLogger(__name__)
HTTP_FAULTS = ("slow", "http500_html", "http502_html", "garbage_json", "truncated_json", "reset")
WS_JUNK = ("ws_garbage_text", "ws_binary", "ws_invalid_json")
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "te",
    "trailer",
}
HTML_500 = (
    "<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>\n"
    "<body><h1>Internal Server Error</h1><p>The server encountered an internal error and was "
    "unable to complete your request.</p></body></html>\n"
)
HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n"
    "</body>\r\n</html>\r\n"
)
GARBAGE = (
    b"\x00\xff\xfe garbage \x1b[2J",
    b"ERROR App - Exception in thread main java.lang.NullPointerException",
    b"{not json at all",
    b"<<<>>>",
    b"null",
)
TRUNCATED = {
    "receive": b'[{"envelope":{"source":"+4915112345678","sourceNumber":"+4915112345678","time',
    "other": b'{"versions":["v1","v2"],"build":2,"mode":"norm',
}


class Seen(NamedTuple):
    """One envelope as the proxy saw it: enough to match it to a row in the client's cache."""

    account: str
    source: str
    timestamp: int
    text: str | None


@dataclass
class FaultPlan:
    """What to inject, how often. Weights need not sum to 1; "pass" takes the rest."""

    seed: int = 1
    http: dict[str, float] = field(
        default_factory=lambda: {
            "slow": 0.04,
            "http500_html": 0.04,
            "http502_html": 0.04,
            "garbage_json": 0.04,
            "truncated_json": 0.04,
            "reset": 0.04,
        }
    )
    slow_seconds: tuple[float, float] = (1.0, 4.0)
    ws_junk_every: tuple[float, float] = (3.0, 10.0)  # seconds between injected junk frames
    ws_life: tuple[float, float] = (15.0, 45.0)  # seconds until an abrupt close
    lossy_receive: bool = False
    script: tuple[str, ...] = ()  # the first requests get these kinds, in order (tests)


def seen_items(body: bytes | str, account: str = "") -> list[Seen]:
    """The envelopes in a poll answer (a JSON array) or one WebSocket frame (an object)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return []
    items = data if isinstance(data, list) else [data]
    out = []
    for item in items:
        env = item.get("envelope") if isinstance(item, dict) else None
        if not isinstance(env, dict):
            continue
        dm = env.get("dataMessage")
        text = dm.get("message") if isinstance(dm, dict) else None
        out.append(
            Seen(
                str(item.get("account") or account),
                str(env.get("sourceUuid") or env.get("sourceNumber") or ""),
                int(env.get("timestamp") or 0),
                text if isinstance(text, str) else None,
            )
        )
    return out


def stored_texts(db: Path, prefix: str = "soak ") -> Counter[str]:
    """Bodies starting with `prefix` in a signal-tui cache, read-only (the app may be running)."""
    if not db.exists():
        return Counter()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        rows = con.execute(
            "SELECT body FROM messages WHERE substr(body, 1, ?) = ?", (len(prefix), prefix)
        ).fetchall()
    finally:
        con.close()
    return Counter(r[0] for r in rows)


class FaultProxy:
    """`await FaultProxy(sim.url, FaultPlan()).start()` returns the URL to give the client."""

    def __init__(self, upstream: str, plan: FaultPlan | None = None) -> None:
        self.upstream = upstream.rstrip("/")
        self.plan = plan or FaultPlan()
        self.enabled = True  # False: pass everything through (recovery and idle phases)
        self.faults: Counter[str] = Counter()
        self.requests = 0
        self.ws_connections = 0
        self.forwarded: list[Seen] = []
        self.destroyed: list[Seen] = []
        self.url = ""
        self._rng = random.Random(self.plan.seed)
        self._script = list(self.plan.script)
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- lifecycle ------------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._http = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=200),
            auto_decompress=False,
        )
        app = web.Application(client_max_size=512 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.25
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.url = f"http://{host}:{self._runner.addresses[0][1]}"
        return self.url

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for ws in list(self._sockets):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), 1)
        if self._runner is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._runner.cleanup(), 10)
            self._runner = None
        if self._http is not None:
            await self._http.close()
            self._http = None

    def forwarded_texts(self) -> Counter[str]:
        return Counter(s.text for s in self.forwarded if s.text is not None)

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _pick(self) -> str:
        if not self.enabled:
            return "pass"
        if self._script:
            return self._script.pop(0)
        roll = self._rng.random()
        for kind, weight in self.plan.http.items():
            if roll < weight:
                return kind
            roll -= weight
        return "pass"

    # --- HTTP -----------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        kind = self._pick()
        is_receive = request.path.startswith("/v1/receive/")
        upgrade = request.headers.get("Upgrade", "").lower() == "websocket"
        if kind != "pass":
            self.faults[kind] += 1
            log.info("%s %s: %s", request.method, request.path, kind)
        if kind == "slow":
            await asyncio.sleep(self._rng.uniform(*self.plan.slow_seconds))
        elif kind != "pass" and not (is_receive and self.plan.lossy_receive and not upgrade):
            return await self._fabricate(request, kind, "receive" if is_receive else "other")
        if upgrade:
            return await self._websocket(request)
        body = await request.read()
        assert self._http is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        try:
            async with self._http.request(
                request.method,
                self.upstream + request.path_qs,
                headers=headers,
                data=body or None,
                allow_redirects=False,
            ) as up:
                payload = await up.read()
                status, content_type = up.status, up.headers.get("Content-Type")
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            self.faults["upstream_unreachable"] += 1
            return web.Response(status=502, text=f"proxy: upstream failed: {exc}")
        account = request.match_info.get("tail", "").rsplit("/", 1)[-1]
        items = seen_items(payload, account) if is_receive and status == 200 else []
        if kind not in ("pass", "slow"):  # lossy_receive: the server popped these already
            self.destroyed.extend(items)
            return await self._fabricate(request, kind, "receive")
        response = web.Response(status=status, body=payload)
        if content_type:
            response.headers["Content-Type"] = content_type
        await response.prepare(request)
        await response.write_eof()
        self.forwarded.extend(items)  # written: the client has it (or its TCP stack does)
        return response

    async def _fabricate(self, request: web.Request, kind: str, where: str) -> web.StreamResponse:
        if kind == "http500_html":
            return web.Response(status=500, text=HTML_500, content_type="text/html")
        if kind == "http502_html":
            return web.Response(status=502, text=HTML_502, content_type="text/html")
        if kind == "garbage_json":
            body = self._rng.choice(GARBAGE)
            return web.Response(status=200, body=body, content_type="text/plain")
        if kind == "truncated_json":
            return web.Response(status=200, body=TRUNCATED[where], content_type="text/plain")
        # reset: promise a body, send part of it, then RST the connection
        response = web.StreamResponse(status=200)
        response.content_type = "text/plain"
        response.content_length = 4096
        await response.prepare(request)
        await response.write(TRUNCATED[where])
        await asyncio.sleep(0.05)
        transport = request.transport
        if transport is not None:
            transport.abort()
        return response

    # --- WebSocket ------------------------------------------------------------------------------
    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        assert self._http is not None
        account = request.match_info.get("tail", "").rsplit("/", 1)[-1]
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in HOP_BY_HOP and not k.lower().startswith("sec-websocket")
        }
        try:
            up = await self._http.ws_connect(
                self.upstream + request.path_qs, headers=headers, autoping=True, max_msg_size=0
            )
        except aiohttp.WSServerHandshakeError as exc:
            return web.Response(status=exc.status, text=exc.message)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            self.faults["upstream_unreachable"] += 1
            return web.Response(status=502, text=f"proxy: upstream failed: {exc}")
        down = web.WebSocketResponse(autoping=True, max_msg_size=0)
        transport = request.transport
        await down.prepare(request)
        self.ws_connections += 1
        log.info("ws %s: connected", account)
        self._sockets.add(down)
        state = {"cut": False}
        junk = self._spawn(self._inject_junk(down, state))
        life = self._rng.uniform(*self.plan.ws_life)
        cutter = self._spawn(self._cut_after(life, transport, up, state))
        relay_up = self._spawn(self._client_to_server(down, up))
        try:
            async for msg in up:
                if msg.type == WSMsgType.TEXT:
                    items = seen_items(msg.data, account)
                    if state["cut"]:
                        self.destroyed.extend(items)
                        continue
                    try:
                        await down.send_str(msg.data)
                    except (ConnectionError, RuntimeError):
                        self.destroyed.extend(items)
                        state["cut"] = True
                        continue
                    self.forwarded.extend(items)
                elif msg.type == WSMsgType.BINARY and not state["cut"]:
                    with contextlib.suppress(ConnectionError, RuntimeError):
                        await down.send_bytes(msg.data)
                elif msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.ERROR):
                    break
        finally:
            log.info("ws %s: ended (cut: %s)", account, state["cut"])
            for task in (junk, cutter, relay_up):
                task.cancel()
            self._sockets.discard(down)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(up.close(), 1)
            if not state["cut"]:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(down.close(), 1)
        return down

    async def _client_to_server(
        self, down: web.WebSocketResponse, up: aiohttp.ClientWebSocketResponse
    ) -> None:
        with contextlib.suppress(Exception):
            async for msg in down:
                if msg.type == WSMsgType.TEXT:
                    await up.send_str(msg.data)
            # the client went away: end the upstream socket too (the server sees it go)
            await up.close()

    async def _inject_junk(self, down: web.WebSocketResponse, state: dict[str, bool]) -> None:
        frames: dict[str, Any] = {
            "ws_garbage_text": "garbage \x00\x1b[31m not json",
            "ws_binary": b"\x00\x01\x02\xff binary",
            "ws_invalid_json": '{"envelope":{"source":"+4915112345678","timestamp":',
        }
        while not state["cut"]:
            await asyncio.sleep(self._rng.uniform(*self.plan.ws_junk_every))
            if not self.enabled or state["cut"]:
                continue
            kind = self._rng.choice(WS_JUNK)
            try:
                frame = frames[kind]
                if isinstance(frame, bytes):
                    await down.send_bytes(frame)
                else:
                    await down.send_str(frame)
            except (ConnectionError, RuntimeError):
                return
            self.faults[kind] += 1

    async def _cut_after(
        self,
        delay: float,
        transport: asyncio.BaseTransport | None,
        up: aiohttp.ClientWebSocketResponse,
        state: dict[str, bool],
    ) -> None:
        """Close abruptly: the client's TCP connection ends with a FIN and no close frame
        (what it was sent before arrives); the upstream socket is dropped too."""
        while True:
            await asyncio.sleep(delay)
            if self.enabled:
                break
        state["cut"] = True
        self.faults["ws_abrupt_close"] += 1
        if transport is not None:
            transport.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(up.close(), 1)
