"""Delivery between accounts: what the Signal network and signal-cli would put in each receive stream.

A send from hosted A to hosted B becomes B's dataMessage (or editMessage) envelope, a delivery receipt
back to A, and a syncMessage.sentMessage for A's other devices (kept in `sync_log`: those devices are
not this server). Simulated contacts send delivery and read receipts, and the bot answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

from signal_tui.simulator import envelopes as ev
from signal_tui.simulator.state import Account, Device, Faults, Group, Person, World
from signal_tui.simulator.util import ApiError, bad, classify, is_uuid

MODES = ("normal", "native", "json-rpc")
PROFILES = ("0.100", "head")


class SimCore:
    """State plus delivery; the HTTP layer (server.py, routes_*.py) sits on top."""

    def __init__(
        self,
        mode: str,
        profile: str,
        seed: int,
        ping_interval: float,
        reply_delay: float,
        receive_idle_cap: float | None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if profile not in PROFILES:
            raise ValueError(f"profile must be one of {PROFILES}")
        self.mode = mode
        self.profile = profile
        self.world = World(seed)
        self.faults = Faults()
        self.ping_interval = ping_interval
        self.reply_delay = reply_delay
        self.receipt_delay = min(0.3, reply_delay / 3)
        self.receive_idle_cap = receive_idle_cap
        self.link_delay = 3.0
        self.link_auto = True
        self.verification_code = "123456"
        self.normal_latency = 0.0  # normal/native: seconds each signal-cli call costs (JVM start)
        self.account_lock = False  # normal/native: a running receive blocks sends (file lock)
        self.pin_locked: dict[str, str] = {}  # number -> registration-lock PIN
        self.pending_link: str | None = None
        self.pending_link_name = ""
        self.sync_log: deque[dict[str, Any]] = deque(maxlen=1000)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handles: set[asyncio.TimerHandle] = set()

    # --- basics -------------------------------------------------------------------------------
    @property
    def json_rpc(self) -> bool:
        return self.mode == "json-rpc"

    def later(self, delay: float, fn: Callable[..., Any], *args: Any) -> None:
        """Run `fn` on the simulator loop after `delay` s; cancelled by stop()."""
        if self._loop is None:
            fn(*args)
            return

        def fire() -> None:
            self._handles.discard(handle)
            fn(*args)

        handle = self._loop.call_later(delay, fire)
        self._handles.add(handle)

    def cancel_timers(self) -> None:
        for handle in list(self._handles):
            handle.cancel()
        self._handles.clear()

    def account_or_error(self, number: str) -> Account:
        """The `{number}` check: signal-cli's text differs between the modes."""
        account = self.world.accounts.get(number)
        if account is None:
            if self.json_rpc:
                raise bad("Specified account does not exist")
            raise bad(f"User {number} is not registered.\n")
        return account

    def err_text(self, text: str) -> str:
        """Normal mode returns signal-cli's output, which ends in a newline."""
        return text if self.json_rpc else text + "\n"

    @contextlib.asynccontextmanager
    async def cli_call(self, account: Account) -> AsyncIterator[None]:
        """Normal/native mode costs: `normal_latency` s per call (JVM start) and, with
        `account_lock`, one signal-cli process per account at a time (a receive blocks a send)."""
        if self.json_rpc:
            yield
            return
        if self.normal_latency:
            await asyncio.sleep(self.normal_latency)
        if not self.account_lock:
            yield
            return
        if account.lock is None:
            account.lock = asyncio.Lock()
        async with account.lock:
            yield

    def complete_link(self, uri: str | None = None) -> str | None:
        """Finish the newest pending device link: a new account appears in `GET /v1/accounts`.

        The real server links in the background; clients poll /v1/accounts to notice it.
        """
        if self.pending_link is None or (uri is not None and uri != self.pending_link):
            return None
        self.pending_link = None
        n = 100
        while f"+1555000{n:04d}" in self.world.by_number:
            n += 1
        number = f"+1555000{n:04d}"
        now = self.world.now_ms()
        person = Person(
            uuid=self.world.new_uuid(), number=number, given_name="Linked", family_name="User"
        )
        devices = [
            Device(1, None, now - 86_400_000 * 400, now),
            Device(2, self.pending_link_name or None, now, now),
        ]
        self.world.host(person, devices=devices, this_device=2)
        return number

    # --- receive streams ----------------------------------------------------------------------
    def push(self, account: Account, item: dict[str, Any] | str) -> None:
        """Hand one receive item to the account, faithful to the mode (json-rpc drops it if no socket)."""
        data = (
            item
            if isinstance(item, str)
            else json.dumps(item, ensure_ascii=False, separators=(",", ":"))
        )
        if self.json_rpc:
            if not account.sockets:
                account.dropped += 1
                return
            for conn in list(account.sockets):
                conn.put(data)
        else:
            account.queue.append(data)
            if account.arrived is not None:
                account.arrived.set()
        account.delivered += 1

    def push_env(self, account: Account, env: dict[str, Any]) -> dict[str, Any]:
        it = ev.item(env, account.number)
        self.push(account, it)
        return it

    # --- resolution ---------------------------------------------------------------------------
    def resolve_group(self, internal_id: str) -> Group:
        group = self.world.groups.get(internal_id)
        if group is None:
            raise bad(self.err_text(f"Failed to send message: Group not found: {internal_id}"))
        return group

    def group_from_any(self, value: str) -> Group | None:
        """A group by its `group.` id or internal id (for test helpers, never for REST input)."""
        if value.startswith("group."):
            internal = classify(value).value
        else:
            internal = value
        return self.world.groups.get(internal)

    def person_for(self, key: str) -> Person:
        person = self.world.find(key)
        if person is None:
            raise ApiError(400, f"unknown contact {key}")
        return person

    # --- message delivery ---------------------------------------------------------------------
    def deliver(
        self,
        sender: Account,
        targets: list[Person],
        group: Group | None,
        ts: int,
        dm: dict[str, Any],
        *,
        edit_target: int | None = None,
        receipts: bool = True,
        bot_reply: bool = True,
    ) -> None:
        """Fan a data message out to `targets` (already checked), with syncs and receipts."""
        if group is not None:
            dm = {**dm, "groupInfo": ev.group_info(group)}
        if edit_target is not None:
            key, content = "editMessage", {"targetSentTimestamp": edit_target, "dataMessage": dm}
        else:
            key, content = "dataMessage", dm
        me = sender.person
        for person in targets:
            if person.account is not None and person.account is not sender:
                if group is not None and person.uuid in group.blocked_by:
                    continue  # signal-cli drops messages of blocked groups
                env = ev.envelope(me, sender.this_device, ts, key, content)
                self.push_env(person.account, env)
        # an edit's transcript carries only editMessage (the unwrapped dataMessage is null)
        sync_dm = dm if edit_target is None else {"editMessage": content}
        self.sync_log.append(
            ev.sync_sent(targets[0] if group is None and len(targets) == 1 else None, sync_dm)
        )
        if receipts:
            for person in targets:
                self._receipts_for(sender, person, ts)
        if bot_reply and edit_target is None:
            for person in targets:
                if person.bot and group is None:
                    self._schedule_bot_reply(sender, person, ts, dm)

    def _receipts_for(self, sender: Account, person: Person, ts: int) -> None:
        if person.account is sender:
            return
        device = person.account.this_device if person.account else 1
        self.later(
            self.receipt_delay if person.account is None else 0.02,
            self._send_receipt,
            sender,
            person,
            device,
            "delivery",
            [ts],
        )
        if person.account is None:
            self.later(self.receipt_delay * 3, self._send_receipt, sender, person, 1, "read", [ts])

    def _send_receipt(
        self, to: Account, reader: Person, device: int, kind: str, timestamps: list[int]
    ) -> None:
        when = self.world.now_ms()
        env = ev.envelope(
            reader, device, when, "receiptMessage", ev.receipt(when, kind, timestamps)
        )
        self.push_env(to, env)

    def _schedule_bot_reply(
        self, account: Account, bot: Person, ts: int, dm: dict[str, Any]
    ) -> None:
        from signal_tui.simulator.demo_data import bot_answer

        text = dm.get("message") or ""
        reply, quote_it = bot_answer(
            self.world.rng, text, bool(dm.get("attachments")), bool(dm.get("sticker"))
        )
        self.later(self.reply_delay * 0.4, self.contact_typing, account, bot, "STARTED", None)

        def answer() -> None:
            extra: dict[str, Any] = {}
            if quote_it:
                extra["quote"] = ev.quote(ts, account.person, account.person.address, text or None)
            self.contact_says(account, bot, reply, **extra)

        self.later(self.reply_delay, answer)

    # --- things simulated contacts do ---------------------------------------------------------
    def contact_says(
        self,
        account: Account,
        sender: Person,
        text: str | None,
        *,
        group: Group | None = None,
        ts: int | None = None,
        hold: bool = False,
        **extra: Any,
    ) -> dict[str, Any]:
        ts = ts if ts is not None else self.world.now_ms()
        expires = (
            group.expiration if group else account.contacts.get(sender.uuid, _NO_META).expiration
        )
        dm = ev.data_message(ts, text, expires=expires, **extra)
        if group is not None:
            dm["groupInfo"] = ev.group_info(group)
        env = ev.envelope(sender, 1, ts, "dataMessage", dm)
        if hold:
            return self._hold_untrusted(account, sender, env)
        return self.push_env(account, env)

    def _hold_untrusted(
        self, account: Account, sender: Person, env: dict[str, Any]
    ) -> dict[str, Any]:
        """signal-cli cannot decrypt: it prints an error item and keeps the message until trust."""
        self.faults.untrusted.add(sender.uuid)
        bare = {k: env[k] for k in ev.ALWAYS_PRESENT}
        exception = {
            "message": f"Untrusted identity: {sender.uuid}",
            "type": "UntrustedIdentityException",
        }
        error_item = ev.item(bare, account.number, exception)
        self.push(account, error_item)
        account.held.setdefault(sender.uuid, []).append(ev.item(env, account.number))
        return error_item

    def release_held(self, account: Account, person: Person) -> None:
        """After trust, the cached messages are delivered again (signal-cli ReceiveHelper)."""
        for it in account.held.pop(person.uuid, []):
            self.push(account, it)

    def contact_typing(
        self, account: Account, sender: Person, action: str, group: Group | None
    ) -> None:
        ts = self.world.now_ms()
        self.push_env(
            account, ev.envelope(sender, 1, ts, "typingMessage", ev.typing(action, ts, group))
        )

    def hosted_members(self, group: Group, *, exclude: Account | None = None) -> list[Account]:
        out = []
        for uid in group.members:
            person = self.world.people.get(uid)
            if person and person.account and person.account is not exclude:
                out.append(person.account)
        return out

    def group_update(
        self, actor: Account, group: Group, *, notify: list[str] | None = None
    ) -> None:
        """Bump the revision and tell every hosted member (dataMessage, groupInfo.type UPDATE)."""
        group.revision += 1
        ts = self.world.now_ms()
        dm = ev.data_message(
            ts, None, expires=group.expiration, groupInfo=ev.group_info(group, "UPDATE")
        )
        uids = set(group.members) | set(group.pending_invites) | set(notify or [])
        for uid in uids:
            person = self.world.people.get(uid)
            if person and person.account and person.account is not actor:
                self.push_env(
                    person.account,
                    ev.envelope(actor.person, actor.this_device, ts, "dataMessage", dm),
                )

    def targets_for(self, account: Account, recipient: str) -> tuple[list[Person], Group | None]:
        """Reactions, typing, receipts, deletes and polls: a number/UUID or one `group.` id."""
        r = classify(recipient)
        if r.kind == "group":
            group = self.resolve_group(r.value)
            people = [self.world.people[u] for u in group.members if u in self.world.people]
            return [p for p in people if p.account is not account], group
        person = self.world.find(r.value)
        if person is None:
            if r.kind == "username" or (not is_uuid(r.value) and not r.value.startswith("+")):
                raise bad(self.err_text(f"Failed to send message: Invalid username {r.value}"))
            raise bad(self.err_text(f"Failed to send message\n{r.value}: Unregistered user"))
        return [person], None


_NO_META = type("NoMeta", (), {"expiration": 0})()
