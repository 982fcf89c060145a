"""`signal-cli daemon --tcp`, faked: newline-delimited JSON-RPC 2.0 over TCP on the simulator's world.

- Answers come no earlier than `answer_delay` (2 ms) after the request: the real server registers its
  reply channel only after writing the request, and drops an answer that arrives first.
- In json-rpc mode every connection is registered as a receiver of every hosted account (signal-cli's
  multi-account daemon pushes all accounts' messages): `put()` is what `SimCore.push` calls, as it
  does for the simulator's own WebSockets. Notifications are written `pace` s apart (the server
  forwards each only to a websocket waiting at that moment; a burst would be partly lost).
- Requests carrying `"fake-cli": true` come from the normal-mode `signal-cli` shim: their errors also
  carry the process exit code and the stdout printed before the failure.
- Attachments the world stores are written to `<config>/attachments/<id>`, where the server serves them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

from signal_tui.simulator.signal_cli.commands import (
    CODE_UNEXPECTED,
    EXIT_UNEXPECTED,
    CliError,
    SignalCli,
)

if TYPE_CHECKING:
    from signal_tui.simulator.core import SimCore


class _Notifier:
    """One daemon connection as a receive sink (the duck type of routes_receive.SocketConn)."""

    def __init__(self, writer: asyncio.StreamWriter, pace: float, before: Any) -> None:
        self.writer = writer
        self.pace = pace
        self.before = before
        self.pending: deque[str] = deque()
        self.wake = asyncio.Event()
        self.closed = False

    def put(self, data: str) -> None:
        self.pending.append(data)
        self.wake.set()

    async def run(self) -> None:
        while not self.closed:
            await self.wake.wait()
            self.wake.clear()
            while self.pending and not self.closed:
                self.before()
                item = self.pending.popleft()
                line = '{"jsonrpc":"2.0","method":"receive","params":' + item + "}\n"
                self.writer.write(line.encode())
                with contextlib.suppress(ConnectionError):
                    await self.writer.drain()
                await asyncio.sleep(self.pace)

    async def close(self) -> None:
        self.closed = True
        self.wake.set()
        self.writer.close()


class FakeDaemon:
    def __init__(
        self,
        sim: SimCore,
        config_dir: Path | None = None,
        *,
        answer_delay: float = 0.002,
        pace: float = 0.03,
    ) -> None:
        self.sim = sim
        self.cli = SignalCli(sim)
        self.config_dir = config_dir
        self.answer_delay = answer_delay
        self.pace = pace
        self.port = 0
        self.calls: list[tuple[str, dict[str, Any]]] = []  # what the server asked, for tests
        self._server: asyncio.Server | None = None
        self._written: set[str] = set()
        self._conns: set[asyncio.Task[Any]] = set()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        if self.sim._loop is None:
            self.sim._loop = asyncio.get_running_loop()
        self._server = await asyncio.start_server(self._serve, host, port, limit=64 * 1024 * 1024)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for task in list(self._conns):
            task.cancel()
        if self._conns:
            await asyncio.wait(list(self._conns), timeout=2)

    def sync_attachments(self) -> None:
        """Write attachments the world gained since the last call to `<config>/attachments/`."""
        if self.config_dir is None:
            return
        new = [k for k in self.sim.world.attachments if k not in self._written]
        if not new:
            return
        folder = self.config_dir / "attachments"
        folder.mkdir(parents=True, exist_ok=True)
        for key in new:
            (folder / key).write_bytes(self.sim.world.attachments[key])
            self._written.add(key)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conns.add(task)
        notifier = _Notifier(writer, self.pace, self.sync_attachments)
        pump = asyncio.ensure_future(notifier.run())
        if self.sim.json_rpc:
            for account in self.sim.world.accounts.values():
                account.sockets.add(notifier)
        handlers: set[asyncio.Task[Any]] = set()
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                if not line.strip():
                    continue
                h = asyncio.ensure_future(self._answer(line, writer))
                handlers.add(h)
                h.add_done_callback(handlers.discard)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            notifier.closed = True
            notifier.wake.set()
            for account in self.sim.world.accounts.values():
                account.sockets.discard(notifier)
            for h in (*handlers, pump):
                h.cancel()
            writer.close()
            self._conns.discard(task)

    async def _answer(self, line: bytes, writer: asyncio.StreamWriter) -> None:
        started = asyncio.get_running_loop().time()
        try:
            request = json.loads(line)
        except ValueError:
            reply: dict[str, Any] = {
                "jsonrpc": "2.0",
                "error": {"code": -32700, "message": "Parse error"},
                "id": None,
            }
            writer.write(json.dumps(reply).encode() + b"\n")
            return
        shim = bool(request.get("fake-cli"))
        method = str(request.get("method") or "")
        params = request.get("params") or {}
        self.calls.append((method, params))
        reply = {"jsonrpc": "2.0", "id": request.get("id")}
        try:
            self.sync_attachments()
            reply["result"] = await self.cli.call(method, params)
            self.sync_attachments()
        except CliError as exc:
            error: dict[str, Any] = {"code": exc.code, "message": exc.message}
            if exc.data is not None:
                error["data"] = exc.data
            if shim:
                error["exit"] = exc.exit_code
                error["stdout"] = exc.stdout
            reply["error"] = error
        except Exception as exc:  # a bug in the fake: say so the way signal-cli would
            reply["error"] = {
                "code": CODE_UNEXPECTED,
                "message": f"{type(exc).__name__}: {exc}",
                "exit": EXIT_UNEXPECTED,
            }
        wait = self.answer_delay - (asyncio.get_running_loop().time() - started)
        if wait > 0:
            await asyncio.sleep(wait)
        writer.write(json.dumps(reply, ensure_ascii=False).encode() + b"\n")
        with contextlib.suppress(ConnectionError):
            await writer.drain()
