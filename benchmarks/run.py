"""The benchmark runner: build a synthetic store, time every catalogue query everywhere.

    python -m benchmarks.run --scale provincial --json benchmarks/results/provincial.json
    python benchmarks/run.py --scale history --repeat 3 --baseline benchmarks/results/provincial-details.json

Steps, all in a temp dir (never ``data/`` or the project's store): build the store N
times through the real pipeline (:mod:`benchmarks.buildstore`, each in its own process
for its peak RSS); run every catalogue query in-process on that store, on a bare
in-memory pyoxigraph Store and on plain rdflib (a child process, each query capped by a
timeout) with the same data; validate everything and one region; then over HTTP through
``policykg serve``, the Oxigraph server and Virtuoso (one after the other, loopback only):
latency per query and throughput with 8 clients. Prints a table and which targets are met.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

if __package__ in (None, ""):          # `python benchmarks/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "benchmarks"         # noqa: A001 - lets the relative imports below work

from pyoxigraph import RdfFormat  # noqa: E402

from policykg.graph.store import open_read_only  # noqa: E402

from . import engines, fairness, httpclient, mixed, servers  # noqa: E402
from .buildstore import SCALES  # noqa: E402
from .stats import fmt_ms, ms, summary  # noqa: E402
from .synth import synthetic_regions  # noqa: E402
from .workload import Item, workload  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {
    "query_p95_ms": 100.0, "rdflib_speedup": 20.0, "oxigraph_ratio": 1.5,
    "validate_all_s": 30.0, "validate_region_s": 2.0, "build_s": 30.0,
    "uncached_geomean": 1.0, "uncached_worst": 2.0,     # policykg uncached ÷ fastest right peer (fairness.py)
}
VALIDATE_REGION = "330800"        # 衢州市: a synthetic list like every other


def _terminate(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    raise SystemExit(f"terminated by signal {signum}")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ steps

def build_stores(tmp: Path, scale: str, repeat: int, seed: int, limit: int | None) -> tuple[Path, list[dict]]:
    """Build ``repeat`` times (a fresh process each); keep the last store."""
    runs = []
    store = tmp / "store"
    for i in range(repeat):
        shutil.rmtree(store, ignore_errors=True)
        cmd = [sys.executable, "-m", "benchmarks.buildstore", "--store", str(store), "--scale", scale,
               "--seed", str(seed)] + (["--regions", str(limit)] if limit else [])
        res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        if res.returncode != 0:
            raise SystemExit(f"build failed:\n{res.stderr[-3000:]}")
        runs.append(json.loads(res.stdout.strip().splitlines()[-1]))
        log(f"build {i + 1}/{repeat}: {runs[-1]['build_s']:.1f} s, {runs[-1]['triples']} triples")
    return store, runs


def dump(store_dir: Path, path: Path) -> float:
    t = time.perf_counter()
    open_read_only(store_dir).dump(str(path), format=RdfFormat.N_QUADS)
    return time.perf_counter() - t


def _validate_child(conn, store_dir: str, region: str | None) -> None:
    from policykg.validate import run_store

    t = time.perf_counter()
    rep = run_store(store_dir, region=region)
    conn.send({"seconds": time.perf_counter() - t, "findings": len(rep.results), "conforms": rep.conforms})


def in_child(target: Any, args: tuple, cap_s: float) -> dict[str, Any]:
    """``target(conn, *args)`` in a spawned child process, stopped after ``cap_s``: its answer,
    or ``timeout_s`` / ``reason``."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=target, args=(child, *args), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(cap_s):
            return {"timeout_s": cap_s}
        return parent.recv()
    except EOFError:
        return {"reason": f"validation process failed (exit code {proc.exitcode})"}
    finally:
        proc.kill()
        proc.join()


def _validate_once(store_dir: Path, region: str | None, cap_s: float) -> dict[str, Any]:
    """One ``validate.run_store`` in a child process, stopped after ``cap_s``."""
    return in_child(_validate_child, (str(store_dir), region), cap_s)


def validation(store_dir: Path, runs: int, region: str, cap_s: float) -> dict[str, Any]:
    """``policykg validate`` of everything (once) and of one region (``runs`` times), capped."""
    try:
        import policykg.validate  # noqa: F401
    except ImportError as exc:
        return {"reason": f"policykg.validate not available: {exc}"}
    out: dict[str, Any] = {}
    for key, code, n in (("all", None, 1), ("region", region, runs)):
        samples: list[float] = []
        last: dict[str, Any] = {}
        for _ in range(n):
            last = _validate_once(store_dir, code, cap_s)
            if "seconds" not in last:
                break
            samples.append(last["seconds"])
        if samples:
            out[key] = {**summary(samples), "findings": last.get("findings"), "conforms": last.get("conforms")}
        else:
            out[key] = last
    return out


def http_runs(store_dir: Path, nquads: Path, tmp: Path, items: list[Item], samples: int, seconds: float,
              skip: set[str], cap_s: float, mixed_texts: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Each server in turn, the same client: latency per catalogue query (defaults), throughput
    cycling the catalogue, and throughput on the mixed workload (``mixed_texts``, random parameters).

    ``policykg`` runs twice: as deployed (result cache on) and with the cache off
    (``policykg-uncached``), the figures compared with the other servers.
    """
    texts = {it.name: it.portable for it in items}
    managers = {
        "policykg": lambda: servers.policykg_server(store_dir, tmp, cap_s=cap_s),
        "policykg-uncached": lambda: servers.policykg_server(store_dir, tmp, cap_s=cap_s, cache=False),
        "oxigraph-server": lambda: servers.oxigraph_server(nquads, tmp, cap_s=cap_s),
        "virtuoso": lambda: servers.virtuoso_server(nquads, tmp, cap_s=cap_s),
    }
    out: dict[str, dict[str, Any]] = {}
    for name, make in managers.items():
        if name in skip:
            out[name] = {"reason": "skipped (--no-servers / --skip)"}
            continue
        log(f"HTTP: starting {name}")
        with make() as ep:
            if ep.reason:
                log(f"HTTP: {name} unavailable: {ep.reason}")
                out[name] = {"reason": ep.reason}
                continue
            lat = httpclient.latency(ep.url, ep.params, texts, samples, cap_s=cap_s)
            thr = httpclient.throughput(ep.url, ep.params, list(texts.values()), clients=8, seconds=seconds,
                                        timeout=cap_s)
            out[name] = {"latency": lat, "throughput": thr, "note": ep.note, "load_s": ep.load_s}
            if mixed_texts:
                out[name]["mixed"] = httpclient.throughput(ep.url, ep.params, mixed_texts, clients=8,
                                                           seconds=seconds, timeout=cap_s, disjoint=True)
            log(f"HTTP: {name}: {thr['rps']:.1f} req/s, {thr['errors']} errors"
                + (f"; mixed {out[name]['mixed']['rps']:.1f} req/s, {out[name]['mixed']['errors']} errors"
                   if mixed_texts else ""))
    return out


# ------------------------------------------------------------------ assembling

def _p(entry: dict[str, Any] | None, key: str = "p50") -> float | None:
    if not entry or not entry.get("samples"):
        return None
    return summary(entry["samples"])[key]


def _value(entry: dict[str, Any] | None, key: str = "p50") -> float | str | None:
    """p50 (or p95) in ms, or '>Xs' when the query ran over its cap."""
    if entry and entry.get("timeout_s") is not None:
        return f">{entry['timeout_s']:.0f}s"
    return ms(_p(entry, key))


def assemble(scale: str, builds: list[dict], items: list[Item], store_t: dict, oxi_t: dict, rdf_t: dict,
             http: dict, val: dict) -> dict[str, Any]:
    """The result in the exact shape the issue fixes (``--json``)."""
    queries = {}
    for it in items:
        n = it.name
        lat = {k: v.get("latency", {}).get(n) for k, v in http.items()}
        ph, pu = lat.get("policykg"), lat.get("policykg-uncached")
        first = (pu or {}).get("first_s", (ph or {}).get("first_s"))
        queries[n] = {
            "store_p50_ms": _value(store_t.get(n)),
            "store_p95_ms": _value(store_t.get(n), "p95"),
            "rdflib_p50_ms": _value(rdf_t.get(n)),
            "oxigraph_p50_ms": _value(oxi_t.get(n)),
            "http_p50_ms": _value(ph),
            "http_p95_ms": _value(ph, "p95"),
            "http_first_ms": ms(first),
            "http_uncached_p50_ms": _value(pu),
            "http_uncached_p95_ms": _value(pu, "p95"),
            "oxigraph_server_p50_ms": _value(lat.get("oxigraph-server")),
            "virtuoso_p50_ms": _value(lat.get("virtuoso")),
        }

    def rps(name: str, part: str = "throughput") -> float | None:
        t = http.get(name, {}).get(part)
        return round(t["rps"], 1) if t else None

    pk = http.get("policykg", {}).get("throughput")
    fair = fairness.compare([it.name for it in items], store_t, http)
    return {
        "scale": scale,
        "triples": builds[-1]["triples"],
        "build_s": round(summary([b["build_s"] for b in builds])["p50"], 2),
        "queries": queries,
        "throughput": {
            "policykg_rps": rps("policykg"),
            "policykg_uncached_rps": rps("policykg-uncached"),
            "oxigraph_server_rps": rps("oxigraph-server"),
            "virtuoso_rps": rps("virtuoso"),
            "errors": pk["errors"] if pk else None,
            "mixed": {f"{k.replace('-', '_')}_rps": rps(k, "mixed") for k in http if http[k].get("mixed")} or None,
        },
        "uncached_vs_fastest_peer": {k: fair[k] for k in ("geomean", "queries", "worst", "worst_ratio", "excluded")},
        "wrong_answers": fairness.wrong_answers([it.name for it in items], store_t, http),
        "validate_all_s": _seconds(val.get("all", {})),
        "validate_region_s": _seconds(val.get("region", {})),
        "peak_rss_mb": round(max(b["peak_rss_mb"] for b in builds), 1),
    }


def _seconds(entry: dict[str, Any]) -> float | str | None:
    """A validation's median seconds, or '>Xs' when it ran over its cap."""
    if "timeout_s" in entry:
        return f">{entry['timeout_s']:.0f}s"
    return _round(entry.get("p50"))


def _round(v: float | None, nd: int = 2) -> float | None:
    return None if v is None else round(v, nd)


# ------------------------------------------------------------------ targets

def _num(v: float | str | None) -> float | None:
    """A value in ms; '>Xs' (ran over its cap) counts as X seconds, a lower bound."""
    if isinstance(v, str):
        return float(v.strip(">s")) * 1000
    return v


def _ratio(a: float | str | None, b: float | str | None) -> str:
    """a/b as text; '≥'/'≤' when one side is only a bound."""
    x, y = _num(a), _num(b)
    if not x or not y:
        return "—"
    mark = "≥" if isinstance(a, str) and not isinstance(b, str) else ("≤" if isinstance(b, str) and not isinstance(a, str) else "")
    return f"{mark}{x / y:.1f}×" if x / y < 100 else f"{mark}{x / y:.0f}×"


def targets(res: dict[str, Any], details: dict[str, Any]) -> list[tuple[bool | None, str]]:
    """(met, text) for each target; met None = not measured."""
    out: list[tuple[bool | None, str]] = []
    http = details["http"]
    for name, q in res["queries"].items():
        p95 = q["store_p95_ms"]
        out.append((None if p95 is None else (_num(p95) or 0) <= TARGETS["query_p95_ms"],
                    f"{name}: in-process p95 {fmt_ms(p95)} ms ≤ {TARGETS['query_p95_ms']:.0f} ms"))
        r, s, o = q["rdflib_p50_ms"], q["store_p50_ms"], q["oxigraph_p50_ms"]
        if _num(s) and _num(r) and not isinstance(s, str):
            out.append((_num(r) / _num(s) >= TARGETS["rdflib_speedup"],
                        f"{name}: ≥{TARGETS['rdflib_speedup']:.0f}× faster than rdflib ({_ratio(r, s)})"))
        if _num(s) and _num(o) and not (isinstance(s, str) and isinstance(o, str)):
            met = None if isinstance(o, str) and not isinstance(s, str) else _num(s) / _num(o) <= TARGETS["oxigraph_ratio"]
            out.append((met, f"{name}: ≤{TARGETS['oxigraph_ratio']}× bare pyoxigraph ({_ratio(s, o)})"))
    fair = fairness.compare(list(res["queries"]), details["store"], http)
    for name, f in fair["per_query"].items():
        if f["ratio"] is not None:
            out.append((f["ratio"] <= TARGETS["uncached_worst"],
                        f"{name}: HTTP uncached p50 {fmt_ms(f['policykg_ms'])} ms ≤ {TARGETS['uncached_worst']:.0f}× "
                        f"fastest right peer ({f['peer']} {fmt_ms(f['peer_ms'])} ms): {f['ratio']:.2f}×"))
    if fair["geomean"] is not None:
        out.append((fair["geomean"] <= TARGETS["uncached_geomean"],
                    f"HTTP uncached ÷ fastest right peer, geometric mean over {fair['queries']} queries: "
                    f"{fair['geomean']:.2f} ≤ {TARGETS['uncached_geomean']:.1f}"))
    t = res["throughput"]
    peers = {k: t[k] for k in ("oxigraph_server_rps", "virtuoso_rps") if t.get(k) is not None}
    if t.get("policykg_uncached_rps") is not None and peers:
        best = max(peers, key=peers.__getitem__)
        out.append((t["policykg_uncached_rps"] >= peers[best],
                    f"throughput, cache off: {t['policykg_uncached_rps']} req/s ≥ fastest peer "
                    f"({best.removesuffix('_rps').replace('_', '-')} {peers[best]} req/s)"))
    mx = t.get("mixed") or {}
    mpeers = {k: mx[k] for k in ("oxigraph_server_rps", "virtuoso_rps") if mx.get(k) is not None}
    mine = mx.get("policykg_uncached_rps", mx.get("policykg_rps"))
    if mine is not None and mpeers:
        best = max(mpeers, key=mpeers.__getitem__)
        out.append((mine >= mpeers[best], f"mixed workload (random parameters): {mine} req/s ≥ fastest peer "
                                          f"({best.removesuffix('_rps').replace('_', '-')} {mpeers[best]} req/s)"))
    for key, label in (("validate_all_s", "validate all regions"), ("validate_region_s", "validate one region"),
                       ("build_s", "build")):
        v = res[key]
        met = None if v is None else (False if isinstance(v, str) else v <= TARGETS[key])
        out.append((met, f"{label}: {v if v is not None else '—'} s ≤ {TARGETS[key]:.0f} s"))
    return out


# ------------------------------------------------------------------ report

def machine() -> dict[str, Any]:
    mem = ""
    try:
        mem = next(line.split(":", 1)[1].strip() for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        pass
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = {}
    for pkg in ("pyoxigraph", "oxigraph", "rdflib", "pyshacl", "flask", "waitress"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    versions["virtuoso"] = servers._virtuoso_version() if servers.VIRTUOSO else None
    return {"nproc": os.cpu_count(), "memory": mem, "cpu": cpu, "python": platform.python_version(),
            "platform": platform.platform(), "packages": versions, "loadavg_start": os.getloadavg()}


def print_report(res: dict[str, Any], details: dict[str, Any]) -> None:
    b = details["builds"]
    bs = summary([x["build_s"] for x in b])
    disk = summary([x["disk_bytes"] / 2**20 for x in b])
    rss = summary([x["peak_rss_mb"] for x in b])
    print(f"\n== policykg benchmark · scale {res['scale']} · {b[-1]['regions']} regions, {b[-1]['rows']} rows, "
          f"{res['triples']} triples in named graphs ==")
    print(f"backbone: {b[-1]['backbone']}; profile: {b[-1]['profile']['origin']}")
    print(f"build  min/p50/p95 {bs['min']:.1f}/{bs['p50']:.1f}/{bs['p95']:.1f} s · disk {disk['p50']:.0f} MB · "
          f"peak RSS {rss['min']:.0f}/{rss['p50']:.0f}/{rss['p95']:.0f} MB · dump {details['dump_s']:.1f} s · "
          f"rdflib load {details['rdflib'].get('load_s') or '—'} s")
    cols = ["query", "rows", "store p50", "p95", "oxigraph p50", "store/oxi", "rdflib p50", "rdflib/store",
            "http cached p50", "first", "uncached p50", "oxi-srv p50", "virtuoso p50", "÷ peer"]
    fair = res.get("uncached_vs_fastest_peer", {})
    per = fairness.compare(list(res["queries"]), details["store"], details["http"])["per_query"]
    table = []
    for name, q in res["queries"].items():
        s, o, r = q["store_p50_ms"], q["oxigraph_p50_ms"], q["rdflib_p50_ms"]
        rows = details["store"].get(name, {}).get("rows", details["store"].get(name, {}).get("error", "?"))
        ratio = per.get(name, {}).get("ratio")
        table.append([name, str(rows)[:40], fmt_ms(s), fmt_ms(q["store_p95_ms"]), fmt_ms(o), _ratio(s, o), fmt_ms(r),
                      _ratio(r, s), fmt_ms(q["http_p50_ms"]), fmt_ms(q["http_first_ms"]),
                      fmt_ms(q["http_uncached_p50_ms"]), fmt_ms(q["oxigraph_server_p50_ms"]),
                      fmt_ms(q["virtuoso_p50_ms"]), "—" if ratio is None else f"{ratio:.2f}×"])
    widths = [max(len(str(x)) for x in col) for col in zip(cols, *table, strict=False)]
    print("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=False)) + "   (ms)")
    for row in table:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)))
    if fair.get("geomean") is not None:
        print(f"HTTP uncached ÷ fastest right peer: geometric mean {fair['geomean']:.2f} over {fair['queries']} "
              f"queries; worst {fair['worst']} {fair['worst_ratio']:.2f}×"
              + (f"; no right peer answer: {', '.join(fair['excluded'])}" if fair["excluded"] else ""))
    t = res["throughput"]
    print(f"throughput (8 clients, {details['throughput_s']:.0f} s): policykg {t['policykg_rps']} (cache off "
          f"{t.get('policykg_uncached_rps')}) · oxigraph-server {t['oxigraph_server_rps']} · virtuoso "
          f"{t['virtuoso_rps']} req/s; "
          + "errors " + ", ".join(f"{k} {v.get('throughput', {}).get('errors', '—')}" for k, v in details["http"].items()))
    if t.get("mixed"):
        print(f"mixed workload ({details.get('mixed_requests')} distinct requests, random parameters): "
              + " · ".join(f"{k.removesuffix('_rps').replace('_', '-')} {v}" for k, v in t["mixed"].items()) + " req/s; "
              + "errors " + ", ".join(f"{k} {v['mixed']['errors']}" for k, v in details["http"].items() if v.get("mixed")))
    for w in res.get("wrong_answers", []):
        print(f"  wrong answer: {w['query']} on {w['engine']}: {w['got']} rows, store {w['store_rows']}")
    for k, v in details["http"].items():
        if v.get("reason"):
            print(f"  {k}: not run — {v['reason']}")
        elif v.get("note"):
            print(f"  {k}: {v['note']}" + (f", load {v['load_s']:.1f} s" if v.get("load_s") else ""))
    val = details["validation"]
    if val.get("reason"):
        print(f"validation: not run — {val['reason']}")
    else:
        for k in ("all", "region"):
            v = val.get(k, {})
            print(f"validate {k}: " + (f"p50 {v['p50']:.2f} s ({v['findings']} findings)" if "p50" in v
                                        else f"over {v['timeout_s']:.0f} s" if "timeout_s" in v
                                        else f"failed — {v.get('reason')}"))
    mism = details.get("row_mismatches")
    if mism:
        print("row-count mismatches (engines disagree): " + "; ".join(mism))
    if details.get("growth"):
        print("growth vs provincial: " + ", ".join(f"{k} {v}" for k, v in details["growth"].items()))
    print("\ntargets:")
    for met, text in details["targets"]:
        print(f"  [{'met' if met else ('—' if met is None else 'NOT met')}] {text}")


def row_mismatches(items: list[Item], store_t: dict, others: dict[str, dict]) -> list[str]:
    out = []
    for it in items:
        want = store_t.get(it.name, {}).get("rows")
        for eng, t in others.items():
            got = t.get(it.name, {}).get("rows")
            if want is not None and got is not None and got != want:
                out.append(f"{it.name}: store {want} vs {eng} {got}")
    return out


def growth(res: dict[str, Any], baseline: dict[str, Any]) -> dict[str, str]:
    base = baseline.get("result", baseline)
    out = {}
    for key in ("triples", "build_s", "validate_all_s", "validate_region_s", "peak_rss_mb"):
        if res.get(key) and base.get(key):
            out[key] = f"{res[key] / base[key]:.1f}×"
    for name, q in res["queries"].items():
        b = base.get("queries", {}).get(name, {})
        if q.get("store_p50_ms") and b.get("store_p50_ms"):
            out[f"{name} store p50"] = f"{q['store_p50_ms'] / b['store_p50_ms']:.1f}×"
    return out


# ------------------------------------------------------------------ main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="policykg benchmark (synthetic lists for all 101 regions)")
    ap.add_argument("--scale", choices=SCALES, default="provincial")
    ap.add_argument("--json", type=Path, help="write the result (the issue's exact keys) here")
    ap.add_argument("--details", type=Path, help="write every sample, note and machine fact here")
    ap.add_argument("--repeat", type=int, default=3, help="builds; queries run 5×N timed samples (default 3)")
    ap.add_argument("--quick", action="store_true", help="1 build, few samples, 2 s throughput, short timeouts")
    ap.add_argument("--regions", type=int, default=None, help="only the first N regions (smoke runs)")
    ap.add_argument("--no-servers", action="store_true", help="skip the HTTP part")
    ap.add_argument("--skip", action="append", default=[], help="skip one of: rdflib, validate, store-disk, "
                    "policykg, policykg-uncached, oxigraph-server, virtuoso (repeatable)")
    ap.add_argument("--rdflib-timeout", type=float, default=None, help="seconds per rdflib query (default 60; quick 10)")
    ap.add_argument("--query-timeout", type=float, default=None,
                    help="cap per query on the store and bare pyoxigraph, seconds (default 60; quick 20)")
    ap.add_argument("--validate-timeout", type=float, default=None,
                    help="cap per validation run, seconds (default 900; quick 120)")
    ap.add_argument("--baseline", type=Path, help="a provincial --details file, to print growth factors")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--keep", type=Path, help="keep the temp dir's store here (else removed)")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)

    repeat = 1 if args.quick else max(1, args.repeat)
    samples = 3 if args.quick else max(5, 5 * repeat)
    http_samples = 3 if args.quick else max(5, 3 * repeat)
    seconds = 2.0 if args.quick else 10.0
    rdf_timeout = args.rdflib_timeout or (10.0 if args.quick else 60.0)
    q_timeout = args.query_timeout or (20.0 if args.quick else 60.0)
    v_timeout = args.validate_timeout or (120.0 if args.quick else 900.0)
    skip = set(args.skip) | ({"policykg", "policykg-uncached", "oxigraph-server", "virtuoso"}
                             if args.no_servers else set())
    info = machine()
    log(f"machine: {info['nproc']} cores, {info['memory']}, load {info['loadavg_start']}")

    details: dict[str, Any] = {"machine": info, "throughput_s": seconds,
                               "samples": {"store": samples, "http": http_samples, "rdflib": min(3, repeat)}}

    def checkpoint(**parts: Any) -> None:
        """Keep what is measured so far (a long run killed late still leaves its numbers)."""
        details.update(parts)
        if args.details:
            args.details.parent.mkdir(parents=True, exist_ok=True)
            partial = args.details.with_name(args.details.stem + ".partial.json")
            partial.write_text(json.dumps(details, ensure_ascii=False, default=str) + "\n", encoding="utf-8")

    tmp = Path(tempfile.mkdtemp(prefix="policykg-bench-"))
    try:
        store_dir, builds = build_stores(tmp, args.scale, repeat, args.seed, args.regions)
        nquads = tmp / "data.nq"
        checkpoint(builds=builds, dump_s=dump(store_dir, nquads))
        items = workload()
        log(f"{len(items)} catalogue queries; in-process on the store ({samples} samples each)")
        store_t, store_info = engines.time_isolated("store", store_dir, items, samples, q_timeout, log)
        log(f"store: queried {store_info['mode']} (opened in {store_info['load_s'] or 0:.1f} s)")
        checkpoint(store=store_t, store_open=store_info)
        log("bare pyoxigraph (in memory)")
        oxi_t, oxi_info = engines.time_isolated("oxigraph", nquads, items, samples, q_timeout, log)
        checkpoint(oxigraph=oxi_t, memory_load_s=oxi_info["load_s"])
        if "store-disk" not in skip and store_info["mode"] != "disk":
            log("queries.run on the RocksDB files (what a one-shot `policykg query` reads)")
            checkpoint(store_disk=engines.time_isolated("store-disk", store_dir, items, samples, q_timeout, log)[0])
        rdf_t: dict = {}
        rdf_info: dict = {"reason": "skipped"}
        if "rdflib" not in skip:
            log(f"plain rdflib (child process, ≤{rdf_timeout:.0f} s per query)")
            rdf_t, rdf_info = engines.time_rdflib(nquads, items, min(3, repeat), rdf_timeout,
                                                  load_timeout_s=120 if args.quick else 1200, log=log)
        checkpoint(rdflib={**rdf_info, "queries": rdf_t})
        codes = synthetic_regions(args.regions)
        region = VALIDATE_REGION if VALIDATE_REGION in codes else codes[0]
        if "validate" not in skip:
            log("validation (all regions once, one region N times)")
        val = {"reason": "skipped"} if "validate" in skip else validation(store_dir, repeat, region, v_timeout)
        checkpoint(validation=val)
        servers_on = {"policykg", "policykg-uncached", "oxigraph-server", "virtuoso"} - skip
        mixed_texts = mixed.requests(codes, mixed.item_iris(store_dir), seed=args.seed,
                                     count=300 if args.quick else 3000) if servers_on else []
        checkpoint(mixed_requests=len(mixed_texts))
        http = http_runs(store_dir, nquads, tmp, items, http_samples, seconds, skip, q_timeout, mixed_texts)
        checkpoint(http=http, query_process_peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        details["row_mismatches"] = row_mismatches(
            items, store_t, {"oxigraph": oxi_t, "rdflib": rdf_t,
                             **{k: v.get("latency", {}) for k, v in http.items()}})
        res = assemble(args.scale, builds, items, store_t, oxi_t, rdf_t, http, val)
        if args.baseline and args.baseline.exists():
            details["growth"] = growth(res, json.loads(args.baseline.read_text(encoding="utf-8")))
        details["targets"] = targets(res, details)
        details["machine"]["loadavg_end"] = os.getloadavg()
        details["result"] = res
        print_report(res, details)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if args.details:
            args.details.write_text(json.dumps(details, ensure_ascii=False, indent=1, default=str) + "\n",
                                    encoding="utf-8")
            args.details.with_name(args.details.stem + ".partial.json").unlink(missing_ok=True)
        if args.keep:
            shutil.copytree(store_dir, args.keep, symlinks=True, dirs_exist_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
