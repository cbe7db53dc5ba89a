"""The reviewers' XLSX sheet (Chinese): one row per candidate and a column to accept or reject it.

Importing a filled sheet writes the region's curation file (``data/alignment/{code}.sssom.tsv``),
keeping earlier decisions about other pairs; a later build or load applies it.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from ..core import iris
from ..core.errors import LoadError
from . import sssom
from .engine import Candidate

HEADERS = ("地区代码", "清单行", "类型", "主体IRI", "地方举措或服务事项", "排名", "省级措施编号", "省级细化措施",
           "置信度", "依据", "证据", "已断言", "审核（接受/拒绝）")
VERDICT_COLUMN = len(HEADERS)
ACCEPT = {"接受", "同意", "是", "√", "✓", "y", "yes", "accept", "accepted", "ok"}
REJECT = {"拒绝", "否", "不同意", "×", "✗", "n", "no", "reject", "rejected", "not"}
KIND = {"measure": "地方举措", "service-item": "服务事项"}


def write_xlsx(candidates: list[Candidate], path: Path | str) -> None:
    from openpyxl import Workbook  # heavy optional dependency: imported only when needed
    from openpyxl.worksheet.datavalidation import DataValidation  # heavy optional dependency: imported only when needed

    wb = Workbook()
    ws = wb.active
    ws.title = "对齐审核"
    ws.append(HEADERS)
    for c in candidates:
        ws.append([c.region, c.row, KIND.get(c.subject_kind, c.subject_kind), c.subject_id, c.subject_label, c.rank,
                   c.object_number, c.object_label, c.confidence, c.justification, c.evidence,
                   "是" if c.asserted and c.predicate_modifier != "Not" else "否",
                   {"Not": "拒绝"}.get(c.predicate_modifier, "接受" if c.justification == sssom.CURATED else "")])
    dv = DataValidation(type="list", formula1='"接受,拒绝"', allow_blank=True)
    ws.add_data_validation(dv)
    col = ws.cell(row=1, column=VERDICT_COLUMN).column_letter
    dv.add(f"{col}2:{col}{max(2, len(candidates) + 1)}")
    for letter, width in zip("ABCDEFGHIJKLM", (9, 7, 9, 30, 40, 6, 8, 40, 8, 24, 40, 7, 14), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("说明")
    for line in ("在“审核（接受/拒绝）”列填写“接受”或“拒绝”，空白表示不作决定。",
                 "导入：policykg align-import 本文件.xlsx --region 代码，写入 data/alignment/{代码}.sssom.tsv。",
                 "Fill the last column with 接受 (accept) or 拒绝 (reject); blank leaves the prediction alone.",
                 "Import with `policykg align-import FILE.xlsx --region CODE`."):
        notes.append([line])
    wb.save(path)


def read_xlsx(path: Path | str, region: str) -> list[sssom.Curated]:
    """The decisions filled into a review sheet (rows of other regions are refused)."""
    from openpyxl import load_workbook  # heavy optional dependency: imported only when needed

    path = Path(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise LoadError(f"无法读取审核表：{exc}", f"cannot read the review sheet: {exc}", where=str(path)) from None
    ws = wb["对齐审核"] if "对齐审核" in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, ())]
    try:
        col = {name: header.index(name) for name in ("地区代码", "主体IRI", "省级措施编号", "审核（接受/拒绝）")}
    except ValueError:
        raise LoadError("审核表缺少列（地区代码、主体IRI、省级措施编号、审核（接受/拒绝））",
                        "the sheet lacks a column (region, subject IRI, measure number, verdict)",
                        where=f"{path}:1") from None
    out = []

    for n, r in enumerate(rows, start=2):
        verdict = str(r[col["审核（接受/拒绝）"]] or "").strip().lower()
        if not verdict:
            continue
        where = f"{path}:{n}"
        if verdict not in ACCEPT and verdict not in REJECT:
            raise LoadError(f"审核列应为“接受”或“拒绝”，而不是 {verdict!r}", f"verdict must be 接受 or 拒绝, "
                            f"not {verdict!r}", where=where)
        if str(r[col["地区代码"]] or "").strip() != region:
            raise LoadError(f"该行属于地区 {r[col['地区代码']]}，不是 {region}", f"row belongs to region "
                            f"{r[col['地区代码']]}, not {region}", where=where)
        try:
            number = int(r[col["省级措施编号"]])
        except (TypeError, ValueError):
            raise LoadError("省级措施编号应为整数", "measure number must be an integer", where=where) from None
        out.append(sssom.Curated(str(r[col["主体IRI"]]).strip(), iris.provincial_measure(number), number,
                                 verdict in REJECT, n, str(path)))
    return out


def merge_into_file(decisions: list[sssom.Curated], region: str, directory: Path | str | None = None) -> Path:
    """Write the region's curation file: earlier decisions on other pairs kept, these win."""
    target = sssom.curation_file(region, directory)
    old: list[sssom.Curated] = []
    if target.is_file():
        old = sssom.read(target, _any(), set(range(1, 1000)))
    new_keys = {(d.subject_id, d.object_id) for d in decisions}
    merged = [d for d in old if (d.subject_id, d.object_id) not in new_keys] + decisions
    merged.sort(key=lambda d: (d.subject_id, d.object_number))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(sssom.write_curation(merged, region), encoding="utf-8")
    return target


class _any(set):  # noqa: N801 - a set that contains everything (earlier decisions were checked at build)
    def __contains__(self, item: object) -> bool:
        return True


def to_json(candidates: list[Candidate]) -> str:
    return json.dumps([asdict(c) for c in candidates], ensure_ascii=False, indent=1)
