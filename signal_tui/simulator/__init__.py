"""A faithful simulator of bbernhard/signal-cli-rest-api (aiohttp), for the demo and the tests.

It shares no code with the client side (api/, core/, store/): it stands in for someone else's server.
"""

from signal_tui.simulator.server import Simulator, run_forever

__all__ = ["Simulator", "run_forever"]
