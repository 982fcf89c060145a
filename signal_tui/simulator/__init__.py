"""A faithful simulator of bbernhard/signal-cli-rest-api (aiohttp), for the demo and the tests.

It shares no code with the client side (api/, core/, store/): it stands in for someone else's server.

Python API (see `Simulator`):
    sim = Simulator(mode="json-rpc" | "normal" | "native", scenario="demo" | "empty",
                    profile="head" | "0.100", trickle=True, seed=1, ping_interval=54.0,
                    reply_delay=1.5, receive_idle_cap=None)
    url = await sim.start(host, port) / sim.start_in_thread(host, port); await sim.stop() / sim.stop_thread()
    sim.accounts, sim.primary_account, sim.group_ids(), sim.connected_sockets(number)
    sim.inject(number, envelopes), sim.incoming_text(number, sender, text, group=..., **dataMessage_extras)
    sim.incoming_untrusted(number, sender, text)   (error item now, the message after trust)
    sim.faults.untrusted / rate_limit_next / send_delay / fail_next_status
    sim.normal_latency, sim.account_lock   (opt-in normal-mode slowness and per-account lock)
    sim.trickle_interval = (20.0, 60.0)    (demo trickle pacing)
    sim.link_delay, sim.link_auto, sim.complete_link()   (QR linking finishes in the background)
    sim.verification_code, sim.pin_locked[number] = pin  (registration)
    sim.sync_log   (syncMessage.sentMessage that the sender's OTHER devices would get)
HTTP control (never used by the client): POST /_sim/inject/{number}, GET /_sim/state, POST /_sim/link.

Demo-only convenience: the demo history is queued for the first GET (normal mode) or sent to the first
WebSocket of each account (json-rpc mode); the real server has no history at all.
"""

from signal_tui.simulator.server import Simulator, run_forever

__all__ = ["Simulator", "run_forever"]
