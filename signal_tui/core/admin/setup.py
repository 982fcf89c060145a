"""Account setup without the UI: server diagnosis, choosing/linking/registering an account.

``diagnose`` probes a URL the user typed with plain httpx (not SignalClient) because it must tell
apart things the client folds together: nothing listening, a TLS problem, a reverse proxy that
wants credentials, and a web server that is not signal-cli-rest-api at all (no ``/v1/about`` JSON
with ``versions``).
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from signal_tui.config import Config
from signal_tui.core.errors import ActionError, explain
from signal_tui.files import private_dir, write_private

CAPTCHA_URL = "https://signalcaptchas.org/registration/generate.html"
LINK_URI_LIFETIME = 55.0  # seconds; the phone refuses a link code after about a minute
MODE_NOTES = {
    "json-rpc": "messages arrive at once over a WebSocket",
    "normal": "each request starts signal-cli, so sending can take 10 s or more",
    "native": "each request starts signal-cli (native build); messages are fetched by polling",
}


@dataclass(frozen=True, slots=True)
class Diagnosis:
    ok: bool
    kind: str  # ok | invalid_url | unreachable | timeout | tls | auth_required | not_signal
    message: str
    mode: str | None = None
    version: str | None = None


def _walk(exc: BaseException) -> list[BaseException]:
    out, seen = [], set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out


def _is_tls(exc: BaseException) -> bool:
    for e in _walk(exc):
        if isinstance(e, ssl.SSLError):
            return True
        text = str(e).lower()
        if any(w in text for w in ("certificate", "ssl", "tls", "wrong version number")):
            return True
    return False


async def diagnose(
    url: str,
    *,
    basic_auth: tuple[str, str] | None = None,
    token: str | None = None,
    verify: bool | str = True,
    timeout_s: float = 5.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Diagnosis:
    """Say in plain words whether `url` is a usable signal-cli-rest-api server, and its mode."""
    url = (url or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return Diagnosis(
            False, "invalid_url", "Type the server address with http:// or https://, e.g. "
            "http://localhost:8080",
        )  # fmt: skip
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    auth = httpx.BasicAuth(*basic_auth) if basic_auth else None
    try:
        async with httpx.AsyncClient(
            verify=verify, timeout=timeout_s, transport=transport, auth=auth, headers=headers
        ) as http:
            resp = await http.get(url + "/v1/about")
    except httpx.TimeoutException as exc:
        if isinstance(exc, httpx.ConnectTimeout):
            return Diagnosis(False, "unreachable", f"No answer from {url}: the connection timed "
                             "out. Check the address, the port and any firewall.")  # fmt: skip
        return Diagnosis(False, "timeout", f"{url} accepted the connection but did not answer "
                         f"within {timeout_s:.0f} s.")  # fmt: skip
    except httpx.HTTPError as exc:
        if _is_tls(exc):
            hint = (
                " The server may speak plain HTTP: try http://."
                if "wrong version number" in " ".join(map(str, _walk(exc))).lower()
                else " Check the certificate, or set ca_file / verify_tls in the config."
            )
            return Diagnosis(False, "tls", f"TLS problem talking to {url}.{hint}")
        reason = _reason(exc)
        return Diagnosis(False, "unreachable", f"Cannot reach {url}: {reason}. Is the server "
                         "running, and is the port right?")  # fmt: skip
    if resp.status_code in (401, 403, 407):
        how = "a user name and password" if "basic" in resp.headers.get(
            "www-authenticate", "").lower() else "credentials (user/password or token)"  # fmt: skip
        if basic_auth or token:
            return Diagnosis(False, "auth_required", f"{url} refused the credentials given "
                             f"(HTTP {resp.status_code}).")  # fmt: skip
        return Diagnosis(False, "auth_required", f"{url} asks for {how} (HTTP "
                         f"{resp.status_code}): a reverse proxy guards it. Set auth_user and "
                         "auth_password, or auth_token, in the config.")  # fmt: skip
    try:
        data: Any = resp.json()
    except ValueError:
        data = None
    if resp.status_code != 200 or not isinstance(data, dict) or "versions" not in data:
        extra = ""
        if "https" in resp.text[:500].lower() and parts.scheme == "http":
            extra = " It seems to expect HTTPS: try https://."
        return Diagnosis(False, "not_signal", f"{url} answers (HTTP {resp.status_code}) but is "
                         f"not a signal-cli-rest-api server: /v1/about has no version list.{extra}")  # fmt: skip
    mode = str(data.get("mode") or "") or None
    version = str(data.get("version") or "") or None
    note = MODE_NOTES.get(mode or "", "")
    text = f"Connected to signal-cli-rest-api {version or ''}".rstrip()
    text += f" in {mode} mode" if mode else ""
    text += f" ({note})." if note else "."
    return Diagnosis(True, "ok", text, mode, version)


def _reason(exc: BaseException) -> str:
    chain = _walk(exc)
    if any(isinstance(e, ConnectionRefusedError) or "refused" in str(e).lower() for e in chain):
        return "connection refused"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return "the host name is unknown"
    return _short(exc)


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:160]


async def diagnose_config(config: Config, url: str | None = None) -> Diagnosis:
    """diagnose() with the auth and TLS settings of `config`."""
    basic = None
    try:
        if config.auth_user:
            basic = (config.auth_user, config.password() or "")
        token = config.token()
    except Exception as exc:
        return Diagnosis(False, "auth_required", f"Could not read the secret: {exc}")
    verify: bool | str = config.ca_file or config.verify_tls
    return await diagnose(
        url or config.url or "", basic_auth=basic, token=token, verify=verify,
        timeout_s=min(config.connect_timeout, 10.0),
    )  # fmt: skip


class AccountSetup:
    """Server-side account steps for the setup screen, through SignalClient."""

    def __init__(self, config: Config, client: Any = None) -> None:
        self.config = config
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            from signal_tui.api.client import SignalClient

            self._client = SignalClient.from_config(self.config)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _call(self, action: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        try:
            return await fn(*args, **kw)
        except (ActionError, asyncio.CancelledError):
            raise
        except Exception as exc:
            raise explain(exc, action) from exc

    async def accounts(self) -> list[str]:
        return list(await self._call("accounts", self.client.accounts))

    async def link_uri(self, device_name: str = "signal-tui") -> str:
        return str(await self._call("link", self.client.qrcodelink_uri, device_name))

    async def wait_for_new_account(
        self,
        known: set[str],
        *,
        interval: float = 2.0,
        give_up_after: float | None = None,
        on_poll: Callable[[], None] | None = None,
    ) -> str:
        """Poll /v1/accounts until a number not in `known` appears (linking finished)."""
        deadline = None if give_up_after is None else time.monotonic() + give_up_after
        while True:
            try:
                current = await self.accounts()
            except ActionError:
                current = []
            new = [a for a in current if a not in known]
            if new:
                return new[0]
            if on_poll is not None:
                on_poll()
            if deadline is not None and time.monotonic() > deadline:
                raise ActionError("The phone did not finish linking in time", "timeout")
            await asyncio.sleep(interval)

    async def register(
        self, number: str, *, captcha: str | None = None, voice: bool = False
    ) -> None:
        number = normalise_number(number)
        await self._call(
            "register", self.client.register, number, captcha=captcha or None, use_voice=voice
        )

    async def verify(self, number: str, code: str, pin: str | None = None) -> None:
        code = "".join(ch for ch in code if ch.isalnum())
        if not code:
            raise ActionError("Type the verification code from the SMS or call", "invalid")
        await self._call(
            "verify", self.client.verify, normalise_number(number), code, pin=pin or None
        )


DEVICE_FILE = "device.json"
LINKED_DEVICE_NAME = "signal-tui"


def remember_device(account_dir: Path, *, linked: bool, device_name: str | None = None) -> None:
    """Note how this server got the account: registered here (primary) or linked to a phone.
    The REST API cannot tell which device is "this" one; the devices screen needs it."""
    private_dir(account_dir)
    data = {"linked": linked, "device_name": device_name}
    write_private(account_dir / DEVICE_FILE, json.dumps(data).encode())


def read_device(account_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((Path(account_dir) / DEVICE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def normalise_number(number: str) -> str:
    """'+49 176 1234-567' -> '+491761234567'; a number must start with + and a country code."""
    text = "".join(ch for ch in number.strip() if ch.isdigit() or ch == "+")
    if not text.startswith("+") or len(text) < 8 or "+" in text[1:]:
        raise ActionError(
            "Type the number in international form, starting with + and the country code",
            "invalid",
        )
    return text
