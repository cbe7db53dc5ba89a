"""Benchmark of list versions (issue 16) at history scale: 10 versions x 101 regions.

Builds a store of synthetic lists (:mod:`benchmarks.synth`, newest version = the provincial
list, older ones from :func:`synth.history`) through the real version machinery: one
generation per round of versions (all regions at once, as a build publishes them), each
region's version recorded by :func:`policykg.versions.record`. Then it prints:

- a diff of two versions (oldest -> newest of one region): target <= 1 s;
- a region's history: target <= 200 ms;
- an as-of query against the same query on current data (both in memory; the as-of
  snapshot is built once and cached: its build time is printed separately): target <= 1.5x;
- the store's growth per version (the version files; generations do not grow with history).

    python -m benchmarks.versions --store /tmp/vbench              # 101 regions x 10 versions
    python -m benchmarks.versions --store /tmp/vbench --quick      # 10 regions x 3 versions
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from benchmarks import synth
from benchmarks.buildstore import make_lists
from loaders.build import ontology_triples
from policykg import versions
from policykg.core import iris
from policykg.graph import rdfmap, store
from policykg.graph.derive import refresh, rewrites
from policykg.sparql import queries

QUERY = "key-task-coverage"


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def build(root: Path, regions: int | None, rounds: int, seed: int = 0) -> dict:
    bb, _origin, _profile, lists = make_lists("history", seed=seed, limit=regions)
    chains = [list(synth.history(rl, versions=rounds, seed=seed)) for rl in lists]
    growth, times = [], []
    for n in range(1, rounds + 1):
        before = _dir_bytes(root / versions.DIR)
        t0 = time.perf_counter()
        with store.new_generation(root, copy_current=n > 1, finish=refresh, in_memory=True, derived=rewrites()) as (st, gen):
            if n == 1:
                store.put_graph(st, iris.graph("ontology"), ontology_triples())
                store.put_graph(st, iris.graph("regions"), rdfmap.region_triples())
                store.put_graph(st, iris.graph("backbone"), rdfmap.backbone_triples(bb))
            stamp = versions.now()
            for chain in chains:
                _, rl = chain[n - 1]
                triples = rdfmap.region_list_triples(rl)
                store.put_graph(st, iris.region_graph(rl.region), triples)
                pending = versions.Pending(source=f"synthetic-v{n}.xlsx", sha256=f"{seed}:{rl.region}:{n}",
                                           loaded=stamp, note="合成数据 synthetic")
                versions.record(gen, rl.region, triples, [], pending, rows=len(rl.rows))
        times.append(time.perf_counter() - t0)
        growth.append(_dir_bytes(root / versions.DIR) - before)
        time.sleep(0.002)            # distinct load times per round
    return {"regions": len(lists), "versions": rounds, "round_s": times, "growth_bytes": growth,
            "generation_bytes": store.disk_size(root)}


def _time(fn, repeat: int) -> tuple[float, object]:
    samples, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), out


def measure(root: Path, repeat: int = 5) -> dict:
    from loaders.export import version_rows
    from policykg.asof import snapshot
    from policykg.diff import diff

    codes = versions.regions_with_history(root)
    code = codes[0]
    hist = versions.history(root, code)
    diff_s, d = _time(lambda: diff(root, code, hist[0].version, hist[-1].version, rows_of=version_rows), repeat)
    history_s, _ = _time(lambda: versions.history(root, code), repeat * 4)
    text = queries.resolve(QUERY).text
    current = store.copy_to_memory(store.open_read_only(root))
    middle = hist[len(hist) // 2].loaded
    t0 = time.perf_counter()
    snap = snapshot(root, middle)
    snapshot_s = time.perf_counter() - t0
    cur_samples, asof_samples, cur_res = [], [], []
    for _ in range(repeat * 4):          # interleaved: the machine's load hits both alike
        c, cur_res = _time(lambda: queries.run(current, text).values(), 1)
        a, _ = _time(lambda: queries.run(snap, text).values(), 1)
        cur_samples.append(c)
        asof_samples.append(a)
    current_s, asof_s = statistics.median(cur_samples), statistics.median(asof_samples)
    return {"region": code, "diff_s": diff_s, "diff_counts": {k: len(d[k]) for k in ("added", "removed", "changed",
                                                                                      "renumbered")},
            "history_s": history_s, "query": QUERY, "current_query_s": current_s, "as_of_query_s": asof_s,
            "as_of_ratio": asof_s / current_s if current_s else None, "as_of_snapshot_build_s": snapshot_s,
            "rows_answered": len(cur_res)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="versions benchmark (issue 16)")
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--regions", type=int, default=None, help="only the first N regions (default: all 101)")
    ap.add_argument("--versions", type=int, default=synth.HISTORY_VERSIONS)
    ap.add_argument("--quick", action="store_true", help="10 regions x 3 versions")
    args = ap.parse_args(argv)
    if args.quick:
        args.regions, args.versions = 10, 3
    if store.generation_name(args.store) is not None:
        sys.exit(f"{args.store} already holds a store: give an empty directory")
    built = build(args.store, args.regions, args.versions)
    res = {**built, **measure(args.store)}
    per_version = sum(built["growth_bytes"]) / (built["versions"] * built["regions"])
    res["growth_per_region_version_bytes"] = per_version
    lines = [
        f"规模 / scale: {built['regions']} 个地区 regions × {built['versions']} 个版本 versions",
        f"差异 / diff v1→v{built['versions']} ({res['region']}): {res['diff_s'] * 1000:.0f} ms (目标 target ≤ 1000 ms)",
        f"历史 / history: {res['history_s'] * 1000:.1f} ms (目标 target ≤ 200 ms)",
        f"按时查询 / as-of {QUERY}: {res['as_of_query_s'] * 1000:.1f} ms vs 当前 current "
        f"{res['current_query_s'] * 1000:.1f} ms = {res['as_of_ratio']:.2f}× (目标 target ≤ 1.5×); "
        f"快照构建 / snapshot build (first as-of query at a new point) {res['as_of_snapshot_build_s']:.1f} s",
        f"存储增长 / store growth: {per_version / 1024:.0f} KiB 每地区每版本 per region-version, "
        f"{sum(built['growth_bytes']) / built['versions'] / 1024 / 1024:.1f} MiB 每轮 per round of "
        f"{built['regions']} regions; 当前代 / current generation {built['generation_bytes'] / 1024 / 1024:.0f} MiB "
        f"(不随版本增长 / does not grow with versions)",
    ]
    print("\n".join(lines))
    print(json.dumps(res, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
