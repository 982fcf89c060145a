"""Hypothesis strategies for receive items, built from the swagger `receive.*` definitions.

hypothesis-jsonschema is not available, so this is a small builder: every object property is
optional, `$ref`s recurse (depth-limited), and leaves mix realistic values with hostile ones
(markup, escape sequences, `../` names, 200 KB texts, absurd and overflowing integers, wrong
types). Addresses and timestamps come from small pools so actions hit their targets, collide
and get redelivered.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from .envelopes import ALICE, ALICE_UUID, BOB, BOB_UUID, GROUP_INTERNAL, ME, ME_UUID

SWAGGER = Path(__file__).resolve().parents[2] / "data" / "signal-cli-rest-api.swagger.json"
DEFS: dict[str, Any] = json.loads(SWAGGER.read_text(encoding="utf-8"))["definitions"]
CONTENT = ["dataMessage", "editMessage", "syncMessage", "receiptMessage", "typingMessage",
           "callMessage", "storyMessage"]  # fmt: skip

HOSTILE_TEXT = st.sampled_from(
    [
        "", "[bold red]Mallory[/]", "\x1b[31mred\x1b]0;pwned\x07", "\u202egnp.exe", "\x00\x01\x7f",
        "../../../../etc/passwd", "..\\..\\windows\\system32", "/abs/path", "CON", ".hidden",
        "👍", "\ufffc", "' OR 1=1 --", '"quoted" AND NEAR(', "group.", "PNI:abc",
    ]
)  # fmt: skip
BIG_TEXT = st.builds(lambda n: "x" * n, st.sampled_from([200_000]))  # a 200 KB body
TEXT = st.one_of(HOSTILE_TEXT, st.text(max_size=30))
UUIDS = st.sampled_from([ALICE_UUID, BOB_UUID, ME_UUID, ALICE_UUID.upper(), "not-a-uuid"])
NUMBERS = st.sampled_from([ALICE, BOB, ME, "+49 151 12345678", "4912345", "alice.42"])
TIMESTAMPS = st.one_of(
    st.sampled_from([1000, 1001, 1002, 1755000000000]),
    st.sampled_from([-1, 0, 2**63, 2**64 + 5, -(2**70), 253402300800000, 10**30]),
    st.integers(min_value=990, max_value=1010),
)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _leaf(name: str, schema: dict) -> st.SearchStrategy:
    kind = schema.get("type")
    low = name.lower()
    if "enum" in schema:
        return st.sampled_from(schema["enum"]) | TEXT
    if kind == "string":
        if low.endswith("uuid"):
            return UUIDS
        if low.endswith("number") or low in {"source", "author", "targetauthor", "destination",
                                              "sender", "name"}:  # fmt: skip
            return NUMBERS | UUIDS | TEXT
        if low in {"message", "text"}:
            return TEXT | BIG_TEXT
        if low == "groupid":
            return st.sampled_from([GROUP_INTERNAL, "group.QUJD", "ééé"]) | TEXT
        if low == "contenttype":
            return st.sampled_from(["image/jpeg", "text/x-signal-plain", "application/pdf"]) | TEXT
        if low == "action":
            return st.sampled_from(["STARTED", "STOPPED"]) | TEXT
        if low == "emoji":
            return st.sampled_from(["👍", "❤️"]) | TEXT
        return TEXT
    if kind == "integer":
        if "timestamp" in low or low in {"id", "when"}:
            return TIMESTAMPS
        return st.integers(min_value=-5, max_value=5) | st.sampled_from([2**63, -(2**63) - 1])
    if kind == "number":
        return st.floats(allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    return ANY_JSON


def from_schema(schema: dict, name: str = "", depth: int = 0) -> st.SearchStrategy:
    if "$ref" in schema:
        ref = schema["$ref"].rsplit("/", 1)[-1]
        if depth > 4:
            return st.fixed_dictionaries({})
        return st.deferred(lambda: from_schema(DEFS[ref], name, depth + 1))
    if schema.get("type") == "array":
        items = from_schema(schema.get("items", {}), name, depth + 1)
        return st.lists(items, max_size=3)
    if schema.get("type") == "object" or "properties" in schema:
        props = {
            key: from_schema(sub, key, depth + 1)
            for key, sub in schema.get("properties", {}).items()
        }
        return st.fixed_dictionaries({}, optional=props)
    strategy = _leaf(name, schema)
    # now and then a wrongly typed value
    return st.one_of(strategy, strategy, strategy, strategy, ANY_JSON)


def receive_items() -> st.SearchStrategy:
    """`{"envelope": ..., "account": ...}` items (sometimes with an `exception`, sometimes junk)."""
    env_schema = DEFS["receive.MessageEnvelope"]
    required = {"timestamp", "sourceUuid", "sourceNumber"}
    base_props = {
        k: v for k, v in env_schema["properties"].items() if k not in CONTENT and k not in required
    }
    base = st.fixed_dictionaries(
        {"timestamp": TIMESTAMPS, "sourceUuid": UUIDS, "sourceNumber": NUMBERS},
        optional={k: from_schema(v, k) for k, v in base_props.items()},
    )
    content = st.sampled_from([*CONTENT, None, "unknownMessage"])

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        env = dict(draw(base))
        key = draw(content)
        if key in env_schema["properties"]:
            env[key] = draw(from_schema(env_schema["properties"][key], key))
        elif key is not None:
            env[key] = draw(ANY_JSON)
        out: dict[str, Any] = {"envelope": env, "account": ME}
        if draw(st.integers(0, 9)) == 0:
            out["exception"] = draw(from_schema(DEFS["receive.Error"]))
        return out

    return st.one_of(build(), build(), build(), build(), build(), build(), ANY_JSON)
