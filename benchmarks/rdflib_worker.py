"""A plain rdflib engine in its own process, so the runner can cap each query with a timeout.

Protocol (one JSON object per line): the worker loads the N-Quads file (the store's dump:
named graphs plus the default graph, which the store materializes as their merge) into an
in-memory ``Dataset`` and
prints ``{"ready": true, "load_s": …, "triples": …}``; then for each request
``{"text": …, "repeat": n, "budget_s": b}`` on stdin it answers
``{"samples": [seconds…], "rows": n}`` (repeats stop once ``budget_s`` is spent) or
``{"error": "…"}``. The parent kills the process when a query overruns.
"""

from __future__ import annotations

import json
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
        samples: list[float] = []
        rows = 0
        try:
            for _ in range(max(1, int(req.get("repeat", 1)))):
                t = time.perf_counter()
                res = ds.query(req["text"])
                rows = len(list(res)) if res.type == "SELECT" or res.type == "CONSTRUCT" else 1
                samples.append(time.perf_counter() - t)
                if sum(samples) > float(req.get("budget_s", 30)):
                    break
        except Exception as exc:  # noqa: BLE001 - any engine failure is reported, not fatal
            _send({"error": f"{type(exc).__name__}: {exc}"})
            continue
        _send({"samples": samples, "rows": rows})
    return 0


def _send(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
