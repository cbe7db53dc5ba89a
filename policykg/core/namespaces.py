"""Namespaces and prefixes shared by loaders, queries, the server and the web page."""

from __future__ import annotations

from .config import ONTOLOGY_NS, base_iri

PREFIXES: dict[str, str] = {
    "pk": ONTOLOGY_NS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "cpsv": "http://purl.org/vocab/cpsv#",
    "cv": "http://data.europa.eu/m8g/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "prov": "http://www.w3.org/ns/prov#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "sh": "http://www.w3.org/ns/shacl#",
    "qb": "http://purl.org/linked-data/cube#",
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sssom": "https://w3id.org/sssom/",
    "semapv": "https://w3id.org/semapv/vocab/",
}


def prefixes() -> dict[str, str]:
    """All prefixes, including the data base as ``pkid:`` (it is configurable)."""
    return {**PREFIXES, "pkid": base_iri() + "id/", "pkg": base_iri() + "graph/"}


def sparql_prologue() -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes().items())
