"""In-process engines: the project's store, a bare in-memory pyoxigraph Store, plain rdflib.

Each ``time_*`` function returns ``{name: {"samples": [s…], "rows": n}}`` or, for a query
that failed or ran out of time, ``{"error": "…"}`` / ``{"timeout_s": X}``.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pyoxigraph import QueryBoolean, QueryTriples, RdfFormat, Store, Variable

from policykg import queries
from policykg.namespaces import prefixes
from policykg.store import open_read_only

from .workload import Item

Timings = dict[str, dict[str, Any]]


def _timed(fn, samples: int, warmup: int = 1) -> dict[str, Any]:
    try:
        for _ in range(warmup):
            rows = fn()
        out = []
        for _ in range(samples):
            t = time.perf_counter()
            rows = fn()
            out.append(time.perf_counter() - t)
    except Exception as exc:  # noqa: BLE001 - a failing query is a finding, not a crash
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"samples": out, "rows": rows}


def time_store(store_dir: Path, items: list[Item], samples: int) -> Timings:
    """Each query as ``policykg query`` runs it: ``queries.run`` on the read-only store."""
    store = open_read_only(store_dir)

    def run(item: Item) -> int:
        res = queries.run(store, item.text, substitutions=item.substitutions or None)
        return len(res.rows) if res.kind == "select" else (len(res.triples) if res.kind == "graph" else 1)

    return {it.name: _timed(lambda it=it: run(it), samples) for it in items}


def load_memory(nquads: Path) -> tuple[Store, float]:
    t = time.perf_counter()
    store = Store()
    store.bulk_load(path=str(nquads), format=RdfFormat.N_QUADS)
    return store, time.perf_counter() - t


def time_oxigraph(store: Store, items: list[Item], samples: int) -> Timings:
    """The same query text and substitutions straight on pyoxigraph, results fully read.

    The dump carries the store's default graph (the materialized merge of the named
    graphs), so the default graph here answers exactly as the project's store does.
    """
    pre = prefixes()

    def run(item: Item) -> int:
        res = store.query(item.text, prefixes=pre,
                          substitutions={Variable(k): v for k, v in item.substitutions.items()} or None)
        if isinstance(res, QueryBoolean):
            return 1
        if isinstance(res, QueryTriples):
            return sum(1 for _ in res)
        n = 0
        for sol in res:
            tuple(sol)
            n += 1
        return n

    return {it.name: _timed(lambda it=it: run(it), samples) for it in items}


class RdflibWorker:
    """Plain rdflib in a child process (see ``rdflib_worker``); restarted after a timeout."""

    def __init__(self, nquads: Path, load_timeout_s: float) -> None:
        self.nquads, self.load_timeout_s = nquads, load_timeout_s
        self.proc: subprocess.Popen[str] | None = None
        self.load_s: float | None = None
        self.triples: int | None = None
        self.failed: str | None = None

    def _start(self) -> None:
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.rdflib_worker", str(self.nquads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
            cwd=Path(__file__).resolve().parent.parent, env=env)
        msg = self._read(self.load_timeout_s)
        if msg is None:
            self.stop()
            self.failed = f">{self.load_timeout_s:.0f}s to load"
        else:
            self.load_s, self.triples = msg["load_s"], msg["triples"]

    def _read(self, timeout: float) -> dict | None:
        assert self.proc and self.proc.stdout
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.proc.stdout.readline()
        return json.loads(line) if line else {"error": "rdflib worker exited"}

    def query(self, item: Item, repeat: int, timeout_s: float) -> dict[str, Any]:
        if self.failed:
            return {"timeout_s": self.load_timeout_s, "error": self.failed}
        if self.proc is None:
            self._start()
            if self.failed:
                return {"timeout_s": self.load_timeout_s, "error": self.failed}
        assert self.proc and self.proc.stdin
        # one warm-up is not worth it here: rdflib's first run is representative and slow
        self.proc.stdin.write(json.dumps({"text": item.portable, "repeat": repeat, "budget_s": timeout_s}) + "\n")
        self.proc.stdin.flush()
        msg = self._read(timeout_s + 5)
        if msg is None:
            self.stop()
            return {"timeout_s": timeout_s}
        return msg

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def time_rdflib(nquads: Path, items: list[Item], repeat: int, timeout_s: float,
                load_timeout_s: float) -> tuple[Timings, dict[str, Any]]:
    worker = RdflibWorker(nquads, load_timeout_s)
    try:
        out = {it.name: worker.query(it, repeat, timeout_s) for it in items}
    finally:
        worker.stop()
    return out, {"load_s": worker.load_s, "triples": worker.triples, "failed": worker.failed}
