"""Property tests for the simulator's parsers (data URIs, Go base64, group ids, styled text)."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signal_tui.simulator.util import (
    ApiError,
    classify,
    go_b64decode,
    group_id_from_internal,
    internal_from_group_id,
    parse_attachment,
    parse_styled,
    utf16_len,
)

names = st.text(
    alphabet=st.characters(blacklist_characters=";/", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=20,
)


@given(data=st.binary(min_size=1, max_size=300), name=names)
def test_data_uri_round_trip(data: bytes, name: str) -> None:
    b64 = base64.b64encode(data).decode()
    parsed = parse_attachment(f"data:image/png;filename={name};base64,{b64}")
    assert (parsed.filename, parsed.data) == (name, data)
    assert parse_attachment(b64).data == data  # raw base64 without a data URI


@given(data=st.binary(min_size=1, max_size=100))
def test_payload_is_after_the_last_base64_marker(data: bytes) -> None:
    b64 = base64.b64encode(data).decode()
    assert parse_attachment(f"data:text/plain;filename=base64,x;base64,{b64}").data == data


@given(data=st.binary(min_size=1, max_size=100))
def test_url_safe_or_unpadded_base64_fails_like_go(data: bytes) -> None:
    std = base64.b64encode(data).decode()
    urlsafe = base64.urlsafe_b64encode(data).decode()
    if urlsafe != std:
        with pytest.raises(ApiError):
            go_b64decode(urlsafe)
    if std.endswith("="):
        with pytest.raises(ApiError):
            go_b64decode(std.rstrip("="))
    assert go_b64decode(std[:10] + "\n" + std[10:]) == data  # newlines are ignored


@given(raw=st.binary(min_size=32, max_size=32))
def test_group_ids_round_trip_and_classify(raw: bytes) -> None:
    internal = base64.b64encode(raw).decode()
    gid = group_id_from_internal(internal)
    assert internal_from_group_id(gid) == internal
    assert classify(gid).kind == "group" and classify(gid).value == internal
    assert classify(internal).kind == "username"  # an internal id is not a recipient


@given(raw=st.binary(min_size=0, max_size=64).filter(lambda b: len(b) != 32))
def test_wrong_group_size_is_rejected(raw: bytes) -> None:
    with pytest.raises(ApiError):
        internal_from_group_id(group_id_from_internal(base64.b64encode(raw).decode()))


def test_recipient_classification() -> None:
    assert classify("+49 151 234").value == "+49151234"
    assert classify("4912345").kind == "username"
    assert classify("PNI:0f0e0d0c-0b0a-4908-8706-050403020100").kind == "username"
    assert classify("0F0E0D0C-0B0A-4908-8706-050403020100").kind == "number"


plain = st.text(
    alphabet=st.characters(blacklist_characters="*~`|\\", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=12,
)


@given(before=plain, inner=plain, after=plain, marker=st.sampled_from(["**", "*", "~", "`", "||"]))
def test_styled_text_offsets_are_utf16(before: str, inner: str, after: str, marker: str) -> None:
    text, styles = parse_styled(f"{before}{marker}{inner}{marker}{after}")
    assert text == before + inner + after
    style = {"**": "BOLD", "*": "ITALIC", "~": "STRIKETHROUGH", "`": "MONOSPACE", "||": "SPOILER"}[
        marker
    ]
    assert styles == [{"style": style, "start": utf16_len(before), "length": utf16_len(inner)}]


def test_styled_escapes_and_unpaired_markers() -> None:
    assert parse_styled(r"2 \* 3 = 6") == ("2 * 3 = 6", [])
    assert parse_styled("a * b") == ("a * b", [])
    assert parse_styled("😀 **b**")[1] == [{"style": "BOLD", "start": 3, "length": 1}]
