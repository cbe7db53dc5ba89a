"""Hostile traffic against a running endpoint: a seeded fuzzer and a fairness probe (issue 19).

``fuzz(url, n, seed)`` sends ``n`` generated requests (mutated valid queries, SERVICE in
many spellings, deep nesting, long texts, escapes, bad dataset IRIs, random bytes and
content types, odd methods) from a few threads and returns a table: responses by status,
the worst time to refuse (4xx) and to answer, and the worst response at or above 500 that
is not a 503. ``fairness(url, …)`` runs hostile clients (heavy queries, each its own
address via ``X-Forwarded-For`` is *not* trusted, so each hostile client is a loopback
alias 127.0.0.N) and a probe client's cheap query, and prints the probe's p50/p95.

    python -m benchmarks.hostile --store STORE [--requests 2000] [--fair-seconds 30]

It starts ``policykg serve`` itself on a free port (timeout 5 s) over STORE.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import threading
import time
from collections import Counter
from typing import Any
from urllib.parse import urlencode, urlparse

VALID = [
    "SELECT * WHERE { ?s ?p ?o } LIMIT 5",
    "ASK { ?s ?p ?o }",
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    "PREFIX foaf: <http://xmlns.com/foaf/0.1/> SELECT ?n WHERE { ?x foaf:name ?n } ORDER BY ?n",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), \"a\")) } LIMIT 3",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?r } } LIMIT 3",
    "DESCRIBE ?s WHERE { ?s ?p ?o } LIMIT 1",
    "SELECT * WHERE { VALUES ?x { 1 2 3 } BIND(?x * 2 AS ?y) }",
    "PREFIX foaf: <http://xmlns.com/foaf/0.1/> SELECT * WHERE { ?X foaf:knows* ?Y } ORDER BY ?X ?Y",
]
SERVICE = ["SERVICE", "service", "SeRvIcE", "trueSERVICE", "1SERVICE", "SERVICE# c\n", "SERVICE SILENT"]
PIECES = ["{", "}", "(", ")", "[", "]", "<", ">", "\"", "'", "\"\"\"", "#", "\\u0041", "\\U0001F600", "\\", "?x",
          "$y", "_:b", "@en", "^^", "a", "ex:", ":", ".", ";", ",", "*", "!", "-", "+", "\r", "\n", "\t", "\u00a0",
          "\u3000", "\x00", "FILTER", "SELECT", "WHERE", "GRAPH", "FROM", "NAMED", "BASE", "PREFIX", "INSERT", "LOAD",
          "<http://x/\\u0041#>", "<data.ttl>", "<file:///etc/passwd>", "<http://127.0.0.1:9/>", "服务事项", "'''"]
CTYPES = ["application/sparql-query", "application/x-www-form-urlencoded", "application/sparql-update", "text/plain",
          "", "application/sparql-query; charset=latin-1", "multipart/form-data; boundary=x"]
ACCEPTS = ["application/sparql-results+json", "text/csv", "text/turtle", "*/*", "application/rdf+xml", "x/y", ""]


def generate(rng: random.Random) -> dict[str, Any]:
    """One request: method, path, params, body, headers."""
    kind = rng.random()
    q = rng.choice(VALID)
    if kind < 0.35:                                     # a mutated valid query
        for _ in range(rng.randint(1, 6)):
            at = rng.randint(0, len(q))
            q = q[:at] + rng.choice(PIECES) + q[at + rng.choice((0, 0, 1, 3)):]
    elif kind < 0.5:                                    # SERVICE somewhere
        q = (f"SELECT * WHERE {{ BIND(<http://x/\\u0041#> AS ?z) {rng.choice(SERVICE)} "
             f"<http://127.0.0.1:9/x> {{ ?s ?p ?o }} \n}}")
    elif kind < 0.6:                                    # deep nesting
        o, c = rng.choice([("{", "}"), ("(", ")"), ("[ ?p ", "]"), ("{ SELECT * WHERE ", "}"), ("!", "")])
        n = rng.choice((10, 70, 500, 3000))
        inner = "true" if o == "!" else ""
        q = "SELECT * WHERE { FILTER(" + o * n + inner + c * n + ") }" if o in "(!" else \
            "SELECT * WHERE " + o * n + "{}" + c * n
    elif kind < 0.7:                                    # long text
        q = rng.choice(("a-", "a.", "\"\\\"", "<a", "?a", "# x\n")) * rng.choice((1000, 16000, 40000))
    elif kind < 0.8:                                    # random pieces
        q = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40)))
    params: dict[str, str] = {}
    if rng.random() < 0.15:
        params[rng.choice(("default-graph-uri", "named-graph-uri"))] = rng.choice(
            ("not an iri", "http://a b", "rel", "http://kasei.us/2009/09/sparql/data/data1.rdf", "", "http://e/\u3000"))
    headers = {"Accept": rng.choice(ACCEPTS)}
    route = rng.random()
    if route < 0.4:
        return {"method": "GET", "path": "/sparql", "params": {"query": q, **params}, "body": None, "headers": headers}
    if route < 0.5:
        return {"method": "GET", "path": "/api/query.json", "params": {"query": q, **params}, "body": None,
                "headers": headers}
    if route < 0.55:
        body = bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
        return {"method": "POST", "path": "/sparql", "params": params, "body": body,
                "headers": {**headers, "Content-Type": rng.choice(CTYPES)}}
    if route < 0.6:
        return {"method": rng.choice(("PUT", "DELETE", "PATCH")), "path": "/sparql", "params": {}, "body": b"x",
                "headers": headers}
    if route < 0.65:
        return {"method": "GET", "path": "/api/validation", "params": {"region": rng.choice(("x", "999999", "3308"))},
                "body": None, "headers": headers}
    ctype = rng.choice(CTYPES[:2])
    body = q.encode("utf-8", "surrogatepass") if ctype == CTYPES[0] else urlencode({"query": q, **params}).encode()
    return {"method": "POST", "path": "/sparql" if ctype == CTYPES[0] else "/sparql", "params": params if
            ctype == CTYPES[0] else {}, "body": body, "headers": {**headers, "Content-Type": ctype}}


def send(url: str, req: dict[str, Any], timeout: float = 30.0) -> tuple[int, float]:
    u = urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    path = req["path"] + ("?" + urlencode(req["params"]) if req["params"] else "")
    t0 = time.monotonic()
    try:
        conn.request(req["method"], path, body=req["body"], headers={k: v for k, v in req["headers"].items() if v})
        resp = conn.getresponse()
        resp.read()
        return resp.status, time.monotonic() - t0
    except (OSError, http.client.HTTPException):
        return -1, time.monotonic() - t0            # connection refused/reset: the server is in trouble
    finally:
        conn.close()


def fuzz(url: str, n: int = 2000, seed: int = 19, threads: int = 4) -> dict[str, Any]:
    rng = random.Random(seed)
    reqs = [generate(rng) for _ in range(n)]
    statuses: Counter[int] = Counter()
    worst_refusal = worst_answer = 0.0
    bad: list[tuple[int, dict[str, Any]]] = []
    lock = threading.Lock()
    it = iter(reqs)

    def loop() -> None:
        nonlocal worst_refusal, worst_answer
        while True:
            with lock:
                req = next(it, None)
            if req is None:
                return
            status, seconds = send(url, req)
            with lock:
                statuses[status] += 1
                if 400 <= status < 500:
                    worst_refusal = max(worst_refusal, seconds)
                else:
                    worst_answer = max(worst_answer, seconds)
                if status >= 500 and status != 503 or status < 0:
                    bad.append((status, req))

    pool = [threading.Thread(target=loop) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return {"requests": n, "statuses": dict(sorted(statuses.items())), "worst_refusal_s": round(worst_refusal, 3),
            "worst_answer_s": round(worst_answer, 3), "bad": bad}


HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def fairness(host: str, port: int, seconds: float = 30.0, hostile: int = 4, warmup: float = 5.0) -> dict[str, Any]:
    """``hostile`` clients (127.0.0.2…) loop heavy queries; the probe (127.0.0.99) a cheap one each 0.25 s.

    Before their first query has run, hostile clients look like anyone else and may take the
    reserved worker: the p95 is given over the whole run and over probes sent after ``warmup``
    seconds (one query timeout), when the fair queue knows who is heavy."""
    import socket

    begin = time.monotonic()
    stop = begin + seconds
    probe: list[float] = []
    steady: list[float] = []      # probes sent after the first ``warmup`` seconds
    codes: Counter[str] = Counter()

    def request(src: str, query: str) -> tuple[int, float]:
        t0 = time.monotonic()
        try:
            sock = socket.create_connection((host, port), timeout=30, source_address=(src, 0))
            conn = http.client.HTTPConnection(host, port, timeout=30)
            conn.sock = sock
            conn.request("GET", "/sparql?" + urlencode({"query": query}))
            resp = conn.getresponse()
            resp.read()
            conn.close()
            return resp.status, time.monotonic() - t0
        except OSError:
            return -1, time.monotonic() - t0

    def attacker(i: int) -> None:
        while time.monotonic() < stop:
            status, _ = request(f"127.0.0.{i + 2}", HEAVY + f" # {i} {time.monotonic()}")
            codes[f"hostile {status}"] += 1

    def prober() -> None:
        k = 0
        while time.monotonic() < stop:
            k += 1
            sent = time.monotonic()
            status, s = request("127.0.0.99", f"ASK {{ ?s ?p {k} }}")     # distinct text: never a cache hit
            codes[f"probe {status}"] += 1
            probe.append(s)
            if sent - begin >= warmup:
                steady.append(s)
            time.sleep(0.25)

    ths = [threading.Thread(target=attacker, args=(i,)) for i in range(hostile)] + [threading.Thread(target=prober)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    series = [round(x, 2) for x in probe]
    probe.sort()
    p95 = probe[min(len(probe) - 1, int(0.95 * len(probe)))] if probe else float("nan")
    steady.sort()
    p95_steady = steady[min(len(steady) - 1, int(0.95 * len(steady)))] if steady else float("nan")
    return {"probe_requests": len(probe), "probe_p95_after_warmup_s": round(p95_steady, 3), "probe_p50_s": round(statistics.median(probe), 3) if probe else None,
            "probe_p95_s": round(p95, 3), "probe_max_s": round(probe[-1], 3) if probe else None,
            "codes": dict(sorted(codes.items())), "probe_series_s": series}


def main() -> None:
    import subprocess
    import sys
    import urllib.request

    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--fair-seconds", type=float, default=30.0)
    ap.add_argument("--timeout", type=float, default=5.0)
    args = ap.parse_args()
    sock = __import__("socket").socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    env = {**__import__("os").environ, "POLICYKG_RATE_LIMIT_PER_MIN": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "policykg.cli", "serve", "--store", args.store, "--port", str(port),
                             "--timeout", str(args.timeout)], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(url + "/sparql?query=ASK%7B%7D", timeout=5).read()
                status = json.loads(urllib.request.urlopen(url + "/api/status").read())
                if status.get("workers", 0) >= 4:          # 2 general + 1 reserved + the standby
                    break
            except OSError:
                pass
            time.sleep(0.5)
        t0 = time.monotonic()
        result = fuzz(url, args.requests, args.seed)
        took = time.monotonic() - t0
        status = json.loads(urllib.request.urlopen(url + "/api/status").read())
        print("## fuzz")
        print(f"| requests | {result['requests']} | seconds | {took:.1f} |")
        for code, count in result["statuses"].items():
            print(f"| HTTP {code} | {count} |")
        print(f"| worst time to refuse (4xx) | {result['worst_refusal_s']} s |")
        print(f"| worst time to answer (other) | {result['worst_answer_s']} s |")
        print(f"| responses >= 500 other than 503 | {len(result['bad'])} |")
        print(f"| peak worker memory | {status.get('peak_worker_mb')} MB |")
        print(f"| worker deaths / killed for time / for memory | {status.get('worker_deaths')} / "
              f"{status.get('killed_for_timeout')} / {status.get('killed_for_memory')} |")
        alive = urllib.request.urlopen(url + "/sparql?query=ASK%7B%7D", timeout=10).status
        print(f"| server alive at the end | {alive == 200} |")
        if args.fair_seconds > 0:
            fair = fairness("127.0.0.1", port, args.fair_seconds)
            print("## fairness: 4 hostile clients (heavy queries in a loop), one probe client")
            for k, v in fair.items():
                print(f"| {k} | {v} |")
            status = json.loads(urllib.request.urlopen(url + "/api/status").read())
            print(f"| peak worker memory | {status.get('peak_worker_mb')} MB |")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
