"""At start the status line says "connecting", never "offline", while the server is still silent."""

from __future__ import annotations

import socket
from pathlib import Path

from signal_tui.config import Config
from signal_tui.ui.app import make_app
from signal_tui.ui.widgets.status import ConversationHeader, StatusBar


async def test_status_says_connecting_until_the_server_answers(tmp_path: Path) -> None:
    silent = socket.socket()  # accepts connections (backlog) and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    port = silent.getsockname()[1]
    try:
        config = Config(
            url=f"http://127.0.0.1:{port}", account="+15550000001", data_dir=tmp_path / "data"
        )
        app = make_app(config)
        async with app.run_test(size=(100, 30)) as pilot:
            assert app.main is not None
            # watched over time on purpose: the first frames and the half second after must
            # never say "offline" (there is no event to wait for: the server stays silent)
            for _ in range(5):
                status = str(app.main.query_one(StatusBar).render())
                header = str(app.main.query_one(ConversationHeader).render())
                assert "connecting" in status and "offline" not in status, status
                assert "offline" not in header, header
                await pilot.pause(0.1)
    finally:
        silent.close()
