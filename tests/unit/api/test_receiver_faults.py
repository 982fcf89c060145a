"""Receiver under the soak's faults (issue 12): what tests/e2e/test_soak_e2e.py found, pinned.

- A WebSocket handshake refused with an error page (a reverse proxy's 500/502 HTML) ended
  receiving for good: websockets hands the body over as a bytearray, classifying it raised
  TypeError outside the receive loop's error handling, and `run()` died with it.
- Error pages and garbled JSON reached the status line verbatim ("reconnecting in 1 s:
  <!DOCTYPE html><html>…", "Unexpected answer from the server: {"versions":…").
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any

import httpx
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import InvalidStatus
from websockets.http11 import Response

from signal_tui.api.client import SignalClient
from signal_tui.api.errors import ProtocolError, classify_response
from signal_tui.api.models import ReceiverState
from signal_tui.api.receiver import Receiver, _ws_error

NUMBER = "+4917600000000"
HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body></html>"
)


def _looks_raw(text: str) -> bool:
    lower = text.lower()
    return any(bad in lower for bad in ("<html", "<!doctype", "<title", '{"', "traceback"))


async def test_a_handshake_refused_with_an_html_page_does_not_end_receiving() -> None:
    refusals = {"left": 3}
    connected = asyncio.Event()

    def process_request(connection: ServerConnection, request: Any) -> Any:
        if request.path == "/v1/about":
            return connection.respond(HTTPStatus.OK, json.dumps({"mode": "json-rpc"}))
        if refusals["left"] > 0:
            refusals["left"] -= 1
            response = connection.respond(HTTPStatus.BAD_GATEWAY, HTML_502)
            response.headers["Content-Type"] = "text/html"
            return response
        return None

    async def handler(connection: ServerConnection) -> None:
        connected.set()
        await connection.wait_closed()

    states: list[ReceiverState] = []

    async def on_batch(batch: list[dict]) -> None:  # pragma: no cover - nothing is sent
        pass

    async with serve(handler, "127.0.0.1", 0, process_request=process_request) as srv:
        url = f"http://127.0.0.1:{srv.sockets[0].getsockname()[1]}"
        async with SignalClient(url) as client:
            receiver = Receiver(
                client, NUMBER, on_batch, states.append, backoff_base=0.01, backoff_max=0.05
            )
            task = asyncio.create_task(receiver.run())
            try:
                await asyncio.wait_for(connected.wait(), 5)
                assert not task.done(), task.exception()
            finally:
                receiver.stop()
                await asyncio.wait_for(task, 5)
    errors = [s.error or "" for s in states if s.state == "reconnecting"]
    assert len(errors) == 3
    assert all("502" in e and "Bad Gateway" in e and not _looks_raw(e) for e in errors), errors


def test_describing_a_handshake_failure_never_raises() -> None:
    body = bytearray(HTML_502.encode())  # what websockets 13+ gives
    exc = InvalidStatus(Response(502, "Bad Gateway", Headers(), body))
    error = _ws_error(exc, None)
    assert error.status == 502
    assert error.user_message().startswith("The server answered 502 with a web page")
    assert _ws_error(InvalidStatus(Response(200, "OK", Headers(), b"[]")), None).kind == (
        ProtocolError.kind
    )


def test_error_pages_and_garbled_json_are_described_not_quoted() -> None:
    page = classify_response(500, b"<!DOCTYPE html><html><head><title>Oops</title></head></html>")
    assert page.user_message() == (
        'The server answered 500 with a web page ("Oops") instead of signal-cli-rest-api\'s '
        "answer: a reverse proxy in front of it, or the server is not running."
    )
    cut = ProtocolError('{"versions":["v1","v2"],"build":2,"mo', status=200)
    assert cut.user_message() == (
        "Unexpected answer from the server: it is not valid JSON (cut off or garbled)."
    )
    stray = ProtocolError("receive answer is not JSON (ERROR App - Exception in thread main)")
    assert "Exception in thread main" in stray.user_message()  # prose is worth showing
    bell = ProtocolError("bell \x07 and \x1b[2J").user_message()
    assert bell == ProtocolError("bell  and [2J").user_message()


def test_every_error_reads_a_page_as_a_sentence_not_only_the_receivers() -> None:
    """A send, an admin call or `signal-tui send` meets the same proxy page: the error itself
    says it in a sentence (the receiver used to be the only place that did)."""
    for body in (HTML_502.encode(), bytearray(HTML_502.encode()), memoryview(HTML_502.encode())):
        error = classify_response(502, body, url="http://x/v2/send")
        assert str(error) == error.user_message()
        assert error.user_message().startswith("The server answered 502 with a web page")
        assert "<" not in error.user_message()


async def test_poll_mode_error_pages_and_cut_off_json_reach_the_state_as_sentences() -> None:
    answers: list[httpx.Response] = [
        httpx.Response(502, text=HTML_502, headers={"Content-Type": "text/html"}),
        httpx.Response(200, content=b'{"versions":["v1","v2"],"build":2,"mode":"norm'),
    ]

    def serve_http(request: httpx.Request) -> httpx.Response:
        if answers:
            return answers.pop(0)
        if request.url.path == "/v1/about":
            return httpx.Response(200, json={"mode": "normal"})
        return httpx.Response(200, content=b"[]")

    states: list[ReceiverState] = []

    async def on_batch(batch: list[dict]) -> None:  # pragma: no cover - nothing is sent
        pass

    transport = httpx.MockTransport(serve_http)
    async with SignalClient("http://sim", transport=transport) as client:
        receiver = Receiver(client, NUMBER, on_batch, states.append, backoff_base=0.01)
        task = asyncio.create_task(receiver.run())
        for _ in range(200):
            if any(s.state == "connected" for s in states):
                break
            await asyncio.sleep(0.01)
        receiver.stop()
        await asyncio.wait_for(task, 5)
    errors = [s.error or "" for s in states if s.state == "reconnecting"]
    assert len(errors) == 2, states
    assert not any(_looks_raw(e) for e in errors), errors
    assert any(s.state == "connected" for s in states)
