"""Records -> RDF. The only place that decides which triples a row becomes.

Output is a list of pyoxigraph ``Triple``s (fast to build, loaded straight into the
store); :func:`to_rdflib` converts for pyshacl/tests. Every entity minted from a row
points back at it with ``pk:sourceRow`` (a ``prov:wasDerivedFrom``); the row carries
document, attachment, 序号 and line range. Phone numbers are not written: they go to
:func:`restricted_triples`, which the public store never receives.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from policykg.core import iris
from policykg.core.config import ONTOLOGY_NS
from policykg.core.namespaces import PREFIXES
from policykg.core.records import Backbone, ListRow, RegionList, ServiceItem, SourceRef
from policykg.core.regions import get as get_region
from policykg.core.regions import regions

RDF = PREFIXES["rdf"]
RDFS = PREFIXES["rdfs"]
XSD = PREFIXES["xsd"]
SKOS = PREFIXES["skos"]
DCT = PREFIXES["dct"]
PROV = PREFIXES["prov"]
ORG = PREFIXES["org"]
CV = PREFIXES["cv"]
ELI = PREFIXES["eli"]
PK = ONTOLOGY_NS

_nodes: dict[str, NamedNode] = {}


def N(iri: str) -> NamedNode:  # noqa: N802 - reads like a term constructor
    node = _nodes.get(iri)
    if node is None:
        node = _nodes[iri] = NamedNode(iri)
    return node


A = N(RDF + "type")
LABEL = N(RDFS + "label")
PREF = N(SKOS + "prefLabel")
XSD_INT = N(XSD + "integer")
XSD_BOOL = N(XSD + "boolean")


def zh(text: str) -> Literal:
    return Literal(text, language="zh")


def en(text: str) -> Literal:
    return Literal(text, language="en")


def integer(n: int) -> Literal:
    return Literal(str(int(n)), datatype=XSD_INT)


def plain(text: str) -> Literal:
    return Literal(text)


class _Sink:
    """Collects triples, skipping empty literals so an empty cell leaves no trace."""

    def __init__(self) -> None:
        self.triples: list[Triple] = []
        self._seen: set[Triple] = set()

    def add(self, s: NamedNode | BlankNode, p: str | NamedNode, o: NamedNode | Literal | BlankNode | str | None) -> None:
        if o is None or o == "":
            return
        if isinstance(o, str):
            o = zh(o)
        t = Triple(s, N(p) if isinstance(p, str) else p, o)
        if t not in self._seen:
            self._seen.add(t)
            self.triples.append(t)


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _document(out: _Sink, ref: SourceRef) -> NamedNode:
    doc = N(iris.document(ref.sha256 or hashlib.sha256(ref.document.encode()).hexdigest()))
    out.add(doc, RDF + "type", N(PK + "SourceDocument"))
    out.add(doc, DCT + "title", plain(ref.document))
    if ref.sha256:
        out.add(doc, PK + "sha256", plain(ref.sha256))
    return doc


# ------------------------------------------------------------------ regions

def region_triples() -> list[Triple]:
    """All of Zhejiang's divisions with names and parents (the 'regions' graph)."""
    out = _Sink()
    for r in regions().values():
        s = N(iris.region(r.code))
        out.add(s, RDF + "type", N(PK + "Region"))
        out.add(s, LABEL, zh(r.full_name if r.level == "county" else r.name))
        out.add(s, SKOS + "prefLabel", zh(r.name))
        out.add(s, PK + "divisionCode", plain(r.code))
        out.add(s, PK + "adminLevel", plain(r.level))
        if r.parent:
            out.add(s, PK + "parentRegion", N(iris.region(r.parent)))
    return out.triples


# ------------------------------------------------------------------ backbone

def backbone_triples(bb: Backbone) -> list[Triple]:
    out = _Sink()
    doc = _document(out, bb.source)
    scheme = N(iris.category_scheme())
    out.add(scheme, RDF + "type", N(SKOS + "ConceptScheme"))
    out.add(scheme, LABEL, zh("服务事项分类"))
    out.add(scheme, LABEL, en("Service item taxonomy"))
    for g in bb.general_tasks:
        s = N(iris.general_task(g.number))
        out.add(s, RDF + "type", N(PK + "GeneralTask"))
        out.add(s, PK + "number", integer(g.number))
        out.add(s, LABEL, zh(g.title))
        out.add(s, DCT + "source", doc)
    for k in bb.key_tasks:
        s = N(iris.key_task(k.number))
        out.add(s, RDF + "type", N(PK + "KeyTask"))
        out.add(s, PK + "number", integer(k.number))
        out.add(s, LABEL, zh(k.title))
        out.add(s, DCT + "title", zh(k.title))
        out.add(s, DCT + "source", doc)
        if k.general_task:
            out.add(s, PK + "generalTask", N(iris.general_task(k.general_task)))
    for m in bb.measures:
        s = N(iris.provincial_measure(m.number))
        out.add(s, RDF + "type", N(PK + "ProvincialMeasure"))
        out.add(s, PK + "number", integer(m.number))
        out.add(s, PK + "text", zh(m.text))
        out.add(s, LABEL, zh(f"{m.number}. {_headline(m.text)}"))
        out.add(s, PK + "keyTask", N(iris.key_task(m.key_task)))
        out.add(s, ELI + "is_part_of", N(iris.key_task(m.key_task)))
        out.add(s, DCT + "source", doc)
        if m.source and m.source.line_start:
            out.add(s, PK + "startLine", integer(m.source.line_start))
            out.add(s, PK + "endLine", integer(m.source.line_end or m.source.line_start))
    return out.triples


def _headline(text: str, limit: int = 40) -> str:
    """A measure's label: its first sentence, or the first ``limit`` characters."""
    for stop in "。；":
        i = text.find(stop)
        if 0 < i <= limit:
            return text[:i]
    return text if len(text) <= limit else text[:limit] + "…"


# ------------------------------------------------------------------ region lists

def region_list_triples(rl: RegionList) -> list[Triple]:
    """One region's list as triples for its named graph (public facts only)."""
    out = _Sink()
    code = rl.region
    reg = get_region(code)
    region = N(iris.region(code))
    doc = _document(out, rl.source)
    table = N(iris.table(code))
    centre = N(iris.centre(code))
    out.add(table, RDF + "type", N(PK + "SourceTable"))
    out.add(table, LABEL, zh(rl.title or f"{reg.full_name}清单"))
    out.add(table, PK + "layout", plain(rl.layout))
    out.add(table, PK + "region", region)
    out.add(table, DCT + "source", doc)
    if rl.source.attachment:
        out.add(table, PK + "attachment", integer(rl.source.attachment))
    if rl.synthetic:
        out.add(table, PK + "synthetic", Literal("true", datatype=XSD_BOOL))
    out.add(centre, RDF + "type", N(PK + "ServiceCentre"))
    out.add(centre, LABEL, zh(f"{reg.full_name}企业综合服务中心"))
    out.add(centre, PK + "region", region)
    out.add(region, PK + "serviceCentre", centre)
    for row in rl.rows:
        _row(out, rl, row, table, region, centre)
    return out.triples


def _row(out: _Sink, rl: RegionList, row: ListRow, table: NamedNode, region: NamedNode,
         centre: NamedNode) -> None:
    code = rl.region
    r = N(iris.row(code, row.row, row.occurrence))
    out.add(r, RDF + "type", N(PK + "SourceRow"))
    again = f"（第{row.occurrence}次印出）" if row.occurrence > 1 else ""
    out.add(r, LABEL, zh(f"{get_region(code).full_name}清单第{row.row}行{again}"))
    out.add(r, PK + "rowNumber", integer(row.row))
    if row.occurrence > 1:
        out.add(r, PK + "printing", integer(row.occurrence))
    out.add(r, PK + "table", table)
    out.add(r, PK + "region", region)
    ref = row.source or rl.source
    for prop, value in (("startLine", ref.line_start), ("endLine", ref.line_end),
                        ("page", ref.page), ("sheetRow", ref.sheet_row)):
        if value is not None:
            out.add(r, PK + prop, integer(value))
    if ref.sheet:
        out.add(r, PK + "sheet", plain(ref.sheet))
    kt = N(iris.key_task(row.key_task)) if row.key_task else None
    if kt is not None:
        out.add(r, PK + "keyTask", kt)
    if row.key_task_label:
        out.add(r, PK + "keyTaskLabel", zh(row.key_task_label))
    if row.general_task_label:
        out.add(r, PK + "generalTaskLabel", zh(row.general_task_label))
    for n in row.provincial_measures:
        out.add(r, PK + "citesProvincialMeasure", N(iris.provincial_measure(n)))
    for t in row.provincial_texts:
        out.add(r, PK + "provincialText", zh(t))
    out.add(r, PK + "remark", row.remark)

    measure_nodes = []
    for lm in row.local_measures:
        m = N(iris.local_measure(code, lm.key))
        measure_nodes.append(m)
        kind = {"city-rule": "CityRule", "city-measure": "CityMeasure",
                "county-measure": "CountyMeasure", "adopted": "AdoptedMeasure"}[lm.kind]
        out.add(m, RDF + "type", N(PK + kind))
        out.add(m, RDF + "type", N(PK + "LocalMeasure"))
        out.add(m, LABEL, zh(_headline(lm.text)))
        out.add(m, PK + "text", zh(lm.text))
        out.add(m, PK + "measureKey", plain(lm.key))
        if lm.number is not None:
            out.add(m, PK + "number", integer(lm.number))
        out.add(m, PK + "region", region)
        if kt is not None:
            out.add(m, PK + "keyTask", kt)
        for n in lm.implements:
            out.add(m, ELI + "implements", N(iris.provincial_measure(n)))
        out.add(m, PK + "target", lm.target)
        out.add(m, PK + "stage", lm.stage)
        for u in lm.units:
            un = N(iris.unit(code, u))
            out.add(un, RDF + "type", N(PK + "ResponsibleUnit"))
            out.add(un, LABEL, zh(u))
            out.add(un, PK + "region", region)
            out.add(m, PK + "responsibleUnit", un)
        if lm.lead_unit:
            out.add(m, PK + "leadUnit", N(iris.unit(code, lm.lead_unit)))
        out.add(m, PK + "sourceRow", r)
        for c in row.contacts:
            out.add(m, PK + "contact", N(iris.contact(code, c.name)))
    for c in row.contacts:
        cn = N(iris.contact(code, c.name))
        out.add(cn, RDF + "type", N(PK + "ContactPoint"))
        out.add(cn, LABEL, zh(c.name))
        out.add(cn, PK + "role", c.role)
        out.add(cn, PK + "region", region)
        out.add(cn, PK + "sourceRow", r)
        out.add(r, PK + "contact", cn)
    _listings(out, code, row, r)

    for k, item in enumerate(row.service_items):
        _service_item(out, code, row, k if len(row.service_items) > 1 else 0, item, r, region,
                      centre, kt, measure_nodes)


def _listings(out: _Sink, code: str, row: ListRow, r: NamedNode) -> None:
    """The row's units and contacts in printed order: qualified entries ``…/row/N/unit/P``
    (pk:listedUnit, pk:position, pk:printedBefore), the row's lead unit and the note after
    the units; phone numbers stay out (see :func:`restricted_triples`)."""
    for pos, u in enumerate(row.units, start=1):
        node = N(iris.listing(r.value, "unit", pos))
        un = N(iris.unit(code, u.label))
        out.add(un, RDF + "type", N(PK + "ResponsibleUnit"))
        out.add(un, LABEL, zh(u.label))
        out.add(un, PK + "region", region_node(code))
        out.add(node, RDF + "type", N(PK + "Listing"))
        out.add(node, PK + "listedUnit", un)
        out.add(node, PK + "position", integer(pos))
        out.add(node, PK + "printedBefore", zh(u.before) if u.before else None)
        out.add(r, PK + "unitListing", node)
    if row.lead_unit:
        out.add(r, PK + "leadUnit", N(iris.unit(code, row.lead_unit)))
    out.add(r, PK + "unitsNote", row.units_note)
    for pos, t in enumerate(row.provincial_texts, start=1):      # 钱塘: provincial texts as printed, in order
        node = N(iris.listing(r.value, "provincial-text", pos))
        out.add(node, RDF + "type", N(PK + "Listing"))
        out.add(node, PK + "listedText", zh(t))
        out.add(node, PK + "position", integer(pos))
        out.add(r, PK + "provincialTextListing", node)
    for pos, c in enumerate(row.contacts, start=1):
        node = N(iris.listing(r.value, "contact", pos))
        out.add(node, RDF + "type", N(PK + "Listing"))
        out.add(node, PK + "listedContact", N(iris.contact(code, c.name)))
        out.add(node, PK + "position", integer(pos))
        out.add(node, PK + "printedBefore", zh(c.before) if c.before else None)
        out.add(r, PK + "contactListing", node)


def region_node(code: str) -> NamedNode:
    return N(iris.region(code))


def _service_item(out: _Sink, code: str, row: ListRow, k: int, item: ServiceItem, r: NamedNode,
                  region: NamedNode, centre: NamedNode, kt: NamedNode | None,
                  measures: list[NamedNode]) -> None:
    number = row.row if row.occurrence == 1 else f"{row.row}p{row.occurrence}"
    s = N(iris.service_item(code, number, k))
    out.add(s, RDF + "type", N(PK + "ServiceItem"))
    out.add(s, RDF + "type", N(PREFIXES["cpsv"] + "PublicService"))
    title = item.title
    out.add(s, LABEL, zh(title or f"第{row.row}行服务事项"))
    out.add(s, DCT + "title", zh(title))
    out.add(s, DCT + "identifier", plain(f"{code}-{number}" + (f"-{k}" if k else "")))
    out.add(s, PK + "region", region)
    out.add(s, CV + "hasCompetentAuthority", centre)
    out.add(s, PK + "sourceRow", r)
    if kt is not None:
        out.add(s, PK + "keyTask", kt)
    for m in measures:
        out.add(s, PK + "localMeasure", m)
    for n in row.provincial_measures:
        out.add(s, PK + "citesProvincialMeasure", N(iris.provincial_measure(n)))
    out.add(s, PK + "serviceContent", item.content)
    out.add(s, DCT + "description", item.content)
    out.add(s, PK + "serviceProcess", item.process)
    if item.channel:
        ch = N(iris.channel(item.channel))
        out.add(ch, RDF + "type", N(CV + "Channel"))
        out.add(ch, LABEL, zh(item.channel))
        out.add(s, CV + "hasChannel", ch)
    if item.block == "/":                  # printed "/" (德清 row 44): kept, but it names no block
        out.add(s, PK + "printedBlock", plain(item.block))
    elif item.block:
        b = N(iris.block(code, item.block))
        out.add(b, RDF + "type", N(PK + "UndertakingBlock"))
        out.add(b, LABEL, zh(item.block))
        out.add(b, PK + "region", region)
        out.add(b, ORG + "subOrganizationOf", centre)
        out.add(s, PK + "undertakingBlock", b)
    if item.responsible_unit:
        un = N(iris.unit(code, item.responsible_unit))
        out.add(un, RDF + "type", N(PK + "ResponsibleUnit"))
        out.add(un, LABEL, zh(item.responsible_unit))
        out.add(s, PK + "responsibleUnit", un)
    path: list[str] = []
    broader: NamedNode | None = None
    for level, label in ((1, item.level1), (2, item.level2), (3, item.level3)):
        if not label:
            continue
        path.append(label)
        c = N(iris.category(*path))
        out.add(c, RDF + "type", N(PK + "ServiceCategory"))
        out.add(c, RDF + "type", N(SKOS + "Concept"))
        out.add(c, PREF, zh(label))
        out.add(c, LABEL, zh(label))
        out.add(c, PK + "level", integer(level))
        out.add(c, SKOS + "inScheme", N(iris.category_scheme()))
        if broader is not None:
            out.add(c, SKOS + "broader", broader)
        else:
            out.add(c, SKOS + "topConceptOf", N(iris.category_scheme()))
        out.add(s, PK + f"level{level}", c)
        broader = c


def restricted_triples(rl: RegionList) -> list[Triple]:
    """Phone numbers of contacts: personal data, for the restricted file only."""
    out = _Sink()
    for row in rl.rows:
        for c in row.contacts:
            if c.phone:
                cn = N(iris.contact(rl.region, c.name))
                out.add(cn, "http://www.w3.org/2006/vcard/ns#hasTelephone", plain(c.phone))
    return out.triples


def to_rdflib(triples: Iterable[Triple]):
    """pyoxigraph triples -> rdflib Graph (for pyshacl, owlready2 and graph comparison)."""
    import rdflib  # heavy optional dependency: only for comparisons and reasoners, imported on use

    data = serialize(list(triples), format=RdfFormat.N_TRIPLES)
    g = rdflib.Graph()
    if data:
        g.parse(data=data.decode("utf-8"), format="nt")
    return g
