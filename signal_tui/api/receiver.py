"""Background receiver: poll (normal/native) or WebSocket (json-rpc), with reconnect and backoff.

Messages the server hands out are already acknowledged to Signal (at-most-once), so every batch
is awaited through `on_batch` (which persists it) before the next poll; a cancelled receiver still
finishes the batch it is handing over. The mode is read from `/v1/about` on every (re)connect, so
a server restarted in another mode is followed. While the server is down the receiver sleeps
(capped, jittered exponential backoff), never spins.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidStatus,
    InvalidURI,
    WebSocketException,
)

from signal_tui.api._http import ssl_context
from signal_tui.api.errors import (
    AuthRequired,
    ProtocolError,
    SignalApiError,
    Unreachable,
    classify_response,
)
from signal_tui.api.models import ReceiverState

log = logging.getLogger(__name__)

OnBatch = Callable[[list[dict[str, Any]]], Awaitable[None]]
OnState = Callable[[ReceiverState], None]

WS_BATCH_MAX = 500  # frames collected into one on_batch call (one store transaction)
# Read ahead without limit. A bounded queue made the reader stop reading the socket under a large
# backlog; the server's pong then sat unread behind the frames, the keepalive timed out, and the
# frames in flight were lost (json-rpc mode has no redelivery). Frames are small; losing them is worse.
WS_QUEUE_MAX = 0
MIN_EMPTY_POLL = 0.25  # an empty poll cycle lasts at least this long (a broken server cannot
# make us spin)
STABLE_AFTER = 10.0  # a connection that lived this long (or delivered) resets the backoff


class BatchKept(Exception):
    """Raised by on_batch: the batch could not be stored but is kept durably (a spool); `str()`
    says so in words for the status line."""


class _Closed:
    """Queue marker: the WebSocket reader ended (with `error`, or cleanly when None)."""

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class Receiver:
    """Receives for one account until cancelled or stopped (or idle, with `idle_exit`).

    `idle_exit`: return from `run()` once nothing arrived for that many seconds (the headless
    `receive` without --follow). If the server cannot be reached by then, `run()` raises the last
    `SignalApiError` instead, so a script sees the failure.
    """

    def __init__(
        self,
        client: Any,
        account: str,
        on_batch: OnBatch,
        on_state: OnState | None = None,
        *,
        poll_timeout: int = 1,
        max_messages: int = 50,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        ping_interval: float = 20.0,
        idle_exit: float | None = None,
    ) -> None:
        self.client = client
        self.account = account
        self.on_batch = on_batch
        self.on_state = on_state
        self.poll_timeout = max(0, int(poll_timeout))
        self.max_messages = max(1, int(max_messages))
        self.backoff_base = max(0.01, backoff_base)
        self.backoff_max = max(self.backoff_base, backoff_max)
        self.ping_interval = ping_interval
        self.idle_exit = idle_exit
        self.state = ReceiverState("offline")
        self.mode: str | None = None
        self.received = 0  # items handed to on_batch so far
        self._stopping = False
        self._retry = asyncio.Event()  # set by retry_now(): end a backoff wait early
        self._delivering = False
        self._inner: asyncio.Task[None] | None = None
        self._pending: list[dict[str, Any]] = []  # a batch on_batch has not accepted yet
        self._pending_failures = 0
        self._kept = False  # on_batch kept a batch durably (BatchKept) and has not stored it yet
        self._last_activity = time.monotonic()
        self._connected = False  # since the last (re)connect attempt
        self._connected_at = 0.0
        self._progress = False  # something was delivered since the last (re)connect attempt

    # --- public -------------------------------------------------------------------------------
    async def run(self) -> None:
        """Receive until cancelled, `stop()`ped, or idle for `idle_exit` seconds."""
        self._last_activity = time.monotonic()
        self._inner = asyncio.create_task(self._loop(), name=f"receiver {self.account}")
        try:
            await self._inner
        except asyncio.CancelledError:
            if not self._stopping:
                raise
        finally:
            self._inner = None
            self._publish(ReceiverState("offline", self.mode))

    def retry_now(self) -> None:
        """The server is evidently back (a send just went through): reconnect without waiting
        out the backoff."""
        self._retry.set()

    def stop(self) -> None:
        """Stop soon; a batch being handed to on_batch is finished first. Final: a stopped
        Receiver's `run()` returns at once."""
        self._stopping = True
        if self._inner is not None and not self._delivering:
            self._inner.cancel()

    # --- loop ---------------------------------------------------------------------------------
    async def _loop(self) -> None:
        attempt = 0
        while not self._stopping:
            self._publish(ReceiverState("connecting", self.mode))
            self._connected = self._progress = False
            try:
                if self._pending or self._kept:  # what could not be stored: first things first
                    await self._deliver([])
                about = await self.client.about()
                self.mode = about.mode or "normal"
                if about.uses_websocket:
                    await self._run_websocket()
                else:
                    await self._run_poll()
                return  # idle exit or stop
            except SignalApiError as exc:
                error = exc
            except (OSError, WebSocketException, TimeoutError) as exc:
                error = _ws_error(exc, self.client)
            except Exception as exc:  # a bug must not end receiving for good: log, back off
                log.exception("receiver %s: unexpected failure", self.account)
                error = ProtocolError(f"internal error: {type(exc).__name__}: {exc}")
            if self._stopping:
                return
            if self._connected and (
                self._progress or time.monotonic() - self._connected_at >= STABLE_AFTER
            ):  # it worked for a while: start the backoff from the bottom again
                attempt = 0
            delay = self._backoff(attempt)
            attempt += 1
            message = error.user_message()
            log.info("receiver %s: %s; retry in %.1f s", self.account, message, delay)
            if self.idle_exit is not None:
                remaining = self.idle_exit - (time.monotonic() - self._last_activity)
                if remaining <= 0:
                    raise error
                delay = min(delay, remaining)
            self._publish(ReceiverState("reconnecting", self.mode, retry_in=delay, error=message))
            self._retry.clear()
            with contextlib.suppress(TimeoutError):  # retry_now() cuts the wait short
                await asyncio.wait_for(self._retry.wait(), timeout=delay)

    def _backoff(self, attempt: int) -> float:
        delay = min(self.backoff_max, self.backoff_base * (2 ** min(attempt, 30)))
        return delay * (0.5 + random.random() * 0.5)

    def _mark_connected(self, error: str | None = None) -> None:
        if not self._connected:
            self._connected_at = time.monotonic()
        self._connected = True
        if self.state.state != "connected" or self.state.error != error:
            self._publish(ReceiverState("connected", self.mode, error=error))

    def _idle_expired(self) -> bool:
        return (
            self.idle_exit is not None and time.monotonic() - self._last_activity >= self.idle_exit
        )

    # --- normal / native: GET poll --------------------------------------------------------------
    async def _run_poll(self) -> None:
        while not self._stopping:
            started = time.monotonic()
            items = await self.client.receive(
                self.account, timeout=self.poll_timeout, max_messages=self.max_messages
            )
            self._mark_connected()
            if items:
                await self._deliver(items)
                continue
            if self._idle_expired():
                return
            spent = time.monotonic() - started
            if spent < MIN_EMPTY_POLL:
                await asyncio.sleep(MIN_EMPTY_POLL - spent)

    # --- json-rpc: WebSocket --------------------------------------------------------------------
    async def _run_websocket(self) -> None:
        url = self.client.websocket_url(self.account)
        kwargs: dict[str, Any] = {
            "additional_headers": self.client.auth_headers(),
            "open_timeout": 20,
            "ping_interval": self.ping_interval,
            "ping_timeout": self.ping_interval,
            # after a missed pong the library waits close_timeout for a close that a half-open
            # socket will never send: keep it short so the reconnect starts promptly
            "close_timeout": min(5.0, self.ping_interval) if self.ping_interval else 5.0,
            "max_size": 16 * 1024 * 1024,
            "max_queue": 64,
        }
        if url.startswith("wss://"):
            kwargs["ssl"] = ssl_context(getattr(self.client, "tls_verify", True))
        async with ws_connect(url, **kwargs) as ws:
            self._mark_connected()
            queue: asyncio.Queue[str | bytes | _Closed] = asyncio.Queue(WS_QUEUE_MAX)
            reader = asyncio.create_task(_read_frames(ws, queue), name="receiver ws reader")
            try:
                await self._consume(queue)
            finally:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await reader
                if self._stopping:
                    # Stopping mid-burst: the server's close frame would sit behind frames nobody
                    # reads any more, so a clean close waits out close_timeout. Those frames are
                    # lost either way (no redelivery in json-rpc mode): drop the socket at once.
                    with contextlib.suppress(Exception):
                        ws.transport.abort()

    async def _consume(self, queue: asyncio.Queue[str | bytes | _Closed]) -> None:
        while not self._stopping:
            wait = None
            if self.idle_exit is not None:
                wait = self.idle_exit - (time.monotonic() - self._last_activity)
                if wait <= 0:
                    return
            try:
                first = await asyncio.wait_for(queue.get(), wait)
            except TimeoutError:
                await asyncio.sleep(0.05)  # the loop may have been busy: let the reader catch up
                if queue.empty():
                    return  # idle exit
                self._last_activity = time.monotonic()
                continue
            frames = [first]
            while len(frames) < WS_BATCH_MAX and not isinstance(frames[-1], _Closed):
                try:
                    frames.append(queue.get_nowait())
                except asyncio.QueueEmpty:
                    break
            closed = frames.pop() if isinstance(frames[-1], _Closed) else None
            items = self._parse_frames(frames)
            if items:
                await self._deliver(items)
            if closed is not None:
                if closed.error is not None:
                    raise closed.error
                raise Unreachable("the server closed the connection", url=self.client.base_url)

    def _parse_frames(self, frames: list[str | bytes | _Closed]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for frame in frames:
            if isinstance(frame, _Closed):
                continue
            try:
                data = json.loads(frame)
            except (ValueError, RecursionError, UnicodeDecodeError):
                log.warning("receiver %s: skipped a non-JSON frame: %.120r", self.account, frame)
                continue
            if not isinstance(data, dict):
                log.warning("receiver %s: skipped a frame that is not an object", self.account)
                continue
            if "error" in data and "envelope" not in data:
                text = data["error"] if isinstance(data["error"], str) else json.dumps(data)
                log.warning("receiver %s: server error frame: %s", self.account, text)
                self._mark_connected(error=" ".join(text.split())[:300] or "server error")
                continue
            items.append(data)
        return items

    # --- hand-over ----------------------------------------------------------------------------
    async def _deliver(self, items: list[dict[str, Any]]) -> None:
        """Await on_batch (it persists). What the server handed out is never dropped: a failing
        on_batch keeps the batch here for the next try (fetching stops meanwhile), unless
        on_batch raised BatchKept (it put the batch somewhere durable): then polling pauses and a
        WebSocket keeps being read. After a BatchKept, on_batch is called again, even with
        nothing new, until it succeeds (so what was kept gets stored)."""
        batch = self._pending + items
        self._pending = batch
        if not batch and not self._kept:
            return
        self._delivering = True
        task = asyncio.ensure_future(self.on_batch(batch))
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            # what the server handed out is acknowledged already: finish writing it down
            with contextlib.suppress(Exception):
                await task
            self._pending = []
            raise
        except BatchKept as exc:
            self._pending, self._kept = [], True
            log.warning("receiver %s: %s", self.account, exc)
            if self.mode in ("normal", "native"):  # stop fetching until storing works again
                raise ProtocolError(str(exc)) from exc
            self._mark_connected(error=str(exc))  # a socket must keep being read (no redelivery)
            return
        except Exception as exc:
            self._pending_failures += 1
            log.warning(
                "receiver %s: could not store %d items (%r); keeping them, will retry",
                self.account,
                len(batch),
                exc,
            )
            raise ProtocolError(f"could not store received messages: {exc}") from exc
        finally:
            self._delivering = False
        self._pending, self._pending_failures, self._kept = [], 0, False
        self._progress = True
        self.received += len(batch)
        self._last_activity = time.monotonic()
        if self.state.error:
            self._mark_connected()

    def _publish(self, state: ReceiverState) -> None:
        self.state = state
        if self.on_state is not None:
            try:
                self.on_state(state)
            except Exception:  # a UI callback must not kill the receiver
                log.exception("receiver state callback failed")


async def _read_frames(ws: Any, queue: asyncio.Queue[str | bytes | _Closed]) -> None:
    """Read frames continuously (so the server is never blocked by our disk writes)."""
    try:
        async for frame in ws:
            await queue.put(frame)
    except ConnectionClosed as exc:
        await queue.put(_Closed(Unreachable(f"connection lost ({exc})", url=None)))
        return
    except Exception as exc:  # the consumer re-raises it in its own task
        await queue.put(_Closed(exc))
        return
    await queue.put(_Closed(None))


def _ws_error(exc: BaseException, client: Any) -> SignalApiError:
    """A typed error for a failed WebSocket connect or a lost connection. Never raises: it runs
    outside the receive loop's error handling, so a failure here would end receiving for good."""
    base = getattr(client, "base_url", None)
    try:
        return _classify_ws_error(exc, base)
    except Exception:
        log.exception("could not classify %r", exc)
        return Unreachable(type(exc).__name__, url=base)


def _classify_ws_error(exc: BaseException, base: str | None) -> SignalApiError:
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        body = bytes(exc.response.body or b"")  # websockets gives a bytearray
        if 200 <= status < 300:
            return ProtocolError(
                f"WebSocket handshake failed (the server answered {status}, not an upgrade)",
                status=status,
                url=base,
            )
        if status in (401, 403):
            return AuthRequired(body.decode("utf-8", "replace"), status=status, url=base)
        return classify_response(status, body, url=base)
    if isinstance(exc, InvalidURI):
        return Unreachable(f"invalid URL ({exc})", url=base, maybe_sent=False)
    if isinstance(exc, InvalidHandshake):
        return ProtocolError(f"WebSocket handshake failed ({exc})", url=base)
    if isinstance(exc, ConnectionRefusedError):
        return Unreachable("connection refused", url=base, maybe_sent=False)
    if isinstance(exc, TimeoutError):
        return Unreachable("connection timed out", url=base, maybe_sent=False)
    if isinstance(exc, ConnectionClosed):
        return Unreachable(f"connection lost ({exc})", url=base)
    return Unreachable(str(exc) or type(exc).__name__, url=base)
