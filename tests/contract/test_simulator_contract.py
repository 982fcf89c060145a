"""Every simulator response validated against the swagger; documented deviations asserted explicitly.

Each deviation (tests/data/rest-api-notes.md) is a named test: the swagger schema must REJECT or not document
what the real server (and so the simulator) does, and the actual shape is validated separately.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jsonschema
import pytest

from signal_tui.simulator import Simulator
from tests.contract.swagger import definition, response_schema, validate, validate_response

ME = "+15550000001"
SAM = "+15550000002"
ALICE = "+15550100001"


@pytest.fixture
async def pair() -> AsyncIterator[tuple[Simulator, httpx.AsyncClient]]:
    sim = Simulator(
        mode="normal", scenario="demo", trickle=False, reply_delay=0.1, receive_idle_cap=0
    )
    url = await sim.start()
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        yield sim, client
    await sim.stop()


def body_of(r: httpx.Response) -> Any:
    if not r.content:
        return None
    ctype = r.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        return r.json()
    return r.content


async def check(
    client: httpx.AsyncClient, method: str, path: str, template: str | None = None, **kw: Any
) -> Any:
    """Call, then validate status and body against the swagger operation of `path`."""
    r = await client.request(method, path, **kw)
    body = body_of(r)
    schema_path = template or path
    if isinstance(body, bytes):  # binary (image, attachment): documented as a string body
        assert response_schema(method, schema_path, r.status_code) in (None, {"type": "string"})
    else:
        validate_response(method, schema_path, r.status_code, body)
    return body


async def test_success_responses_match_the_swagger(
    pair: tuple[Simulator, httpx.AsyncClient],
) -> None:
    sim, c = pair
    crew = next(g for g in sim.world.groups.values() if g.name == "Climbing crew")
    alice_uuid = sim.world.find(ALICE).uuid  # type: ignore[union-attr]
    await check(c, "GET", "/v1/about")
    await check(c, "GET", "/v1/health")
    await check(c, "GET", "/v1/accounts")
    await check(c, "GET", "/v1/configuration")
    await check(c, "POST", "/v1/configuration", json={"logging": {"Level": "debug"}})
    await check(c, "GET", f"/v1/configuration/{ME}/settings")
    await check(c, "POST", f"/v1/configuration/{ME}/settings", json={"trust_mode": "always"})
    await check(c, "GET", "/v1/qrcodelink", params={"device_name": "x"})
    await check(c, "GET", "/v1/qrcodelink/raw", params={"device_name": "x"})
    await check(c, "GET", f"/v1/devices/{ME}")
    await check(c, "POST", f"/v1/devices/{ME}", json={"uri": "sgnl://linkdevice?uuid=a&pub_key=b"})
    await check(c, "DELETE", f"/v1/devices/{ME}/3")
    await check(c, "POST", f"/v1/accounts/{ME}/username", json={"username": "you"})
    await check(c, "DELETE", f"/v1/accounts/{ME}/username")
    await check(c, "POST", f"/v1/accounts/{ME}/pin", json={"pin": "1234"})
    await check(c, "DELETE", f"/v1/accounts/{ME}/pin")
    await check(
        c,
        "POST",
        f"/v1/accounts/{ME}/rate-limit-challenge",
        json={"challenge_token": "t", "captcha": "c"},
    )
    groups = await check(c, "GET", f"/v1/groups/{ME}")
    await check(c, "GET", f"/v1/groups/{ME}", params={"expand": "false"})
    await check(c, "GET", f"/v1/groups/{ME}/{crew.id}")
    created = await check(c, "POST", f"/v1/groups/{ME}", json={"name": "New", "members": [SAM]})
    gid = created["id"]
    await check(
        c,
        "PUT",
        f"/v1/groups/{ME}/{gid}",
        json={
            "name": "Renamed",
            "base64_avatar": base64.b64encode(b"\x89PNG\r\n\x1a\nxx").decode(),
        },
    )
    await check(c, "GET", f"/v1/groups/{ME}/{gid}/avatar")
    await check(c, "POST", f"/v1/groups/{ME}/{gid}/members", json={"members": [ALICE]})
    await check(c, "DELETE", f"/v1/groups/{ME}/{gid}/members", json={"members": [ALICE]})
    await check(c, "POST", f"/v1/groups/{ME}/{gid}/admins", json={"admins": [SAM]})
    await check(c, "DELETE", f"/v1/groups/{ME}/{gid}/admins", json={"admins": [SAM]})
    await check(c, "POST", f"/v1/groups/{SAM}/{gid}/block")
    await check(c, "POST", f"/v1/groups/{SAM}/{gid}/join")
    await check(c, "POST", f"/v1/groups/{SAM}/{gid}/quit")
    await check(c, "DELETE", f"/v1/groups/{ME}/{gid}")
    names = await check(c, "GET", "/v1/attachments")
    await check(c, "GET", f"/v1/attachments/{names[0]}")
    await check(c, "DELETE", f"/v1/attachments/{names[0]}")
    await check(c, "GET", f"/v1/contacts/{ME}")
    await check(c, "GET", f"/v1/contacts/{ME}", params={"all_recipients": "true"})
    await check(c, "GET", f"/v1/contacts/{ME}/{alice_uuid}")
    await check(c, "PUT", f"/v1/contacts/{ME}", json={"recipient": ALICE, "name": "A"})
    await check(c, "POST", f"/v1/contacts/{ME}/sync")
    me_uuid = sim.world.accounts[ME].uuid
    await check(c, "GET", f"/v1/contacts/{SAM}/{me_uuid}/avatar")
    await check(c, "PUT", f"/v1/profiles/{ME}", json={"name": "You", "about": "hi"})
    await check(c, "GET", f"/v1/identities/{ME}")
    await check(c, "PUT", f"/v1/identities/{ME}/trust/{ALICE}", json={"trust_all_known_keys": True})
    await check(c, "GET", f"/v1/search/{ME}", params={"numbers": ALICE})
    await check(c, "GET", f"/v1/sticker-packs/{ME}")
    target = {"recipient": SAM, "target_author": SAM, "timestamp": 1}
    await check(c, "POST", f"/v1/reactions/{ME}", json={**target, "reaction": "👍"})
    await check(c, "DELETE", f"/v1/reactions/{ME}", json=target)
    await check(
        c,
        "POST",
        f"/v1/receipts/{ME}",
        json={"recipient": SAM, "receipt_type": "read", "timestamp": 1},
    )
    await check(c, "PUT", f"/v1/typing-indicator/{ME}", json={"recipient": SAM})
    await check(c, "DELETE", f"/v1/typing-indicator/{ME}", json={"recipient": SAM})
    await check(c, "DELETE", f"/v1/remote-delete/{ME}", json={"recipient": SAM, "timestamp": 1})
    poll = await check(
        c,
        "POST",
        f"/v1/polls/{ME}",
        json={"recipient": SAM, "question": "?", "answers": ["a", "b"]},
    )
    vote = {
        "recipient": SAM,
        "poll_author": ME,
        "poll_timestamp": poll["timestamp"],
        "selected_answers": [1],
    }
    await check(c, "POST", f"/v1/polls/{ME}/vote", json=vote)
    await check(
        c, "DELETE", f"/v1/polls/{ME}", json={"recipient": SAM, "poll_timestamp": poll["timestamp"]}
    )
    await check(c, "POST", f"/v1/register/{'+15557770009'}", json={"captcha": "signalcaptcha://x"})
    await check(c, "POST", f"/v1/register/{'+15557770009'}/verify/{sim.verification_code}")
    await check(c, "POST", "/v1/unregister/+15557770009", json={"delete_account": False})
    assert len(groups) == 2


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("POST", "/v2/send", {"json": {"number": ME, "recipients": []}}),
        ("GET", f"/v1/groups/{ME}/group.QUFB", {}),
        ("GET", "/v1/attachments/nope.jpg", {}),
        ("DELETE", f"/v1/reactions/{ME}", {}),
        ("GET", "/v1/groups/+1999", {}),
        ("PUT", f"/v1/profiles/{ME}", {"json": {"name": ""}}),
        ("GET", f"/v1/search/{ME}", {}),
        ("POST", f"/v1/register/{ME}", {}),
    ],
)
async def test_error_bodies_are_api_error(
    pair: tuple[Simulator, httpx.AsyncClient], method: str, path: str, kwargs: dict
) -> None:
    _, c = pair
    r = await c.request(method, path, **kwargs)
    assert r.status_code in (400, 404)
    validate(r.json(), definition("api.Error"))
    assert set(r.json()) == {"error"}


# --- documented deviations from the swagger ---------------------------------------------------


async def test_deviation_v2_send_head_returns_an_array(
    pair: tuple[Simulator, httpx.AsyncClient],
) -> None:
    _, c = pair
    r = await c.post("/v2/send", json={"number": ME, "recipients": [SAM], "message": "x"})
    assert r.status_code == 201
    with pytest.raises(jsonschema.ValidationError):
        validate_response("POST", "/v2/send", 201, r.json(), nullable=False)
    for element in r.json():
        validate(element, definition("api.SendMessageResponse"))


async def test_v2_send_0100_profile_matches_the_swagger() -> None:
    sim = Simulator(mode="normal", scenario="empty", profile="0.100", trickle=False)
    url = await sim.start()
    try:
        async with httpx.AsyncClient(base_url=url) as c:
            r = await c.post("/v2/send", json={"number": ME, "recipients": [ME], "message": "x"})
            validate_response("POST", "/v2/send", r.status_code, r.json(), nullable=False)
    finally:
        await sim.stop()


async def test_deviation_rate_limit_429_is_undocumented_but_a_send_message_error() -> None:
    sim = Simulator(mode="json-rpc", scenario="demo", trickle=False)
    url = await sim.start()
    try:
        sim.faults.rate_limit_next = 1
        async with httpx.AsyncClient(base_url=url) as c:
            r = await c.post("/v2/send", json={"number": ME, "recipients": [SAM], "message": "x"})
        assert r.status_code == 429
        with pytest.raises(AssertionError, match="not documented"):
            response_schema("POST", "/v2/send", 429)
        validate(r.json(), definition("api.SendMessageError"))
    finally:
        await sim.stop()


@pytest.mark.parametrize(
    ("method", "path", "body", "real_status"),
    [
        ("PUT", f"/v1/accounts/{ME}/settings", {"share_number": True}, 201),
        ("POST", f"/v1/sticker-packs/{ME}", {"pack_id": "a", "pack_key": "b"}, 201),
    ],
)
async def test_deviation_status_codes(
    pair: tuple[Simulator, httpx.AsyncClient], method: str, path: str, body: dict, real_status: int
) -> None:
    _, c = pair
    r = await c.request(method, path, json=body)
    assert r.status_code == real_status
    with pytest.raises(AssertionError, match="not documented"):
        response_schema(method, path, real_status)


async def test_deviation_v1_send_returns_an_object_not_a_string(
    pair: tuple[Simulator, httpx.AsyncClient],
) -> None:
    _, c = pair
    r = await c.post("/v1/send", json={"number": ME, "recipients": [SAM], "message": "v1"})
    assert r.status_code == 201 and set(r.json()) == {"timestamp"}
    assert response_schema("POST", "/v1/send", 201) == {"type": "string"}
    validate(r.json(), definition("api.SendMessageResponse"))


async def test_deviation_pin_message_is_201_not_200(
    pair: tuple[Simulator, httpx.AsyncClient],
) -> None:
    sim, c = pair
    crew = next(g for g in sim.world.groups.values() if g.name == "Climbing crew")
    for method in ("POST", "DELETE"):
        r = await c.request(
            method,
            f"/v1/groups/{ME}/{crew.id}/pin-message",
            json={"target_author": SAM, "timestamp": 1},
        )
        assert r.status_code == 201
        with pytest.raises(AssertionError, match="not documented"):
            response_schema(method, f"/v1/groups/{ME}/{crew.id}/pin-message", 201)


async def test_deviation_receive_returns_an_array_of_messages(
    pair: tuple[Simulator, httpx.AsyncClient],
) -> None:
    _, c = pair
    r = await c.get(f"/v1/receive/{ME}", params={"timeout": 0, "max_messages": 3})
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    items = json.loads(r.text)
    with pytest.raises(jsonschema.ValidationError):
        validate_response("GET", f"/v1/receive/{ME}", 200, items, nullable=False)
    for it in items:
        validate(it, definition("data.Message"), nullable=True)


# --- every emitted envelope -------------------------------------------------------------------

ALWAYS = (
    "source",
    "sourceNumber",
    "sourceUuid",
    "sourceName",
    "sourceDevice",
    "timestamp",
    "serverReceivedTimestamp",
    "serverDeliveredTimestamp",
)
CONTENT = (
    "dataMessage",
    "editMessage",
    "storyMessage",
    "syncMessage",
    "callMessage",
    "receiptMessage",
    "typingMessage",
)
DM_FIXED = ("timestamp", "message", "expiresInSeconds", "isExpirationUpdate", "viewOnce")


def assert_presence_rules(item: dict[str, Any]) -> None:
    env = item["envelope"]
    assert all(k in env for k in ALWAYS), env
    assert sum(k in env for k in CONTENT) <= 1
    for dm in (env.get("dataMessage"), env.get("editMessage", {}).get("dataMessage")):
        if dm is not None:
            assert all(k in dm for k in DM_FIXED)
            assert all(v not in ([], {}, None) for k, v in dm.items() if k not in DM_FIXED)
    sent = env.get("syncMessage", {}).get("sentMessage")
    if sent is not None:
        assert all(k in sent for k in ("destination", "destinationNumber", "destinationUuid"))
        if "editMessage" in sent:  # an edit's transcript: no flattened dataMessage fields
            assert all(k in sent["editMessage"]["dataMessage"] for k in DM_FIXED)
        else:
            assert all(k in sent for k in DM_FIXED)


@pytest.mark.parametrize("mode", ["normal", "json-rpc"])
async def test_every_emitted_envelope_fits_the_swagger_and_presence_rules(mode: str) -> None:
    from websockets.asyncio.client import connect

    sim = Simulator(
        mode=mode, scenario="demo", trickle=False, reply_delay=0.1, receive_idle_cap=0.3
    )
    url = await sim.start()
    items: list[dict[str, Any]] = []
    try:
        async with httpx.AsyncClient(base_url=url) as c:
            sockets = []
            if mode == "json-rpc":
                for number in (ME, SAM):
                    sockets.append(
                        await connect(
                            url.replace("http", "ws") + f"/v1/receive/{number}", max_queue=None
                        )
                    )
            crew = next(g for g in sim.world.groups.values() if g.name == "Climbing crew")
            echo = sim.world.find("+15550100007")
            png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(20)).decode()
            r = await c.post(
                "/v2/send",
                json={
                    "number": ME,
                    "recipients": [SAM],
                    "message": "*hi*",
                    "text_mode": "styled",
                    "base64_attachments": [f"data:image/png;filename=a.png;base64,{png}"],
                    "quote_timestamp": 5,
                    "quote_author": SAM,
                    "quote_message": "q",
                },
            )
            ts = int(r.json()[0]["timestamp"])
            await c.post(
                "/v2/send",
                json={"number": ME, "recipients": [SAM], "message": "fix", "edit_timestamp": ts},
            )
            await c.post(
                "/v2/send", json={"number": ME, "recipients": [crew.id], "message": "group"}
            )
            await c.post(
                "/v2/send", json={"number": ME, "recipients": [echo.uuid], "message": "ok?"}
            )  # type: ignore[union-attr]
            await c.post(
                f"/v1/receipts/{SAM}",
                json={"recipient": ME, "receipt_type": "read", "timestamp": ts},
            )
            await c.put(f"/v1/typing-indicator/{SAM}", json={"recipient": crew.id})
            await c.post(f"/v1/groups/{ME}", json={"name": "g", "members": [SAM]})
            sim.incoming_untrusted(ME, ALICE, "error item first")
            await asyncio.sleep(0.5)
            if mode == "normal":
                for number in (ME, SAM):
                    r = await c.get(f"/v1/receive/{number}", params={"timeout": 0})
                    items.extend(r.json())
            else:
                for ws in sockets:
                    while True:
                        try:
                            items.append(json.loads(await asyncio.wait_for(ws.recv(), 0.3)))
                        except TimeoutError:
                            break
                    await ws.close()
    finally:
        await sim.stop()
    assert len(items) > 300
    errors = [it for it in items if "exception" in it]
    assert len(errors) == 1
    validate(errors[0]["exception"], definition("receive.Error"))
    seen = set()
    validate(
        items, {"type": "array", "items": definition("data.Message")}, nullable=True
    )  # one validator
    for it in items:
        assert_presence_rules(it)
        seen.update(k for k in it["envelope"] if k in CONTENT)
        seen.update(k for k in it["envelope"].get("dataMessage", {}) if k not in DM_FIXED)
    for kind in (
        "callMessage",
        "storyMessage",
        "dataMessage",
        "editMessage",
        "syncMessage",
        "receiptMessage",
        "typingMessage",
        "attachments",
        "quote",
        "reaction",
        "remoteDelete",
        "sticker",
        "pollCreate",
        "pollVote",
        "mentions",
        "textStyles",
        "groupInfo",
    ):
        assert kind in seen, kind


async def test_deviation_expanded_group_members_are_objects(
    pair: tuple[Simulator, httpx.AsyncClient],
) -> None:
    _, c = pair
    r = await c.get(f"/v1/groups/{ME}", params={"expand": "true"})
    with pytest.raises(jsonschema.ValidationError):
        validate_response("GET", f"/v1/groups/{ME}", 200, r.json(), nullable=False)
    assert set(r.json()[0]["members"][0]) == {"number", "uuid"}
