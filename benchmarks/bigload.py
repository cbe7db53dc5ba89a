"""A 10,000-row list loads in <= 10 s (issue 19, item 12): time ``policykg load`` on it.

The 衢州 list is exported from a built store (``policykg export``), its data rows repeated
(序号 renumbered) up to ``--rows`` rows, and loaded into a copy of the store. Prints the
seconds of the load and its triples; the size caps of :mod:`loaders.limits` apply.
``--phases`` runs the load under cProfile and prints the seconds of each phase (read,
rdfmap, validation, alignment, statistics, store write, versions); ``--profile N`` also
prints the N functions with the most cumulative time.

    python -m benchmarks.bigload --store STORE [--rows 10000] [--phases] [--profile 30]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import pstats
import shutil
import tempfile
import time
from pathlib import Path

# phase -> (module file suffix, function name): cumulative seconds of each, from cProfile
PHASES = {
    "read (parse, rows)": ("loaders/load.py", "read_list"),
    "rdfmap (records -> RDF)": ("policykg/graph/rdfmap.py", "region_list_triples"),
    "validation (forked child: 0 in this profile)": ("loaders/load.py", "structural_findings"),
    "alignment (forked child: 0 in this profile)": ("loaders/load.py", "alignment_nt"),
    "publish (whole write)": ("loaders/load.py", "publish_region_graph"),
    "  copy generation": ("policykg/graph/store.py", "new_generation"),
    "  statistics (derive)": ("policykg/graph/derive.py", "refresh"),
    "  put region graph": ("policykg/graph/store.py", "put_graph"),
    "  restricted graph": ("policykg/graph/store.py", "write_restricted"),
    "  version record": ("policykg/versions.py", "record"),
}


def make_csv(store: Path, rows: int, out: Path, region: str = "330800") -> int:
    from loaders.export import export_region

    text = export_region(store, region, "csv").decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    head, body = table[0], table[1:]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(head)
    for i in range(rows):
        row = list(body[i % len(body)])
        row[0] = str(i + 1)
        w.writerow(row)
    out.write_text("\ufeff" + buf.getvalue(), encoding="utf-8")
    return rows


def phase_seconds(stats: pstats.Stats) -> dict[str, float]:
    """Cumulative seconds of each phase's function (0 when it did not run)."""
    out = dict.fromkeys(PHASES, 0.0)
    for (file, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        for name, (suffix, fn) in PHASES.items():
            if func == fn and file.replace("\\", "/").endswith(suffix):
                out[name] = max(out[name], ct)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--phases", action="store_true", help="cProfile the load: seconds per phase")
    ap.add_argument("--profile", type=int, default=0, metavar="N", help="with --phases: the top N functions")
    args = ap.parse_args()
    from loaders.load import load_region

    prof = cProfile.Profile() if args.phases or args.profile else None
    with tempfile.TemporaryDirectory(prefix="policykg-bigload-") as tmp:
        work = Path(tmp) / "store"
        shutil.copytree(args.store, work, symlinks=True)
        path = Path(tmp) / "big.csv"
        make_csv(args.store, args.rows, path)
        size = path.stat().st_size
        t0 = time.monotonic()
        outcome: object
        try:
            if prof is not None:
                prof.enable()
            outcome = load_region(work, path, "330800")
        except Exception as exc:  # noqa: BLE001 - the figure is the point; say how it ended
            outcome = f"refused: {exc}"
        finally:
            if prof is not None:
                prof.disable()
        took = time.monotonic() - t0
    print(f"| rows | {args.rows} | file | {size / 1e6:.1f} MB |")
    print(f"| load seconds | {took:.1f} | target | <= 10 s |" + (" (under cProfile)" if prof else ""))
    print(f"| outcome | {str(outcome)[:300]} |")
    if prof is not None:
        stats = pstats.Stats(prof)
        for name, secs in phase_seconds(stats).items():
            print(f"| {name} | {secs:.2f} s |")
        if args.profile:
            stats.sort_stats("cumulative").print_stats(args.profile)


if __name__ == "__main__":
    main()
