"""A small SPARQL-protocol client: latency per query and throughput under concurrent clients.

Queries are POSTed as ``application/x-www-form-urlencoded`` (``query=…`` plus any extra
protocol parameters) asking for SPARQL JSON results, over keep-alive connections on
loopback. The same client is used for every server so its own cost cancels out.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.parse
from typing import Any

ACCEPT = "application/sparql-results+json"
PARTIAL = 206          # our mark for a 200 answer the server says is incomplete


class Client:
    """One keep-alive connection to one endpoint (reconnects after an error)."""

    def __init__(self, url: str, params: dict[str, str] | None = None, timeout: float = 60) -> None:
        u = urllib.parse.urlsplit(url)
        self.host, self.port, self.path = u.hostname or "127.0.0.1", u.port or 80, u.path or "/"
        self.params, self.timeout = params or {}, timeout
        self.conn: http.client.HTTPConnection | None = None

    def post(self, text: str) -> tuple[int, bytes]:
        body = urllib.parse.urlencode({"query": text, **self.params}).encode("utf-8")
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": ACCEPT}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request("POST", self.path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                if resp.status == 200 and resp.getheader("X-SQL-State"):
                    return PARTIAL, data    # Virtuoso's "anytime" answer: cut off at its time limit
                return resp.status, data
            except (http.client.HTTPException, ConnectionError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def post(url: str, text: str, params: dict[str, str] | None = None, timeout: float = 60) -> tuple[int, bytes]:
    c = Client(url, params, timeout)
    try:
        return c.post(text)
    finally:
        c.close()


def count_rows(data: bytes) -> int | None:
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    if "boolean" in doc:
        return 1
    return len(doc.get("results", {}).get("bindings", []))


def latency(url: str, params: dict[str, str], texts: dict[str, str], samples: int,
            cap_s: float = 60) -> dict[str, dict[str, Any]]:
    """Sequential requests per query: one warm-up (kept as ``first_s``: an uncached answer),
    then up to ``samples`` timed ones.

    A request that takes longer than ``cap_s`` is reported as ``{"timeout_s": cap_s}``;
    sampling stops once a third of the cap is spent on one query.
    """
    out: dict[str, dict[str, Any]] = {}
    for name, text in texts.items():
        client = Client(url, params, cap_s)
        times: list[float] = []
        try:
            t = time.perf_counter()
            status, data = client.post(text)
            first = time.perf_counter() - t
            if status != 200:
                out[name] = {"error": f"HTTP {status}: {data[:200].decode('utf-8', 'replace')}"}
                continue
            rows = count_rows(data)
            if first > cap_s / 3:
                out[name] = {"samples": [first], "rows": rows, "first_s": first, "warmup_only": True}
                continue
            for _ in range(samples):
                t = time.perf_counter()
                status, data = client.post(text)
                times.append(time.perf_counter() - t)
                if status != 200:
                    raise OSError(f"HTTP {status}")
                if sum(times) > cap_s / 3:
                    break
        except TimeoutError:
            out[name] = {"timeout_s": cap_s}
            continue
        except (OSError, http.client.HTTPException) as exc:
            out[name] = {"error": f"{type(exc).__name__}: {exc}", "samples": times}
            continue
        finally:
            client.close()
        out[name] = {"samples": times, "rows": rows, "first_s": first}
    return out


def throughput(url: str, params: dict[str, str], texts: list[str], *, clients: int = 8,
               seconds: float = 10.0, timeout: float = 30, disjoint: bool = False) -> dict[str, Any]:
    """``clients`` threads loop over the queries for ``seconds``; counts answers and errors.

    ``disjoint``: client ``i`` asks texts ``i``, ``i + clients``, … so no two clients ask the
    same text (until the list wraps round: ``wrapped`` says whether it did).
    """
    done = [0] * clients
    errors = [0] * clients
    asked = [0] * clients
    step = clients if disjoint else 1
    stop = time.monotonic() + seconds

    def worker(i: int) -> None:
        c = Client(url, params, timeout)
        k = i
        try:
            while time.monotonic() < stop:
                try:
                    status, _ = c.post(texts[k % len(texts)])
                    if status == 200:
                        done[i] += 1
                    else:
                        errors[i] += 1
                except (OSError, http.client.HTTPException):
                    errors[i] += 1
                k += step
                asked[i] += 1
        finally:
            c.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + timeout + 5)
    elapsed = time.monotonic() - t0
    out = {"requests": sum(done), "errors": sum(errors), "seconds": elapsed, "rps": sum(done) / elapsed}
    if disjoint:
        out.update(texts=len(texts), wrapped=sum(asked) > len(texts))
    return out
