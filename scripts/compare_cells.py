"""Compare every exported cell with the document's, region by region (issue 13).

    .venv/bin/python scripts/compare_cells.py [--store DIR]

Builds a fresh store from data/ unless ``--store`` names one, exports each region's list,
and prints, per region, the printed rows, the export's rows and every cell whose text
(whitespace normalised, phone numbers removed on the document's side) differs.
Exit code 1 if a cell differs for a reason not known (the known one: a 序号 the document does not print).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from loaders.export import region_table
from loaders.fidelity import differences, printed_rows
from policykg.core.config import SOURCE_DOCUMENT

REGIONS = {"330800": "衢州市", "330900": "舟山市", "330114": "杭州市钱塘区", "330521": "湖州市德清县"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, help="存储目录 / store directory (default: build one)")
    args = ap.parse_args()
    store = args.store
    if store is None:
        from loaders.build import build

        store = Path(tempfile.mkdtemp(prefix="policykg-compare-")) / "store"
        build(store)
    document = printed_rows(SOURCE_DOCUMENT)
    total = 0
    for code, name in REGIONS.items():
        table = region_table(store, code)
        found = differences(code, document[code], table)
        cells = sum(len(table.fields()) for _ in table.groups)
        print(f"{name}（{code}）：文件 {len(document[code])} 行，导出 {len(table.groups)} 行，"
              f"{cells} 个单元格，不同 {len(found)} 个 / {len(found)} cells differ")
        for d in found:
            print(f"  序号 {d.row} 列 {d.field}\n    文件 document: {d.document}\n    导出 export:   {d.export}")
            if d.reason:
                print(f"    原因 why: {d.reason}")
        total += sum(1 for d in found if not d.reason)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
