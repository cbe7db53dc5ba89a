"""Benchmark ``policykg landing`` (issue 15): target ≤ 5 s at provincial scale (101 regions).

    python -m benchmarks.landing --store /tmp/bench-landing            # 101 synthetic regions
    python -m benchmarks.landing --store /tmp/bench-landing --quick    # 10 regions

Builds a synthetic store through the real pipeline (:mod:`benchmarks.buildstore`, so the
landing statistics are derived as at every build), then times the command itself in a fresh
process (``policykg landing --format json``, wall clock, median of ``--repeats``) and, in
process, its parts: reading and assembling (``landing.compute``) and rendering. Prints one
JSON line; ``--page`` also times the first paint of ``/landing`` in headless Chromium.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from policykg import landing, landing_render
from policykg.errors import StoreError
from policykg.store import current, open_read_only

from . import buildstore

TARGET_S = 5.0


def run(store: Path, regions: int | None, repeats: int, rebuild: bool) -> dict:
    out: dict = {"benchmark": "landing", "target_s": TARGET_S}
    try:
        current(store)
        exists = True
    except StoreError:
        exists = False
    if rebuild or not exists:
        built = buildstore.build(store, "provincial", limit=regions)
        out.update(regions=built["regions"], rows=built["rows"], triples=built["triples"],
                   statistics_triples=built["statistics_triples"], build_s=round(built["build_s"], 2))
    cli = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "policykg.cli", "landing", "--store", str(store), "-o", "/dev/null"],
                       check=True)
        cli.append(time.perf_counter() - t)
    st = open_read_only(store)
    t = time.perf_counter()
    land = landing.compute(st)
    compute_s = time.perf_counter() - t
    t = time.perf_counter()
    data = landing_render.render(land, "json")
    render_s = time.perf_counter() - t
    recs = sum(len(c["recommendations"]) for c in land.cells.values())
    out.update(cells=len(land.cells), recommendations=recs, json_bytes=len(data),
               cli_s_median=round(statistics.median(cli), 3), cli_s=[round(x, 3) for x in cli],
               compute_s=round(compute_s, 3), render_json_s=round(render_s, 3),
               met=statistics.median(cli) <= TARGET_S)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="benchmark policykg landing")
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--quick", action="store_true", help="10 regions instead of 101")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rebuild", action="store_true", help="rebuild the store even if it exists")
    args = ap.parse_args(argv)
    res = run(args.store, 10 if args.quick else None, args.repeats, args.rebuild)
    sys.stdout.write(json.dumps(res, ensure_ascii=False) + "\n")
    return 0 if res["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
