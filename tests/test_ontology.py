"""The ontology: labelled and defined in Chinese and English, consistent under HermiT."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from policykg.core.config import ONTOLOGY_DIR, ONTOLOGY_NS

TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_DIR / "policykg.ttl")


def _terms(g: rdflib.Graph) -> set[rdflib.URIRef]:
    return {s for k in TERM_KINDS for s in g.subjects(RDF.type, k) if isinstance(s, rdflib.URIRef)}


def test_every_term_has_zh_and_en_label_and_definition(onto):
    missing = []
    for term in sorted(_terms(onto)):
        for prop in (RDFS.label, SKOS.definition):
            langs = {o.language for o in onto.objects(term, prop)}
            if not {"zh", "en"} <= langs:
                missing.append(f"{term} {prop} has {langs}")
    assert missing == []


def test_core_classes_reuse_standard_vocabularies(onto):
    pk = rdflib.Namespace(ONTOLOGY_NS)
    cpsv = rdflib.Namespace("http://purl.org/vocab/cpsv#")
    eli = rdflib.Namespace("http://data.europa.eu/eli/ontology#")
    org = rdflib.Namespace("http://www.w3.org/ns/org#")
    assert (pk.ServiceItem, RDFS.subClassOf, cpsv.PublicService) in onto
    assert (pk.ProvincialMeasure, RDFS.subClassOf, eli.LegalResourceSubdivision) in onto
    assert (pk.LocalMeasure, RDFS.subClassOf, eli.LegalResourceSubdivision) in onto
    assert (pk.UndertakingBlock, RDFS.subClassOf, org.OrganizationalUnit) in onto
    assert (pk.ServiceCategory, RDFS.subClassOf, SKOS.Concept) in onto
    assert str(onto.value(pk.KeyTask, RDFS.label, any=True)) in {"省级重点工作", "provincial key task"}


def _reason(extra_nt: str = ""):
    owlready2 = pytest.importorskip("owlready2")
    g = rdflib.Graph().parse(ONTOLOGY_DIR / "policykg.ttl")
    if extra_nt:
        g.parse(data=extra_nt, format="nt")
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".nt", delete=False) as fh:
        fh.write(g.serialize(format="nt"))
    try:
        world = owlready2.World()
        onto = world.get_ontology(f"file://{fh.name}").load()
        with onto:
            owlready2.sync_reasoner(world, infer_property_values=False, debug=0)
    finally:
        Path(fh.name).unlink(missing_ok=True)      # owlready2 reads it once: no file left in /tmp
    return world


@pytest.mark.slow
def test_hermit_finds_the_ontology_consistent():
    world = _reason()
    assert list(world.inconsistent_classes()) == []


@pytest.mark.slow
def test_hermit_catches_a_contradictory_individual():
    owlready2 = pytest.importorskip("owlready2")
    bad = (
        f"<urn:x:thing> <{RDF.type}> <{ONTOLOGY_NS}KeyTask> .\n"
        f"<urn:x:thing> <{RDF.type}> <{ONTOLOGY_NS}ProvincialMeasure> .\n"
    )
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _reason(bad)


@pytest.mark.slow
def test_hermit_finds_the_real_graph_consistent_with_the_ontology(built_store):
    """Domains, ranges, disjointness and functional properties hold for the data as built
    (this caught pk:startLine's old domain, which made provincial measures SourceRows)."""
    from pyoxigraph import DefaultGraph, RdfFormat, serialize

    from policykg.graph.store import open_read_only

    store = open_read_only(built_store)   # the default graph is the merge of every public graph
    data = serialize([q.triple for q in store.quads_for_pattern(None, None, None, DefaultGraph())],
                     format=RdfFormat.N_TRIPLES)
    world = _reason(data.decode("utf-8"))
    assert list(world.inconsistent_classes()) == []
