"""HTTP plumbing shared by the route modules: gin-like responses, errors and body binding."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from signal_tui.simulator.util import INVALID_REQUEST, ApiError, bad

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def json_response(data: Any, status: int = 200) -> web.Response:
    """gin `c.JSON`: compact JSON, `application/json; charset=utf-8`."""
    return web.Response(
        status=status,
        body=json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        content_type="application/json",
        charset="utf-8",
    )


def empty(status: int) -> web.Response:
    return web.Response(status=status)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """ApiError -> `{"error": ...}`; unknown route or wrong method -> gin's plain-text 404."""
    try:
        return await handler(request)
    except ApiError as exc:
        if exc.raw is not None:
            return web.Response(
                status=exc.status, text=exc.raw, content_type="text/plain", charset="utf-8"
            )
        return json_response({"error": exc.text, **exc.extra}, exc.status)
    except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
        return web.Response(
            status=404, text="404 page not found", content_type="text/plain", charset="utf-8"
        )


async def read_body(request: web.Request, *, required: bool = True) -> dict[str, Any]:
    """gin `BindJSON`: a missing or malformed body is 400 "invalid request"."""
    raw = await request.read()
    if not raw.strip():
        if required:
            raise bad(INVALID_REQUEST)
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise bad(INVALID_REQUEST) from None
    if not isinstance(data, dict):
        raise bad(INVALID_REQUEST)
    return data


_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "bool": (bool,),
    "list": (list,),
    "dict": (dict,),
}


def get(data: dict[str, Any], key: str, kind: str, default: Any = None) -> Any:
    """A typed field; a wrong JSON type is what gin's binding rejects as an invalid request."""
    value = data.get(key)
    if value is None:
        return default
    ok = isinstance(value, _TYPES[kind])
    if kind == "int" and isinstance(value, bool):
        ok = False
    if kind == "int" and isinstance(value, float) and value.is_integer():
        return int(value)
    if not ok:
        raise bad(INVALID_REQUEST)
    if kind == "list" and not all(isinstance(v, (str, int, dict)) for v in value):
        raise bad(INVALID_REQUEST)
    return value


def number_param(request: web.Request) -> str:
    """`{number}` after `url.PathUnescape` (aiohttp already decoded `%2B`)."""
    return request.match_info["number"]
