"""SignalClient.from_config: reverse-proxy auth, TLS settings and timeouts from the user's config."""

from __future__ import annotations

import base64
import json
from http import HTTPStatus
from typing import Any

import httpx
import pytest
from websockets.asyncio.server import ServerConnection, serve

from signal_tui.api.client import SignalClient
from signal_tui.api.errors import AuthRequired, UntrustedIdentity, classify_response
from signal_tui.api.receiver import Receiver
from signal_tui.config import Config

NUMBER = "+4917600000000"


def test_basic_auth_from_config_and_secret_hidden():
    client = SignalClient.from_config(
        Config(url="https://signal.example/api", auth_user="me", auth_password="s3cret")
    )
    expected = "Basic " + base64.b64encode(b"me:s3cret").decode()
    assert client.auth_headers() == {"Authorization": expected}
    assert "s3cret" not in repr(client)
    assert client.websocket_url(NUMBER).startswith("wss://signal.example/api/v1/receive/")


def test_token_from_a_command_wins_and_timeouts_carry_over():
    config = Config(
        url="http://h:8080",
        auth_token_command="echo tok-123",
        connect_timeout=3.0,
        request_timeout=140.0,
    )
    client = SignalClient.from_config(config)
    assert client.auth_headers() == {"Authorization": "Bearer tok-123"}
    assert client._http.timeout.connect == 3.0 and client._http.timeout.read == 140.0


def test_missing_url_is_a_clear_error():
    with pytest.raises(ValueError, match="no server URL"):
        SignalClient.from_config(Config())


async def test_auth_header_reaches_http_and_the_websocket_handshake():
    seen: list[str | None] = []

    def process_request(connection: ServerConnection, request: Any) -> Any:
        seen.append(request.headers.get("Authorization"))
        if request.headers.get("Authorization") != "Bearer tok":
            return connection.respond(HTTPStatus.UNAUTHORIZED, "401 Authorization Required")
        if request.path == "/v1/about":
            return connection.respond(HTTPStatus.OK, json.dumps({"mode": "json-rpc"}))
        return None

    async def handler(connection: ServerConnection) -> None:
        await connection.send(json.dumps({"envelope": {"timestamp": 1}, "account": NUMBER}))
        await connection.wait_closed()

    async with serve(handler, "127.0.0.1", 0, process_request=process_request) as server:
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        got: list[dict] = []

        async def on_batch(batch: list[dict]) -> None:
            got.extend(batch)

        async with SignalClient(url, token="tok") as client:
            await Receiver(client, NUMBER, on_batch, idle_exit=0.3).run()
        async with SignalClient(url, token="wrong") as client:
            with pytest.raises(AuthRequired):
                await client.about()
            with pytest.raises(AuthRequired):
                await Receiver(client, NUMBER, on_batch, idle_exit=0.1).run()
    assert got == [{"envelope": {"timestamp": 1}, "account": NUMBER}]
    assert seen[:2] == ["Bearer tok", "Bearer tok"]


def test_0_100_partial_failure_as_400_names_who_failed():
    """0.100 turned a partial failure into a 400 with a strconv.ParseInt text (notes §1)."""
    text = (
        'strconv.ParseInt: parsing "Failed to send (some) messages:\\n+4915112345678: '
        'Untrusted Identity for \\"+4915112345678\\"\\n": invalid syntax'
    )
    exc = classify_response(400, json.dumps({"error": text.replace('\\"', '"')}))
    assert isinstance(exc, UntrustedIdentity)
    assert [f.recipient for f in exc.failures] == ["+4915112345678"]


async def test_http_basic_auth_header_is_sent():
    captured: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        captured.append(request)
        return httpx.Response(200, json=[NUMBER])

    client = SignalClient("http://h", basic_auth=("u", "p"), transport=httpx.MockTransport(handler))
    async with client:
        assert await client.accounts() == [NUMBER]
    assert captured[0].headers["Authorization"] == "Basic " + base64.b64encode(b"u:p").decode()
