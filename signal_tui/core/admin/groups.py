"""Group administration (mixed into core.admin.Admin): list/refresh into the store, create,
edit (name, description, avatar, permissions, invite link, timer), members and admins, leave,
block, join, and "delete" — which on signal-cli-rest-api only leaves the group."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from signal_tui.core.admin.people import read_image
from signal_tui.core.errors import ActionError

T = TypeVar("T")
DELETE_MEANS_LEAVE = (
    "signal-cli-rest-api cannot delete a group: deleting leaves it, and the group goes on "
    "for the other members"
)
LINK_STATES = ("disabled", "enabled", "enabled-with-approval")
PERMISSION_VALUES = ("every-member", "only-admins")
# signal-cli-rest-api answers GET /v1/groups with edit_group copied from send_messages (its
# client.go fills both from signal-cli's send-message permission), so what it says about
# edit_group means nothing while the two agree. GroupInfo.permissions leaves edit_group out
# when it is not known: the value this client last set, or a server that reports it apart.


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
    permissions: dict[str, str] = field(default_factory=dict)  # no edit_group: not known
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


class GroupsMixin:
    """Needs client, store, account, _groups, _call, _own_addresses and ensure_names (Admin)."""

    client: Any
    store: Any
    account: str
    _groups: dict[str, GroupInfo]
    _edit_group_known: dict[str, str]  # made on first use (Admin.__init__ does not know it)

    if TYPE_CHECKING:  # provided by Admin / PeopleMixin; declared here for type checkers only

        async def _call(
            self, action: str, fn: Callable[..., Awaitable[T]], *args: Any, **kw: Any
        ) -> T: ...

        async def _own_addresses(self) -> set[str]: ...

        async def ensure_names(self) -> None: ...

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

    def _edit_group_set(self) -> dict[str, str]:
        """group id -> the edit_group permission this client set last (the server hides it)."""
        known: dict[str, str] | None = getattr(self, "_edit_group_known", None)
        if known is None:
            known = self._edit_group_known = {}
        return known

    def _remember_permissions(self, group_id: str, permissions: dict[str, str] | None) -> None:
        if permissions and permissions.get("edit_group"):
            self._edit_group_set()[group_id] = permissions["edit_group"]

    def _reliable_permissions(self, group_id: str, reported: dict[str, str]) -> dict[str, str]:
        perms = dict(reported)
        edit = perms.pop("edit_group", None)
        if edit is not None and edit != perms.get("send_messages"):
            perms["edit_group"] = edit  # a server that reports it on its own
        elif (known := self._edit_group_set().get(group_id)) is not None:
            perms["edit_group"] = known
        return perms

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
            permissions=self._reliable_permissions(
                g.id, _permissions(getattr(g, "permissions", None))
            ),
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
            raise ActionError("A group needs a name", "invalid")
        if group_link is not None and group_link not in LINK_STATES:
            raise ActionError(f"Invite link must be one of {', '.join(LINK_STATES)}", "invalid")
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
        self._remember_permissions(gid, permissions)
        try:
            info = await self.refresh_group(gid)
        except (
            ActionError
        ):  # listed only after the next receive on some servers: store what we know
            conv = await self.store.upsert_group(
                gid, name=name, description=description or "", members=[self.account, *members],
                admins=[self.account],
            )  # fmt: skip
            info = GroupInfo(gid, name, description or "", (self.account, *members),
                             (self.account,), permissions=dict(permissions or {}),
                             conversation_id=conv.id, is_admin=True)  # fmt: skip
            self._groups[gid] = info
        if expiration_time and info.conversation_id is not None:
            await self.store.set_conversation_expiry(info.conversation_id, expiration_time)
        return info

    async def _update(self, action: str, group_id: str, **changes: Any) -> GroupInfo:
        await self._call(action, self.client.update_group, self.account, group_id, **changes)
        self._remember_permissions(group_id, changes.get("permissions"))
        return await self._after_change(group_id)

    async def _after_change(self, group_id: str) -> GroupInfo:
        try:
            return await self.refresh_group(group_id)
        except ActionError:
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
                raise ActionError("A group needs a name", "invalid")
            changes["name"] = name.strip()
        if description is not None:
            changes["description"] = description
        if avatar_file is not None:
            changes["avatar"] = await asyncio.to_thread(read_image, Path(avatar_file))
        if permissions:
            _check_permissions(permissions)
            changes["permissions"] = permissions
        if group_link is not None:
            if group_link not in LINK_STATES:
                raise ActionError(f"Invite link must be one of {', '.join(LINK_STATES)}", "invalid")
            changes["group_link"] = group_link
        if timer is not None:
            changes["expiration_time"] = int(timer)
        if not changes:
            return self._groups.get(group_id) or await self.refresh_group(group_id)
        info = await self._update("edit_group", group_id, **changes)
        if timer is not None and info.conversation_id is not None:
            await self.store.set_conversation_expiry(info.conversation_id, int(timer))
            info = dataclasses.replace(info, expiry_seconds=int(timer))
            self._groups[group_id] = info
        return info

    async def rename_group(self, group_id: str, name: str) -> GroupInfo:
        if not name.strip():
            raise ActionError("A group needs a name", "invalid")
        return await self._update("edit_group", group_id, name=name.strip())

    async def set_group_description(self, group_id: str, description: str) -> GroupInfo:
        return await self._update("edit_group", group_id, description=description)

    async def set_group_avatar(self, group_id: str, path: Path) -> GroupInfo:
        """Upload a local image as the group avatar (sent as raw base64 by the client)."""
        data = await asyncio.to_thread(read_image, Path(path))
        return await self._update("edit_group", group_id, avatar=data)

    async def group_avatar(self, group_id: str) -> bytes | None:
        try:
            return await self.client.group_avatar(self.account, group_id)
        except Exception:
            return None

    async def set_group_timer(self, group_id: str, seconds: int) -> GroupInfo:
        if seconds < 0:
            raise ActionError("The timer cannot be negative", "invalid")
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
            raise ActionError(f"Invite link must be one of {', '.join(LINK_STATES)}", "invalid")
        return await self._update("group_link", group_id, group_link=state)

    async def add_members(self, group_id: str, members: Sequence[str]) -> GroupInfo:
        return await self._members("add_members", group_id, members)

    async def remove_members(self, group_id: str, members: Sequence[str]) -> GroupInfo:
        """Remove others; yourself only by leaving (leave_group), which tells the group so."""
        own = await self._own_addresses()
        if any(m and m.strip() in own for m in members):
            raise ActionError("You cannot remove yourself: leave the group instead", "invalid")
        return await self._members("remove_members", group_id, members)

    async def add_admins(self, group_id: str, members: Sequence[str]) -> GroupInfo:
        return await self._members("add_admins", group_id, members)

    async def remove_admins(self, group_id: str, members: Sequence[str]) -> GroupInfo:
        return await self._members("remove_admins", group_id, members)

    async def _members(self, action: str, group_id: str, members: Sequence[str]) -> GroupInfo:
        members = [m.strip() for m in members if m and m.strip()]
        if not members:
            raise ActionError("Pick at least one member", "invalid")
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
        except ActionError:
            info = self._groups.get(group_id) or GroupInfo(group_id, "")
        if info.member:  # the server may list it as still joined until the next receive
            conv = await self.store.upsert_group(
                group_id, name=info.name, description=info.description,
                members=[m for m in info.members if m != self.account],
                admins=[a for a in info.admins if a != self.account],
                blocked=info.blocked, left=True,
            )  # fmt: skip
            info = dataclasses.replace(info, member=False, is_admin=False, conversation_id=conv.id)
            self._groups[group_id] = info
        return info


def _check_permissions(perms: dict[str, str] | None) -> None:
    for key, value in (perms or {}).items():
        if key not in ("add_members", "edit_group", "send_messages"):
            raise ActionError(f"Unknown permission {key!r}", "invalid")
        if value not in PERMISSION_VALUES:
            raise ActionError(f"{key} must be 'every-member' or 'only-admins'", "invalid")
