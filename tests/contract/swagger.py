"""Validate requests and responses against the real server's swagger (2.0) with jsonschema.

Where the real server deviates from its swagger (documented in tests/data/rest-api-notes.md),
callers pass `deviations=True`-style overrides explicitly, so every deviation is visible in a test.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

_CANDIDATES = [
    Path(__file__).resolve().parents[3]
    / "shared"
    / "reference"
    / "signal-cli-rest-api.swagger.json",
    Path(__file__).resolve().parents[1] / "data" / "signal-cli-rest-api.swagger.json",
]


@cache
def spec() -> dict[str, Any]:
    for path in _CANDIDATES:
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError("signal-cli-rest-api.swagger.json not found")


def _nullable(schema: Any) -> Any:
    """Envelopes and entries carry JSON null for absent values (Jackson): allow null everywhere."""
    if isinstance(schema, dict):
        out = {k: _nullable(v) for k, v in schema.items()}
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(schema, list):
        return [_nullable(v) for v in schema]
    return schema


def _validator(schema: dict[str, Any], nullable: bool) -> jsonschema.Draft4Validator:
    definitions = spec()["definitions"]
    if nullable:
        schema, definitions = _nullable(schema), _nullable(definitions)
    root = {**copy.deepcopy(schema), "definitions": definitions}
    return jsonschema.Draft4Validator(root)


def definition(name: str) -> dict[str, Any]:
    return {"$ref": f"#/definitions/{name}"}


def match_path(path: str) -> str:
    """Map a concrete path (`/v1/groups/+1/group.abc`) to its swagger template."""
    path = path.split("?", 1)[0]
    best = None
    for template in spec()["paths"]:
        pattern = (
            "^"
            + re.sub(
                r"\{[^/]+\}", "[^/]+", re.escape(template).replace(r"\{", "{").replace(r"\}", "}")
            )
            + "$"
        )
        if re.match(pattern, path):
            # prefer the template with the most literal segments
            literal = sum(1 for seg in template.split("/") if not seg.startswith("{"))
            if best is None or literal > best[0]:
                best = (literal, template)
    if best is None:
        raise KeyError(f"no swagger path for {path}")
    return best[1]


def operation(method: str, path: str) -> dict[str, Any]:
    return spec()["paths"][match_path(path)][method.lower()]


def response_schema(method: str, path: str, status: int) -> dict[str, Any] | None:
    """The documented schema for that status, or None when the swagger documents no body."""
    responses = operation(method, path)["responses"]
    entry = responses.get(str(status))
    if entry is None:
        raise AssertionError(
            f"{method} {path}: status {status} is not documented ({sorted(responses)})"
        )
    return entry.get("schema")


def body_schema(method: str, path: str) -> dict[str, Any] | None:
    for param in operation(method, path).get("parameters", []):
        if param.get("in") == "body":
            return param["schema"]
    return None


def validate(instance: Any, schema: dict[str, Any], *, nullable: bool = False) -> None:
    """Raise jsonschema.ValidationError when `instance` does not fit `schema`."""
    _validator(schema, nullable).validate(instance)


def validate_response(
    method: str, path: str, status: int, body: Any, *, nullable: bool = True
) -> None:
    schema = response_schema(method, path, status)
    if schema is not None:
        validate(body, schema, nullable=nullable)


def validate_request(method: str, path: str, body: Any) -> None:
    schema = body_schema(method, path)
    assert schema is not None, f"{method} {path} takes no body in the swagger"
    validate(body, schema)
