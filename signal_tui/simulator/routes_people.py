"""Attachments, contacts, profiles, identities and trust, search, sticker packs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from signal_tui.simulator.http import empty, get, json_response, number_param, read_body
from signal_tui.simulator.state import Account, ContactMeta, Person, fingerprint
from signal_tui.simulator.util import ApiError, bad, go_b64decode, sniff

if TYPE_CHECKING:
    from signal_tui.simulator.server import Simulator

TRUST_EITHER = (
    "Couldn't process request - please either provide a safety number (preferred & more secure) "
    "or set 'trust_all_known_keys' to true"
)


def add_routes(app: web.Application, sim: Simulator) -> None:
    # --- attachments ------------------------------------------------------------------------
    def attachment_name(request: web.Request) -> str:
        name = request.match_info["attachment"]
        if not name or ".." in name or "/" in name or "\\" in name:
            raise bad("Please provide a valid attachment name")
        if name not in sim.world.attachments:
            raise ApiError(404, "No attachment with that name found")
        return name

    async def list_attachments(request: web.Request) -> web.Response:
        return json_response(list(sim.world.attachments))

    async def get_attachment(request: web.Request) -> web.Response:
        data = sim.world.attachments[attachment_name(request)]
        mime = sniff(data)[0]
        return web.Response(body=data, headers={"Content-Type": mime})

    async def delete_attachment(request: web.Request) -> web.Response:
        del sim.world.attachments[attachment_name(request)]
        return empty(204)

    # --- contacts ---------------------------------------------------------------------------
    def contact_json(account: Account, person: Person) -> dict[str, Any]:
        meta = account.contacts.get(person.uuid, ContactMeta())
        return {
            "number": person.number or "",
            "uuid": person.uuid,
            "name": meta.name,
            "profile_name": person.profile_name,
            "username": person.username or "",
            "color": meta.color,
            "blocked": meta.blocked,
            "message_expiration": str(meta.expiration),
            "note": meta.note,
            "given_name": meta.name.split(" ")[0] if meta.name else "",
            "profile": {
                "given_name": person.given_name,
                "lastname": person.family_name,
                "about": person.about,
                "has_avatar": person.avatar is not None,
                "last_updated_timestamp": 1_700_000_000_000,
            },
            "nickname": {"name": meta.nickname, "given_name": meta.nickname, "family_name": ""},
        }

    def known_people(account: Account, all_recipients: bool) -> list[Person]:
        uids = list(account.contacts)
        if all_recipients:
            for group in sim.world.visible_groups(account):
                uids.extend(u for u in group.members if u not in uids)
        people = [sim.world.people[u] for u in dict.fromkeys(uids) if u in sim.world.people]
        return [p for p in people if p.uuid != account.uuid]

    async def list_contacts(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        everyone = request.query.get("all_recipients") == "true"
        return json_response([contact_json(account, p) for p in known_people(account, everyone)])

    def contact_by_uuid(account: Account, uid: str) -> Person:
        person = sim.world.people.get(uid.lower())
        if person is account.person:
            return person  # signal-cli knows its own profile (how a client gets its own avatar)
        if person is None or person not in known_people(account, True):
            raise ApiError(404, f"No user with that id ({uid}) found")
        return person

    async def get_contact(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        return json_response(
            contact_json(account, contact_by_uuid(account, request.match_info["uuid"]))
        )

    async def contact_avatar(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        try:
            person = contact_by_uuid(account, request.match_info["uuid"])
        except ApiError as exc:
            raise bad(exc.text) from None
        if person.avatar is None:
            raise bad("Couldn't get contact avatar: no avatar found")
        return web.Response(body=person.avatar, content_type=sniff(person.avatar)[0])

    async def update_contact(request: web.Request) -> web.Response:
        body = await read_body(request)
        recipient = get(body, "recipient", "str")
        if not recipient:
            raise bad("Couldn't process request - recipient missing")
        account = sim.account_or_error(number_param(request))
        person = sim.world.find(recipient)
        if person is None:
            raise bad(sim.err_text(f"Failed to update contact: {recipient} is not registered"))
        meta = account.contacts.setdefault(person.uuid, ContactMeta())
        name = get(body, "name", "str")
        if name is not None:
            meta.name = name
        expiration = get(body, "expiration_in_seconds", "int")
        if expiration is not None:
            meta.expiration = expiration
        return empty(204)

    async def sync_contacts(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        if account.this_device != 1:
            raise bad(
                sim.err_text(
                    "Failed to send sync message: only the primary device can sync contacts"
                )
            )
        return empty(204)

    # --- profile ----------------------------------------------------------------------------
    async def update_profile(request: web.Request) -> web.Response:
        body = await read_body(request)
        name = get(body, "name", "str", "")
        if not name:
            raise bad("Couldn't process request - profile name missing")
        raw_avatar = get(body, "base64_avatar", "str")
        avatar = None
        if raw_avatar:
            try:
                avatar = go_b64decode(raw_avatar)
            except ApiError as exc:
                raise bad(f"Couldn't decode base64 encoded avatar: {exc.text}") from None
        account = sim.account_or_error(number_param(request))
        person = account.person
        person.given_name, person.family_name = name, ""
        about = get(body, "about", "str")
        if about is not None:
            person.about = about
        person.avatar = avatar  # omitted means --remove-avatar, exactly like the real server
        return empty(204)

    # --- identities -------------------------------------------------------------------------
    def identity(account: Account, person: Person) -> dict[str, Any]:
        fp, safety = fingerprint(account.uuid, person.uuid)
        status = "UNTRUSTED" if sim.world.is_untrusted(sim.faults, person) else "TRUSTED_UNVERIFIED"
        if person.uuid in account.verified:
            status = "TRUSTED_VERIFIED"
        return {
            "number": person.number or "",
            "status": status,
            "fingerprint": fp,
            "added": "1700000000000",
            "safety_number": safety,
            "uuid": person.uuid,
        }

    async def list_identities(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        return json_response([identity(account, p) for p in known_people(account, True)])

    async def trust(request: web.Request) -> web.Response:
        body = await read_body(request, required=False)
        safety = get(body, "verified_safety_number", "str")
        trust_all = get(body, "trust_all_known_keys", "bool", False)
        if bool(safety) == bool(trust_all):
            raise bad(TRUST_EITHER)
        account = sim.account_or_error(number_param(request))
        key = request.match_info["to_trust"]
        person = sim.world.find(key)
        if person is None:
            raise bad(sim.err_text(f"Failed to set the trust for {key}: unknown recipient"))
        if safety is not None:
            expected = fingerprint(account.uuid, person.uuid)[1]
            if safety.replace(" ", "") != expected.replace(" ", ""):
                raise bad(
                    sim.err_text(
                        "Failed to set the trust for this number: safety number does not match"
                    )
                )
            account.verified.add(person.uuid)
        for k in (person.uuid, person.number, person.real_number):
            sim.faults.untrusted.discard(k)  # type: ignore[arg-type]
        sim.release_held(account, person)
        return empty(204)

    # --- search and stickers ----------------------------------------------------------------
    async def search(request: web.Request) -> web.Response:
        numbers = request.query.getall("numbers", [])
        if not numbers:
            raise bad("Please provide numbers to query for")
        if "number" in request.match_info:
            sim.account_or_error(number_param(request))
        elif sim.json_rpc:  # `/v1/search`: the daemon gets an empty account and refuses it
            raise bad("Specified account does not exist")
        out = []
        for n in numbers:
            person = sim.world.by_number.get(n)
            out.append({"number": n, "registered": person is not None})
        return json_response(out)

    async def list_stickers(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        return json_response(account.sticker_packs)

    async def add_sticker_pack(request: web.Request) -> web.Response:
        body = await read_body(request)
        pack_id = get(body, "pack_id", "str")
        pack_key = get(body, "pack_key", "str")
        if not pack_id:
            raise bad("Couldn't process request - pack_id missing")
        if not pack_key:
            raise bad("Couldn't process request - pack_key missing")
        account = sim.account_or_error(number_param(request))
        if not any(p["pack_id"] == pack_id for p in account.sticker_packs):
            account.sticker_packs.append(
                {
                    "pack_id": pack_id,
                    "url": f"https://signal.art/addstickers/#pack_id={pack_id}&pack_key={pack_key}",
                    "installed": True,
                    "title": "Sticker pack",
                    "author": "",
                }
            )
        return empty(201)

    r = app.router
    r.add_get("/v1/attachments", list_attachments)
    r.add_get("/v1/attachments/{attachment}", get_attachment)
    r.add_delete("/v1/attachments/{attachment}", delete_attachment)
    r.add_get("/v1/contacts/{number}", list_contacts)
    r.add_put("/v1/contacts/{number}", update_contact)
    r.add_post("/v1/contacts/{number}/sync", sync_contacts)
    r.add_get("/v1/contacts/{number}/{uuid}", get_contact)
    r.add_get("/v1/contacts/{number}/{uuid}/avatar", contact_avatar)
    r.add_put("/v1/profiles/{number}", update_profile)
    r.add_get("/v1/identities/{number}", list_identities)
    r.add_put("/v1/identities/{number}/trust/{to_trust}", trust)
    r.add_get("/v1/search", search)
    r.add_get("/v1/search/{number}", search)
    r.add_get("/v1/sticker-packs/{number}", list_stickers)
    r.add_post("/v1/sticker-packs/{number}", add_sticker_pack)
