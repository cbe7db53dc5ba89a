"""In-process engines: the project's store, a bare in-memory pyoxigraph Store, plain rdflib.

"In-process" means the query runs through the library, without HTTP. Each engine still
lives in a child process so that a pathological query can be stopped: pyoxigraph and
rdflib cannot interrupt a running query, so the parent waits at most ``timeout_s`` and
kills the child (restarting it for the next query). Each ``time_*`` function returns
``{name: {"samples": [s…], "rows": n}}``, or ``{"timeout_s": X}`` / ``{"error": "…"}``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .workload import Item

Timings = dict[str, dict[str, Any]]
_CTX = multiprocessing.get_context("spawn")


# ------------------------------------------------------------------ child side

def _open(kind: str, arg: str):
    """The engine a child serves, its opening time and how it holds the data.

    ``store``: what the server's query workers query (``store.open_for_queries``: an in-memory
    copy of the generation when it fits, else RocksDB); ``store-disk``: the RocksDB files, as a
    one-shot ``policykg query`` reads them; ``oxigraph``: a bare Store loaded from N-Quads.
    """
    if kind == "store":
        from policykg.graph.store import open_for_queries

        t = time.perf_counter()
        store, mode = open_for_queries(arg)
        return store, time.perf_counter() - t, mode
    if kind == "store-disk":
        from policykg.graph.store import open_read_only

        return open_read_only(arg), 0.0, "disk"
    from pyoxigraph import RdfFormat, Store

    t = time.perf_counter()
    store = Store()
    store.bulk_load(path=arg, format=RdfFormat.N_QUADS)
    return store, time.perf_counter() - t, "memory"


def _runner(kind: str, store):
    if kind in ("store", "store-disk"):
        from policykg.sparql import queries

        def run(item: Item) -> int:
            """Exactly what ``policykg query`` does: ``queries.run`` on the read-only store."""
            res = queries.run(store, item.text, substitutions=item.substitutions or None)
            return len(res.rows) if res.kind == "select" else (len(res.triples) if res.kind == "graph" else 1)

        return run

    from pyoxigraph import QueryBoolean, QueryTriples

    from policykg.core.namespaces import prefixes
    from policykg.sparql.binding import inline

    pre = prefixes()

    def run_bare(item: Item) -> int:
        """The same text, parameters written in as ``queries.run`` writes them, straight on pyoxigraph.

        The dump carries the store's default graph (the materialized merge of the named
        graphs), so the default graph answers exactly as the project's store does.
        """
        res = store.query(inline(item.text, item.substitutions), prefixes=pre)
        if isinstance(res, QueryBoolean):
            return 1
        if isinstance(res, QueryTriples):
            return sum(1 for _ in res)
        n = 0
        for sol in res:
            tuple(sol)
            n += 1
        return n

    return run_bare


def _child(conn, kind: str, arg: str) -> None:
    store, load_s, mode = _open(kind, arg)
    run = _runner(kind, store)
    conn.send({"ready": True, "load_s": load_s, "mode": mode})
    while True:
        try:
            req = conn.recv()
        except EOFError:
            return
        item, samples, budget = req
        try:
            t = time.perf_counter()
            rows = run(item)                    # warm-up (and the row count)
            first = time.perf_counter() - t
            out: list[float] = []
            if first > budget:                  # too slow to repeat: the one run is the sample
                conn.send({"samples": [first], "rows": rows, "warmup_only": True})
                continue
            for _ in range(samples):
                t = time.perf_counter()
                run(item)
                out.append(time.perf_counter() - t)
                if sum(out) > budget:
                    break
            conn.send({"samples": out, "rows": rows})
        except Exception as exc:  # noqa: BLE001 - a failing query is a finding, not a crash
            conn.send({"error": f"{type(exc).__name__}: {exc}"})


# ------------------------------------------------------------------ parent side

class Isolated:
    """One engine in a child process; restarted after a query overran its timeout."""

    def __init__(self, kind: str, arg: Path, load_timeout_s: float = 1200) -> None:
        self.kind, self.arg, self.load_timeout_s = kind, str(arg), load_timeout_s
        self.proc: Any = None
        self.conn: Any = None
        self.load_s: float | None = None
        self.mode: str | None = None
        self.failed: str | None = None

    def _start(self) -> None:
        parent, child = _CTX.Pipe()
        self.proc = _CTX.Process(target=_child, args=(child, self.kind, self.arg), daemon=True)
        self.proc.start()
        child.close()
        self.conn = parent
        if not parent.poll(self.load_timeout_s):
            self.stop()
            self.failed = f">{self.load_timeout_s:.0f}s to open"
            return
        try:
            msg = parent.recv()
            self.load_s = self.load_s if self.load_s is not None else msg["load_s"]   # the first opening
            self.mode = msg["mode"]
        except EOFError:
            self.stop()
            self.failed = "engine process died while opening"

    def time(self, item: Item, samples: int, timeout_s: float) -> dict[str, Any]:
        if self.proc is None and not self.failed:
            self._start()
        if self.failed:
            return {"error": self.failed}
        self.conn.send((item, samples, timeout_s / 3))
        if not self.conn.poll(timeout_s):
            self.stop()
            return {"timeout_s": timeout_s}
        try:
            return self.conn.recv()
        except EOFError:
            self.stop()
            return {"error": "engine process died (out of memory?)"}

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.join()
            self.proc = self.conn = None


def time_isolated(kind: str, arg: Path, items: list[Item], samples: int, timeout_s: float,
                  log=lambda msg: None) -> tuple[Timings, dict[str, Any]]:
    """Time every item on one engine ('store' / 'store-disk' = the project's store dir, 'oxigraph' = N-Quads)."""
    eng = Isolated(kind, arg)
    out: Timings = {}
    try:
        for it in items:
            out[it.name] = eng.time(it, samples, timeout_s)
            if "timeout_s" in out[it.name]:
                log(f"{kind}: {it.name} ran over {timeout_s:.0f} s")
    finally:
        eng.stop()
    return out, {"load_s": eng.load_s, "mode": eng.mode, "failed": eng.failed}


class RdflibWorker:
    """Plain rdflib in a child process (see ``rdflib_worker``: it caps each query itself)."""

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
        if msg is None or "error" in msg:
            self.stop()
            self.failed = f">{self.load_timeout_s:.0f}s to load" if msg is None else msg["error"]
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
        if self.proc is None and not self.failed:
            self._start()
        if self.failed:
            return {"error": self.failed}
        assert self.proc and self.proc.stdin
        self.proc.stdin.write(json.dumps({"text": item.portable, "repeat": repeat, "budget_s": timeout_s / 2,
                                          "timeout_s": timeout_s}) + "\n")
        self.proc.stdin.flush()
        msg = self._read(timeout_s + 30)       # the worker enforces the cap; this is a backstop
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
                load_timeout_s: float, log=lambda msg: None) -> tuple[Timings, dict[str, Any]]:
    worker = RdflibWorker(nquads, load_timeout_s)
    out: Timings = {}
    try:
        for it in items:
            out[it.name] = worker.query(it, repeat, timeout_s)
            if "timeout_s" in out[it.name]:
                log(f"rdflib: {it.name} ran over {timeout_s:.0f} s")
    finally:
        worker.stop()
    return out, {"load_s": worker.load_s, "triples": worker.triples, "failed": worker.failed}
