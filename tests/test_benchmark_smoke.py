"""Benchmarks: the synthetic generator, the parameter binding for other engines, the
per-query caps, and a reduced run of the runner (3 regions, 1 repeat, no servers).

No timing assertions: only that the runner works and writes the issue's JSON keys.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad, RdfFormat, serialize

from policykg.core import iris
from policykg.core.regions import regions
from policykg.graph import rdfmap
from policykg.sparql import queries

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))        # benchmarks/ is not an installed package

from benchmarks import engines, synth  # noqa: E402
from benchmarks.workload import Item, bind, portable, workload  # noqa: E402

CONTRACT = {"scale", "triples", "build_s", "queries", "throughput", "validate_all_s", "validate_region_s",
            "peak_rss_mb", "uncached_vs_fastest_peer", "wrong_answers"}
QUERY_KEYS = {"store_p50_ms", "store_p95_ms", "rdflib_p50_ms", "oxigraph_p50_ms", "http_p50_ms", "http_p95_ms",
              "http_first_ms", "http_uncached_p50_ms", "http_uncached_p95_ms",       # issue 21: cache off
              "oxigraph_server_p50_ms", "virtuoso_p50_ms"}
THROUGHPUT_KEYS = {"policykg_rps", "policykg_uncached_rps", "oxigraph_server_rps", "virtuoso_rps", "errors", "mixed"}


@pytest.fixture(scope="module")
def backbone():
    bb, origin = synth.backbone()
    assert origin == "real"
    return bb


def test_synthetic_lists_cover_every_city_and_county_and_say_so(backbone):
    lists = synth.provincial(backbone)
    codes = {r.code for r in regions().values() if r.level in ("city", "county")}
    assert len(codes) == 101
    assert {rl.region for rl in lists} == codes
    for rl in lists:
        assert rl.synthetic
        assert rl.title.startswith("【合成数据 synthetic】")
        assert "synthetic" in rl.title
        assert rl.rows and all(r.key_task in range(1, 33) for r in rl.rows)
        assert [r.row for r in rl.rows] == list(range(1, len(rl.rows) + 1))
    # the rdfmap marks each synthetic table
    triples = rdfmap.region_list_triples(lists[0])
    marked = [t for t in triples if t.predicate.value.endswith("#synthetic")]
    assert len(marked) == 1 and marked[0].subject.value == iris.table(lists[0].region)
    assert marked[0].object.value == "true"


def test_generator_is_deterministic_per_seed(backbone):
    a = synth.region_list("330800", backbone, seed=7)
    b = synth.region_list("330800", backbone, seed=7)
    c = synth.region_list("330800", backbone, seed=8)
    assert a.rows == b.rows
    assert a.rows != c.rows


def test_profile_comes_from_the_four_real_lists(backbone):
    real = synth.real_lists(synth.SOURCE_DOCUMENT, backbone)
    profile = synth.profile_from_lists(real)
    assert profile.origin == "real: 330800,330900,330114,330521"
    # 舟山 prints 33 rows (序号 27 twice, two rows of their own)
    assert profile.rows == {"quzhou": [93], "zhoushan": [33], "qiantang": [70], "deqing": [107]}
    assert "金融服务" in {c[0] for c in profile.categories}
    assert synth.profile_from_lists([]).origin == "hand-set"


def test_history_keeps_ten_versions_newest_last(backbone):
    rl = synth.region_list("330521", backbone)
    versions = list(synth.history(rl))
    assert [n for n, _ in versions] == list(range(1, 11))
    assert versions[-1][1] is rl
    assert len(versions[0][1].rows) <= len(rl.rows)


def test_portable_text_answers_like_substitution(built_read_only):
    """Every catalogue query with parameters: the self-contained text gives the same rows."""
    checked = 0
    for it in workload():
        if not it.substitutions:
            continue
        want = queries.run(built_read_only, it.text, substitutions=it.substitutions).values()
        got = queries.run(built_read_only, it.portable).values()
        assert _canon(got) == _canon(want), it.name
        checked += 1
    assert checked >= 3


def _canon(rows: list[dict]) -> list[tuple]:
    """Rows with GROUP_CONCAT lists sorted (their order is not defined), as a sorted list."""
    def cell(v):
        return "、".join(sorted(v.split("、"))) if isinstance(v, str) else v
    return sorted(tuple(sorted((k, cell(v) or "") for k, v in r.items())) for r in rows)


def test_bind_keeps_projection_and_reaches_minus():
    from pyoxigraph import Literal

    text = 'SELECT ?r WHERE { ?x ?p ?r . MINUS { ?x ?q ?r } } GROUP BY ?r ORDER BY ?r'
    out = bind(text, {"r": Literal("a")})
    assert out.startswith('SELECT ?r WHERE { VALUES (?r) { ("a") } ')
    assert 'MINUS { ?x ?q "a" }' in out and out.endswith("GROUP BY ?r ORDER BY ?r")
    assert "# c" not in portable('SELECT * WHERE { ?s ?p ?o } # c 中文', {})


@pytest.fixture(scope="module")
def tiny_nquads(tmp_path_factory) -> Path:
    g = NamedNode("https://example.org/g")
    quads = [Quad(NamedNode(f"https://example.org/s{i}"), NamedNode("https://example.org/p"),
                  NamedNode(f"https://example.org/o{i % 7}"), g) for i in range(300)]
    path = tmp_path_factory.mktemp("nq") / "tiny.nq"
    path.write_bytes(serialize(quads, format=RdfFormat.N_QUADS))
    return path


SLOW = Item("slow", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c . ?d ?e ?f . ?h ?i ?j . ?k ?l ?m } }",
            portable="SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?a ?b ?c . ?d ?e ?f . ?h ?i ?j . ?k ?l ?m } }")
FAST = Item("fast", "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }", portable="SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }")


def test_rdflib_query_over_its_cap_is_reported_not_awaited(tiny_nquads):
    out, info = engines.time_rdflib(tiny_nquads, [SLOW, FAST], repeat=1, timeout_s=3, load_timeout_s=60)
    assert out["slow"] == {"timeout_s": 3}
    assert out["fast"]["rows"] == 300          # the data stayed loaded: each query runs in a fork
    assert info["triples"] == 300


def test_isolated_engine_caps_a_query_and_goes_on(tiny_nquads):
    out, _ = engines.time_isolated("oxigraph", tiny_nquads, [SLOW, FAST], samples=2, timeout_s=5)
    assert out["slow"] == {"timeout_s": 5}
    assert out["fast"]["rows"] == 300 and len(out["fast"]["samples"]) >= 1


def test_runner_smoke_writes_the_contract(tmp_path):
    res_file, details_file = tmp_path / "res.json", tmp_path / "details.json"
    proc = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--quick", "--regions", "3", "--no-servers", "--skip", "rdflib",
         "--json", str(res_file), "--details", str(details_file)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads(res_file.read_text(encoding="utf-8"))
    assert set(res) == CONTRACT
    assert res["scale"] == "provincial"
    assert set(res["queries"]) == set(queries.catalogue())
    for name, q in res["queries"].items():
        assert set(q) == QUERY_KEYS, name
        assert q["store_p50_ms"] is not None and q["oxigraph_p50_ms"] is not None, name
        assert q["http_p50_ms"] is None and q["rdflib_p50_ms"] is None
    assert set(res["throughput"]) == THROUGHPUT_KEYS
    assert all(v is None for v in res["throughput"].values())
    assert res["triples"] > 10000 and res["build_s"] > 0 and res["peak_rss_mb"] > 0
    details = json.loads(details_file.read_text(encoding="utf-8"))
    assert details["builds"][0]["regions"] == 3
    assert details["builds"][0]["profile"]["origin"].startswith("real:")
    assert not details["row_mismatches"]
    assert "targets:" in proc.stdout and "policykg: not run" in proc.stdout
