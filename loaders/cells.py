"""Cells -> records: the one place that interprets a row's cell texts, for every input form.

Every loader (document text, PDF, XLSX, CSV) produces :class:`RawRow`s: the cell texts of
one printed row keyed by the canonical field names of its layout (``loaders/mappings``),
merged cells repeated on every row they cover. :func:`build_rows` turns them into
:class:`~policykg.records.ListRow`s, so all forms give the same records and the same RDF.

Conventions:
- A raw row whose 序号 cell is empty continues the numbered row above it (a merged 序号
  cell): its service-item cells become another service item of that row, its provincial
  texts and local measure are added to it.
- Multi-valued cells (钱塘's several provincial texts) may hold several values separated by
  newlines; other cells' newlines are PDF/Excel line breaks and are removed.
- ``strict`` (uploads) turns defects into :class:`LoadError`s; the document's own defects
  are loaded leniently as warnings, so that validation can report them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from policykg.core.errors import LoadError
from policykg.core.iris import short_hash
from policykg.core.records import (
    KEY_TASKS,
    PROVINCIAL_MEASURES,
    Backbone,
    ListRow,
    LocalMeasure,
    RegionList,
    ServiceItem,
    SourceRef,
)

from .celltext import join_lines
from .layouts import Layout
from .layouts import get as get_layout
from .match import match_provincial
from .people import parse_contacts, parse_units, says_lead_first, split_circled, stage_for, unit_listing

BLOCK_SLASH = "/"          # 德清 row 44 prints "/" as its 承接板块: kept as printed, a finding
ITEM_FIELDS = ("level1", "level2", "level3", "block", "content", "process", "channel", "responsible_unit")
CN_NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九十", start=0)}


@dataclass
class RawRow:
    cells: dict[str, str]
    source: SourceRef
    where: str = ""          # "file.xlsx 第5行" etc., for messages


@dataclass
class Issues:
    """Collects defects: raised at once when strict, else kept as warnings."""

    strict: bool
    warnings: list[str] = field(default_factory=list)

    def report(self, where: str, zh: str, en: str) -> None:
        if self.strict:
            raise LoadError(zh, en, where=where)
        self.warnings.append(f"{where}: {zh} / {en}" if where else f"{zh} / {en}")


def clean(text: str | None) -> str:
    """A cell as printed: the PDF's/Excel's line breaks and inserted spaces removed, real
    spaces between words kept (see :func:`loaders.text.document.join_lines`)."""
    return join_lines((text or "").split("\n"))


def cn_number(s: str) -> int | None:
    """'一' -> 1, '十二' -> 12, '二十' -> 20, '三十二' -> 32, '12' -> 12."""
    s = s.strip()
    if s.isdigit():
        return int(s)
    if not s or any(c not in CN_NUMERALS for c in s):
        return None
    if "十" not in s:
        return CN_NUMERALS[s] if len(s) == 1 else None
    tens, _, ones = s.partition("十")
    return (CN_NUMERALS[tens] if tens else 1) * 10 + (CN_NUMERALS[ones] if ones else 0)


_KEY_TASK = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]\s*(.*)$|^(\d{1,2})\s*[.．、]\s*(\D.*)$|^(\d{1,2})\s*(\D.*)?$")
_GENERAL = re.compile(r"^([一二三四五六七八九十]+)[、.．]\s*(.*)$")


def parse_key_task(text: str) -> tuple[int | None, str]:
    """'（一）强化财税政策保障' / '1.强化财税政策保障' / '1' -> (1, '强化财税政策保障')."""
    t = clean(text)
    m = _KEY_TASK.match(t)
    if not m:
        return None, t
    if m.group(1):
        return cn_number(m.group(1)), m.group(2)
    if m.group(3):
        return int(m.group(3)), m.group(4)
    return int(m.group(5)), m.group(6) or ""


def parse_general_task(text: str) -> tuple[int | None, str]:
    t = clean(text)
    m = _GENERAL.match(t)
    return (cn_number(m.group(1)), m.group(2)) if m else (None, t)


# "31.2023年至…": a number right before a year still counts; "1.5" does not
_NUMBERED = re.compile(r"(?:(?<=^)|(?<=[。；;！!”\"）)]))\s*(\d{1,3})[.．、]\s*(?:(?=\d{4}\s*年)|(?!\d))")


def split_numbered(text: str) -> list[tuple[int, str]]:
    """'1.精准…。2.精准…' -> [(1, '精准…。'), (2, '精准…')] following a running sequence.

    A number counts only at the start or after a sentence end, and only if it continues
    the sequence (n, n+1, …), so '2025年' or '1.5' inside a text are never split.
    """
    t = clean(text)
    hits = [(m.start(), m.end(), int(m.group(1))) for m in _NUMBERED.finditer(t)]
    chosen: list[tuple[int, int, int]] = []
    for start, end, n in hits:
        if not chosen:
            if start == 0:
                chosen.append((start, end, n))
        elif n == chosen[-1][2] + 1:
            chosen.append((start, end, n))
    if not chosen:
        return [(0, t)] if t else []
    out = []
    for i, (_, end, n) in enumerate(chosen):
        stop = chosen[i + 1][0] if i + 1 < len(chosen) else len(t)
        out.append((n, t[end:stop]))
    return out


def parse_number_list(text: str) -> list[int]:
    """Template cells: '1,2,5-7' / '1、2' / '3' -> [1, 2, 5, 6, 7]."""
    out: list[int] = []
    for part in re.split(r"[,，、;；\s]+", (text or "").strip()):
        if not part:
            continue
        m = re.fullmatch(r"(\d+)\s*[-–~～至]\s*(\d+)", part)
        if m:
            out += list(range(int(m.group(1)), int(m.group(2)) + 1))
        elif part.isdigit():
            out.append(int(part))
        else:
            raise ValueError(part)
    return out


# ------------------------------------------------------------------ one row


def _provincial_numbers(cells: dict[str, str], issues: Issues, where: str) -> tuple[int, ...]:
    nums: list[int] = []
    if cells.get("provincial_measures"):
        nums = [n for n, _ in split_numbered(cells["provincial_measures"]) if n]
    if cells.get("provincial_measure_numbers"):
        try:
            nums += parse_number_list(cells["provincial_measure_numbers"])
        except ValueError as exc:
            issues.report(f"{where} 列“省级细化措施编号”", f"无法识别的编号 {exc}", f"unreadable measure number {exc}")
    good = []
    for n in nums:
        if 1 <= n <= PROVINCIAL_MEASURES:
            good.append(n)
        else:
            issues.report(f"{where} 列“省级细化措施”", f"省级细化措施编号 {n} 超出 1–{PROVINCIAL_MEASURES}",
                          f"provincial measure number {n} outside 1–{PROVINCIAL_MEASURES}")
    return tuple(dict.fromkeys(good))


def _key_task(cells: dict[str, str], issues: Issues, where: str) -> tuple[int | None, str]:
    raw = cells.get("key_task_number") or cells.get("key_task") or ""
    if not clean(raw):
        return None, ""
    n, label = parse_key_task(raw)
    column = "重点工作编号" if cells.get("key_task_number") else "省级重点工作"
    if n is None:
        issues.report(f"{where} 列“{column}”", f"无法识别重点工作编号：{clean(raw)[:30]}",
                      f"cannot read a key task number: {clean(raw)[:30]}")
    elif not 1 <= n <= KEY_TASKS:
        issues.report(f"{where} 列“{column}”", f"重点工作编号 {n} 超出 1–{KEY_TASKS}",
                      f"key task number {n} outside 1–{KEY_TASKS}")
        n = None
    return n, clean(raw)


def _local_measures(layout: Layout, cells: dict[str, str], row: int, provincial: tuple[int, ...],
                    key_task: int | None = None, part: int = 0) -> list[LocalMeasure]:
    """``part`` > 0 for a continuation printing of the same 序号 (舟山 prints row 27 twice,
    numbering its measures ①②③ again): its keys get a ``p2``-style suffix to stay distinct."""
    kind = layout.local_measure_kind
    text = cells.get("local_measure", "")
    if kind == "adopted":
        texts = [clean(t) for t in (cells.get("provincial_texts") or "").split("\n") if clean(t)]
        return [LocalMeasure(key=f"t{short_hash(t)[:10]}", kind=kind, text=t) for t in texts]
    if not clean(text):
        return []
    if kind == "city-measure":          # 舟山: ①②③ each a measure, with stage and units
        units, lead = parse_units(cells.get("units", ""))
        out = []
        for n, body in split_circled(text):
            out.append(LocalMeasure(
                key=(f"{row}p{part + 1}" if part else f"{row}") + (f"-{n}" if n else ""), kind=kind, text=clean(body), number=n or None,
                target=clean(cells.get("target", "")), stage=clean(stage_for(cells.get("stage", ""), n)),
                units=tuple(units), lead_unit=lead, implements=provincial,
            ))
        return out
    if kind == "city-rule":             # 衢州: "1.深入贯彻…" numbered rules
        # keyed by number; _distinct_keys() separates two different rules printed with one number
        parts = split_numbered(text)
        return [LocalMeasure(key=str(n) if n else f"t{short_hash(body)[:10]}", kind=kind, text=body,
                             number=n or None, implements=provincial) for n, body in parts]
    units = tuple(u for u in [clean(cells.get("responsible_unit", ""))] if u)
    return [LocalMeasure(key=f"t{short_hash(text)[:10]}", kind=kind, text=clean(text), implements=provincial,
                         stage=clean(cells.get("stage", "")), units=units, lead_unit=units[0] if units else "")]


def _service_item(cells: dict[str, str]) -> ServiceItem | None:
    item = ServiceItem(**{f: clean(cells.get(f, "")) for f in ITEM_FIELDS})
    if not (item.level1 or item.level2 or item.level3 or item.block):
        return None
    return item


Matcher = Callable[[str, Backbone], "tuple[int, float] | None"]


def _match_texts(texts: list[str], backbone: Backbone | None) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """钱塘: link provincial texts to numbers. Returns ({text: number}, [(text, reason)] unmatched)."""
    if not texts:
        return {}, []
    if backbone is None:
        return {}, [(t, "没有省级骨架可供匹配 / no backbone to match against") for t in texts]
    found: dict[str, int] = {}
    unmatched: list[tuple[str, str]] = []
    for t in texts:
        hit = match_provincial(t, backbone)
        if hit is None:
            unmatched.append((t, "与146条省级细化措施均不匹配 / matches none of the 146 provincial measures"))
        else:
            found[t] = hit[0]
    return found, unmatched


def build_rows(layout_id: str, raw_rows: list[RawRow], *, backbone: Backbone | None = None,
               strict: bool = False) -> tuple[list[ListRow], list[str], list[tuple[int, str, str]]]:
    """Raw rows -> (rows in 序号 order, warnings, unmatched provincial texts).

    Raises LoadError when ``strict`` and a row is defective (bad 序号, duplicate 序号,
    key task or provincial measure number out of range, service item without block).
    """
    layout = get_layout(layout_id)
    issues = Issues(strict)
    groups: list[list[RawRow]] = []
    printings: list[int] = []            # per group: 1, or 2 … for a 序号 printed again
    seen: dict[int, str] = {}
    for raw in raw_rows:
        number = clean(raw.cells.get("row", ""))
        if not number:
            if not groups:
                issues.report(raw.where, "第一行缺少序号", "the first row has no 序号")
                continue
            groups[-1].append(raw)
            continue
        if not number.isdigit() or int(number) < 1:
            issues.report(f"{raw.where} 列“序号”", f"序号不是正整数：{number}", f"序号 is not a positive integer: {number}")
            continue
        n = int(number)
        if n in seen:
            # printed again right after itself under the same key task (舟山 27): a row of its own;
            # any other repeat is an error of an upload (kept as another printing when lenient)
            last = groups[-1][0] if groups else None
            again = last is not None and clean(last.cells.get("row", "")) == number and \
                _task_text(last.cells) == _task_text(raw.cells)
            occurrence = 1 + sum(1 for g in groups if clean(g[0].cells.get("row", "")) == number)
            if not again:
                issues.report(f"{raw.where} 列“序号”", f"序号 {n} 重复（已见于 {seen[n]}）",
                              f"duplicate 序号 {n} (also at {seen[n]})")
            issues.warnings.append(f"{raw.where} 列“序号”: 序号 {n} 重复印出，作为第 {occurrence} 次印出的行 {n}-{occurrence} "
                                   f"载入 / 序号 {n} printed again: loaded as row {n}-{occurrence}")
            groups.append([raw])
            printings.append(occurrence)
            continue
        seen[n] = raw.where
        groups.append([raw])
        printings.append(1)

    rows: list[ListRow] = []
    unmatched_all: list[tuple[int, str, str]] = []
    for group, occurrence in zip(groups, printings, strict=True):
        head = group[0]
        n = int(clean(head.cells["row"]))
        where = head.where or f"序号 {n}"
        key_task, key_label = _key_task(head.cells, issues, where)
        general, general_label = parse_general_task(head.cells.get("general_task", ""))
        provincial = _provincial_numbers(head.cells, issues, where)
        texts = [clean(t) for raw in group for t in (raw.cells.get("provincial_texts") or "").split("\n") if clean(t)]
        texts = list(dict.fromkeys(texts))
        matched, unmatched = _match_texts(texts, backbone)
        unmatched_all += [(n, t, reason) for t, reason in unmatched]
        provincial = tuple(dict.fromkeys([*provincial, *matched.values()]))
        measures: list[LocalMeasure] = []
        items: list[ServiceItem] = []
        for part, raw in enumerate(group):
            cells = dict(raw.cells)
            if layout.local_measure_kind == "adopted":
                cells["provincial_texts"] = "\n".join(texts) if raw is head else ""
            for m in _local_measures(layout, cells, n, provincial, key_task, part + occurrence - 1):
                if m not in measures:
                    measures.append(m)
            item = _service_item(cells)
            if item is not None:
                if not item.block:
                    issues.report(f"{raw.where or where} 列“承接板块”", f"服务事项“{item.title}”缺少承接板块",
                                  f"service item '{item.title}' has no undertaking block")
                elif item.block == BLOCK_SLASH:
                    issues.report(f"{raw.where or where} 列“承接板块”", f"服务事项“{item.title}”的承接板块印为“/”",
                                  f"service item '{item.title}': block given as '/'")
                items.append(item)
        if layout.local_measure_kind == "adopted" and matched:
            # an adopted text is one provincial measure: it implements its own match only, not
            # every measure its 序号 groups (钱塘 row 9: "积极推进融资担保合作。" is 18 alone)
            measures = [replace(m, implements=(matched[m.text],) if m.text in matched else ()) for m in measures]
        contacts: list = []
        for raw in group:
            if raw.cells.get("contacts"):
                contacts += [c for c in parse_contacts(raw.cells["contacts"]) if c not in contacts]
        source = head.source
        if len(group) > 1 and head.source.line_end is not None and group[-1].source.line_end is not None:
            source = replace(head.source, line_end=max(r.source.line_end or 0 for r in group))
        units, units_note = unit_listing(head.cells.get("units", ""))
        rows.append(ListRow(
            units=tuple(units), units_note=units_note, occurrence=occurrence,
            lead_unit=next((m.lead_unit for m in measures if m.lead_unit), ""),
            row=n, key_task=key_task, key_task_label=key_label, general_task=general,
            general_task_label=general_label if general else "", provincial_measures=provincial,
            provincial_texts=tuple(texts), local_measures=tuple(measures), service_items=tuple(items),
            contacts=tuple(contacts), remark=clean(head.cells.get("remark", "")),
            # raw cells for reference; the contacts cell holds phone numbers and is not kept
            cells={k: v for k, v in head.cells.items() if not get_layout(layout_id).column(k) or
                   not get_layout(layout_id).column(k).personal}, source=source,
        ))
    rows.sort(key=lambda r: (r.row, r.occurrence))
    return _distinct_keys(_lead_first(rows)), issues.warnings, unmatched_all


def _task_text(cells: dict[str, str]) -> str:
    return clean(cells.get("key_task_number") or cells.get("key_task") or "")


def _lead_first(rows: list[ListRow]) -> list[ListRow]:
    """舟山 says once, in row 1's 责任单位 cell, 列第一位为牵头单位: the rule holds for the
    whole list, so every row and measure that lists units gets its first unit as lead."""
    if not any(says_lead_first(r.units_note) for r in rows):
        return rows
    out = []
    for r in rows:
        if not r.units:
            out.append(r)
            continue
        lead = r.lead_unit or r.units[0].label
        out.append(replace(r, lead_unit=lead, local_measures=tuple(
            replace(m, lead_unit=m.lead_unit or (m.units[0] if m.units else "")) for m in r.local_measures)))
    return out


def _distinct_keys(rows: list[ListRow]) -> list[ListRow]:
    """One printed number = one local measure, wherever the list repeats it (衢州 prints rule 2
    with the same text under key tasks 2 and 9: one rule implementing both sets of measures).
    Only if one number carries two different texts are both keyed by key task as well."""
    texts: dict[str, set[str]] = {}
    for r in rows:
        for m in r.local_measures:
            texts.setdefault(m.key, set()).add(m.text)
    clash = {k for k, v in texts.items() if len(v) > 1}
    if not clash:
        return rows
    return [replace(r, local_measures=tuple(
        replace(m, key=f"{m.key}-kt{r.key_task}") if m.key in clash else m for m in r.local_measures))
        for r in rows]


def region_list(region: str, layout_id: str, raw_rows: list[RawRow], source: SourceRef, *, title: str = "",
                backbone: Backbone | None = None, strict: bool = False) -> RegionList:
    rows, warnings, unmatched = build_rows(layout_id, raw_rows, backbone=backbone, strict=strict)
    return RegionList(region=region, layout=layout_id, rows=rows, source=source, title=title,
                      warnings=warnings, unmatched=unmatched)
