"""Where queries are answered: the RocksDB files or an in-memory copy (store.open_for_queries),
and how a server worker switches generations without making a query wait for the copy."""

from __future__ import annotations

import time

import pytest
from loadkit import copy_store

from policykg.core.errors import StoreError
from policykg.graph import store
from policykg.graph.derive import refresh
from policykg.sparql import queries
from server.worker import Reader

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?r a pk:SourceRow }"


@pytest.fixture()
def store_dir(built_store, tmp_path):
    return copy_store(built_store, tmp_path / "store")


def _rows(st) -> str:
    return queries.run(st, COUNT).values()[0]["n"]


def test_modes(store_dir, monkeypatch):
    mem, mode = store.open_for_queries(store_dir)
    assert mode == "memory", "auto: the four real lists (a few MB) are copied into memory"
    disk, mode = store.open_for_queries(store_dir, "disk")
    assert mode == "disk"
    assert _rows(mem) == _rows(disk) == "303", "衢州 93 + 舟山 33 + 钱塘 70 + 德清 107 rows either way"
    monkeypatch.setattr(store, "MEMORY_LIMIT_BYTES", 1)
    assert store.open_for_queries(store_dir)[1] == "disk", "auto: a store over the limit stays on disk"
    monkeypatch.setenv("POLICYKG_QUERY_STORE", "memory")
    assert store.open_for_queries(store_dir)[1] == "memory"
    monkeypatch.setenv("POLICYKG_QUERY_STORE", "ram")
    with pytest.raises(StoreError) as err:
        store.open_for_queries(store_dir)
    assert "POLICYKG_QUERY_STORE" in err.value.message


def test_reader_answers_a_new_generation_at_once_then_from_memory(store_dir):
    reader = Reader(str(store_dir))
    reader.open(wait=True)
    assert reader.mode == "memory" and _rows(reader.store) == "303"
    old = reader.generation
    with store.new_generation(store_dir, copy_current=True, finish=refresh, in_memory=True) as (st, _gen):
        st.remove_graph(store.NamedNode("https://w3id.org/policykg/graph/region/330900"))   # 舟山's 32 rows gone
    reader.open(wait=False)
    assert reader.generation != old
    assert _rows(reader.store) == "270", "the new generation answers at once (from its files or its copy)"
    deadline = time.monotonic() + 30
    while reader.mode != "memory" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert reader.mode == "memory" and _rows(reader.store) == "270"
