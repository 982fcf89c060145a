"""Groups: list/get/create/update/leave (DELETE = quit)/members/admins/join/block/avatar/pin."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from aiohttp import web

from signal_tui.simulator import envelopes as ev
from signal_tui.simulator.http import empty, get, json_response, number_param, read_body
from signal_tui.simulator.state import Account, Group, Person
from signal_tui.simulator.util import ApiError, bad, go_b64decode, internal_from_group_id, sniff

if TYPE_CHECKING:
    from signal_tui.simulator.server import Simulator

PERMISSION_TEXT = {
    "add_members": "Invalid add members permission provided - only 'every-member' and 'only-admins' allowed!",
    "edit_group": "Invalid edit group permissions provided - only 'every-member' and 'only-admins' allowed!",
    "send_messages": "Invalid send messages permissions provided - only 'every-member' and 'only-admins' allowed!",
}
LINK_TEXT = (
    "Invalid group link provided - only 'enabled', 'enabled-with-approval' and 'disabled' allowed!"
)
NOT_ADMIN = "Failed to update group: Not a group admin (only admins can do this)"


def add_routes(app: web.Application, sim: Simulator) -> None:
    def member_ref(uid: str) -> str:
        person = sim.world.people.get(uid)
        return person.number if person and person.number else uid

    def expanded(uid: str) -> dict[str, Any]:
        person = sim.world.people.get(uid)
        return {"number": person.number if person else None, "uuid": uid}

    def entry(account: Account, group: Group, expand: bool) -> dict[str, Any]:
        ref = expanded if expand else member_ref
        return {
            "name": group.name,
            "description": group.description,
            "id": group.id,
            "internal_id": group.internal_id,
            "members": [ref(u) for u in group.members],
            "blocked": account.uuid in group.blocked_by,
            "member": account.uuid in group.members,
            "pending_invites": [ref(u) for u in group.pending_invites],
            "pending_requests": [ref(u) for u in group.pending_requests],
            "invite_link": group.invite_link,
            "admins": [ref(u) for u in group.admins],
            # real-server bug kept on purpose: edit_group mirrors send_messages
            "permissions": {
                "add_members": group.permissions["add_members"],
                "edit_group": group.permissions["send_messages"],
                "send_messages": group.permissions["send_messages"],
            },
        }

    def find_group(account: Account, gid: str, *, members_style: bool = False) -> Group:
        group = None
        if gid.startswith("group."):
            try:
                group = sim.world.groups.get(internal_from_group_id(gid))
            except ApiError:
                group = None
        if group is None or group not in sim.world.visible_groups(account):
            if members_style:
                raise ApiError(404, f"No group with that group id ({gid}) found")
            raise ApiError(404, "No group with that id found")
        return group

    def resolve_people(keys: list[Any]) -> list[Person]:
        out = []
        for key in keys:
            if not isinstance(key, str):
                raise bad("Couldn't process request - invalid request")
            person = sim.world.find(key)
            if person is None:
                raise bad(sim.err_text(f"Failed to update group: {key} is not registered"))
            out.append(person)
        return out

    def check_settings(body: dict[str, Any]) -> tuple[dict[str, str], str | None]:
        perms = get(body, "permissions", "dict", {}) or {}
        for key, text in PERMISSION_TEXT.items():
            if key in perms and perms[key] not in ("every-member", "only-admins"):
                raise bad(text)
        link = get(body, "group_link", "str")
        if link is not None and link not in ("enabled", "enabled-with-approval", "disabled"):
            raise bad(LINK_TEXT)
        return {k: v for k, v in perms.items() if k in PERMISSION_TEXT}, link

    def apply_link(group: Group, link: str | None) -> None:
        if link is None:
            return
        group.group_link = link
        if link == "disabled":
            group.invite_link = ""
        elif not group.invite_link:
            token = base64.urlsafe_b64encode(sim.world.rng.randbytes(48)).decode().rstrip("=")
            group.invite_link = f"https://signal.group/#{token}"

    def require(account: Account, group: Group, permission: str) -> None:
        if account.uuid not in group.members:
            raise bad(sim.err_text("Failed to update group: You are not a member of this group"))
        if group.permissions.get(permission) == "only-admins" and account.uuid not in group.admins:
            raise bad(sim.err_text(NOT_ADMIN))

    async def list_groups(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        expand = request.query.get("expand") == "true"
        return json_response([entry(account, g, expand) for g in sim.world.visible_groups(account)])

    async def get_group(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        group = find_group(account, request.match_info["gid"])
        return json_response(entry(account, group, request.query.get("expand") == "true"))

    async def create_group(request: web.Request) -> web.Response:
        body = await read_body(request)
        perms, link = check_settings(body)
        account = sim.account_or_error(number_param(request))
        if not account.person.profile_name:
            raise bad("Cannot create group - please first update your profile.")
        members = resolve_people(get(body, "members", "list", []) or [])
        group = Group(
            internal_id=sim.world.new_group_internal_id(),
            name=get(body, "name", "str", "") or "",
            description=get(body, "description", "str", "") or "",
            members=[account.uuid] + [p.uuid for p in members if p.uuid != account.uuid],
            admins=[account.uuid],
            expiration=get(body, "expiration_time", "int", 0) or 0,
        )
        group.permissions.update(perms)
        apply_link(group, link)
        sim.world.groups[group.internal_id] = group
        sim.group_update(account, group)
        return json_response({"id": group.id}, 201)

    async def update_group(request: web.Request) -> web.Response:
        body = await read_body(request)
        perms, link = check_settings(body)
        account = sim.account_or_error(number_param(request))
        group = find_group(account, request.match_info["gid"])
        require(account, group, "edit_group")
        avatar = get(body, "base64_avatar", "str")
        if avatar is not None:
            group.avatar = go_b64decode(avatar)
        for key, attr in (("name", "name"), ("description", "description")):
            value = get(body, key, "str")
            if value is not None:
                setattr(group, attr, value)
        expiration = get(body, "expiration_time", "int")
        if expiration is not None:
            group.expiration = expiration
        if perms and account.uuid not in group.admins:
            raise bad(sim.err_text(NOT_ADMIN))
        group.permissions.update(perms)
        apply_link(group, link)
        sim.group_update(account, group)
        return empty(204)

    def leave(account: Account, group: Group) -> None:
        if account.uuid not in group.members:
            raise bad(sim.err_text("Failed to quit group: You are not a member of this group"))
        group.members.remove(account.uuid)
        group.former.add(account.uuid)
        if account.uuid in group.admins:
            group.admins.remove(account.uuid)
            if not group.admins and group.members:
                group.admins.append(group.members[0])
        sim.group_update(account, group)

    async def delete_group(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        leave(account, find_group(account, request.match_info["gid"]))
        return web.Response(status=200)

    async def quit_group(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        leave(account, find_group(account, request.match_info["gid"]))
        return empty(204)

    async def join_group(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        group = find_group(account, request.match_info["gid"])
        if account.uuid in group.pending_invites:
            group.pending_invites.remove(account.uuid)
            group.members.append(account.uuid)
            sim.group_update(account, group)
        elif account.uuid not in group.members:
            raise bad(sim.err_text("Failed to join group: not invited"))
        return empty(204)

    async def block_group(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        group = find_group(account, request.match_info["gid"])
        group.blocked_by.add(account.uuid)
        return empty(204)

    async def change_members(request: web.Request) -> web.Response:
        body = await read_body(request)
        field = "admins" if request.path.endswith("/admins") else "members"
        keys = get(body, field, "list")
        if not keys:
            raise bad(f"Couldn't process request - {field} missing")
        account = sim.account_or_error(number_param(request))
        group = find_group(account, request.match_info["gid"], members_style=True)
        people = resolve_people(keys)
        adding = request.method == "POST"
        if field == "members":
            require(account, group, "add_members" if adding else "edit_group")
            if not adding and account.uuid not in group.admins:
                raise bad(sim.err_text(NOT_ADMIN))
            for p in people:
                if adding and p.uuid not in group.members:
                    group.members.append(p.uuid)
                elif not adding and p.uuid in group.members:
                    group.members.remove(p.uuid)
                    group.admins = [a for a in group.admins if a != p.uuid]
                    group.former.add(p.uuid)
        else:
            if account.uuid not in group.admins:
                raise bad(sim.err_text(NOT_ADMIN))
            for p in people:
                if p.uuid not in group.members:
                    raise bad(sim.err_text(f"Failed to update group: {p.address} is not a member"))
                if adding and p.uuid not in group.admins:
                    group.admins.append(p.uuid)
                elif not adding and p.uuid in group.admins:
                    group.admins.remove(p.uuid)
        sim.group_update(account, group, notify=[p.uuid for p in people])
        return empty(204)

    async def group_avatar(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        group = find_group(account, request.match_info["gid"])
        if not group.avatar:
            raise ApiError(404, "No avatar found.")
        return web.Response(body=group.avatar, content_type=sniff(group.avatar)[0].split(";")[0])

    async def pin_message(request: web.Request) -> web.Response:
        body = await read_body(request)
        author_key = get(body, "target_author", "str")
        if not author_key:
            raise bad("Couldn't process request - target_author missing")
        target_ts = get(body, "timestamp", "int")
        if target_ts is None:
            raise bad("Couldn't process request - timestamp missing")
        account = sim.account_or_error(number_param(request))
        group = find_group(account, request.match_info["gid"])
        author = sim.world.find(author_key)
        ts = sim.world.now_ms()
        target = {
            "targetAuthor": author.address if author else author_key,
            "targetAuthorNumber": author.number if author else None,
            "targetAuthorUuid": author.uuid if author else None,
            "targetSentTimestamp": target_ts,
        }
        if request.method == "POST":
            duration = get(body, "duration", "int", -1)
            dm = ev.data_message(ts, None, pinMessage={**target, "pinDurationSeconds": duration})
        else:
            dm = ev.data_message(ts, None, unpinMessage=target)
        dm["groupInfo"] = ev.group_info(group)
        for member in sim.hosted_members(group, exclude=account):
            sim.push_env(
                member, ev.envelope(account.person, account.this_device, ts, "dataMessage", dm)
            )
        return empty(201)

    r = app.router
    base = "/v1/groups/{number}/{gid}"
    r.add_get("/v1/groups/{number}", list_groups)
    r.add_post("/v1/groups/{number}", create_group)
    r.add_get(base, get_group)
    r.add_put(base, update_group)
    r.add_delete(base, delete_group)
    r.add_post(base + "/quit", quit_group)
    r.add_post(base + "/join", join_group)
    r.add_post(base + "/block", block_group)
    for suffix in ("/members", "/admins"):
        r.add_post(base + suffix, change_members)
        r.add_delete(base + suffix, change_members)
    r.add_get(base + "/avatar", group_avatar)
    r.add_post(base + "/pin-message", pin_message)
    r.add_delete(base + "/pin-message", pin_message)
