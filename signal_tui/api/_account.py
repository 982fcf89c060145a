"""Server, account, device, contact, profile, identity and attachment endpoints."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from signal_tui.api._http import HttpBase, expect_dict, expect_list, segment
from signal_tui.api.errors import InvalidRequest, ProtocolError, SignalApiError
from signal_tui.api.models import (
    About,
    Contact,
    Device,
    Identity,
    RemoveAvatar,
    UsernameResult,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TRUST_MODES = ("on-first-use", "always", "never")


class AccountMixin(HttpBase):
    # --- server -------------------------------------------------------------------------------
    async def about(self) -> About:
        """Version and `mode` (normal/native/json-rpc): the receiver picks poll or WebSocket."""
        data = await self._json("GET", "/v1/about")
        return About.from_json(expect_dict(data, self.base_url + "/v1/about"))

    async def health(self) -> bool:
        """True when the REST layer answers (it says 204 even if signal-cli is broken)."""
        try:
            await self._request("GET", "/v1/health")
        except SignalApiError:
            return False
        return True

    async def accounts(self) -> list[str]:
        data = await self._json("GET", "/v1/accounts")
        return [a for a in expect_list(data, self.base_url + "/v1/accounts") if isinstance(a, str)]

    # --- registration and linking ---------------------------------------------------------------
    async def register(
        self, number: str, *, captcha: str | None = None, use_voice: bool = False
    ) -> None:
        body: dict[str, Any] = {"use_voice": bool(use_voice)}
        if captcha:
            body["captcha"] = captcha.strip()
        await self._call("POST", f"/v1/register/{segment(number)}", json_body=body)

    async def verify(self, number: str, code: str, *, pin: str | None = None) -> None:
        code = "".join(str(code).split()).replace("-", "")
        body: dict[str, Any] = {"pin": pin} if pin else {}
        path = f"/v1/register/{segment(number)}/verify/{segment(code)}"
        await self._call("POST", path, json_body=body)

    async def unregister(
        self, number: str, *, delete_account: bool = False, delete_local_data: bool = False
    ) -> None:
        body = {
            "delete_account": bool(delete_account),
            "delete_local_data": bool(delete_local_data),
        }
        await self._call("POST", f"/v1/unregister/{segment(number)}", json_body=body)

    async def qrcodelink_png(self, device_name: str) -> bytes:
        """The server's QR code PNG for linking this server as a new device (a new URI each call)."""
        data = await self._bytes("GET", "/v1/qrcodelink", params={"device_name": device_name})
        if not data.startswith(PNG_MAGIC):
            raise ProtocolError("the QR code answer is not a PNG image", url=self.base_url)
        return data

    async def qrcodelink_uri(self, device_name: str) -> str:
        """The `sgnl://linkdevice?...` URI, to draw the QR code ourselves (best for a terminal)."""
        path = "/v1/qrcodelink/raw"
        data = expect_dict(
            await self._json("GET", path, params={"device_name": device_name}),
            self.base_url + path,
        )
        uri = data.get("device_link_uri")
        if not isinstance(uri, str) or not uri:
            raise ProtocolError("the link answer has no device_link_uri", url=self.base_url + path)
        return uri

    async def devices(self, number: str) -> list[Device]:
        path = f"/v1/devices/{segment(number)}"
        data = await self._json("GET", path)
        return [Device.from_json(d) for d in expect_list(data, self.base_url + path)]

    async def link_device(self, number: str, uri: str) -> None:
        """Link a new device from its `sgnl://linkdevice?...` URI (primary device only)."""
        await self._call("POST", f"/v1/devices/{segment(number)}", json_body={"uri": uri.strip()})

    async def remove_device(self, number: str, device_id: int) -> None:
        await self._call("DELETE", f"/v1/devices/{segment(number)}/{int(device_id)}")

    # --- account settings ---------------------------------------------------------------------
    async def update_account_settings(
        self,
        number: str,
        *,
        discoverable_by_number: bool | None = None,
        share_number: bool | None = None,
    ) -> None:
        body: dict[str, Any] = {}
        if discoverable_by_number is not None:
            body["discoverable_by_number"] = bool(discoverable_by_number)
        if share_number is not None:
            body["share_number"] = bool(share_number)
        await self._call("PUT", f"/v1/accounts/{segment(number)}/settings", json_body=body)

    async def set_username(self, number: str, username: str) -> UsernameResult:
        path = f"/v1/accounts/{segment(number)}/username"
        data = await self._json("POST", path, json_body={"username": username})
        return UsernameResult.from_json(data)

    async def delete_username(self, number: str) -> None:
        await self._call("DELETE", f"/v1/accounts/{segment(number)}/username")

    async def set_pin(self, number: str, pin: str) -> None:
        await self._call("POST", f"/v1/accounts/{segment(number)}/pin", json_body={"pin": pin})

    async def remove_pin(self, number: str) -> None:
        await self._call("DELETE", f"/v1/accounts/{segment(number)}/pin")

    async def submit_rate_limit_challenge(
        self, number: str, challenge_token: str, captcha: str
    ) -> None:
        """Lift a rate limit with a solved captcha (`signalcaptcha://…`; the prefix is added)."""
        captcha = captcha.strip()
        if captcha and not captcha.startswith("signalcaptcha://"):
            captcha = "signalcaptcha://" + captcha
        body = {"challenge_token": challenge_token, "captcha": captcha}
        path = f"/v1/accounts/{segment(number)}/rate-limit-challenge"
        await self._call("POST", path, json_body=body)

    async def trust_mode(self, number: str) -> str:
        path = f"/v1/configuration/{segment(number)}/settings"
        data = expect_dict(await self._json("GET", path), self.base_url + path)
        mode = data.get("trust_mode")
        return mode if isinstance(mode, str) else ""

    async def set_trust_mode(self, number: str, mode: str) -> None:
        """Per-account trust mode (fails in json-rpc mode: the server uses an env var there)."""
        if mode not in TRUST_MODES:
            raise InvalidRequest(
                f"trust mode must be one of {', '.join(TRUST_MODES)}", maybe_sent=False
            )
        path = f"/v1/configuration/{segment(number)}/settings"
        await self._call("POST", path, json_body={"trust_mode": mode})

    # --- attachments --------------------------------------------------------------------------
    async def list_attachments(self) -> list[str]:
        data = await self._json("GET", "/v1/attachments")
        items = expect_list(data, self.base_url + "/v1/attachments")
        return [a for a in items if isinstance(a, str)]

    async def attachment(self, attachment_id: str) -> bytes:
        """Bytes of a received attachment; its id is `dataMessage.attachments[].id`."""
        return await self._bytes("GET", f"/v1/attachments/{segment(attachment_id)}")

    async def download_attachment(
        self,
        attachment_id: str,
        write: Callable[[bytes], object],
        progress: Callable[[int, int | None], object] | None = None,
    ) -> int:
        """Stream a received attachment into `write` in chunks (bounded memory for any size);
        `progress(done, total)` as it goes. Returns the number of bytes."""
        return await self._stream_to(f"/v1/attachments/{segment(attachment_id)}", write, progress)

    async def delete_attachment(self, attachment_id: str) -> None:
        """Delete after download: nothing else removes attachments from the server."""
        await self._call("DELETE", f"/v1/attachments/{segment(attachment_id)}")

    # --- contacts and profile -----------------------------------------------------------------
    async def contacts(self, number: str, *, all_recipients: bool = False) -> list[Contact]:
        path = f"/v1/contacts/{segment(number)}"
        params = {"all_recipients": "true"} if all_recipients else None
        data = await self._json("GET", path, params=params)
        return [Contact.from_json(c) for c in expect_list(data, self.base_url + path) if c]

    async def contact(self, number: str, uuid: str) -> Contact:
        path = f"/v1/contacts/{segment(number)}/{segment(uuid)}"
        return Contact.from_json(expect_dict(await self._json("GET", path), self.base_url + path))

    async def update_contact(
        self,
        number: str,
        recipient: str,
        *,
        name: str | None = None,
        expiration_in_seconds: int | None = None,
    ) -> None:
        body: dict[str, Any] = {"recipient": recipient}
        if name is not None:
            body["name"] = name
        if expiration_in_seconds is not None:
            body["expiration_in_seconds"] = int(expiration_in_seconds)
        await self._call("PUT", f"/v1/contacts/{segment(number)}", json_body=body)

    async def sync_contacts(self, number: str) -> None:
        """Send contacts to the linked devices (primary device only)."""
        await self._call("POST", f"/v1/contacts/{segment(number)}/sync")

    async def contact_avatar(self, number: str, uuid: str) -> bytes:
        return await self._bytes("GET", f"/v1/contacts/{segment(number)}/{segment(uuid)}/avatar")

    async def update_profile(
        self,
        number: str,
        *,
        name: str,
        about: str | None = None,
        avatar: bytes | RemoveAvatar,
    ) -> None:
        """Update the profile. `avatar` is required on purpose: the server REMOVES the avatar
        whenever the update omits it, so the caller passes the current bytes to keep it, new
        bytes to change it, or REMOVE_AVATAR to delete it."""
        if not name or not name.strip():
            raise InvalidRequest(
                "Couldn't process request - profile name missing", maybe_sent=False
            )
        body: dict[str, Any] = {"name": name}
        if about is not None:
            body["about"] = about
        if isinstance(avatar, RemoveAvatar):
            pass
        elif isinstance(avatar, bytes | bytearray | memoryview) and len(avatar) > 0:
            body["base64_avatar"] = base64.b64encode(bytes(avatar)).decode("ascii")
        else:
            raise InvalidRequest(
                "avatar must be the image bytes (to keep or set it) or REMOVE_AVATAR",
                maybe_sent=False,
            )
        await self._call("PUT", f"/v1/profiles/{segment(number)}", json_body=body)

    # --- identities -----------------------------------------------------------------------------
    async def identities(self, number: str) -> list[Identity]:
        path = f"/v1/identities/{segment(number)}"
        data = await self._json("GET", path)
        return [Identity.from_json(i) for i in expect_list(data, self.base_url + path)]

    async def trust(
        self,
        number: str,
        number_to_trust: str,
        *,
        safety_number: str | None = None,
        trust_all_known_keys: bool = False,
    ) -> None:
        """Trust a changed identity: by the verified safety number (preferred) or all known keys."""
        if bool(safety_number) == bool(trust_all_known_keys):
            raise InvalidRequest(
                "give either a safety number or trust_all_known_keys=True", maybe_sent=False
            )
        body: dict[str, Any] = (
            {"verified_safety_number": "".join(safety_number.split())}
            if safety_number
            else {"trust_all_known_keys": True}
        )
        path = f"/v1/identities/{segment(number)}/trust/{segment(number_to_trust)}"
        await self._call("PUT", path, json_body=body)
