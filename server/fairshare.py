"""A fair queue in front of the query workers: per-client caps, least-used client first.

One client must not starve the others (issue 19: two heavy queries from one client held
both workers and everyone else got 503). Three rules:

* **in flight**: a client (its remote address) may have at most ``per_client`` queries
  waiting or running; one more is refused at once with 429 (:class:`TooManyError`);
* **fair order**: when a worker frees, it goes to the waiting client with the fewest
  queries running, then the least worker time used recently (decaying with a half-life of
  ``half_life`` seconds), then the oldest wait, instead of first come, first served;
* **reserve**: ``reserved`` workers serve only *light* clients: nothing running and less
  than ``light_seconds`` of recent worker time. Clients that keep workers busy (a run of
  heavy queries) cannot take them, so a cheap query from anyone else finds a worker at once.
  A query still running there after ``light_seconds`` is stopped and goes on to a general
  worker with the rest of its time (:class:`server.executor.LocalPool`).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any


class TooManyError(Exception):
    """This client already has its share of queries in flight."""


class BusyError(Exception):
    """No worker became free before the deadline."""


@dataclass
class _Ticket:
    client: str
    since: float
    slot: Any = None


class FairQueue:
    def __init__(self, *, per_client: int = 4, light_seconds: float = 1.0, half_life: float = 60.0) -> None:
        self.per_client = max(1, int(per_client))
        self.light_seconds = float(light_seconds)
        self.half_life = float(half_life)
        self._cv = threading.Condition()
        self._free: list[tuple[Any, bool]] = []            # (slot, reserved)
        self._reserved: dict[int, bool] = {}
        self._waiting: dict[str, deque[_Ticket]] = defaultdict(deque)
        self._inflight: dict[str, int] = defaultdict(int)
        self._running: dict[str, int] = defaultdict(int)
        self._usage: dict[str, tuple[float, float]] = {}   # client -> (worker seconds, as of)
        self.refused = 0

    # ---------------------------------------------------------------- usage

    def usage(self, client: str, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        value, at = self._usage.get(client, (0.0, now))
        return value * 0.5 ** ((now - at) / self.half_life) if self.half_life > 0 else value

    def _light(self, client: str, now: float) -> bool:
        return self._running[client] == 0 and self.usage(client, now) < self.light_seconds

    # ---------------------------------------------------------------- slots

    def add_slot(self, slot: Any, *, reserved: bool = False) -> None:
        with self._cv:
            self._reserved[id(slot)] = reserved
            self._free.append((slot, reserved))
            self._dispatch()

    def is_reserved(self, slot: Any) -> bool:
        with self._cv:
            return self._reserved.get(id(slot), False)

    def forget_slot(self, slot: Any) -> bool:
        """Whether ``slot`` was a reserved one (its replacement takes the same role)."""
        with self._cv:
            return self._reserved.pop(id(slot), False)

    def acquire(self, client: str, deadline: float) -> Any:
        """A free worker for ``client``; raises TooManyError (429) or BusyError (deadline passed)."""
        with self._cv:
            if self._inflight[client] >= self.per_client:
                self.refused += 1
                raise TooManyError(self.per_client)
            self._inflight[client] += 1
            ticket = _Ticket(client, time.monotonic())
            self._waiting[client].append(ticket)
            self._dispatch()
            while ticket.slot is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._waiting[client].remove(ticket)
                    if not self._waiting[client]:
                        del self._waiting[client]
                    self._done(client)
                    raise BusyError()
                self._cv.wait(remaining)
            return ticket.slot

    def release(self, client: str, slot: Any | None, seconds: float) -> None:
        """The job of ``client`` is over after ``seconds``; ``slot`` is free again (None: killed)."""
        with self._cv:
            now = time.monotonic()
            self._usage[client] = (self.usage(client, now) + max(0.0, seconds), now)
            self._running[client] = max(0, self._running[client] - 1)
            self._done(client)
            if slot is not None:
                self._free.append((slot, self._reserved.get(id(slot), False)))
            self._dispatch()
            if len(self._usage) > 10000:              # forget clients whose usage has decayed away
                for c in [c for c in self._usage if self.usage(c, now) < 0.01 and not self._inflight.get(c)]:
                    del self._usage[c]

    def _done(self, client: str) -> None:
        self._inflight[client] -= 1
        if self._inflight[client] <= 0:
            del self._inflight[client]
            self._running.pop(client, None)

    def _dispatch(self) -> None:
        now = time.monotonic()
        while self._free and self._waiting:
            order = sorted(self._waiting, key=lambda c: (self._running[c], self.usage(c, now), self._waiting[c][0].since))
            granted = False
            for client in order:
                pick = next((i for i, (_s, r) in enumerate(self._free) if not r), None)
                if pick is None and self._light(client, now):
                    pick = 0
                if pick is None:
                    continue
                slot, _ = self._free.pop(pick)
                ticket = self._waiting[client].popleft()
                if not self._waiting[client]:
                    del self._waiting[client]
                ticket.slot = slot
                self._running[client] += 1
                granted = True
                break
            if not granted:
                break
        self._cv.notify_all()

    def status(self) -> dict[str, Any]:
        with self._cv:
            return {"free": len(self._free), "waiting": sum(len(q) for q in self._waiting.values()),
                    "clients_in_flight": len(self._inflight), "per_client": self.per_client,
                    "refused_in_flight": self.refused}
