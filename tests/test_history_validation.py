"""History scale (issue 21): the benchmark keeps list versions as the product does, and a
whole-store validation after new versions reruns only the changed regions, with exactly
the findings of a full validation.

No timing assertions (benchmarks/history.py measures); only what is validated and that
incremental and full runs agree.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import NamedNode

from loaders.load import publish_region_graph
from policykg import validate, versions
from policykg.cli import main
from policykg.core import iris
from policykg.core.namespaces import PREFIXES
from policykg.graph import rdfmap
from policykg.graph.store import open_read_only
from policykg.validate.cache import DIR

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))        # benchmarks/ is not an installed package

from benchmarks import buildstore, synth  # noqa: E402

REGIONS = 3


@pytest.fixture(scope="module")
def history_store(tmp_path_factory) -> Path:
    """Three synthetic regions with ten versions each, built as benchmarks/run.py --scale history does."""
    root = tmp_path_factory.mktemp("history")
    res = buildstore.build(root, "history", limit=REGIONS)
    assert res["versions"] == 10 * REGIONS
    return root


def _hits(lines: list[str]) -> int:
    line = next(x for x in lines if "个地区的结果取自缓存" in x)
    return int(line.split(" ", 1)[0])


def _same(a: validate.Report, b: validate.Report) -> None:
    assert a.results == b.results                 # same findings, same order, same multiplicity
    assert a.conforms == b.conforms
    assert a.regions == b.regions


def test_history_lives_in_version_files_not_in_the_store(history_store):
    codes = synth.synthetic_regions(REGIONS)
    assert sorted(versions.committed(history_store)) == sorted(codes)
    for code in codes:
        hist = versions.history(history_store, code)
        assert [v.version for v in hist] == list(range(1, 11))
        assert all(v.action == "build" for v in hist)
        # going back, a version drops the newest row or two: the oldest is never longer
        assert hist[0].rows <= hist[-1].rows
        assert versions.version_triples(history_store, code, 1)
    graphs = {g.value for g in open_read_only(history_store).named_graphs()}
    # the store holds the current lists only: no version graphs in it or in its default graph
    assert {g for g in graphs if g.startswith(iris.graph("region/"))} == {iris.region_graph(c) for c in codes}
    assert not any("/v" in g.rsplit("/", 1)[-1] for g in graphs)


def test_incremental_validation_after_new_versions_equals_a_full_one(history_store):
    lines: list[str] = []
    full = validate.run_store(history_store, cache=False)
    first = validate.run_store(history_store, progress=lines.append)       # the store's own cache
    assert (history_store / DIR).is_dir()
    assert _hits(lines) == 0
    _same(first, full)
    assert len(full.results) > 0 and set(full.regions) == set(synth.synthetic_regions(REGIONS))

    # two regions load a new version (version 11), as `policykg load` writes one
    _bb, _o, _p, lists = buildstore.make_lists("history", limit=REGIONS)
    changed = lists[:2]
    for rl in changed:
        new = synth.next_version(rl)
        assert new.rows != rl.rows
        triples, restricted = rdfmap.region_list_triples(new), rdfmap.restricted_triples(new)
        pending = versions.Pending(source="next.xlsx", sha256=f"next:{rl.region}")
        _n, _g, made = publish_region_graph(
            history_store, iris.region_graph(rl.region), triples, restricted,
            record=lambda gen, rl=rl, t=triples, r=restricted, p=pending: versions.record(gen, rl.region, t, r, p))
        assert made is not None and made.version == 11

    lines.clear()
    incremental = validate.run_store(history_store, progress=lines.append)
    assert _hits(lines) == REGIONS - len(changed)          # only the changed regions ran again
    _same(incremental, validate.run_store(history_store, cache=False))
    _same(incremental, validate.run_store(history_store, per_region=False))
    # a rewritten text changes nothing a shape looks at: same counts, other texts
    assert incremental.counts() == full.counts()

    lines.clear()
    _same(validate.run_store(history_store, progress=lines.append), incremental)
    assert _hits(lines) == REGIONS


def test_a_changed_region_with_a_new_defect_is_found_incrementally(history_store):
    """A new version that drops a measure's text: the incremental run reports the Violation."""
    validate.run_store(history_store)                      # the cache is warm
    code = synth.synthetic_regions(REGIONS)[-1]
    graph = iris.region_graph(code)
    src = open_read_only(history_store)
    text = NamedNode(PREFIXES["pk"] + "text")
    dropped = next(q for q in src.quads_for_pattern(None, text, None, NamedNode(graph)))
    kept = [q.triple for q in src.quads_for_pattern(None, None, None, NamedNode(graph)) if q != dropped]
    del src
    pending = versions.Pending(source="broken.xlsx", sha256="broken")
    publish_region_graph(history_store, graph, kept, [],
                         record=lambda gen: versions.record(gen, code, kept, [], pending))
    lines: list[str] = []
    rep = validate.run_store(history_store, progress=lines.append)
    assert _hits(lines) == REGIONS - 1
    _same(rep, validate.run_store(history_store, cache=False))
    new = [f for f in rep.results if f.shape_name == "pkshape:LocalMeasureTextShape"]
    assert [(f.severity, f.region, f.focus) for f in new] == [("Violation", code, dropped.subject.value)]
    assert not rep.conforms


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    root = tmp_path / "store"
    buildstore.build(root, "provincial", limit=2)
    monkeypatch.setenv("POLICYKG_VALIDATION_CACHE", "off")
    lines: list[str] = []
    validate.run_store(root, progress=lines.append)
    assert not (root / DIR).exists()
    assert not any("个地区的结果取自缓存" in x for x in lines)
    monkeypatch.delenv("POLICYKG_VALIDATION_CACHE")
    validate.run_store(root, cache=False)
    res = CliRunner().invoke(main, ["validate", "--store", str(root), "--no-cache", "--format", "json"])
    assert res.exit_code in (0, 1), res.output
    assert not (root / DIR).exists()
    validate.run_store(root)
    # two regions, the shared graphs and the run over the nodes both lists describe (categories)
    assert len(list((root / DIR).glob("*/*.json"))) == 2 + 1 + 1
