"""Changes lost under concurrency (issue 19, item 5): two ``policykg load``s started together.

The issue's reproduction, ``policykg load A --region 330800 & policykg load B --region
330114; wait``, run ``--trials`` times on a copy of a built store. Each trial gives each
region's list a change of its own (a renamed 三级事项 cell, a new name per trial), starts both
loads as separate processes at once and, when both have exited, asks the store whether
each change is there. Prints one table row per trial and the total of changes lost (the
target is 0).

    python -m benchmarks.lostupdates --store STORE [--trials 5]
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loaders.export import export_region
from policykg.core import iris
from policykg.graph.store import open_read_only
from policykg.sparql import queries

REGIONS = ("330800", "330114")
COLUMN = "三级事项"
ASK = """SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?i a <https://w3id.org/policykg/def#ServiceItem> ;
    <http://purl.org/dc/terms/title> ?l . FILTER(STR(?l) = "%s") } }"""


def changed_list(store: Path, code: str, name: str, out: Path) -> Path:
    """The region's exported list with its first item renamed ``name``."""
    table = list(csv.reader(io.StringIO(export_region(store, code, "csv").decode("utf-8-sig"))))
    head, body = table[0], [list(r) for r in table[1:]]
    col = head.index(COLUMN)
    first = next(r for r in body if r[col].strip())
    first[col] = name
    buf = io.StringIO()
    csv.writer(buf).writerows([head, *body])
    out.write_text(buf.getvalue(), encoding="utf-8")
    return out


def present(store: Path, code: str, name: str) -> bool:
    res = queries.run(open_read_only(store), ASK % (iris.region_graph(code), name))
    return int(res.values()[0]["n"]) > 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True, type=Path)
    ap.add_argument("--trials", type=int, default=5)
    args = ap.parse_args()
    cli = Path(sys.executable).with_name("policykg")
    lost = 0
    print("| trial | exit codes | seconds | 330800 change kept | 330114 change kept |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="policykg-lost-") as tmp:
        work = Path(tmp) / "store"
        shutil.copytree(args.store, work, symlinks=True)
        for trial in range(1, args.trials + 1):
            names = {code: f"并发写入检查{trial}-{code}" for code in REGIONS}
            files = {code: changed_list(work, code, names[code], Path(tmp) / f"{code}-{trial}.csv") for code in REGIONS}
            t0 = time.monotonic()
            procs = [subprocess.Popen([str(cli), "load", str(files[code]), "--region", code, "--store", str(work)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for code in REGIONS]
            codes = [p.wait(timeout=600) for p in procs]
            took = time.monotonic() - t0
            kept = [present(work, code, names[code]) for code in REGIONS]
            lost += kept.count(False)
            print(f"| {trial} | {codes} | {took:.1f} | {kept[0]} | {kept[1]} |")
    print(f"| changes lost | {lost} of {2 * args.trials} | target | 0 |")


if __name__ == "__main__":
    main()
