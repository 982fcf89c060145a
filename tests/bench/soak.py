"""Soak (issue 12): `signal-tui receive --follow` and the TUI for minutes behind a fault proxy.

Per mode: the simulator (in this process) hosts two accounts; a trickle of messages from several
contacts (plus bursts) goes to both. `receive --follow` (account A) and the TUI (account B, in a
private tmux server) reach it through tests/soak/faultproxy.py, which injects slow answers,
500/502 HTML pages, garbage and truncated JSON, resets mid-body, garbage WebSocket frames and
abrupt closes. Then faults and trickle stop; the run ends with an idle phase. Both processes are
sampled from /proc every few seconds. At the end the caches are read (read-only, after the
processes stopped) and every message is accounted for: stored by the client, lost upstream (the
json-rpc server drops what arrives with no socket attached) or destroyed by the proxy.

Exit status 1 when a message the client was handed is missing or doubled, a traceback or an
unreadable error reached the user, memory grew more than --rss-growth-mib, idle CPU was at or
above --idle-cpu-max % of a core, or a process died. Every wait has a limit. Usage:

    python tests/bench/soak.py [--minutes 10] [--mode normal|json-rpc|both] [--seed 12]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from signal_tui.simulator.server import Simulator  # noqa: E402
from signal_tui.simulator.state import ContactMeta, Person  # noqa: E402
from tests.e2e.envelopes import contact  # noqa: E402
from tests.soak.faultproxy import FaultPlan, FaultProxy, stored_texts  # noqa: E402
from tests.soak.watch import ProcWatch, Tmux, problems_in, state_lines  # noqa: E402

ACCOUNT_B = ("+15550000002", "5ca1ab1e-0000-4000-8000-000000000002")
CONTACTS = 6
SAMPLE_EVERY = 2.0
LOG = logging.getLogger("tests.soak.load")


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNAL_TUI_")}
    (home / "empty.toml").touch()
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        SIGNAL_TUI_CONFIG=str(home / "empty.toml"),
        PYTHONPATH=str(ROOT),
        TERM="xterm-256color",
    )
    return env


def _db(data: Path, account: str) -> Path:
    safe = "".join(ch if ch.isalnum() else "_" for ch in account)
    return data / "accounts" / safe / "cache.sqlite3"


async def _start_sim(mode: str) -> Simulator:
    sim = Simulator(mode=mode, scenario="empty", trickle=False)
    sim.world.host(Person(uuid=ACCOUNT_B[1], number=ACCOUNT_B[0], given_name="Soak B"))
    for number in sim.accounts:
        account = sim.world.accounts[number]
        for i in range(1, CONTACTS + 1):
            num, uuid = contact(i)
            if sim.world.find(uuid) is None:
                sim.world.add_person(Person(uuid=uuid, number=num, given_name=f"Contact {i}"))
            account.contacts[uuid] = ContactMeta()
    await sim.start()
    return sim


class Load:
    """The trickle (one message every few seconds, random contact) and the bursts."""

    def __init__(self, sim: Simulator, rng: random.Random) -> None:
        self.sim, self.rng = sim, rng
        self.sent: dict[str, Counter[str]] = {a: Counter() for a in sim.accounts}
        self.n = 0

    def say(self, count: int = 1) -> None:
        people = [self.sim.world.find(contact(i)[1]) for i in range(1, CONTACTS + 1)]
        for _ in range(count):
            for number in self.sim.accounts:
                text = f"soak {number[-1]}-{self.n}"
                sender = self.rng.choice(people)
                assert sender is not None
                account = self.sim.world.accounts[number]
                if self.sim.json_rpc and not account.sockets:
                    LOG.info("%s: no socket attached, the server drops it", text)
                self.sim.contact_says(account, sender, text)
                self.sent[number][text] += 1
            self.n += 1

    async def run(self, until: float, burst_every: float) -> None:
        next_burst = time.monotonic() + burst_every / 2
        while time.monotonic() < until:
            self.say()
            if time.monotonic() >= next_burst:
                self.say(self.rng.randint(20, 50))
                next_burst += burst_every
            await asyncio.sleep(self.rng.uniform(1.0, 5.0))


async def _sampler(watches: list[ProcWatch], tui: Tmux, shown: Counter[str], stop: asyncio.Event):
    while not stop.is_set():
        for w in watches:
            w.sample()
        screen = await asyncio.to_thread(tui.capture)
        for line in state_lines(screen):
            shown[line] += 1
        if "Traceback" in screen:
            shown["TRACEBACK ON SCREEN: " + screen[-2000:]] += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SAMPLE_EVERY)


async def _wait(check: Any, limit: float, every: float = 1.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if await asyncio.to_thread(check):
            return True
        await asyncio.sleep(every)
    return False


async def soak_mode(mode: str, minutes: float, seed: int, work: Path) -> dict[str, Any]:
    total = minutes * 60
    idle = 60.0 if minutes >= 5 else max(10.0, total * 0.2)
    load_for = max(10.0, total - idle - 15)
    sim = await _start_sim(mode)
    plan = FaultPlan(seed=seed)
    proxy = FaultProxy(sim.url, plan)
    url = await proxy.start()
    acct_a, acct_b = sim.accounts[0], sim.accounts[1]
    home = work / mode
    home.mkdir(parents=True)
    handler = logging.FileHandler(home / "proxy.log")
    handler.setFormatter(logging.Formatter("%(relativeCreated)9.0f %(message)s"))
    logging.getLogger("tests.soak").handlers[:] = [handler]
    logging.getLogger("tests.soak").setLevel(logging.INFO)
    env = _env(home)
    data_a, data_b = home / "data-receive", home / "data-tui"
    out_path, err_path = home / "receive.out", home / "receive.err"
    receive = _spawn_receive(url, acct_a, data_a, env, out_path, err_path)
    tui = Tmux(f"soak-{mode}")
    # Textual draws on stderr: it stays on the terminal (a crash's traceback shows there too)
    tui_cmd = f"{sys.executable} -m signal_tui --url {url} --data-dir {data_b} --account {acct_b}"
    tui_pid = await asyncio.to_thread(tui.start, f"sh -c 'cd {ROOT} && exec {tui_cmd}'", env)
    watches = [ProcWatch("receive --follow", receive.pid), ProcWatch("tui", tui_pid)]
    shown: Counter[str] = Counter()
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sampler(watches, tui, shown, stop))
    load = Load(sim, random.Random(seed))
    t0 = time.monotonic()
    notes: list[str] = []
    try:
        await asyncio.sleep(3)  # both start (the first requests already meet faults)
        await load.run(t0 + load_for, burst_every=max(30.0, load_for / 6))
        t_heal = time.monotonic()
        proxy.enabled = False  # no more faults, no more messages: everything forwarded lands
        per_acct = {acct_a: data_a, acct_b: data_b}

        def all_landed() -> bool:
            fwd: dict[str, set[str]] = {a: set() for a in per_acct}
            for s in proxy.forwarded:
                if s.text is not None and s.account in fwd:
                    fwd[s.account].add(s.text)
            return all(fwd[a] <= set(stored_texts(_db(d, a))) for a, d in per_acct.items())

        if not await _wait(all_landed, 90):
            notes.append("not every forwarded message was stored within 90 s of healing")
        t_idle = time.monotonic()
        await asyncio.sleep(idle)
        t_end = time.monotonic()
    finally:
        stop.set()
        await asyncio.wait_for(sampler, 30)
        for w in watches:  # a last look before stopping
            w.sample()
        alive = {"receive --follow": receive.poll() is None, "tui": not tui.dead()}
        screen = await asyncio.to_thread(tui.capture)
        await _stop_receive(receive)
        screen += "\n" + await _stop_tui(tui, tui_pid)  # with what it printed on exit
        (home / "tui.screen").write_text(screen)
        await proxy.stop()
        dropped = {a: sim.world.accounts[a].dropped for a in sim.accounts}
        await sim.stop()
    return _report(
        mode, load, proxy, watches, shown, screen, alive, dropped, notes,
        {"start": t0, "heal": t_heal, "idle": t_idle, "end": t_end},
        {acct_a: _db(data_a, acct_a), acct_b: _db(data_b, acct_b)},
        err_path.read_text(errors="replace"), out_path.read_text(errors="replace"),
        receive.returncode,
    )  # fmt: skip


def _spawn_receive(
    url: str, account: str, data: Path, env: dict[str, str], out: Path, err: Path
) -> subprocess.Popen[bytes]:
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "signal_tui", "receive", "--follow", "--url", url,
             "--account", account, "--data-dir", str(data)],
            env=env, stdout=stdout, stderr=stderr, cwd=ROOT,
        )  # fmt: skip


async def _stop_receive(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # ends cleanly: the batch being written is finished
        try:
            await asyncio.to_thread(proc.wait, 20)
        except subprocess.TimeoutExpired:
            proc.kill()
            await asyncio.to_thread(proc.wait, 10)


async def _stop_tui(tui: Tmux, pid: int) -> str:
    """Quit with ctrl+q (as a user does); returns the terminal's text after the exit."""
    tui.keys("C-q")
    if not await _wait(tui.dead, 10, 0.2):
        tui.keys("C-q")  # a quit dialog or the outbox wait: again quits now
        if not await _wait(tui.dead, 10, 0.2):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            await _wait(tui.dead, 10, 0.2)
    after = tui.capture(history=True)
    tui.kill()
    return after


def _report(mode, load, proxy, watches, shown, screen, alive, dropped, notes, t, dbs, err, out,
            rc) -> dict[str, Any]:  # fmt: skip
    failures = list(notes)
    print(f"\n=== soak, {mode} mode: {(t['end'] - t['start']) / 60:.1f} min ===")
    print(f"requests through the proxy: {proxy.requests}, WebSocket connections: "
          f"{proxy.ws_connections}")  # fmt: skip
    faults = ", ".join(f"{k} {v}" for k, v in sorted(proxy.faults.items())) or "none"
    print(f"faults injected ({sum(proxy.faults.values())}): {faults}")
    for (number, db), who in zip(dbs.items(), ("receive --follow", "tui"), strict=True):
        sent = load.sent[number]
        stored = stored_texts(db)
        forwarded = Counter(s.text for s in proxy.forwarded if s.account == number and s.text)
        destroyed = {s.text for s in proxy.destroyed if s.account == number}
        lost_by_client = [x for x in forwarded if x not in stored]
        upstream = [x for x in sent if x not in forwarded and x not in destroyed]
        doubled = [x for x, n in stored.items() if n > 1] + [x for x, n in forwarded.items()
                                                              if n > 1]  # fmt: skip
        print(f"{who} ({number}): sent {sum(sent.values())}, handed to the client "
              f"{len(forwarded)}, stored {len(stored)}, lost by the client {len(lost_by_client)}, "
              f"duplicates {len(doubled)}, destroyed by an injected fault {len(destroyed)}, "
              f"never left the server {len(upstream)} (server-side drops with no socket "
              f"attached: {dropped[number]})")  # fmt: skip
        if lost_by_client or doubled or set(stored) - set(sent):
            failures.append(f"{who}: lost {lost_by_client[:5]} doubled {doubled[:5]}")
        if mode != "json-rpc" and upstream:
            failures.append(f"{who}: {len(upstream)} messages never reached the proxy")
    busy_span = (t["start"] + 10, t["heal"])
    idle_span = (t["idle"] + 5, t["end"])
    for w in watches:
        rss = w.rss_mib()
        settled = t["start"] + min(60.0, (t["heal"] - t["start"]) / 4)  # imports, first pages
        warm = w.rss_mib(settled, settled + 10) or rss[:1]
        later = w.rss_mib(settled + 10)
        busy, idle = w.cpu_percent(*busy_span), w.cpu_percent(*idle_span)
        overall = w.cpu_percent(t["start"], t["end"])
        print(f"{w.name}: RSS first {rss[0]:.1f} MiB, last {rss[-1]:.1f}, max {max(rss):.1f} "
              f"(after warm-up {warm[0]:.1f} -> max {max(later or warm):.1f}); CPU overall "
              f"{_pct(overall)}, under load {_pct(busy)}, idle {_pct(idle)} of a core "
              f"({len(w.samples)} samples)")  # fmt: skip
        growth = max(later or warm) - warm[0]
        if growth > ARGS.rss_growth_mib:
            failures.append(f"{w.name}: memory grew {growth:.1f} MiB after warm-up")
        if idle is None or idle >= ARGS.idle_cpu_max:
            failures.append(f"{w.name}: idle CPU {_pct(idle)} (limit {ARGS.idle_cpu_max} %)")
        if not alive[w.name]:
            failures.append(f"{w.name} died during the run")
    user_lines = Counter(ln for ln in err.splitlines() if ln.startswith("signal-tui:"))
    print(f"receive --follow told the user (stderr, {sum(user_lines.values())} lines, "
          f"{len(user_lines)} distinct):")  # fmt: skip
    for line, n in user_lines.most_common(12):
        print(f"  {n:4d}x {line[:200]}")
    logged = Counter(ln[:120] for ln in err.splitlines() if not ln.startswith("signal-tui:"))
    print(f"receive --follow log lines on stderr: {sum(logged.values())}; most frequent:")
    for line, n in logged.most_common(4):
        print(f"  {n:4d}x {line}")
    print(f"TUI status line ({len(shown)} distinct texts seen):")
    for line, n in shown.most_common(12):
        print(f"  {n:4d}x {line[:200]}")
    for text in list(user_lines) + list(shown):
        if problems_in(text):
            failures.append(f"not a sentence ({', '.join(problems_in(text))}): {text[:200]}")
    for name, text in (("receive stderr", err), ("receive stdout", out), ("tui screen", screen)):
        if "Traceback" in text:
            failures.append(f"a traceback in the {name}")
    if rc not in (0, -signal.SIGTERM, None):
        failures.append(f"receive --follow exited with {rc}")
    print("RESULT: " + ("FAIL\n  " + "\n  ".join(failures) if failures else "ok, nothing lost"))
    return {"mode": mode, "failures": failures}


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} %"


async def main() -> int:
    modes = ["normal", "json-rpc"] if ARGS.mode == "both" else [ARGS.mode]
    results = []
    with tempfile.TemporaryDirectory(prefix="signal-tui-soak-") as tmp:
        work = Path(ARGS.keep or tmp)
        for mode in modes:
            results.append(await soak_mode(mode, ARGS.minutes, ARGS.seed, work))
        if ARGS.keep:
            print(f"logs, caches and the last TUI screen are in {work}")
    failed = [r["mode"] for r in results if r["failures"]]
    print(f"\nsoak {'FAILED in ' + ', '.join(failed) if failed else 'passed'}")
    return 1 if failed else 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="per mode (default 10)")
    parser.add_argument("--mode", choices=["normal", "json-rpc", "both"], default="both")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--rss-growth-mib", type=float, default=30.0)
    parser.add_argument("--keep", type=Path, help="keep logs and caches in this (new) dir")
    parser.add_argument("--idle-cpu-max", type=float, default=1.0, help="%% of one core")
    return parser.parse_args(argv)


if __name__ == "__main__":
    ARGS = parse_args()
    sys.exit(asyncio.run(main()))
