"""policykg against the fastest peer, uncached, with wrong answers left out.

For each catalogue query the *fastest peer* is the quicker of the Oxigraph server and
Virtuoso **among those whose answer is right**: a peer's answer is wrong when its row count
differs from the project's store (whose answers the tests check against the document; the
bare pyoxigraph Store and the Oxigraph server agree with it on every query). A peer that
errors, times out or answers wrongly is left out of that query's comparison; a query no
peer answers rightly is left out of the geometric mean (and listed).

The ratio is policykg's uncached HTTP median (``policykg serve`` with its result cache off,
``POLICYKG_CACHE_ENTRIES=0``) over the fastest right peer's median, same client, same run.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

PEERS = ("oxigraph-server", "virtuoso")


def median_ms(entry: dict[str, Any] | None) -> float | None:
    """An HTTP latency entry's median in ms; None when it errored or ran over its cap."""
    if not entry or "timeout_s" in entry or "error" in entry or not entry.get("samples"):
        return None
    return statistics.median(entry["samples"]) * 1000


def wrong_answers(names: list[str], store: dict[str, dict], http: dict[str, dict]) -> list[dict[str, Any]]:
    """Every (query, engine) whose row count is not the store's, or that gave no answer."""
    out = []
    for n in names:
        want = store.get(n, {}).get("rows")
        for eng in PEERS:
            e = http.get(eng, {}).get("latency", {}).get(n)
            if e is None or want is None:
                continue
            got = e.get("rows")
            if "error" in e or "timeout_s" in e:
                out.append({"query": n, "engine": eng, "store_rows": want,
                            "got": "timeout" if "timeout_s" in e else "error", "detail": str(e.get("error", ""))[:160]})
            elif got != want:
                out.append({"query": n, "engine": eng, "store_rows": want, "got": got})
    return out


def compare(names: list[str], store: dict[str, dict], http: dict[str, dict],
            mine: str = "policykg-uncached") -> dict[str, Any]:
    """Per query: policykg's uncached median, the fastest right peer and the ratio; and the geomean."""
    wrong = {(w["query"], w["engine"]) for w in wrong_answers(names, store, http)}
    per: dict[str, dict[str, Any]] = {}
    logs: list[float] = []
    excluded: list[str] = []
    for n in names:
        me = median_ms(http.get(mine, {}).get("latency", {}).get(n))
        peers = {eng: median_ms(http.get(eng, {}).get("latency", {}).get(n)) for eng in PEERS
                 if (n, eng) not in wrong}
        peers = {k: v for k, v in peers.items() if v is not None}
        if me is None or not peers:
            excluded.append(n)
            per[n] = {"policykg_ms": me, "peer": None, "peer_ms": None, "ratio": None}
            continue
        peer = min(peers, key=peers.__getitem__)
        ratio = me / peers[peer]
        logs.append(math.log(ratio))
        per[n] = {"policykg_ms": round(me, 2), "peer": peer, "peer_ms": round(peers[peer], 2), "ratio": round(ratio, 3)}
    geo = math.exp(sum(logs) / len(logs)) if logs else None
    worst = max((n for n in per if per[n]["ratio"] is not None), key=lambda n: per[n]["ratio"], default=None)
    return {"geomean": None if geo is None else round(geo, 3), "queries": len(logs), "excluded": excluded,
            "worst": worst, "worst_ratio": per[worst]["ratio"] if worst else None, "per_query": per}
