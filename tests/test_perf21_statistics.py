"""Issue 21: statistics the gap and overlap questions read, and the result-cache switch.

The pair observations (queries/derive/region-pairs.rq) are checked against a direct count
over the item-name observations and against the document's figures; the cache switch
(``CACHE_ENTRIES=0``) against a counting executor.
"""

from __future__ import annotations

import pytest

from policykg.core.errors import QueryError
from policykg.sparql import queries
from server.executor import Cached, cache_entries
from server.jobs import Answer, Executor, Job


def _pairs(store) -> dict[tuple[str, str], tuple[int, int, int]]:
    rows = queries.run(store, "SELECT ?a ?b ?shared ?na ?nb WHERE { ?ds qb:structure pk:regionPairStructure . "
                       "?o qb:dataSet ?ds ; sdmx-dimension:refArea ?ra ; pk:refOtherArea ?rb ; "
                       "pk:sharedItemNameCount ?shared ; pk:itemNameCount ?na ; pk:otherItemNameCount ?nb . "
                       "?ra pk:divisionCode ?a . ?rb pk:divisionCode ?b }").values()
    return {(r["a"], r["b"]): (int(r["shared"]), int(r["na"]), int(r["nb"])) for r in rows}


def test_region_pairs_equal_direct_counts(built_read_only):
    """One observation per pair sharing a name, lower code first; counts as the names give them."""
    names: dict[str, set[str]] = {}
    for r in queries.run(built_read_only, "SELECT ?code ?name WHERE { ?ds qb:structure pk:itemNameStructure . "
                         "?o qb:dataSet ?ds ; sdmx-dimension:refArea ?r ; pk:refItemName ?name . "
                         "?r pk:divisionCode ?code }").values():
        names.setdefault(r["code"], set()).add(r["name"])
    direct = {(a, b): (len(names[a] & names[b]), len(names[a]), len(names[b]))
              for a in names for b in names if a < b and names[a] & names[b]}
    got = _pairs(built_read_only)
    assert got == direct
    # the document: 德清 and 衢州 share 28 of their 60 and 65 names; 舟山 lists no service item
    assert got[("330521", "330800")] == (28, 60, 65)
    assert got[("330114", "330800")] == (6, 63, 65)
    assert got[("330114", "330521")] == (5, 63, 60)
    assert not any("330900" in pair for pair in got)


def test_every_pair_names_both_lists(built_read_only):
    """Each pair observation is derived from the two regions' source tables."""
    rows = queries.run(built_read_only, "SELECT ?o (COUNT(DISTINCT ?t) AS ?n) WHERE { ?ds qb:structure "
                       "pk:regionPairStructure . ?o qb:dataSet ?ds ; prov:wasDerivedFrom ?t . ?t a pk:SourceTable } "
                       "GROUP BY ?o").values()
    assert len(rows) == 3 and {r["n"] for r in rows} == {"2"}


class _Counting(Executor):
    def __init__(self) -> None:
        self.calls = 0

    def generation(self) -> str | None:
        return "gen-1"

    def run(self, job: Job) -> Answer:
        self.calls += 1
        return Answer(kind="select", count=1, body=b"{}")


@pytest.mark.parametrize(("entries", "calls"), [(512, 1), (0, 3)])
def test_cache_entries_zero_turns_the_cache_off(entries, calls):
    inner = _Counting()
    ex = Cached(inner, max_entries=entries)
    answers = [ex.run(Job("SELECT * WHERE { ?s ?p ?o }")) for _ in range(3)]
    assert inner.calls == calls
    assert [a.cached for a in answers] == ([False, True, True] if entries else [False, False, False])
    assert ex.status()["cache"]["enabled"] is bool(entries)


@pytest.mark.parametrize(("raw", "want"), [(None, 512), ("", 512), (0, 0), ("0", 0), ("64", 64), (-3, 0)])
def test_cache_entries_config(raw, want):
    assert cache_entries({"CACHE_ENTRIES": raw}) == want


def test_cache_entries_must_be_an_integer():
    with pytest.raises(QueryError, match="CACHE_ENTRIES") as exc:
        cache_entries({"CACHE_ENTRIES": "many"})
    assert "整数" in exc.value.zh
