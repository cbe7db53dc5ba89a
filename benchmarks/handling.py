"""Service handling (办件) at scale: load time and summary time.

    python -m benchmarks.handling --regions 10          # small scale (what the test machine runs)
    python -m benchmarks.handling                       # 101 regions: minutes of both cores

Builds a synthetic store (:mod:`benchmarks.buildstore`, provincial profile, the first N
regions), writes one CSV with a record for every service item of every region for each of
12 months (synthetic figures, seeded), then times ``policykg handling load`` (reading,
checking every row against the items, writing the new generation) and the summary over all
regions (three runs; the median is reported). Targets: load ≤ 30 s and summary ≤ 2 s at
101 regions × all their items × 12 months. Prints one JSON line and a short table.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from loaders.handling import load_file
from policykg.graph.store import graph_sizes, open_read_only
from policykg.handling.catalogue import service_items
from policykg.handling.records import COLUMNS
from policykg.handling.summary import summarize

from . import buildstore

LOAD_TARGET_S = 30.0
SUMMARY_TARGET_S = 2.0


def write_records(store_dir: Path, path: Path, months: int = 12, seed: int = 17) -> int:
    cat = service_items(store_dir)
    rnd = random.Random(seed)
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for code in sorted(cat.by_region):
            for it in cat.by_region[code]:
                for m in range(1, months + 1):
                    rec = rnd.randint(0, 40)
                    done = rnd.randint(0, rec)
                    good = rnd.randint(0, done)
                    w.writerow([code, it.row, it.title, f"2024-{m:02d}", rec, done, good, rnd.randint(0, done - good),
                                rnd.choice(("线上", "线下")), f"{rnd.uniform(0.5, 10):.1f}", "synthetic"])
                    n += 1
    return n


def run(regions: int | None, months: int = 12) -> dict:
    with tempfile.TemporaryDirectory(prefix="pk-handling-") as tmp:
        store = Path(tmp) / "store"
        built = buildstore.build(store, "provincial", limit=regions)
        path = Path(tmp) / "handling.csv"
        records = write_records(store, path, months)
        t0, c0 = time.perf_counter(), time.process_time()
        res = load_file(store, path)
        load_s, load_cpu = time.perf_counter() - t0, time.process_time() - c0
        t1, c1 = time.perf_counter(), time.process_time()
        load_file(store, path)                      # the same months again: replaced, not added
        reload_s, reload_cpu = time.perf_counter() - t1, time.process_time() - c1
        st = open_read_only(store)
        times = []
        for _ in range(3):
            t = time.perf_counter()
            s = summarize(st)
            times.append(time.perf_counter() - t)
        sizes = graph_sizes(st)
        handling = sum(v for k, v in sizes.items() if "/graph/handling/" in k)
        return {"regions": built["regions"], "months": months, "records": records, "observations": res.records,
                "handling_triples": handling, "store_triples": sum(sizes.values()), "load_s": round(load_s, 2),
                "load_cpu_s": round(load_cpu, 2), "reload_s": round(reload_s, 2), "reload_cpu_s": round(reload_cpu, 2),
                "load_average": round(os.getloadavg()[0], 1), "cores": os.cpu_count(), "summary_s": round(statistics.median(times), 3),
                "bottlenecks": len(s["bottlenecks"]), "never_handled": len(s["never_handled"]),
                "load_target_s": LOAD_TARGET_S, "summary_target_s": SUMMARY_TARGET_S}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="time handling load and summary")
    ap.add_argument("--regions", type=int, default=None, help="only the first N synthetic regions (default all 101)")
    ap.add_argument("--months", type=int, default=12)
    args = ap.parse_args(argv)
    r = run(args.regions, args.months)
    sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"办件 {r['regions']} 个地区 × 全部服务事项 × {r['months']} 个月 = {r['records']} 条："
          f"加载 {r['load_s']} 秒（CPU {r['load_cpu_s']} 秒；再次加载 {r['reload_s']} 秒），统计 {r['summary_s']} 秒"
          f"（负载 {r['load_average']}，{r['cores']} 核） / "
          f"handling load {r['load_s']} s (target ≤ {LOAD_TARGET_S:g} s at 101 regions), "
          f"summary {r['summary_s']} s (≤ {SUMMARY_TARGET_S:g} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
