"""``policykg revert CODE --to V``: a new version equal to version V (history only grows)."""

from __future__ import annotations

from pathlib import Path

from . import versions
from .core import iris, regions
from .core.errors import UsageError
from .graph.derive import refresh, rewrites
from .graph.store import new_generation, put_graph, write_restricted


def revert(root: Path | str, code: str, to: int, note: str | None = None) -> versions.Version | None:
    """Append a version whose graph is version ``to``'s. None if the current version already is."""
    code = regions.get(code).code
    target = versions.get(root, code, to)
    cur = versions.current_version(root, code)
    if cur is not None and cur.content == target.content and cur.action != "delete":
        return None
    triples = versions.version_triples(root, code, to)
    restricted = versions.version_restricted(root, code, to)
    if not triples:
        raise UsageError(f"第 {to} 版是空的（已删除）；请用 DELETE 清空地区", f"version {to} is empty; use DELETE")
    pending = versions.Pending(source=f"revert v{to}: {target.source}", sha256=target.sha256,
                               note=note or f"恢复为第 {to} 版 / reverted to version {to}", date=target.date,
                               action="revert", reverted_from=to)
    graph = iris.region_graph(code)
    with new_generation(root, copy_current=True, finish=refresh, in_memory=True, derived=rewrites()) as (store, gen):
        put_graph(store, graph, triples)
        write_restricted(gen, graph, restricted)
        made = versions.record(gen, code, triples, restricted, pending, rows=target.rows)
    return made
