"""Issue 16.9 and 19.5/19.11: no version is lost whatever fails (a load killed midway), two
loads started together both survive (the store-wide write lock), partial generations are
removed and complete ones kept by their manifest's sequence, not by modification time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from server_support import copy_store
from versions_support import CODE, NEW_ITEM, exported_rows, second_version, write_csv

from policykg import versions
from policykg.core import iris
from policykg.graph import store
from policykg.graph.locking import write_lock
from policykg.sparql import queries

POLICYKG = [sys.executable, "-m", "policykg.cli"]
ITEM = ("SELECT ?n WHERE { GRAPH <%s> { ?s a pk:ServiceItem ; rdfs:label ?l ; pk:sourceRow/pk:rowNumber ?n } "
        "FILTER(STR(?l) = \"%s\") }")


def _values(root: Path, text: str) -> list[str]:
    return [next(iter(v.values())) for v in queries.run(store.open_read_only(root), text).values()]


@pytest.fixture()
def root(built_store, tmp_path) -> Path:
    return copy_store(built_store, tmp_path / "store")


def _load(root: Path, path: Path, code: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([*POLICYKG, "load", str(path), "--region", code, "--store", str(root)], **kw)


def test_load_killed_midway_loses_no_version(root, tmp_path):
    header, body = exported_rows(root)
    f2 = write_csv(tmp_path / "v2.csv", header, second_version(header, body))
    before_gen = store.generation_name(root)
    before = [v.to_json() for v in versions.history(root, CODE)]
    orphan = root / "versions" / CODE / "2.json"
    proc = _load(root, f2, CODE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not orphan.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)          # after the version's files, before the publish
    proc.wait(timeout=10)
    assert orphan.exists(), "the kill should land between writing the version and publishing it"
    assert store.generation_name(root) == before_gen
    assert [v.to_json() for v in versions.history(root, CODE)] == before      # v2 is not history
    partial = [p for p in root.glob("gen-*") if not (p / store.MANIFEST).exists()]
    assert partial, "the killed load left a partial generation"
    # the next load takes the number, and the partial generation is cleaned
    from loaders.load import load_region

    res = load_region(root, f2, CODE)
    assert res.version == 2 and [v.version for v in versions.history(root, CODE)] == [1, 2]
    assert versions.get(root, CODE, 2).sha256 == versions.file_sha256(f2)
    assert not any(p.exists() for p in partial)
    assert _values(root, ITEM % (iris.region_graph(CODE), NEW_ITEM)) == ["94"]


def test_two_loads_started_together_both_survive(root, tmp_path):
    header, body = exported_rows(root)
    f_qz = write_csv(tmp_path / "qz.csv", header, second_version(header, body))
    dq_header, dq_body = exported_rows(root, "330114")
    dq = [list(r) for r in dq_body]
    col = dq_header.index("三级事项")
    dq[0][col] = "税费优惠政策精准推送服务"
    f_dq = write_csv(tmp_path / "dq.csv", dq_header, dq)
    errs = [tmp_path / "qz.err", tmp_path / "dq.err"]
    with write_lock(root):          # hold the lock so that both loads meet it
        procs = [_load(root, f, code, stdout=subprocess.DEVNULL, stderr=open(e, "w"))
                 for f, code, e in ((f_qz, CODE, errs[0]), (f_dq, "330114", errs[1]))]
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not all("等待" in e.read_text(encoding="utf-8") for e in errs):
            assert all(p.poll() is None for p in procs), [e.read_text(encoding="utf-8") for e in errs]
            time.sleep(0.05)
    assert [p.wait(timeout=180) for p in procs] == [0, 0]
    for e in errs:
        assert "另一个写入正在进行，等待其完成… / another write" in e.read_text(encoding="utf-8")
    assert _values(root, ITEM % (iris.region_graph(CODE), NEW_ITEM)) == ["94"]
    assert _values(root, ITEM % (iris.region_graph("330114"), "税费优惠政策精准推送服务")) == ["1"]
    assert versions.committed(root)[CODE] == 2 and versions.committed(root)["330114"] == 2


def test_a_thread_waits_for_the_lock_too(tmp_path):
    order: list[str] = []
    with write_lock(tmp_path):
        t = threading.Thread(target=lambda: (write_lock(tmp_path).__enter__(), order.append("second")))
        t.start()
        time.sleep(0.2)
        order.append("first")
    t.join(5)
    assert order == ["first", "second"]


def test_partial_generations_removed_complete_kept_by_sequence(tmp_path):
    from pyoxigraph import Literal, NamedNode, Triple

    g = "https://w3id.org/policykg/graph/test"

    def write(i: int) -> str:
        with store.new_generation(tmp_path) as (st, gen):
            store.put_graph(st, g, [Triple(NamedNode(f"urn:x:{i}"), NamedNode("urn:x:p"), Literal(str(i)))])
            return gen.name

    names = [write(i) for i in range(3)]
    assert [store._manifest_seq(tmp_path / n) for n in names] == [1, 2, 3]
    oldest = tmp_path / names[0]
    os.utime(oldest, (time.time() + 3600, time.time() + 3600))      # newest by mtime, oldest by sequence
    junk = tmp_path / "gen-20000101T000000-1-000001"                 # a killed writer's leftovers
    (junk / "oxigraph").mkdir(parents=True)
    names.append(write(3))
    left = sorted(p.name for p in tmp_path.glob("gen-*"))
    assert not junk.exists() and not oldest.exists()
    assert left == sorted(names[1:]) and len(left) == store.KEEP_GENERATIONS
    assert store.generation_name(tmp_path) == names[-1]
