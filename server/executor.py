"""Running queries with a real timeout: a pool of worker processes, plus a result cache.

pyoxigraph cannot interrupt a query, so each query runs in a worker process
(:mod:`server.worker`, started with ``spawn``, each opening the store read-only). The
request thread waits at most ``QUERY_TIMEOUT_S``; a worker that overruns is killed and
replaced in the background, and the request gets 503 (as Jena Fuseki answers a timed-out
query). While one worker grinds, the others keep answering.

Workers notice a new store generation (``policykg build`` / ``load`` / a Graph Store
upload) by its name, sent with each job, and reopen. Results are cached by (generation,
query, bindings, dataset, format, row cap): the data change only when the generation does.
"""

from __future__ import annotations

import atexit
import sys
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from policykg import pool
from policykg.core.errors import QueryError
from policykg.graph import store as pkstore

from . import worker
from .fairshare import BusyError, FairQueue, TooManyError
from .jobs import (
    Answer,
    Executor,
    Job,
    busy_error,
    memory_error,
    rss_mb,
    timeout_error,
    too_many_error,
    worker_died_error,
)
from .remote import RemoteExecutor

# ------------------------------------------------------------------ local worker pool

class _Slot:
    def __init__(self, store_dir: str, sandbox: bool) -> None:
        self.process, self.conn = pool.spawn(worker.main, store_dir, sandbox, name="policykg-query-worker")
        self.info: dict[str, Any] = {}
        self.baseline_mb = 0.0

    def wait_ready(self, timeout: float = 60.0) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise RuntimeError("query worker did not start")
        tag, info = self.conn.recv()
        self.info = info
        self.baseline_mb = rss_mb(self.process.pid)

    def kill(self) -> None:
        pool.stop(self.process, self.conn)


class LocalPool(Executor):
    """``workers`` processes (plus ``reserved`` ones for light clients, see
    :mod:`server.fairshare`) over the store at ``store_dir``; lazily started.

    A worker whose resident memory grows more than ``memory_mb`` over its idle size is
    killed (503, clear message), as is one that overruns the timeout.
    """

    def __init__(self, store_dir: Path | str, *, workers: int = 2, timeout: float = 10.0, sandbox: bool = True,
                 reserved: int = 1, per_client: int = 4, memory_mb: int = 1024) -> None:
        self.store_dir = str(store_dir)
        self.workers = max(1, int(workers))
        self.reserved = max(0, int(reserved))
        self.timeout = float(timeout)
        self.sandbox = sandbox
        self.memory_mb = int(memory_mb)
        self.fair = FairQueue(per_client=per_client)
        self.peak_mb = 0.0
        self.killed_for_memory = 0
        self.died = 0
        self.moved = 0                       # queries moved off the reserved lane
        self._standby: list[_Slot] = []
        self._all: set[_Slot] = set()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self.killed = 0                      # workers stopped for overrunning (for /api/status)

    def generation(self) -> str | None:
        return pkstore.generation_name(self.store_dir)

    def _spawn(self) -> _Slot:
        slot = _Slot(self.store_dir, self.sandbox)
        with self._lock:
            self._all.add(slot)
        try:
            slot.wait_ready()
        except RuntimeError:
            with self._lock:
                self._all.discard(slot)
            raise
        return slot

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        slots = [_Slot(self.store_dir, self.sandbox) for _ in range(self.workers + self.reserved)]
        with self._lock:
            self._all.update(slots)
        for i, s in enumerate(slots):
            s.wait_ready()
            self.fair.add_slot(s, reserved=i >= self.workers)
        if self.reserved:
            def standby() -> None:          # a started spare that replaces a killed reserved worker at once
                try:
                    spare = self._spawn()
                except (RuntimeError, OSError, EOFError):
                    return
                with self._lock:
                    self._standby.append(spare)

            threading.Thread(target=standby, name="policykg-standby", daemon=True).start()
        if self.sandbox and not all(s.info.get("sandboxed") for s in slots):
            print("policykg: 警告：查询进程无法断网（内核拒绝 unshare 网络命名空间）；SERVICE 仍由前端与进程内检查拒绝 / "
                  "warning: query workers could not drop their network (unshare refused); SERVICE is still refused "
                  "by the guard, in front and in each worker", file=sys.stderr, flush=True)

    def _replace(self, slot: _Slot) -> None:
        slot.kill()
        reserved = self.fair.forget_slot(slot)
        with self._lock:
            self._all.discard(slot)
            if self._closed:
                return

        standby = None
        if reserved:                      # the reserved lane must not wait for a new interpreter
            with self._lock:
                standby = self._standby.pop() if self._standby else None

        def spawn() -> None:
            try:
                new = self._spawn()
            except (RuntimeError, OSError, EOFError):
                return
            if self._closed:
                new.kill()
            elif standby is not None:
                with self._lock:
                    self._standby.append(new)
            else:
                self.fair.add_slot(new, reserved=reserved)

        if standby is not None:
            self.fair.add_slot(standby, reserved=True)
        threading.Thread(target=spawn, name="policykg-respawn", daemon=True).start()

    def run(self, job: Job) -> Answer:
        if self._closed:
            raise QueryError("服务器正在关闭", "server is shutting down", status=503)
        gen = self.generation()
        if gen is None:
            raise QueryError(f"没有可查询的图谱：{self.store_dir} 尚未构建（运行 policykg build）",
                             f"no graph to query: {self.store_dir} is not built (run policykg build)", status=503)
        self._start()
        t0 = time.monotonic()
        deadline = t0 + self.timeout
        while True:
            try:
                slot: _Slot | None = self.fair.acquire(job.client, deadline)
            except TooManyError:
                raise too_many_error(self.fair.per_client) from None
            except BusyError:
                raise busy_error(self.timeout) from None
            started = time.monotonic()
            # the reserved lane is for cheap queries: one that outruns it there goes on to a general
            # worker with the rest of its time (its client is no longer light), freeing the lane
            lane = started + self.fair.light_seconds if self.fair.is_reserved(slot) else None
            try:
                slot.conn.send(job.to_message(gen))
                tag, payload = self._wait(slot, deadline, lane)
                break
            except _OverrunError as over:
                self._replace(slot)
                slot = None
                if over.error is None:
                    self.moved += 1
                    continue
                raise over.error from None
            except (EOFError, OSError, BrokenPipeError) as exc:
                self.died += 1
                slot.process.join(timeout=0.5)
                code = slot.process.exitcode
                self._replace(slot)
                slot = None
                detail = f"exit code {code}" if code is not None else str(exc) or type(exc).__name__
                if code == -6:        # SIGABRT: a Rust panic in pyoxigraph that could not unwind
                    detail += ("; pyoxigraph 内部崩溃 / a panic inside pyoxigraph — known with ORDER BY over mixed "
                               "kinds of terms: sort on one kind, e.g. ORDER BY STR(?x)")
                raise worker_died_error(detail) from exc
            finally:
                self.fair.release(job.client, slot, time.monotonic() - started)
        elapsed = round((time.monotonic() - t0) * 1000, 2)
        if tag == "error":
            pos = payload.get("position")
            raise QueryError(payload["zh"], payload["en"], status=int(payload.get("status") or 500),
                             position=tuple(pos) if pos else None)
        return Answer(kind=payload["kind"], truncated=payload["truncated"], count=payload["count"],
                      body=payload.get("body"), table=payload.get("table"), time_ms=elapsed,
                      generation=payload.get("generation"))

    def _wait(self, slot: _Slot, deadline: float, lane: float | None = None) -> tuple[str, Any]:
        """The worker's answer; watches its memory while it works. Raises _OverrunError
        (with no error when the query outran the reserved lane's ``lane`` time)."""
        while True:
            now = time.monotonic()
            left = deadline - now
            if left <= 0:
                self.killed += 1
                raise _OverrunError(timeout_error(self.timeout))
            if lane is not None and now >= lane:
                raise _OverrunError(None)
            if lane is not None:
                left = min(left, lane - now)
            if slot.conn.poll(min(left, 0.05)):
                self.peak_mb = max(self.peak_mb, rss_mb(slot.process.pid))
                return slot.conn.recv()
            used = rss_mb(slot.process.pid)
            self.peak_mb = max(self.peak_mb, used)
            if self.memory_mb and used - slot.baseline_mb > self.memory_mb:
                self.killed_for_memory += 1
                raise _OverrunError(memory_error(self.memory_mb))

    def status(self) -> dict[str, Any]:
        with self._lock:
            slots = list(self._all)
        return {"mode": "local", "store": self.store_dir, "generation": self.generation(),
                "workers": len(slots), "idle": self.fair.status()["free"], "timeout_s": self.timeout,
                "killed_for_timeout": self.killed, "killed_for_memory": self.killed_for_memory,
                "worker_deaths": self.died, "peak_worker_mb": round(self.peak_mb, 1), "moved_off_reserve": self.moved,
                "memory_cap_mb": self.memory_mb, "fair_queue": self.fair.status(),
                "network_sandbox": all(s.info["sandboxed"] for s in ready) if (ready := [s for s in slots if s.info])
                else None,
                "query_store": ready[0].info.get("store") if ready else None}

    def close(self) -> None:
        self._closed = True
        with self._lock:
            slots = list(self._all)
            self._all.clear()
        for s in slots:
            try:
                s.conn.send(None)
            except OSError:
                pass
            s.kill()


class _OverrunError(Exception):
    def __init__(self, error: QueryError | None) -> None:
        self.error = error


# ------------------------------------------------------------------ cache

class Cached(Executor):
    """An LRU cache in front of another executor, keyed by store generation."""

    def __init__(self, inner: Executor, *, max_entries: int = 512, max_bytes: int = 64 << 20) -> None:
        self.inner = inner
        self.timeout = inner.timeout
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._data: OrderedDict[tuple, Answer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def generation(self) -> str | None:
        return self.inner.generation()

    def run(self, job: Job) -> Answer:
        if self.max_entries <= 0:            # CACHE_ENTRIES=0: every request is answered by a worker
            ans = self.inner.run(job)
            with self._lock:
                self.misses += 1
            return ans
        t0 = time.monotonic()
        key = (self.inner.generation(), job.cache_key())
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
                self.hits += 1
        if hit is not None:
            return Answer(kind=hit.kind, truncated=hit.truncated, count=hit.count, body=hit.body, table=hit.table,
                          time_ms=round((time.monotonic() - t0) * 1000, 2), cached=True, generation=hit.generation)
        ans = self.inner.run(job)
        with self._lock:
            self.misses += 1
            if key[0] is not None and ans.size <= self.max_bytes // 8:
                self._data[key] = ans
                self._bytes += ans.size
                while len(self._data) > self.max_entries or self._bytes > self.max_bytes:
                    _, old = self._data.popitem(last=False)
                    self._bytes -= old.size
        return ans

    def status(self) -> dict[str, Any]:
        return {**self.inner.status(), "cache": {"entries": len(self._data), "hits": self.hits, "misses": self.misses,
                                                 "enabled": self.max_entries > 0}}

    def close(self) -> None:
        self.inner.close()


# ------------------------------------------------------------------ one executor per app

def cache_entries(config: Any) -> int:
    """``CACHE_ENTRIES`` (env ``POLICYKG_CACHE_ENTRIES``): the result cache's size; 0 turns it off
    (the benchmark's uncached figures); unset or empty, 512."""
    raw = config.get("CACHE_ENTRIES")
    if raw is None or raw == "":
        return 512
    try:
        return max(0, int(raw))
    except (TypeError, ValueError):
        raise QueryError(f"配置 CACHE_ENTRIES 应为整数（收到 {raw!r}）",
                         f"config CACHE_ENTRIES must be an integer (got {raw!r})", status=500) from None


_LIVE: list[Executor] = []


def create(config: Any) -> Executor:
    """The executor an app's config asks for: a remote endpoint, or the local store."""
    timeout = float(config.get("QUERY_TIMEOUT_S") or 10.0)
    if config.get("ENDPOINT"):
        inner: Executor = RemoteExecutor(config["ENDPOINT"], timeout=timeout,
                                         max_bytes=int(config.get("MAX_REMOTE_BYTES") or 64 << 20))
    else:
        inner = LocalPool(config["STORE_PATH"], workers=int(config.get("QUERY_WORKERS") or 2), timeout=timeout,
                          sandbox=bool(config.get("QUERY_SANDBOX", True)),
                          reserved=int(config.get("QUERY_RESERVED_WORKERS", 1)),
                          per_client=int(config.get("MAX_IN_FLIGHT_PER_CLIENT") or 4),
                          memory_mb=int(config.get("QUERY_MEMORY_MB", 1024)))
    ex = Cached(inner, max_entries=cache_entries(config))
    _LIVE.append(ex)
    return ex


def get(app: Any) -> Executor:
    ext = app.extensions.setdefault("policykg", {})
    ex = ext.get("executor")
    if ex is None:
        with _CREATE_LOCK:
            ex = ext.get("executor")
            if ex is None:
                ex = ext["executor"] = create(app.config)
    return ex


_CREATE_LOCK = threading.Lock()


@atexit.register
def _close_all() -> None:
    for ex in _LIVE:
        try:
            ex.close()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass
