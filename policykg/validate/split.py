"""``run_store``: a built store's validation, over every region region by region, in forked worker processes.

Why. pySHACL evaluates each constraint once per focus node, and some constraints look at
all the data (whether any service item carries out a measure, which lists cite a
provincial measure), so one run over all graphs grows with the square of the store:
400 s for 101 regions. Here each region's list is validated with the shared graphs
(ontology, regions, backbone) in its own small in-memory store (linear), and the
regions are shared out among worker processes (one per CPU).

Same findings as one run over everything. Each finding is kept from exactly one run,
chosen by where its focus node is described (is the subject of triples):

* in exactly one region's graph: that region's run (shared graphs + that graph), which
  validates only the nodes its graph describes (pySHACL's ``focus_nodes``);
* in no region's graph (key tasks, provincial measures: the backbone): one run over the
  shared graphs alone;
* in several regions' graphs (a service category two lists use): one last run over the
  shared graphs and every triple, from every list, about such nodes.

This equals the run over everything as long as a region's graph states every triple
about the nodes it describes and reaches other regions' data only through such shared
nodes, which rdfmap's IRIs guarantee (a region's own nodes live under
id/region/{code}/). A result pySHACL reports as the sh:detail of another goes with that
one's focus. tests/test_validate_scale.py compares both ways. The SPARQL checks
(queries/checks) run once, over the store's default graph (the merge of all graphs).
A region whose graph is unchanged since the last run is not run again, nor are the shared
graphs' and the cross-region runs when their input is unchanged (:mod:`policykg.validate.cache`,
on by default in the store's directory): after loading a few regions, validating the whole
store reruns those regions (and the checks) only.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rdflib
from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, RdfFormat, Store

from policykg.core import iris
from policykg.core.config import SHAPES_DIR
from policykg.core.errors import StoreError, UsageError
from policykg.core.progress import Progress, silent
from policykg.core.regions import get as get_region
from policykg.graph.store import current, open_read_only
from policykg.pool import ForkPool, cpu_count

from .cache import FindingsCache, cache_dir_from, content_digest, stamp
from .checks import run_checks
from .model import CHECKS_DIR, Finding, Report
from .shacl import alignment_graph, copy_graph, list_regions, load_shapes, run, shared_graphs, validate_store

SHARED, REGION, CROSS, CHECKS = "shared", "region", "cross", "checks"
Job = tuple[str, Any]       # (SHARED, None) | (REGION, graph IRI) | (CROSS, node keys) | (CHECKS, graph IRIs)


@dataclass(frozen=True)
class JobResult:
    findings: list[Finding]
    roots: tuple[str, ...]        # per finding: the focus of its top-level result (owns it)
    described: frozenset[str]     # keys of the nodes the job's own graph describes (REGION)
    tables: tuple[str, ...]       # codes of the lists (pk:SourceTable) in the job's data
    cached: bool = False          # taken from the cache, not validated


def node_key(term: NamedNode | BlankNode) -> str:
    """IRIs as they are, blank nodes as ``_:id``: the key a finding's focus is matched on."""
    return f"_:{term.value}" if isinstance(term, BlankNode) else term.value


def focus_key(focus: str) -> str:
    """A finding's focus (rdflib's text: an IRI, or a bare blank node id) as a node key."""
    return focus if ":" in focus else f"_:{focus}"


class Jobs:
    """Runs one job; made in the parent, so forked workers inherit the parsed shapes and
    the shared graphs' quads. Each process opens its own read-only handle on the store."""

    def __init__(self, oxigraph_dir: Path, shared: list[Quad], lists: list[str], shapes: rdflib.Graph,
                 cache: FindingsCache | None = None, shared_digest: bytes = b"",
                 checks_dir: Path | None = None) -> None:
        self.oxigraph_dir = oxigraph_dir
        self.shared = shared
        self.lists = set(lists)
        self.shapes = shapes
        self.cache = cache
        self.shared_digest = shared_digest
        self.checks_dir = checks_dir
        self._disk: tuple[int, Store] | None = None

    def disk(self) -> Store:
        if self._disk is None or self._disk[0] != os.getpid():
            self._disk = (os.getpid(), open_generation(self.oxigraph_dir))
        return self._disk[1]

    def __call__(self, job: Job) -> JobResult:
        kind, arg = job
        mem = Store()
        if kind == CHECKS:
            for g in arg:
                copy_graph(self.disk(), g, mem)
            found = run_checks(mem, self.checks_dir) if self.checks_dir is not None else []
            return JobResult(found, tuple(f.focus for f in found), frozenset(), ())
        described: frozenset[str] = frozenset()
        focus: list[str] | None = None
        key: str | None = None
        if kind == REGION:
            data = self.disk().dump(format=RdfFormat.N_TRIPLES, from_graph=NamedNode(arg))
            align = alignment_graph(arg)          # the region's predicted links, validated with its list
            adata = (self.disk().dump(format=RdfFormat.N_TRIPLES, from_graph=NamedNode(align))
                     if self.disk().contains_named_graph(NamedNode(align)) else b"")
            if self.cache is not None:
                key = self.cache.key(self.shared_digest, content_digest(data + adata))
                if (hit := self.cache.get(key)) is not None:
                    return JobResult(hit["findings"], hit["roots"], hit["described"], hit["tables"], cached=True)
            copy_graph(self.disk(), arg, mem, data)
            if adata:
                copy_graph(self.disk(), align, mem, adata)
            nodes = [sol["s"] for sol in mem.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")]
            described = frozenset(node_key(n) for n in nodes)
            # pySHACL's focus_nodes takes IRIs only: with blank nodes, validate all, keep some
            focus = None if any(isinstance(n, BlankNode) for n in nodes) else list(described)
        elif kind == CROSS:
            disk = self.disk()
            quads = []
            for k in arg:
                node = BlankNode(k[2:]) if k.startswith("_:") else NamedNode(k)
                quads += [Quad(q.subject, q.predicate, q.object, DefaultGraph())
                          for q in disk.quads_for_pattern(node, None, None, None)
                          if isinstance(q.graph_name, NamedNode) and q.graph_name.value in self.lists]
            mem.bulk_extend(quads)
            focus = None if any(k.startswith("_:") for k in arg) else list(arg)
            if self.cache is not None:
                which = hashlib.sha256("\n".join(arg).encode()).digest()
                data = mem.dump(format=RdfFormat.N_TRIPLES, from_graph=DefaultGraph())
                key = self.cache.key(self.shared_digest, CROSS.encode(), which, content_digest(data))
        elif kind == SHARED and self.cache is not None:
            key = self.cache.key(self.shared_digest, SHARED.encode())
        if kind != REGION and key is not None and self.cache is not None and (hit := self.cache.get(key)) is not None:
            return JobResult(hit["findings"], hit["roots"], hit["described"], hit["tables"], cached=True)
        mem.bulk_extend(self.shared)
        roots: list[str] = []
        findings, _ = validate_store(mem, self.shapes, focus, roots)
        result = JobResult(findings, tuple(roots), described, tuple(list_regions(mem)))
        if key is not None and self.cache is not None:
            self.cache.put(key, result)
        return result


def open_generation(oxigraph_dir: Path) -> Store:
    try:
        return Store.read_only(str(oxigraph_dir))
    except OSError as exc:
        raise StoreError(f"无法打开图谱存储 {oxigraph_dir}：{exc}", f"cannot open store {oxigraph_dir}: {exc}") from exc


def run_split(store_dir: Path | str, *, shapes_dir: Path | str = SHAPES_DIR,
              checks_dir: Path | str | None = CHECKS_DIR, workers: int | None = None,
              progress: Progress | None = None, cache_dir: Path | str | None = None, cache: bool = True) -> Report:
    """Validate every list of the store's current generation, region by region."""
    t0 = time.monotonic()
    say = progress or silent
    gen_dir = current(store_dir).oxigraph_dir      # one generation throughout, whatever is published meanwhile
    disk = open_generation(gen_dir)
    names = sorted(g.value for g in disk.named_graphs())
    lists = [n for n in names if n.startswith(iris.graph("region/"))]
    if len(lists) < 2:
        return run_store(store_dir, shapes_dir=shapes_dir, per_region=False)
    shared_names = shared_graphs(names)
    shared = [Quad(q.subject, q.predicate, q.object, DefaultGraph())
              for g in shared_names for q in disk.quads_for_pattern(None, None, None, NamedNode(g))]
    findings_cache, shared_digest = None, b""
    if cache and (where := cache_dir_from(cache_dir, store_dir)) is not None:
        findings_cache = FindingsCache(where, stamp(shapes_dir))
        shared_digest = content_digest(b"\n".join(
            disk.dump(format=RdfFormat.N_TRIPLES, from_graph=NamedNode(g)) for g in shared_names))
    checks = Path(checks_dir) if checks_dir is not None else None
    jobs = Jobs(gen_dir, shared, lists, load_shapes(shapes_dir), findings_cache, shared_digest, checks)
    queue: list[Job] = [(REGION, g) for g in lists]
    # The checks read the merge of the validated graphs: the store's default graph, which
    # build and load keep as the merge of all named graphs, unless the store has others
    # (graph/statistics): then a worker merges the validated graphs, first, the longest job.
    validated = shared_names + lists + [a for a in map(alignment_graph, lists) if a in names]
    on_disk = checks is not None and set(validated) == set(names)
    if checks is not None and not on_disk:
        queue.insert(0, (CHECKS, tuple(validated)))
    n = max(1, min(workers or cpu_count(), len(queue))) if hasattr(os, "fork") else 1
    say(f"校验 {len(lists)} 个地区清单，{n} 个进程 / validating {len(lists)} lists in {n} processes")

    # the shared graphs' run first, here: it is short, and the workers forked after it
    # inherit pySHACL imported and warmed up instead of each importing it again
    results: dict[Job, JobResult] = {(SHARED, None): jobs((SHARED, None))}
    pool = ForkPool(jobs, n) if n > 1 else None
    try:
        done = 0
        for job, res in (pool.map_unordered(queue) if pool else ((j, jobs(j)) for j in queue)):
            results[job] = res
            done += job[0] == REGION
            if job[0] == REGION and (done % 10 == 0 or done == len(lists)):
                say(f"已校验 {done}/{len(lists)} 个地区 / {done} of {len(lists)} regions")
        owners = Counter(k for job, res in results.items() if job[0] == REGION for k in res.described)
        multi = tuple(sorted(k for k, c in owners.items() if c > 1))
        if multi:
            cross: Job = (CROSS, multi)
            results[cross] = next(iter(pool.map_unordered([cross])))[1] if pool else jobs(cross)
    finally:
        if pool is not None:
            pool.close()

    if findings_cache is not None:
        hits = sum(res.cached for job, res in results.items() if job[0] == REGION)
        say(f"{hits} 个地区的结果取自缓存 / {hits} regions from the cache ({findings_cache.directory})")
        findings_cache.prune()
    findings = _merge(results, owners)
    if checks is not None and on_disk:
        findings += run_checks(disk, checks)
    findings.sort(key=Finding.sort_key)
    tables = sorted({c for res in results.values() for c in res.tables})
    conforms = not any(f.severity == "Violation" for f in findings)
    report = Report(conforms, findings, None, time.monotonic() - t0, tuple(tables))
    say(f"校验完成 / validated: {len(findings)} 条结果 findings")
    return report


def _merge(results: dict[Job, JobResult], owners: Counter) -> list[Finding]:
    """Each finding from the one run that owns its focus node (see the module's docstring);
    a result pySHACL reports as the sh:detail of another goes with that one's focus."""
    out: list[Finding] = []
    for (kind, _), res in results.items():
        for f, root in zip(res.findings, res.roots, strict=True):
            key = focus_key(root)
            n = owners.get(key, 0)
            if kind == CHECKS or (kind == SHARED and n == 0) or (kind == CROSS and n > 1) or \
                    (kind == REGION and n == 1 and key in res.described):
                out.append(f)
    return out

def run_store(store_dir: Path | str, region: str | None = None, *, shapes_dir: Path | str = SHAPES_DIR,
              per_region: bool = True, workers: int | None = None, progress: Progress | None = None,
              cache_dir: Path | str | None = None, cache: bool = True) -> Report:
    """Validate a built store: everything, or one region's list with the shared graphs
    (ontology, regions, backbone), never the other regions'.

    Everything is validated region by region in ``workers`` processes (default: one per
    CPU; see :func:`run_split`), with the same findings as one run over all
    graphs together (``per_region=False``, whose cost grows with the square of the store).
    A region whose graph did not change since a run with the same shapes and code is not
    validated again: its findings come from the cache (:mod:`policykg.validate.cache`; the
    store's ``validation-cache``, or ``cache_dir``/``POLICYKG_VALIDATION_CACHE``), as do the
    shared graphs' and the cross-region run's when their data did not change; the SPARQL
    checks always run. ``cache=False`` validates everything.
    """
    code = get_region(region).code if region else None
    if code is None and per_region:
        return run_split(store_dir, shapes_dir=shapes_dir, workers=workers, progress=progress,
                         cache_dir=cache_dir, cache=cache)
    disk = open_read_only(store_dir)
    names = {g.value for g in disk.named_graphs()}
    lists = sorted(n for n in names if n.startswith(iris.graph("region/")))
    if code:
        if iris.region_graph(code) not in names:
            have = "、".join(n.rsplit("/", 1)[-1] for n in lists) or "无 none"
            raise UsageError(f"图谱中没有地区 {code}（{get_region(code).full_name}）的清单；已有：{have}",
                             f"the store has no list for region {code}; it has: {have}")
        lists = [iris.region_graph(code)]
    mem = Store()
    for g in shared_graphs(names) + lists + [a for a in map(alignment_graph, lists) if a in names]:
        copy_graph(disk, g, mem)
    return run(mem, shapes_dir, region=code)
