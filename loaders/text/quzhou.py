"""附件 1, 衢州市: segment the table's text into rows of cells.

Columns (``loaders/mappings/quzhou.toml``): 序号 | 省级重点工作 (merged) | 省级细化措施 (merged)
| 市级落实细则 (merged) | 服务内容 | 一级事项 | 二级事项 | 三级事项 | 承接板块.

How each cell is recognised (vocabularies and widths are in the TOML's ``[text]`` table):

* 序号: the next number of the running sequence, alone or at the start of a line
  (``57 为企业提供…``, ``79 66.到 2025 年底…``, ``18 （四）强化用``).
* 省级重点工作: starts with ``（N）`` where N is the current or next key task (27 is printed
  twice, rows 77 and 80, over two 省级细化措施 cells); goes on, narrow, up to the first measure.
* 省级细化措施: ``P.`` where P is the next of the running provincial numbers 1…146 — right
  after a key task, inside a measure cell, or on a line wider than the 市级落实细则 column.
  A measure goes on to the end of its blank-line-delimited block; across a page break its
  rest is printed at the top of the next page, before that page's first row (measure 8 at
  line 354, 15 at 635, 29 at 782, 87 at 1646, 115 at 2096): a page-top piece that starts
  the next measure, or continues one not yet ended by ``。``, goes back to the merged cell.
* 市级落实细则: ``C.`` with another number (rules are numbered on their own and reused:
  rule 2 appears for key tasks 2 and 9; rule 13 at row 22 clashes with provincial 13, which
  only a new key task can start).  Ends at the end of its block.
* 服务内容: the text after the rule, up to the 一级事项.
* 一级事项: a word of the ``level1`` vocabulary (``政策服务``, ``诉求服务`` …, and
  ``企业宣传服务`` printed over two lines), possibly at the end of the 服务内容 line
  (``为企业提供诉求办理服务。 诉求服务``).
* 承接板块: the longest run of last pieces matching ``block`` (``金融服务`` + ``板块``,
  ``诉求（兜`` + ``底）服务`` + ``板块``; rows 58–61, 75–86 print ``诉求（兜底）服务`` without
  ``板块`` — kept as printed).
* 二级/三级事项: cells on the 一级事项 line (``政策服务 政策推送``) are single-line cells;
  the other pieces are grouped by width: a line as wide as the column (``税费优惠政``) goes
  on, a shorter one ends the cell — blank lines inside a cell do not matter (``税费预填服`` /
  blank / ``务``).  Two cells: 二级, 三级.  **One cell alone is taken as 二级事项**: the
  extraction cannot tell a lone two-line cell's column (``人才服务`` / ``职称评审权下放服务``).

Rows with no service cells at all (70, 71, 73, 80, 92, 93) are kept with empty cells.

Other quirks met here:

* a 市级落实细则 number may be glued to a year: ``31.2023年至 2025年…`` (rows 43, 59, 66) is
  rule 31, not ``31.2`` — ``NUMBER_RE`` allows a digit after the dot only before ``NNNN年``;
* rules are reused across key tasks (rule 2 for rows 4–11 and 39–41) and merged over rows
  (rule 1 over rows 1–3, rule 44 over 56–57); a row that prints a new key task without a rule
  has none (row 93), it does not inherit the previous key task's rule;
* a row's SourceRef spans its segment, from its 序号 line to the last line before the next
  序号, so it also covers merged-cell text printed there (row 13: lines 325–369 include the
  end of measure 8 and measures 9–11 at the top of the next page);
* ``（M0）`` in the 服务内容 but ``（Mb）`` in the 三级事项 of row 13: kept as printed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

from loaders.cells import cn_number
from loaders.celltext import join_lines
from loaders.layouts import get as get_layout
from policykg.core.errors import LoadError
from policykg.core.records import Backbone, RegionList
from policykg.core.regions import ATTACHMENT_REGIONS

from .document import Attachment, Document
from .engine import Piece, Segment, finish, line_pieces, raw_row, segment_rows

REGION = ATTACHMENT_REGIONS[1]          # 附件 1
LAYOUT = "quzhou"

KEY_TASK_RE = re.compile(r"^（([一二三四五六七八九十]+)）")
NUMBER_RE = re.compile(r"^(\d{1,3})[.．](?:(?=\d{4}\s*年)|(?!\d))")   # "31.2023年…" is rule 31

# column pointer
ROW, KEY, PROV, RULE, CONTENT, SERVICE = range(6)


def text_config(layout_id: str) -> dict:
    """The ``[text]`` table of a layout's TOML file (recognisers for the text loader)."""
    path = get_layout(layout_id).path
    return tomllib.loads(path.read_text(encoding="utf-8")).get("text", {})


@dataclass
class Cell:
    pieces: list[Piece] = field(default_factory=list)

    @property
    def text(self) -> str:
        return join_lines([p.text for p in self.pieces])


@dataclass
class KeyCell(Cell):
    number: int = 0


@dataclass
class Measure:
    number: int
    key_task: int
    pieces: list[Piece] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Full text without its number."""
        return NUMBER_RE.sub("", join_lines([p.text for p in self.pieces]), count=1)

    @property
    def finished(self) -> bool:
        return bool(self.pieces) and self.pieces[-1].text.endswith("。")


@dataclass
class ProvCell:
    measures: list[Measure] = field(default_factory=list)

    @property
    def numbers(self) -> list[int]:
        return [m.number for m in self.measures]

    @property
    def text(self) -> str:
        return "".join(f"{m.number}.{m.text}" for m in self.measures)


@dataclass
class Row:
    number: int
    segment: Segment
    key: KeyCell | None = None
    prov: ProvCell | None = None
    rule: Cell | None = None
    content: Cell = field(default_factory=Cell)
    service: list[Piece] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class QuzhouParser:
    def __init__(self, attachment: Attachment, config: dict | None = None) -> None:
        self.att = attachment
        cfg = config if config is not None else text_config(LAYOUT)
        self.level1 = [w for w in cfg.get("level1", [])]
        self.block_re = re.compile(cfg.get("block", r"^\S{2,8}板块$"))
        self.level_full = float(cfg.get("level_full_width", 4.75))
        self.prov_min = float(cfg.get("provincial_min_width", 16.75))
        self.key_max = float(cfg.get("key_task_max_width", 6.75))
        self.key: KeyCell | None = None
        self.prov: ProvCell | None = None
        self.rule: Cell | None = None
        self.p_next = 1
        self.measures: list[Measure] = []
        self.key_cells: list[KeyCell] = []
        self.rows: list[Row] = []
        self.warnings: list[str] = []

    # -- recognisers ------------------------------------------------------------------
    def key_start(self, p: Piece) -> int | None:
        m = KEY_TASK_RE.match(p.text)
        if not m:
            return None
        n = cn_number(m.group(1))
        current = self.key.number if self.key else 0
        return n if n in (current, current + 1) else None

    def number(self, p: Piece) -> int | None:
        m = NUMBER_RE.match(p.text)
        return int(m.group(1)) if m else None

    def is_level1(self, pieces: list[Piece], i: int) -> int:
        """How many pieces from ``i`` make a 一级事项 word (0 if none)."""
        if pieces[i].text in self.level1:
            return 1
        if i + 1 < len(pieces) and pieces[i].text + pieces[i + 1].text in self.level1:
            return 2
        return 0

    # -- splitting lines into pieces ------------------------------------------------
    def split_pieces(self, pieces: list[Piece]) -> list[Piece]:
        """``政策服务 政策推送`` -> two pieces; ``…服务。 诉求服务`` -> content + 一级事项."""
        out: list[Piece] = []
        for p in pieces:
            toks = p.text.split(" ")
            if len(toks) > 1 and toks[0] in self.level1 and all(len(t) <= 8 for t in toks):
                out.append(Piece(p.no, toks[0], p.blank_before, p.page_start))
                out += [SameLine(p.no, t) for t in toks[1:] if t]
                continue
            if len(toks) > 1 and toks[-1] in self.level1 and len("".join(toks[:-1])) > 8:
                out.append(Piece(p.no, " ".join(toks[:-1]), p.blank_before, p.page_start))
                out.append(Piece(p.no, toks[-1]))
                continue
            out.append(p)
        return out

    # -- main loop --------------------------------------------------------------------
    def parse(self) -> list[Row]:
        pieces = self.split_pieces(line_pieces(self.att))
        segments = segment_rows(pieces)
        if segments[0].pieces:
            self.warnings.append(f"第 {segments[0].pieces[0].no} 行：第 1 行之前有多余文字 / text before row 1")
        for seg in segments[1:]:
            self.rows.append(self.parse_row(seg))
        for row in self.rows:         # after the whole table: merged cells may go on pages later
            self.fill_cells(row)
        return self.rows

    def parse_row(self, seg: Segment) -> Row:
        row = Row(seg.row or 0, seg)
        pointer = ROW
        saved = ROW
        page_mode = False
        current: Measure | None = None
        new_key = False
        body = seg.pieces[1:]
        i = 0
        while i < len(body):
            p = body[i]
            if p.page_start:
                page_mode, saved, pointer = True, max(pointer, saved), ROW
            n = self.number(p)
            k = self.key_start(p)
            if k is not None and not page_mode and pointer <= KEY:
                self.key = KeyCell([p], number=k)
                self.key_cells.append(self.key)
                self.prov = None
                row.key = self.key
                new_key = True
                pointer = KEY
            elif pointer == KEY and n != self.p_next:
                self.key.pieces.append(p)
            elif n == self.p_next and (pointer in (KEY, PROV) or page_mode or p.width > self.prov_min):
                if pointer == KEY:
                    self.prov = ProvCell()
                    row.prov = self.prov
                elif self.prov is None:
                    raise LoadError("省级细化措施之前没有省级重点工作", "provincial measure before any key task",
                                    where=f"第 {p.no} 行 / line {p.no}")
                elif not page_mode and pointer != PROV:
                    row.warnings.append(f"第 {p.no} 行：省级细化措施 {n} 续于非页首 / measure {n} resumed mid-page")
                current = Measure(n, self.key.number, [p])
                self.prov.measures.append(current)
                self.measures.append(current)
                self.p_next += 1
                pointer = PROV
            elif pointer == PROV and current is not None and not p.blank_before:
                current.pieces.append(p)
            elif page_mode and pointer == ROW and self.measures and (
                    not self.measures[-1].finished or p.width > self.prov_min):
                current = self.measures[-1]
                current.pieces.append(p)
                pointer = PROV
            elif n is not None and pointer < CONTENT and not page_mode:
                self.rule = Cell([p])
                row.rule = self.rule
                pointer = RULE
            elif pointer == RULE and not p.blank_before:
                self.rule.pieces.append(p)
            else:
                if page_mode:
                    pointer = max(saved, pointer)
                    page_mode = False
                used = self.is_level1(body, i) if pointer < SERVICE else 0
                if used:
                    row.service += body[i:i + used]
                    i += used
                    pointer = SERVICE
                    continue
                if pointer == SERVICE:
                    row.service.append(p)
                else:
                    if pointer == CONTENT and p.blank_before:
                        row.warnings.append(f"第 {p.no} 行：服务内容中有空行 / blank line inside 服务内容")
                    row.content.pieces.append(p)
                    pointer = CONTENT
            i += 1
        row.key = row.key or self.key
        row.prov = row.prov or self.prov
        if row.rule is None and new_key:
            self.rule = None      # a new key task starts new merged cells
        row.rule = row.rule or self.rule
        return row

    # -- cells ------------------------------------------------------------------------
    def split_service(self, row: Row) -> tuple[str, str, str, str]:
        pieces = row.service
        if not pieces:
            return "", "", "", ""
        used = self.is_level1(pieces, 0)
        level1 = "".join(p.text for p in pieces[:used])
        rest = pieces[used:]
        block, k = "", 0
        for size in range(min(4, len(rest)), 0, -1):
            joined = "".join(p.text for p in rest[-size:])
            if self.block_re.match(joined):
                block, k = joined, size
                break
        middle = rest[:len(rest) - k] if k else rest
        cells: list[list[Piece]] = []
        for p in middle:
            if isinstance(p, SameLine):
                cells.append([p])
            elif cells and not isinstance(cells[-1][-1], SameLine) and cells[-1][-1].width >= self.level_full:
                cells[-1].append(p)
            else:
                cells.append([p])
        texts = [join_lines([p.text for p in c]) for c in cells]
        if not block:
            row.warnings.append(f"序号 {row.number}：未找到承接板块 / no 承接板块 found")
        if len(texts) > 2:
            row.warnings.append(f"序号 {row.number}：服务事项多于三级：{texts} / more than three levels")
            texts = [texts[0], "".join(texts[1:])]
        level2 = texts[0] if texts else ""
        level3 = texts[1] if len(texts) > 1 else ""
        return level1, level2, level3, block

    def fill_cells(self, row: Row) -> None:
        level1, level2, level3, block = self.split_service(row)
        row.cells = {
            "row": str(row.number),
            "key_task": row.key.text if row.key else "",
            "provincial_measures": row.prov.text if row.prov else "",
            "local_measure": row.rule.text if row.rule else "",
            "content": row.content.text,
            "level1": level1,
            "level2": level2,
            "level3": level3,
            "block": block,
        }


class SameLine(Piece):
    """A piece printed on the same line as the 一级事项: a whole single-line cell."""


def parse(attachment: Attachment) -> QuzhouParser:
    parser = QuzhouParser(attachment)
    parser.parse()
    return parser


def read(attachment: Attachment, backbone: Backbone | None, *, document: Document) -> RegionList:
    parser = parse(attachment)
    # merged cells may be printed pages later; their numbers are known exactly here
    raws = [raw_row(document, attachment, dict(row.cells), row.segment.line_start, row.segment.line_end, row.number)
            for row in parser.rows]
    return finish(parser, REGION, LAYOUT, raws, attachment, document, backbone)
