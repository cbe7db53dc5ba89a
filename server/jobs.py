"""What the server asks of an executor: a :class:`Job` in, an :class:`Answer` out, the
:class:`Executor` interface (local worker pool or remote endpoint) and their errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from policykg.core.errors import QueryError

EMPTY_GRAPH = "urn:policykg:no-graph"   # names no graph: selects an empty default graph / no named graphs


@dataclass(frozen=True)
class Job:
    """One query to run. ``fmt``: json|xml|csv|tsv|turtle|ntriples|jsonld|rdfxml, or 'table'."""

    text: str
    fmt: str = "json"
    substitutions: tuple[tuple[str, Any], ...] = ()
    default_graph: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int | None = None
    kind: str | None = None            # select|ask|graph when the caller knows (remote needs it)
    base: str | None = None            # base IRI for relative IRIs (the protocol endpoint's URL)
    as_of: str | None = None           # answer from the versions current then (policykg.asof)
    client: str = ""                   # who asks (remote address): the fair queue's key, not cached on

    def cache_key(self) -> tuple:
        return (self.text, self.fmt, tuple((k, str(v)) for k, v in self.substitutions),
                self.default_graph, self.named_graphs, self.max_rows, self.base, self.as_of)

    def to_message(self, generation: str | None) -> dict[str, Any]:
        return {"text": self.text, "fmt": self.fmt, "substitutions": dict(self.substitutions),
                "default_graph": list(self.default_graph), "named_graphs": list(self.named_graphs),
                "max_rows": self.max_rows, "generation": generation, "base": self.base, "as_of": self.as_of}


@dataclass
class Answer:
    kind: str                           # select | ask | graph
    truncated: bool = False
    count: int = 0
    body: bytes | None = None           # serialized, for SPARQL/RDF formats
    table: dict[str, Any] | None = None  # {columns, rows, boolean?} for fmt 'table'
    time_ms: float = 0.0
    cached: bool = False
    generation: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        if self.body is not None:
            return len(self.body)
        return 200 * (1 + len((self.table or {}).get("rows", [])))


def timeout_error(seconds: float) -> QueryError:
    return QueryError(f"查询超时：超过 {seconds:g} 秒，已中止", f"query timed out after {seconds:g} s and was stopped",
                      status=503)


def too_many_error(limit: int) -> QueryError:
    err = QueryError(f"同一客户端进行中的查询已达上限（{limit} 个），请等前面的查询结束后再试",
                     f"too many queries in flight from this client (limit {limit}); wait for one to finish",
                     status=429)
    err.retry_after = 1  # type: ignore[attr-defined]
    return err


def worker_died_error(detail: str) -> QueryError:
    return QueryError(f"查询进程意外退出（{detail}），已重启；请简化查询后重试",
                      f"query worker died ({detail}); it was restarted: simplify the query and retry", status=503)


def memory_error(limit_mb: int) -> QueryError:
    return QueryError(f"查询占用内存超过上限（{limit_mb} MB），已中止；请缩小查询范围（如加 LIMIT、去掉笛卡尔积）",
                      f"the query used more than the memory cap ({limit_mb} MB) and was stopped; narrow it "
                      "(add LIMIT, avoid cartesian products)", status=503)


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux /proc; 0 where unavailable)."""
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * 4096 / (1 << 20)
    except (OSError, ValueError, IndexError):
        return 0.0


def busy_error(seconds: float) -> QueryError:
    return QueryError(f"服务器繁忙：{seconds:g} 秒内没有空闲的查询进程，请稍后重试",
                      f"server busy: no free query worker within {seconds:g} s, try again later", status=503)


class Executor:
    """Interface: ``run(job) -> Answer`` (raises QueryError), ``generation()``, ``close()``."""

    timeout: float = 10.0

    def run(self, job: Job) -> Answer:
        raise NotImplementedError

    def generation(self) -> str | None:
        return None

    def status(self) -> dict[str, Any]:
        return {}

    def close(self) -> None:
        pass
