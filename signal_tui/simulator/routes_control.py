"""Test control under `/_sim/` (a prefix the real server never uses; the client must never call it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from signal_tui.simulator import envelopes as ev
from signal_tui.simulator.http import get, json_response, number_param, read_body
from signal_tui.simulator.util import ApiError, bad

if TYPE_CHECKING:
    from signal_tui.simulator.server import Simulator


def add_routes(app: web.Application, sim: Simulator) -> None:
    async def inject(request: web.Request) -> web.Response:
        """`{"envelopes": [...]}` or `{"from": contact, "text": "...", "count": N}`."""
        number = number_param(request)
        account = sim.world.accounts.get(number)
        if account is None:
            raise ApiError(404, f"{number} is not hosted by this simulator")
        body = await read_body(request)
        envelopes = get(body, "envelopes", "list")
        count = 0
        if envelopes is not None:
            for e in envelopes:
                sim.push(account, e if "envelope" in e else ev.item(e, number))
                count += 1
        else:
            sender_key = get(body, "from", "str")
            text = get(body, "text", "str", "")
            sender = sim.world.find(sender_key or "")
            if sender is None:
                raise bad(f"unknown contact {sender_key}")
            group = sim.group_from_any(get(body, "group", "str")) if body.get("group") else None
            n = get(body, "count", "int", 1)
            for i in range(n):
                sim.contact_says(
                    account, sender, text if n == 1 else f"{text} {i + 1}", group=group
                )
                count += 1
        return json_response({"injected": count})

    async def state(request: web.Request) -> web.Response:
        return json_response(
            {
                "mode": sim.mode,
                "profile": sim.profile,
                "accounts": {
                    number: {
                        "queued": len(a.queue),
                        "sockets": len(a.sockets),
                        "delivered": a.delivered,
                        "dropped": a.dropped,
                        "history_pending": len(a.history or []),
                    }
                    for number, a in sim.world.accounts.items()
                },
                "groups": len(sim.world.groups),
                "attachments": len(sim.world.attachments),
                "people": len(sim.world.people),
                "sync_messages": len(sim.sync_log),
                "pending_link": sim.pending_link is not None,
                "verification_code": sim.verification_code,
            }
        )

    async def link(request: web.Request) -> web.Response:
        number = sim.complete_link()
        if number is None:
            raise bad("no device link pending")
        return json_response({"number": number})

    app.router.add_post("/_sim/inject/{number}", inject)
    app.router.add_get("/_sim/state", state)
    app.router.add_post("/_sim/link", link)
