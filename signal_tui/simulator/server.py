"""The simulator's public face: `Simulator` (start/stop, in a thread, inject, faults) and run_forever.

It is an aiohttp server (the client uses httpx + websockets, so the two share no HTTP stack).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from typing import Any

from aiohttp import web

from signal_tui.simulator import envelopes as ev
from signal_tui.simulator.core import SimCore
from signal_tui.simulator.http import error_middleware


class Simulator(SimCore):
    """A faithful fake of bbernhard/signal-cli-rest-api hosting several accounts.

    `mode` is what `/v1/about` reports and picks the receive transport; `profile` picks the
    `/v2/send` response form ("0.100": object, "head": array with per-recipient errors).
    """

    def __init__(
        self,
        mode: str = "json-rpc",
        scenario: str = "demo",
        profile: str = "head",
        *,
        trickle: bool = True,
        seed: int = 1,
        ping_interval: float = 54.0,
        reply_delay: float = 1.5,
        receive_idle_cap: float | None = None,
    ) -> None:
        super().__init__(mode, profile, seed, ping_interval, reply_delay, receive_idle_cap)
        from signal_tui.simulator.scenarios import load_scenario

        self.scenario = scenario
        self.trickle = trickle
        self.trickle_interval = (20.0, 60.0)  # seconds between demo messages; tests shorten it
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._bind: tuple[str, int] = ("127.0.0.1", 0)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._thread: threading.Thread | None = None
        self._demo = load_scenario(self, scenario)

    # --- accounts -----------------------------------------------------------------------------
    @property
    def accounts(self) -> list[str]:
        return list(self.world.accounts)

    @property
    def primary_account(self) -> str:
        return self.accounts[0]

    def group_ids(self) -> dict[str, str]:
        """Group name -> REST id (`group.…`), for tests and the demo."""
        return {g.name: g.id for g in self.world.groups.values()}

    def connected_sockets(self, account: str) -> int:
        acct = self.world.accounts.get(account)
        return len(acct.sockets) if acct else 0

    # --- lifecycle ----------------------------------------------------------------------------
    def build_app(self) -> web.Application:
        from signal_tui.simulator import (
            routes_control,
            routes_general,
            routes_groups,
            routes_messages,
            routes_people,
            routes_receive,
            routes_send,
        )

        app = web.Application(middlewares=[error_middleware], client_max_size=512 * 1024 * 1024)
        for module in (
            routes_general,
            routes_send,
            routes_messages,
            routes_groups,
            routes_people,
            routes_receive,
            routes_control,
        ):
            module.add_routes(app, self)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on `host:port` (0 = a free port) and return the base URL."""
        self._loop = asyncio.get_running_loop()
        self._runner = web.AppRunner(
            self.build_app(), access_log=None, handler_cancellation=True, shutdown_timeout=0.25
        )  # a stopped server drops long polls at once, like a killed container
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0]
        self.url = f"http://{host}:{bound[1]}"
        self._site, self._bind = site, (host, int(bound[1]))
        if self.trickle and self._demo is not None:
            self.spawn(self._demo.trickle())
        return self.url

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def stop(self) -> None:
        self.cancel_timers()
        for task in list(self._tasks):
            task.cancel()
        for account in self.world.accounts.values():
            for conn in list(account.sockets):
                # a client that went away never answers the close handshake: do not wait for it
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(conn.close(), 1)
        if self._runner is not None:
            with contextlib.suppress(TimeoutError):  # a handler stuck on a dead peer
                await asyncio.wait_for(self._runner.cleanup(), 10)
            self._runner = None
            self._site = None
        if self._tasks:
            with contextlib.suppress(BaseException):
                await asyncio.wait(list(self._tasks), timeout=5)
        self._loop = None

    def start_in_thread(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Run on a private event loop in a daemon thread (for the demo and Textual tests)."""
        started: concurrent.futures.Future[str] = concurrent.futures.Future()
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                started.set_result(loop.run_until_complete(self.start(host, port)))
            except BaseException as exc:  # report startup failures to the caller
                started.set_exception(exc)
                return
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name="signal-sim", daemon=True)
        self._thread.start()
        return started.result(timeout=30)

    def stop_thread(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        self._thread = None

    async def outage(self, down: bool) -> None:
        """Stop listening (connections refused, open sockets dropped, like a stopped container)
        or listen again on the same port. The world and its queues stay."""
        if self._runner is None:
            return
        if down and self._site is not None:
            for account in self.world.accounts.values():
                for conn in list(account.sockets):
                    await conn.close()
            await self._site.stop()
            self._site = None
            server = self._runner.server
            for conn in server.connections if server is not None else ():
                conn.force_close()  # kept-alive connections die with the container too
                if conn.transport is not None:
                    conn.transport.close()
        elif not down and self._site is None:
            host, port = self._bind
            self._site = web.TCPSite(self._runner, host, port)
            await self._site.start()

    def outage_in_thread(self, down: bool) -> None:
        """`outage` for a simulator started with start_in_thread (the demo's palette)."""
        if self._loop is not None:
            asyncio.run_coroutine_threadsafe(self.outage(down), self._loop).result(timeout=30)

    # --- test helpers -------------------------------------------------------------------------
    def _on_loop(self, fn: Any, *args: Any) -> None:
        """Run `fn` on the simulator loop, waiting for it when called from another thread."""
        loop = self._loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop is None or running is loop:
            fn(*args)
            return
        done: concurrent.futures.Future[None] = concurrent.futures.Future()

        def call() -> None:
            try:
                fn(*args)
                done.set_result(None)
            except BaseException as exc:
                done.set_exception(exc)

        loop.call_soon_threadsafe(call)
        done.result(timeout=30)  # the simulator runs on another thread: waiting cannot deadlock

    def inject(self, account: str, envelopes: dict[str, Any] | list[dict[str, Any]]) -> None:
        """Queue (normal) or broadcast (json-rpc; dropped without a socket) receive items.

        Accepts full items (`{"envelope":…, "account":…}`) or bare envelopes (wrapped here).
        Thread-safe.
        """
        acct = self.account_or_error_plain(account)
        batch = envelopes if isinstance(envelopes, list) else [envelopes]
        items = [e if "envelope" in e else ev.item(e, account) for e in batch]

        def run() -> None:
            for it in items:
                self.push(acct, it)

        self._on_loop(run)

    def incoming_text(self, account: str, sender: str, text: str, **extra: Any) -> dict[str, Any]:
        """A realistic data message from a known contact (number or UUID); `group=` for groups."""
        acct = self.account_or_error_plain(account)
        person = self.person_for(sender)
        group = self.group_from_any(extra.pop("group")) if "group" in extra else None
        ts = self.world.now_ms()
        result: dict[str, Any] = {}

        def run() -> None:
            result.update(self.contact_says(acct, person, text, group=group, ts=ts, **extra))

        self._on_loop(run)
        return result

    def incoming_untrusted(
        self, account: str, sender: str, text: str, **extra: Any
    ) -> dict[str, Any]:
        """A message from a contact whose safety number changed: an error item now (exception
        UntrustedIdentityException, no content), the message itself only after
        `PUT /v1/identities/{account}/trust/{sender}`. Sends to that contact fail until then too."""
        acct = self.account_or_error_plain(account)
        person = self.person_for(sender)
        result: dict[str, Any] = {}

        def run() -> None:
            result.update(self.contact_says(acct, person, text, hold=True, **extra))

        self._on_loop(run)
        return result

    def account_or_error_plain(self, account: str) -> Any:
        acct = self.world.accounts.get(account)
        if acct is None:
            raise KeyError(f"{account} is not hosted by this simulator")
        return acct


def run_forever(
    host: str = "127.0.0.1",
    port: int = 8080,
    mode: str = "json-rpc",
    scenario: str = "demo",
    profile: str = "head",
) -> int:
    """`signal-tui simulator`: serve until Ctrl+C, printing the URL and the hosted accounts."""
    sim = Simulator(mode=mode, scenario=scenario, profile=profile)

    async def main() -> None:
        url = await sim.start(host, port)
        print(f"signal-cli-rest-api simulator ({mode} mode, {scenario} scenario) at {url}")
        for number in sim.accounts:
            person = sim.world.accounts[number].person
            print(f"  account {number}  {person.profile_name or '(no profile name)'}")
        print(f"  registration code for new numbers: {sim.verification_code}")
        print("Press Ctrl+C to stop.", flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            await sim.stop()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"signal-tui simulator: cannot listen on {host}:{port}: {exc}")
        return 1
    return 0
