"""Benchmark ``policykg landing`` (issue 15): target ≤ 5 s at provincial scale (101 regions).

    python -m benchmarks.landing --store /tmp/bench-landing            # 101 synthetic regions
    python -m benchmarks.landing --store /tmp/bench-landing --quick    # 10 regions

Builds a synthetic store through the real pipeline (:mod:`benchmarks.buildstore`, so the
landing statistics are derived as at every build), then times the command itself in a fresh
process (``policykg landing --format json``, wall clock, median of ``--repeats``) and, in
process, its parts: reading and assembling (``landing.compute``) and rendering. Prints one
JSON line; ``--page`` also times the first contentful paint of ``/landing`` in headless
Chromium (target ≤ 1 s). An existing store is reused (``--rebuild`` to build it again).
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
from policykg.core.errors import StoreError
from policykg.graph.store import current, open_read_only

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


FCP_JS = """() => new Promise((resolve) => {
  const seen = performance.getEntriesByName("first-contentful-paint")[0];
  if (seen) return resolve(seen.startTime);
  new PerformanceObserver((list) => {
    const e = list.getEntries().find((x) => x.name === "first-contentful-paint");
    if (e) resolve(e.startTime);
  }).observe({ type: "paint", buffered: true });
})"""


def page_paint(store: Path, repeats: int) -> dict:
    """First contentful paint of /landing in headless Chromium (target ≤ 1 s), the server's
    matrix cached as in service (the first request, which fills the cache, is timed apart)."""
    import threading

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import WSGIRequestHandler, make_server

    from server.app import create_app

    class Quiet(WSGIRequestHandler):
        def log(self, *args: object, **kwargs: object) -> None:
            pass

    app = create_app({"STORE_PATH": str(store)})
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/landing"
    out: dict = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            paints, loads = [], []
            for i in range(repeats + 1):
                ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                pg = ctx.new_page()
                t = time.perf_counter()
                pg.goto(url)
                load = time.perf_counter() - t
                fcp = pg.evaluate(FCP_JS) / 1000
                if i == 0:
                    out["page_cold_load_s"], out["page_cold_fcp_s"] = round(load, 3), round(fcp, 3)
                else:
                    paints.append(fcp)
                    loads.append(load)
                out["page_cells"] = pg.locator("#landing-table td").count()
                ctx.close()
            browser.close()
    finally:
        server.shutdown()
    out.update(page_fcp_s_median=round(statistics.median(paints), 3), page_fcp_s=[round(x, 3) for x in paints],
               page_load_s_median=round(statistics.median(loads), 3), page_met=statistics.median(paints) <= 1.0)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="benchmark policykg landing")
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--quick", action="store_true", help="10 regions instead of 101")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rebuild", action="store_true", help="rebuild the store even if it exists")
    ap.add_argument("--page", action="store_true", help="also time the first paint of /landing (Chromium)")
    args = ap.parse_args(argv)
    res = run(args.store, 10 if args.quick else None, args.repeats, args.rebuild)
    if args.page:
        res.update(page_paint(args.store, args.repeats))
    sys.stdout.write(json.dumps(res, ensure_ascii=False) + "\n")
    return 0 if res["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
