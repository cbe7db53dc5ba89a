"""A 10,000-row list loads in <= 10 s (issue 19, item 12): time ``policykg load`` on it.

The 衢州 list is exported from a built store (``policykg export``), its data rows repeated
(序号 renumbered) up to ``--rows`` rows, and loaded into a copy of the store. Prints the
seconds of the load and its triples; the size caps of :mod:`loaders.limits` apply.

    python -m benchmarks.bigload --store STORE [--rows 10000]
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import tempfile
import time
from pathlib import Path


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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--rows", type=int, default=10_000)
    args = ap.parse_args()
    from loaders.load import load_region

    with tempfile.TemporaryDirectory(prefix="policykg-bigload-") as tmp:
        work = Path(tmp) / "store"
        shutil.copytree(args.store, work, symlinks=True)
        path = Path(tmp) / "big.csv"
        make_csv(args.store, args.rows, path)
        size = path.stat().st_size
        t0 = time.monotonic()
        outcome: object
        try:
            outcome = load_region(work, path, "330800")
        except Exception as exc:  # noqa: BLE001 - the figure is the point; say how it ended
            outcome = f"refused: {exc}"
        took = time.monotonic() - t0
    print(f"| rows | {args.rows} | file | {size / 1e6:.1f} MB |")
    print(f"| load seconds | {took:.1f} | target | <= 10 s |")
    print(f"| outcome | {str(outcome)[:300]} |")


if __name__ == "__main__":
    main()
