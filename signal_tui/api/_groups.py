"""Group endpoints. Every group id here is the REST form (`group.<b64>`); envelopes carry the
internal form, converted in api.groupid."""

from __future__ import annotations

import base64
from typing import Any

from signal_tui.api._http import HttpBase, expect_dict, expect_list, segment
from signal_tui.api.errors import InvalidRequest, ProtocolError
from signal_tui.api.models import Group, GroupPermissions
from signal_tui.ids import is_group_id, to_rest_id

_LINKS = ("disabled", "enabled", "enabled-with-approval")


def _gid(group_id: str) -> str:
    """Accept either form from callers, send the REST form (internal ids fail on the server)."""
    if not isinstance(group_id, str) or not group_id:
        raise InvalidRequest("missing group id", maybe_sent=False)
    return segment(group_id if is_group_id(group_id) else to_rest_id(group_id))


def _permissions(value: GroupPermissions | dict[str, str] | None) -> dict[str, str] | None:
    if value is None:
        return None
    if isinstance(value, GroupPermissions):
        return value.to_json()
    return {k: str(v) for k, v in dict(value).items()}


def _link(value: str | None) -> str | None:
    if value is not None and value not in _LINKS:
        raise InvalidRequest(
            "Invalid group link provided - only 'enabled', 'enabled-with-approval' and "
            "'disabled' allowed!",
            maybe_sent=False,
        )
    return value


class GroupsMixin(HttpBase):
    def _group_path(self, number: str, group_id: str, tail: str = "") -> str:
        return f"/v1/groups/{segment(number)}/{_gid(group_id)}{tail}"

    async def groups(self, number: str, *, expand: bool = False) -> list[Group]:
        path = f"/v1/groups/{segment(number)}"
        params = {"expand": "true"} if expand else None
        data = await self._json("GET", path, params=params)
        return [Group.from_json(x) for x in expect_list(data, self.base_url + path) if x]

    async def group(self, number: str, group_id: str) -> Group:
        path = self._group_path(number, group_id)
        return Group.from_json(expect_dict(await self._json("GET", path), self.base_url + path))

    async def create_group(
        self,
        number: str,
        name: str,
        members: list[str],
        *,
        description: str | None = None,
        permissions: GroupPermissions | dict[str, str] | None = None,
        group_link: str | None = None,
        expiration_time: int | None = None,
    ) -> str:
        """Create a group; returns its REST id (`group.…`)."""
        body: dict[str, Any] = {"name": name, "members": list(members)}
        if description is not None:
            body["description"] = description
        if (perms := _permissions(permissions)) is not None:
            body["permissions"] = perms
        if _link(group_link) is not None:
            body["group_link"] = group_link
        if expiration_time is not None:
            body["expiration_time"] = int(expiration_time)
        path = f"/v1/groups/{segment(number)}"
        data = expect_dict(await self._json("POST", path, json_body=body), self.base_url + path)
        gid = data.get("id")
        if not isinstance(gid, str) or not gid:
            raise ProtocolError(f"create group answer without id: {data!r}"[:200])
        return gid

    async def update_group(
        self,
        number: str,
        group_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        avatar: bytes | None = None,
        expiration_time: int | None = None,
        group_link: str | None = None,
        permissions: GroupPermissions | dict[str, str] | None = None,
    ) -> None:
        """Change only what is given (every field of the PUT body is optional)."""
        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = name
        if description is not None:
            body["description"] = description
        if avatar is not None:
            body["base64_avatar"] = base64.b64encode(avatar).decode("ascii")
        if expiration_time is not None:
            body["expiration_time"] = int(expiration_time)
        if _link(group_link) is not None:
            body["group_link"] = group_link
        if (perms := _permissions(permissions)) is not None:
            body["permissions"] = perms
        await self._call("PUT", self._group_path(number, group_id), json_body=body)

    async def delete_group(self, number: str, group_id: str) -> None:
        """On this server DELETE means *leave* (quitGroup); the group itself lives on."""
        await self._call("DELETE", self._group_path(number, group_id))

    async def quit_group(self, number: str, group_id: str) -> None:
        await self._call("POST", self._group_path(number, group_id, "/quit"))

    async def join_group(self, number: str, group_id: str) -> None:
        """Accept an invitation (joining by invite link is not exposed by the server)."""
        await self._call("POST", self._group_path(number, group_id, "/join"))

    async def block_group(self, number: str, group_id: str) -> None:
        await self._call("POST", self._group_path(number, group_id, "/block"))

    async def add_members(self, number: str, group_id: str, members: list[str]) -> None:
        path = self._group_path(number, group_id, "/members")
        await self._call("POST", path, json_body={"members": list(members)})

    async def remove_members(self, number: str, group_id: str, members: list[str]) -> None:
        path = self._group_path(number, group_id, "/members")
        await self._call("DELETE", path, json_body={"members": list(members)})

    async def add_admins(self, number: str, group_id: str, admins: list[str]) -> None:
        path = self._group_path(number, group_id, "/admins")
        await self._call("POST", path, json_body={"admins": list(admins)})

    async def remove_admins(self, number: str, group_id: str, admins: list[str]) -> None:
        path = self._group_path(number, group_id, "/admins")
        await self._call("DELETE", path, json_body={"admins": list(admins)})

    async def group_avatar(self, number: str, group_id: str) -> bytes:
        return await self._bytes("GET", self._group_path(number, group_id, "/avatar"))

    async def pin_message(
        self,
        number: str,
        group_id: str,
        target_author: str,
        timestamp: int,
        duration: int | None = None,
    ) -> None:
        """Pin a message in a group; `duration` in seconds, None = forever (server: -1)."""
        body: dict[str, Any] = {"target_author": target_author, "timestamp": int(timestamp)}
        if duration is not None:
            body["duration"] = int(duration)
        await self._call("POST", self._group_path(number, group_id, "/pin-message"), json_body=body)

    async def unpin_message(
        self,
        number: str,
        group_id: str,
        target_author: str,
        timestamp: int,
        duration: int | None = None,
    ) -> None:
        body: dict[str, Any] = {"target_author": target_author, "timestamp": int(timestamp)}
        path = self._group_path(number, group_id, "/pin-message")
        await self._call("DELETE", path, json_body=body)
