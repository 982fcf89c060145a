"""A large received attachment (100 MB) is streamed to disk with bounded memory and reports its
progress as it goes; the file lands under its safe name, complete."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from aiohttp import web

from signal_tui.api.client import SignalClient
from signal_tui.core.attachments import AttachmentManager
from signal_tui.store import Store
from tests.e2e.envelopes import data_envelope

ACCOUNT = "+15550000001"
SIZE = 100 * 1024 * 1024
CHUNK = b"\x5a" * (1024 * 1024)


async def _server() -> tuple[web.AppRunner, str]:
    async def big(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": str(SIZE)})
        response.content_type = "application/octet-stream"
        await response.prepare(request)
        for _ in range(SIZE // len(CHUNK)):
            await response.write(CHUNK)  # the same bytes each time: no memory on this side
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_get("/v1/attachments/{name}", big)
    app.router.add_delete("/v1/attachments/{name}", lambda r: web.Response(status=204))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def test_a_100_mb_attachment_streams_with_bounded_memory(tmp_path: Path) -> None:
    runner, url = await _server()
    store = await Store.open(tmp_path / "data" / "cache.sqlite3", account=ACCOUNT)
    client = SignalClient(url)
    try:
        att = {"id": "big.bin", "contentType": "application/octet-stream", "filename": "../../big.bin",
               "size": SIZE}  # fmt: skip
        result = await store.ingest_batch(
            [data_envelope(ACCOUNT, text="the video", extra={"attachments": [att]})]
        )
        [attachment] = result.new_messages[0].attachments
        manager = AttachmentManager(store, client, tmp_path / "data")
        seen: list[tuple[int, int | None]] = []
        manager.on_progress(lambda _aid, done, total: seen.append((done, total)))
        tracemalloc.start()
        try:
            path = await manager.download(attachment.id)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert path.stat().st_size == SIZE
        assert path.parent == (tmp_path / "data" / "attachments").resolve()  # "../../" stayed in
        assert peak < 16 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB while downloading"
        assert seen and all(total == SIZE for _d, total in seen)
        assert [d for d, _t in seen] == sorted(d for d, _t in seen) and seen[-1][0] <= SIZE
        stored = await store.get_attachment(attachment.id)
        assert stored is not None and stored.state == "done" and stored.local_path == str(path)
        leftovers = [p.name for p in path.parent.iterdir() if p.name.startswith(".partial")]
        assert leftovers == []
        await manager.close()
        path.unlink()  # 100 MB: do not leave it in the kept temp folders
    finally:
        await client.aclose()
        await store.close()
        await runner.cleanup()
