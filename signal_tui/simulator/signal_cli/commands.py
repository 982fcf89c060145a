"""signal-cli's commands over the simulator's world: the face the real signal-cli-rest-api talks to.

Each command takes signal-cli's parameter names (kebab-case, as its JSON-RPC and its argv use them;
camelCase keys are accepted too, as signal-cli's JSON-RPC accepts both) and returns what signal-cli
prints with `--output json` (or answers over JSON-RPC). Failures raise `CliError` with signal-cli's
message, its JSON-RPC error code and its process exit code. Shapes and texts are taken from
AsamK/signal-cli (`json/Json*.java`, `commands/*Command.java`, `jsonrpc/`).

The world is the simulator's (state.py, core.py): a send here is delivered by the same `deliver`
that `POST /v2/send` on the simulator's HTTP face uses.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from signal_tui.simulator import envelopes as ev
from signal_tui.simulator.state import Account, ContactMeta, Device, Group, Person, fingerprint
from signal_tui.simulator.util import image_size, sniff

if TYPE_CHECKING:
    from signal_tui.simulator.core import SimCore

# signal-cli's exit codes (commands/exceptions) and JSON-RPC error codes (jsonrpc/JsonRpcDispatcher)
EXIT_USER, EXIT_UNEXPECTED, EXIT_IO, EXIT_UNTRUSTED, EXIT_RATE_LIMIT = 1, 2, 3, 4, 5
CODE_USER, CODE_UNEXPECTED, CODE_IO, CODE_UNTRUSTED, CODE_RATE_LIMIT = -1, -2, -3, -4, -5
RATE_LIMIT_TEXT = "Failed to send message due to rate limiting"
LONG_TEXT_BYTES = 2000
SEND_EMPTY = (
    "Sending empty message is not allowed, either a message, attachment or sticker must be given."
)


class CliError(Exception):
    """A signal-cli failure: `message` (stderr / JSON-RPC message), `stdout` printed before it."""

    def __init__(
        self,
        message: str,
        *,
        code: int = CODE_USER,
        exit_code: int = EXIT_USER,
        stdout: str = "",
        data: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.exit_code = exit_code
        self.stdout = stdout
        self.data = data


def normalise(params: dict[str, Any]) -> dict[str, Any]:
    """camelCase -> kebab-case (`groupId` -> `group-id`), as signal-cli's JSON-RPC maps them."""
    return {re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", k).lower(): v for k, v in params.items()}


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _group_internal(value: Any) -> str:
    return str(_list(value)[0]) if value else ""


class SignalCli:
    """The commands, bound to one simulator world."""

    def __init__(self, sim: SimCore) -> None:
        self.sim = sim
        self.world = sim.world

    # --- dispatch -----------------------------------------------------------------------------
    async def call(self, method: str, params: dict[str, Any] | None) -> Any:
        p = normalise(params or {})
        handler = COMMANDS.get(method)
        if handler is None:
            raise CliError(f"Method not implemented: {method}", code=-32601, exit_code=EXIT_USER)
        if method in NO_ACCOUNT or (method in OPTIONAL_ACCOUNT and not self.sim.json_rpc):
            # without -a, signal-cli uses the only local account; the multi-account daemon
            # needs one for every command that works on an account's data
            return await handler(self, None, p)
        return await handler(self, self._account(p), p)

    def _account(self, p: dict[str, Any]) -> Account:
        number = p.get("account")
        account = self.world.accounts.get(number) if isinstance(number, str) else None
        if account is None:
            if self.sim.json_rpc:
                raise CliError("Specified account does not exist", code=-32602)
            raise CliError(f"User {number} is not registered.")
        return account

    # --- resolution ---------------------------------------------------------------------------
    def _person(self, key: str) -> Person | None:
        return self.world.find(key.removeprefix("u:"))

    def _group(self, internal_id: str, what: str = "send message") -> Group:
        group = self.world.groups.get(internal_id)
        if group is None:
            raise CliError(f"Failed to {what}: Group not found: {internal_id}")
        return group

    def _targets(
        self, account: Account, p: dict[str, Any]
    ) -> tuple[list[Person], Group | None, list[str]]:
        """`recipient` list or `group-id`: (people, group, unresolved keys)."""
        gid = _group_internal(p.get("group-id"))
        if gid:
            group = self._group(gid)
            people = [self.world.people[u] for u in group.members if u in self.world.people]
            return [x for x in people if x.account is not account], group, []
        people, missing = [], []
        for key in [*_list(p.get("recipient")), *_list(p.get("username"))]:
            person = self._person(str(key))
            if person is None:
                missing.append(str(key))
            else:
                people.append(person)
        return people, None, missing

    def _address(self, person: Person | None, key: str) -> dict[str, Any]:
        if person is None:
            return {"uuid": None, "number": key if key.startswith("+") else None, "username": None}
        return {"uuid": person.uuid, "number": person.number, "username": person.username}

    # --- messages -----------------------------------------------------------------------------
    async def send(self, account: Account, p: dict[str, Any]) -> Any:
        ts = self.world.now_ms()
        message = p.get("message") or ""
        attachments = [self._attachment(str(a), ts) for a in _list(p.get("attachment"))]
        sticker = p.get("sticker")
        if not message and not attachments and not sticker:
            raise CliError(SEND_EMPTY)
        if len(message.encode("utf-8")) > LONG_TEXT_BYTES:
            data = message.encode("utf-8")
            att_id = self.world.new_attachment_id(".txt")
            self.world.attachments[att_id] = data
            attachments.append(
                ev.attachment(
                    att_id, "text/x-signal-plain", len(data), filename=None, width=None,
                    height=None, upload_ts=ts,
                )
            )  # fmt: skip
        targets, group, missing = self._targets(account, p)
        if group is not None:
            if account.uuid not in group.members:
                raise CliError("Failed to send message: User is not a member in group")
            if not account.person.profile_name:
                raise CliError(
                    "Failed to send message: "
                    "org.whispersystems.signalservice.api.push.exceptions.NotFoundException: "
                    "Not found (No profile key)",
                    code=CODE_UNEXPECTED, exit_code=EXIT_UNEXPECTED,
                )  # fmt: skip
        faults = self.sim.faults
        if faults.rate_limit_next > 0:
            faults.rate_limit_next -= 1
            token = self.world.new_uuid()
            results = [
                {
                    "recipientAddress": self._address(x, x.address),
                    "type": "RATE_LIMIT_FAILURE",
                    "token": token,
                }
                for x in targets
            ]
            raise CliError(
                RATE_LIMIT_TEXT, code=CODE_RATE_LIMIT, exit_code=EXIT_RATE_LIMIT,
                data={"response": {"timestamp": ts, "results": results}},
            )  # fmt: skip
        results: list[dict[str, Any]] = []
        ok: list[Person] = []
        untrusted: list[str] = []
        for key in missing:
            results.append(
                {"recipientAddress": self._address(None, key), "type": "UNREGISTERED_FAILURE"}
            )
        for person in targets:
            if self.world.is_untrusted(faults, person):
                untrusted.append(person.address)
                kind = "IDENTITY_FAILURE"
            else:
                ok.append(person)
                kind = "SUCCESS"
            results.append(
                {"recipientAddress": self._address(person, person.address), "type": kind}
            )
        out = {"timestamp": ts, "results": results}
        if (targets or missing) and not ok:
            # SendMessageResultUtils.outputResult: with --output json the results go to stdout and
            # only the exception's message to stderr (the per-recipient lines are plain-text only)
            if untrusted:
                raise CliError(
                    "Failed to send message due to untrusted identities",
                    code=CODE_UNTRUSTED, exit_code=EXIT_UNTRUSTED, data={"response": out},
                    stdout=_dumps(out) + "\n",
                )  # fmt: skip
            # the simulator's reading of an unknown number in normal mode (kept alike on purpose)
            lines = (
                "" if self.sim.json_rpc else "".join(f"{k}: Unregistered user\n" for k in missing)
            )
            raise CliError(lines + "Failed to send message", data={"response": out})
        dm = self._data_message(account, p, message, attachments, ts, group, ok)
        edit = p.get("edit-timestamp")
        self.sim.deliver(account, ok, group, ts, dm, edit_target=int(edit) if edit else None)
        return out

    def _attachment(self, value: str, ts: int) -> dict[str, Any]:
        """A temp file path written by the server (or a data URI), read now: it is deleted after."""
        filename: str | None = None
        if value.startswith("data:"):
            head, _, b64 = value.partition("base64,")
            data = base64.b64decode(b64)
            for part in head.rstrip(";").split(";"):
                if part.startswith("filename="):
                    filename = part[len("filename=") :]
        else:
            path = Path(value)
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise CliError(
                    f"Failed to send message: {value} (No such file or directory)",
                    code=CODE_UNEXPECTED, exit_code=EXIT_UNEXPECTED,
                ) from exc  # fmt: skip
            filename = path.name
        mime, ext = sniff(data)
        att_id = self.world.new_attachment_id(ext)
        self.world.attachments[att_id] = data
        width, height = image_size(data) if mime.startswith("image/") else (None, None)
        return ev.attachment(
            att_id, mime.split(";")[0], len(data), filename=filename, width=width,
            height=height, upload_ts=ts,
        )  # fmt: skip

    def _mention(self, spec: str) -> dict[str, Any]:
        start, length, key = spec.split(":", 2)
        return ev.mention(self._person(key), key, int(start), int(length))

    def _data_message(
        self,
        account: Account,
        p: dict[str, Any],
        message: str,
        attachments: list[dict[str, Any]],
        ts: int,
        group: Group | None,
        ok: list[Person],
    ) -> dict[str, Any]:
        styles = []
        for spec in _list(p.get("text-style")):
            start, length, style = str(spec).split(":", 2)
            styles.append({"style": style, "start": int(start), "length": int(length)})
        quote = None
        if p.get("quote-timestamp") is not None:
            key = str(p.get("quote-author") or "")
            quote = ev.quote(
                int(p["quote-timestamp"]),
                self._person(key) if key else None,
                key,
                p.get("quote-message"),
                [self._mention(str(m)) for m in _list(p.get("quote-mention"))],
            )
        sticker = None
        if p.get("sticker"):
            pack, _, sid = str(p["sticker"]).partition(":")
            sticker = {"packId": pack, "stickerId": int(sid) if sid.isdigit() else 0}
        previews = []
        if p.get("preview-url"):
            previews.append(
                {
                    "url": p["preview-url"],
                    "title": p.get("preview-title"),
                    "description": p.get("preview-description") or "",
                    "image": None,
                }
            )
        if group is not None:
            expires = group.expiration
        else:
            meta = account.contacts.get(ok[0].uuid) if ok else None
            expires = meta.expiration if meta else 0
        return ev.data_message(
            ts,
            message or None,
            expires=expires,
            view_once=bool(p.get("view-once")),
            attachments=attachments,
            mentions=[self._mention(str(m)) for m in _list(p.get("mention"))],
            textStyles=styles,
            quote=quote,
            sticker=sticker,
            previews=previews,
        )

    def _fan_out(
        self,
        account: Account,
        p: dict[str, Any],
        key: str,
        content: dict[str, Any],
        ts: int,
        *,
        group_info: bool = True,
    ) -> dict[str, Any]:
        targets, group, missing = self._targets(account, p)
        if missing and not targets:
            lines = "".join(f"{k}: Unregistered user\n" for k in missing)
            raise CliError(lines + "Failed to send message")
        if key == "dataMessage" and group is not None and group_info:
            content = {**content, "groupInfo": ev.group_info(group)}
        for person in targets:
            if person.account is not None and person.account is not account:
                env = ev.envelope(account.person, account.this_device, ts, key, content)
                self.sim.push_env(person.account, env)
        if key == "dataMessage":
            dest = targets[0] if group is None and len(targets) == 1 else None
            self.sim.sync_log.append(ev.sync_sent(dest, content))
        results = [
            {"recipientAddress": self._address(x, x.address), "type": "SUCCESS"} for x in targets
        ]
        return {"timestamp": ts, "results": results}

    async def send_reaction(self, account: Account, p: dict[str, Any]) -> Any:
        ts = self.world.now_ms()
        author = str(p.get("target-author") or "")
        react = ev.reaction(
            str(p.get("emoji") or ""),
            self._person(author),
            author,
            int(p.get("target-timestamp") or 0),
            bool(p.get("remove")),
        )
        return self._fan_out(
            account, p, "dataMessage", ev.data_message(ts, None, reaction=react), ts
        )

    async def send_receipt(self, account: Account, p: dict[str, Any]) -> Any:
        when = self.world.now_ms()
        kind = "viewed" if p.get("type") == "viewed" else "read"
        stamps = [int(t) for t in _list(p.get("target-timestamp"))]
        return self._fan_out(account, p, "receiptMessage", ev.receipt(when, kind, stamps), when)

    async def send_typing(self, account: Account, p: dict[str, Any]) -> Any:
        ts = self.world.now_ms()
        _targets, group, _ = self._targets(account, p)
        action = "STOPPED" if p.get("stop") else "STARTED"
        self._fan_out(account, p, "typingMessage", ev.typing(action, ts, group), ts)
        return {}

    async def remote_delete(self, account: Account, p: dict[str, Any]) -> Any:
        ts = self.world.now_ms()
        dm = ev.data_message(
            ts, None, remoteDelete={"timestamp": int(p.get("target-timestamp") or 0)}
        )
        return self._fan_out(account, p, "dataMessage", dm, ts)

    async def receive(self, account: Account, p: dict[str, Any]) -> Any:
        """Normal mode: what is queued for the account, until `timeout` s pass with nothing new."""
        import asyncio

        from signal_tui.simulator.routes_receive import _collect

        if account.arrived is None:
            account.arrived = asyncio.Event()
        limit = int(p.get("max-messages") or 0) or None
        idle = float(p.get("timeout") or 1)
        if self.sim.receive_idle_cap is not None:
            idle = min(idle, self.sim.receive_idle_cap)
        return await _collect(account, idle, limit)  # serialised items, printed one per line

    # --- accounts, devices, profile -----------------------------------------------------------
    async def list_accounts(self, _account: Account | None, _p: dict[str, Any]) -> Any:
        return [{"number": number} for number in self.world.accounts]

    async def list_devices(self, account: Account, _p: dict[str, Any]) -> Any:
        return [
            {
                "id": d.id,
                "name": d.name,
                "createdTimestamp": d.created,
                "lastSeenTimestamp": d.last_seen,
            }
            for d in account.devices
        ]

    async def add_device(self, account: Account, p: dict[str, Any]) -> Any:
        uri = str(p.get("uri") or "")
        if account.this_device != 1:
            raise CliError("Linking another device is only possible from the primary device.")
        if not uri.startswith("sgnl://linkdevice?") and not uri.startswith("tsdevice:/?"):
            raise CliError("Device link uri has invalid format: " + uri)
        now = self.world.now_ms()
        new_id = max(d.id for d in account.devices) + 1
        account.devices.append(Device(new_id, "Linked device", now, now))
        return {}

    async def remove_device(self, account: Account, p: dict[str, Any]) -> Any:
        device_id = int(p.get("device-id") or 0)
        if not any(d.id == device_id for d in account.devices):
            raise CliError(
                "Failed to remove device: [404] Device not found", code=CODE_IO, exit_code=EXIT_IO
            )
        account.devices = [d for d in account.devices if d.id != device_id]
        return {}

    async def update_profile(self, account: Account, p: dict[str, Any]) -> Any:
        person = account.person
        if p.get("given-name") is not None:
            person.given_name = str(p["given-name"])
            person.family_name = str(p.get("family-name") or "")
        if p.get("about") is not None:
            person.about = str(p["about"])
        if p.get("remove-avatar"):
            person.avatar = None
        elif p.get("avatar"):
            try:
                person.avatar = _read(p["avatar"])
            except OSError as exc:
                raise CliError(f"Failed to read avatar: {exc}") from exc
        return {}

    async def get_user_status(self, _account: Account | None, p: dict[str, Any]) -> Any:
        out = []
        for key in _list(p.get("recipient")):
            person = self._person(str(key))
            out.append(
                {
                    "recipient": key,
                    "number": person.number if person else key,
                    "uuid": person.uuid if person else None,
                    "isRegistered": person is not None,
                }
            )
        return out

    # --- contacts and identities --------------------------------------------------------------
    def _known(self, account: Account, everyone: bool) -> list[Person]:
        uids = list(account.contacts)
        if everyone:
            for group in self.world.visible_groups(account):
                uids.extend(u for u in group.members if u not in uids)
        people = [self.world.people[u] for u in dict.fromkeys(uids) if u in self.world.people]
        return [x for x in people if x.uuid != account.uuid]

    def _contact(self, account: Account, person: Person) -> dict[str, Any]:
        """signal-cli's JsonContact."""
        meta = account.contacts.get(person.uuid, ContactMeta())
        given, _, family = meta.name.partition(" ")
        return {
            "number": person.number,
            "uuid": person.uuid,
            "username": person.username,
            "name": meta.name,
            "givenName": given or None,
            "familyName": family or None,
            "nickName": meta.nickname or None,
            "nickGivenName": meta.nickname or None,
            "nickFamilyName": None,
            "note": meta.note or None,
            "color": meta.color or None,
            "isBlocked": meta.blocked,
            "isHidden": False,
            "messageExpirationTime": meta.expiration,
            "unregistered": False,
            "profile": {
                "lastUpdateTimestamp": 1_700_000_000_000,
                "givenName": person.given_name or None,
                "familyName": person.family_name or None,
                "about": person.about or None,
                "aboutEmoji": None,
                "hasAvatar": person.avatar is not None,
                "mobileCoinAddress": None,
            },
        }

    async def list_contacts(self, account: Account, p: dict[str, Any]) -> Any:
        people = self._known(account, bool(p.get("all-recipients")))
        wanted = [str(r) for r in _list(p.get("recipient"))]
        if wanted:
            found = [self._person(k) for k in wanted]
            keep = {x.uuid for x in found if x is not None}
            people = [x for x in self._known(account, True) if x.uuid in keep]
            if account.person.uuid in keep:
                people.append(account.person)
        return [self._contact(account, x) for x in people]

    async def update_contact(self, account: Account, p: dict[str, Any]) -> Any:
        key = str(_list(p.get("recipient"))[0] if p.get("recipient") else "")
        person = self._person(key)
        if person is None:
            raise CliError(f"Failed to update contact: {key} is not registered")
        meta = account.contacts.setdefault(person.uuid, ContactMeta())
        if p.get("name") is not None:
            meta.name = str(p["name"])
        if p.get("expiration") is not None:
            meta.expiration = int(p["expiration"])
        return {}

    async def send_contacts(self, account: Account, _p: dict[str, Any]) -> Any:
        if account.this_device != 1:
            raise CliError("Failed to send sync message: only the primary device can sync contacts")
        return {}

    async def list_identities(self, account: Account, _p: dict[str, Any]) -> Any:
        out = []
        for person in self._known(account, True):
            fp, safety = fingerprint(account.uuid, person.uuid)
            level = "TRUSTED_UNVERIFIED"
            if self.world.is_untrusted(self.sim.faults, person):
                level = "UNTRUSTED"
            if person.uuid in account.verified:
                level = "TRUSTED_VERIFIED"
            out.append(
                {
                    "number": person.number,
                    "uuid": person.uuid,
                    "fingerprint": fp,
                    "safetyNumber": safety,
                    "scannableSafetyNumber": base64.b64encode(safety.encode()).decode(),
                    "trustLevel": level,
                    "addedTimestamp": 1_700_000_000_000,
                }
            )
        return out

    async def trust(self, account: Account, p: dict[str, Any]) -> Any:
        key = str(_list(p.get("recipient"))[0] if p.get("recipient") else "")
        person = self._person(key)
        if person is None:
            raise CliError(f"Failed to set the trust for {key}: unknown recipient")
        safety = p.get("verified-safety-number")
        if safety is not None:
            expected = fingerprint(account.uuid, person.uuid)[1]
            if str(safety).replace(" ", "") != expected.replace(" ", ""):
                raise CliError(
                    "Failed to set the trust for this number: safety number does not match"
                )
            account.verified.add(person.uuid)
        elif not p.get("trust-all-known-keys"):
            raise CliError(
                "You need to specify the fingerprint/safety number you have verified with -v SAFETY_NUMBER"
            )
        for k in (person.uuid, person.number, person.real_number):
            self.sim.faults.untrusted.discard(k)  # type: ignore[arg-type]
        self.sim.release_held(account, person)
        return {}

    # --- groups -------------------------------------------------------------------------------
    def _member(self, uid: str) -> dict[str, Any]:
        person = self.world.people.get(uid)
        return {"number": person.number if person else None, "uuid": uid}

    def _group_json(self, account: Account, group: Group) -> dict[str, Any]:
        """signal-cli's JsonGroup (listGroups -d)."""
        perm = {"every-member": "EVERY_MEMBER", "only-admins": "ONLY_ADMINS"}
        return {
            "id": group.internal_id,
            "name": group.name,
            "description": group.description,
            "isMember": account.uuid in group.members,
            "isBlocked": account.uuid in group.blocked_by,
            "messageExpirationTime": group.expiration,
            "members": [self._member(u) for u in group.members],
            "pendingMembers": [self._member(u) for u in group.pending_invites],
            "requestingMembers": [self._member(u) for u in group.pending_requests],
            "admins": [self._member(u) for u in group.admins],
            "banned": [],
            "permissionAddMember": perm[group.permissions["add_members"]],
            "permissionEditDetails": perm[group.permissions["edit_group"]],
            "permissionSendMessage": perm[group.permissions["send_messages"]],
            "groupInviteLink": group.invite_link or None,
        }

    async def list_groups(self, account: Account, p: dict[str, Any]) -> Any:
        groups = self.world.visible_groups(account)
        wanted = [str(g) for g in _list(p.get("group-id"))]
        if wanted:
            groups = [g for g in groups if g.internal_id in wanted]
        return [self._group_json(account, g) for g in groups]

    def _people(self, keys: list[Any]) -> list[Person]:
        out = []
        for key in keys:
            person = self._person(str(key))
            if person is None:
                raise CliError(f"Failed to update group: {key} is not registered")
            out.append(person)
        return out

    async def update_group(self, account: Account, p: dict[str, Any]) -> Any:
        gid = _group_internal(p.get("group-id"))
        members = self._people([*_list(p.get("member")), *_list(p.get("members"))])
        perm = {"every-member": "every-member", "only-admins": "only-admins"}
        perms = {
            "add_members": p.get("set-permission-add-member"),
            "edit_group": p.get("set-permission-edit-details"),
            "send_messages": p.get("set-permission-send-messages"),
        }
        if not gid:  # create
            if not account.person.profile_name:
                raise CliError(
                    "Failed to create group: "
                    "org.whispersystems.signalservice.api.push.exceptions.NotFoundException: "
                    "Not found (No profile key)",
                    code=CODE_UNEXPECTED, exit_code=EXIT_UNEXPECTED,
                )  # fmt: skip
            group = Group(
                internal_id=self.world.new_group_internal_id(),
                name=str(p.get("name") or ""),
                description=str(p.get("description") or ""),
                members=[account.uuid] + [x.uuid for x in members if x.uuid != account.uuid],
                admins=[account.uuid],
                expiration=int(p.get("expiration") or 0),
            )
            self.world.groups[group.internal_id] = group
            created = True
        else:
            group = self._group(gid, "update group")
            if account.uuid not in group.members:
                raise CliError("Failed to update group: You are not a member of this group")
            for person in members:
                if person.uuid not in group.members:
                    group.members.append(person.uuid)
            for person in self._people(_list(p.get("remove-member"))):
                if person.uuid in group.members:
                    group.members.remove(person.uuid)
                    group.former.add(person.uuid)
            for person in self._people(_list(p.get("admin"))):
                if person.uuid in group.members and person.uuid not in group.admins:
                    group.admins.append(person.uuid)
            for person in self._people(_list(p.get("remove-admin"))):
                if person.uuid in group.admins:
                    group.admins.remove(person.uuid)
            for key in ("name", "description"):
                if p.get(key) is not None:
                    setattr(group, key, str(p[key]))
            if p.get("expiration") is not None:
                group.expiration = int(p["expiration"])
            if p.get("avatar"):
                try:
                    group.avatar = _read(p["avatar"])
                except OSError as exc:
                    raise CliError(f"Failed to read avatar: {exc}") from exc
            created = False
        for key, value in perms.items():
            if value in perm:
                group.permissions[key] = perm[value]
        link = p.get("link")
        if link in ("enabled", "enabled-with-approval", "disabled"):
            group.group_link = link
            if link == "disabled":
                group.invite_link = ""
            elif not group.invite_link:
                token = base64.urlsafe_b64encode(self.world.rng.randbytes(48)).decode()
                group.invite_link = "https://signal.group/#" + token.rstrip("=")
        self.sim.group_update(account, group)
        _ = created
        return {"groupId": group.internal_id, "timestamp": self.world.now_ms()}

    async def quit_group(self, account: Account, p: dict[str, Any]) -> Any:
        group = self._group(_group_internal(p.get("group-id")), "quit group")
        if account.uuid not in group.members:
            raise CliError("Failed to quit group: You are not a member of this group")
        others = [u for u in group.members if u != account.uuid]
        if group.admins == [account.uuid] and others and not p.get("admin"):
            raise CliError(  # QuitGroupCommand + LastGroupAdminException
                "You need to specify a new admin with --admin: User is last admin in group: "
                f"{group.name} ({group.internal_id})"
            )
        for person in self._people(_list(p.get("admin"))):
            if person.uuid not in group.admins:
                group.admins.append(person.uuid)
        group.members.remove(account.uuid)
        group.former.add(account.uuid)
        if account.uuid in group.admins:
            group.admins.remove(account.uuid)
        self.sim.group_update(account, group)
        if p.get("delete"):
            group.former.discard(account.uuid)
        return {"timestamp": self.world.now_ms(), "results": []}

    async def block(self, account: Account, p: dict[str, Any]) -> Any:
        for gid in _list(p.get("group-id")):
            self._group(str(gid), "block").blocked_by.add(account.uuid)
        for key in _list(p.get("recipient")):
            person = self._person(str(key))
            if person is not None:
                account.contacts.setdefault(person.uuid, ContactMeta()).blocked = True
        return {}

    async def unblock(self, account: Account, p: dict[str, Any]) -> Any:
        for gid in _list(p.get("group-id")):
            self._group(str(gid), "unblock").blocked_by.discard(account.uuid)
        for key in _list(p.get("recipient")):
            person = self._person(str(key))
            if person is not None:
                account.contacts.setdefault(person.uuid, ContactMeta()).blocked = False
        return {}

    async def list_sticker_packs(self, account: Account, _p: dict[str, Any]) -> Any:
        return [
            {
                "packId": s.get("pack_id", ""),
                "url": s.get("url", ""),
                "installed": bool(s.get("installed", True)),
                "title": s.get("title", ""),
                "author": s.get("author", ""),
            }
            for s in account.sticker_packs
        ]


def _read(path: Any) -> bytes:
    """A file the server wrote for this call (small: an avatar)."""
    return Path(str(path)).read_bytes()


def _dumps(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


COMMANDS = {
    "send": SignalCli.send,
    "sendReaction": SignalCli.send_reaction,
    "sendReceipt": SignalCli.send_receipt,
    "sendTyping": SignalCli.send_typing,
    "remoteDelete": SignalCli.remote_delete,
    "receive": SignalCli.receive,
    "listAccounts": SignalCli.list_accounts,
    "listDevices": SignalCli.list_devices,
    "addDevice": SignalCli.add_device,
    "removeDevice": SignalCli.remove_device,
    "updateProfile": SignalCli.update_profile,
    "getUserStatus": SignalCli.get_user_status,
    "listContacts": SignalCli.list_contacts,
    "updateContact": SignalCli.update_contact,
    "sendContacts": SignalCli.send_contacts,
    "listIdentities": SignalCli.list_identities,
    "trust": SignalCli.trust,
    "listGroups": SignalCli.list_groups,
    "updateGroup": SignalCli.update_group,
    "quitGroup": SignalCli.quit_group,
    "block": SignalCli.block,
    "unblock": SignalCli.unblock,
    "listStickerPacks": SignalCli.list_sticker_packs,
}
NO_ACCOUNT = {"listAccounts"}
OPTIONAL_ACCOUNT = {"getUserStatus"}
