"""A plain rdflib engine in its own process, so the runner can cap each query with a timeout.

Protocol (one JSON object per line): the worker loads the N-Quads file (the store's dump:
named graphs plus the default graph, which the store materializes as their merge) into an
in-memory ``Dataset`` and
prints ``{"ready": true, "load_s": …, "triples": …}``; then for each request
``{"text": …, "repeat": n, "budget_s": b}`` on stdin it answers
``{"samples": [seconds…], "rows": n}`` (repeats stop once ``budget_s`` is spent),
``{"timeout_s": X}`` when the query ran over its cap, or ``{"error": "…"}``. Each request
runs in a fork, so the data are loaded once however many queries time out.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import time


def main(path: str) -> int:
    import rdflib

    t0 = time.perf_counter()
    ds = rdflib.Dataset()
    ds.parse(path, format="nquads")
    triples = sum(len(g) for g in ds.graphs())
    _send({"ready": True, "load_s": time.perf_counter() - t0, "triples": triples})
    for line in sys.stdin:
        req = json.loads(line)
        _send(_forked(ds, req))
    return 0


def _forked(ds, req: dict) -> dict:
    """Run one request in a forked copy of this process (the graph is shared copy-on-write),
    so a query over its cap is killed without reloading the data."""
    cap = float(req.get("timeout_s", 60))
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:                                  # child
        os.close(r)
        try:
            out = _run(ds, req)
        except BaseException as exc:  # noqa: BLE001 - any failure is reported to the parent
            out = {"error": f"{type(exc).__name__}: {exc}"}
        with os.fdopen(w, "w") as fh:
            fh.write(json.dumps(out))
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as fh:
        ready, _, _ = select.select([fh], [], [], cap)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return {"timeout_s": cap}
        data = fh.read()
    os.waitpid(pid, 0)
    return json.loads(data) if data else {"error": "rdflib query process died"}


def _run(ds, req: dict) -> dict:
    samples: list[float] = []
    rows = 0
    for _ in range(max(1, int(req.get("repeat", 1)))):
        t = time.perf_counter()
        res = ds.query(req["text"])
        rows = len(list(res)) if res.type in ("SELECT", "CONSTRUCT", "DESCRIBE") else 1
        samples.append(time.perf_counter() - t)
        if sum(samples) > float(req.get("budget_s", 30)):
            break
    return {"samples": samples, "rows": rows}


def _send(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
