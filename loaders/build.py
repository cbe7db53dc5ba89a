"""``policykg build``: the whole graph from ``data/``, written as a new store generation.

Graphs: ontology, regions (GB/T 2260 code list), backbone (32 key tasks, 146 provincial
measures, general tasks) and one graph per region's list. Personal data goes to the
generation's restricted file, never to the store.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import RdfFormat, parse

from policykg import versions
from policykg.align.graph import region_alignment
from policykg.core import iris
from policykg.core.config import ONTOLOGY_DIR, SOURCE_DOCUMENT
from policykg.core.progress import Progress, silent
from policykg.core.records import RegionList
from policykg.graph import rdfmap
from policykg.graph.derive import refresh, rewrites
from policykg.graph.store import graph_sizes, new_generation, put_graph, write_restricted

from .text import read_attachments, read_backbone


@dataclass
class BuildResult:
    store: Path
    generation: str
    graphs: dict[str, int] = field(default_factory=dict)   # graph IRI -> triples
    regions: dict[str, int] = field(default_factory=dict)  # region code -> rows
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def ontology_triples() -> list:
    triples = []
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        triples += [q.triple for q in parse(path=str(path), format=RdfFormat.TURTLE)]
    return triples


def build(store_dir: Path | str, source: Path | str = SOURCE_DOCUMENT, *,
          extra_lists: list[RegionList] | None = None, progress: Progress = silent,
          curation_dir: Path | str | None = None) -> BuildResult:
    t0 = time.monotonic()
    source = Path(source)
    progress(f"读取来源文件 / reading {source.name}")
    backbone = read_backbone(source)
    lists = read_attachments(source, backbone)
    lists += extra_lists or []
    result = BuildResult(Path(store_dir), "")
    pending = versions.Pending(source=source.name, sha256=versions.file_sha256(source), action="build",
                               loaded=versions.now())
    with new_generation(store_dir, finish=refresh, in_memory=True, derived=rewrites()) as (store, gen):
        put_graph(store, iris.graph("ontology"), ontology_triples())
        put_graph(store, iris.graph("regions"), rdfmap.region_triples())
        put_graph(store, iris.graph("backbone"), rdfmap.backbone_triples(backbone))
        progress(f"骨架：{len(backbone.key_tasks)} 项重点工作，{len(backbone.measures)} 条省级细化措施 / backbone loaded")
        for rl in lists:
            graph = iris.region_graph(rl.region)
            triples, restricted = rdfmap.region_list_triples(rl), rdfmap.restricted_triples(rl)
            n = put_graph(store, graph, triples)
            write_restricted(gen, graph, restricted)
            versions.record(gen, rl.region, triples, restricted, pending, rows=len(rl.rows), dedupe=True)
            aligned, findings = region_alignment(rl, backbone, curation_dir)
            put_graph(store, iris.alignment_graph(rl.region), aligned)
            result.warnings += findings
            result.regions[rl.region] = len(rl.rows)
            result.warnings += [f"{rl.region}: {w}" for w in rl.warnings]
            progress(f"{rl.region} {rl.title or rl.layout}: {len(rl.rows)} 行 rows, {n} 三元组 triples")
        result.graphs = graph_sizes(store)
        result.generation = gen.name
    result.seconds = time.monotonic() - t0
    return result
