"""A remote SPARQL server as the store: ``policykg serve --endpoint URL`` and ``policykg push``.

:class:`RemoteExecutor` answers jobs from an existing SPARQL 1.1 endpoint (Oxigraph,
Fuseki, Virtuoso …) behind the same front as the local store: the tokenizer refuses updates
and SERVICE before anything is sent, the request has a deadline (QUERY_TIMEOUT_S; the
connection is dropped, 503), results are capped at MAX_ROWS and re-serialized here.
Catalogue parameters are bound in the text (remote servers lack SEP-0007): only variable
tokens are replaced, by terms serialized by pyoxigraph (:func:`policykg.sparql.binding.inline`, as for the local store).
The project's prefixes are prepended on the first line, so line numbers stay the same.

:func:`push_graphs` uploads the store's named graphs (and its default graph, the merge)
with the SPARQL 1.1 Graph Store Protocol (HTTP PUT), e.g. to ``oxigraph serve``'s ``/store``.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from pyoxigraph import DefaultGraph, NamedNode, QueryResultsFormat, RdfFormat, parse, parse_query_results, serialize

from policykg.core.errors import QueryError, StoreError
from policykg.core.namespaces import prefixes
from policykg.graph import store as pkstore
from policykg.sparql import binding, guard, queries

from . import worker
from .jobs import Answer, Executor, Job, timeout_error

CHUNK = 64 * 1024


def _prologue() -> str:
    return " ".join(f"PREFIX {p}: <{ns}>" for p, ns in prefixes().items()) + " "


class RemoteExecutor(Executor):
    def __init__(self, endpoint: str, *, timeout: float = 10.0, max_bytes: int = 64 << 20,
                 cache_seconds: float = 60.0) -> None:
        self.endpoint = endpoint
        self.timeout = float(timeout)
        self.max_bytes = max_bytes
        self.cache_seconds = cache_seconds

    def generation(self) -> str | None:
        """Remote data may change at any time: cache entries live ``cache_seconds`` at most."""
        if self.cache_seconds <= 0:
            return None
        return f"remote-{int(time.time() // self.cache_seconds)}"

    def status(self) -> dict[str, Any]:
        return {"mode": "remote", "endpoint": self.endpoint, "timeout_s": self.timeout}

    def text_for(self, job: Job) -> str:
        text = job.text
        if job.substitutions:
            try:
                text = binding.inline(text, {k: queries.to_term(v) for k, v in job.substitutions})
            except binding.NotInlinableError as exc:
                raise QueryError(f"无法把参数写入查询（远程端点不支持 substitutions）：{exc}",
                                 f"cannot write the parameters into the query for a remote endpoint: {exc}") from exc
        base = f"BASE <{job.base}> " if job.base else ""
        return base + _prologue() + text

    def run(self, job: Job) -> Answer:
        t0 = time.monotonic()
        deadline = t0 + self.timeout
        kind = job.kind or guard.inspect(job.text).kind or "select"
        fields: list[tuple[str, str]] = [("query", self.text_for(job))]
        fields += [("default-graph-uri", g) for g in job.default_graph]
        fields += [("named-graph-uri", g) for g in job.named_graphs]
        accept = "application/n-triples" if kind == "graph" else "application/sparql-results+json"
        data = self._post(fields, accept, deadline)
        try:
            if kind == "graph":
                res = queries.Result("graph")
                for q in parse(data, format=RdfFormat.N_TRIPLES):
                    if job.max_rows is not None and len(res.triples) >= job.max_rows:
                        res.truncated = True
                        break
                    res.triples.append(q.triple)
            else:
                res = queries.collect(parse_query_results(data, format=QueryResultsFormat.JSON), job.max_rows)
        except (SyntaxError, ValueError) as exc:
            raise QueryError(f"远程端点返回了无法解析的结果：{exc}", f"the remote endpoint returned unreadable results: {exc}",
                             status=502) from exc
        out = worker.encode(res, job.fmt)
        return Answer(kind=out["kind"], truncated=out["truncated"], count=out["count"], body=out.get("body"),
                      table=out.get("table"), time_ms=round((time.monotonic() - t0) * 1000, 2),
                      generation=self.generation())

    def _post(self, fields: list[tuple[str, str]], accept: str, deadline: float) -> bytes:
        body = urlencode(fields).encode("utf-8")
        req = urllib.request.Request(self.endpoint, data=body, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept, "User-Agent": "policykg"})
        remaining = deadline - time.monotonic()
        try:
            with urllib.request.urlopen(req, timeout=max(0.1, remaining)) as resp:  # noqa: S310 - configured URL
                chunks, size = [], 0
                while True:
                    if time.monotonic() > deadline:
                        raise timeout_error(self.timeout)
                    chunk = resp.read(CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise QueryError(f"远程结果过大（超过 {self.max_bytes} 字节）",
                                         f"remote result too large (over {self.max_bytes} bytes)", status=502)
                    chunks.append(chunk)
                return b"".join(chunks)
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace").strip()
            status = 400 if exc.code == 400 else 502
            raise QueryError(f"远程端点拒绝了查询（HTTP {exc.code}）：{detail}",
                             f"the remote endpoint refused the query (HTTP {exc.code}): {detail}", status=status) from exc
        except TimeoutError as exc:
            raise timeout_error(self.timeout) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise timeout_error(self.timeout) from exc
            raise QueryError(f"无法连接远程端点 {self.endpoint}：{exc.reason}",
                             f"cannot reach the remote endpoint {self.endpoint}: {exc.reason}", status=502) from exc


# ------------------------------------------------------------------ push

def push_graphs(store_dir: Path | str, endpoint: str, token: str | None = None, *,
                default: bool = True, timeout: float = 300.0) -> Iterator[tuple[str, int]]:
    """PUT each named graph (then the default graph) to a Graph Store Protocol endpoint.

    Yields (graph IRI or 'default', triples). Raises :class:`StoreError` naming the graph
    when the server refuses one; graphs before it stay uploaded (each PUT is atomic there).
    """
    st = pkstore.open_read_only(store_dir)
    names = sorted(g.value for g in st.named_graphs() if isinstance(g, NamedNode))
    targets: list[tuple[str, Any]] = [(g, NamedNode(g)) for g in names]
    if default:
        targets.append(("default", DefaultGraph()))
    sep = "&" if "?" in endpoint else "?"
    for name, node in targets:
        triples = [q.triple for q in st.quads_for_pattern(None, None, None, node)]
        data = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
        url = endpoint + sep + ("default" if name == "default" else "graph=" + quote(name, safe=""))
        headers = {"Content-Type": "application/n-triples", "User-Agent": "policykg"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(url, data=data, method="PUT", headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - configured URL
                resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace").strip()
            raise StoreError(f"上传 {name} 失败（HTTP {exc.code}）：{detail}",
                             f"uploading {name} failed (HTTP {exc.code}): {detail}") from exc
        except urllib.error.URLError as exc:
            raise StoreError(f"无法连接 {endpoint}：{exc.reason}", f"cannot reach {endpoint}: {exc.reason}") from exc
        yield name, len(triples)
