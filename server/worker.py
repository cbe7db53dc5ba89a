"""A query worker process: opens the store read-only and answers jobs from a pipe.

The worker queries an in-memory copy of the current generation when it fits
(:func:`policykg.graph.store.open_for_queries`, ``POLICYKG_QUERY_STORE``), else the RocksDB files.

pyoxigraph has no query timeout, so the server runs queries here and kills a worker
that overruns (:mod:`server.executor`). Before importing pyoxigraph the worker drops its
network (a new, empty network namespace via ``unshare``; best effort, reported to the
parent): even a SERVICE clause the tokenizer missed could not reach another server. The
worker also runs the guard (:func:`policykg.sparql.guard.check_query`) on the text it executes, so a
job that reached it by another route is refused the same way, sandbox or not.
Keep this module's imports light: it is imported in a freshly spawned interpreter.
"""

from __future__ import annotations

import ctypes
import functools
import json
import os
import threading
import time
from typing import Any

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def drop_network() -> bool:
    """Move this (still single-threaded) process into a new network namespace."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return True
    return False


class Reader:
    """The store this worker queries, and how it holds it.

    At start the worker copies the generation into memory before it says it is ready. When
    a build or load publishes a new generation, the next job is answered from the new RocksDB
    files at once while a thread makes the memory copy (about 5 s at 101 regions): a query
    never waits for the copy, nor hits its timeout because of it.
    """

    def __init__(self, store_dir: str) -> None:
        self.store_dir = store_dir
        self.store: Any = None
        self.generation: str | None = None
        self.mode = "disk"
        self._lock = threading.Lock()

    def open(self, *, wait: bool) -> None:
        # imported after drop_network(): the spawned worker must unshare while single-threaded (module docstring)
        from policykg.graph import store as pkstore

        generation = pkstore.generation_name(self.store_dir)
        disk = pkstore.open_read_only(self.store_dir)
        with self._lock:
            self.store, self.generation, self.mode = disk, generation, "disk"
        if not pkstore.wants_memory(self.store_dir):
            return
        if wait:
            self._copy(generation, disk)
        else:
            threading.Thread(target=self._copy, args=(generation, disk), daemon=True,
                             name="policykg-memory-copy").start()

    def _copy(self, generation: str | None, disk: Any) -> None:
        # imported after drop_network(): the spawned worker must unshare while single-threaded (module docstring)
        from policykg.graph import store as pkstore

        mem = pkstore.copy_to_memory(disk)
        with self._lock:
            if self.generation == generation:      # not overtaken by a newer generation
                self.store, self.mode = mem, "memory"


def main(conn: Any, store_dir: str, sandbox: bool = True) -> None:
    sandboxed = drop_network() if sandbox else False
    # imported after drop_network(): the spawned worker must unshare while single-threaded (module docstring)
    from policykg import pool
    from policykg.core.errors import PolicyKGError
    from policykg.sparql import queries
    from policykg.sparql.guard import check_query  # again here, on the very text run (and when unsandboxed)
    from policykg.sparql.order import total_order

    reader = Reader(store_dir)
    try:   # open (and, for a store that fits, copy into memory) before saying ready
        reader.open(wait=True)
    except PolicyKGError:
        pass     # no store yet: the first job reports it
    try:
        conn.send(("ready", {"pid": os.getpid(), "sandboxed": sandboxed, "store": reader.mode}))
    except OSError:
        return   # the server stopped (or replaced this worker) while it was starting: nothing to say
    for job in pool.jobs(conn):
        t0 = time.monotonic()
        shift = 0
        try:
            if reader.store is None or job.get("generation") != reader.generation:
                reader.open(wait=False)      # a new generation: its files now, its memory copy soon
            store, opened = reader.store, reader.generation
            if job.get("as_of"):              # the versions current then, built once per set of versions
                from policykg.asof import snapshot

                store = snapshot(store_dir, job["as_of"])
            text, shift = job["text"], 0
            check_query(text, job.get("base"))
            if job.get("base"):
                # the service-defined base IRI (SPARQL 1.1 Protocol: it MAY be the endpoint); on
                # line 1 so line numbers stay; a BASE in the query still wins (it comes later)
                prologue = f"BASE <{job['base']}> "
                text, shift = prologue + text, len(prologue)
            fmt = job.get("fmt", "json")
            args = {"substitutions": job.get("substitutions") or None, "default_graph": job.get("default_graph") or None,
                    "named_graphs": job.get("named_graphs") or None, "max_rows": job.get("max_rows")}
            # SPARQL JSON, the protocol's usual answer: serialized by pyoxigraph when it is a SELECT
            run = functools.partial(queries.run_json if fmt == "json" else queries.run, store, **args)
            ordered = total_order(text)     # ORDER BY keys pyoxigraph can sort without aborting
            try:
                res = run(ordered)
            except PolicyKGError as exc:
                if ordered == text or getattr(exc, "status", None) != 400:
                    raise
                res = run(text)             # a syntax error: reported on the user's own text
            if isinstance(res, tuple):
                out = {"kind": "select", "truncated": False, "count": res[1], "body": res[0]}
            else:
                out = encode(res, fmt)
            out["generation"] = opened
            out["engine_ms"] = round((time.monotonic() - t0) * 1000, 2)
            conn.send(("ok", out))
        except PolicyKGError as exc:
            err = error_dict(exc)
            if shift and err.get("position") and err["position"][0] == 1:
                line, col = err["position"]
                err["position"] = (1, max(1, col - shift))
                for k in ("zh", "en"):
                    err[k] = err[k].replace(f"1:{col}", f"1:{col - shift}", 1)
            conn.send(("error", err))
        except Exception as exc:  # noqa: BLE001 - report, never die silently
            conn.send(("error", {"zh": f"查询执行出错：{exc}", "en": f"query failed: {exc}", "status": 500}))
        except BaseException as exc:  # noqa: BLE001 - a Rust panic (pyo3 PanicException) is a BaseException
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            conn.send(("error", engine_panic(exc)))


def engine_panic(exc: BaseException) -> dict[str, Any]:
    """A panic raised into Python by pyoxigraph: the worker lives on, the client gets 503.

    A panic on one of pyoxigraph's own threads cannot unwind into Python and aborts the
    worker instead (pyoxigraph 0.5.13: ORDER BY after ``?X foaf:knows* ?Y``, see
    scripts/pyoxigraph_repro.py); the executor then answers 503 naming it and starts a new one.
    """
    text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
    hint_zh = "；若查询含 ORDER BY，请按单一类型排序（如 ORDER BY STR(?x)）" if "total order" in text else ""
    hint_en = "; with ORDER BY, sort on one kind of value (e.g. ORDER BY STR(?x))" if "total order" in text else ""
    return {"zh": f"查询引擎内部错误（pyoxigraph：{text}）{hint_zh}",
            "en": f"query engine internal error (pyoxigraph: {text}){hint_en}", "status": 503}


def error_dict(exc: Any) -> dict[str, Any]:
    return {"zh": shorten(exc.zh), "en": shorten(exc.en), "status": getattr(exc, "status", 500),
            "position": getattr(exc, "position", None)}


def shorten(message: str, keep: int = 12) -> str:
    """Oxigraph lists every token it expected, character classes included; keep the first few."""
    head, sep, rest = message.partition("expected one of ")
    if not sep:
        return message
    items = [i.strip() for i in rest.replace("\n", " ").split(", ")]
    plain = [i for i in items if not i.startswith("[")]
    more = len(items) - len(plain[:keep])
    return head + sep + ", ".join(plain[:keep]) + (f" …（另 {more} 项 / {more} more）" if more > 0 else "")


def turtle_prefixes() -> dict[str, str]:
    """Prefixes for Turtle output, without those whose local names hold '/' (``pkid:key-task\\/1``
    is valid Turtle, but rdflib and others read the escaped slash wrongly)."""
    # imported after drop_network(): the spawned worker must unshare while single-threaded (module docstring)
    from policykg.core.namespaces import prefixes

    return {p: ns for p, ns in prefixes().items() if p not in ("pkid", "pkg")}


def turtle(triples: list) -> bytes:
    # imported after drop_network(): the spawned worker must unshare while single-threaded (module docstring)
    from pyoxigraph import RdfFormat, serialize

    return serialize(triples, format=RdfFormat.TURTLE, prefixes=turtle_prefixes()) or b""


def encode(res: Any, fmt: str) -> dict[str, Any]:
    """A Result as something picklable: bytes in a SPARQL/RDF format, or a table of terms."""
    # imported after drop_network(): the spawned worker must unshare while single-threaded (module docstring)
    from policykg.sparql.queries import serialize_result, term_json

    count = len(res.rows) if res.kind == "select" else (len(res.triples) if res.kind == "graph" else 1)
    out: dict[str, Any] = {"kind": res.kind, "truncated": res.truncated, "count": count}
    if fmt == "turtle" and res.kind == "graph":
        out["body"] = turtle(res.triples)
        return out
    if fmt == "json" and res.truncated:
        # an extra member, ignored by SPARQL clients, read by the web page (besides the header)
        out["body"] = json.dumps({**res.to_json(), "truncated": True}, ensure_ascii=False).encode("utf-8")
        return out
    if fmt != "table":
        out["body"] = serialize_result(res, fmt)
        return out
    if res.kind == "ask":
        out["table"] = {"columns": [], "rows": [], "boolean": bool(res.boolean)}
    elif res.kind == "select":
        out["table"] = {"columns": list(res.variables), "rows": [
            {v: (term_json(r[v]) if r.get(v) is not None else None) for v in res.variables} for r in res.rows]}
    else:
        out["table"] = {"columns": ["subject", "predicate", "object"], "rows": [
            {"subject": term_json(t.subject), "predicate": term_json(t.predicate), "object": term_json(t.object)}
            for t in res.triples]}
    return out
