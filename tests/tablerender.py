"""Render a region's table (:class:`loaders.export.Table`) the way regions really send it.

The original PDFs do not exist, so the PDF tests make realistic ones:

* :func:`to_styled_xlsx` — the attachment line, the title, the real two-level header
  (服务事项 over 一级/二级/三级事项, other headers merged over both rows), merged cells for
  the 序号 of a row with several service items and for runs of equal values in the layout's
  merged columns, row heights for the wrapped text, landscape A4, the header repeated on
  every page (print titles), page numbers in the footer, and page breaks chosen here so
  that no merged cell is cut without its text fitting above the cut (a merged cell's text
  is printed once, on its first page; the part on the next page is an empty box);
* :func:`xlsx_to_pdf` — LibreOffice headless (``soffice --convert-to pdf``);
* :func:`to_reportlab_pdf` — drawn line by line with reportlab on portrait pages turned by
  ``/Rotate 90`` (landscape when shown), with one row cut by a page break whose cells go on
  after the next page's header, a merged cell crossing a page, and ``- N -`` page numbers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from loaders.export import ROW_FIELDS, Table
from loaders.layouts import get as get_layout

FONT_PT = 8.0
LINE_PT = 11.0
PAD_PT = 5.0
PAGE_W, PAGE_H = 842.0, 595.0           # A4 landscape, points
CONTENT_W = 760.0
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"     # symbols STSong-Light lacks (• ▪)


@dataclass
class Sheet:
    """The table laid out: texts per printed row and column, merges, heights, pages."""

    table: Table
    fields: list[str]
    headers: list[str]
    groups: list[str]                                # header group per column ('' = none)
    widths: list[float]                              # points
    cells: list[list[str]]                           # printed rows x columns
    group_of: list[int]                              # printed row -> index of its 序号 group
    runs: dict[int, list[tuple[int, int]]] = field(default_factory=dict)   # col -> [(first, last)]
    heights: list[float] = field(default_factory=list)
    pages: list[tuple[int, int]] = field(default_factory=list)            # [(first, last)] rows
    split_at: tuple[int, int] | None = None          # reportlab: (page index, first row after the cut)
    lines: list[list[list[str]]] = field(default_factory=list)              # wrapped text per cell
    sizes: list[list[float]] = field(default_factory=list)                  # font size per cell
    factor: float = 1.0                              # line height margin for the renderer's fonts
    repeats: set[tuple[int, int]] = field(default_factory=set)   # merged text printed again after a break

    def text_h(self, i: int, j: int) -> float:
        """Height the text of cell (i, j) needs, padding included."""
        return len(self.lines[i][j]) * LINE_PT * self.sizes[i][j] / FONT_PT * self.factor + 2 * PAD_PT

    def run_at(self, col: int, row: int) -> tuple[int, int] | None:
        for a, b in self.runs.get(col, []):
            if a <= row <= b:
                return a, b
        return None


def char_width(ch: str) -> float:
    """In em: ASCII about 0.6, everything else (CJK, full-width punctuation, “”) a full em."""
    return 0.6 if ord(ch) < 0x80 else 1.0


def wrap(text: str, width_pt: float, font_pt: float = FONT_PT) -> list[str]:
    """Greedy wrap by estimated glyph widths (CJK 1 em, ASCII 0.55 em)."""
    avail = max(font_pt, width_pt - 2 * PAD_PT)
    lines, cur, w = [], "", 0.0
    for ch in text.replace("\n", ""):
        cw = char_width(ch) * font_pt
        if w + cw > avail and cur:
            lines.append(cur)
            cur, w = "", 0.0
        cur += ch
        w += cw
    if cur:
        lines.append(cur)
    return lines


def _widths(fields: list[str], headers: list[str], rows: list[list[str]]) -> list[float]:
    """Short columns get their text on one line (up to 8 characters); long ones share the rest."""
    def span(text: str) -> float:
        return sum(char_width(ch) for ch in text) * FONT_PT + 2 * PAD_PT + 2

    need, weights = [], []
    for j, f in enumerate(fields):
        lengths = sorted(span(r[j]) for r in rows) or [0.0]
        typical = lengths[int(len(lengths) * 0.9)] if lengths else 0.0
        head = span(headers[j][:4]) if f != "row" else span("序号")
        need.append(max(head, min(typical, 8 * FONT_PT + 2 * PAD_PT + 2)))
        weights.append(max(0.0, typical - need[-1]) ** 0.6)
    rest = CONTENT_W - sum(need)
    total = sum(weights) or 1.0
    return [n + rest * w / total for n, w in zip(need, weights, strict=True)]


def layout_sheet(table: Table, *, budget_first: float = 380.0, budget: float = 430.0,
                 height_factor: float = 1.0) -> Sheet:
    layout = get_layout(table.layout)
    fields = [c.field for c in layout.columns]
    merged = {c.field for c in layout.columns if c.merged}
    cells, group_of = [], []
    for g, group in enumerate(table.groups):
        for sub in group:
            cells.append([sub.get(f, "") for f in fields])
            group_of.append(g)
    sheet = Sheet(table, fields, layout.headers, [c.group for c in layout.columns], _widths(fields, layout.headers, cells),
                  cells, group_of)
    # merges: 序号 and row-level cells over a group's sub-rows; merged columns over equal runs
    for j, f in enumerate(fields):
        runs, start = [], 0
        for i in range(1, len(cells) + 1):
            same = (i < len(cells) and cells[i][j] == cells[start][j] and cells[start][j] != ""
                    and (group_of[i] == group_of[start] if f not in merged else True)
                    and (f in merged or f in ROW_FIELDS))
            if f == "row" and i < len(cells):
                same = group_of[i] == group_of[start]
            if not same:
                if i - 1 > start:
                    runs.append((start, i - 1))
                start = i
        sheet.runs[j] = runs
    # wrapped text; a cell taller than a page gets a smaller font
    sheet.factor = height_factor
    sheet.sizes = [[FONT_PT] * len(fields) for _ in cells]
    sheet.lines = [[wrap(c, sheet.widths[j]) for j, c in enumerate(row)] for row in cells]
    limit = 0.8 * min(budget_first, budget)
    for i, row in enumerate(cells):
        for j, text in enumerate(row):
            while sheet.text_h(i, j) > limit and sheet.sizes[i][j] > 3.5:
                sheet.sizes[i][j] -= 0.5
                sheet.lines[i][j] = wrap(text, sheet.widths[j], sheet.sizes[i][j])
    heights = []
    for i in range(len(cells)):
        single = [sheet.text_h(i, j) for j in range(len(fields)) if sheet.run_at(j, i) is None]
        heights.append(max(single + [LINE_PT * height_factor + 2 * PAD_PT]))
    for j in range(len(fields)):
        for a, b in sheet.runs[j]:
            need = sheet.text_h(a, j)
            have = sum(heights[a:b + 1])
            if have < need:
                extra = (need - have) / (b - a + 1)
                for i in range(a, b + 1):
                    heights[i] += extra
    sheet.heights = heights
    sheet.pages = _paginate(sheet, budget_first, budget)
    _repeat_single_parts(sheet)
    return sheet


def _repeat_single_parts(sheet: Sheet) -> None:
    """A merged cell whose part after a page break is one row: print its text there again
    (in a smaller font if need be), as an empty box there would read as an empty cell."""
    starts = {p0 for p0, _ in sheet.pages}
    for j, runs in sheet.runs.items():
        if sheet.fields[j] == "row":
            continue
        for a, b in runs:
            for s in sorted(starts):
                if a < s <= b and (s == b or s + 1 in starts):
                    text = sheet.cells[s][j]
                    size = FONT_PT
                    sheet.lines[s][j] = wrap(text, sheet.widths[j], size)
                    sheet.sizes[s][j] = size
                    while sheet.text_h(s, j) > sheet.heights[s] and size > 3.0:
                        size -= 0.5
                        sheet.sizes[s][j] = size
                        sheet.lines[s][j] = wrap(text, sheet.widths[j], size)
                    sheet.repeats.add((s, j))


def _paginate(sheet: Sheet, budget_first: float, budget: float) -> list[tuple[int, int]]:
    """Break between 序号 groups; never cut a merged cell whose text does not fit above the cut."""
    n = len(sheet.cells)
    forced: set[int] = set()
    for _ in range(200):
        pages, start, used, cap = [], 0, 0.0, budget_first
        i = 0
        while i < n:
            g = sheet.group_of[i]
            end = i
            while end + 1 < n and sheet.group_of[end + 1] == g:
                end += 1
            h = sum(sheet.heights[i:end + 1])
            if (used + h > cap and i > start) or (i in forced and i > start):
                pages.append((start, i - 1))
                start, used, cap = i, 0.0, budget
            used += h
            i = end + 1
        pages.append((start, n - 1))
        bad = grow = None
        for p0, p1 in pages[:-1]:
            for j in range(len(sheet.fields)):
                for a, b in sheet.runs[j]:
                    if a <= p1 < b:
                        need = sheet.text_h(a, j)
                        have = sum(sheet.heights[a:p1 + 1])
                        if have < need and a > p0 and a not in forced:
                            bad = a
                        elif have < need and grow is None:
                            grow = (a, p1, need / have)
            if bad is not None or grow is not None:
                break
        if bad is not None:
            forced.add(bad)
        elif grow is not None:
            a, p1, f = grow
            for i in range(a, p1 + 1):
                sheet.heights[i] *= f
        else:
            return pages
    return pages


# ------------------------------------------------------------------ XLSX (for LibreOffice)

def _xlsx_width(pt: float) -> float:
    """Points -> Excel width units as LibreOffice prints them (measured: about 7 pt a unit)."""
    return max(3.0, pt / 7.0)


def to_styled_xlsx(table: Table, path: Path, *, sheet: Sheet | None = None, for_print: bool = True) -> Sheet:
    """``for_print``: merged cells cut at the page breaks (what LibreOffice prints); without
    it the workbook a region would type, each merged range whole."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins
    from openpyxl.worksheet.pagebreak import Break

    sheet = sheet or layout_sheet(table, height_factor=1.25)
    wb = Workbook()
    ws = wb.active
    ws.title = f"附件{table.attachment}" if table.attachment else "清单"
    ncol = len(sheet.fields)
    last = get_column_letter(ncol)
    font = Font(name="Noto Sans CJK SC", size=FONT_PT)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    r = 1
    if table.attachment:
        ws.cell(r, 1, f"附件 {table.attachment}").font = Font(name="Noto Sans CJK SC", size=11)
        r += 1
    if table.title:
        ws.cell(r, 1, table.title).font = Font(name="Noto Sans CJK SC", size=13, bold=True)
        ws.merge_cells(f"A{r}:{last}{r}")
        ws.cell(r, 1).alignment = Alignment(horizontal="center", wrap_text=True)
        ws.row_dimensions[r].height = 24
        r += 1
    two = any(sheet.groups)
    h1 = r
    h2 = r + 1 if two else r
    for j, (hdr, grp) in enumerate(zip(sheet.headers, sheet.groups, strict=True), start=1):
        if two and grp:
            ws.cell(h1, j, grp)
            ws.cell(h2, j, hdr)
        else:
            ws.cell(h1, j, hdr)
            if two:
                ws.merge_cells(start_row=h1, start_column=j, end_row=h2, end_column=j)
    if two:
        j = 0
        while j < ncol:
            grp = sheet.groups[j]
            k = j
            while grp and k + 1 < ncol and sheet.groups[k + 1] == grp:
                k += 1
            if grp and k > j:
                ws.merge_cells(start_row=h1, start_column=j + 1, end_row=h1, end_column=k + 1)
            j = k + 1
    for rr in range(h1, h2 + 1):
        ws.row_dimensions[rr].height = 20
    first = h2 + 1
    fonts: dict[float, Font] = {}
    for i, row in enumerate(sheet.cells):
        for j, text in enumerate(row):
            run = sheet.run_at(j, i)
            if run is None or run[0] == i or ((i, j) in sheet.repeats and for_print):
                value = text
                if value:
                    ws.cell(first + i, j + 1, int(value) if sheet.fields[j] == "row" and value.isdigit() else value)
        ws.row_dimensions[first + i].height = sheet.heights[i]
    # merged ranges, cut at page breaks (the part on the next page is an empty box)
    starts = {p0 for p0, _ in sheet.pages} if for_print else set()
    for j, runs in sheet.runs.items():
        for a, b in runs:
            cuts = [a] + [s for s in sorted(starts) if a < s <= b] + [b + 1]
            for lo, hi in zip(cuts, cuts[1:], strict=False):
                if hi - 1 > lo:
                    ws.merge_cells(start_row=first + lo, start_column=j + 1, end_row=first + hi - 1, end_column=j + 1)
    for p0, _ in sheet.pages[1:] if for_print else []:
        ws.row_breaks.append(Break(id=first + p0 - 1))
    for row in ws.iter_rows(min_row=h1, max_row=first + len(sheet.cells) - 1, max_col=ncol):
        for c in row:
            c.border = box
            size = sheet.sizes[c.row - first][c.column - 1] if c.row >= first else FONT_PT
            c.font = font if size == FONT_PT else fonts.setdefault(size, Font(name="Noto Sans CJK SC", size=size))
            c.alignment = Alignment(wrap_text=True, vertical="center" if c.row <= h2 else "top",
                                    horizontal="center" if c.row <= h2 else "left")
    for j, w in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = _xlsx_width(w)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.scale = 100
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.7, header=0.2, footer=0.3)
    ws.print_title_rows = f"{h1}:{h2}"
    ws.oddFooter.center.text = "&P"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return sheet


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def xlsx_to_pdf(paths: list[Path], outdir: Path, profile: Path) -> list[Path]:
    """Convert with one LibreOffice run (a private profile, so runs do not collide)."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HOME=str(profile))
    subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(outdir), *map(str, paths)],
                   check=True, capture_output=True, timeout=300, env=env)
    out = [outdir / (p.stem + ".pdf") for p in paths]
    missing = [p for p in out if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice wrote no {missing}")
    return out


# ------------------------------------------------------------------ reportlab

def _in_gbk(ch: str) -> bool:
    try:
        ch.encode("gbk")
        return True
    except UnicodeEncodeError:
        return False


def to_reportlab_pdf(table: Table, path: Path, *, split_row: bool = True) -> Sheet:
    """Draw the table page by page; one row cut by a page break continues after the next header."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    fallback = "Helvetica"
    if Path(DEJAVU).exists():
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont("DejaVuSans", DEJAVU))
        fallback = "DejaVuSans"
    ncol_fields = len(get_layout(table.layout).columns)
    two = any(c.group for c in get_layout(table.layout).columns)
    head_h = 36.0 if two else 22.0
    top_y, bottom_y = PAGE_H - 30.0, 40.0
    title_h = (20 if table.attachment else 0) + 18 * len(wrap(table.title, CONTENT_W, 13)) + 6
    cap_first = top_y - title_h - head_h - bottom_y
    cap = top_y - head_h - bottom_y
    sheet = layout_sheet(table, budget_first=cap_first, budget=cap)
    ncol = ncol_fields
    lines = sheet.lines

    # the row to cut: first page break whose next row stands alone and leaves room above the cut
    split_at: tuple[int, int] | None = None        # (page index, lines on the first part)
    for p, (a, b) in enumerate(sheet.pages[:-1]):
        if not split_row:
            break
        i = b + 1
        room = (cap_first if p == 0 else cap) - sum(sheet.heights[a:b + 1])
        k = int((room - 2 * PAD_PT) // LINE_PT)
        alone = sheet.group_of[i] not in (sheet.group_of[i - 1], sheet.group_of[min(i + 1, len(sheet.cells) - 1)])
        fits = all(len(lines[i][j]) <= k for j, f in enumerate(sheet.fields) if f in ("row", "level1", "level2"))
        runs_ok = all((r := sheet.run_at(j, i)) is None or r[0] < i for j in range(ncol))
        normal = all(sz == FONT_PT for sz in sheet.sizes[i])
        if k >= 3 and alone and fits and runs_ok and normal and max(len(x) for x in lines[i]) > k:
            split_at = (p, k)
            break

    portrait_w, _ = A4
    c = canvas.Canvas(str(path), pagesize=(A4[1], A4[0]))
    c.setTitle(table.title)
    xs = [36.0]
    for w in sheet.widths:
        xs.append(xs[-1] + w)

    def text_in(texts: list[str], x0: float, ytop: float, size: float = FONT_PT) -> None:
        for k, ln in enumerate(texts):
            x, y = x0 + PAD_PT, ytop - PAD_PT - size - k * LINE_PT * size / FONT_PT + 1
            runs: list[tuple[str, str]] = []   # STSong-Light lacks Latin-1 signs (·) and chars outside GBK (•)
            for ch in ln:
                font = fallback if 0x80 <= ord(ch) < 0x100 or not _in_gbk(ch) else "STSong-Light"
                if runs and runs[-1][0] == font:
                    runs[-1] = (font, runs[-1][1] + ch)
                else:
                    runs.append((font, ch))
            for font, text in runs:
                c.setFont(font, size)
                c.drawString(x, y, text)
                x += pdfmetrics.stringWidth(text, font, size)

    def header(y: float) -> float:
        c.setLineWidth(0.6)
        j = 0
        while j < ncol:
            grp = sheet.groups[j]
            if two and grp:
                k = j
                while k + 1 < ncol and sheet.groups[k + 1] == grp:
                    k += 1
                c.rect(xs[j], y - 18, xs[k + 1] - xs[j], 18)
                text_in([grp], xs[j], y)
                for m in range(j, k + 1):
                    c.rect(xs[m], y - 36, xs[m + 1] - xs[m], 18)
                    text_in(wrap(sheet.headers[m], xs[m + 1] - xs[m])[:1], xs[m], y - 18)
                j = k + 1
            else:
                c.rect(xs[j], y - head_h, xs[j + 1] - xs[j], head_h)
                text_in(wrap(sheet.headers[j], xs[j + 1] - xs[j])[:2], xs[j], y)
                j += 1
        return y - head_h

    for p, (a, b) in enumerate(sheet.pages):
        c.setPageRotation(90)
        c.saveState()
        c.translate(portrait_w, 0)
        c.rotate(90)
        y = top_y
        if p == 0:
            if table.attachment:
                text_in([f"附件 {table.attachment}"], 36 - PAD_PT, y + PAD_PT, 11)
                y -= 20
            c.setFont("STSong-Light", 13)
            for ln in wrap(table.title, CONTENT_W, 13):
                c.drawCentredString(PAGE_W / 2, y - 13, ln)
                y -= 18
            y -= 6
        y = header(y)
        open_runs = {j: y for j in range(ncol) if (r := sheet.run_at(j, a)) and r[0] < a}
        for j in open_runs:
            if (a, j) in sheet.repeats and not (split_at and split_at[0] == p - 1):
                text_in(sheet.lines[a][j], xs[j], y, sheet.sizes[a][j])
        plan: list[tuple[int, list[list[str]], str]] = []    # (row, lines, "" | "head" | "tail")
        first_row = a
        if split_at and split_at[0] == p - 1:          # the rest of the row cut at the end of the page before
            k = split_at[1]
            plan.append((a, [ln[k:] for ln in lines[a]], "tail"))
            first_row = a + 1
        plan += [(i, lines[i], "") for i in range(first_row, b + 1)]
        if split_at and split_at[0] == p:
            k = split_at[1]
            plan.append((b + 1, [ln[:k] for ln in lines[b + 1]], "head"))
        for i, texts, cut in plan:
            h = (max(len(x) for x in texts) * LINE_PT + 2 * PAD_PT) if cut else sheet.heights[i]
            for j in range(ncol):
                run = sheet.run_at(j, i)
                if run is None:
                    c.rect(xs[j], y - h, xs[j + 1] - xs[j], h)
                    text_in(texts[j], xs[j], y, sheet.sizes[i][j])
                    continue
                if run[0] == i:
                    open_runs[j] = y
                    text_in(texts[j], xs[j], y, sheet.sizes[i][j])
                if run[1] == i and cut != "head":
                    c.rect(xs[j], y - h, xs[j + 1] - xs[j], open_runs.pop(j, y) - (y - h))
            y -= h
        for j, top in open_runs.items():          # merged cells going on to the next page
            c.rect(xs[j], y, xs[j + 1] - xs[j], top - y)
        c.setFont("STSong-Light", 9)
        c.drawCentredString(PAGE_W / 2, 18, f"- {p + 1} -")
        c.restoreState()
        c.showPage()
    c.save()
    sheet.split_at = split_at
    return sheet


if __name__ == "__main__":      # render by hand: python tests/tablerender.py STORE OUTDIR CODE…
    import sys

    from loaders.export import region_table as _table

    store_dir, outdir, *codes = sys.argv[1:]
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    books = []
    for code in codes:
        t = _table(store_dir, code)
        to_styled_xlsx(t, out / f"{code}.xlsx")
        to_reportlab_pdf(t, out / f"{code}-reportlab.pdf")
        books.append(out / f"{code}.xlsx")
    for pdf in xlsx_to_pdf(books, out, out / ".lo-profile"):
        print(pdf)
