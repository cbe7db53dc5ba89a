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


def _validate(triples: list, region: str, where: str) -> list[str]:
    """Structural validation (policykg.validate, when present): Violations refuse the load."""
    if importlib.util.find_spec("policykg.validate") is None:
        return []
    from . import validate

    run = getattr(validate, "run", None)
    if run is None:
        return []
    report = run(triples, region=region)
    if getattr(report, "conforms", True):
        return []
    results = list(getattr(report, "results", []) or [])
    violations = [r for r in results if "violation" in str(getattr(r, "severity", "violation")).lower()]
    if not violations and results:
        return [str(r) for r in results]
    lines = "\n".join(f"  - {getattr(r, 'message', r)}" for r in (violations or results)[:20])
    raise LoadError(f"结构校验未通过，未加载：\n{lines}", "structural validation failed (Violations above); "
                    "nothing was loaded", where=where)


def load_region(store_dir: Path | str, path: Path | str, region: str, layout: str | None = None,
                progress: Progress = silent) -> LoadResult:
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
    rl, form = read_list(path, region, layout, backbone=backbone, progress=progress)
    triples = rdfmap.region_list_triples(rl)
    restricted = rdfmap.restricted_triples(rl)
    warnings = list(rl.warnings) + [f"序号 {n}: {t[:30]}… {why}" for n, t, why in rl.unmatched]
    warnings += _validate(triples, region, str(path))
    graph = iris.region_graph(region)
    progress(f"写入新的存储版本 / writing a new store generation ({len(triples)} triples)")
    with new_generation(store_dir, copy_current=True) as (store, gen):
        n = put_graph(store, graph, triples)
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

