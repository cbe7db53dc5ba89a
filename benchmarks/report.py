"""A run's details file as Markdown (the tables in benchmarks/README.md).

    python -m benchmarks.report benchmarks/results/provincial-details.json
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

from . import fairness
from .stats import fmt_ms


def _num(v: float | str) -> float:
    return float(v.strip(">s")) * 1000 if isinstance(v, str) else v


def _ratio(a: float | str | None, b: float | str | None) -> str:
    if not a or not b or (isinstance(a, str) and isinstance(b, str)):
        return "—"
    x = _num(a) / _num(b)
    mark = "≥" if isinstance(a, str) else ("≤" if isinstance(b, str) else "")
    return f"{mark}{x:.1f}×" if x < 100 else f"{mark}{x:.0f}×"


def _entry(e: dict[str, Any] | None) -> str:
    if not e:
        return "—"
    if "timeout_s" in e:
        return f">{e['timeout_s']:.0f}s"
    if e.get("samples"):
        return fmt_ms(statistics.median(e["samples"]) * 1000)
    return "error"


_LABEL = {"policykg_rps": "policykg", "policykg_uncached_rps": "policykg (cache off)",
          "oxigraph_server_rps": "Oxigraph server", "virtuoso_rps": "Virtuoso"}
_PEER = {"oxigraph-server": "o", "virtuoso": "v"}


def _first(http: dict[str, Any], name: str) -> str:
    """policykg's first (uncached) answer to a query (the cache-off server's, when it ran)."""
    e = (http.get("policykg-uncached") or http.get("policykg", {})).get("latency", {}).get(name) or {}
    return fmt_ms(e["first_s"] * 1000) if "first_s" in e else ("—" if "timeout_s" not in e else f">{e['timeout_s']:.0f}s")


def markdown(d: dict[str, Any]) -> str:
    r = d["result"]
    b = d["builds"]
    http = d.get("http", {})
    out = []
    med = statistics.median
    out.append(f"Scale **{r['scale']}**: {b[-1]['regions']} regions, {b[-1]['rows']} list rows, "
               f"{r['triples']:,} triples in named graphs (the store also keeps their merge as its default graph).")
    out.append("")
    out.append("| | value |")
    out.append("|---|---|")
    out.append(f"| build (min / median / max of {len(b)}) | {min(x['build_s'] for x in b):.1f} / {r['build_s']:.1f} / "
               f"{max(x['build_s'] for x in b):.1f} s |")
    out.append(f"| store on disk | {med(x['disk_bytes'] for x in b) / 2**20:.0f} MB |")
    out.append(f"| peak RSS of a build | {r['peak_rss_mb']:.0f} MB |")
    v = d.get("validation", {})
    for key, label in (("all", "validate all regions"), ("region", "validate one region (330800)")):
        e = v.get(key, {})
        val = (f">{e['timeout_s']:.0f} s" if "timeout_s" in e else
               f"{e['p50']:.2f} s ({e.get('findings')} findings)" if "p50" in e else e.get("reason", "—"))
        out.append(f"| {label} | {val} |")
    t = r["throughput"]
    errs = ", ".join(f"{k} {x.get('throughput', {}).get('errors', '—')}" for k, x in http.items())
    secs = f"{d.get('throughput_s', 10):.0f}"
    out.append(f"| throughput, catalogue at its defaults, 8 clients × {secs} s (req/s) | policykg {fmt_ms(t['policykg_rps'])} "
               f"(result cache off: {fmt_ms(t.get('policykg_uncached_rps'))}) · "
               f"Oxigraph server {fmt_ms(t['oxigraph_server_rps'])} · Virtuoso {fmt_ms(t['virtuoso_rps'])} (errors: {errs}) |")
    mx = t.get("mixed") or {}
    if mx:
        merrs = ", ".join(f"{k} {x['mixed']['errors']}" for k, x in http.items() if x.get("mixed"))
        out.append(f"| throughput, mixed workload ({d.get('mixed_requests')} distinct requests, random parameters), "
                   f"8 clients × {secs} s (req/s) | "
                   + " · ".join(f"{_LABEL.get(k, k)} {fmt_ms(v)}" for k, v in mx.items()) + f" (errors: {merrs}) |")
    fair = r.get("uncached_vs_fastest_peer") or {}
    if fair.get("geomean") is not None:
        out.append(f"| HTTP uncached ÷ fastest right peer, geometric mean | {fair['geomean']:.2f} over {fair['queries']} "
                   f"queries (worst: {fair['worst']} {fair['worst_ratio']:.2f}×"
                   + (f"; no right peer: {', '.join(fair['excluded'])}" if fair.get("excluded") else "") + ") |")
    so = d.get("store_open", {})
    if so.get("mode"):
        out.append(f"| store the queries ran on | {so['mode']}"
                   + (f" (copied into memory in {so['load_s']:.1f} s)" if so["mode"] == "memory" else "") + " |")
    stats = [x.get("statistics_triples") for x in b if x.get("statistics_triples")]
    if stats:
        out.append(f"| of which derived statistics (graph/statistics) | {stats[-1]:,} triples |")
    rd = d.get("rdflib", {})
    if rd.get("load_s"):
        out.append(f"| rdflib: load N-Quads | {rd['load_s']:.1f} s |")
    out.append("")
    out.append("Milliseconds; `>60s` = stopped at the 60 s cap. *store* = `queries.run` on what the server's "
               "query workers query (`store.open_for_queries`: an in-memory copy of the generation when its RocksDB "
               "files take at most 1 GiB, else the files); *disk* = `queries.run` on the RocksDB files, as a one-shot "
               "`policykg query` reads them; *bare* = the same query on an in-memory pyoxigraph Store. HTTP = POST to "
               "`/sparql`, same client and run for every server: *cached* = `policykg serve` as deployed (repeats "
               "served from its per-generation result cache); *first* and *uncached* = `policykg serve` with the cache "
               "off (`POLICYKG_CACHE_ENTRIES=0`): its first answer and the median of the repeats; *÷ peer* = uncached "
               "÷ the faster of the Oxigraph server and Virtuoso among those whose row count is right "
               "(`benchmarks/fairness.py`; *o* = Oxigraph server, *v* = Virtuoso; a wrong answer is marked ✗ and "
               "does not count as the fastest).")
    out.append("")
    out.append("| query | rows | store p50 | store p95 | disk p50 | bare p50 | store ÷ bare | rdflib p50 | rdflib ÷ store "
               "| HTTP cached p50 | HTTP first | HTTP uncached p50 | Oxigraph server p50 | Virtuoso p50 | ÷ peer |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    wrong = {(w["query"], w["engine"]) for w in r.get("wrong_answers", [])}
    per = fairness.compare(list(r["queries"]), d["store"], http)["per_query"] if "policykg-uncached" in http else {}
    for n, q in r["queries"].items():
        rows = d["store"].get(n, {}).get("rows", "?")
        unc = http.get("policykg-uncached", {}).get("latency", {}).get(n)
        f = per.get(n, {})
        ratio = "—" if f.get("ratio") is None else f"{f['ratio']:.2f}× {_PEER.get(f['peer'], '')}"
        oxi = _entry(http.get("oxigraph-server", {}).get("latency", {}).get(n)) + (" ✗" if (n, "oxigraph-server") in wrong else "")
        vir = _entry(http.get("virtuoso", {}).get("latency", {}).get(n)) + (" ✗" if (n, "virtuoso") in wrong else "")
        out.append(f"| {n} | {rows} | {fmt_ms(q['store_p50_ms'])} | {fmt_ms(q['store_p95_ms'])} | "
                   f"{_entry(d.get('store_disk', {}).get(n))} | {fmt_ms(q['oxigraph_p50_ms'])} | "
                   f"{_ratio(q['store_p50_ms'], q['oxigraph_p50_ms'])} | {fmt_ms(q['rdflib_p50_ms'])} | "
                   f"{_ratio(q['rdflib_p50_ms'], q['store_p50_ms'])} | {fmt_ms(q['http_p50_ms'])} | "
                   f"{_first(http, n)} | {_entry(unc) if unc else '—'} | {oxi} | {vir} | {ratio} |")
    met = [m for m, _ in d.get("targets", [])]
    out.append("")
    out.append(f"Targets: {met.count(True)} met, {met.count(False)} not met, {met.count(None)} not measured.")
    misses = [text for m, text in d.get("targets", []) if m is False]
    if misses:
        out.append("")
        out.append("Not met:")
        out.append("")
        out.extend(f"- {text}" for text in misses)
    if r.get("wrong_answers"):
        out.append("")
        out.append("Wrong answers (row count not the store's; left out of the fastest-peer comparison): "
                   + "; ".join(f"{w['query']} on {w['engine']}: {w['got']} (store {w['store_rows']})"
                               for w in r["wrong_answers"]) + ".")
    if d.get("row_mismatches"):
        out.append("")
        out.append("Engines disagreeing on row counts: " + "; ".join(d["row_mismatches"]) + ".")
    if d.get("growth"):
        out.append("")
        out.append("Growth vs provincial: " + ", ".join(f"{k} {x}" for k, x in d["growth"].items()) + ".")
    return "\n".join(out) + "\n"


SCALE_CAPS = {"provincial": (30, 30), "history": (90, 60)}
"""Issue 21's caps per scale: (build seconds, validation of all regions seconds)."""


def goals(d: dict[str, Any]) -> str:
    """The issue-21 targets at a glance: each one met or not, with the figure (a Markdown table)."""
    r = d["result"]
    t = r["throughput"]
    rows: list[tuple[str, str, bool | None]] = []
    fair = r.get("uncached_vs_fastest_peer") or {}
    per = fairness.compare(list(r["queries"]), d["store"], d.get("http", {}))["per_query"]
    if fair.get("geomean") is not None:
        rows.append(("HTTP uncached ÷ fastest right peer, geometric mean ≤ 1.0",
                     f"{fair['geomean']:.2f} over {fair['queries']} queries", fair["geomean"] <= 1.0))
        over = sorted(((n, f) for n, f in per.items() if f["ratio"] is not None and f["ratio"] > 2),
                      key=lambda x: -x[1]["ratio"])
        rows.append(("no query worse than 2× the fastest right peer",
                     "all within 2×" if not over else f"{len(over)} over: " + ", ".join(
                         f"{n} {f['ratio']:.1f}× ({fmt_ms(f['policykg_ms'])} vs {_PEER[f['peer']]} {fmt_ms(f['peer_ms'])} ms)"
                         for n, f in over), not over))
    peers = {k: t.get(k) for k in ("oxigraph_server_rps", "virtuoso_rps") if t.get(k) is not None}
    if t.get("policykg_uncached_rps") is not None and peers:
        best = max(peers.values())
        rows.append(("uncached throughput ≥ the fastest peer's (catalogue at its defaults)",
                     f"{fmt_ms(t['policykg_uncached_rps'])} vs {fmt_ms(best)} req/s", t["policykg_uncached_rps"] >= best))
    mx = t.get("mixed") or {}
    mp = [mx[k] for k in ("oxigraph_server_rps", "virtuoso_rps") if mx.get(k) is not None]
    mine = mx.get("policykg_uncached_rps", mx.get("policykg_rps"))
    if mine is not None and mp:
        rows.append(("mixed workload (random parameters) ≥ the fastest peer's", f"{fmt_ms(mine)} vs {fmt_ms(max(mp))} req/s",
                     mine >= max(mp)))
    slow = [(n, q["store_p95_ms"]) for n, q in r["queries"].items() if q["store_p95_ms"] is not None
            and _num(q["store_p95_ms"]) > 100]
    rows.append(("in-process p95 ≤ 100 ms for every query", "all within" if not slow else f"{len(slow)} over: " + ", ".join(
        f"{n} {fmt_ms(v)}" for n, v in sorted(slow, key=lambda x: -_num(x[1]))), not slow))
    scale = r.get("scale", "provincial")
    build_cap, validate_cap = SCALE_CAPS.get(scale, SCALE_CAPS["provincial"])
    for key, label, cap in (("build_s", f"build ≤ {build_cap} s (median)", build_cap),
                            ("validate_all_s", f"validation of all regions ≤ {validate_cap} s", validate_cap)):
        v = r.get(key)
        rows.append((label, "—" if v is None else f"{v} s", None if v is None else (not isinstance(v, str) and v <= cap)))
    if scale == "history" and r.get("peak_rss_mb") is not None:
        rows.append(("peak RSS ≤ 2 GB", f"{r['peak_rss_mb']:.0f} MB", r["peak_rss_mb"] <= 2048))
    out = [f"| target ({scale}) | figure | met |", "|---|---|---|"]
    out += [f"| {a} | {b} | {'met' if m else ('—' if m is None else '**not met**')} |" for a, b, m in rows]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    for path in argv:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        if "policykg-uncached" in d.get("http", {}):
            sys.stdout.write(goals(d) + "\n")
        sys.stdout.write(markdown(d))
    return 0


if __name__ == "__main__":
    sys.exit(main())
