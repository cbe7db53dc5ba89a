"""``policykg load``: one region's list (PDF, XLSX, CSV) replaces that region's named graph.

Everything that can fail happens before the store is touched: reading the file, building
the rows (strict: a defective row is a :class:`LoadError` naming file, page/row and
column), mapping to RDF and structural validation. Only then is a new store generation
written — a copy of the current one with the region's graph replaced — and published with
one atomic rename. A failed or interrupted load leaves every graph as it was.

This is the one write pipeline: the Graph Store Protocol's writes (:mod:`server.graphstore`)
run the same steps — :func:`split_personal` (the phone-number rule), :func:`check_region_graph`
(structural validation) and :func:`publish_region_graph` (the new generation).
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Triple, parse, serialize

from policykg import pool, region_names, validate, versions
from policykg.align.graph import region_alignment
from policykg.core import iris, regions
from policykg.core.config import SOURCE_DOCUMENT
from policykg.core.errors import LoadError, PolicyKGError, UsageError
from policykg.core.progress import Progress, silent
from policykg.core.records import Backbone, GeneralTask, KeyTask, ProvincialMeasure, RegionList, SourceRef
from policykg.graph import rdfmap
from policykg.graph.derive import refresh, rewrites
from policykg.graph.store import (
    Generation,
    current,
    generation_name,
    new_generation,
    open_read_only,
    put_graph,
    write_restricted,
)
from policykg.sparql import queries

from . import headers, registry
from .text import read_backbone


@dataclass
class LoadResult:
    region: str
    region_name: str
    file: Path
    form: str
    layout: str
    rows: int
    local_measures: int
    service_items: int
    triples: int
    generation: str = ""
    seconds: float = 0.0
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)
    version: int | None = None      # the version this load made (policykg.versions)
    unchanged: bool = False         # same SHA-256 as the current version: nothing written

    def summary(self) -> str:
        if self.unchanged:
            return (f"{self.file.name} 与 {self.region_name}（{self.region}）的当前版本 v{self.version} 相同"
                    f"（SHA-256 一致），未创建新版本 / {self.file.name} is identical to {self.region}'s current "
                    f"version v{self.version} (same SHA-256): no new version")
        made = f"；第 {self.version} 版 / version {self.version}" if self.version else ""
        return (f"已加载 {self.file.name} → {self.region_name}（{self.region}，版式 {self.layout}）："
                f"{self.rows} 行，{self.local_measures} 条地方细化措施，{self.service_items} 个服务事项，"
                f"{self.triples} 个三元组，{self.seconds:.1f} 秒 / loaded {self.file.name} as {self.region} "
                f"({self.layout} layout): {self.rows} rows, {self.local_measures} local measures, "
                f"{self.service_items} service items, {self.triples} triples, {self.seconds:.1f} s{made}")


_BACKBONE_QUERY = """
SELECT ?backbone ?kind ?n ?text ?kt WHERE {
  GRAPH ?backbone {
    { ?s a pk:KeyTask ; pk:number ?n ; rdfs:label ?text . BIND("k" AS ?kind) OPTIONAL { ?s pk:generalTask/pk:number ?kt } }
    UNION { ?s a pk:ProvincialMeasure ; pk:number ?n ; pk:text ?text ; pk:keyTask/pk:number ?kt . BIND("m" AS ?kind) }
    UNION { ?s a pk:GeneralTask ; pk:number ?n ; rdfs:label ?text . BIND("g" AS ?kind) }
  }
}"""


def backbone_from_store(store_dir: Path | str) -> Backbone | None:
    """The 32 key tasks and 146 measures as the store holds them (None without a store)."""
    if generation_name(store_dir) is None:
        return None
    res = queries.run(open_read_only(store_dir), _BACKBONE_QUERY,
                      substitutions={"backbone": f"<{iris.graph('backbone')}>"})
    kts, ms, gts = [], [], []
    for r in res.values():
        n, text, kt = int(r["n"]), r["text"] or "", r.get("kt")
        if r["kind"] == "k":
            kts.append(KeyTask(n, text, int(kt) if kt else None))
        elif r["kind"] == "m":
            ms.append(ProvincialMeasure(n, int(kt), text))
        else:
            gts.append(GeneralTask(n, text))
    if not kts:
        return None
    return Backbone(sorted(kts, key=lambda k: k.number), sorted(ms, key=lambda m: m.number),
                    sorted(gts, key=lambda g: g.number), SourceRef(document="store"))


def read_list(path: Path, region: str, layout: str | None = None, *, backbone: Backbone | None = None,
              progress: Progress = silent, strict: bool = True, options=None) -> tuple[RegionList, str]:
    """Read a file into a RegionList (no store involved). Returns (list, form).

    ``options`` (:class:`loaders.headers.ReadOptions`): hand mapping, sheet, ``force``; it is
    completed from ``data/mappings/{region}.toml`` and gets the header recognition."""
    path = Path(path)
    if not path.is_file():
        raise LoadError("文件不存在", "no such file", where=str(path))
    if path.stat().st_size == 0:
        raise LoadError("文件为空", "the file is empty", where=str(path))
    try:
        regions.get(region)
    except UsageError as exc:
        raise LoadError(exc.zh, exc.en, where=str(path)) from None
    form = registry.form_for(path)
    opts = headers.region_options(region, options)
    loader = registry.get(form, layout or opts.layout)
    rl = loader.load(path, layout, region, progress, backbone=backbone, strict=strict, options=opts)
    sheet = next((r.source.sheet for r in rl.rows if r.source and r.source.sheet), "")
    rl.warnings[:0] = region_names.check({"标题": rl.title, "工作表": sheet or ""}, region.strip(), str(path),
                                         opts.force)
    return rl, form


SHARED_GRAPHS = ("ontology", "regions", "backbone")


def shared_triples(store_dir: Path | str) -> list[Triple]:
    """The store's shared graphs (ontology, regions, backbone) a region graph is validated with."""
    if generation_name(store_dir) is None:
        return []
    disk = open_read_only(store_dir)
    return [q.triple for name in SHARED_GRAPHS
            for q in disk.quads_for_pattern(None, None, None, NamedNode(iris.graph(name)))]


def structural_findings(data: list[Triple], region: str) -> tuple[list[str], dict[str, int]]:
    """Structural validation (policykg.validate, one query per constraint): the Violations'
    messages and the findings counted by severity. Picklable: a load runs it in a child."""
    report = validate.run(data, region=region, sets=True)
    return [f.message for f in report.results if f.severity == "Violation"], report.counts()


def verdict(violations: list[str], counts: dict[str, int], region: str, where: str) -> list[str]:
    """Violations refuse the load (LoadError); warnings and infos are listed after it."""
    if violations:
        shown = "\n".join(f"  - {m}" for m in violations[:20])
        more = f"\n  … 另有 {len(violations) - 20} 条 / {len(violations) - 20} more" if len(violations) > 20 else ""
        raise LoadError(f"结构校验发现 {len(violations)} 处违规，未加载 / structural validation found "
                        f"{len(violations)} Violation(s); nothing was loaded:\n{shown}{more}", where=where)
    if counts.get("Warning") or counts.get("Info"):
        return [f"校验：{counts.get('Warning', 0)} 条警告，{counts.get('Info', 0)} 条提示（policykg validate --region "
                f"{region} 查看） / validation: {counts.get('Warning', 0)} warnings, {counts.get('Info', 0)} infos"]
    return []


def check_region_graph(store_dir: Path | str, triples: list, region: str, where: str) -> list[str]:
    """Structural validation of the new region graph with the store's shared graphs, here and
    now (the Graph Store Protocol's writes); :func:`load_region` runs it beside its writing."""
    return verdict(*structural_findings(list(triples) + shared_triples(store_dir), region), region, where)


def alignment_nt(rl: RegionList, backbone: Backbone | None,
                 curation_dir: Path | str | None) -> tuple[bytes, list[str]]:
    """:func:`region_alignment` as N-Triples and findings: what a child sends back (bytes
    cross the pipe far faster than pickled triples)."""
    aligned, found = region_alignment(rl, backbone, curation_dir)
    return (serialize(aligned, format=RdfFormat.N_TRIPLES) if aligned else b""), found


# ------------------------------------------------------------------ personal data: the one rule

VCARD_TEL = "http://www.w3.org/2006/vcard/ns#hasTelephone"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CONTACT = "https://w3id.org/policykg/def#ContactPoint"
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
PHONE = re.compile(r"(?<![0-9])(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})(?![0-9])")


def split_personal(triples: list[Triple]) -> tuple[list[Triple], list[Triple]]:
    """vcard:hasTelephone -> restricted. A mobile number anywhere, or any phone number on a
    contact point, refuses the graph (LoadError); an office hotline in a service's text is public."""
    contacts = {t.subject for t in triples if t.predicate.value == RDF_TYPE and t.object.value == CONTACT}
    public, restricted = [], []
    for t in triples:
        if t.predicate.value == VCARD_TEL:
            restricted.append(t)
            continue
        text = t.object.value if hasattr(t.object, "language") else ""
        if text and (MOBILE.search(text) or (t.subject in contacts and PHONE.search(text))):
            raise LoadError(f"上传中含疑似电话号码（{t.subject.value} {t.predicate.value}）：个人信息不能进入公开图谱",
                            f"the upload contains what looks like a phone number ({t.subject.value} "
                            f"{t.predicate.value}): personal data cannot enter the public graph")
        public.append(t)
    return public, restricted


# ------------------------------------------------------------------ the new generation

def restricted_triples_of(store_dir: Path | str, graph: str) -> list[Triple]:
    """The current generation's restricted triples of ``graph`` (none without a store)."""
    if generation_name(store_dir) is None:
        return []
    path = current(store_dir).restricted_file
    if not path.exists():
        return []
    return [q.triple for q in parse(path=str(path), format=RdfFormat.N_QUADS) if q.graph_name == NamedNode(graph)]


def publish_region_graph(store_dir: Path | str, graph: str, triples: list[Triple] | None,
                         restricted: list[Triple], *, replace: dict[str, list[Triple] | bytes | None] | None = None,
                         record: Callable[[Generation], versions.Version | None] | None = None,
                         gate: Callable[[], object] | None = None,
                         ) -> tuple[int, str, versions.Version | None]:
    """Publish a new generation, a copy of the current one with ``graph`` replaced by
    ``triples`` (``None``: removed) and its restricted triples by ``restricted``; the
    statistics are recounted. ``replace`` names graphs derived from the list (its alignment,
    graph/alignment/{code}) to write with it (``None``: removed). ``record``
    (:func:`policykg.versions.record`) appends the
    version inside the same generation, under the same write lock. ``gate`` (see
    :func:`policykg.graph.store.new_generation`) may still refuse the written generation.
    Returns (triples written, generation name, the version made or None)."""
    with new_generation(store_dir, copy_current=True, finish=refresh, in_memory=True, derived=rewrites(), gate=gate) as (store, gen):
        if triples is None:
            store.remove_graph(NamedNode(graph))
            n = 0
        else:
            n = put_graph(store, graph, triples)
        for other, content in (replace or {}).items():
            if content is not None:
                put_graph(store, other, content)
            elif store.contains_named_graph(NamedNode(other)):
                store.remove_graph(NamedNode(other))
        write_restricted(gen, graph, restricted)
        made = record(gen) if record is not None else None
        return n, gen.name, made


def load_region(store_dir: Path | str, path: Path | str, region: str, layout: str | None = None,
                progress: Progress = silent, *, strict: bool = True, validate: bool = True,
                options=None, note: str | None = None, date: str | None = None,
                curation_dir: Path | str | None = None) -> LoadResult:
    """Read ``path`` as ``region``'s list and publish it as that region's named graph.

    ``strict`` (uploads): a defective row is a LoadError; ``validate``: structural
    Violations refuse the load. Either way the store is untouched unless all went well.
    """
    t0 = time.monotonic()
    path = Path(path)
    region = str(region).strip()
    same = _same_as_current(store_dir, path, region)
    if same is not None:
        return same
    backbone = None
    try:
        backbone = backbone_from_store(store_dir)
    except PolicyKGError:
        backbone = None
    if backbone is None:
        backbone = _backbone_from_source()
    rl, form = read_list(path, region, layout, backbone=backbone, progress=progress, strict=strict, options=options)
    # The alignment (from the rows) and the structural validation (of their RDF) run in forked
    # children beside the mapping and the writing of the new generation; the validation's
    # verdict gates the publishing. 10,000 rows: alignment 4.9 s, validation 10 s, of 51.
    with contextlib.ExitStack() as children:
        progress("对齐省级细化措施 / aligning to the provincial measures")
        aligned_of = children.enter_context(pool.background(alignment_nt, rl, backbone, curation_dir))
        triples = rdfmap.region_list_triples(rl)
        restricted = rdfmap.restricted_triples(rl)
        warnings = list(rl.warnings) + [f"序号 {n}: {t[:30]}… {why}" for n, t, why in rl.unmatched]
        checked = len(warnings)
        findings_of = None
        if validate:
            progress("结构校验 / validating")
            findings_of = children.enter_context(
                pool.background(structural_findings, triples + shared_triples(store_dir), region))

        def gate() -> None:
            if findings_of is not None:
                warnings[checked:checked] = verdict(*findings_of(), region, str(path))

        aligned, found = aligned_of()     # N-Triples; a bad curation file fails here, store untouched
        warnings += found
        graph = iris.region_graph(region)
        progress(f"写入新的存储版本 / writing a new store generation ({len(triples)} triples)")
        pending = versions.Pending(source=path.name, sha256=versions.file_sha256(path), note=note, date=date)
        n, name, made = publish_region_graph(
            store_dir, graph, triples, restricted, replace={iris.alignment_graph(region): aligned},
            record=lambda gen: versions.record(gen, region, triples, restricted, pending, rows=len(rl.rows)),
            gate=gate)
    reg = regions.get(region)
    pages = len({r.source.page for r in rl.rows if r.source and r.source.page}) or None
    return LoadResult(
        region=region, region_name=reg.full_name, file=path, form=form, layout=rl.layout, rows=len(rl.rows),
        local_measures=len({m.key for r in rl.rows for m in r.local_measures}),
        service_items=sum(len(r.service_items) for r in rl.rows), triples=n, generation=name,
        seconds=time.monotonic() - t0, pages=pages, warnings=warnings, version=made.version if made else None)


def _same_as_current(store_dir: Path | str, path: Path, region: str) -> LoadResult | None:
    """A file with the SHA-256 of the region's current version loads nothing (and says so)."""
    if not path.is_file() or generation_name(store_dir) is None:
        return None
    try:
        reg = regions.get(region)
    except UsageError:
        return None
    cur = versions.current_version(store_dir, reg.code)
    if cur is None or cur.action == "delete" or cur.sha256 != versions.file_sha256(path):
        return None
    return LoadResult(region=reg.code, region_name=reg.full_name, file=path, form=path.suffix.lstrip("."),
                      layout="", rows=cur.rows, local_measures=0, service_items=0, triples=cur.triples,
                      generation=generation_name(store_dir) or "", version=cur.version, unchanged=True)


def _backbone_from_source() -> Backbone | None:
    """Without a store, the backbone comes from the source document."""
    if not SOURCE_DOCUMENT.is_file():
        return None
    try:
        return read_backbone(SOURCE_DOCUMENT)
    except PolicyKGError:
        return None
