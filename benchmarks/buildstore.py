"""Build a synthetic store through the real pipeline (rdfmap + store + versions, as ``policykg build`` does).

At ``history`` scale the store holds ten versions of every list the way the product keeps
them (issue 16): versions 1-9 are recorded first (:func:`record_history`, not timed), then
the timed build publishes the newest lists and records version 10 of each, as a
``policykg build`` over a store with history does. Older versions live in
``STORE/versions/{code}/{n}.nt.gz``, outside the store's generations and its default graph.

Run as ``python -m benchmarks.buildstore --store DIR --scale provincial`` it builds one
store in a fresh process and prints one JSON line (build seconds, triples, disk size,
peak RSS), so each build's memory is measured on its own.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
from pathlib import Path

from loaders.build import ontology_triples
from policykg import versions
from policykg.core import iris
from policykg.core.config import SOURCE_DOCUMENT
from policykg.core.records import RegionList
from policykg.graph import rdfmap
from policykg.graph.derive import refresh, rewrites
from policykg.graph.store import disk_size, graph_sizes, new_generation, open_read_only, put_graph, write_restricted

from . import synth

SCALES = ("provincial", "history")


def make_lists(scale: str, *, seed: int = 0, limit: int | None = None, source: Path = SOURCE_DOCUMENT):
    """(backbone, backbone_origin, profile, lists) for a scale. Lists are the newest versions."""
    bb, origin = synth.backbone(source)
    real = synth.real_lists(source, bb)
    profile = synth.profile_from_lists(real) if real else synth.hand_set()
    return bb, origin, profile, synth.provincial(bb, profile, seed=seed, limit=limit)


def _no_merge(store) -> None:  # noqa: ARG001 - new_generation's finish signature
    """The generations of :func:`record_history` carry version maps only: nothing to merge."""


def record_history(store_dir: Path | str, rounds: list[list[RegionList]], *, seed: int = 0) -> int:
    """Record each round of older versions (oldest first, one list per region) through
    :func:`policykg.versions.record`, one published generation per round, as the builds
    before the newest one did. The generations hold only the version map: the timed build
    after them writes a whole new generation (as ``policykg build`` does), so what they
    held is replaced anyway. Returns the versions recorded."""
    made = 0
    for n, lists in enumerate(rounds, start=1):
        pending = versions.Pending(source=f"{synth.SYNTHETIC_DOCUMENT}-v{n}", sha256=f"{seed}:v{n}", action="build",
                                   loaded=versions.now(), note="合成数据 synthetic")
        with new_generation(store_dir, finish=_no_merge) as (_store, gen):
            for rl in lists:
                made += versions.record(gen, rl.region, rdfmap.region_list_triples(rl), rdfmap.restricted_triples(rl),
                                        pending, rows=len(rl.rows), dedupe=True) is not None
        time.sleep(0.002)                       # distinct load times per round
    return made


def build(store_dir: Path | str, scale: str = "provincial", *, seed: int = 0, limit: int | None = None,
          source: Path = SOURCE_DOCUMENT) -> dict:
    """Write ontology, regions, backbone and every synthetic list into a new generation,
    and record each list's version (``versions.record``, as ``policykg build`` does).

    At ``history`` scale nine older versions of each list are recorded first
    (:func:`record_history`, not timed). Timed: mapping + store writes + version files (the
    part ``policykg build`` spends its time in); generating the synthetic records is not.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}")
    t0 = time.perf_counter()
    bb, origin, profile, lists = make_lists(scale, seed=seed, limit=limit, source=source)
    history_s, older = 0.0, 0
    if scale == "history":
        chains = [[old for _, old in synth.history(rl, seed=seed)][:-1] for rl in lists]
        synth_s = time.perf_counter() - t0
        th = time.perf_counter()
        older = record_history(store_dir, [list(r) for r in zip(*chains, strict=True)], seed=seed)
        history_s = time.perf_counter() - th
        del chains
        gc.collect()
    else:
        synth_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    quads, current = 0, 0
    pending = versions.Pending(source=synth.SYNTHETIC_DOCUMENT, sha256=f"{seed}:current", action="build",
                               loaded=versions.now(), note="合成数据 synthetic")
    with new_generation(store_dir, finish=refresh, in_memory=True, derived=rewrites()) as (store, gen):
        quads += put_graph(store, iris.graph("ontology"), ontology_triples())
        quads += put_graph(store, iris.graph("regions"), rdfmap.region_triples())
        quads += put_graph(store, iris.graph("backbone"), rdfmap.backbone_triples(bb))
        for rl in lists:
            graph = iris.region_graph(rl.region)
            triples, restricted = rdfmap.region_list_triples(rl), rdfmap.restricted_triples(rl)
            quads += put_graph(store, graph, triples)
            write_restricted(gen, graph, restricted)
            current += versions.record(gen, rl.region, triples, restricted, pending, rows=len(rl.rows),
                                       dedupe=True) is not None
        generation = gen.name
    build_s = time.perf_counter() - t1        # includes the default-graph merge and the statistics
    version_dir = Path(store_dir) / versions.DIR
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
        "versions": older + current,        # version files (older ones recorded before the build)
        "version_files_bytes": sum(p.stat().st_size for p in version_dir.rglob("*") if p.is_file()),
        "history_record_s": history_s,
        "disk_bytes": disk_size(store_dir),
        "generation": generation,
        "backbone": origin,
        "profile": profile.summary(),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "process_cpu_s": _cpu_s(),             # the whole process (records, history, build): on a shared machine
    }


def _cpu_s() -> float:
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


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
