"""signal-tui: a terminal Signal messenger over signal-cli-rest-api."""

__version__ = "0.1.0"
