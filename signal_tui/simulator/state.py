"""The simulated world: people (hosted accounts and remote contacts), groups, attachments, faults.

Everything lives in memory and is touched only from the simulator's event loop.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import random
import time
import uuid as uuidlib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from signal_tui.simulator.util import group_id_from_internal


@dataclass
class Person:
    """Somebody on the simulated Signal network; `account` is set when this server hosts them."""

    uuid: str
    number: str | None  # None: the number is hidden from everybody else
    given_name: str = ""
    family_name: str = ""
    about: str = ""
    avatar: bytes | None = None
    username: str | None = None
    bot: bool = False  # answers what it receives (the demo's "Echo")
    real_number: str | None = None  # the hidden number, for search/registration only
    account: Account | None = None

    @property
    def profile_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def address(self) -> str:
        """What signal-cli prints as `source`/`author`: the number, else the UUID."""
        return self.number or self.uuid


@dataclass
class Device:
    id: int
    name: str | None
    created: int
    last_seen: int


@dataclass
class ContactMeta:
    """What one account knows locally about a person (contact name, block, timer, ...)."""

    name: str = ""
    blocked: bool = False
    expiration: int = 0
    color: str = ""
    note: str = ""
    nickname: str = ""


@dataclass
class Account:
    """A number registered on (hosted by) this server."""

    person: Person
    this_device: int = 1
    devices: list[Device] = field(default_factory=list)
    contacts: dict[str, ContactMeta] = field(default_factory=dict)  # uuid -> meta
    trust_mode: str = "on-first-use"
    settings: dict[str, bool] = field(default_factory=dict)
    username_link: str | None = None
    pin: str | None = None
    sticker_packs: list[dict[str, Any]] = field(default_factory=list)
    verified: set[str] = field(default_factory=set)  # uuids whose safety number was verified
    held: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # untrusted sender -> items
    queue: deque[str] = field(default_factory=deque)  # normal mode: serialised receive items
    history: list[str] | None = None  # json-rpc demo convenience: sent to the first socket
    sockets: set[Any] = field(default_factory=set)
    arrived: asyncio.Event | None = None
    lock: asyncio.Lock | None = None  # normal mode: signal-cli's per-account file lock
    dropped: int = 0
    delivered: int = 0

    @property
    def number(self) -> str:
        assert self.person.number or self.person.real_number
        return self.person.number or self.person.real_number or ""

    @property
    def uuid(self) -> str:
        return self.person.uuid


@dataclass
class Group:
    internal_id: str
    name: str
    members: list[str]  # uuids
    admins: list[str]
    description: str = ""
    revision: int = 0
    pending_invites: list[str] = field(default_factory=list)
    pending_requests: list[str] = field(default_factory=list)
    former: set[str] = field(default_factory=set)
    blocked_by: set[str] = field(default_factory=set)
    permissions: dict[str, str] = field(
        default_factory=lambda: {
            "add_members": "every-member",
            "edit_group": "every-member",
            "send_messages": "every-member",
        }
    )
    group_link: str = "disabled"
    invite_link: str = ""
    expiration: int = 0
    avatar: bytes | None = None

    @property
    def id(self) -> str:
        return group_id_from_internal(self.internal_id)


@dataclass
class Faults:
    """Switches for tests: make sends fail the way the real server does."""

    untrusted: set[str] = field(default_factory=set)
    rate_limit_next: int = 0
    send_delay: float = 0.0
    fail_next_status: int | None = None


class World:
    """Registries and lookups; deterministic randomness from the seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.people: dict[str, Person] = {}
        self.by_number: dict[str, Person] = {}
        self.accounts: dict[
            str, Account
        ] = {}  # number -> account (insertion order = hosting order)
        self.groups: dict[str, Group] = {}  # internal id -> group
        self.attachments: dict[str, bytes] = {}
        self.poll_votes: dict[tuple[str, int], int] = {}
        self._last_ts = 0

    # ids and time ----------------------------------------------------------------------------
    def now_ms(self) -> int:
        """A unique, increasing millisecond timestamp (Signal identifies messages by it)."""
        ts = max(int(time.time() * 1000), self._last_ts + 1)
        self._last_ts = ts
        return ts

    def new_uuid(self) -> str:
        return str(uuidlib.UUID(int=self.rng.getrandbits(128), version=4))

    def new_group_internal_id(self) -> str:
        return base64.b64encode(self.rng.randbytes(32)).decode("ascii")

    def new_attachment_id(self, ext: str) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(self.rng.choice(alphabet) for _ in range(20)) + ext

    # people ----------------------------------------------------------------------------------
    def add_person(self, person: Person) -> Person:
        self.people[person.uuid] = person
        for num in (person.number, person.real_number):
            if num:
                self.by_number[num] = person
        return person

    def host(
        self, person: Person, *, devices: list[Device] | None = None, this_device: int = 1
    ) -> Account:
        now = self.now_ms()
        account = Account(
            person=person,
            this_device=this_device,
            devices=devices or [Device(this_device, None, now, now)],
        )
        person.account = account
        self.add_person(person)
        self.accounts[account.number] = account
        return account

    def find(self, key: str) -> Person | None:
        """A person by number, UUID or username."""
        if key in self.by_number:
            return self.by_number[key]
        person = self.people.get(key.lower())
        if person is not None:
            return person
        for p in self.people.values():
            if p.username and p.username == key:
                return p
        return None

    def is_untrusted(self, faults: Faults, person: Person) -> bool:
        keys = {person.uuid, person.number, person.real_number}
        return bool(keys & faults.untrusted)

    def visible_groups(self, account: Account) -> list[Group]:
        uid = account.uuid
        return [
            g
            for g in self.groups.values()
            if uid in g.members or uid in g.former or uid in g.pending_invites
        ]


def fingerprint(a: str, b: str) -> tuple[str, str]:
    """A stable (fingerprint hex, 60-digit safety number) for a pair of identities."""
    digest = hashlib.sha256(f"{a}|{b}".encode()).digest()
    fp = " ".join(f"{x:02X}" for x in digest[:32])
    digits = "".join(str(int.from_bytes(digest[i : i + 2], "big") % 10) for i in range(0, 32, 1))
    digits = (digits * 2)[:60]
    safety = " ".join(digits[i : i + 5] for i in range(0, 60, 5))
    return fp, safety
