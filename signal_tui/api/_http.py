"""HTTP plumbing shared by the client's endpoint groups: one httpx.AsyncClient, error mapping.

Every call goes through `_request`, so that transport failures and non-2xx answers become typed
`SignalApiError`s in exactly one place, with `maybe_sent` set from what httpx tells us about how far
the request got (refused / DNS / connect timeout: never sent; anything later: maybe sent).
"""

from __future__ import annotations

import base64
import json
import socket
import ssl
from collections.abc import Callable
from typing import Any, Self
from urllib.parse import quote

import httpx

from signal_tui.api.errors import (
    InvalidRequest,
    ProtocolError,
    SignalApiError,
    TimedOut,
    Unreachable,
    classify_response,
)


def segment(value: str) -> str:
    """One URL path segment: `+` -> %2B, `/` and `?` can never break out of it."""
    value = str(value)
    if value in ("", ".", ".."):
        raise InvalidRequest(f"invalid path value {value!r}", maybe_sent=False)
    return quote(value, safe="=@")


def ssl_context(verify: bool | str) -> ssl.SSLContext:
    """An SSLContext for `verify` (True: system CAs, False: no checks, str: a CA bundle file)."""
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    ctx = ssl.create_default_context()
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _reason(exc: BaseException) -> str:
    """A short human reason from an httpx transport exception (refused, DNS, TLS...)."""
    seen: BaseException | None = exc
    for _ in range(8):  # the OS error hides in the cause chain
        if seen is None:
            break
        if isinstance(seen, ssl.SSLCertVerificationError):
            return f"TLS certificate not trusted ({seen.verify_message or seen})"
        if isinstance(seen, ssl.SSLError):
            return f"TLS problem ({seen.reason or seen})"
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, socket.gaierror):
            return "unknown host name"
        if isinstance(seen, ConnectionResetError):
            return "connection reset"
        seen = seen.__cause__ or seen.__context__
    text = str(exc) or type(exc).__name__
    lower = text.lower()
    if "certificate" in lower or "ssl" in lower or "tls" in lower:
        return f"TLS problem ({text})"
    if "refused" in lower or "all connection attempts failed" in lower:
        return "connection refused"
    if "name or service not known" in lower or "nodename nor servname" in lower:
        return "unknown host name"
    if "temporary failure in name resolution" in lower or "getaddrinfo" in lower:
        return "host name could not be resolved"
    return text


class HttpBase:
    """Owns the httpx client; endpoint mixins call `_request` / `_json` / `_bytes`."""

    def __init__(
        self,
        base_url: str,
        *,
        basic_auth: tuple[str, str] | None = None,
        token: str | None = None,
        verify: bool | str = True,
        connect_timeout: float = 10.0,
        timeout: float = 135.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.tls_verify = verify  # (`verify` is the registration call)
        self.timeout = timeout
        self._basic_auth = basic_auth
        self._token = token
        headers = {"Accept": "application/json"}
        headers.update(self.auth_headers())
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            verify=ssl_context(verify) if isinstance(verify, str) else verify,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            transport=transport,
            follow_redirects=False,
        )

    # --- lifecycle --------------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def auth_headers(self) -> dict[str, str]:
        """Headers a reverse proxy wants (also used for the WebSocket handshake)."""
        if self._token:
            return {"Authorization": f"Bearer {self._token}"}
        if self._basic_auth:
            user, password = self._basic_auth
            raw = f"{user}:{password}".encode()
            return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}
        return {}

    def __repr__(self) -> str:  # never show credentials
        return f"{type(self).__name__}({self.base_url!r})"

    # --- requests ---------------------------------------------------------------------------
    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json_body: Any = None,
        read_timeout: float | None = None,
    ) -> httpx.Response:
        url = self.base_url + path
        kwargs: dict[str, Any] = {}
        if params is not None:
            kwargs["params"] = params
        if json_body is not None:
            kwargs["content"] = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            kwargs["headers"] = {"Content-Type": "application/json"}
        if read_timeout is not None:
            kwargs["timeout"] = httpx.Timeout(read_timeout, connect=self._http.timeout.connect)
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, url) from exc
        if response.status_code >= 400 or response.status_code < 200:
            raise classify_response(response.status_code, response.content, url=url)
        if 300 <= response.status_code < 400:
            raise ProtocolError(
                f"redirect {response.status_code} to {response.headers.get('location', '?')}",
                status=response.status_code,
                url=url,
            )
        return response

    async def _call(self, method: str, path: str, **kwargs: Any) -> None:
        """A request whose success body does not matter (204, or 201/200 with nothing useful)."""
        await self._request(method, path, **kwargs)

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._request(method, path, **kwargs)
        return parse_json(response, self.base_url + path)

    def _transport_error(self, exc: httpx.HTTPError, url: str) -> SignalApiError:
        """A transport failure as the typed error the rest of the client expects."""
        if isinstance(exc, httpx.ConnectTimeout):
            return Unreachable("connection timed out", url=self.base_url, maybe_sent=False)
        if isinstance(exc, httpx.PoolTimeout):
            return TimedOut("too many requests at once", url=url, maybe_sent=False)
        if isinstance(exc, httpx.TimeoutException):  # read/write timeout: the server may have acted
            return TimedOut("no answer in time", url=url, maybe_sent=True)
        if isinstance(exc, httpx.ConnectError):
            return Unreachable(_reason(exc), url=self.base_url, maybe_sent=False)
        if isinstance(exc, httpx.UnsupportedProtocol):
            return Unreachable(f"unsupported URL ({exc})", url=self.base_url, maybe_sent=False)
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
            return Unreachable(
                f"connection lost ({_reason(exc)})", url=self.base_url, maybe_sent=True
            )
        return Unreachable(_reason(exc), url=self.base_url, maybe_sent=True)

    async def _stream_to(
        self,
        path: str,
        write: Callable[[bytes], object],
        progress: Callable[[int, int | None], object] | None = None,
    ) -> int:
        """GET `path` in chunks into `write` (memory stays bounded, whatever the size); calls
        `progress(done, total)` as it goes (total from Content-Length, or None). Returns the size."""
        url = self.base_url + path
        done = 0
        try:
            async with self._http.stream("GET", path) as response:
                if response.status_code >= 400 or response.status_code < 200:
                    body = await response.aread()
                    raise classify_response(response.status_code, body, url=url)
                length = response.headers.get("content-length")
                total = int(length) if length and length.isdigit() else None
                async for chunk in response.aiter_bytes(1 << 16):
                    write(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(done, total)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, url) from exc
        return done

    async def _bytes(self, method: str, path: str, **kwargs: Any) -> bytes:
        response = await self._request(method, path, **kwargs)
        return response.content


def parse_json(response: httpx.Response, url: str) -> Any:
    """JSON of a success body whatever its Content-Type; garbage is a ProtocolError."""
    body = response.content
    try:
        return json.loads(body.decode("utf-8")) if body.strip() else None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(
            body[:300].decode("utf-8", "replace"), status=response.status_code, url=url
        ) from exc


def expect_list(data: Any, url: str) -> list[Any]:
    if data is None:
        return []
    if not isinstance(data, list):
        raise ProtocolError(f"expected a list, got {type(data).__name__}", url=url)
    return data


def expect_dict(data: Any, url: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ProtocolError(f"expected an object, got {type(data).__name__}", url=url)
    return data


__all__ = ["HttpBase", "SignalApiError", "expect_dict", "expect_list", "parse_json", "segment"]
