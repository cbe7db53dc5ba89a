"""The history-scale targets of issue 21, measured alone: build, validation, peak RSS, queries.

    python -m benchmarks.history --json benchmarks/results/history-targets.json
    python -m benchmarks.history --regions 5 --changed 2 --samples 3     # a quick look

Ten versions of each of the 101 synthetic lists, kept as the product keeps them
(:mod:`benchmarks.buildstore`: versions 1-9 recorded first, then the timed build that
publishes the newest lists and records version 10). Then, each in a child process:

1. validation of all regions with no findings cache (``run_store(cache=False)``): a cold,
   full validation;
2. the same with the store's findings cache, filling it (what the first ``policykg validate``
   after a build does);
3. ``--changed`` regions load a new version (``loaders.load.publish_region_graph`` with
   ``versions.record``, the load pipeline's write step, one generation each), then
   validation of all regions again with the cache: the incremental run, which validates
   the changed regions only; and, to check it, a full validation without the cache of the
   same store, whose findings must be identical;
4. every catalogue query on the store as the server's query workers open it
   (``store.open_for_queries``), as :mod:`benchmarks.run` times it in process.

It skips what :mod:`benchmarks.run` measures besides (bare pyoxigraph, rdflib, HTTP), so it
takes a few minutes. Targets (issue 21, point 3): validation of all regions ≤ 60 s, build
≤ 90 s, peak RSS of a build ≤ 2 GB, every query's in-process p95 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):          # `python benchmarks/history.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"         # noqa: A001 - lets the relative imports below work

from . import engines  # noqa: E402
from .run import build_stores, in_child, log  # noqa: E402
from .stats import ms, summary  # noqa: E402
from .workload import workload  # noqa: E402

TARGETS = {"validate_all_s": 60.0, "build_s": 90.0, "peak_rss_mb": 2048.0, "query_p95_ms": 100.0}


def _validate_child(conn, store_dir: str, cache: bool) -> None:
    from policykg.validate import run_store

    lines: list[str] = []
    t = time.perf_counter()
    rep = run_store(store_dir, cache=cache, progress=lines.append)
    seconds = time.perf_counter() - t
    hits = next((int(x.split(" ", 1)[0]) for x in lines if "个地区的结果取自缓存" in x), None)
    conn.send({"seconds": seconds, "findings": len(rep.results), "conforms": rep.conforms,
               "regions_from_cache": hits, "results": [repr(f) for f in rep.results]})


def validate_once(store_dir: Path, cache: bool, cap_s: float) -> dict[str, Any]:
    """One ``run_store`` of every region in a child process (its own imports, like the CLI)."""
    return in_child(_validate_child, (str(store_dir), cache), cap_s)


def load_new_versions(store_dir: Path, codes: list[str], seed: int) -> list[dict[str, Any]]:
    """A new version of each region in ``codes``, written as ``policykg load`` writes one."""
    from loaders.load import publish_region_graph
    from policykg import versions
    from policykg.core import iris
    from policykg.graph import rdfmap

    from . import synth
    from .buildstore import make_lists

    _bb, _origin, _profile, lists = make_lists("history", seed=seed)
    by_code = {rl.region: rl for rl in lists}
    out = []
    for code in codes:
        rl = synth.next_version(by_code[code], seed=seed)
        triples, restricted = rdfmap.region_list_triples(rl), rdfmap.restricted_triples(rl)
        pending = versions.Pending(source=f"{synth.SYNTHETIC_DOCUMENT}-next", sha256=f"{seed}:{code}:next",
                                   note="合成数据 synthetic")
        rows = len(rl.rows)
        t = time.perf_counter()
        _n, _gen, made = publish_region_graph(
            store_dir, iris.region_graph(code), triples, restricted,
            record=lambda gen, c=code, tr=triples, rs=restricted, p=pending, n=rows:
                versions.record(gen, c, tr, rs, p, rows=n))
        out.append({"region": code, "version": made.version if made else None, "seconds": time.perf_counter() - t})
    return out


def validation(store_dir: Path, changed: int, seed: int, cap_s: float) -> dict[str, Any]:
    from policykg import versions

    full = validate_once(store_dir, False, cap_s)
    log(f"validate all, no cache: {full.get('seconds', 0):.1f} s, {full.get('findings')} findings")
    fill = validate_once(store_dir, True, cap_s)
    log(f"validate all, filling the cache: {fill.get('seconds', 0):.1f} s")
    codes = sorted(versions.committed(store_dir))[:: max(1, len(versions.committed(store_dir)) // max(1, changed))]
    loads = load_new_versions(store_dir, codes[:changed], seed)
    names = ", ".join(f"{x['region']} v{x['version']}" for x in loads)
    log(f"new versions of {len(loads)} regions: {names}")
    incremental = validate_once(store_dir, True, cap_s)
    log(f"validate all, incremental: {incremental.get('seconds', 0):.1f} s, "
        f"{incremental.get('regions_from_cache')} regions from the cache")
    check = validate_once(store_dir, False, cap_s)
    log(f"validate all again, no cache: {check.get('seconds', 0):.1f} s")
    same = incremental.get("results") is not None and incremental.get("results") == check.get("results")
    for part in (full, fill, incremental, check):
        part.pop("results", None)
    return {"full": full, "fill": fill, "loads": loads, "incremental": incremental, "full_after_loads": check,
            "incremental_identical_to_full": same}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="issue 21's history-scale targets (build, validation, RSS, queries)")
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--regions", type=int, default=None, help="only the first N regions")
    ap.add_argument("--changed", type=int, default=5, help="regions that load a new version (default 5)")
    ap.add_argument("--samples", type=int, default=10, help="timed samples per query (default 10)")
    ap.add_argument("--query-timeout", type=float, default=60.0)
    ap.add_argument("--validate-timeout", type=float, default=900.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip", action="append", default=[], help="skip one of: validate, queries (repeatable)")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="policykg-history-"))
    out: dict[str, Any] = {"scale": "history", "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    try:
        store_dir, builds = build_stores(tmp, "history", 1, args.seed, args.regions)
        b = builds[-1]
        out["build"] = {k: v for k, v in b.items() if k != "profile"}
        if "validate" not in args.skip:
            out["validation"] = validation(store_dir, args.changed, args.seed, args.validate_timeout)
        if "queries" not in args.skip:
            log(f"catalogue queries in process ({args.samples} samples each)")
            timed, info = engines.time_isolated("store", store_dir, workload(), args.samples, args.query_timeout, log)
            out["store_open"] = info
            out["queries"] = {n: {"rows": t.get("rows"), **({"p50_ms": ms(summary(t["samples"])["p50"]),
                                                               "p95_ms": ms(summary(t["samples"])["p95"])}
                                                            if t.get("samples") else {"error": t.get("error"),
                                                                                      "timeout_s": t.get("timeout_s")})}
                              for n, t in timed.items()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out["targets"] = targets(out)
    report(out)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


def targets(out: dict[str, Any]) -> list[tuple[bool | None, str]]:
    b, val = out["build"], out.get("validation", {})
    res: list[tuple[bool | None, str]] = [
        (b["build_s"] <= TARGETS["build_s"], f"build {b['build_s']:.1f} s ≤ {TARGETS['build_s']:.0f} s"),
        (b["peak_rss_mb"] <= TARGETS["peak_rss_mb"], f"peak RSS {b['peak_rss_mb']:.0f} MB ≤ {TARGETS['peak_rss_mb']:.0f} MB"),
    ]
    for key, label in (("full", "validate all, no cache"), ("incremental", "validate all, incremental")):
        s = val.get(key, {}).get("seconds")
        res.append((None if s is None else s <= TARGETS["validate_all_s"],
                    f"{label}: {'—' if s is None else f'{s:.1f}'} s ≤ {TARGETS['validate_all_s']:.0f} s"))
    if val:
        res.append((val["incremental_identical_to_full"], "incremental findings identical to a full validation"))
    for name, q in out.get("queries", {}).items():
        p95 = q.get("p95_ms")
        res.append((None if p95 is None else p95 <= TARGETS["query_p95_ms"],
                    f"{name}: in-process p95 {'—' if p95 is None else p95} ms ≤ {TARGETS['query_p95_ms']:.0f} ms"))
    return res


def report(out: dict[str, Any]) -> None:
    b = out["build"]
    print(f"\n== history scale: {b['regions']} regions × 10 versions ({b['versions']} version files, "
          f"{b['version_files_bytes'] / 2**20:.0f} MiB), {b['triples']} triples in the store's named graphs ==")
    print(f"build {b['build_s']:.1f} s (older versions recorded before it in {b['history_record_s']:.1f} s), "
          f"store {b['disk_bytes'] / 2**20:.0f} MB, peak RSS {b['peak_rss_mb']:.0f} MB")
    val = out.get("validation")
    if val:
        for key in ("full", "fill", "incremental", "full_after_loads"):
            v = val[key]
            print(f"validate all ({key}): " + (f"{v['seconds']:.1f} s, {v['findings']} findings, "
                                               f"{v.get('regions_from_cache')} regions from the cache"
                                               if "seconds" in v else str(v)))
        print(f"incremental identical to full: {val['incremental_identical_to_full']}")
    if out.get("queries"):
        print(f"queries on the store ({out['store_open'].get('mode')}):")
        for name, q in out["queries"].items():
            print(f"  {name:45} rows {q.get('rows')!s:>6}  p50 {q.get('p50_ms')!s:>8}  p95 {q.get('p95_ms')!s:>8} ms")
    print("targets:")
    for met, text in out["targets"]:
        print(f"  [{'met' if met else ('—' if met is None else 'NOT met')}] {text}")


if __name__ == "__main__":
    sys.exit(main())
