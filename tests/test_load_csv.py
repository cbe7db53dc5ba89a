"""CSV lists: UTF-8 with and without BOM, GBK and GB18030 read alike; delimiters; layouts."""

from __future__ import annotations

import pytest
from loadkit import assert_same_graph, comparable, region_triples

from loaders import csvfile, registry
from loaders.export import export_region
from loaders.load import backbone_from_store, read_list
from policykg.core.errors import LoaderNotFound, LoadError
from policykg.graph.rdfmap import region_list_triples

DEQING = """附件 4
德清县政务服务增值化改革与“民营经济32条”一体融合细化清单
序号,省级重点工作,县级细化举措,服务内容,服务事项,,,承接板块
,,,,一级事项,二级事项,三级事项,
1,（一）强化财税政策保障,落实税费优惠政策,"智能筛选最新税费优惠政
策内容",政策服务,政策推送,税费优惠政策推送服务,诉求（兜底）服务板块
2,（一）强化财税政策保障,落实税费优惠政策,税费预填,政策服务,政策申报,税费预填服务,诉求（兜底）服务板块
3,（二）加大产业基金支持力度,发挥基金作用,设立种子基金，单项目上限200万元,金融服务,基金投资,种子基金䶮,金融服务板块
"""


@pytest.mark.parametrize("encoding,bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b"")])
def test_encodings_read_alike(tmp_path, encoding, bom):
    path = tmp_path / "dq.csv"
    path.write_bytes(bom + DEQING.encode(encoding))
    rl, form = read_list(path, "330521")
    assert form == "csv" and rl.layout == "deqing" and rl.source.attachment == 4
    assert rl.title == "德清县政务服务增值化改革与“民营经济32条”一体融合细化清单"
    assert [r.row for r in rl.rows] == [1, 2, 3]
    assert rl.rows[0].service_items[0].content == "智能筛选最新税费优惠政策内容"
    assert rl.rows[2].service_items[0].level3 == "种子基金䶮"       # U+4DAE: in GB18030, not in GBK
    assert rl.rows[1].key_task == 1 and rl.rows[2].key_task == 2
    assert rl.rows[0].source.sheet_row == 5          # the record starts on line 5 (a cell spans two)
    assert rl.rows[1].source.sheet_row == 7


def test_gbk_file(tmp_path):
    path = tmp_path / "dq.csv"
    text = DEQING.replace("䶮", "")
    with pytest.raises(UnicodeEncodeError):
        DEQING.encode("gbk")
    path.write_bytes(text.encode("gbk"))
    rl, _ = read_list(path, "330521")
    assert rl.rows[2].service_items[0].level3 == "种子基金"
    assert csvfile.decode(text.encode("gbk"), "x")[1] == "GB18030/GBK"
    assert csvfile.decode(text.encode("utf-8"), "x")[1] == "UTF-8"


def test_tab_and_semicolon_delimiters(tmp_path):
    for delimiter in ("\t", ";"):
        path = tmp_path / "dq.csv"
        lines = [ln.replace(",", delimiter) if not ln.startswith('"') else ln for ln in DEQING.splitlines()]
        path.write_text("\n".join(lines[:4] + lines[6:7]), encoding="utf-8")
        rl, _ = read_list(path, "330521")
        assert [r.row for r in rl.rows] == [2]


@pytest.mark.parametrize("code", ["330800", "330114"])
def test_real_lists_in_gb18030(built_store, tmp_path, code):
    """A region's export saved by Excel on a Chinese Windows (GB18030, no BOM) loads the same."""
    data = export_region(built_store, code, "csv").decode("utf-8-sig")
    path = tmp_path / f"{code}.csv"
    path.write_bytes(data.encode("gb18030"))
    rl, _ = read_list(path, code, backbone=backbone_from_store(built_store))
    assert_same_graph(comparable(region_triples(built_store, code)), comparable(region_list_triples(rl)), code)


def test_forced_layout(tmp_path):
    path = tmp_path / "dq.csv"
    path.write_text(DEQING, encoding="utf-8")
    rl, _ = read_list(path, "330521", layout="deqing")
    assert rl.layout == "deqing"
    with pytest.raises(LoadError, match="表头缺少版式 quzhou 的列：省级细化措施、市级落实细则"):
        read_list(path, "330521", layout="quzhou")
    with pytest.raises(LoaderNotFound, match="未知版式 'nosuch'"):
        read_list(path, "330521", layout="nosuch")


def test_positional_mapping_when_forced_and_same_width(tmp_path):
    path = tmp_path / "dq.csv"
    path.write_text("序号,工作,举措,内容,一级,二级,三级,板块\n1,（一）强化财税政策保障,落实,推送,政策服务,政策推送,推送服务,政策板块\n",
                    encoding="utf-8")
    rl, _ = read_list(path, "330521", layout="deqing")
    assert rl.rows[0].service_items[0].block == "政策板块"
    assert any("按列的位置对应" in w for w in rl.warnings)


def test_registry():
    assert registry.form_for(__import__("pathlib").Path("a.CSV")) == "csv"
    assert ("pdf", "qiantang") in registry.known() and ("xlsx", "standard") in registry.known()
    assert type(registry.get("csv", "deqing")).__name__ == "CsvLoader"
    with pytest.raises(LoaderNotFound, match="没有 docx/\\* 的加载器.*csv/deqing"):
        registry.get("docx")


def test_repeated_header_and_page_numbers_in_a_converted_csv(tmp_path):
    """What a PDF-to-Excel converter leaves: the header again on every page, page numbers."""
    lines = DEQING.splitlines()
    body = lines[:6] + ["", "- 2 -", lines[2], lines[3], "第 3 页", lines[6], "3/60", lines[7]]
    path = tmp_path / "dq.csv"
    path.write_text("\n".join(body), encoding="utf-8")
    rl, _ = read_list(path, "330521")
    assert [r.row for r in rl.rows] == [1, 2, 3]
