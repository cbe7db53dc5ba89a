"""附件 4, 湖州市德清县: segment the table's text into rows of cells.

Columns (``loaders/mappings/deqing.toml``): 序号 | 省级重点工作 (merged) | 县级细化举措 | 服务内容
| 一级事项 | 二级事项 | 三级事项 | 承接板块.  Recognisers (widths, vocabularies) are in the TOML's
``[text]`` table.  107 rows, 序号 1–107, one service item each.

Every line of this attachment is followed by a blank line, inside cells too, so blank lines
say nothing; cells are told apart by position, width and shape:

* 序号: the next number of the sequence (:func:`loaders.text.engine.segment_rows`), alone or
  first on a line (``33 常态化推介项目…``, ``58 协助外贸…``, ``100 （三十）``).
* 省级重点工作: ``（N）`` with narrow lines (≤ 5.5 em), also broken inside its number
  (``（二十`` / ``一）支持``); merged, so repeated on the rows below it.  Row 97's cell goes on
  at the top of the next page, after the page header and before 序号 98 (lines 9019-9021
  ``态化预防`` / ``清理机制``): lines after a page break inside a row's segment continue its
  merged cells (narrow: the key task).
* 承接板块: the shortest run of last lines matching the block patterns (``政策服务`` + ``板块``,
  ``诉求（兜`` + ``底）服务`` + ``板块``, ``知识产权`` + ``服务板块``, ``各板块`` + ``（具体涉`` +
  ``及部门）``, ``综合受理`` + ``板块``).  Row 93 prints ``诉求（兜底）服务`` without ``板块``
  (kept as printed); row 44 prints ``/`` (kept as printed, with a warning; validation reports it).
* 服务事项: the short lines before the block.  They are found from the end: a short line
  without sentence punctuation, not continuing a full-width line (row 41's ``日`` after
  ``…2027年 12月 31``, row 27's ``能培训服务``).  They are grouped into labels: two lines of at
  most two characters make one label (``政策`` / ``服务``); a wider line starts a label that goes
  on until it ends with ``服务`` or a short line closes it (``纳税人诉`` / ``求`` / ``服务``,
  ``开放服`` / ``务``, ``“专精特`` / ``新”中小`` / ``企业申报`` / ``服务``); ``政策申报`` is a whole
  label on its own line (row 2: ``政策申报`` / ``税费预填`` / ``服务``; 附件 1 line 131 prints the
  same item as ``政策服务 政策申报`` + ``税费预填服务``).  **Labels fill 一级, 二级, 三级 from
  the left**: the extraction cannot tell which column a lone label sat in (row 15 ``项目服务``
  + ``节能审查服务``: 一级 + 二级; rows 102-104 ``企业宣传服务``: 一级 only; row 45 ``政策咨询`` +
  ``政府采购咨询``).  Rows 13, 17 and 77 print no 服务事项 besides the block.
* 县级细化举措 | 服务内容: the remaining lines.  The 县级细化举措 column is one em wider (22)
  than 服务内容 (21); the cut is made after a line ending a sentence or a paragraph (``。`` or a
  short line), choosing the cut where full lines fit their column best (lines ending with
  full-width punctuation, quotes and ASCII make widths noisy by about one em); ties go to the
  latest cut, and both cells must be non-empty when they can be.  Four lines print both cells
  on one line, split at ``。 `` (rows 33, 62, 85, 106).  No row prints an empty 县级细化举措,
  so no measure is merged over rows here; an empty one would repeat the row above (warning).
* Page numbers (``60``, ``62``, ``64``) and repeated headers are removed by
  :mod:`loaders.text.document`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from loaders.celltext import join_lines, width
from policykg.core.records import Backbone, RegionList
from policykg.core.regions import ATTACHMENT_REGIONS

from .document import Attachment, Document
from .engine import Piece, Segment, finish, line_pieces, raw_row, segment_rows
from .quzhou import text_config

REGION = ATTACHMENT_REGIONS[4]          # 附件 4
LAYOUT = "deqing"

KEY_RE = re.compile(r"^（[一二三四五六七八九十]+(?:）|$)")
SENTENCE_PUNCT = set("。，；：,;:！？")
CELL_SPLIT_RE = re.compile(r"(?<=。)\s+(?=\S)")
DEFAULT_BLOCKS = [r"^(?:诉求（兜底）|[^服\s（）]{2,4})服务板块(?:（具体涉及部门）)?$",
                  r"^(?:综合受理|各)板块(?:（具体涉及部门）)?$", r"^诉求（兜底）服务$", r"^/$"]


@dataclass
class Row:
    number: int
    segment: Segment
    key: list[Piece] = field(default_factory=list)
    measure: list[Piece] = field(default_factory=list)
    content: list[Piece] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    block: str = ""
    key_text: str = ""          # merged cells as they apply to this row
    measure_text: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[int]:
        return [p.no for p in self.segment.pieces]


def split_combined(pieces: list[Piece]) -> list[Piece]:
    """``常态化推介项目，并做好向国家在线平台推送。 举办国企民企协同发展项目推介会``: two cells."""
    out: list[Piece] = []
    for p in pieces:
        parts = CELL_SPLIT_RE.split(p.text)
        if len(parts) == 2 and " " not in parts[0] and parts[1][:1] not in "0123456789":
            out.append(replace(p, text=parts[0]))
            out.append(Piece(p.no, parts[1]))
        else:
            out.append(p)
    return out


def fit_width(text: str) -> float:
    """Printed width for column fitting: quotes are narrow."""
    return width(text) - 0.5 * sum(text.count(q) for q in "“”‘’")


class DeqingParser:
    def __init__(self, attachment: Attachment, config: dict | None = None) -> None:
        self.att = attachment
        cfg = config if config is not None else text_config(LAYOUT)
        self.key_max = float(cfg.get("key_task_max_width", 5.5))
        self.label_max = float(cfg.get("label_max_width", 5.5))
        self.full_min = float(cfg.get("full_line_min_width", 19.5))
        self.measure_min = float(cfg.get("measure_min_width", 21.75))
        self.blocks = [re.compile(b) for b in cfg.get("block", DEFAULT_BLOCKS)]
        self.whole_labels = set(cfg.get("whole_labels", ["政策申报"]))
        self.rows: list[Row] = []
        self.warnings: list[str] = []

    # -- main loop --------------------------------------------------------------------
    def parse(self) -> list[Row]:
        segments = segment_rows(line_pieces(self.att))
        if segments[0].pieces:
            self.warnings.append(f"第 {segments[0].pieces[0].no} 行：第 1 行之前有多余文字 / text before row 1")
        key_text = measure_text = ""
        for seg in segments[1:]:
            row = self.parse_row(seg)
            if row.key:
                key_text = join_lines([p.text for p in row.key])
            elif not key_text:
                row.warnings.append(f"序号 {row.number}：没有省级重点工作 / no key task")
            if row.measure:
                measure_text = join_lines([p.text for p in row.measure])
            else:
                row.warnings.append(f"序号 {row.number}：县级细化举措为空，沿用上一行 / 县级细化举措 empty: "
                                    "the row above's (merged cell)")
            row.key_text, row.measure_text = key_text, measure_text
            self.rows.append(row)
        # a merged key task continued on a later page belongs to every row it covers
        for row in self.rows:
            if row.key:
                row.key_text = join_lines([p.text for p in row.key])
        current = ""
        for row in self.rows:
            current = row.key_text if row.key else current
            row.key_text = current
        return self.rows

    def parse_row(self, seg: Segment) -> Row:
        row = Row(seg.row or 0, seg)
        body = seg.pieces[1:]
        # pieces after a page break inside the segment continue this row's merged cells
        cont: list[Piece] = []
        for k, p in enumerate(body):
            if p.page_start and k > 0:
                cont, body = body[k:], body[:k]
                break
        body = split_combined(body)
        i = 0
        if body and KEY_RE.match(body[0].text):
            while i < len(body) and body[i].width <= self.key_max:
                row.key.append(body[i])
                i += 1
        j = self.tail_start(body, i)
        self.split_tail(row, body[j:])
        self.split_body(row, body[i:j])
        for p in cont:
            if p.width <= self.key_max and self.rows_key_open(row):
                self.key_owner(row).key.append(p)
                row.warnings.append(f"第 {p.no} 行：省级重点工作续于下页 / key task continued on the next page")
            else:
                row.measure.append(p)
                row.warnings.append(f"第 {p.no} 行：县级细化举措续于下页 / 县级细化举措 continued on the next page")
        return row

    def key_owner(self, row: Row) -> Row:
        if row.key:
            return row
        for r in reversed(self.rows):
            if r.key:
                return r
        return row

    def rows_key_open(self, row: Row) -> bool:
        return bool(row.key) or any(r.key for r in self.rows)

    # -- 服务事项 and 承接板块 ---------------------------------------------------------------
    def is_label_line(self, body: list[Piece], k: int) -> bool:
        p = body[k]
        if p.width > self.label_max or set(p.text) & SENTENCE_PUNCT:
            return False
        if k > 0:
            prev = body[k - 1]
            if prev.width >= self.full_min - 2.5 and prev.text[-1] not in "。；":
                return False          # the wrapped end of a full line (``日`` after ``…12月 31``)
        return True

    def tail_start(self, body: list[Piece], start: int) -> int:
        j = len(body)
        while j > start and self.is_label_line(body, j - 1):
            j -= 1
        return j

    def split_tail(self, row: Row, tail: list[Piece]) -> None:
        texts = [p.text for p in tail]
        k = 0
        for size in range(1, min(6, len(texts)) + 1):
            joined = "".join(texts[-size:])
            if any(b.match(joined) for b in self.blocks):
                k = size
                row.block = joined
                break
        if not k:
            row.warnings.append(f"序号 {row.number}：未找到承接板块 / no 承接板块 found")
        if row.block == "/":
            row.warnings.append(f"序号 {row.number}：承接板块印为“/” / 承接板块 printed as '/'")
        row.labels = self.labels(texts[:len(texts) - k])
        if len(row.labels) > 3:
            row.warnings.append(f"序号 {row.number}：服务事项多于三级：{row.labels} / more than three levels")
            row.labels = row.labels[:2] + ["".join(row.labels[2:])]

    def labels(self, texts: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(texts):
            t = texts[i]
            if len(t) <= 2 and i + 1 < len(texts) and len(texts[i + 1]) <= 2:
                out.append(t + texts[i + 1])
                i += 2
                continue
            acc, i = t, i + 1
            while i < len(texts) and not acc.endswith("服务") and acc not in self.whole_labels:
                acc += texts[i]
                i += 1
            out.append(acc)
        return out

    # -- 县级细化举措 | 服务内容 ----------------------------------------------------------------
    def split_body(self, row: Row, body: list[Piece]) -> None:
        if not body:
            row.warnings.append(f"序号 {row.number}：县级细化举措和服务内容均为空 / no measure and no content")
            return
        cuts = [k + 1 for k, p in enumerate(body[:-1]) if p.text.endswith("。") or p.width < self.full_min]
        same_line = [k + 1 for k in range(len(body) - 1) if body[k].no == body[k + 1].no]
        if same_line:               # measure and content printed on one line: the cut is known
            cuts = same_line[:1]
        best: tuple[float, int] | None = None
        for b in cuts:
            cost = self.misfit(body[:b], True) + self.misfit(body[b:], False)
            if best is None or cost <= best[0]:
                best = (cost, b)
        if best is None:
            # one paragraph: its full lines say which column it is in
            if self.misfit(body, True) <= self.misfit(body, False):
                row.measure = list(body)
                row.warnings.append(f"序号 {row.number}：服务内容为空 / 服务内容 empty")
            else:
                row.content = list(body)
            return
        row.measure, row.content = list(body[:best[1]]), list(body[best[1]:])

    def misfit(self, part: list[Piece], measure: bool) -> float:
        """How badly the full lines of ``part`` fit the 县级细化举措 (``measure``) or 服务内容 column."""
        cost = 0.0
        for p in part[:-1]:
            if p.width < self.full_min:
                continue              # a paragraph's last line
            w = fit_width(p.text)
            cost += max(0.0, self.measure_min - w) if measure else max(0.0, w - self.measure_min)
        return cost

    def cells(self, row: Row) -> dict[str, str]:
        labels = row.labels + ["", "", ""]
        return {
            "row": str(row.number),
            "key_task": row.key_text,
            "local_measure": row.measure_text if not row.measure else join_lines([p.text for p in row.measure]),
            "content": join_lines([p.text for p in row.content]),
            "level1": labels[0],
            "level2": labels[1],
            "level3": labels[2],
            "block": row.block,               # row 44's "/" kept as printed (loaders.cells reports it)
        }


def parse(attachment: Attachment) -> DeqingParser:
    parser = DeqingParser(attachment)
    parser.parse()
    return parser


def read(attachment: Attachment, backbone: Backbone | None, *, document: Document) -> RegionList:
    parser = parse(attachment)
    raws = [raw_row(document, attachment, parser.cells(row), min(row.lines), max(row.lines), row.number)
            for row in parser.rows]
    return finish(parser, REGION, LAYOUT, raws, attachment, document, backbone)
