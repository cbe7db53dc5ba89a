"""Queries as of a past time: a store holding the versions that were current then.

The snapshot is built in memory from the version files (:mod:`policykg.versions`): the
shared graphs (ontology, regions, backbone) of the current generation, each region's
version current at that time as ``graph/region/{code}``, then the default-graph merge and
graph/statistics recounted, exactly as a build would. Any catalogue query therefore runs
unchanged. Snapshots are cached per set of versions (a later as-of time with the same
versions reuses it), so only the first query at a new point in history pays the build.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store

from . import versions
from .core import iris
from .diff import load_shared
from .graph.derive import refresh
from .graph.store import generation_name

_CACHE: OrderedDict[tuple, Store] = OrderedDict()
CACHE_SIZE = 4


def snapshot(root: Path | str, when: datetime | str) -> Store:
    """The store as it was at ``when`` (a datetime, or an ISO text: see versions.parse_when)."""
    if isinstance(when, str):
        when = versions.parse_when(when)
    chosen = versions.as_of(root, when)
    key = (str(Path(root).resolve()), generation_name(root), tuple(sorted((c, v.version) for c, v in chosen.items())))
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    st = Store()
    load_shared(root, st)
    for code, v in chosen.items():           # N-Triples straight into Rust: no Python terms
        data = versions.version_ntriples(root, code, v.version)
        if data:
            st.load(data, format=RdfFormat.N_TRIPLES, to_graph=NamedNode(iris.region_graph(code)))
    refresh(st)
    _CACHE[key] = st
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return st
