"""POST /v2/send: both response profiles, error texts, failures, and what the recipients receive."""

from __future__ import annotations

import asyncio
import base64
import io
import re

import pytest
from PIL import Image

from tests.simulator.conftest import ME, SAM, StartSim, drain, kinds


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (12, 8), (1, 2, 3)).save(out, format="PNG")
    return out.getvalue()


async def test_profiles_give_object_or_array_with_string_timestamp(start_sim: StartSim) -> None:
    _, old = await start_sim(mode="normal", profile="0.100")
    _, head = await start_sim(mode="normal", profile="head")
    body = {"number": ME, "recipients": [SAM], "message": "hi", "text_mode": "normal"}
    r_old = await old.post("/v2/send", json=body)
    r_head = await head.post("/v2/send", json=body)
    assert r_old.status_code == r_head.status_code == 201
    assert set(r_old.json()) == {"timestamp"} and r_old.json()["timestamp"].isdigit()
    assert isinstance(r_head.json(), list) and len(r_head.json()) == 1
    assert set(r_head.json()[0]) == {"timestamp"} and r_head.json()[0]["timestamp"].isdigit()


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (
            {"recipients": [SAM], "message": "x"},
            "Couldn't process request - please provide a valid number",
        ),
        (
            {"number": ME, "recipients": [], "message": "x"},
            "Couldn't process request - please provide at least one recipient",
        ),
        (
            {"number": ME, "recipients": [SAM, "group.QUFBQQ=="], "message": "x"},
            "Groups and phone numbers cannot be specified together",
        ),
        (
            {"number": ME, "recipients": [SAM, "alice.42"], "message": "x"},
            "phone numbers and usernames cannot be specified together",
        ),
        (
            {"number": ME, "recipients": [SAM], "sticker": "abc"},
            "Couldn't process request - please provide valid sticker delimiter",
        ),
        (
            {"number": ME, "recipients": [SAM], "message": "x", "view_once": True},
            "'view_once' can only be set for image attachments!",
        ),
        (
            {
                "number": ME,
                "recipients": [SAM],
                "message": "x",
                "link_preview": {"url": "http://a.b", "title": "t"},
            },
            "Link Preview URL must start with https://..",
        ),
        (
            {
                "number": ME,
                "recipients": [SAM],
                "message": "x",
                "link_preview": {"url": "https://a.b", "title": "t"},
            },
            "Link Preview URL is missing in the message!",
        ),
        (
            {"number": ME, "recipients": [SAM], "message": "", "text_mode": "normal"},
            "Sending empty message is not allowed",
        ),
        (
            {"number": ME, "recipients": [SAM], "base64_attachments": ["data:image/png;base64,"]},
            "The base64 data does not exist.",
        ),
        (
            {
                "number": ME,
                "recipients": [SAM],
                "base64_attachments": ["data:image/png;base64,_-8="],
            },
            "illegal base64 data at input byte 0",
        ),
        (
            {
                "number": ME,
                "recipients": [SAM],
                "base64_attachments": ["data:image/png;base64,QUJD"[:-1]],
            },
            "illegal base64 data",
        ),
        (
            {"number": "+1999", "recipients": [SAM], "message": "x"},
            "User +1999 is not registered.\n",
        ),
    ],
)
async def test_send_validation_texts(start_sim: StartSim, body: dict, text: str) -> None:
    _, client = await start_sim(mode="normal", scenario="demo")
    r = await client.post("/v2/send", json=body)
    assert r.status_code == 400
    assert text in r.json()["error"]


async def test_unknown_account_text_in_json_rpc_mode(start_sim: StartSim) -> None:
    _, client = await start_sim(mode="json-rpc")
    r = await client.post("/v2/send", json={"number": "+1999", "recipients": [SAM], "message": "x"})
    assert (r.status_code, r.json()) == (400, {"error": "Specified account does not exist"})


async def test_malformed_and_missing_bodies(start_sim: StartSim) -> None:
    _, client = await start_sim(mode="normal")
    r = await client.post("/v2/send", content=b"{not json")
    assert (r.status_code, r.json()) == (
        400,
        {"error": "Couldn't process request - invalid request"},
    )
    r = await client.post("/v2/send", json={"number": ME, "recipients": "not-a-list"})
    assert r.status_code == 400


async def test_group_internal_id_is_rejected_as_a_username(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal")
    internal = next(iter(sim.world.groups))
    r = await client.post("/v2/send", json={"number": ME, "recipients": [internal], "message": "x"})
    assert r.status_code == 400
    bad_group = "group." + base64.b64encode(b"short").decode()
    r = await client.post(
        "/v2/send", json={"number": ME, "recipients": [bad_group], "message": "x"}
    )
    assert r.status_code == 400 and "Invalid" in r.json()["error"]


async def test_delivery_between_hosted_accounts(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal", scenario="demo")
    await drain(client, ME)
    await drain(client, SAM)
    sam_uuid = sim.world.accounts[SAM].uuid
    payload = base64.b64encode(png_bytes()).decode()
    r = await client.post(
        "/v2/send",
        json={
            "number": ME,
            "recipients": [SAM],
            "message": "\ufffc look **here**",
            "text_mode": "styled",
            "mentions": [{"start": 0, "length": 1, "author": sam_uuid}],
            "quote_timestamp": 1700000000000,
            "quote_author": SAM,
            "quote_message": "earlier",
            "base64_attachments": [f"data:image/png;filename=pic.png;base64,{payload}"],
        },
    )
    ts = int(r.json()[0]["timestamp"])
    items = await drain(client, SAM)
    assert len(items) == 1
    env = items[0]["envelope"]
    assert items[0]["account"] == SAM
    assert (env["sourceNumber"], env["sourceName"], env["sourceDevice"], env["timestamp"]) == (
        ME,
        "Robin Quinn",  # the demo account's own profile name: Sam must not read "You"
        1,
        ts,
    )
    dm = env["dataMessage"]
    assert dm["message"] == "\ufffc look here" and dm["timestamp"] == ts
    assert dm["textStyles"] == [{"style": "BOLD", "start": 7, "length": 4}]
    assert dm["mentions"][0]["uuid"] == sam_uuid and dm["mentions"][0]["number"] == SAM
    assert dm["quote"]["id"] == 1700000000000 and dm["quote"]["authorNumber"] == SAM
    att = dm["attachments"][0]
    assert (att["filename"], att["contentType"], att["width"], att["height"]) == (
        "pic.png",
        "image/png",
        12,
        8,
    )
    got = await client.get(f"/v1/attachments/{att['id']}")
    assert got.content == png_bytes() and got.headers["content-type"] == "image/png"
    # back to the sender: a delivery receipt for that timestamp; the other device got a sync
    await asyncio.sleep(0.1)
    receipts = await drain(client, ME)
    assert kinds(receipts) == ["receiptMessage"]
    rm = receipts[0]["envelope"]["receiptMessage"]
    assert rm["isDelivery"] and rm["timestamps"] == [ts]
    assert receipts[0]["envelope"]["sourceUuid"] == sam_uuid
    sync = sim.sync_log[-1]["sentMessage"]
    assert sync["destinationNumber"] == SAM and sync["timestamp"] == ts


async def test_edit_arrives_as_edit_message_with_original_timestamp(start_sim: StartSim) -> None:
    _, client = await start_sim(mode="normal")
    await drain(client, SAM)
    r = await client.post("/v2/send", json={"number": ME, "recipients": [SAM], "message": "teh"})
    original = int(r.json()[0]["timestamp"])
    await client.post(
        "/v2/send",
        json={"number": ME, "recipients": [SAM], "message": "the", "edit_timestamp": original},
    )
    items = await drain(client, SAM)
    edit = items[-1]["envelope"]
    assert "dataMessage" not in edit
    assert edit["editMessage"]["targetSentTimestamp"] == original
    assert edit["editMessage"]["dataMessage"]["message"] == "the"


async def test_group_send_carries_internal_id_and_needs_membership(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal")
    crew = next(g for g in sim.world.groups.values() if g.name == "Climbing crew")
    family = next(g for g in sim.world.groups.values() if g.name == "Family")
    await drain(client, SAM)
    r = await client.post(
        "/v2/send", json={"number": ME, "recipients": [crew.id], "message": "Tuesday?"}
    )
    assert r.status_code == 201
    items = await drain(client, SAM)
    info = items[0]["envelope"]["dataMessage"]["groupInfo"]
    assert info == {
        "groupId": crew.internal_id,
        "groupName": "Climbing crew",
        "revision": crew.revision,
        "type": "DELIVER",
    }
    assert "group." + base64.b64encode(info["groupId"].encode()).decode() == crew.id
    r = await client.post(
        "/v2/send", json={"number": SAM, "recipients": [family.id], "message": "hi"}
    )
    assert r.status_code == 400


async def test_simulated_contact_sends_receipts_and_echo_answers(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal", reply_delay=0.3)
    await drain(client)
    echo = sim.world.find("+15550100007")
    r = await client.post(
        "/v2/send", json={"number": ME, "recipients": [echo.uuid], "message": "how are you?"}
    )
    ts = int(r.json()[0]["timestamp"])
    await asyncio.sleep(0.6)
    items = await drain(client)
    receipts = [i["envelope"]["receiptMessage"] for i in items if "receiptMessage" in i["envelope"]]
    assert [(x["isDelivery"], x["isRead"]) for x in receipts] == [(True, False), (False, True)]
    assert all(x["timestamps"] == [ts] for x in receipts)
    typing = [i["envelope"]["typingMessage"] for i in items if "typingMessage" in i["envelope"]]
    assert typing and typing[0]["action"] == "STARTED"
    reply = next(i["envelope"] for i in items if "dataMessage" in i["envelope"])
    assert reply["sourceName"] == "Echo" and reply["dataMessage"]["quote"]["id"] == ts


@pytest.mark.parametrize("mode", ["normal", "json-rpc"])
@pytest.mark.parametrize("profile", ["0.100", "head"])
async def test_untrusted_identity_whole_failure_then_trust(
    start_sim: StartSim, mode: str, profile: str
) -> None:
    sim, client = await start_sim(mode=mode, profile=profile)
    sim.faults.untrusted.add(SAM)
    body = {"number": ME, "recipients": [SAM], "message": "hi"}
    r = await client.post("/v2/send", json=body)
    assert r.status_code == 400
    assert "untrusted" in r.json()["error"].lower()
    ids = (await client.get(f"/v1/identities/{ME}")).json()
    assert next(i for i in ids if i["number"] == SAM)["status"] == "UNTRUSTED"
    r = await client.put(f"/v1/identities/{ME}/trust/{SAM}", json={"trust_all_known_keys": True})
    assert r.status_code == 204
    assert (await client.post("/v2/send", json=body)).status_code == 201


async def test_untrusted_partial_failure_by_profile(start_sim: StartSim) -> None:
    sim, head = await start_sim(mode="normal", profile="head")
    sim.faults.untrusted.add(SAM)
    body = {"number": ME, "recipients": [SAM, "+15550100001"], "message": "hi"}
    r = await head.post("/v2/send", json=body)
    assert r.status_code == 201
    errors = r.json()[0]["errors"]["recipients"]
    assert errors == [
        {"number": SAM, "uuid": sim.world.accounts[SAM].uuid, "reason": "IDENTITY_FAILURE"}
    ]
    sim_old, old = await start_sim(mode="normal", profile="0.100")
    sim_old.faults.untrusted.add(SAM)
    r = await old.post("/v2/send", json=body)
    assert r.status_code == 400 and r.json()["error"].startswith("strconv.ParseInt")


async def test_unregistered_recipient(start_sim: StartSim) -> None:
    _, client = await start_sim(mode="normal", profile="head")
    r = await client.post(
        "/v2/send", json={"number": ME, "recipients": ["+15559999999"], "message": "x"}
    )
    assert r.status_code == 400 and "Unregistered" in r.json()["error"]
    r = await client.post(
        "/v2/send", json={"number": ME, "recipients": ["+15559999999", SAM], "message": "x"}
    )
    assert r.json()[0]["errors"]["recipients"][0]["reason"] == "UNREGISTERED_FAILURE"


async def test_rate_limit_429_in_json_rpc_and_400_text_in_normal(start_sim: StartSim) -> None:
    sim, rpc = await start_sim(mode="json-rpc")
    sim.faults.rate_limit_next = 1
    body = {"number": ME, "recipients": [SAM], "message": "x"}
    r = await rpc.post("/v2/send", json=body)
    assert r.status_code == 429
    data = r.json()
    assert (
        data["account"] == ME
        and len(data["challenge_tokens"]) == 1
        and "rate limiting" in data["error"]
    )
    assert (await rpc.post("/v2/send", json=body)).status_code == 201  # only the next N sends
    sim2, normal = await start_sim(mode="normal")
    sim2.faults.rate_limit_next = 1
    r = await normal.post("/v2/send", json=body)
    assert r.status_code == 400
    assert re.search(r'challenge token "([0-9a-f-]+)"', r.json()["error"])


async def test_fail_next_status_and_send_delay(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal")
    sim.faults.fail_next_status = 500
    body = {"number": ME, "recipients": [SAM], "message": "x"}
    assert (await client.post("/v2/send", json=body)).status_code == 500
    sim.faults.send_delay = 0.3
    loop = asyncio.get_running_loop()
    start = loop.time()
    assert (await client.post("/v2/send", json=body)).status_code == 201
    assert loop.time() - start >= 0.3


async def test_raw_base64_and_sticker_and_deprecated_v1_send(start_sim: StartSim) -> None:
    _, client = await start_sim(mode="normal")
    await drain(client, SAM)
    raw = base64.b64encode(png_bytes()).decode()
    r = await client.post(
        "/v2/send", json={"number": ME, "recipients": [SAM], "base64_attachments": [raw]}
    )
    assert r.status_code == 201
    r = await client.post("/v2/send", json={"number": ME, "recipients": [SAM], "sticker": "abcd:3"})
    assert r.status_code == 201
    r = await client.post("/v1/send", json={"number": ME, "recipients": [SAM], "message": "old"})
    assert r.status_code == 201 and r.json()["timestamp"].isdigit()
    items = [i["envelope"]["dataMessage"] for i in await drain(client, SAM)]
    assert items[0]["attachments"][0]["filename"].endswith(".png")
    assert items[1]["sticker"] == {"packId": "abcd", "stickerId": 3}
    assert items[2]["message"] == "old"


async def test_send_to_a_username_and_group_ids_helper(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal")
    r = await client.post(
        "/v2/send", json={"number": ME, "recipients": ["farah.07"], "message": "hey"}
    )
    assert r.status_code == 201 and "errors" not in r.json()[0]
    assert set(sim.group_ids()) == {"Family", "Climbing crew"}
    assert all(gid.startswith("group.") for gid in sim.group_ids().values())


async def test_long_text_also_travels_as_a_signal_plain_attachment(start_sim: StartSim) -> None:
    _, client = await start_sim(mode="normal")
    await drain(client, SAM)
    text = "ä" * 1200  # 2400 UTF-8 bytes
    await client.post("/v2/send", json={"number": ME, "recipients": [SAM], "message": text})
    dm = (await drain(client, SAM))[0]["envelope"]["dataMessage"]
    assert dm["message"] == text
    assert [a["contentType"] for a in dm["attachments"]] == ["text/x-signal-plain"]


async def test_direct_timer_is_carried_by_later_messages(start_sim: StartSim) -> None:
    _, client = await start_sim(mode="normal")
    await drain(client, SAM)
    await client.put(f"/v1/contacts/{ME}", json={"recipient": SAM, "expiration_in_seconds": 3600})
    await client.post("/v2/send", json={"number": ME, "recipients": [SAM], "message": "tick"})
    assert (await drain(client, SAM))[0]["envelope"]["dataMessage"]["expiresInSeconds"] == 3600
