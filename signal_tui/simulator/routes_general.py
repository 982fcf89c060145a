"""About, health, accounts, registration, device linking (QR), devices and account settings."""

from __future__ import annotations

import base64
import io
import re
from typing import TYPE_CHECKING, Any

import segno
from aiohttp import web
from PIL import Image

from signal_tui.simulator.http import empty, get, json_response, number_param, read_body
from signal_tui.simulator.state import Device, Person
from signal_tui.simulator.util import bad

if TYPE_CHECKING:
    from signal_tui.simulator.server import Simulator

CAPTCHA_REQUIRED = (
    "Captcha required for verification, use --captcha CAPTCHA\n"
    "To get the token, go to https://signalcaptchas.org/registration/generate.html\n"
    'After solving the captcha, right-click on the "Open Signal" link and copy the link.'
)
VOICE_BEFORE_SMS = (
    "Invalid verification method: Before requesting voice verification you need to request SMS "
    "verification and wait a minute."
)
LINK_URI_RE = re.compile(r"^(sgnl://linkdevice|tsdevice:/)\?uuid=[^&]+&pub_key=.+$")


def add_routes(app: web.Application, sim: Simulator) -> None:
    registrations: dict[str, dict[str, Any]] = {}
    pin_locked = sim.pin_locked

    async def about(request: web.Request) -> web.Response:
        return json_response(
            {
                "versions": ["v1", "v2"],
                "build": 2,
                "mode": sim.mode,
                "version": "0.100" if sim.profile == "0.100" else "0.100-head",
                "capabilities": {"v2/send": ["quotes", "mentions"]},
            }
        )

    async def health(request: web.Request) -> web.Response:
        return empty(204)

    async def accounts(request: web.Request) -> web.Response:
        return json_response(sim.accounts)

    async def register(request: web.Request) -> web.Response:
        number = number_param(request)
        body = await read_body(request, required=False)
        use_voice = bool(get(body, "use_voice", "bool", False))
        captcha = get(body, "captcha", "str", "") or ""
        state = registrations.setdefault(number, {"captcha": False, "sms": False})
        if not state["captcha"]:
            if not captcha:
                raise bad(sim.err_text(CAPTCHA_REQUIRED))
            if not captcha.removeprefix("signalcaptcha://").strip():
                raise bad(sim.err_text("Invalid captcha given."))
            state["captcha"] = True
        if use_voice and not state["sms"]:
            raise bad(sim.err_text(VOICE_BEFORE_SMS))
        state["sms"] = True
        return empty(201)

    async def verify(request: web.Request) -> web.Response:
        number = number_param(request)
        token = request.match_info["token"].replace("-", "")
        body = await read_body(request, required=False)
        pin = get(body, "pin", "str")
        state = registrations.get(number)
        if state is None or not state["sms"]:
            raise bad(
                sim.err_text("Verification failed! No registration in progress for this number")
            )
        if token != sim.verification_code:
            raise bad(
                sim.err_text(
                    "Verify error: [403] Authorization failed (AuthorizationFailedException)"
                )
            )
        locked = pin_locked.get(number)
        if locked is not None:
            if not pin:
                raise bad(
                    sim.err_text(
                        "Verification failed! This number is locked with a pin. Hours remaining until "
                        "reset: 167\nUse '--pin PIN_CODE' to specify the registration lock PIN"
                    )
                )
            if pin != locked:
                state["tries"] = state.get("tries", 10) - 1
                raise bad(
                    sim.err_text(
                        f"Verification failed! Invalid pin, tries remaining: {state['tries']}"
                    )
                )
        registrations.pop(number, None)
        person = sim.world.find(number)
        if person is None or person.account is None:
            if person is None:
                person = Person(uuid=sim.world.new_uuid(), number=number)
            sim.world.host(person)
            person.account.pin = locked  # type: ignore[union-attr]
        return empty(201)

    async def unregister(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        body = await read_body(request, required=False)
        get(body, "delete_account", "bool")
        get(body, "delete_local_data", "bool")
        sim.world.accounts.pop(account.number, None)
        account.person.account = None
        return empty(204)

    async def delete_local_data(request: web.Request) -> web.Response:
        number = number_param(request)
        body = await read_body(request)
        ignore = get(body, "ignore_registered", "bool", False)
        account = sim.world.accounts.get(number)
        if account is not None and not ignore:
            raise bad(sim.err_text("Failed to delete local data: account is still registered"))
        if account is not None:
            sim.world.accounts.pop(number, None)
            account.person.account = None
        return empty(204)

    def new_link_uri(name: str) -> str:
        rng = sim.world.rng
        uid = base64.urlsafe_b64encode(rng.randbytes(16)).decode().rstrip("=")
        key = base64.b64encode(b"\x05" + rng.randbytes(32)).decode()
        key = key.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
        uri = f"sgnl://linkdevice?uuid={uid}&pub_key={key}"
        sim.pending_link = uri  # only the newest URI can still be scanned
        sim.pending_link_name = name
        if sim.link_auto:
            sim.later(sim.link_delay, sim.complete_link, uri)
        return uri

    async def qrcodelink(request: web.Request) -> web.Response:
        name = request.query.get("device_name", "")
        if not name:
            raise bad("Please provide a name for the device")
        version = request.query.get("qrcode_version", "10")
        try:
            qr_version = int(version)
            qr = segno.make(new_link_uri(name), version=qr_version, micro=False)
        except ValueError as exc:
            raise bad(f"Couldn't create QR code: {exc}") from None
        raw = io.BytesIO()
        qr.save(raw, kind="png", scale=8, border=4)
        raw.seek(0)
        out = io.BytesIO()
        with Image.open(raw) as img:  # go-qrcode renders to exactly 256x256 px
            img.convert("L").resize((256, 256), Image.Resampling.NEAREST).save(out, format="PNG")
        return web.Response(body=out.getvalue(), content_type="image/png")

    async def qrcodelink_raw(request: web.Request) -> web.Response:
        name = request.query.get("device_name", "")
        if not name:
            raise bad("Please provide a name for the device")
        return json_response({"device_link_uri": new_link_uri(name)})

    async def list_devices(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        return json_response(
            [
                {
                    "id": d.id,
                    "name": d.name or "",  # a Go string: an unnamed device is ""
                    "last_seen_timestamp": d.last_seen,
                    "creation_timestamp": d.created,
                }
                for d in account.devices
            ]
        )

    async def add_device(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        body = await read_body(request)
        uri = get(body, "uri", "str", "")
        if account.this_device != 1:
            raise bad(
                sim.err_text("Linking another device is only possible from the primary device.")
            )
        if not LINK_URI_RE.match(uri):
            raise bad(sim.err_text("Device link uri has invalid format: " + uri))
        now = sim.world.now_ms()
        new_id = max(d.id for d in account.devices) + 1
        account.devices.append(Device(new_id, "Linked device", now, now))
        return empty(204)

    async def remove_device(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        raw = request.match_info["device_id"]
        if not raw.isdigit():
            raise bad("deviceId must be numeric")
        device_id = int(raw)
        if not any(d.id == device_id for d in account.devices):
            raise bad(sim.err_text("Failed to remove device: [404] Device not found"))
        if device_id == account.this_device:
            raise bad(sim.err_text("Failed to remove device: cannot remove this device"))
        account.devices = [d for d in account.devices if d.id != device_id]
        return empty(204)

    async def settings(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        body = await read_body(request)
        for key in ("discoverable_by_number", "share_number"):
            value = get(body, key, "bool")
            if value is not None:
                account.settings[key] = value
        return empty(201)

    async def set_username(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        body = await read_body(request)
        name = get(body, "username", "str", "")
        base, _, disc = name.partition(".")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{2,31}", base) or (disc and not disc.isdigit()):
            raise bad("Couldn't process request - invalid signal-cli response")
        full = f"{base}.{disc or sim.world.rng.randint(10, 99)}"
        account.person.username = full
        link = base64.urlsafe_b64encode(sim.world.rng.randbytes(40)).decode().rstrip("=")
        account.username_link = f"https://signal.me/#eu/{link}"
        return json_response({"username": full, "username_link": account.username_link}, 201)

    async def delete_username(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        account.person.username = None
        account.username_link = None
        return empty(204)

    async def set_pin(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        body = await read_body(request)
        pin = get(body, "pin", "str", "")
        if not pin:
            raise bad("Couldn't process request - pin missing")
        account.pin = pin
        pin_locked[account.number] = pin
        return empty(201)

    async def delete_pin(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        account.pin = None
        pin_locked.pop(account.number, None)
        return empty(204)

    async def challenge(request: web.Request) -> web.Response:
        sim.account_or_error(number_param(request))
        body = await read_body(request)
        if not get(body, "challenge_token", "str"):
            raise bad("Couldn't process request - challenge token missing")
        if not get(body, "captcha", "str"):
            raise bad("Couldn't process request - captcha missing")
        sim.faults.rate_limit_next = 0
        return empty(204)

    async def get_trust_mode(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        return json_response({"trust_mode": account.trust_mode})

    async def set_trust_mode(request: web.Request) -> web.Response:
        account = sim.account_or_error(number_param(request))
        body = await read_body(request)
        mode = get(body, "trust_mode", "str", "")
        if mode not in ("on-first-use", "always", "never"):
            raise bad("Invalid trust mode")
        if sim.json_rpc:
            raise bad("Couldn't set trust mode")
        account.trust_mode = mode
        return empty(204)

    logging_level = {"Level": "info"}  # sic: the Go struct's JSON key is capitalised

    async def get_configuration(request: web.Request) -> web.Response:
        return json_response({"logging": dict(logging_level)})

    async def set_configuration(request: web.Request) -> web.Response:
        body = await read_body(request)
        logging = get(body, "logging", "dict", {})
        level = logging.get("Level")
        if level is not None:
            if level not in ("debug", "info", "warn", "error"):
                raise bad("Couldn't set log level - invalid log level")
            logging_level["Level"] = level
        return empty(204)

    r = app.router
    r.add_get("/v1/about", about)
    r.add_get("/v1/health", health)
    r.add_get("/v1/accounts", accounts)
    r.add_post("/v1/register/{number}", register)
    r.add_post("/v1/register/{number}/verify/{token}", verify)
    r.add_post("/v1/unregister/{number}", unregister)
    r.add_delete("/v1/devices/{number}/local-data", delete_local_data)
    r.add_get("/v1/qrcodelink", qrcodelink)
    r.add_get("/v1/qrcodelink/raw", qrcodelink_raw)
    r.add_get("/v1/devices/{number}", list_devices)
    r.add_post("/v1/devices/{number}", add_device)
    r.add_delete("/v1/devices/{number}/{device_id}", remove_device)
    r.add_put("/v1/accounts/{number}/settings", settings)
    r.add_post("/v1/accounts/{number}/username", set_username)
    r.add_delete("/v1/accounts/{number}/username", delete_username)
    r.add_post("/v1/accounts/{number}/pin", set_pin)
    r.add_delete("/v1/accounts/{number}/pin", delete_pin)
    r.add_post("/v1/accounts/{number}/rate-limit-challenge", challenge)
    r.add_get("/v1/configuration/{number}/settings", get_trust_mode)
    r.add_post("/v1/configuration/{number}/settings", set_trust_mode)
    r.add_get("/v1/configuration", get_configuration)
    r.add_post("/v1/configuration", set_configuration)
