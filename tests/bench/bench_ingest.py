"""End-to-end ingest throughput: simulator -> receiver -> SQLite cache, in both server modes.

Run by hand (not collected by pytest):

    python tests/bench/bench_ingest.py                 # 100,000 envelopes, empty + pre-filled cache
    python tests/bench/bench_ingest.py --n 20000 --prefill 100000 --modes json-rpc

The simulator runs as a separate process (`signal-tui simulator`), as a real server would, so its
CPU does not count against the receiver's. Envelopes are injected through its `/_sim/inject`
control route. In json-rpc mode the receiver's socket is attached before injecting (the real server
drops what arrives with no socket). Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from signal_tui.config import Config  # noqa: E402
from signal_tui.core.session import Session  # noqa: E402
from tests.e2e.envelopes import burst  # noqa: E402

TARGETS = {"empty": 5_000, "prefilled": 2_000}  # envelopes/s from the issue


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_simulator(mode: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "signal_tui", "simulator"),
            *("--port", str(port), "--mode", mode, "--scenario", "empty"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/v1/about", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("simulator did not start")


async def _inject(url: str, account: str, n: int, chunk: int = 5_000) -> None:
    """Built chunk by chunk, so the benchmark's own envelopes do not inflate its RSS."""
    async with httpx.AsyncClient(timeout=300) as http:
        for start in range(0, n, chunk):
            items = burst(account, min(chunk, n - start), senders=200, start=start)
            r = await http.post(f"{url}/_sim/inject/{account}", json={"envelopes": items})
            r.raise_for_status()


def _rss_mb() -> float:
    """Current resident set size (the peak is reported separately)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _make_large_cache(path: Path, account: str, n: int) -> float:
    """A cache of `n` messages in 1,000 conversations: bulk SQL from bench_store when present
    (seconds), else the real ingest path in large batches (minutes)."""
    t0 = time.perf_counter()
    from signal_tui.store import Store

    store = await Store.open(path, account=account)
    try:
        from tests.bench.bench_store import generate
    except ImportError:
        generate = None
    if generate is not None:
        await store.close()
        await asyncio.to_thread(generate, path, n, 1000)
        return time.perf_counter() - t0
    from signal_tui.store.ingest import Ingestor

    ingestor = Ingestor(store)
    step = 5_000
    for start in range(0, n, step):
        items = burst(account, min(step, n - start), senders=1000, start=10_000_000 + start)
        await ingestor.ingest_batch(items)
    await store.close()
    return time.perf_counter() - t0


async def _connected(session: Session) -> None:
    ready = asyncio.Event()
    unsubscribe = session.subscribe_state(lambda s: ready.set() if s.state == "connected" else None)
    if session.receiver_state.state != "connected":
        await ready.wait()
    unsubscribe()
    await asyncio.sleep(0.2)  # the server attaches the socket to the account


async def _messages(session: Session) -> int:
    return int((await session.store.stats())["messages"])


async def run_one(
    mode: str, n: int, prefill: int, batch: int, template: Path | None = None
) -> dict[str, Any]:
    """One measurement; `template` is a pre-filled cache file copied in as the account's cache."""
    sim, url = _start_simulator(mode)
    try:
        async with httpx.AsyncClient() as http:
            account = (await http.get(url + "/v1/accounts")).json()[0]
        assert account == _account(), account
        with tempfile.TemporaryDirectory() as tmp:
            config = Config(
                url=url,
                account=account,
                data_dir=Path(tmp),
                poll_max_messages=batch,
                download_attachments=False,
                config_file=Path(tmp) / "none.toml",
            )
            session = Session(config, receiver_options={"backoff_base": 0.1, "backoff_max": 1.0})
            reconnects: list[str] = []
            session.subscribe_state(
                lambda st: (
                    reconnects.append(st.error or st.state) if st.state == "reconnecting" else None
                )
            )
            if template is not None:
                session.data_dir.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(template, session.cache_path)
            await session.open()
            base = await _messages(session)
            if mode == "json-rpc":
                await session.start(send=False)
                await _connected(session)
                t0 = time.perf_counter()
                await _inject(url, account, n)
            else:
                await _inject(url, account, n)  # queued on the server, then polled
                t0 = time.perf_counter()
                await session.start(send=False)
            last, last_change = base, time.perf_counter()
            while (count := await _messages(session)) < base + n:
                await asyncio.sleep(0.05)
                if count != last:
                    last, last_change = count, time.perf_counter()
                elif time.perf_counter() - last_change > 30:
                    print(
                        f"  stalled at {count - base} of {n}: envelopes were lost "
                        f"(reconnects: {reconnects[-3:]})",
                        flush=True,
                    )
                    break
            elapsed = time.perf_counter() - t0
            got = await _messages(session) - base
            rss = _rss_mb()
            db_bytes = session.cache_path.stat().st_size
            await session.stop()
    finally:
        sim.terminate()
        sim.wait(10)
    return {
        "mode": mode,
        "cache": "prefilled" if prefill else "empty",
        "prefill": prefill,
        "envelopes": n,
        "stored": got,
        "seconds": round(elapsed, 2),
        "per_s": round(got / elapsed) if elapsed else 0,
        "db_mb": round(db_bytes / 1e6, 1),
        "rss_mb": round(rss, 1),
        "reconnects": len(reconnects),
        "last_error": reconnects[-1] if reconnects else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--prefill", type=int, default=1_000_000, help="messages in the large cache")
    ap.add_argument("--modes", default="normal,json-rpc")
    ap.add_argument("--batch", type=int, default=500, help="max_messages per poll (normal mode)")
    ap.add_argument("--skip-empty", action="store_true")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        template = None
        if args.prefill:
            template = Path(tmp) / "large.sqlite3"
            took = _generate_in_child(template, args.prefill)
            print(f"large cache: {args.prefill} messages generated in {took:.1f} s", flush=True)
        _run_all(args, rows, template)
    print(json.dumps({"bench": "ingest_e2e", "pid": os.getpid(), "rows": rows}))
    return 0


def _generate_in_child(path: Path, n: int) -> float:
    """Build the large cache in a child process: its memory is not the receiver's."""
    code = (
        "import asyncio, sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        "from tests.bench.bench_ingest import _make_large_cache;"
        "print(asyncio.run(_make_large_cache(Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT), str(path), _account(), str(n)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def _account() -> str:
    """The simulator's `empty` scenario hosts this account (checked at run time)."""
    return "+15550000001"


def _run_all(args: argparse.Namespace, rows: list[dict[str, Any]], template: Path | None) -> None:
    for mode in args.modes.split(","):
        for prefill in ([] if args.skip_empty else [0]) + ([args.prefill] if args.prefill else []):
            row = asyncio.run(
                run_one(mode, args.n, prefill, args.batch, template if prefill else None)
            )
            row["target_per_s"] = TARGETS[row["cache"]]
            rows.append(row)
            print(
                f"{row['mode']:9} {row['cache']:9} {row['stored']:>7}/{row['envelopes']} in "
                f"{row['seconds']:>7} s = {row['per_s']:>6}/s (target {row['target_per_s']}) "
                f"db {row['db_mb']} MB  rss {row['rss_mb']} MB (peak {row['peak_rss_mb']})",
                flush=True,
            )


if __name__ == "__main__":
    raise SystemExit(main())
