"""About/health/accounts, unknown routes, registration, device linking (QR), devices, settings, control."""

from __future__ import annotations

import asyncio
import io
import re

import pytest
from PIL import Image

from tests.simulator.conftest import ME, StartSim

NEW = "+15557770001"


@pytest.mark.parametrize("mode", ["normal", "native", "json-rpc"])
async def test_about_health_accounts(start_sim: StartSim, mode: str) -> None:
    _, client = await start_sim(mode=mode, scenario="empty")
    about = (await client.get("/v1/about")).json()
    assert about["mode"] == mode and about["versions"] == ["v1", "v2"] and about["build"] == 2
    r = await client.get("/v1/health")
    assert (r.status_code, r.content) == (204, b"")
    assert (await client.get("/v1/accounts")).json() == [ME]


async def test_unknown_route_and_wrong_method_are_gin_404(start_sim: StartSim) -> None:
    _, client = await start_sim(mode="normal", scenario="empty")
    for method, path in (("GET", "/v1/nothing"), ("DELETE", "/v1/about"), ("GET", "/v3/send")):
        r = await client.request(method, path)
        assert (r.status_code, r.text) == (404, "404 page not found")
        assert r.headers["content-type"].startswith("text/plain")


async def test_registration_captcha_then_sms_then_verify(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal", scenario="empty")
    r = await client.post(f"/v1/register/{NEW}")
    assert r.status_code == 400 and r.json()["error"].startswith(
        "Captcha required for verification"
    )
    r = await client.post(
        f"/v1/register/{NEW}", json={"use_voice": True, "captcha": "signalcaptcha://tok"}
    )
    assert "Before requesting voice verification" in r.json()["error"]
    assert (
        await client.post(f"/v1/register/{NEW}", json={})
    ).status_code == 201  # captcha remembered
    r = await client.post(f"/v1/register/{NEW}/verify/000000")
    assert r.status_code == 400
    r = await client.post(f"/v1/register/{NEW}/verify/{sim.verification_code}")
    assert (r.status_code, r.content) == (201, b"")
    assert NEW in (await client.get("/v1/accounts")).json()
    # a new account has no profile name yet: groups refuse it
    r = await client.post(f"/v1/groups/{NEW}", json={"name": "g", "members": []})
    assert r.json()["error"] == "Cannot create group - please first update your profile."


async def test_registration_lock_pin(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="json-rpc", scenario="empty")
    sim.pin_locked[NEW] = "1234"
    await client.post(f"/v1/register/{NEW}", json={"captcha": "signalcaptcha://x"})
    code = sim.verification_code
    r = await client.post(f"/v1/register/{NEW}/verify/{code}")
    assert "This number is locked with a pin" in r.json()["error"]
    r = await client.post(f"/v1/register/{NEW}/verify/{code}", json={"pin": "9999"})
    assert re.match(r"Verification failed! Invalid pin, tries remaining: \d+", r.json()["error"])
    r = await client.post(f"/v1/register/{NEW}/verify/{code}", json={"pin": "1234"})
    assert r.status_code == 201


async def test_qrcode_png_raw_uri_and_background_linking(start_sim: StartSim) -> None:
    sim, client = await start_sim(mode="normal", scenario="empty")
    sim.link_delay = 0.2
    r = await client.get("/v1/qrcodelink", params={"device_name": "tui"})
    assert r.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(r.content)) as img:
        assert img.size == (256, 256)
    r = await client.get("/v1/qrcodelink")
    assert r.json() == {"error": "Please provide a name for the device"}
    uri = (await client.get("/v1/qrcodelink/raw", params={"device_name": "tui"})).json()[
        "device_link_uri"
    ]
    assert re.match(r"^sgnl://linkdevice\?uuid=[^&]+&pub_key=.+$", uri)
    await asyncio.sleep(0.4)
    accounts = (await client.get("/v1/accounts")).json()
    assert len(accounts) == 2  # only the newest link completes
    devices = (await client.get(f"/v1/devices/{accounts[1]}")).json()
    assert [d["name"] for d in devices] == ["", "tui"]  # a Go string: "" when unnamed (real server)


async def test_devices_link_and_remove(start_sim: StartSim) -> None:
    _, client = await start_sim(mode="normal")
    devices = (await client.get(f"/v1/devices/{ME}")).json()
    assert {d["id"] for d in devices} == {1, 2}
    assert set(devices[0]) == {"id", "name", "last_seen_timestamp", "creation_timestamp"}
    r = await client.post(
        f"/v1/devices/{ME}", json={"uri": "sgnl://linkdevice?uuid=abc&pub_key=def"}
    )
    assert r.status_code == 204
    assert len((await client.get(f"/v1/devices/{ME}")).json()) == 3
    r = await client.delete(f"/v1/devices/{ME}/x")
    assert r.json() == {"error": "deviceId must be numeric"}
    assert (await client.delete(f"/v1/devices/{ME}/3")).status_code == 204
    assert len((await client.get(f"/v1/devices/{ME}")).json()) == 2


async def test_account_settings_username_pin_challenge_trust_mode(start_sim: StartSim) -> None:
    _, client = await start_sim(mode="json-rpc", scenario="empty")
    r = await client.put(f"/v1/accounts/{ME}/settings", json={"share_number": False})
    assert (r.status_code, r.content) == (201, b"")
    r = await client.post(f"/v1/accounts/{ME}/username", json={"username": "alice"})
    assert r.status_code == 201
    assert re.match(r"^alice\.\d+$", r.json()["username"]) and r.json()["username_link"].startswith(
        "https://signal.me/#eu/"
    )
    r = await client.post(f"/v1/accounts/{ME}/username", json={"username": "!"})
    assert r.json() == {"error": "Couldn't process request - invalid signal-cli response"}
    assert (await client.delete(f"/v1/accounts/{ME}/username")).status_code == 204
    assert (await client.post(f"/v1/accounts/{ME}/pin", json={"pin": "1234"})).status_code == 201
    assert (await client.delete(f"/v1/accounts/{ME}/pin")).status_code == 204
    r = await client.post(f"/v1/accounts/{ME}/rate-limit-challenge", json={"captcha": "x"})
    assert r.json()["error"].endswith("challenge token missing")
    r = await client.post(f"/v1/accounts/{ME}/rate-limit-challenge", json={"challenge_token": "t"})
    assert r.json()["error"].endswith("captcha missing")
    assert (await client.get(f"/v1/configuration/{ME}/settings")).json() == {
        "trust_mode": "on-first-use"
    }
    r = await client.post(f"/v1/configuration/{ME}/settings", json={"trust_mode": "always"})
    assert r.json() == {"error": "Couldn't set trust mode"}
    r = await client.get("/v1/groups/%2B4912345")
    assert r.json() == {"error": "Specified account does not exist"}


async def test_control_endpoints(start_sim: StartSim) -> None:
    _, client = await start_sim(mode="normal")
    r = await client.post(
        f"/_sim/inject/{ME}", json={"from": "+15550100001", "text": "ping", "count": 3}
    )
    assert r.json() == {"injected": 3}
    state = (await client.get("/_sim/state")).json()
    assert state["accounts"][ME]["queued"] > 3 and state["mode"] == "normal"
    r = await client.post(f"/_sim/inject/{ME}", json={"envelopes": [{"timestamp": 1}]})
    assert r.json() == {"injected": 1}
