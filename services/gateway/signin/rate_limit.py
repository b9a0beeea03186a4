"""Sign-in requests per e-mail address and per client, in memory, over a sliding window.

In memory is enough: the limits slow down guessing and mail bombing on one gateway process; a
restart forgets them, and the registry and notifier dedupe what repeats anyway.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


class SlidingWindow:
    """At most `limit` hits per key within any `window_seconds`."""

    def __init__(self, limit: int, window_seconds: float, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}

    def allows(self, key: str, now: float) -> bool:
        """Whether one more hit for `key` at `now` stays within the limit."""
        hits = self._hits.get(key)
        if hits is None:
            return True
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return len(hits) < self.limit

    def admit(self, key: str, now: float) -> bool:
        """Count a hit for `key` at `now` when it stays within the limit; whether it did."""
        if not self.allows(key, now):
            return False
        self.record(key, now)
        return True

    def record(self, key: str, now: float) -> None:
        """Count a hit for `key` at `now`."""
        if key not in self._hits and len(self._hits) >= self.max_keys:
            self._forget_idle(now)
        self._hits.setdefault(key, deque()).append(now)

    def _forget_idle(self, now: float) -> None:
        # Keys whose hits have all left the window limit nothing: drop them to bound memory.
        for key in [
            k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window
        ]:
            del self._hits[key]


@dataclass
class SignInLimits:
    """Both limits of a sign-in request: a request counts only when both allow it."""

    per_address: SlidingWindow
    per_client: SlidingWindow

    def admit(self, address: str, client: str, now: float) -> bool:
        """Count the request and return True, or return False and count nothing."""
        if not (self.per_address.allows(address, now) and self.per_client.allows(client, now)):
            return False
        self.per_address.record(address, now)
        self.per_client.record(client, now)
        return True
