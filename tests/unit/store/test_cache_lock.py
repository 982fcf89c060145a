"""One owner per cache: a second writer is refused with a sentence naming the other process;
readers may run beside it; the lock goes with the process (even when it is killed)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from signal_tui.store import CacheBusy, Store

from .conftest import ME


async def test_a_second_owner_is_refused_and_a_reader_is_not(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    first = await Store.open(path, account=ME)
    try:
        with pytest.raises(CacheBusy, match=rf"pid {os.getpid()}"):
            await Store.open(path, account=ME)
        reader = await Store.open(path, account=ME, owner=False)  # export/stats
        await reader.list_conversations()
        await reader.close()
    finally:
        await first.close()
    again = await Store.open(path, account=ME)  # closed: free again
    await again.close()


async def test_a_killed_owner_leaves_no_stale_lock(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    code = (
        "import asyncio, time\n"
        "from signal_tui.store import Store\n"
        "async def main():\n"
        f"    await Store.open({str(path)!r}, account={ME!r})\n"
        "    print('open', flush=True)\n"
        "    await asyncio.sleep(60)\n"
        "asyncio.run(main())\n"
    )
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert holder.stdout is not None
        assert (await asyncio.wait_for(holder.stdout.readline(), 30)).strip() == b"open"
        with pytest.raises(CacheBusy, match=rf"pid {holder.pid}"):
            await Store.open(path, account=ME)
        holder.send_signal(signal.SIGKILL)
        await asyncio.wait_for(holder.wait(), 10)
        store = None
        for _ in range(100):
            try:
                store = await Store.open(path, account=ME)
                break
            except CacheBusy:
                await asyncio.sleep(0.05)
        assert store is not None, "the killed owner's lock stayed"
        await store.close()
    finally:
        if holder.returncode is None:
            holder.kill()
            await holder.wait()
