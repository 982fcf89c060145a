"""Typed results of the signal-cli-rest-api client (small frozen objects, not raw dicts)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReceiverState:
    """What the UI shows about the connection."""

    state: str  # "connecting" | "connected" | "reconnecting" | "offline" | "error"
    mode: str | None = None  # server mode from /v1/about
    retry_in: float | None = None  # seconds until the next attempt, when reconnecting
    error: str | None = None  # readable sentence

    def describe(self) -> str:
        if self.state == "connected":
            return f"connected ({self.mode})" if self.mode else "connected"
        if self.state == "reconnecting" and self.retry_in is not None:
            text = f"reconnecting in {self.retry_in:.0f} s"
            return f"{text}: {self.error}" if self.error else text
        if self.error:
            return f"{self.state}: {self.error}"
        return self.state
