"""An alignment as the triples of its named graph ``{base}graph/alignment/{code}``.

Contract (read by the measure-level landing, issue 15, and documented in the README):
  * every asserted link — predicted at or above the threshold, or accepted by a curator —
    is ``<local measure or service item> eli:implements <provincial measure>``;
  * every candidate (top 5, plus curated ones) is a ``sssom:Mapping`` node
    ``{base}id/region/{code}/mapping/{hash}`` with sssom:subject_id, sssom:object_id,
    sssom:predicate_id eli:implements, sssom:mapping_justification (a semapv: IRI),
    sssom:confidence (xsd:double), pk:rank (xsd:integer), pk:evidence, pk:asserted
    (xsd:boolean), sssom:predicate_modifier "Not" when a curator rejected it, and
    prov:wasDerivedFrom the subject's source row;
  * a local measure that matches no provincial measure well is ``a pk:LocalHighlight``.
Printed links (衢州's numbers, 钱塘's texts) stay in the region graph, untouched.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from ..core import iris
from ..core.config import ONTOLOGY_NS
from ..core.namespaces import PREFIXES
from ..core.records import Backbone, RegionList
from . import sssom
from .engine import CURATED, Alignment, Candidate, align

SSSOM = PREFIXES["sssom"]
SEMAPV = PREFIXES["semapv"]
PK = ONTOLOGY_NS
RDF_TYPE = NamedNode(PREFIXES["rdf"] + "type")
IMPLEMENTS = NamedNode(PREFIXES["eli"] + "implements")
XSD = PREFIXES["xsd"]


def apply_curation(al: Alignment, decisions: list[sssom.Curated]) -> Alignment:
    """Curated decisions beat predictions: an accepted pair is asserted, a rejected one is not."""
    if not decisions:
        return al
    pos = {(c.subject_id, c.object_id): i for i, c in enumerate(al.candidates)}
    subs = {s.iri: s for s in al.subjects}
    accepted: set[str] = set()
    for d in decisions:
        verdict = "审核拒绝 / curator rejected" if d.negated else "审核接受 / curator accepted"
        i = pos.get((d.subject_id, d.object_id))
        if i is not None:
            c = al.candidates[i]
            al.candidates[i] = replace(c, justification=CURATED, asserted=not d.negated, confidence=1.0,
                                       predicate_modifier="Not" if d.negated else "",
                                       evidence=f"{verdict}；{c.evidence}" if c.evidence else verdict)
        else:
            s = subs.get(d.subject_id)
            al.candidates.append(Candidate(
                d.subject_id, s.label if s else "", s.kind if s else "", al.region, s.row if s else 0,
                d.object_number, d.object_id, f"{d.object_number}.", 0, 1.0, 1.0, CURATED, verdict,
                not d.negated, "Not" if d.negated else "", s.source_row if s else ""))
            pos[(d.subject_id, d.object_id)] = len(al.candidates) - 1
        if not d.negated:
            accepted.add(d.subject_id)
    al.highlights = [h for h in al.highlights if h not in accepted]
    return al


def align_region(rl: RegionList, backbone: Backbone, curation_dir: Path | str | None = None) -> Alignment:
    """The list's alignment with its curation file (if any) applied; a bad file raises LoadError."""
    al = align(rl, backbone)
    path = sssom.curation_file(rl.region, curation_dir)
    if path.is_file():
        known = {s.iri for s in al.subjects}
        decisions = sssom.read(path, known, {m.number for m in backbone.measures})
        al = apply_curation(al, decisions)
    return al


def _curie_iri(curie: str) -> NamedNode:
    prefix, _, local = curie.partition(":")
    ns = {"semapv": SEMAPV, "pk": PK, "sssom": SSSOM}[prefix]
    return NamedNode(ns + local)


def triples(al: Alignment) -> list[Triple]:
    """The named graph's content (see the module docstring for the contract)."""
    out: list[Triple] = []
    seen: set[tuple[str, str]] = set()
    for c in al.candidates:
        s, o = NamedNode(c.subject_id), NamedNode(c.object_id)
        if c.asserted and c.predicate_modifier != "Not" and (c.subject_id, c.object_id) not in seen:
            seen.add((c.subject_id, c.object_id))
            out.append(Triple(s, IMPLEMENTS, o))
        m = NamedNode(iris.mapping(al.region, c.subject_id, c.object_id))
        out += [
            Triple(m, RDF_TYPE, NamedNode(SSSOM + "Mapping")),
            Triple(m, NamedNode(SSSOM + "subject_id"), s),
            Triple(m, NamedNode(SSSOM + "object_id"), o),
            Triple(m, NamedNode(SSSOM + "predicate_id"), IMPLEMENTS),
            Triple(m, NamedNode(SSSOM + "mapping_justification"), _curie_iri(c.justification)),
            Triple(m, NamedNode(SSSOM + "confidence"), Literal(repr(float(c.confidence)), datatype=NamedNode(XSD + "double"))),
            Triple(m, NamedNode(SSSOM + "similarity_score"), Literal(repr(float(c.score)), datatype=NamedNode(XSD + "double"))),
            Triple(m, NamedNode(PK + "rank"), Literal(str(c.rank), datatype=NamedNode(XSD + "integer"))),
            Triple(m, NamedNode(PK + "asserted"), Literal("true" if c.asserted and c.predicate_modifier != "Not"
                                                          else "false", datatype=NamedNode(XSD + "boolean"))),
            Triple(m, NamedNode(PK + "region"), NamedNode(iris.region(al.region))),
        ]
        if c.evidence:
            out.append(Triple(m, NamedNode(PK + "evidence"), Literal(c.evidence, language="zh")))
        if c.predicate_modifier:
            out.append(Triple(m, NamedNode(SSSOM + "predicate_modifier"), Literal(c.predicate_modifier)))
        if c.source_row:
            out.append(Triple(m, NamedNode(PREFIXES["prov"] + "wasDerivedFrom"), NamedNode(c.source_row)))
    for h in al.highlights:
        out.append(Triple(NamedNode(h), RDF_TYPE, NamedNode(PK + "LocalHighlight")))
    return out


def region_alignment(rl: RegionList, backbone: Backbone | None,
                     curation_dir: Path | str | None = None) -> tuple[list[Triple], list[str]]:
    """What ``build`` and ``load`` write to ``graph/alignment/{code}``, and the findings to show
    (empty text, a row without key task …). Nothing without a backbone."""
    if backbone is None or not backbone.measures:
        return [], []
    al = align_region(rl, backbone, curation_dir)
    return triples(al), [f"对齐 / alignment: {f.message}" for f in al.findings]
