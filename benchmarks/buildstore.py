"""Build a synthetic store through the real pipeline (rdfmap + store, as ``policykg build`` does).

Run as ``python -m benchmarks.buildstore --store DIR --scale provincial`` it builds one
store in a fresh process and prints one JSON line (build seconds, triples, disk size,
peak RSS), so each build's memory is measured on its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from loaders.build import ontology_triples
from policykg.core import iris
from policykg.core.config import SOURCE_DOCUMENT
from policykg.graph import rdfmap
from policykg.graph.derive import refresh
from policykg.graph.store import disk_size, graph_sizes, new_generation, open_read_only, put_graph, write_restricted

from . import synth

SCALES = ("provincial", "history")


def make_lists(scale: str, *, seed: int = 0, limit: int | None = None, source: Path = SOURCE_DOCUMENT):
    """(backbone, backbone_origin, profile, lists) for a scale. Lists are the newest versions."""
    bb, origin = synth.backbone(source)
    real = synth.real_lists(source, bb)
    profile = synth.profile_from_lists(real) if real else synth.hand_set()
    return bb, origin, profile, synth.provincial(bb, profile, seed=seed, limit=limit)


def build(store_dir: Path | str, scale: str = "provincial", *, seed: int = 0, limit: int | None = None,
          source: Path = SOURCE_DOCUMENT) -> dict:
    """Write ontology, regions, backbone and every synthetic list into a new generation.

    At ``history`` scale each list's nine older versions go to graph/region/{code}/v{n}
    and the newest to the region's usual graph. Timed: mapping + store writes (the part
    ``policykg build`` spends its time in); generating the synthetic records is not.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}")
    t0 = time.perf_counter()
    bb, origin, profile, lists = make_lists(scale, seed=seed, limit=limit, source=source)
    versions: list[list] = []
    if scale == "history":
        versions = [list(synth.history(rl, seed=seed)) for rl in lists]
    synth_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    quads = 0
    with new_generation(store_dir, finish=refresh) as (store, gen):
        quads += put_graph(store, iris.graph("ontology"), ontology_triples())
        quads += put_graph(store, iris.graph("regions"), rdfmap.region_triples())
        quads += put_graph(store, iris.graph("backbone"), rdfmap.backbone_triples(bb))
        for i, rl in enumerate(lists):
            graph = iris.region_graph(rl.region)
            quads += put_graph(store, graph, rdfmap.region_list_triples(rl))
            write_restricted(gen, graph, rdfmap.restricted_triples(rl))
            for n, old in (versions[i][:-1] if versions else ()):
                quads += put_graph(store, synth.version_graph(rl.region, n), rdfmap.region_list_triples(old))
        generation = gen.name
    build_s = time.perf_counter() - t1        # includes the default-graph merge and the statistics
    sizes = graph_sizes(open_read_only(store_dir))
    statistics = sizes.get(iris.graph("statistics"), 0)
    return {
        "scale": scale,
        "regions": len(lists),
        "rows": sum(len(rl.rows) for rl in lists),
        "triples": quads + statistics,        # every named graph, the derived statistics included
        "statistics_triples": statistics,
        "build_s": build_s,
        "synth_s": synth_s,
        "disk_bytes": disk_size(store_dir),
        "generation": generation,
        "backbone": origin,
        "profile": profile.summary(),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="build one synthetic benchmark store")
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--scale", choices=SCALES, default="provincial")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--regions", type=int, default=None, help="only the first N regions")
    args = ap.parse_args(argv)
    res = build(args.store, args.scale, seed=args.seed, limit=args.regions)
    sys.stdout.write(json.dumps(res, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
