"""PDF lists: realistic PDFs rendered from each region's table give the text loader's graph.

The original PDFs do not exist. Each region's table (``policykg export`` of the store built
from the document) is rendered to a styled XLSX (two-level header, merged cells, landscape,
header repeated on every page, page numbers) and converted by LibreOffice; two regions are
also drawn with reportlab on rotated pages with a row cut by a page break. Rendering takes
a few seconds and is done once per session.
"""

from __future__ import annotations

import time

import pytest
from loadkit import REGIONS, assert_same_graph, comparable, region_triples
from tablerender import soffice, to_reportlab_pdf, to_styled_xlsx, xlsx_to_pdf

from loaders import pdf
from loaders.export import region_table
from loaders.grid import GridRow, Segment, file_source, read_grid
from loaders.load import backbone_from_store, read_list
from policykg.core.errors import LoadError
from policykg.graph.rdfmap import region_list_triples

REPORTLAB = ("330800", "330900")


@pytest.fixture(scope="session")
def rendered(built_store, tmp_path_factory):
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path_factory.mktemp("pdf")
    tables = {code: region_table(built_store, code) for code in REGIONS}
    sheets = {code: to_styled_xlsx(t, out / f"{code}.xlsx") for code, t in tables.items()}
    pdfs = dict(zip(tables, xlsx_to_pdf([out / f"{c}.xlsx" for c in tables], out, out / "lo-profile"), strict=True))
    drawn = {code: to_reportlab_pdf(tables[code], out / f"{code}-rl.pdf") for code in REPORTLAB}
    return {"tables": tables, "sheets": sheets, "pdfs": pdfs, "drawn": drawn,
            "rl": {code: out / f"{code}-rl.pdf" for code in REPORTLAB}}


@pytest.fixture(scope="session")
def loaded(rendered, built_store):
    """Every rendered PDF read once (leniently: 德清's own list has a row without block)."""
    backbone = backbone_from_store(built_store)
    out, pages, seconds = {}, 0, 0.0
    for kind in ("pdfs", "rl"):
        for code, path in rendered[kind].items():
            seen: list[str] = []
            t0 = time.perf_counter()
            out[(code, kind)] = read_list(path, code, backbone=backbone, strict=False, progress=seen.append)[0]
            seconds += time.perf_counter() - t0
            pages += sum(1 for m in seen if "page" in m)
    return out, pages, seconds


@pytest.mark.parametrize("kind", ["pdfs", "rl"])
@pytest.mark.parametrize("code", sorted(REGIONS))
def test_pdf_gives_the_text_loaders_graph(built_store, loaded, code, kind):
    if kind == "rl" and code not in REPORTLAB:
        pytest.skip("drawn with reportlab for two regions only")
    rl = loaded[0][(code, kind)]
    assert rl.layout == REGIONS[code]
    assert rl.source.attachment == {"330800": 1, "330900": 2, "330114": 3, "330521": 4}[code]
    expected = comparable(region_triples(built_store, code), keep_title=True, squeeze_spaces=True)
    assert_same_graph(expected, comparable(region_list_triples(rl), keep_title=True, squeeze_spaces=True),
                      f"{code} {kind}")


def test_rendered_pdfs_have_what_real_ones_have(rendered):
    import pdfplumber

    with pdfplumber.open(rendered["pdfs"]["330800"]) as doc:
        assert len(doc.pages) > 10
        assert all(p.width > p.height for p in doc.pages), "landscape"
        first_rows = [p.find_tables()[0].extract()[:2] for p in doc.pages[:4]]
        assert all(r[0][0] == "序号" and r[0][5] == "服务事项" and r[1][5:8] == ["一级事项", "二级事项", "三级事项"]
                   for r in first_rows), "the two-level header on every page"
        assert any(None in row for r in [doc.pages[0].find_tables()[0].extract()] for row in r[2:]), "merged cells"
        assert "附件 1" in doc.pages[0].extract_text()
    with pdfplumber.open(rendered["rl"]["330800"]) as doc:
        assert all(p.rotation == 90 and p.width > p.height for p in doc.pages), "portrait pages turned by /Rotate"
        assert "- 2 -" in doc.pages[1].extract_text()
    assert rendered["drawn"]["330800"].split_at is not None, "a row cut by a page break"


def test_row_cut_by_a_page_break_is_joined(rendered, loaded, built_store):
    sheet = rendered["drawn"]["330800"]
    page, _ = sheet.split_at
    cut = sheet.pages[page][1] + 1                     # printed row index of the cut row
    number = int(sheet.cells[cut][0])
    import pdfplumber

    with pdfplumber.open(rendered["rl"]["330800"]) as doc:
        seg = pdf._page_segments(doc.pages[page + 1], page + 2, first=False)[0]
    top = [r for r in seg.rows if r.cells[0] not in ("序号", None)][0]
    assert top.cells[0] == "", "the rest of the cut row opens the next page, without 序号"
    row = next(r for r in loaded[0][("330800", "rl")].rows if r.row == number)
    text_row = next(r for r in region_table(built_store, "330800").groups if int(r[0]["row"]) == number)[0]
    assert row.service_items[0].content == text_row["content"]


def test_strict_load_names_page_row_and_column(rendered, built_store):
    with pytest.raises(LoadError, match=r"330521\.pdf 第\d+页 第\d+行 列“承接板块”.*科创基金"):
        read_list(rendered["pdfs"]["330521"], "330521", backbone=backbone_from_store(built_store))


def test_time_per_page(loaded, artifacts):
    _, pages, seconds = loaded
    per_page = seconds / pages
    (artifacts / "pdf-load-timing.txt").write_text(
        f"{pages} pages in {seconds:.2f} s: {per_page * 1000:.0f} ms per page\n", encoding="utf-8")
    assert pages > 40


# ------------------------------------------------------------------ grid rules on hand-made pages

HEADER = [["序号", "省级重点工作", "县级细化举措", "服务内容", "服务事项", "", "", "承接板块"],
          [None, None, None, None, "一级事项", "二级事项", "三级事项", None]]


def _seg(rows, page, above=()):
    return Segment([GridRow(cells=list(c), page=page, page_row=i + 1) for i, c in enumerate(HEADER + rows)],
                   above=list(above), page_top=True)


def _grid(segments, tmp_path):
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF-1.4")
    return read_grid(segments, path_name="x.pdf", document=file_source(path))


def test_grid_joins_cut_rows_fills_merged_cells_and_skips_furniture(tmp_path):
    p1 = _seg([["1", "（一）强化财税政策保障", "落实税费优惠", "智能筛选最新税费优惠政", "政策服务", "政策推送", "税费优惠政",
                "诉求（兜底）服务板块"],
               ["2", None, None, "税费预填", "政策服务", "政策申报", "税费预填服务", "诉求（兜底）服务板块"],
               ["3", None, "精准回应涉税", "纳税人", "诉求服务", "政策咨询", "纳税人诉求", "诉求（兜底）"]],
              1, above=["附件 4", "德清县政务服务增值化改革与“民营经济32条”", "一体融合细化清单"])
    p2 = _seg([["", "", "诉求", "诉求服务", "", "", "服务", "服务板块"],           # the rest of row 3
               ["4", None, "发挥基金作用", "设立种子基金", "金融服务", "基金投资", "种子基金", "金融服务板块"],
               ["", "", "", "", "", "", "", "- 2 -"]], 2)                               # a page number
    p3 = _seg([["5", "", "", "设立天使基金", "金融服务", "基金投资", "天使基金", "金融服务板块"],  # merged cells go on
               ["6", None, None, "组建科创基金", "金融服务", "基金投资", "科创基金", "金融服务板块"]], 3)
    grid = _grid([p1, p2, p3], tmp_path)
    assert grid.layout.id == "deqing" and grid.attachment == 4
    assert grid.title == "德清县政务服务增值化改革与“民营经济32条”一体融合细化清单"
    cells = {r.cells["row"]: r.cells for r in grid.raw_rows}
    assert list(cells) == ["1", "2", "3", "4", "5", "6"]
    assert cells["2"]["key_task"] == "（一）强化财税政策保障" and cells["2"]["local_measure"] == "落实税费优惠"
    assert cells["3"]["local_measure"] == "精准回应涉税诉求"
    assert cells["3"]["content"] == "纳税人诉求服务" and cells["3"]["level3"] == "纳税人诉求服务"
    assert cells["3"]["block"] == "诉求（兜底）服务板块"
    assert cells["4"]["key_task"] == "（一）强化财税政策保障"
    assert cells["5"]["key_task"] == cells["6"]["key_task"] == "（一）强化财税政策保障", "an empty box at a page top"
    assert cells["5"]["local_measure"] == cells["6"]["local_measure"] == "发挥基金作用"
    assert grid.raw_rows[3].where == "x.pdf 第2页 第4行"


def test_grid_subrow_at_page_top_is_another_service_item(tmp_path):
    p1 = _seg([["1", "（一）强化财税政策保障", "落实税费优惠", "内容甲", "政策服务", "政策推送", "甲", "政策板块"]], 1)
    p2 = _seg([["", "", "", "内容乙", "金融服务", "融资", "乙", "金融板块"]], 2)
    grid = _grid([p1, p2], tmp_path)
    assert [r.cells["row"] for r in grid.raw_rows] == ["1", ""]
    assert grid.raw_rows[1].cells["level1"] == "金融服务"
