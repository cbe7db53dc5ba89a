"""附件 3, 杭州市钱塘区: segment the table's text into rows of cells.

Columns (``loaders/mappings/qiantang.toml``): 序号 | 省级重点工作 (merged) | 省级细化措施 |
一级事项 | 二级事项 | 三级事项 | 承接板块（专区） | 备注.  Recognisers are in the TOML's
``[text]`` table; widths in em (CJK 1, ASCII 0.5).

* 序号: the next number of the running sequence, alone or at the start of a line
  (``4 2.加大产业基金支持``: 序号 + key task; ``11 为我省…``: 序号 + text).
* 省级重点工作: ``N.title`` whose title, whitespace removed, starts the backbone's key task N
  (钱塘 skips key tasks: 7, 12–16 are absent); it goes on over lines while it is still a
  prefix of that title (``10.支持民营企业盘`` / ``活存量资产``; ``28.完善社会信用激`` /
  ``励约束机制`` / the first text on the same block).
* 省级细化措施: the only wide column (lines wider than ``text_min_width``).  A text goes on
  until a line ends with ``。`` — unless what is gathered is still a strict prefix of a
  backbone measure — and may have blank lines inside (``…“自动算`` / blank / ``税”等…``).
* 一级事项: printed over two lines, ``金融`` / ``服务``; the first half may end the text's
  line (``开展“绿色直播为民专项行动”。 科创``) and the second half may share its line with
  the 二级事项 (``服务 舆情处置``).
* 承接板块（专区）: the longest run of last pieces matching ``block`` (``金融板块``,
  ``纳税综合`` / ``服务专区``, ``劳动用工`` / ``综合服务`` / ``专区``); it may share a line
  with the 三级事项 (``银行信贷服务 金融板块``) or run into the next text with no space
  (``政策板块对有意愿开展…``, line 5195): such lines are split.
* 二级/三级事项: grouped by width.  The 二级 column is 4 em wide, the 三级 column 6 em: a
  cell whose first line is wider than ``level2_max_width`` is a 三级事项; a 4-em line goes on
  into the next line when that fits the 二级 column (``政策咨询`` / ``宣讲服务``), a 6-em line
  goes on into the next (``资本市场专业`` / ``培训服务、资`` …).
* 备注: always empty in this document; anything left after the block is reported.

**Rows printed without a 序号** (e.g. lines 4698–4705 after row 5, 4792–4806 after row 9,
4836–4846 after row 10): each further text of a numbered row is a sub-row of the same 序号
(a merged 序号 cell).  Its text is another provincial text of that row
(``ListRow.provincial_texts``, matched to its number; each text becomes one adopted local
measure implementing that number only, row 9: 15, 18, 20, 28); its 一级事项, when printed, is the
same as the row's and the 二级/三级/板块 cells are merged from the first sub-row, so no
second, identical service item is made; a sub-row whose service cells differ gives its own
service item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.cells import RawRow
from loaders.celltext import join_lines
from loaders.match import explain, normal
from policykg.core.records import KEY_TASKS, Backbone, RegionList
from policykg.core.regions import ATTACHMENT_REGIONS

from .document import Attachment, Document
from .engine import Piece, Segment, finish, line_pieces, segment_rows, source_ref
from .quzhou import text_config

REGION = ATTACHMENT_REGIONS[3]          # 附件 3
LAYOUT = "qiantang"

KEY_RE = re.compile(r"^(\d{1,2})\s*[.．]\s*(\S.*)$")


@dataclass
class Unit:
    """One printed (sub-)row: a provincial text and the service cells after it."""

    text: list[Piece] = field(default_factory=list)
    service: list[Piece] = field(default_factory=list)
    done: bool = False                  # the text has ended

    @property
    def pieces(self) -> list[Piece]:
        return self.text + self.service


@dataclass
class QRow:
    number: int
    segment: Segment
    key: list[Piece] = field(default_factory=list)
    key_number: int | None = None
    units: list[Unit] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class QiantangParser:
    def __init__(self, attachment: Attachment, backbone: Backbone | None, config: dict | None = None) -> None:
        self.att = attachment
        cfg = config if config is not None else text_config(LAYOUT)
        self.level1_heads = list(cfg.get("level1_heads", []))
        self.block_re = re.compile(cfg.get("block", r"^\S{2}板块$"))
        self.block_head_re = re.compile(cfg.get("block_head", r"^\S{2}板块"))
        self.level2_max = float(cfg.get("level2_max_width", 4.5))
        self.level2_full = float(cfg.get("level2_full_width", 4))
        self.level3_full = float(cfg.get("level3_full_width", 5.5))
        self.text_min = float(cfg.get("text_min_width", 8))
        self.titles = {k.number: normal(k.title) for k in backbone.key_tasks} if backbone else {}
        self.measures = [normal(m.text) for m in backbone.measures] if backbone else []
        self.key_number = 0
        self.key_pieces: list[Piece] = []
        self.rows: list[QRow] = []
        self.warnings: list[str] = []

    # -- splitting lines ---------------------------------------------------------------
    def split(self, pieces: list[Piece]) -> list[Piece]:
        out: list[Piece] = []
        for p in pieces:
            toks = p.text.split(" ")
            m = self.block_head_re.match(p.text)
            if m and p.width - len(m.group()) >= self.text_min:       # "政策板块对有意愿开展…"
                out += [Piece(p.no, m.group(), p.blank_before, p.page_start), Piece(p.no, p.text[m.end():].strip())]
            elif len(toks) > 1 and toks[-1] in self.level1_heads and toks[-2].endswith("。"):
                out += [Piece(p.no, " ".join(toks[:-1]), p.blank_before, p.page_start), Piece(p.no, toks[-1])]
            elif len(toks) > 1 and all(Piece(0, t).width <= 7 for t in toks) and not any(c.isdigit() for c in p.text):
                out += [Piece(p.no, toks[0], p.blank_before, p.page_start)] + [Piece(p.no, t) for t in toks[1:]]
            else:
                out.append(p)
        return out

    # -- recognisers ------------------------------------------------------------------
    def key_start(self, p: Piece) -> int | None:
        m = KEY_RE.match(p.text)
        if not m:
            return None
        n = int(m.group(1))
        if n <= self.key_number or n > KEY_TASKS:
            return None
        if self.titles:
            return n if self.titles.get(n, "").startswith(normal(m.group(2))) else None
        return n if p.width <= self.text_min + 1.5 else None

    def key_goes_on(self, p: Piece) -> bool:
        """``p`` continues the key task cell: with it, the cell is still a prefix of the title
        (钱塘 may print a shortened title: ``11.加大政府采购对中小微企业支持`` without 力度)."""
        if not self.titles:
            return False
        got = normal(KEY_RE.sub(r"\2", join_lines([x.text for x in self.key_pieces]), count=1))
        title = self.titles.get(self.key_number, "")
        return got != title and title.startswith(got + normal(p.text))

    def is_level1(self, pieces: list[Piece], i: int) -> bool:
        p = pieces[i]
        if p.text in self.level1_heads:
            return i + 1 < len(pieces) and pieces[i + 1].text.startswith("服务")
        return any(p.text == h + "服务" for h in self.level1_heads)

    def text_open(self, unit: Unit) -> bool:
        if not unit.text:
            return False
        if not unit.text[-1].text.endswith("。"):
            return True
        got = normal(join_lines([p.text for p in unit.text]))
        return any(m.startswith(got) and m != got for m in self.measures)

    # -- main loop --------------------------------------------------------------------
    def parse(self) -> list[QRow]:
        segments = segment_rows(self.split(line_pieces(self.att)))
        if segments[0].pieces:
            self.warnings.append(f"第 {segments[0].pieces[0].no} 行：第 1 行之前有多余文字 / text before row 1")
        for seg in segments[1:]:
            self.rows.append(self.parse_row(seg))
        return self.rows

    def parse_row(self, seg: Segment) -> QRow:
        row = QRow(seg.row or 0, seg)
        body = seg.pieces[1:]
        unit: Unit | None = None
        in_key = False
        i = 0
        while i < len(body):
            p = body[i]
            k = self.key_start(p) if unit is None else None
            if k is not None:
                self.key_number, self.key_pieces = k, [p]
                row.key, in_key = self.key_pieces, True
            elif in_key and self.key_goes_on(p):
                self.key_pieces.append(p)
            elif unit is not None and not unit.done and not unit.service and self.text_open(unit) \
                    and not self.is_level1(body, i):
                unit.text.append(p)
            elif p.width >= self.text_min and not self.is_level1(body, i):
                in_key = False
                if unit is not None:
                    unit.done = True
                unit = Unit([p])
                row.units.append(unit)
            elif unit is None:
                in_key = False
                row.warnings.append(f"第 {p.no} 行：无法归入任何列：{p.text} / piece fits no column")
            else:
                unit.done = True
                unit.service.append(p)
            i += 1
        row.key_number = self.key_number or None
        if not row.key and self.key_pieces:
            row.key = self.key_pieces
        if not row.units:
            row.warnings.append(f"序号 {row.number}：没有省级细化措施 / no provincial text")
        return row

    # -- cells ------------------------------------------------------------------------
    def split_service(self, pieces: list[Piece], where: str, warnings: list[str]) -> dict[str, str]:
        """Service pieces -> level1/level2/level3/block; problems go to ``warnings``."""
        if not pieces:
            return {}
        used = 0
        level1 = ""
        if pieces[0].text in self.level1_heads and len(pieces) > 1 and pieces[1].text.startswith("服务"):
            level1 = pieces[0].text + "服务"
            rest_of_line = pieces[1].text[2:].strip()
            used = 2
            rest = ([Piece(pieces[1].no, rest_of_line)] if rest_of_line else []) + pieces[used:]
        elif pieces[0].text.endswith("服务") and pieces[0].text[:-2] in self.level1_heads:
            level1, rest = pieces[0].text, pieces[1:]
        else:
            warnings.append(f"{where}：未找到一级事项 / no 一级事项: {pieces[0].text}")
            rest = pieces
        block, k = "", 0
        for size in range(1, min(3, len(rest)) + 1):      # shortest: "涉税诉求 / 服务 / 纳税综合 / 服务专区"
            joined = "".join(p.text for p in rest[-size:])
            if self.block_re.match(joined):
                block, k = joined, size
                break
        middle = rest[:len(rest) - k] if k else rest
        cells: list[tuple[str, list[Piece]]] = []       # (column, pieces)
        for p in middle:
            if cells:
                col, ps = cells[-1]
                last = ps[-1].width
                if col == "level2" and last >= self.level2_full and p.width <= self.level2_max:
                    ps.append(p)
                    continue
                if col == "level3" and last >= self.level3_full:
                    ps.append(p)
                    continue
            if not cells and p.width <= self.level2_max:
                cells.append(("level2", [p]))
            else:
                cells.append(("level3", [p]))
        out = {"level1": level1, "level2": "", "level3": "", "block": block}
        for col, ps in cells:
            text = join_lines([p.text for p in ps])
            if out[col]:
                warnings.append(f"{where}：{col} 多于一格：{out[col]} / {text}")
                out[col] += text
            else:
                out[col] = text
        if not block:
            warnings.append(f"{where}：未找到承接板块 / no 承接板块 found")
        return out

    def raw_rows(self, document: Document) -> list[RawRow]:
        raws: list[RawRow] = []
        for row in self.rows:
            key = join_lines([p.text for p in row.key])
            first_item: dict[str, str] = {}
            for j, unit in enumerate(row.units):
                where = f"附件{self.att.number} 序号 {row.number}" + (f" 第{j + 1}段" if j else "")
                problems: list[str] = []
                item = self.split_service(unit.service, where, problems)
                if j == 0:
                    first_item = item
                elif item and not (item["level2"] or item["level3"] or item["block"]) \
                        and item["level1"] in ("", first_item.get("level1", "")):
                    item, problems = {}, []   # merged cells: the same service item as the row's first
                row.warnings += problems
                cells = {"row": str(row.number) if j == 0 else "", "key_task": key,
                         "provincial_texts": join_lines([p.text for p in unit.text]),
                         "level1": "", "level2": "", "level3": "", "block": "", "remark": ""}
                cells.update(item)
                pieces = unit.pieces
                start = row.segment.line_start if j == 0 else pieces[0].no
                src = source_ref(document, self.att, start, pieces[-1].no if pieces else start)
                raws.append(RawRow(cells=cells, source=src, where=where))
        return raws


def parse(attachment: Attachment, backbone: Backbone | None) -> QiantangParser:
    parser = QiantangParser(attachment, backbone)
    parser.parse()
    return parser


def read(attachment: Attachment, backbone: Backbone | None, *, document: Document) -> RegionList:
    parser = parse(attachment, backbone)
    rl = finish(parser, REGION, LAYOUT, parser.raw_rows(document), attachment, document, backbone)
    if backbone is not None:
        rl.unmatched = [(n, text, explain(text, backbone)) for n, text, _ in rl.unmatched]
    return rl
