"""Real-looking later versions of 衢州市's list (330800): edited exports of the built graph."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from loaders.export import export_region

CODE = "330800"
NEW_ITEM = "数据资产登记服务"
INSERTED_ITEM = "企业开办一件事"


def exported_rows(store: Path, code: str = CODE) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(export_region(store, code, "csv").decode("utf-8-sig"))))
    return rows[0], rows[1:]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def second_version(header: list[str], body: list[list[str]]) -> list[list[str]]:
    """One cell changed (序号 5's 三级事项), one row removed (序号 50), one added (序号 94)."""
    v2 = [list(r) for r in body if r[0] != "50"]
    row5 = next(r for r in v2 if r[0] == "5")
    row5[header.index("三级事项")] += "（线上办理）"
    new = list(next(r for r in reversed(body) if r[header.index("承接板块")]))
    new[0] = "94"
    new[header.index("服务内容")] = "为民营企业提供数据资产登记服务"
    new[header.index("一级事项")] = "涉企服务"
    new[header.index("二级事项")] = "数据服务"
    new[header.index("三级事项")] = NEW_ITEM
    return [*v2, new]


def third_version(header: list[str], body: list[list[str]], v2: list[list[str]]) -> list[list[str]]:
    """One row inserted at the top and every other row renumbered (+1)."""
    ins = list(body[0])
    ins[header.index("服务内容")] = "企业开办一件事集成服务"
    ins[header.index("三级事项")] = INSERTED_ITEM
    return [ins, *[[str(int(r[0]) + 1), *r[1:]] for r in v2]]
