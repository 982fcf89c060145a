"""Server diagnosis says plainly what is wrong with a URL, against real loopback servers."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import web

from signal_tui.core.admin.setup import ActionError, diagnose, normalise_number


async def _serve(handler: Callable[[web.Request], web.StreamResponse]) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


@pytest.fixture
async def server() -> AsyncIterator[Callable[..., object]]:
    runners: list[web.AppRunner] = []

    async def start(handler: Callable[[web.Request], web.StreamResponse]) -> str:
        runner, url = await _serve(handler)
        runners.append(runner)
        return url

    yield start
    for r in runners:
        await r.cleanup()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_nothing_listening_is_unreachable() -> None:
    d = await diagnose(f"http://127.0.0.1:{_free_port()}")
    assert (d.ok, d.kind) == (False, "unreachable")
    assert "refused" in d.message


async def test_a_typo_in_the_url_is_explained() -> None:
    d = await diagnose("localhost:8080")
    assert d.kind == "invalid_url" and "http://" in d.message


async def test_a_web_server_that_is_not_signal(server) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=404, text="404 page not found")

    url = await server(handler)
    d = await diagnose(url)
    assert d.kind == "not_signal" and "not a signal-cli-rest-api" in d.message


async def test_html_200_is_not_signal(server) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text="<html>router login</html>", content_type="text/html")

    d = await diagnose(await server(handler))
    assert d.kind == "not_signal"


async def test_reverse_proxy_asking_for_a_password(server) -> None:
    async def handler(request: web.Request) -> web.Response:
        if request.headers.get("Authorization", "").startswith("Basic "):
            return web.json_response({"versions": ["v1", "v2"], "mode": "normal"})
        return web.Response(status=401, headers={"WWW-Authenticate": 'Basic realm="signal"'})

    url = await server(handler)
    d = await diagnose(url)
    assert d.kind == "auth_required" and "user name and password" in d.message
    ok = await diagnose(url, basic_auth=("me", "secret"))
    assert ok.ok and ok.mode == "normal" and "10 s" in ok.message


async def test_https_against_plain_http_is_a_tls_problem(server) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"versions": ["v1"]})

    url = await server(handler)
    d = await diagnose(url.replace("http://", "https://"))
    assert d.kind == "tls" and "TLS" in d.message


async def test_signal_server_reports_its_mode(server) -> None:
    async def handler(request: web.Request) -> web.Response:
        assert request.path == "/v1/about"
        return web.json_response(
            {"versions": ["v1", "v2"], "build": 2, "mode": "json-rpc", "version": "0.100"}
        )

    d = await diagnose(await server(handler) + "/")
    assert d.ok and d.mode == "json-rpc" and d.version == "0.100"
    assert "WebSocket" in d.message


def test_numbers_are_normalised_or_refused() -> None:
    assert normalise_number(" +49 176 1234-567 ") == "+491761234567"
    with pytest.raises(ActionError):
        normalise_number("0176 1234567")


async def test_the_simulator_is_recognised_with_its_mode() -> None:
    from signal_tui.simulator.server import Simulator

    for mode in ("json-rpc", "normal"):
        sim = Simulator(mode=mode, scenario="empty", trickle=False)
        url = await sim.start()
        try:
            d = await diagnose(url)
        finally:
            await sim.stop()
        assert d.ok and d.mode == mode
