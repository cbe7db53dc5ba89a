"""Validation of a whole store region by region (policykg.validate.split): exactly the
findings of one run over all graphs together, on the real lists and on synthetic ones
(with a service category two lists describe differently, a blank-node service item and a
named graph that is not a list); the fork pool's failure paths; a daemonic caller.

No timing assertions (benchmarks/run.py measures); only that both ways agree.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from loaders.build import build
from policykg import validate
from policykg.core import iris
from policykg.core.errors import PolicyKGError, UsageError
from policykg.core.namespaces import PREFIXES
from policykg.graph import rdfmap
from policykg.graph.derive import refresh
from policykg.graph.store import new_generation, open_read_only, put_graph
from policykg.pool import ForkPool
from policykg.validate.model import SH

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))        # benchmarks/ is not an installed package

from benchmarks import synth  # noqa: E402

PK = PREFIXES["pk"]
RDF_TYPE = NamedNode(PREFIXES["rdf"] + "type")
SYNTHETIC = ["330102", "330105", "330106", "330108", "330109"]
CRAFTED = "330110"


def _same(a: validate.Report, b: validate.Report) -> None:
    assert a.results == b.results                 # same findings, same order, same multiplicity
    assert a.conforms == b.conforms
    assert a.regions == b.regions


# ------------------------------------------------------------------ real lists

@pytest.fixture(scope="module")
def real_whole(built_store):
    return validate.run_store(built_store, per_region=False)


def test_real_lists_region_by_region_give_the_findings_of_one_run(built_store, real_whole):
    split = validate.run_store(built_store, workers=2)
    _same(split, real_whole)
    # by key task and list, the source defects of issue 13 (2), and by provincial measure
    # (issue 15, over printed and aligned links): 34 rows whose measures have no service item
    # in their region, 221 measures other regions converted (舟山 143, 钱塘 44, 德清 25, 衢州 9)
    assert len(split.results) == 830
    assert split.counts() == {"Violation": 7, "Warning": 559, "Info": 264}
    landing = [f for f in split.results if f.shape_name == "checks:landing-measure-warning"]
    assert len(landing) == 221 and sum(f.region == "330900" for f in landing) == 143
    assert split.regions == ("330114", "330521", "330800", "330900")


def test_one_worker_runs_in_process_with_the_same_findings(built_store, real_whole):
    _same(validate.run_store(built_store, workers=1), real_whole)


def test_split_report_graph_states_each_finding_with_both_languages(built_store):
    rep = validate.run_store(built_store)
    sh = SH
    g = rep.report_graph
    assert len(list(g.subjects(rdflib.RDF.type, sh.ValidationResult))) == 830
    langs = sorted({m.language for m in g.objects(None, sh.resultMessage)})
    assert langs == ["en", "zh"]
    assert (None, sh.conforms, rdflib.Literal(False)) in g


def test_progress_reports_the_regions(built_store):
    lines: list[str] = []
    validate.run_store(built_store, progress=lines.append)
    assert lines[0].startswith("校验 4 个地区清单")
    assert any("4/4" in line for line in lines)
    assert lines[-1].endswith("830 条结果 findings")


# ------------------------------------------------------------------ synthetic lists

def _crafted_graph(category: NamedNode) -> list[Triple]:
    """A tiny list that states another level for a category other lists use (a Violation
    only the union shows) and a service item that is a blank node lacking everything."""
    region = NamedNode(iris.region(CRAFTED))
    table = NamedNode(iris.table(CRAFTED))
    item = BlankNode("crafteditem")
    return [
        Triple(table, RDF_TYPE, NamedNode(PK + "SourceTable")),
        Triple(table, NamedNode(PK + "region"), region),
        Triple(category, RDF_TYPE, NamedNode(PK + "ServiceCategory")),
        Triple(category, NamedNode(PK + "level"), Literal("3", datatype=NamedNode(PREFIXES["xsd"] + "integer"))),
        Triple(item, RDF_TYPE, NamedNode(PK + "ServiceItem")),
        Triple(item, NamedNode(PK + "region"), region),
    ]


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory):
    """The real build plus five synthetic lists, the crafted list and a graph that is no list
    (a 33rd key task from a source document: the backbone check must not count it)."""
    root = tmp_path_factory.mktemp("synthetic-store")
    build(root)
    bb, _ = synth.backbone()
    lists = [synth.region_list(code, bb) for code in SYNTHETIC]
    triples = {code: rdfmap.region_list_triples(rl) for code, rl in zip(SYNTHETIC, lists, strict=True)}
    level1 = NamedNode(PK + "level1")
    shared_category = next(t.object for t in triples[SYNTHETIC[0]] if t.predicate == level1)
    extra_key_task = NamedNode(iris.key_task(33))
    with new_generation(root, copy_current=True, finish=refresh, in_memory=True) as (st, _gen):
        for code, ts in triples.items():
            put_graph(st, iris.region_graph(code), ts)
        put_graph(st, iris.region_graph(CRAFTED), _crafted_graph(shared_category))
        put_graph(st, iris.graph("extra"), [
            Triple(extra_key_task, RDF_TYPE, NamedNode(PK + "KeyTask")),
            Triple(extra_key_task, NamedNode(PREFIXES["dct"] + "source"), NamedNode(iris.document("0" * 16)))])
    return root, shared_category.value


@pytest.fixture(scope="module")
def synthetic_whole(synthetic_store):
    return validate.run_store(synthetic_store[0], per_region=False)


@pytest.fixture(scope="module")
def synthetic_split(synthetic_store):
    return validate.run_store(synthetic_store[0], workers=2)


def test_synthetic_lists_region_by_region_give_the_findings_of_one_run(synthetic_split, synthetic_whole):
    split = synthetic_split
    _same(split, synthetic_whole)
    assert set(split.regions) == {"330114", "330521", "330800", "330900", *SYNTHETIC, CRAFTED}
    by_region = {f.region for f in split.results}
    assert set(SYNTHETIC) <= by_region


def test_a_category_two_lists_describe_differently_is_found_once(synthetic_store, synthetic_whole,
                                                                  synthetic_split):
    category = synthetic_store[1]
    found = [f for f in synthetic_whole.results
             if f.focus == category and f.shape_name == "pkshape:ServiceCategoryLevelShape"]
    assert len(found) == 1 and found[0].severity == "Violation" and found[0].region is None
    assert [f for f in synthetic_split.results if f.focus == category] == \
        [f for f in synthetic_whole.results if f.focus == category]


def test_a_blank_node_service_item_is_found_once(synthetic_whole, synthetic_split):
    mine = [f for f in synthetic_whole.results if f.focus == "crafteditem"]
    violated = {f.shape_name for f in mine if f.severity == "Violation"}
    assert violated >= {"pkshape:ServiceItemBlockShape", "pkshape:ServiceItemTitleShape"}
    assert [f for f in synthetic_split.results if f.focus == "crafteditem"] == mine


def test_a_graph_that_is_no_list_is_not_validated_or_counted(synthetic_whole, synthetic_split):
    for rep in (synthetic_whole, synthetic_split):
        assert not [f for f in rep.results if "key-task/33" in f.focus]
        assert not [f for f in rep.results if f.shape_name == "checks:backbone-complete-violation"]


def test_a_single_list_store_is_validated_in_one_run(tmp_path, built_store):
    root = tmp_path / "one"
    src = open_read_only(built_store)
    with new_generation(root, finish=refresh, in_memory=True) as (st, _gen):
        for name in ("ontology", "regions", "backbone", "region/330900"):
            g = NamedNode(iris.graph(name))
            put_graph(st, g.value, [Triple(q.subject, q.predicate, q.object)
                                    for q in src.quads_for_pattern(None, None, None, g)])
    rep = validate.run_store(root)
    assert rep.regions == ("330900",) and len(rep.results) == 183


# ------------------------------------------------------------------ the pool

def _double(n: int) -> int:
    if n == 13:
        raise UsageError("十三不行", "not thirteen")
    if n == 99:
        os._exit(3)
    return 2 * n


def test_fork_pool_returns_every_result_and_stops_its_workers():
    with ForkPool(_double, 2) as pool:
        pids = list(pool._pids)
        assert sorted(pool.map_unordered(range(10))) == [(i, 2 * i) for i in range(10)]
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_fork_pool_raises_a_workers_error_as_its_class():
    with pytest.raises(UsageError) as err, ForkPool(_double, 2) as pool:
        list(pool.map_unordered([1, 13, 2]))
    assert err.value.zh == "十三不行" and err.value.en == "not thirteen"


def test_fork_pool_reports_a_worker_that_died():
    with pytest.raises(PolicyKGError, match="validation worker process died"), ForkPool(_double, 2) as pool:
        list(pool.map_unordered([99]))


def _count_in_daemon(conn, store_dir: str) -> None:
    rep = validate.run_store(store_dir, workers=2)
    conn.send(len(rep.results))


def test_run_store_works_in_a_daemonic_process(built_store):
    """The server and the benchmark validate in a daemonic child, which multiprocessing
    forbids to have children of its own: the fork pool does not need that."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_count_in_daemon, args=(child, str(built_store)), daemon=True)
    proc.start()
    try:
        assert parent.poll(120)
        assert parent.recv() == 830
    finally:
        proc.join(10)
        if proc.is_alive():
            proc.kill()


# ------------------------------------------------------------------ the cache

def _hits(lines: list[str]) -> int:
    line = next(x for x in lines if "个地区的结果取自缓存" in x)
    return int(line.split(" ", 1)[0])


def test_cache_reruns_only_the_region_whose_graph_changed(tmp_path):
    root, cache = tmp_path / "store", tmp_path / "cache"
    build(root)
    lines: list[str] = []
    first = validate.run_store(root, cache_dir=cache, progress=lines.append)
    assert _hits(lines) == 0 and len(first.results) == 830
    lines.clear()
    _same(validate.run_store(root, cache_dir=cache, progress=lines.append), first)
    assert _hits(lines) == 4

    # 舟山市 loses one measure's text: that region is validated again, the others are not
    graph = NamedNode(iris.region_graph("330900"))
    text = NamedNode(PK + "text")
    src = open_read_only(root)
    dropped = next(q for q in src.quads_for_pattern(None, text, None, graph))
    kept = [Triple(q.subject, q.predicate, q.object) for q in src.quads_for_pattern(None, None, None, graph)
            if q != dropped]
    del src
    with new_generation(root, copy_current=True, finish=refresh, in_memory=True) as (st, _gen):
        put_graph(st, graph.value, kept)
    lines.clear()
    changed = validate.run_store(root, cache_dir=cache, progress=lines.append)
    assert _hits(lines) == 3
    _same(changed, validate.run_store(root, per_region=False))
    new = [f for f in changed.results if f.shape_name == "pkshape:LocalMeasureTextShape"]
    assert [(f.severity, f.region, f.focus) for f in new] == [("Violation", "330900", dropped.subject.value)]


def test_a_broken_cache_entry_is_a_miss(tmp_path, built_store, real_whole, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("POLICYKG_VALIDATION_CACHE", str(cache))     # the environment names the cache
    validate.run_store(built_store)
    entries = list(cache.glob("*/*.json"))
    assert len(entries) == 4 + 2        # the four regions, the shared graphs and the cross-region run
    for path in entries:
        path.write_text('{"findings": [{"severity": "Violation"}]', encoding="utf-8")
    lines: list[str] = []
    _same(validate.run_store(built_store, progress=lines.append), real_whole)
    assert _hits(lines) == 0


NESTED_SHAPE = """
@prefix pkshape: <https://w3id.org/policykg/shapes#> .
@prefix pk: <https://w3id.org/policykg/def#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
pkshape:TestItemKeyTaskShape a sh:NodeShape ;
    sh:targetClass pk:ServiceItem ;
    sh:property [ sh:path pk:keyTask ; sh:node pkshape:TestSmallKeyTaskShape ; sh:severity sh:Info ] .
pkshape:TestSmallKeyTaskShape a sh:NodeShape ;
    sh:property [ sh:path pk:number ; sh:maxInclusive 10 ] .
"""


def test_shapes_that_refer_to_other_shapes_get_the_same_findings(tmp_path, built_store):
    """sh:node hands backbone nodes (key tasks) to another shape: pySHACL's focus filter
    would drop them, so a region's run validates all its targets and keeps its own, with
    the results pySHACL reports as their details (whose focus is a key task)."""
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    for path in (ROOT / "shapes").glob("*.ttl"):
        (shapes / path.name).write_bytes(path.read_bytes())
    (shapes / "nested.ttl").write_text(NESTED_SHAPE, encoding="utf-8")
    whole = validate.run_store(built_store, shapes_dir=shapes, per_region=False)
    nested = [f for f in whole.results if ":" not in f.shape]       # its property shapes are blank nodes
    # an item's result and, as its sh:detail, the key task's: the region's run owns both
    assert len(nested) == 300 and all(f.key_task and f.key_task > 10 for f in nested)
    assert sorted({f.focus.split("/")[-2] for f in nested}) == ["key-task", "service-item"]
    _same(validate.run_store(built_store, shapes_dir=shapes, workers=2), whole)


@pytest.mark.parametrize("extra_graph", [False, True])
def test_the_backbone_check_fires_in_both_ways(tmp_path, built_store, extra_graph):
    """queries/checks read the merge of the validated graphs: the store's default graph,
    or, when the store has another graph (graph/statistics), a merge made by a worker."""
    src = open_read_only(built_store)
    source = NamedNode(PREFIXES["dct"] + "source")
    first = NamedNode(iris.key_task(1))
    root = tmp_path / "store"
    with new_generation(root, finish=refresh, in_memory=True) as (st, _gen):
        for name in ("ontology", "regions", "backbone", "region/330114", "region/330521"):
            g = NamedNode(iris.graph(name))
            put_graph(st, g.value, [Triple(q.subject, q.predicate, q.object)
                                    for q in src.quads_for_pattern(None, None, None, g)
                                    if not (q.subject == first and q.predicate == source)])
        if extra_graph:
            put_graph(st, iris.graph("extra"), [Triple(first, source, NamedNode(iris.document("0" * 16)))])
    whole = validate.run_store(root, per_region=False)
    check = [f for f in whole.results if f.shape_name == "checks:backbone-complete-violation"]
    assert [f.message_zh for f in check] == ["省级骨架有 31 项重点工作，应为32项"]
    _same(validate.run_store(root, workers=2), whole)
