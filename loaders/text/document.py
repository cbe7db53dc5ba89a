"""The source text file cut into front matter and its four attachments, page furniture removed.

``read_document(path)`` keeps every line's 1-based number, so whatever a segmenter builds
can point back at the text file.  Each :class:`Attachment` holds its table's lines with the
repeated page headers and page numbers taken out (they are kept in ``removed`` for checks).

Quirks of the extracted text handled here (see also /work/shared/README.md):

* An attachment starts at a line ``附件 N``, which may carry a leading space (page start).
* Its title is the non-blank lines between ``附件 N`` and the first header line (``序`` /
  ``序号``…), joined and cleaned like a cell (``“民营经济 32条”`` -> ``“民营经济32条”``: the
  extraction's space; line 2115 prints the same words without it); the first header ends at
  the first line that is ``1`` alone (first row).
* Column headers are repeated at the top of many (not all) pages; sometimes only part of
  them (衢州 line 1469: `` 承接板块`` alone; line 1974: `` 承接板块`` + ``一级事项 二级事项
  三级事项``).  A header line is a line made only of tokens of the attachment's first header
  (split on whitespace; ``序号`` always counts).  A run of such lines (blank lines allowed
  inside) is removed when it holds at least two header tokens, or when its first line
  starts with a space (the extraction's page-start mark).
* A page-start line often begins with a space (`` 序``, `` 35``, `` 点服务前景…``); the text
  keeps it — segmenters strip lines anyway.
* Page numbers: a line of digits alone, preceded by at least two blank lines and followed
  (after blank lines) by a removed header run, or preceded by three blank lines, is a page
  footer (衢州 line 1786 ``15``, 钱塘 line 5165 ``45``, 德清 line 7499 ``60``).  Row numbers
  are preceded by at most one blank line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from loaders.celltext import join_lines
from policykg.core.errors import LoadError

ATTACHMENT_RE = re.compile(r"^\s*附件\s*([1-9])\s*$")
DIGITS_RE = re.compile(r"^\s*\d+\s*$")


@dataclass(frozen=True)
class Line:
    no: int          # 1-based line number in the text file
    text: str        # as extracted, without the line break

    @property
    def stripped(self) -> str:
        return self.text.strip()

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass
class Attachment:
    number: int                      # 附件 N
    title: str                       # printed title, PDF line breaks removed
    start: int                       # line number of "附件 N"
    end: int                         # last line number of the attachment
    header: list[Line]               # the first printed column header block
    lines: list[Line]                # table body: headers and page numbers removed
    removed: list[Line] = field(default_factory=list)   # repeated headers and page numbers

    @property
    def header_tokens(self) -> set[str]:
        return _tokens(self.header)


@dataclass
class Document:
    path: Path
    sha256: str
    lines: list[Line]                # every line of the file
    front: list[Line]                # the notice before 附件 1
    attachments: dict[int, Attachment]

    @property
    def name(self) -> str:
        return self.path.name

    def text(self, start: int, end: int) -> str:
        """The file's lines ``start``..``end`` (1-based, inclusive) joined by newlines."""
        return "\n".join(ln.text for ln in self.lines[start - 1:end])


def _tokens(lines: list[Line]) -> set[str]:
    toks = {t for ln in lines for t in ln.text.split()}
    return toks | {"序号"}


def _is_header_line(line: Line, tokens: set[str]) -> bool:
    parts = line.text.split()
    return bool(parts) and all(p in tokens for p in parts)


def _split_attachment(number: int, lines: list[Line]) -> Attachment:
    """``lines`` runs from the ``附件 N`` line to the line before the next attachment."""
    where = f"附件 {number} (line {lines[0].no})"
    i = 1
    while i < len(lines) and not lines[i].stripped.startswith("序"):
        i += 1
    if i == len(lines):
        raise LoadError("附件中找不到表头（序号）", "no table header (序号) in attachment", where=where)
    title = join_lines([ln.stripped for ln in lines[1:i]])
    j = i
    while j < len(lines) and lines[j].stripped != "1":
        j += 1
    if j == len(lines):
        raise LoadError("附件中找不到第 1 行", "no row 1 in attachment", where=where)
    header = [ln for ln in lines[i:j] if not ln.blank]
    tokens = _tokens(header)
    body = lines[j:]
    keep: list[Line] = []
    removed: list[Line] = []
    k = 0
    while k < len(body):
        ln = body[k]
        if _is_header_line(ln, tokens):
            end = k
            m = k
            while m < len(body) and (body[m].blank or _is_header_line(body[m], tokens)):
                if not body[m].blank:
                    end = m
                m += 1
            run = body[k:end + 1]
            n_tokens = sum(len(x.text.split()) for x in run)
            if n_tokens >= 2 or ln.text.startswith(" "):
                _drop_page_number(keep, removed)
                removed += [x for x in run if not x.blank]
                k = end + 1
                continue
        keep.append(ln)
        k += 1
    # page numbers not followed by a header: digits after three blank lines
    blank = {x.no for x in lines if x.blank}
    final: list[Line] = []
    for ln in keep:
        if DIGITS_RE.match(ln.text) and {ln.no - 1, ln.no - 2, ln.no - 3} <= blank:
            removed.append(ln)
            continue
        final.append(ln)
    removed.sort(key=lambda x: x.no)
    return Attachment(number=number, title=title, start=lines[0].no, end=lines[-1].no,
                      header=header, lines=final, removed=removed)


def _drop_page_number(keep: list[Line], removed: list[Line]) -> None:
    """A digits-only line just before a page header, after >= 2 blank lines, is a page number."""
    idx = len(keep) - 1
    while idx >= 0 and keep[idx].blank:
        idx -= 1
    if idx < 2 or not DIGITS_RE.match(keep[idx].text):
        return
    if keep[idx - 1].blank and keep[idx - 2].blank:
        removed.append(keep.pop(idx))


def parse_document(path: Path, data: bytes) -> Document:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError(f"来源文件不是 UTF-8 文本：{exc}", f"source is not UTF-8 text: {exc}",
                        where=str(path)) from exc
    lines = [Line(i + 1, t) for i, t in enumerate(text.splitlines())]
    starts: list[tuple[int, int]] = []           # (attachment number, index)
    for idx, ln in enumerate(lines):
        m = ATTACHMENT_RE.match(ln.text)
        if m:
            starts.append((int(m.group(1)), idx))
    if not starts:
        raise LoadError("找不到任何附件（“附件 1”）", "no attachment found (line '附件 1')", where=str(path))
    attachments: dict[int, Attachment] = {}
    for n, (number, idx) in enumerate(starts):
        stop = starts[n + 1][1] if n + 1 < len(starts) else len(lines)
        attachments[number] = _split_attachment(number, lines[idx:stop])
    return Document(path=path, sha256=hashlib.sha256(data).hexdigest(), lines=lines,
                    front=lines[:starts[0][1]], attachments=attachments)


@lru_cache(maxsize=4)
def _cached(path: str, mtime_ns: int, size: int) -> Document:
    p = Path(path)
    return parse_document(p, p.read_bytes())


def read_document(path: Path | str) -> Document:
    """Read and split the source text file (cached per path and modification time)."""
    p = Path(path)
    try:
        st = p.stat()
    except OSError as exc:
        raise LoadError(f"无法读取来源文件：{exc}", f"cannot read source file: {exc}", where=str(p)) from exc
    return _cached(str(p.resolve()), st.st_mtime_ns, st.st_size)
