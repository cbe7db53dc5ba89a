"""``policykg load --dry-run``: what a load would read, without touching the store.

The file is read exactly as a load reads it (header recognition, hand mapping, region
check, every row built strictly); the report says which sheet and header rows were found,
which header went to which field with its score, the columns kept as notes, the row count
and the first five rows as they will be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from loaders.load import read_list
from policykg.core.errors import LoadError
from policykg.core.progress import silent
from policykg.core.records import Backbone, RegionList

from .headers import ReadOptions
from .people import PHONE

HOW = {"exact": "原文", "alias": "别名", "fuzzy": "近似", "hand": "手工", "position": "按位置"}
SAMPLE_WIDTH = 40


@dataclass
class Preview:
    rl: RegionList
    form: str
    text: str
    refusal: LoadError | None = None       # why a strict load would refuse the file

    def as_json(self, options: ReadOptions) -> dict:
        """The preview for the web page (the same facts as the text)."""
        rec = options.recognition
        return {
            "ok": self.refusal is None, "region": self.rl.region, "form": self.form, "title": self.rl.title,
            "layout": rec.layout.id if rec else self.rl.layout, "score": rec.score if rec else None,
            "sheet": rec.sheet if rec else None, "headerRows": rec.header_rows if rec else [],
            "columns": [{"header": m.header, "field": m.field, "score": round(m.score, 1), "how": m.how}
                        for m in (rec.matches if rec else [])],
            "notes": [h for j, h in (rec.extras if rec else []) if j in rec.notes],
            "leftOut": [h for j, h in (rec.extras if rec else []) if j not in rec.notes],
            "candidates": [{"layout": lid, "score": s, "missing": miss} for lid, s, miss in (rec.candidates if rec else [])],
            "dataRows": options.raw_rows, "rows": len(self.rl.rows),
            "serviceItems": sum(len(r.service_items) for r in self.rl.rows),
            "sample": [{"where": r.where, "cells": shown_cells(r.cells, options)} for r in options.sample],
            "warnings": self.rl.warnings, "refused": str(self.refusal) if self.refusal else None, "text": self.text,
        }


def preview(path: Path, region: str, layout: str | None, options: ReadOptions, *,
            backbone: Backbone | None = None, strict: bool = True) -> Preview:
    """The list as it would load and the report text. A file that cannot be read raises
    LoadError as a load would; a defective row (which a strict load refuses) is shown with
    the preview, read as ``--lenient`` would read it."""
    refusal = None
    try:
        rl, form = read_list(path, region, layout, backbone=backbone, progress=silent, strict=strict, options=options)
    except LoadError as exc:
        if not strict:
            raise
        refusal = exc
        rl, form = read_list(path, region, layout, backbone=backbone, progress=silent, strict=False, options=options)
    text = report(rl, form, options)
    if refusal is not None:
        text += (f"\n加载将被拒绝（可加 --lenient 作为警告加载） / a load would be refused (--lenient loads it with "
                 f"warnings): {refusal}")
    return Preview(rl, form, text, refusal)


def shown_cells(cells: dict[str, str], options: ReadOptions) -> dict[str, str]:
    """A row's cells as a preview shows them: phone numbers in personal columns (联系人) masked."""
    rec = options.recognition
    personal = {c.field for c in rec.layout.columns if c.personal} if rec else {"contacts"}
    return {f: PHONE.sub("＊＊＊", v) if f in personal else v for f, v in cells.items()}


def _cut(text: str) -> str:
    t = " ".join((text or "").split())
    return t if len(t) <= SAMPLE_WIDTH else t[:SAMPLE_WIDTH - 1] + "…"


def report(rl: RegionList, form: str, options: ReadOptions) -> str:
    rec = options.recognition
    out = [f"试运行（不写入存储） / dry run (nothing is written): {rl.source.document} → {rl.region}（{form}）"]
    if rec is None:
        return "\n".join(out)
    where = f"工作表“{rec.sheet}” / sheet '{rec.sheet}'，" if rec.sheet else ""
    rows = "、".join(str(r) for r in rec.header_rows)
    out.append(f"{where}表头在第 {rows} 行 / header on row(s) {rows}")
    if rl.title:
        out.append(f"标题 / title: {rl.title}")
    if options.mapping_file:
        out.append(f"列映射文件 / mapping file: {options.mapping_file}")
    out.append(rec.describe())
    for lid, score, missing in rec.candidates:
        lack = f"，缺少 {'、'.join(missing)}" if missing else ""
        out.append(f"  候选 / candidate {lid}: {score:.2f}{lack}")
    out.append("表头 → 字段（得分） / header → field (score):")
    for m in rec.matches:
        out.append(f"  {m.header} → {m.field}（{m.score:.0f}，{HOW[m.how]}） / {m.how}")
    for j, h in rec.extras:
        if j in rec.notes:
            out.append(f"  {h} → 备注 remark（未知列，记入备注 / unknown column, kept as a note）")
        else:
            out.append(f"  {h} → （不读入：含电话号码 / left out: phone numbers）")
    for c in rec.missing:
        out.append(f"  （缺少 / missing）{c.header}: {c.field}")
    items = sum(len(r.service_items) for r in rl.rows)
    out.append(f"数据行 {options.raw_rows} 行 → {len(rl.rows)} 个序号，{items} 个服务事项 / {options.raw_rows} data "
               f"rows → {len(rl.rows)} numbered rows, {items} service items")
    out.append(f"前 {len(options.sample)} 行 / first {len(options.sample)} rows:")
    for raw in options.sample:
        cells = "；".join(f"{f}={_cut(v)}" for f, v in shown_cells(raw.cells, options).items() if (v or "").strip())
        out.append(f"  {raw.where}: {cells}")
    for w in rl.warnings:
        out.append(f"警告 / warning: {w}")
    return "\n".join(out)
