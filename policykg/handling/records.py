"""A handling file's rows, checked: every bad cell is an error naming its row and column.

The reader (``loaders/handling.py``) gives a :class:`RawTable` (header cells as found, each
row's cells as text, the file row number). :func:`check` turns it into :class:`Record`s
linked to service items, or raises one :class:`LoadError` listing every problem: the whole
file is refused, nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..core.errors import LoadError

REGION, ROW, ITEM, MONTH = "地区代码", "清单序号", "服务事项", "统计月份"
RECEIVED, COMPLETED, GOOD, BAD = "受理件数", "办结件数", "好评数", "差评数"
CHANNEL, DAYS, REMARK = "办理渠道", "平均办理天数", "备注"
REQUIRED = (REGION, ROW, ITEM, MONTH, RECEIVED, COMPLETED, GOOD, BAD)
OPTIONAL = (CHANNEL, DAYS, REMARK)
COLUMNS = REQUIRED + OPTIONAL
CHANNELS = ("线上", "线下")
EN = {REGION: "region code", ROW: "list row", ITEM: "service item", MONTH: "month", RECEIVED: "received",
      COMPLETED: "completed", GOOD: "good reviews", BAD: "bad reviews", CHANNEL: "channel", DAYS: "average days"}
MAX_ERRORS = 50


@dataclass
class RawTable:
    """What the reader found: file name, its sha256, the header and the data rows."""

    file: str
    sha256: str
    header: dict[str, int]                      # canonical column -> index
    rows: list[tuple[int, list[str]]]           # (file row, cells as text)
    sheet: str | None = None


@dataclass(frozen=True)
class Record:
    region: str
    item: str                                   # the service item's IRI
    month: str                                  # YYYY-MM
    received: int
    completed: int
    good: int
    bad: int
    file_row: int
    channel: str = ""
    days: Decimal | None = None


@dataclass
class Problems:
    where: str
    items: list[tuple[int, str, str, str]] = field(default_factory=list)   # (row, column, zh, en)

    def add(self, row: int, column: str, zh: str, en: str) -> None:
        self.items.append((row, column, zh, en))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        shown = sorted(self.items, key=lambda p: p[0])[:MAX_ERRORS]
        lines = [f"  - 第 {r} 行，列“{c}”：{zh} / row {r}, column {c} ({EN.get(c, c)}): {en}"
                 for r, c, zh, en in shown]
        more = len(self.items) - len(shown)
        tail = f"\n  … 另有 {more} 处 / {more} more" if more > 0 else ""
        raise LoadError(f"办件文件有 {len(self.items)} 处错误，整个文件未加载 / {len(self.items)} error(s) in the "
                        f"handling file; nothing was loaded:\n" + "\n".join(lines) + tail, where=self.where)


def normalize_header(text: str) -> str:
    """'统计月份（YYYY-MM）' and ' 受理 件数 ' -> the canonical column name."""
    s = re.sub(r"\s+", "", str(text or ""))
    s = re.sub(r"[（(].*?[）)]", "", s)
    s = s.lstrip("*")
    return s


_MONTH = re.compile(r"^(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?$")


def parse_month(text: str) -> str | None:
    """'2024-03', '2024/3', '2024年3月' -> '2024-03'; anything else (or month 13) -> None."""
    m = _MONTH.match(text.strip())
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return f"{year:04d}-{month:02d}"


def _count(text: str) -> int | None:
    s = text.strip().replace(",", "")
    if re.fullmatch(r"-?\d+(?:\.0+)?", s):
        return int(Decimal(s))
    return None


Matcher = Callable[[str, int | None, str], tuple[str | None, str, str, str]]
"""(region, 清单序号 or None, name) -> (item IRI, "", "", "") or (None, column at fault, zh, en)."""


def check(table: RawTable, known_region: Callable[[str], tuple[str, str] | None], match: Matcher) -> list[Record]:
    """Every row as a Record, or a LoadError naming each bad row and column.

    ``known_region(code)`` returns None for a region with a list, else (zh, en) why not.
    """
    probs = Problems(table.file)
    missing = [c for c in REQUIRED if c not in table.header]
    if missing:
        raise LoadError(f"表头缺少必填列：{'、'.join(missing)} / the header lacks required column(s): "
                        f"{', '.join(missing)}", where=table.file)
    if not table.rows:
        raise LoadError("文件中没有办件记录行 / the file has no record rows", where=table.file)
    out: list[Record] = []
    seen: dict[tuple[str, str, str], int] = {}

    def cell(cells: list[str], col: str) -> str:
        i = table.header.get(col)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    for line, cells in table.rows:
        ok = True
        code = cell(cells, REGION)
        why = known_region(code) if code else ("地区代码为空", "the region code is empty")
        if why:
            probs.add(line, REGION, why[0], why[1])
            ok = False
        month_text = cell(cells, MONTH)
        month = parse_month(month_text)
        if month is None:
            probs.add(line, MONTH, f"统计月份应为 YYYY-MM（如 2024-03），而不是“{month_text}”",
                      f"the month must be YYYY-MM (e.g. 2024-03), not {month_text!r}")
            ok = False
        counts: dict[str, int] = {}
        for col in (RECEIVED, COMPLETED, GOOD, BAD):
            text = cell(cells, col)
            n = _count(text) if text else (0 if col in (GOOD, BAD) else None)
            if n is None:
                probs.add(line, col, f"应为非负整数，而不是“{text}”" if text else "必填，不能为空",
                          f"must be a whole number, not {text!r}" if text else "is required")
                ok = False
            elif n < 0:
                probs.add(line, col, f"件数不能为负数：{n}", f"a count cannot be negative: {n}")
                ok = False
            else:
                counts[col] = n
        if RECEIVED in counts and COMPLETED in counts and counts[COMPLETED] > counts[RECEIVED]:
            probs.add(line, COMPLETED, f"办结件数 {counts[COMPLETED]} 大于受理件数 {counts[RECEIVED]}",
                      f"completed ({counts[COMPLETED]}) exceeds received ({counts[RECEIVED]})")
            ok = False
        channel = cell(cells, CHANNEL)
        if channel and channel not in CHANNELS:
            probs.add(line, CHANNEL, f"办理渠道只能是“线上”或“线下”，而不是“{channel}”",
                      f"the channel must be 线上 (online) or 线下 (offline), not {channel!r}")
            ok = False
        days: Decimal | None = None
        days_text = cell(cells, DAYS)
        if days_text:
            try:
                days = Decimal(days_text)
                if days < 0 or not days.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                probs.add(line, DAYS, f"平均办理天数应为非负数，而不是“{days_text}”",
                          f"average days must be a non-negative number, not {days_text!r}")
                ok = False
        item: str | None = None
        if not why:
            row_text = cell(cells, ROW)
            row_no = _count(row_text) if row_text else None
            if row_text and (row_no is None or row_no <= 0):
                probs.add(line, ROW, f"清单序号应为正整数，而不是“{row_text}”",
                          f"the list row must be a positive whole number, not {row_text!r}")
                ok = False
            else:
                item, column, zh, en = match(code, row_no, cell(cells, ITEM))
                if item is None:
                    probs.add(line, column, zh, en)
                    ok = False
        if item is not None and month is not None:
            key = (code, item, month)
            if key in seen:
                probs.add(line, ITEM, f"同一服务事项、同一月份重复：与第 {seen[key]} 行相同（{month}）",
                          f"the same item and month twice: as row {seen[key]} ({month})")
                ok = False
            else:
                seen[key] = line
        if ok and item is not None and month is not None:
            out.append(Record(code, item, month, counts[RECEIVED], counts[COMPLETED], counts[GOOD], counts[BAD],
                              line, channel, days))
    probs.raise_if_any()
    return out
