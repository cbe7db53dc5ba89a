"""The embedded store: generations, atomic swap, a killed or failed build leaves the old one serving."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple

from policykg.graph import store
from policykg.sparql import queries

G = "https://w3id.org/policykg/graph/test"


def _triples(n: int, tag: str) -> list[Triple]:
    p = NamedNode("urn:x:p")
    return [Triple(NamedNode(f"urn:x:{tag}{i}"), p, Literal(tag)) for i in range(n)]


def _count(root) -> int:
    res = queries.run(store.open_read_only(root), "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(res.values()[0]["n"])


def test_new_generation_is_published_and_old_ones_pruned(tmp_path):
    for i in range(5):
        with store.new_generation(tmp_path) as (st, _gen):
            store.put_graph(st, G, _triples(i + 1, "a"))
    assert _count(tmp_path) == 5
    gens = sorted(p.name for p in tmp_path.glob("gen-*"))
    assert len(gens) <= store.KEEP_GENERATIONS
    assert store.generation_name(tmp_path) in gens


def test_failed_build_leaves_old_store_and_no_debris(tmp_path):
    with store.new_generation(tmp_path) as (st, _):
        store.put_graph(st, G, _triples(3, "old"))
    before = store.generation_name(tmp_path)
    with pytest.raises(RuntimeError), store.new_generation(tmp_path) as (st, gen):
        store.put_graph(st, G, _triples(10, "new"))
        partial = gen.path
        raise RuntimeError("loader failed half way")
    assert store.generation_name(tmp_path) == before
    assert not partial.exists()
    assert _count(tmp_path) == 3


def test_killed_build_leaves_old_store_answering(tmp_path):
    with store.new_generation(tmp_path) as (st, _):
        store.put_graph(st, G, _triples(7, "old"))
    before = store.generation_name(tmp_path)
    script = textwrap.dedent(f"""
        import sys
        from pyoxigraph import Literal, NamedNode, Triple
        from policykg.graph import store
        with store.new_generation({str(tmp_path)!r}) as (st, gen):
            p = NamedNode("urn:x:p")
            store.put_graph(st, {G!r}, [Triple(NamedNode(f"urn:x:n{{i}}"), p, Literal("new")) for i in range(20000)])
            print("half-way", flush=True)
            sys.stdin.readline()   # block until killed
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "half-way"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert store.generation_name(tmp_path) == before
    assert _count(tmp_path) == 7
    # the next successful build cleans the killed build's debris away eventually
    with store.new_generation(tmp_path) as (st, _):
        store.put_graph(st, G, _triples(2, "next"))
    assert _count(tmp_path) == 2


def test_copy_current_keeps_other_graphs(tmp_path):
    with store.new_generation(tmp_path) as (st, _):
        store.put_graph(st, G, _triples(3, "a"))
        store.put_graph(st, G + "2", _triples(4, "b"))
    with store.new_generation(tmp_path, copy_current=True) as (st, _):
        store.put_graph(st, G, _triples(1, "c"))
    sizes = store.graph_sizes(store.open_read_only(tmp_path))
    assert sizes == {G: 1, G + "2": 4}


def test_missing_store_is_a_clear_error(tmp_path):
    from policykg.core.errors import StoreError

    with pytest.raises(StoreError, match="policykg build"):
        store.open_read_only(tmp_path / "nowhere")


def test_restricted_file_is_private(tmp_path):
    with store.new_generation(tmp_path) as (st, gen):
        store.write_restricted(gen, G, _triples(1, "phone"))
    gen = store.current(tmp_path)
    assert oct(gen.restricted_file.stat().st_mode & 0o777) == "0o600"
    assert _count(tmp_path) == 0   # never in the public store


# ------------------------------------------------------------------ generations staged in memory

DERIVED = "https://w3id.org/policykg/graph/test-derived"
ADDED = "https://w3id.org/policykg/graph/test-added"


def _finish(st) -> None:
    """Like derive.refresh: the merge, a declared derived graph and an undeclared new one."""
    store.merge_default_graph(st)
    st.update(f"INSERT {{ GRAPH <{DERIVED}> {{ ?s <urn:x:n> 1 }} }} WHERE {{ ?s ?p ?o }}")
    st.update(f"INSERT DATA {{ GRAPH <{ADDED}> {{ <urn:x:a> <urn:x:b> <urn:x:c> }} }}")


def _with_blank_nodes() -> list[Triple]:
    b1, b2 = BlankNode("c1"), BlankNode("c2")
    p = NamedNode("urn:x:component")
    return [*_triples(50, "a"), Triple(NamedNode("urn:x:s"), p, b1), Triple(b1, p, b2),
            Triple(b2, NamedNode("urn:x:label"), Literal("文本 _: 不是空白节点"))]


@pytest.mark.parametrize("copy_current", [False, True])
def test_a_staged_generation_is_the_disk_one_quad_for_quad(tmp_path, copy_current):
    """in_memory writes, in the end, what writing on disk writes: every graph, the merge,
    the derived and the added graphs, and blank nodes under the labels they had."""
    dumps = []
    for staged in (False, True):
        root = tmp_path / f"staged-{staged}"
        if copy_current:
            with store.new_generation(root) as (st, _):
                store.put_graph(st, G + "/old", _with_blank_nodes())
        with store.new_generation(root, copy_current=copy_current, finish=_finish, in_memory=staged,
                                  derived=(DERIVED,)) as (st, _):
            store.put_graph(st, G, _with_blank_nodes())
            store.put_graph(st, G + "/bytes", b"<urn:x:n1> <urn:x:p> \"n\" .\n")
        dumps.append(sorted(store.open_read_only(root).dump(format=RdfFormat.N_QUADS).splitlines()))
    assert dumps[0] == dumps[1]
    text = b"\n".join(dumps[1])
    assert b"_:c1 <urn:x:component> _:c2" in text and f"<{ADDED}>".encode() in text
    # G 53 + bytes 1 + the merge 54 + derived 54 (one per subject) + added 1, and the old graph's 53
    assert len(dumps[1]) == (216 if copy_current else 163)


def test_a_failed_background_write_drops_the_generation(tmp_path, monkeypatch):
    with store.new_generation(tmp_path) as (st, _):
        store.put_graph(st, G, _triples(3, "old"))
    before = store.generation_name(tmp_path)

    real = store.load_keeping_labels

    def broken(disk, data, graph=None):
        if threading.current_thread().name == "policykg-generation-writer":
            raise OSError("disk full")
        real(disk, data, graph)

    monkeypatch.setattr(store, "load_keeping_labels", broken)
    with pytest.raises(OSError, match="disk full"), \
            store.new_generation(tmp_path, copy_current=True, in_memory=True) as (st, _):
        st.bulk_load(b"<urn:x:n> <urn:x:p> <urn:x:o> .\n", format=RdfFormat.N_TRIPLES, to_graph=NamedNode(G))
    assert store.generation_name(tmp_path) == before
    assert sorted(p.name for p in tmp_path.glob("gen-*")) == [before]
    assert _count(tmp_path) == 3
