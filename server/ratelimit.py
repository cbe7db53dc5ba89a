"""Per-client rate limit (token bucket), as public endpoints throttle (Wikidata Query Service).

A client is its remote address. Each has a bucket of ``RATE_LIMIT_PER_MIN`` tokens that
refills continuously; a request that finds it empty gets 429 with ``Retry-After``.
``RATE_LIMIT_PER_MIN = 0`` turns the limit off. Only routes that run queries take tokens.
"""

from __future__ import annotations

import math
import threading
import time

from flask import current_app, request

from .common import bad


class Buckets:
    def __init__(self, per_minute: float, *, max_clients: int = 10000) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, float(per_minute))
        self.max_clients = max_clients
        self._state: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> float:
        """0 if allowed, else the seconds until a token is back."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._state.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._state[client] = (tokens - 1, now)
                wait = 0.0
            else:
                self._state[client] = (tokens, now)
                wait = (1 - tokens) / self.rate if self.rate else 60.0
            if len(self._state) > self.max_clients:
                self._forget_full(now)
        return wait

    def _forget_full(self, now: float) -> None:
        full = [c for c, (t, last) in self._state.items() if t + (now - last) * self.rate >= self.capacity]
        for c in full:
            del self._state[c]


def check() -> None:
    """Raise 429 when this client is over its limit (call at the top of a query route)."""
    per_min = float(current_app.config.get("RATE_LIMIT_PER_MIN") or 0)
    if per_min <= 0:
        return
    ext = current_app.extensions.setdefault("policykg", {})
    buckets = ext.get("buckets")
    if buckets is None or buckets.capacity != max(1.0, per_min):
        buckets = ext["buckets"] = Buckets(per_min)
    wait = buckets.take(request.remote_addr or "-")
    if wait > 0:
        err = bad(f"请求过于频繁：每个客户端每分钟最多 {per_min:g} 次查询，请 {math.ceil(wait)} 秒后重试",
                  f"too many requests: at most {per_min:g} queries per minute per client; retry in {math.ceil(wait)} s",
                  status=429)
        err.retry_after = math.ceil(wait)  # type: ignore[attr-defined]
        raise err
