"""Set-at-a-time SHACL-SPARQL (policykg.validate.sets), what a load validates with: exactly
pySHACL's findings, on the real lists (830 for the whole build with the checks), every
shape example, a list with defects of every structural kind (blank nodes, a subclass
instance, items lacking everything), and the rewrite's refusals (pySHACL then runs).

No timing assertions (benchmarks/bigload.py measures).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, Store, Triple

from loaders.load import check_region_graph
from policykg import validate
from policykg.core import iris
from policykg.core.errors import LoadError
from policykg.core.namespaces import PREFIXES
from policykg.graph.store import open_read_only
from policykg.validate import sets
from policykg.validate.shacl import alignment_graph, copy_graph, shared_graphs

EXAMPLES = Path(__file__).parent / "examples"
PK = PREFIXES["pk"]
RDF_TYPE = NamedNode(PREFIXES["rdf"] + "type")
XSD_INT = NamedNode(PREFIXES["xsd"] + "integer")


def _both(data) -> tuple[validate.Report, validate.Report]:
    return validate.run(data), validate.run(data, sets=True)


def _same(a: validate.Report, b: validate.Report) -> None:
    assert a.results == b.results             # same findings, same order, same multiplicity
    assert a.conforms == b.conforms and a.regions == b.regions


def _memory(store_dir: Path, lists: list[str] | None = None) -> Store:
    disk = open_read_only(store_dir)
    names = {g.value for g in disk.named_graphs()}
    regions = sorted(n for n in names if n.startswith(iris.graph("region/"))) if lists is None else lists
    mem = Store()
    for g in shared_graphs(names) + regions + [a for a in map(alignment_graph, regions) if a in names]:
        copy_graph(disk, g, mem)
    return mem


def test_the_whole_build_gives_pyshacls_830_findings(built_store):
    a, b = _both(_memory(built_store))
    _same(a, b)
    assert len(b.results) == 830
    assert b.counts() == {"Violation": 7, "Warning": 559, "Info": 264}


@pytest.mark.parametrize("code", ["330114", "330521", "330800", "330900"])
def test_each_list_alone_gives_pyshacls_findings(built_store, code):
    a, b = _both(_memory(built_store, [iris.region_graph(code)]))
    _same(a, b)
    assert b.results


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*/*.ttl")), ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_every_shape_example_gives_pyshacls_findings(path):
    _same(*_both(rdflib.Graph().parse(path, format="turtle")))


def _defective_list(built_store: Path) -> list[Triple]:
    """衢州's list with defects of each structural kind added: an item that is a blank node
    with nothing but a type, an item of a subclass of pk:ServiceItem with two regions, a
    local measure with no key task, a row numbered "x", a category at level 4. (Not a row
    with two numbers: the order GROUP_CONCAT lists them in is the plan's, in either engine.)"""
    disk = open_read_only(built_store)
    triples = [q.triple for q in disk.quads_for_pattern(None, None, None, NamedNode(iris.region_graph("330800")))]
    region = NamedNode(iris.region("330800"))
    other = NamedNode(iris.region("330900"))
    sub = NamedNode("https://example.org/SpecialItem")
    special, measure, row = (NamedNode(f"https://example.org/{n}") for n in ("special", "measure", "row"))
    category = NamedNode("https://example.org/category")
    triples += [
        Triple(BlankNode("bareitem"), RDF_TYPE, NamedNode(PK + "ServiceItem")),
        Triple(sub, NamedNode(PREFIXES["rdfs"] + "subClassOf"), NamedNode(PK + "ServiceItem")),
        Triple(special, RDF_TYPE, sub),
        Triple(special, NamedNode(PK + "region"), region),
        Triple(special, NamedNode(PK + "region"), other),
        Triple(measure, RDF_TYPE, NamedNode(PK + "LocalMeasure")),
        Triple(measure, NamedNode(PK + "region"), region),
        Triple(row, RDF_TYPE, NamedNode(PK + "SourceRow")),
        Triple(row, NamedNode(PK + "rowNumber"), Literal("x")),
        Triple(measure, NamedNode(PK + "sourceRow"), row),
        Triple(category, RDF_TYPE, NamedNode(PK + "ServiceCategory")),
        Triple(category, NamedNode(PK + "level"), Literal("4", datatype=XSD_INT)),
    ]
    return triples + [q.triple for g in shared_graphs(n.value for n in disk.named_graphs())
                      for q in disk.quads_for_pattern(None, None, None, NamedNode(g))]


def test_defects_of_every_kind_give_pyshacls_findings(built_store):
    a, b = _both(_defective_list(built_store))
    _same(a, b)
    found = {(f.focus, f.shape_name) for f in b.results if f.severity == "Violation"}
    assert {("bareitem", "pkshape:ServiceItemBlockShape"), ("bareitem", "pkshape:ServiceItemTitleShape"),
            ("https://example.org/special", "pkshape:ServiceItemRegionShape"),
            ("https://example.org/measure", "pkshape:LocalMeasureKeyTaskShape"),
            ("https://example.org/row", "pkshape:SourceRowNumberShape"),
            ("https://example.org/category", "pkshape:ServiceCategoryLevelShape")} <= found
    (row,) = [f for f in b.results if f.shape_name == "pkshape:SourceRowNumberShape"]
    assert row.message_en.endswith("(found x)")


def test_a_load_is_refused_on_the_same_violations(built_store):
    data = _defective_list(built_store)
    with pytest.raises(LoadError) as exc:
        check_region_graph(built_store, data, "330800", "x.csv")
    expected = sum(f.severity == "Violation" for f in validate.run(data, region="330800").results)
    assert f"发现 {expected} 处违规" in exc.value.zh


def test_the_project_shapes_compile_and_unknown_forms_do_not():
    compiled = sets.compile_shapes(validate.load_shapes())
    assert compiled is not None and len(compiled) == 24
    hoisted = [c for c in compiled if "?pkHas" in c.query]
    assert any(c.shape.endswith("ServiceItemProvenanceShape") for c in hoisted)
    # a nested SELECT without $this, an unknown pre-bound variable, an ungrouped aggregate, SELECT *: refused
    assert sets.bind_focus("SELECT $this WHERE { { SELECT ?x WHERE { ?x ?p ?o } } }", ["urn:C"]) is None
    assert sets.bind_focus("SELECT $this WHERE { $this ?p $currentShape }", ["urn:C"]) is None
    assert sets.bind_focus("SELECT $this (COUNT(*) AS ?n) WHERE { $this ?p ?o }", ["urn:C"]) is None
    assert sets.bind_focus("SELECT * WHERE { FILTER NOT EXISTS { $this ?p ?o } }", ["urn:C"]) is None
    # FILTERs beside other patterns keep their EXISTS (only a group of FILTERs alone is hoisted)
    kept = sets.bind_focus("SELECT $this WHERE { $this ?p ?o FILTER NOT EXISTS { $this ?q ?o } }", ["urn:C"])
    assert kept is not None and "NOT EXISTS" in kept and "pkHas" not in kept


def test_shapes_with_core_constraints_fall_back_to_pyshacl(tmp_path):
    (tmp_path / "core.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix pk: <https://w3id.org/policykg/def#> .\n"
        "<urn:s> a sh:NodeShape ; sh:targetClass pk:ServiceItem ; sh:property [ sh:path pk:region ; "
        "sh:minCount 1 ] .\n", encoding="utf-8")
    shapes = validate.load_shapes(tmp_path)
    assert sets.compile_shapes(shapes) is None
    g = rdflib.Graph()
    g.add((rdflib.URIRef("urn:i"), rdflib.RDF.type, rdflib.URIRef(PK + "ServiceItem")))
    a = validate.run(g, shapes_dir=tmp_path, checks_dir=None)
    b = validate.run(g, shapes_dir=tmp_path, checks_dir=None, sets=True)
    assert len(b.results) == 1 and a.results == b.results
