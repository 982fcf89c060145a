from __future__ import annotations

from pathlib import Path

import pytest

from signal_tui.store import Store

ME = "+4917600000000"
ME_UUID = "9e1d0c3b-2a4f-4d5e-8f70-112233445566"


@pytest.fixture
async def store(tmp_path: Path):
    s = await Store.open(tmp_path / "data" / "cache.sqlite3", account=ME, account_uuid=ME_UUID)
    yield s
    await s.close()
