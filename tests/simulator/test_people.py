"""Attachments, contacts, profiles, identities, search, stickers, reactions, receipts, typing, polls."""

from __future__ import annotations

import base64

from tests.simulator.conftest import ME, SAM, StartSim, drain, kinds

ALICE = "+15550100001"


async def test_attachment_lifecycle(start_sim: StartSim) -> None:
    _sim, client = await start_sim(mode="normal")
    names = (await client.get("/v1/attachments")).json()
    assert len(names) >= 3  # the demo's pictures
    jpg = next(n for n in names if n.endswith(".jpg"))
    r = await client.get(f"/v1/attachments/{jpg}")
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert r.content[:3] == b"\xff\xd8\xff" and int(r.headers["content-length"]) == len(r.content)
    assert (await client.delete(f"/v1/attachments/{jpg}")).status_code == 204
    for method in ("GET", "DELETE"):
        r = await client.request(method, f"/v1/attachments/{jpg}")
        assert (r.status_code, r.json()) == (404, {"error": "No attachment with that name found"})
    r = await client.get("/v1/attachments/..")
    assert r.status_code in (400, 404)


async def test_contacts_shape(start_sim: StartSim) -> None:
    _sim, client = await start_sim(mode="normal")
    contacts = (await client.get(f"/v1/contacts/{ME}")).json()
    alice = next(c for c in contacts if c["number"] == ALICE)
    assert alice["profile"]["lastname"] == "Park" and alice["message_expiration"] == "0"
    hidden = next(c for c in contacts if c["profile_name"] == "Jules")
    assert hidden["number"] == "" and hidden["uuid"]
    one = await client.get(f"/v1/contacts/{ME}/{alice['uuid']}")
    assert one.json()["uuid"] == alice["uuid"]
    missing = "00000000-0000-4000-8000-000000000000"
    r = await client.get(f"/v1/contacts/{ME}/{missing}")
    assert (r.status_code, r.json()) == (404, {"error": f"No user with that id ({missing}) found"})
    r = await client.put(
        f"/v1/contacts/{ME}", json={"recipient": ALICE, "name": "Ally", "expiration_in_seconds": 60}
    )
    assert r.status_code == 204
    alice = next(c for c in (await client.get(f"/v1/contacts/{ME}")).json() if c["number"] == ALICE)
    assert (alice["name"], alice["message_expiration"]) == ("Ally", "60")
    assert (await client.post(f"/v1/contacts/{ME}/sync")).status_code == 204


async def test_profile_update_without_avatar_removes_it(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal")
    person = sim.world.accounts[ME].person
    assert person.avatar is not None
    avatar = base64.b64encode(person.avatar).decode()
    r = await client.put(f"/v1/profiles/{ME}", json={"name": "Me Too", "base64_avatar": avatar})
    assert r.status_code == 204 and person.avatar is not None and person.given_name == "Me Too"
    await client.put(f"/v1/profiles/{ME}", json={"name": "Me Again"})
    assert person.avatar is None
    r = await client.put(f"/v1/profiles/{ME}", json={"name": ""})
    assert r.json()["error"] == "Couldn't process request - profile name missing"
    r = await client.put(
        f"/v1/profiles/{ME}", json={"name": "x", "base64_avatar": "data:image/png;base64,AAAA"}
    )
    assert r.json()["error"].startswith("Couldn't decode base64 encoded avatar:")


async def test_identities_and_trust_rules(start_sim: StartSim) -> None:
    _, client = await start_sim(mode="normal")
    ids = (await client.get(f"/v1/identities/{ME}")).json()
    alice = next(i for i in ids if i["number"] == ALICE)
    assert (
        alice["status"] == "TRUSTED_UNVERIFIED"
        and len(alice["safety_number"].replace(" ", "")) == 60
    )
    assert alice["added"].isdigit()
    r = await client.put(f"/v1/identities/{ME}/trust/{ALICE}", json={})
    assert r.status_code == 400 and "please either provide a safety number" in r.json()["error"]
    r = await client.put(
        f"/v1/identities/{ME}/trust/{alice['uuid']}",
        json={"verified_safety_number": alice["safety_number"]},
    )
    assert r.status_code == 204
    ids = (await client.get(f"/v1/identities/{ME}")).json()
    assert next(i for i in ids if i["number"] == ALICE)["status"] == "TRUSTED_VERIFIED"


async def test_search_and_sticker_packs(start_sim: StartSim) -> None:
    _, client = await start_sim(mode="normal")
    r = await client.get(f"/v1/search/{ME}?numbers=%2B15550100001&numbers=%2B15559999999")
    assert r.json() == [
        {"number": ALICE, "registered": True},
        {"number": "+15559999999", "registered": False},
    ]
    r = await client.get(f"/v1/search/{ME}")
    assert r.json() == {"error": "Please provide numbers to query for"}
    packs = (await client.get(f"/v1/sticker-packs/{ME}")).json()
    assert packs[0]["installed"] is True
    r = await client.post(f"/v1/sticker-packs/{ME}", json={"pack_id": "ab", "pack_key": "cd"})
    assert (r.status_code, r.content) == (201, b"")


async def test_reactions_receipts_typing_delete_polls_reach_hosted_recipient(
    start_sim: StartSim,
) -> None:
    sim, client = await start_sim(mode="normal")
    await drain(client, SAM)
    ts = 1_700_000_000_000
    calls = [
        (
            "POST",
            f"/v1/reactions/{ME}",
            {"recipient": SAM, "reaction": "👍", "target_author": SAM, "timestamp": ts},
            204,
        ),
        (
            "DELETE",
            f"/v1/reactions/{ME}",
            {"recipient": SAM, "target_author": SAM, "timestamp": ts},
            204,
        ),
        (
            "POST",
            f"/v1/receipts/{ME}",
            {"recipient": SAM, "receipt_type": "viewed", "timestamp": ts},
            204,
        ),
        ("PUT", f"/v1/typing-indicator/{ME}", {"recipient": SAM}, 204),
        ("DELETE", f"/v1/typing-indicator/{ME}", {"recipient": SAM}, 204),
        ("DELETE", f"/v1/remote-delete/{ME}", {"recipient": SAM, "timestamp": ts}, 201),
        (
            "POST",
            f"/v1/polls/{ME}",
            {"recipient": SAM, "question": "Lunch?", "answers": ["Pizza", "Sushi"]},
            201,
        ),
        (
            "POST",
            f"/v1/polls/{ME}/vote",
            {
                "recipient": SAM,
                "poll_author": ME,
                "poll_timestamp": str(ts),
                "selected_answers": [2],
            },
            204,
        ),
        ("DELETE", f"/v1/polls/{ME}", {"recipient": SAM, "poll_timestamp": str(ts)}, 204),
    ]
    for method, path, body, status in calls:
        r = await client.request(method, path, json=body)
        assert r.status_code == status, (path, r.text)
        if status == 201:
            assert r.json()["timestamp"].isdigit()
    items = await drain(client, SAM)
    assert (
        kinds(items)
        == ["dataMessage", "dataMessage", "receiptMessage", "typingMessage", "typingMessage"]
        + ["dataMessage"] * 4
    )
    envs = [i["envelope"] for i in items]
    assert envs[0]["dataMessage"]["reaction"]["isRemove"] is False
    assert envs[1]["dataMessage"]["reaction"] == {
        "emoji": "👍",
        "targetAuthor": SAM,
        "targetAuthorNumber": SAM,
        "targetAuthorUuid": sim.world.accounts[SAM].uuid,
        "targetSentTimestamp": ts,
        "isRemove": True,
    }
    assert envs[2]["receiptMessage"]["isRead"] is True  # every receipt goes out as "read"
    assert [e["typingMessage"]["action"] for e in envs[3:5]] == ["STARTED", "STOPPED"]
    assert envs[5]["dataMessage"]["remoteDelete"] == {"timestamp": ts}
    assert envs[6]["dataMessage"]["pollCreate"]["options"] == ["Pizza", "Sushi"]
    assert envs[7]["dataMessage"]["pollVote"]["optionIndexes"] == [1]
    assert envs[8]["dataMessage"]["pollTerminate"] == {"targetSentTimestamp": ts}


async def test_message_endpoint_errors(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal")
    for path in (
        f"/v1/reactions/{ME}",
        f"/v1/remote-delete/{ME}",
        f"/v1/typing-indicator/{ME}",
        f"/v1/polls/{ME}",
    ):
        r = await client.delete(path)
        assert (r.status_code, r.json()) == (
            400,
            {"error": "Couldn't process request - invalid request"},
        ), path
    r = await client.post(
        f"/v1/reactions/{ME}", json={"recipient": SAM, "reaction": "x", "timestamp": 1}
    )
    assert r.json()["error"] == "Couldn't process request - target_author missing"
    r = await client.post(
        f"/v1/receipts/{ME}", json={"recipient": SAM, "receipt_type": "seen", "timestamp": 1}
    )
    assert r.json()["error"] == "Couldn't process request - receipt type must be read or viewed"
    r = await client.post(
        f"/v1/polls/{ME}/vote",
        json={"recipient": SAM, "poll_author": ME, "poll_timestamp": "1", "selected_answers": [0]},
    )
    assert (
        r.json()["error"] == "Invalid index in selected_answers specified, index needs to be >= 1!"
    )
    crew = next(g for g in sim.world.groups.values() if g.name == "Climbing crew")
    await drain(client, SAM)
    assert (
        await client.put(f"/v1/typing-indicator/{ME}", json={"recipient": crew.id})
    ).status_code == 204
    typing = (await drain(client, SAM))[0]["envelope"]["typingMessage"]
    assert typing["groupId"] == crew.internal_id


async def test_untrusted_sender_error_item_then_message_after_trust(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal")
    await drain(client)
    error = sim.incoming_untrusted(ME, ALICE, "new phone, who dis")
    items = await drain(client)
    assert items == [error]
    assert items[0]["exception"]["type"] == "UntrustedIdentityException"
    assert kinds(items) == ["none"] and items[0]["envelope"]["sourceNumber"] == ALICE
    r = await client.post("/v2/send", json={"number": ME, "recipients": [ALICE], "message": "hi"})
    assert r.status_code == 400  # the changed identity blocks sends too
    await client.put(f"/v1/identities/{ME}/trust/{ALICE}", json={"trust_all_known_keys": True})
    items = await drain(client)
    assert [i["envelope"]["dataMessage"]["message"] for i in items] == ["new phone, who dis"]


async def test_own_avatar_is_served_like_a_contacts(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal")
    me = sim.world.accounts[ME].person
    r = await client.get(f"/v1/contacts/{ME}/{me.uuid}/avatar")
    assert r.status_code == 200 and r.content == me.avatar
    await client.put(f"/v1/profiles/{ME}", json={"name": "You"})  # no avatar: removed
    r = await client.get(f"/v1/contacts/{ME}/{me.uuid}/avatar")
    assert r.status_code == 400
