"""``policykg load``: one region's list (PDF, XLSX, CSV) replaces that region's named graph.

Everything that can fail happens before the store is touched: reading the file, building
the rows (strict: a defective row is a :class:`LoadError` naming file, page/row and
column), mapping to RDF and structural validation. Only then is a new store generation
written — a copy of the current one with the region's graph replaced — and published with
one atomic rename. A failed or interrupted load leaves every graph as it was.
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import iris, rdfmap, regions
from .errors import LoadError, PolicyKGError, UsageError
from .progress import Progress, silent
from .records import Backbone, GeneralTask, KeyTask, ProvincialMeasure, RegionList, SourceRef
from .store import generation_name, new_generation, open_read_only, put_graph, write_restricted


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

    def summary(self) -> str:
        return (f"已加载 {self.file.name} → {self.region_name}（{self.region}，版式 {self.layout}）："
                f"{self.rows} 行，{self.local_measures} 条地方细化措施，{self.service_items} 个服务事项，"
                f"{self.triples} 个三元组，{self.seconds:.1f} 秒 / loaded {self.file.name} as {self.region} "
                f"({self.layout} layout): {self.rows} rows, {self.local_measures} local measures, "
                f"{self.service_items} service items, {self.triples} triples, {self.seconds:.1f} s")


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
    from . import queries

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
              progress: Progress = silent, strict: bool = True) -> tuple[RegionList, str]:
    """Read a file into a RegionList (no store involved). Returns (list, form)."""
    from loaders import registry

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
    loader = registry.get(form, layout)
    rl = loader.load(path, layout, region, progress, backbone=backbone, strict=strict)
    return rl, form


SHARED_GRAPHS = ("ontology", "regions", "backbone")


def _validate(store_dir: Path | str, triples: list, region: str, where: str) -> list[str]:
    """Structural validation (policykg.validate) of the new region graph with the store's
    shared graphs (ontology, regions, backbone). Violations refuse the load; warnings and
    infos are listed after it."""
    if importlib.util.find_spec("policykg.validate") is None:
        return []
    from pyoxigraph import NamedNode

    from . import validate

    data = list(triples)
    if generation_name(store_dir) is not None:
        disk = open_read_only(store_dir)
        for name in SHARED_GRAPHS:
            data += [q.triple for q in disk.quads_for_pattern(None, None, None, NamedNode(iris.graph(name)))]
    report = validate.run(data, region=region)
    violations = [f for f in report.results if f.severity == "Violation"]
    if violations:
        shown = "\n".join(f"  - {f.message}" for f in violations[:20])
        more = f"\n  … 另有 {len(violations) - 20} 条 / {len(violations) - 20} more" if len(violations) > 20 else ""
        raise LoadError(f"结构校验发现 {len(violations)} 处违规，未加载 / structural validation found "
                        f"{len(violations)} Violation(s); nothing was loaded:\n{shown}{more}", where=where)
    counts = report.counts()
    if counts.get("Warning") or counts.get("Info"):
        return [f"校验：{counts.get('Warning', 0)} 条警告，{counts.get('Info', 0)} 条提示（policykg validate --region "
                f"{region} 查看） / validation: {counts.get('Warning', 0)} warnings, {counts.get('Info', 0)} infos"]
    return []


def load_region(store_dir: Path | str, path: Path | str, region: str, layout: str | None = None,
                progress: Progress = silent, *, strict: bool = True, validate: bool = True,
                curation_dir: Path | str | None = None) -> LoadResult:
    """Read ``path`` as ``region``'s list and publish it as that region's named graph.

    ``strict`` (uploads): a defective row is a LoadError; ``validate``: structural
    Violations refuse the load. Either way the store is untouched unless all went well.
    """
    t0 = time.monotonic()
    path = Path(path)
    region = str(region).strip()
    backbone = None
    try:
        backbone = backbone_from_store(store_dir)
    except PolicyKGError:
        backbone = None
    if backbone is None:
        backbone = _backbone_from_source()
    rl, form = read_list(path, region, layout, backbone=backbone, progress=progress, strict=strict)
    triples = rdfmap.region_list_triples(rl)
    restricted = rdfmap.restricted_triples(rl)
    warnings = list(rl.warnings) + [f"序号 {n}: {t[:30]}… {why}" for n, t, why in rl.unmatched]
    if validate:
        progress("结构校验 / validating")
        warnings += _validate(store_dir, triples, region, str(path))
    from .align.graph import region_alignment

    progress("对齐省级细化措施 / aligning to the provincial measures")
    aligned, findings = region_alignment(rl, backbone, curation_dir)   # a bad curation file fails here, store untouched
    warnings += findings
    graph = iris.region_graph(region)
    progress(f"写入新的存储版本 / writing a new store generation ({len(triples)} triples)")
    with new_generation(store_dir, copy_current=True) as (store, gen):
        n = put_graph(store, graph, triples)
        put_graph(store, iris.alignment_graph(region), aligned)
        write_restricted(gen, graph, restricted)
        name = gen.name
    reg = regions.get(region)
    pages = len({r.source.page for r in rl.rows if r.source and r.source.page}) or None
    return LoadResult(
        region=region, region_name=reg.full_name, file=path, form=form, layout=rl.layout, rows=len(rl.rows),
        local_measures=len({m.key for r in rl.rows for m in r.local_measures}),
        service_items=sum(len(r.service_items) for r in rl.rows), triples=n, generation=name,
        seconds=time.monotonic() - t0, pages=pages, warnings=warnings)


def _backbone_from_source() -> Backbone | None:
    """Without a store, the backbone comes from the source document (if its reader is there)."""
    from .config import SOURCE_DOCUMENT

    try:
        from loaders.text import read_backbone
    except ImportError:
        return None
    if not SOURCE_DOCUMENT.is_file():
        return None
    try:
        return read_backbone(SOURCE_DOCUMENT)
    except PolicyKGError:
        return None

