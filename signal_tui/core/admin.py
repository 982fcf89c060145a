"""Administration: groups, linked devices, contacts, safety numbers, profile, server attachments.

Every change the admin screens make goes through ``Admin`` (the UI never calls HTTP): it calls the
SignalClient, writes what changed into the Store (so the conversation list and views update through
the ordinary change notices), and turns failures into plain sentences (``AdminError``).

Server facts this relies on (rest-api-notes.md):
* ``DELETE /v1/groups/{n}/{gid}`` does not delete a group, it leaves it ("delete" = leave);
* linking another device and sending a contacts sync only work on the primary device;
* a profile update without ``base64_avatar`` REMOVES the avatar, so the avatar bytes we last set are
  kept in the account data dir and sent again with every update (see admin_people.py).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from signal_tui.core.admin_errors import AdminError, explain
from signal_tui.core.admin_people import PeopleMixin
from signal_tui.core.admin_setup import read_device

__all__ = [
    "DELETE_MEANS_LEAVE",
    "Admin",
    "AdminError",
    "DeviceInfo",
    "GroupInfo",
    "ServerAttachment",
]

T = TypeVar("T")
DELETE_MEANS_LEAVE = (
    "signal-cli-rest-api cannot delete a group: deleting leaves it, and the group goes on "
    "for the other members"
)
LINK_STATES = ("disabled", "enabled", "enabled-with-approval")
PERMISSION_VALUES = ("every-member", "only-admins")
MAX_AVATAR_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """A group as the admin screens show it (fresh from the server, names from the store)."""

    id: str
    name: str
    description: str = ""
    members: tuple[str, ...] = ()
    admins: tuple[str, ...] = ()
    pending_invites: tuple[str, ...] = ()
    pending_requests: tuple[str, ...] = ()
    blocked: bool = False
    member: bool = True
    invite_link: str | None = None
    permissions: dict[str, str] = field(default_factory=dict)
    conversation_id: int | None = None
    expiry_seconds: int = 0
    is_admin: bool = False

    @property
    def role(self) -> str:
        if not self.member:
            return "left"
        return "admin" if self.is_admin else "member"

    @property
    def link_state(self) -> str:
        return "enabled" if self.invite_link else "disabled"


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    id: int
    name: str
    created: int | None  # ms since epoch
    last_seen: int | None
    this_device: bool = False


@dataclass(frozen=True, slots=True)
class ServerAttachment:
    id: str
    size: int | None = None


def _tuple(value: Iterable[Any] | None) -> tuple[str, ...]:
    out = []
    for item in value or ():
        if isinstance(item, dict):  # expand=true form
            item = item.get("uuid") or item.get("number")
        if item:
            out.append(str(item))
    return tuple(out)


def _permissions(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return {k: str(v) for k, v in value.items() if v}
    names = ("add_members", "edit_group", "send_messages")
    return {n: str(getattr(value, n)) for n in names if getattr(value, n, None)}


class Admin(PeopleMixin):
    """Administration commands for one account. All methods raise AdminError on failure."""

    def __init__(self, client: Any, store: Any, account: str, data_dir: Path) -> None:
        self.client = client
        self.store = store
        self.account = account
        self.data_dir = Path(data_dir)
        self._groups: dict[str, GroupInfo] = {}
        device = read_device(self.data_dir)
        self.linked = bool(device.get("linked"))  # False: registered here = primary device
        self.device_name = device.get("device_name") or None
        self.this_device_id: int | None = None if self.linked else 1

    async def _call(self, action: str, fn: Callable[..., Awaitable[T]], *args: Any, **kw: Any) -> T:
        try:
            return await fn(*args, **kw)
        except AdminError:
            raise
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise explain(exc, action) from exc

    # --- identity of this account ------------------------------------------------------------
    async def _own_addresses(self) -> set[str]:
        own = {self.account}
        try:
            me = await self.store.self_recipient()
        except Exception:
            me = None
        if me is not None:
            own |= {a for a in (me.uuid, me.number) if a}
        return own

    # --- groups ---------------------------------------------------------------------------------
    async def refresh_groups(self) -> list[GroupInfo]:
        """Fetch every group from the server, write them into the store, return them by name."""
        groups = await self._call("groups", self.client.groups, self.account)
        await self.ensure_names()
        own = await self._own_addresses()
        out = [await self._store_group(g, own) for g in groups]
        return sorted(out, key=lambda g: (not g.member, g.name.casefold()))

    async def refresh_group(self, group_id: str) -> GroupInfo:
        group = await self._call("group", self.client.group, self.account, group_id)
        return await self._store_group(group, await self._own_addresses())

    def cached_group(self, group_id: str) -> GroupInfo | None:
        return self._groups.get(group_id)

    async def _store_group(self, g: Any, own: set[str]) -> GroupInfo:
        members, admins = _tuple(g.members), _tuple(g.admins)
        member = getattr(g, "member", True) is not False
        conv = await self.store.upsert_group(
            g.id,
            name=g.name or "",
            description=g.description or "",
            members=list(members),
            admins=list(admins),
            blocked=bool(g.blocked),
            left=not member,
        )
        info = GroupInfo(
            id=g.id,
            name=g.name or "",
            description=g.description or "",
            members=members,
            admins=admins,
            pending_invites=_tuple(getattr(g, "pending_invites", ())),
            pending_requests=_tuple(getattr(g, "pending_requests", ())),
            blocked=bool(g.blocked),
            member=member,
            invite_link=getattr(g, "invite_link", None) or None,
            permissions=_permissions(getattr(g, "permissions", None)),
            conversation_id=getattr(conv, "id", None),
            expiry_seconds=getattr(conv, "expiry_seconds", 0) or 0,
            is_admin=bool(own & set(admins)),
        )
        self._groups[g.id] = info
        return info

    async def group_members(self, group: GroupInfo) -> list[tuple[Any, bool]]:
        """(Recipient, is_admin) pairs with names from the store, admins first."""
        if group.conversation_id is None:
            return []
        rows = await self.store.group_members(group.conversation_id)
        return sorted(rows, key=lambda r: (not r[1], r[0].display_name.casefold()))

    async def create_group(
        self,
        name: str,
        members: Sequence[str],
        *,
        description: str | None = None,
        permissions: dict[str, str] | None = None,
        group_link: str | None = None,
        expiration_time: int | None = None,
    ) -> GroupInfo:
        name = name.strip()
        if not name:
            raise AdminError("A group needs a name", "invalid")
        if group_link is not None and group_link not in LINK_STATES:
            raise AdminError(f"Invite link must be one of {', '.join(LINK_STATES)}", "invalid")
        _check_permissions(permissions)
        gid = await self._call(
            "create_group",
            self.client.create_group,
            self.account,
            name,
            list(members),
            description=description or None,
            permissions=permissions or None,
            group_link=group_link,
            expiration_time=expiration_time or None,
        )
        try:
            info = await self.refresh_group(gid)
        except AdminError:  # listed only after the next receive on some servers: store what we know
            conv = await self.store.upsert_group(
                gid, name=name, description=description or "", members=[self.account, *members],
                admins=[self.account],
            )  # fmt: skip
            info = GroupInfo(gid, name, description or "", (self.account, *members),
                             (self.account,), conversation_id=conv.id, is_admin=True)  # fmt: skip
            self._groups[gid] = info
        if expiration_time and info.conversation_id is not None:
            await self.store.set_conversation_expiry(info.conversation_id, expiration_time)
        return info

    async def _update(self, action: str, group_id: str, **changes: Any) -> GroupInfo:
        await self._call(action, self.client.update_group, self.account, group_id, **changes)
        return await self._after_change(group_id)

    async def _after_change(self, group_id: str) -> GroupInfo:
        try:
            return await self.refresh_group(group_id)
        except AdminError:
            cached = self._groups.get(group_id)
            if cached is None:
                raise
            return cached

    async def edit_group(
        self,
        group_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        avatar_file: Path | None = None,
        permissions: dict[str, str] | None = None,
        group_link: str | None = None,
        timer: int | None = None,
    ) -> GroupInfo:
        """Several changes in one update (what the edit form saves); only given fields change."""
        changes: dict[str, Any] = {}
        if name is not None:
            if not name.strip():
                raise AdminError("A group needs a name", "invalid")
            changes["name"] = name.strip()
        if description is not None:
            changes["description"] = description
        if avatar_file is not None:
            changes["avatar"] = await asyncio.to_thread(_read_image, Path(avatar_file))
        if permissions:
            _check_permissions(permissions)
            changes["permissions"] = permissions
        if group_link is not None:
            if group_link not in LINK_STATES:
                raise AdminError(f"Invite link must be one of {', '.join(LINK_STATES)}", "invalid")
            changes["group_link"] = group_link
        if timer is not None:
            changes["expiration_time"] = int(timer)
        if not changes:
            return self._groups.get(group_id) or await self.refresh_group(group_id)
        info = await self._update("edit_group", group_id, **changes)
        if timer is not None and info.conversation_id is not None:
            await self.store.set_conversation_expiry(info.conversation_id, int(timer))
            info = _replace(info, expiry_seconds=int(timer))
            self._groups[group_id] = info
        return info

    async def rename_group(self, group_id: str, name: str) -> GroupInfo:
        if not name.strip():
            raise AdminError("A group needs a name", "invalid")
        return await self._update("edit_group", group_id, name=name.strip())

    async def set_group_description(self, group_id: str, description: str) -> GroupInfo:
        return await self._update("edit_group", group_id, description=description)

    async def set_group_avatar(self, group_id: str, path: Path) -> GroupInfo:
        """Upload a local image as the group avatar (sent as raw base64 by the client)."""
        data = await asyncio.to_thread(_read_image, Path(path))
        return await self._update("edit_group", group_id, avatar=data)

    async def group_avatar(self, group_id: str) -> bytes | None:
        try:
            return await self.client.group_avatar(self.account, group_id)
        except Exception:
            return None

    async def set_group_timer(self, group_id: str, seconds: int) -> GroupInfo:
        if seconds < 0:
            raise AdminError("The timer cannot be negative", "invalid")
        info = await self._update("timer", group_id, expiration_time=int(seconds))
        if info.conversation_id is not None:
            await self.store.set_conversation_expiry(info.conversation_id, int(seconds))
        return info

    async def set_group_permissions(self, group_id: str, **permissions: str) -> GroupInfo:
        perms = {k: v for k, v in permissions.items() if v}
        _check_permissions(perms)
        return await self._update("permissions", group_id, permissions=perms)

    async def set_group_link(self, group_id: str, state: str) -> GroupInfo:
        if state not in LINK_STATES:
            raise AdminError(f"Invite link must be one of {', '.join(LINK_STATES)}", "invalid")
        return await self._update("group_link", group_id, group_link=state)

    async def add_members(self, group_id: str, members: Sequence[str]) -> GroupInfo:
        return await self._members("add_members", group_id, members)

    async def remove_members(self, group_id: str, members: Sequence[str]) -> GroupInfo:
        return await self._members("remove_members", group_id, members)

    async def add_admins(self, group_id: str, members: Sequence[str]) -> GroupInfo:
        return await self._members("add_admins", group_id, members)

    async def remove_admins(self, group_id: str, members: Sequence[str]) -> GroupInfo:
        return await self._members("remove_admins", group_id, members)

    async def _members(self, action: str, group_id: str, members: Sequence[str]) -> GroupInfo:
        members = [m.strip() for m in members if m and m.strip()]
        if not members:
            raise AdminError("Pick at least one member", "invalid")
        await self._call(action, getattr(self.client, action), self.account, group_id, members)
        return await self._after_change(group_id)

    async def leave_group(self, group_id: str) -> GroupInfo:
        await self._call("group_leave", self.client.quit_group, self.account, group_id)
        return await self._mark_left(group_id)

    async def delete_group(self, group_id: str) -> GroupInfo:
        """On this server "delete" leaves the group (DELETE_MEANS_LEAVE says so to the user)."""
        await self._call("group_delete", self.client.delete_group, self.account, group_id)
        return await self._mark_left(group_id)

    async def block_group(self, group_id: str) -> GroupInfo:
        await self._call("group_block", self.client.block_group, self.account, group_id)
        info = await self._after_change(group_id)
        if info.conversation_id is not None:
            await self.store.set_conversation_blocked(info.conversation_id, True)
        return info

    async def join_group(self, group_id: str) -> GroupInfo:
        """Accept a pending invitation."""
        await self._call("group_join", self.client.join_group, self.account, group_id)
        return await self._after_change(group_id)

    async def _mark_left(self, group_id: str) -> GroupInfo:
        try:
            info = await self.refresh_group(group_id)
        except AdminError:
            info = self._groups.get(group_id) or GroupInfo(group_id, "")
        if info.member:  # the server may list it as still joined until the next receive
            conv = await self.store.upsert_group(
                group_id, name=info.name, description=info.description,
                members=[m for m in info.members if m != self.account],
                admins=[a for a in info.admins if a != self.account],
                blocked=info.blocked, left=True,
            )  # fmt: skip
            info = _replace(info, member=False, is_admin=False, conversation_id=conv.id)
            self._groups[group_id] = info
        return info

    # --- linked devices ------------------------------------------------------------------------
    async def devices(self) -> list[DeviceInfo]:
        devices = await self._call("devices", self.client.devices, self.account)
        if self.linked and self.this_device_id is None:
            named = [int(d.id) for d in devices if d.name and d.name == self.device_name]
            self.this_device_id = max(named) if named else None
        this = self.this_device_id
        return [
            DeviceInfo(
                id=int(d.id),
                name=d.name or ("primary device" if int(d.id) == 1 else f"device {d.id}"),
                created=getattr(d, "created", None),
                last_seen=getattr(d, "last_seen", None),
                this_device=this == int(d.id),
            )
            for d in sorted(devices, key=lambda d: int(d.id))
        ]

    async def link_device(self, uri: str) -> None:
        uri = uri.strip()
        if not uri.startswith("sgnl://linkdevice?") and not uri.startswith("tsdevice:/?"):
            raise AdminError(
                "Paste the whole link shown by the new device; it starts with sgnl://linkdevice?",
                "bad_link",
            )
        if self.linked:
            raise AdminError(
                "This server is a linked device, not the primary device: link new devices "
                "from your phone",
                "not_primary",
            )
        await self._call("link_device", self.client.link_device, self.account, uri)

    async def remove_device(self, device_id: int) -> None:
        if int(device_id) == 1:
            raise AdminError("The primary device cannot be removed", "invalid")
        await self._call("remove_device", self.client.remove_device, self.account, int(device_id))

    async def sync_contacts(self) -> None:
        await self._call("sync_contacts", self.client.sync_contacts, self.account)

    # --- server attachments --------------------------------------------------------------------
    async def server_attachments(self) -> list[ServerAttachment]:
        names = await self._call("attachments", self.client.list_attachments)
        return [ServerAttachment(str(n)) for n in sorted(names)]

    async def attachment_size(self, attachment_id: str) -> int | None:
        """The size in bytes (the list gives only names, so this fetches the file once)."""
        try:
            return len(await self.client.attachment(attachment_id))
        except Exception:
            return None

    async def delete_server_attachment(self, attachment_id: str) -> None:
        await self._call("attachment_delete", self.client.delete_attachment, attachment_id)

    async def about(self) -> Any:
        return await self._call("about", self.client.about)


def _replace(info: GroupInfo, **changes: Any) -> GroupInfo:
    import dataclasses

    return dataclasses.replace(info, **changes)


def _check_permissions(perms: dict[str, str] | None) -> None:
    for key, value in (perms or {}).items():
        if key not in ("add_members", "edit_group", "send_messages"):
            raise AdminError(f"Unknown permission {key!r}", "invalid")
        if value not in PERMISSION_VALUES:
            raise AdminError(f"{key} must be 'every-member' or 'only-admins'", "invalid")


def _read_image(path: Path) -> bytes:
    """Read an avatar file; refuse what is not an image or is too big (before uploading it)."""
    try:
        data = path.expanduser().read_bytes()
    except OSError as exc:
        raise AdminError(f"Could not read {path.name}: {exc.strerror or exc}", "file") from exc
    if len(data) > MAX_AVATAR_BYTES:
        raise AdminError(f"{path.name} is too big for an avatar (over 5 MB)", "file")
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(BytesIO(data)) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise AdminError(f"{path.name} is not an image", "file") from exc
    return data


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
