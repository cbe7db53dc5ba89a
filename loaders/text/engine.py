"""Pieces and row segments: the layout-independent first steps of reading a table's text.

A *piece* is a non-blank line, or part of one: the extraction joins cells that share a
baseline (``57 为企业提供…``: 序号 + 服务内容; ``政策服务 政策推送``: two 服务事项 cells), so
segmenters split such lines into pieces.  Every piece keeps its line number, whether a blank
line preceded it (cells are *usually* separated by blank lines) and whether it opens a page
(the first line after a removed page header, or a line the extraction began with a space).

:func:`segment_rows` cuts the pieces at the 序号 cells, which run 1, 2, 3 … : a piece is a
序号 only if it is the next number of that sequence (so ``2000`` or ``50 元补助`` inside a
text never start a row).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from loaders.cells import RawRow, region_list
from loaders.celltext import width
from policykg.core.records import Backbone, RegionList, SourceRef

from .document import Attachment, Document, Line

# units that may follow a number at the start of a text line ("50 元补助", "20 万人次")
UNIT_AFTER_NUMBER = tuple("元万亿个家年月日亩%％平千百人场期名件项次户倍条")
ROW_PREFIX = re.compile(r"^(\d{1,3})(?:\s+(.*))?$")


@dataclass(frozen=True)
class Piece:
    no: int                  # line number in the text file
    text: str                # stripped text of this piece
    blank_before: bool = False
    page_start: bool = False

    @property
    def width(self) -> float:
        return width(self.text)


@dataclass
class Segment:
    """The pieces between two 序号 cells; ``row`` is None for text before the first row."""

    row: int | None
    pieces: list[Piece] = field(default_factory=list)

    @property
    def line_start(self) -> int | None:
        return self.pieces[0].no if self.pieces else None

    @property
    def line_end(self) -> int | None:
        return self.pieces[-1].no if self.pieces else None


def line_pieces(attachment: Attachment) -> list[Piece]:
    """One piece per non-blank line, flagged ``blank_before`` and ``page_start``."""
    removed = sorted(x.no for x in attachment.removed)
    out: list[Piece] = []
    prev: Line | None = None
    blank = False
    ri = 0
    for ln in attachment.lines:
        if ln.blank:
            blank = True
            continue
        after_removed = False
        while ri < len(removed) and removed[ri] < ln.no:
            if prev is None or removed[ri] > prev.no:
                after_removed = True
            ri += 1
        page_start = ln.text.startswith(" ") or after_removed
        out.append(Piece(ln.no, ln.text.strip(), blank_before=blank, page_start=page_start))
        prev = ln
        blank = False
    return out


def split_row_number(piece: Piece, expected: int) -> tuple[int, Piece | None] | None:
    """``"57 为企业提供…"`` -> (57, piece "为企业提供…") when 57 is the expected 序号."""
    m = ROW_PREFIX.match(piece.text)
    if not m or int(m.group(1)) != expected:
        return None
    rest = m.group(2)
    if rest and rest.startswith(UNIT_AFTER_NUMBER):
        return None
    tail = replace(piece, text=rest.strip(), blank_before=False, page_start=False) if rest else None
    return expected, tail


def segment_rows(pieces: list[Piece], first: int = 1) -> list[Segment]:
    """Cut at 序号 cells that continue the sequence ``first``, ``first + 1`` …"""
    segments = [Segment(None)]
    expected = first
    for p in pieces:
        hit = split_row_number(p, expected)
        if hit is None:
            segments[-1].pieces.append(p)
            continue
        n, tail = hit
        seg = Segment(n, [replace(p, text=str(n))])
        if tail is not None:
            seg.pieces.append(tail)
        segments.append(seg)
        expected += 1
    return segments


def source_ref(document: Document, attachment: Attachment, start: int | None, end: int | None) -> SourceRef:
    return SourceRef(document=Path(document.path).name, sha256=document.sha256, attachment=attachment.number,
                     line_start=start, line_end=end)


def raw_row(document: Document, attachment: Attachment, cells: dict[str, str], start: int, end: int,
            number: int | str) -> RawRow:
    """One segmented row, with its line range, ready for :func:`loaders.cells.build_rows`."""
    return RawRow(cells=cells, source=source_ref(document, attachment, start, end),
                  where=f"附件{attachment.number} 序号 {number}")


def finish(parser, region: str, layout: str, raws: list[RawRow], attachment: Attachment, document: Document,
           backbone: Backbone | None) -> RegionList:
    """Raw rows -> the region's list, with the segmenter's warnings ahead of the cells' ones."""
    rl = region_list(region, layout, raws, source_ref(document, attachment, attachment.start, attachment.end),
                     title=attachment.title, backbone=backbone)
    rl.warnings = parser.warnings + [w for r in parser.rows for w in r.warnings] + rl.warnings
    return rl
