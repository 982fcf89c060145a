"""Store benchmark (run by hand): query latencies on a generated large cache, ingest throughput.

    python tests/bench/bench_store.py                  # 1,000,000 messages in 1,000 conversations
    python tests/bench/bench_store.py --messages 100000 --ingest 10000

The large cache is generated with bulk SQL (not through ingest: that would take minutes), in a
temporary directory that is deleted afterwards. Prints a table and one JSON line.
Targets (issue 3): list < 5 ms, page of 50 < 2 ms, search newest 50 with snippets < 20 ms,
open + first query < 50 ms; ingest >= 5,000 envelopes/s empty and >= 2,000/s into 1M.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from signal_tui.store import Store

ME = "+4917600000000"
WORDS = (
    "the a to and of you I it is that in for on me my we are this with have be so just not but "
    "what can do your at all will get was like if now know when up out about go how good time "
    "dinner pizza tonight tomorrow meeting train coffee weekend photo birthday call later home "
    "work project signal terminal python sqlite review deploy holiday mountain river garden"
).split()
RARE = "xylophone"


def _uuid(i: int) -> str:
    return f"00000000-0000-4000-8000-{i:012d}"


def generate(path: Path, n_messages: int, n_convs: int, seed: int = 7) -> None:
    """Fill a fresh (migrated) cache with bulk SQL: triggers off, FTS rebuilt once at the end."""
    rnd = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    triggers = [r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger'")]
    for name in ("messages_fts_ai", "messages_fts_ad", "messages_fts_au"):
        conn.execute(f"DROP TRIGGER {name}")
    conn.executemany(
        "INSERT INTO recipients (id, uuid, number, profile_name) VALUES (?, ?, ?, ?)",
        [(i + 100, _uuid(i), f"+49151{i:08d}", f"Person {i}") for i in range(n_convs)],
    )
    conn.executemany(
        "INSERT INTO conversations (id, kind, recipient_id) VALUES (?, 'direct', ?)",
        [(i + 1, i + 100) for i in range(n_convs)],
    )
    self_id = conn.execute("SELECT id FROM recipients WHERE is_self = 1").fetchone()[0]
    start = 1_600_000_000_000
    step = max(1, (1_760_000_000_000 - start) // max(1, n_messages))
    chunk = []
    for i in range(n_messages):
        conv = rnd.randrange(n_convs)
        outgoing = rnd.random() < 0.4
        words = rnd.choices(WORDS, k=rnd.randint(3, 16))
        if rnd.random() < 0.001:
            words.append(RARE)
        ts = start + i * step
        chunk.append(
            (conv + 1, self_id if outgoing else conv + 100, ts, ts + 500, " ".join(words),
             int(outgoing), "read" if outgoing else None)
        )  # fmt: skip
        if len(chunk) == 50_000:
            conn.executemany(
                "INSERT INTO messages (conversation_id, author_id, sent_ts, received_ts, body,"
                " outgoing, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
                chunk,
            )
            chunk.clear()
    if chunk:
        conn.executemany(
            "INSERT INTO messages (conversation_id, author_id, sent_ts, received_ts, body,"
            " outgoing, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
            chunk,
        )
    conn.execute("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')")
    conn.execute(
        "UPDATE conversations SET (last_message_id, last_activity, last_preview) = (SELECT id,"
        " sent_ts, substr(body, 1, 120) FROM messages m WHERE m.conversation_id = conversations.id"
        " ORDER BY sent_ts DESC, id DESC LIMIT 1)"
    )
    for trigger in triggers:
        conn.execute(trigger)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def envelopes(n: int, n_senders: int, t0: int) -> list[dict]:
    """A realistic mix: texts (some in groups), reactions, receipts, typing."""
    rnd = random.Random(11)
    out: list[dict] = []
    for i in range(n):
        s = rnd.randrange(n_senders)
        ts = t0 + i
        env = {
            "source": f"+49152{s:08d}", "sourceNumber": f"+49152{s:08d}",
            "sourceUuid": f"11111111-0000-4000-8000-{s:012d}", "sourceName": f"Sender {s}",
            "sourceDevice": 1, "timestamp": ts, "serverReceivedTimestamp": ts + 5,
            "serverDeliveredTimestamp": ts + 9,
        }  # fmt: skip
        roll = rnd.random()
        dm = {"timestamp": ts, "message": " ".join(rnd.choices(WORDS, k=8)),
              "expiresInSeconds": 0, "isExpirationUpdate": False, "viewOnce": False}  # fmt: skip
        if roll < 0.8:
            env["dataMessage"] = dm
        elif roll < 0.9:
            dm["message"] = None
            dm["reaction"] = {"emoji": "👍", "targetAuthor": env["source"],
                              "targetAuthorNumber": env["source"], "targetAuthorUuid": env["sourceUuid"],
                              "targetSentTimestamp": ts - 1, "isRemove": False}  # fmt: skip
            env["dataMessage"] = dm
        elif roll < 0.95:
            env["receiptMessage"] = {"when": ts, "isDelivery": True, "isRead": False,
                                     "isViewed": False, "timestamps": [ts - 3]}  # fmt: skip
        else:
            env["typingMessage"] = {"action": "STARTED", "timestamp": ts}
        out.append({"envelope": env, "account": ME})
    return out


async def timed(fn, repeat: int) -> float:
    """Median wall time of `repeat` calls, in ms."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        await fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


async def ingest_rate(store: Store, items: list[dict], batch: int) -> float:
    t = time.perf_counter()
    for i in range(0, len(items), batch):
        await store.ingest_batch(items[i : i + batch])
    return len(items) / (time.perf_counter() - t)


async def run(args: argparse.Namespace) -> dict:
    results: dict[str, float | int | str] = {
        "messages": args.messages, "conversations": args.conversations,
        "ingest_envelopes": args.ingest, "batch": args.batch,
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        # ingest into an empty cache
        empty = await Store.open(Path(tmp) / "empty" / "cache.sqlite3", account=ME)
        items = envelopes(args.ingest, 2000, 1_770_000_000_000)
        results["ingest_empty_per_s"] = round(await ingest_rate(empty, items, args.batch))
        await empty.close()

        path = Path(tmp) / "big" / "cache.sqlite3"
        store = await Store.open(path, account=ME)
        await store.close()
        t = time.perf_counter()
        generate(path, args.messages, args.conversations)
        results["generate_s"] = round(time.perf_counter() - t, 1)

        t = time.perf_counter()
        store = await Store.open(path, account=ME)
        convs = await store.list_conversations()
        results["open_first_query_ms"] = round((time.perf_counter() - t) * 1000, 2)
        rnd = random.Random(3)
        picks = [c.id for c in rnd.sample(convs, min(50, len(convs)))]
        results["conversation_list_ms"] = round(
            await timed(lambda: store.list_conversations(), 20), 3
        )
        # the UI's pattern: a message arrives, then the list is refreshed
        fresh = iter(envelopes(30, 5, 1_780_000_000_000))
        list_times = []
        for _ in range(20):
            await store.ingest_batch([next(fresh)])
            t = time.perf_counter()
            await store.list_conversations()
            list_times.append((time.perf_counter() - t) * 1000)
        results["list_after_write_ms"] = round(statistics.median(list_times), 3)

        def uncached() -> asyncio.Future:
            store._conv_cache = None  # what a full reload costs (first call, renamed contacts)
            return store.list_conversations()

        results["list_uncached_ms"] = round(await timed(uncached, 10), 3)
        it = iter(picks * 3)
        results["latest_page_ms"] = round(
            await timed(lambda: store.messages_before(next(it), None, 50), 50), 3
        )
        pages = {cid: await store.messages_before(cid, None, 50) for cid in picks}
        it2 = iter(picks * 3)

        async def back() -> None:
            cid = next(it2)
            await store.messages_before(cid, pages[cid][0].cursor, 50)

        results["page_back_ms"] = round(await timed(back, 50), 3)
        results["search_common_ms"] = round(await timed(lambda: store.search("pizza"), 20), 3)
        results["search_rare_ms"] = round(await timed(lambda: store.search(RARE), 20), 3)
        results["search_prefix_ms"] = round(await timed(lambda: store.search("dinner to"), 20), 3)
        results["search_in_conv_ms"] = round(
            await timed(lambda: store.search("coffee", conversation_id=picks[0]), 20), 3
        )
        # mark read: make 50 unread messages arrive in one conversation, then read them
        target = convs[0]
        sender = (await store.get_recipient(target.recipient_id)) if target.recipient_id else None
        unread_items = [
            {"envelope": {"sourceUuid": sender.uuid, "sourceNumber": sender.number,
                          "timestamp": 1_790_000_000_000 + i,
                          "dataMessage": {"timestamp": 1_790_000_000_000 + i, "message": "unread"}},
             "account": ME}
            for i in range(50)
        ] if sender else []  # fmt: skip
        await store.ingest_batch(unread_items)
        t = time.perf_counter()
        await store.mark_read(target.id)
        results["mark_read_50_ms"] = round((time.perf_counter() - t) * 1000, 3)
        items = envelopes(args.ingest, 2000, 1_800_000_000_000)
        results["ingest_1m_per_s"] = round(await ingest_rate(store, items, args.batch))
        stats = await store.stats()
        results["db_mb"] = round(stats["db_bytes"] / 2**20, 1)
        await store.close()
    results["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--ingest", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100, help="envelopes per transaction")
    args = parser.parse_args()
    results = asyncio.run(run(args))
    targets = {
        "conversation_list_ms": "< 5", "list_after_write_ms": "< 5", "latest_page_ms": "< 2", "page_back_ms": "< 2",
        "search_common_ms": "< 20", "open_first_query_ms": "< 50",
        "ingest_empty_per_s": ">= 5000", "ingest_1m_per_s": ">= 2000",
    }  # fmt: skip
    print(f"{'measure':<24} {'value':>12}  target")
    for key, value in results.items():
        print(f"{key:<24} {value!s:>12}  {targets.get(key, '')}")
    print(json.dumps({"bench": "store", **results}))


if __name__ == "__main__":
    main()
