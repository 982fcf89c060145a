"""Groups: real-format ids, create/list/get/update, members and admins, leave (DELETE = 200 empty)."""

from __future__ import annotations

import base64

from tests.simulator.conftest import ME, SAM, StartSim, drain


async def test_group_ids_have_the_real_formats(start_sim: StartSim) -> None:
    _, client = await start_sim(mode="normal")
    groups = (await client.get(f"/v1/groups/{ME}")).json()
    assert {g["name"] for g in groups} == {"Family", "Climbing crew"}
    for g in groups:
        assert len(base64.b64decode(g["internal_id"])) == 32 and len(g["internal_id"]) == 44
        assert g["id"] == "group." + base64.b64encode(g["internal_id"].encode()).decode()
        assert "/" not in g["id"] and "+" not in g["id"]
        assert g["member"] is True and g["blocked"] is False


async def test_create_get_update_and_leave(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal")
    await drain(client, SAM)
    r = await client.post(
        f"/v1/groups/{ME}",
        json={"name": "Board games", "members": [SAM, "+15550100001"], "description": "Fridays"},
    )
    assert r.status_code == 201
    gid = r.json()["id"]
    assert gid.startswith("group.")
    # Sam (hosted) learns about it through a group UPDATE envelope carrying the internal id
    update = (await drain(client, SAM))[0]["envelope"]["dataMessage"]
    assert update["message"] is None and update["groupInfo"]["type"] == "UPDATE"
    got = (await client.get(f"/v1/groups/{ME}/{gid}")).json()
    assert got["members"] == [ME, SAM, "+15550100001"] and got["admins"] == [ME]
    expanded = (await client.get(f"/v1/groups/{ME}/{gid}", params={"expand": "true"})).json()
    assert expanded["members"][0] == {"number": ME, "uuid": sim.world.accounts[ME].uuid}
    r = await client.put(
        f"/v1/groups/{ME}/{gid}", json={"name": "Board games night", "group_link": "enabled"}
    )
    assert r.status_code == 204
    got = (await client.get(f"/v1/groups/{ME}/{gid}")).json()
    assert got["name"] == "Board games night" and got["invite_link"].startswith(
        "https://signal.group/#"
    )
    assert (
        await client.request("DELETE", f"/v1/groups/{ME}/{gid}/members", json={"members": [SAM]})
    ).status_code == 204
    assert SAM not in (await client.get(f"/v1/groups/{ME}/{gid}")).json()["members"]
    r = await client.delete(f"/v1/groups/{ME}/{gid}")
    assert (r.status_code, r.content) == (200, b"")
    assert (await client.get(f"/v1/groups/{ME}/{gid}")).json()["member"] is False


async def test_group_errors(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal")
    unknown = "group." + base64.b64encode(base64.b64encode(bytes(32)).decode().encode()).decode()
    r = await client.get(f"/v1/groups/{ME}/{unknown}")
    assert (r.status_code, r.json()) == (404, {"error": "No group with that id found"})
    r = await client.post(f"/v1/groups/{ME}/{unknown}/members", json={"members": [SAM]})
    assert (
        r.status_code == 404
        and r.json()["error"] == f"No group with that group id ({unknown}) found"
    )
    r = await client.delete(f"/v1/groups/{ME}/{unknown}/members")
    assert (r.status_code, r.json()["error"]) == (400, "Couldn't process request - invalid request")
    r = await client.post(
        f"/v1/groups/{ME}", json={"name": "x", "permissions": {"add_members": "anyone"}}
    )
    assert "Invalid add members permission provided" in r.json()["error"]
    r = await client.post(f"/v1/groups/{ME}", json={"name": "x", "group_link": "open"})
    assert r.json()["error"].startswith("Invalid group link provided")
    internal = next(iter(sim.world.groups))
    r = await client.get(f"/v1/groups/{ME}/{internal.replace('/', '%2F')}")
    assert r.status_code == 404  # only the group. form matches
    r = await client.get(f"/v1/groups/{ME}/{sim.world.groups[internal].id}/avatar")
    assert (r.status_code, r.json()) == (404, {"error": "No avatar found."})


async def test_admin_only_changes_are_refused(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal")
    crew = next(g for g in sim.world.groups.values() if g.name == "Climbing crew")
    r = await client.post(f"/v1/groups/{SAM}/{crew.id}/admins", json={"admins": [SAM]})
    assert r.status_code == 400 and "admin" in r.json()["error"]
    r = await client.request(
        "DELETE", f"/v1/groups/{SAM}/{crew.id}/members", json={"members": [ME]}
    )
    assert r.status_code == 400


async def test_quit_join_block_and_pin(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal")
    crew = next(g for g in sim.world.groups.values() if g.name == "Climbing crew")
    assert (await client.post(f"/v1/groups/{SAM}/{crew.id}/block")).status_code == 204
    assert (await client.get(f"/v1/groups/{SAM}/{crew.id}")).json()["blocked"] is True
    r = await client.post(
        f"/v1/groups/{ME}/{crew.id}/pin-message", json={"target_author": SAM, "timestamp": 5}
    )
    assert r.status_code == 201
    pin = [
        i for i in await drain(client, SAM) if "pinMessage" in i["envelope"].get("dataMessage", {})
    ]
    assert pin[0]["envelope"]["dataMessage"]["pinMessage"]["pinDurationSeconds"] == -1
    assert (await client.post(f"/v1/groups/{SAM}/{crew.id}/quit")).status_code == 204
    assert (await client.get(f"/v1/groups/{SAM}/{crew.id}")).json()["member"] is False
