"""附件 2, 舟山市: segment the table's text into rows of cells.

Columns (``loaders/mappings/zhoushan.toml``): 序号 | 总体任务 (merged) | 重点工作 | 市级目标 |
市级细化措施 (①②③…, one local measure each) | 实施阶段 | 责任单位 | 联系人.  The list has no
服务事项 at all (a finding for validation, not an error).  Widths are in the TOML's ``[text]``.

Each printed row's cells come one after the other, in column order; a cell's lines are cut
by the column width and blank lines fall anywhere (inside cells too), so cells are told
apart by what they start with and how wide their lines are:

* 序号: a number alone (or first on a line: ``4 （四）强化``) followed by a 总体任务 or a
  重点工作.  **Rows 7, 12 and 15 print no 序号** (each opens a page, line 3010 ``二、鼓励``,
  3284 ``三、维护``, 3418 ``（十五）全``): a row also starts at a 总体任务 ``X、`` or at the next
  ``（N）``; its 序号 is the previous one plus one (equal to its key task, as on every other
  row) and a warning says so.
* **序号 27 is printed twice** (lines 4167 and 4274), both with ``（二十七）创新优化监管执法方式``:
  the second (市交通运输局's part) is a row of its own with the same 序号: ``loaders.cells``
  makes it row ``27-2`` (occurrence 2) with its own measures (keys ``27p2-1``…), units and
  contacts; a warning says so and validation reports it as a source defect.
* 总体任务: ``一、强化`` / ``资源要`` / ``素支持`` up to the 重点工作; merged, so it is repeated
  on every row up to the next one.
* 重点工作: ``（N）`` with N the current or next key task, then narrow lines.
* 市级目标: the first wider line.  If it starts with ``①`` the 市级细化措施 start at the next
  line that starts with ``①``; otherwise at the first one (a target may be numbered too).
  A line wider than the target column also starts the measures.
* 市级细化措施: up to a narrow line that ends the cell: one after a line ending with ``。``,
  or one that looks like a stage (``①②④``, ``2024年``, ``2023—``, ``长期实``).
* 实施阶段: narrow lines up to the first line starting with ``市`` (every 责任单位 cell does);
  ``2024年 市发改委`` (line 2812) and ``2024年 市交通运输`` (4302) share a line: split.
* 责任单位: up to a contact: the units so far end with a complete unit (``…局``, ``…中心``,
  ``…单位``) and the line is a name with its bracket (``张波（总``) or a name alone whose next
  line opens the bracket (``夏志光`` / ``（市资``, ``诸葛明`` / ``海（副部``).
* 联系人: the rest of the row.  Phones are broken over lines (``1350680`` / ``1708``);
  :mod:`loaders.people` parses them, phones go to the restricted file only.
* Page breaks inside a row: the cells already printed end on one page and the rest of the
  long cells goes on at the top of the next page, after the contacts, in column order:
  row 3's measures ⑥⑦ (line 2789), row 24's target ⑥ end (3999 ``产额合规中心…``, a
  target-wide line) and measures ③ end to ⑦ (4002 on).  A page-opening line wider than a
  contact line, after the contacts, resumes the target (target-wide) or the measures.
* Row 26 prints the first line of every cell on one line (4077:
  ``26 （二十六） ①至 2024年底…企 ①打造…服务 根据工 市委改革办、 庄启旻``): a line with three or
  more spaces between Chinese characters is split into cell heads, the following lines are
  the cells' continuations in column order (``推动政务服`` … ``（院长）661806蒋追龙…``).
* Page numbers (``23``, ``28``, ``31``) are removed by :mod:`loaders.text.document`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.cells import cn_number
from loaders.celltext import join_lines
from policykg.core.records import Backbone, RegionList
from policykg.core.regions import ATTACHMENT_REGIONS

from .document import Attachment, Document
from .engine import Piece, finish, line_pieces, raw_row
from .quzhou import text_config

REGION = ATTACHMENT_REGIONS[2]          # 附件 2
LAYOUT = "zhoushan"

ROW, GENERAL, KEY, TARGET, MEASURES, STAGE, UNITS, CONTACTS = range(8)
FIELDS = {GENERAL: "general_task", KEY: "key_task", TARGET: "target", MEASURES: "local_measure",
          STAGE: "stage", UNITS: "units", CONTACTS: "contacts"}

KEY_RE = re.compile(r"^（([一二三四五六七八九十]+)）")
GENERAL_RE = re.compile(r"^[一二三四五六七八九十]+、")
NUMBER_RE = re.compile(r"^(\d{1,2})$")
NUMBER_PREFIX_RE = re.compile(r"^(\d{1,2})\s+(（[一二三四五六七八九十]+）.*)$")
STAGE_UNIT_RE = re.compile(r"^(\d{4}年)\s+(市.*)$")
STAGE_RE = re.compile(r"^(?:[①-⑳]+|\d{4}[年—–-]|长期|根据)")
UNIT_START_RE = re.compile(r"^市")
UNIT_END_RE = re.compile(r"[局委办院部会联司心行关门位室）]$")
NAME_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
NAME_BRACKET_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}（|^联系人")
# a space between two non-ASCII characters: a cell boundary on a shared line (not an extraction space)
CELL_SPACE_RE = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


class Head(Piece):
    """One cell's first line, cut from a line that holds the first line of several cells."""


@dataclass
class Row:
    number: int | None                   # as printed (None: not printed)
    pieces: dict[int, list[Piece]] = field(default_factory=lambda: {c: [] for c in FIELDS})
    lines: list[int] = field(default_factory=list)
    key: int | None = None
    seq: int = 0                         # 序号 used (printed or inferred)
    continuation: bool = False           # second printing of the same 序号
    warnings: list[str] = field(default_factory=list)

    def text(self, column: int) -> str:
        return join_lines([p.text for p in self.pieces[column]])

    def add(self, column: int, p: Piece) -> None:
        self.pieces[column].append(p)
        self.lines.append(p.no)


def split_pieces(pieces: list[Piece]) -> list[Piece]:
    """Cut lines that hold several cells: ``4 （四）强化``, ``2024年 市发改委``, row 26's heads."""
    out: list[Piece] = []
    for p in pieces:
        m = NUMBER_PREFIX_RE.match(p.text)
        if m:
            out.append(Piece(p.no, m.group(1), p.blank_before, p.page_start))
            rest = m.group(2)
            parts = CELL_SPACE_RE.split(rest)
            if len(parts) >= 4:
                out += [Head(p.no, t.strip()) for t in parts]
            else:
                out.append(Piece(p.no, rest))
            continue
        m = STAGE_UNIT_RE.match(p.text)
        if m:
            out += [Piece(p.no, m.group(1), p.blank_before, p.page_start), Piece(p.no, m.group(2))]
            continue
        out.append(p)
    return out


class ZhoushanParser:
    def __init__(self, attachment: Attachment, config: dict | None = None) -> None:
        self.att = attachment
        cfg = config if config is not None else text_config(LAYOUT)
        self.key_max = float(cfg.get("key_task_max_width", 7))
        self.target_max = float(cfg.get("target_max_width", 19))
        self.narrow_max = float(cfg.get("narrow_max_width", 5))
        self.contact_max = float(cfg.get("contact_max_width", 8))
        self.rows: list[Row] = []
        self.warnings: list[str] = []

    # -- recognisers ------------------------------------------------------------------
    def key_number(self, p: Piece) -> int | None:
        m = KEY_RE.match(p.text)
        if not m or (p.width > self.key_max and not isinstance(p, Head)):
            return None
        return cn_number(m.group(1))

    def starts_row(self, pieces: list[Piece], i: int, state: int | None, current_key: int) -> bool:
        p = pieces[i]
        nxt = pieces[i + 1] if i + 1 < len(pieces) else None
        if NUMBER_RE.match(p.text) and nxt is not None:
            return bool(GENERAL_RE.match(nxt.text) or self.key_number(nxt) in (current_key, current_key + 1))
        if state in (ROW, GENERAL):
            return False
        if GENERAL_RE.match(p.text) and p.width <= self.narrow_max:
            return True
        k = self.key_number(p)
        return k is not None and (k == current_key + 1 or (k == current_key and state >= CONTACTS))

    def is_contact_start(self, row: Row, pieces: list[Piece], i: int) -> bool:
        units = re.sub(r"\s+", "", row.text(UNITS))
        if not units or not UNIT_END_RE.search(units):
            return False
        p = pieces[i]
        if NAME_BRACKET_RE.match(p.text):
            return True
        nxt = pieces[i + 1].text if i + 1 < len(pieces) else ""
        return bool(NAME_RE.match(p.text)) and "（" in nxt[:2]

    # -- main loop --------------------------------------------------------------------
    def parse(self) -> list[Row]:
        pieces = split_pieces(line_pieces(self.att))
        row: Row | None = None
        state: int | None = None
        cont = 0                  # column resumed after a page break (TARGET or MEASURES)
        heads = False             # row 26: cell heads printed on one line
        key = 0
        i = 0
        while i < len(pieces):
            p = pieces[i]
            if self.starts_row(pieces, i, state, key):
                row = Row(int(p.text) if NUMBER_RE.match(p.text) else None)
                self.rows.append(row)
                state, cont, heads = ROW, 0, False
                if row.number is not None:
                    row.lines.append(p.no)
                    i += 1
                    continue
            if row is None:
                self.warnings.append(f"第 {p.no} 行：第 1 行之前有多余文字 / text before row 1: {p.text}")
                i += 1
                continue
            if isinstance(p, Head):
                run = [p]
                while i + len(run) < len(pieces) and isinstance(pieces[i + len(run)], Head):
                    run.append(pieces[i + len(run)])
                columns = [KEY, TARGET, MEASURES, STAGE, UNITS, CONTACTS][-len(run):]
                for col, h in zip(columns, run, strict=True):
                    row.add(col, h)
                row.key = key = self.key_number(run[0]) or key
                state, heads = KEY, True
                i += len(run)
                continue
            state, cont = self.step(row, pieces, i, state, cont, heads)
            if state == KEY and row.key is None:
                row.key = key = self.key_number(p) or key
            i += 1
        self.finish()
        return self.rows

    def step(self, row: Row, pieces: list[Piece], i: int, state: int, cont: int, heads: bool) -> tuple[int, int]:
        """Put piece ``i`` into a cell of ``row``; return the new (state, cont)."""
        p = pieces[i]
        prev = row.pieces[state][-1].text if state in FIELDS and row.pieces[state] else ""
        if state in (ROW, GENERAL):
            if self.key_number(p) is not None:
                state = KEY
            elif state == ROW and GENERAL_RE.match(p.text):
                state = GENERAL
        elif state == KEY:
            if p.width > self.key_max:
                state = MEASURES if p.width > self.target_max else TARGET
        elif state == TARGET:
            # a numbered target (①②…) is followed by the measures' own ①
            if row.pieces[TARGET] and (p.text.startswith("①") or p.width > self.target_max):
                state = MEASURES
        elif state == MEASURES:
            if p.width <= self.narrow_max and (prev.endswith("。") or STAGE_RE.match(p.text)):
                state = STAGE
        elif state == STAGE:
            if UNIT_START_RE.match(p.text):
                state = UNITS
        elif state == UNITS:
            if self.is_contact_start(row, pieces, i) or (heads and p.text.startswith("（")
                                                         and UNIT_END_RE.search(row.text(UNITS))):
                state = CONTACTS
        elif state == CONTACTS:
            if p.page_start and p.width > self.contact_max:
                cont = TARGET if p.width <= self.target_max and row.pieces[TARGET] else MEASURES
                row.warnings.append(f"第 {p.no} 行：序号 {row.number} 续于下页 / row continues on the next page")
                state = CONTACTS + 1
        if state == CONTACTS + 1:
            if cont == TARGET and p.width > self.target_max:
                cont = MEASURES
            row.add(cont, p)
            return state, cont
        if state == ROW:
            row.warnings.append(f"第 {p.no} 行：无法归入任何列 / cannot place: {p.text}")
            row.lines.append(p.no)
            return state, cont
        row.add(state, p)
        return state, cont

    def finish(self) -> None:
        """序号 where none is printed, the repeated 27, merged 总体任务."""
        last = 0
        general: list[Piece] = []
        for row in self.rows:
            if row.number is None:
                row.seq = last + 1
                row.warnings.append(
                    f"第 {min(row.lines)} 行：序号未印出，按前一行推为 {row.seq} / 序号 not printed, taken as {row.seq}")
            elif row.number == last:
                row.seq, row.continuation = last, True
                row.warnings.append(
                    f"第 {min(row.lines)} 行：序号 {last} 重复印出，作为第二行 {last}-2 / 序号 {last} printed twice: "
                    f"loaded as a second row {last}-2")
            else:
                row.seq = row.number
                if row.number != last + 1:
                    row.warnings.append(f"序号 {row.number} 之前缺少 {last + 1} / 序号 {last + 1} missing")
            if row.key is not None and row.key != row.seq:
                row.warnings.append(f"序号 {row.seq} 的重点工作为（{row.key}） / key task {row.key} on row {row.seq}")
            last = row.seq
            if row.pieces[GENERAL]:
                general = row.pieces[GENERAL]
            else:
                row.pieces[GENERAL] = list(general)      # merged cell: repeat, lines not added
            for col in (KEY, TARGET, MEASURES, STAGE, UNITS, CONTACTS):
                if not row.pieces[col]:
                    row.warnings.append(f"序号 {row.seq}：列“{_HEADER[col]}”为空 / empty cell {_HEADER[col]}")

    def cells(self, row: Row) -> dict[str, str]:
        out = {"row": str(row.seq)}         # 27 printed twice: two rows 27 (loaders.cells: 27 and 27-2)
        out.update({name: row.text(col) for col, name in FIELDS.items()})
        return out


_HEADER = {GENERAL: "总体任务", KEY: "重点工作", TARGET: "市级目标", MEASURES: "市级细化措施", STAGE: "实施阶段",
           UNITS: "责任单位", CONTACTS: "联系人"}


def parse(attachment: Attachment) -> ZhoushanParser:
    parser = ZhoushanParser(attachment)
    parser.parse()
    return parser


def read(attachment: Attachment, backbone: Backbone | None, *, document: Document) -> RegionList:
    parser = parse(attachment)
    raws = [raw_row(document, attachment, parser.cells(row), min(row.lines), max(row.lines), row.seq)
            for row in parser.rows]
    return finish(parser, REGION, LAYOUT, raws, attachment, document, backbone)
