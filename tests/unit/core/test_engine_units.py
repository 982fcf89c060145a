"""Unit-level behaviour of the engine's pure parts (no server, no store)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signal_tui.cli import headless
from signal_tui.cli.export import md_escape
from signal_tui.config import Config
from signal_tui.core.outbox import Failure, Outbox
from signal_tui.core.outbox_support import read_attachment
from signal_tui.store.models import Attachment, Message

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _msg(**kw: object) -> Message:
    base: dict[str, object] = {
        "id": 1,
        "conversation_id": 1,
        "author_id": 2,
        "author_name": "Alice",
        "sent_ts": 1_760_000_000_000,
        "received_ts": 1_760_000_000_100,
        "body": "hi",
    }
    base.update(kw)
    return Message(**base)  # type: ignore[arg-type]


@given(st.text())
def test_markdown_export_never_lets_text_become_formatting(text: str) -> None:
    escaped = md_escape(text)
    assert not _CONTROL.search(escaped)
    # every special character is preceded by a backslash
    unescaped = re.sub(r"\\(.)", "", escaped)
    assert not re.search(r"[`*_\[\]<>#|~]", unescaped)


@given(st.text(), st.text())
def test_printed_lines_are_single_clean_lines(body: str, name: str) -> None:
    line = headless._format_message(_msg(body=body, author_name=name), name, as_json=False)
    assert "\n" not in line and "\r" not in line
    assert not _CONTROL.search(line)


def test_printed_line_mentions_attachments_and_deletion() -> None:
    att = Attachment(1, "x", "image/png", "cat.png")
    line = headless._format_message(_msg(attachments=(att,)), "Alice", as_json=False)
    assert "cat.png" in line
    gone = headless._format_message(_msg(deleted=True), "Family", as_json=False)
    assert "deleted" in gone and "[Family] Alice" in gone


def test_absurd_timestamp_prints() -> None:
    line = headless._format_message(_msg(sent_ts=2**62), "A", as_json=False)
    assert line.startswith("????")


def test_failure_round_trips_through_json() -> None:
    f = Failure("rate_limited", "Solve a captcha.", ("+1555",), ("tok-1",))
    assert Failure.from_dict(f.to_dict()) == f
    assert Failure.from_dict({"nonsense": 1}) is None
    assert Failure.from_dict(None) is None


def test_exit_status_summarises_outcomes() -> None:
    sent, failed, unknown, queued = (
        _msg(id=i, status=s, outgoing=True)
        for i, s in enumerate(["sent", "failed", "unknown", "queued"])
    )
    assert headless._report({1: sent}) == headless.EXIT_SENT
    assert headless._report({1: sent, 2: failed}) == headless.EXIT_FAILED
    assert headless._report({1: unknown}) == headless.EXIT_UNKNOWN
    assert headless._report({1: queued}) == headless.EXIT_QUEUED


@pytest.mark.parametrize(
    ("cmd", "kwargs"),
    [
        (headless.receive_cmd, {"follow": False, "as_json": False}),
        (headless.send_cmd, {"to": ["+15551234567"], "attach": [], "text": "x"}),
    ],
)
async def test_missing_url_is_named(cmd, kwargs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(headless.HeadlessError, match="url"):
        await cmd(Config(account="+15550000001", data_dir=tmp_path), **kwargs)
    with pytest.raises(headless.HeadlessError, match="account"):
        await cmd(Config(url="http://127.0.0.1:9", data_dir=tmp_path), **kwargs)


async def test_stats_without_account_is_named(tmp_path: Path) -> None:
    with pytest.raises(headless.HeadlessError, match="account"):
        await headless.stats_cmd(Config(data_dir=tmp_path), as_json=True)


def test_attachment_read_at_send_time_keeps_name_and_type(tmp_path: Path) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("abc")
    att = read_attachment({"path": str(f)})
    assert (att.filename, att.data, att.content_type) == ("notes.txt", b"abc", "text/plain")
    f.unlink()
    with pytest.raises(OSError):
        read_attachment({"path": str(f)})


class _TypingClient:
    """Records typing calls: the indicator is ephemeral and never touches the store."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []

    async def typing(self, number: str, recipient: str, *, started: bool) -> None:
        self.calls.append((recipient, started))


async def test_typing_indicators_are_rate_limited() -> None:
    client = _TypingClient()
    outbox = Outbox(None, client, "+15550000001", min_interval=0)
    for _ in range(20):  # a keystroke each
        outbox.typing("+15557000001", True)
    outbox.typing("+15557000001", False)
    outbox.typing("+15557000001", False)  # nothing to stop any more
    await asyncio.sleep(0.05)
    assert client.calls == [("+15557000001", True), ("+15557000001", False)]
