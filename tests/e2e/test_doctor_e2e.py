"""A damaged cache: a clear sentence instead of a traceback, `doctor` reports it, the damaged
file is kept aside (never deleted), and the cache is rebuilt from the envelopes it still holds."""

from __future__ import annotations

import io
import re
import sqlite3
from pathlib import Path

import pytest

from signal_tui.cli import headless
from signal_tui.config import Config
from signal_tui.core.session import Session, SessionError
from tests.e2e.envelopes import burst

ACCOUNT = "+15550000001"


async def _cache(tmp_path: Path, n: int = 300) -> tuple[Config, Path]:
    config = Config(url="http://127.0.0.1:9", account=ACCOUNT, data_dir=tmp_path / "data")
    async with Session(config) as session:
        assert session.store is not None
        await session.store.ingest_batch(burst(ACCOUNT, n))
        path = session.cache_path
    return config, path


def _truncate(path: Path, size: int) -> None:
    with path.open("r+b") as f:
        f.truncate(size)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def _doctor(config: Config, **kw: bool) -> tuple[int, str]:
    out = io.StringIO()
    code = await headless.doctor_cmd(
        config, rebuild=kw.get("rebuild", False), reset=kw.get("reset", False), out=out
    )
    return code, out.getvalue()


async def test_a_healthy_cache_is_reported_ok(tmp_path: Path) -> None:
    config, _path = await _cache(tmp_path, 10)
    code, text = await _doctor(config)
    assert code == 0 and "integrity: ok" in text


async def test_damaged_index_pages_are_found_and_rebuilt_from_envelopes(tmp_path: Path) -> None:
    config, path = await _cache(tmp_path)
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'messages_unread'"
    ).fetchone()[0]
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with path.open("r+b") as f:  # garbage over one index page: data pages stay readable
        f.seek((root - 1) * page_size)
        f.write(b"\xde\xad\xbe\xef" * (page_size // 4))
    damaged = path.read_bytes()

    code, text = await _doctor(config)
    assert code == 1 and "integrity: DAMAGED" in text and "--rebuild" in text
    assert path.read_bytes() == damaged  # looking changed nothing

    code, text = await _doctor(config, rebuild=True)
    assert code == 0, text
    kept = [
        p for p in path.parent.iterdir() if re.fullmatch(r"cache\.sqlite3\.damaged-[\d-]+", p.name)
    ]
    assert kept and kept[0].read_bytes() == damaged  # kept aside, byte for byte
    assert "rebuilt from 300 envelopes: 300 messages" in text
    code, text = await _doctor(config)
    assert code == 0 and "integrity: ok" in text


async def test_a_truncated_cache_is_a_sentence_and_reset_starts_over(tmp_path: Path) -> None:
    config, path = await _cache(tmp_path, 50)
    _truncate(path, 700)  # less than the header page
    with pytest.raises(SessionError, match=r"is damaged .*doctor --rebuild"):
        async with Session(config):
            pass
    code, text = await _doctor(config, reset=True)
    assert code == 0 and "kept at" in text
    async with Session(config) as session:  # a new, empty cache opens
        assert session.store is not None
        assert (await session.store.stats())["messages"] == 0
