"""policykg export: each region's table rebuilt from the graph equals the document's table.

The export is compared field by field with the text loader's rows (which T1/T2 check
against the document by eye), and loading the export back gives the same region graph.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from click.testing import CliRunner
from loadkit import REGIONS, assert_same_graph, comparable, region_triples

from loaders.cells import split_numbered
from loaders.export import export_region, region_table
from loaders.layouts import get as get_layout
from loaders.load import read_list
from loaders.people import parse_contacts, units_cell
from policykg.core.errors import LoadError, UsageError


@pytest.fixture(scope="module")
def text_lists():
    from loaders.text import read_attachments, read_backbone
    from policykg.core.config import SOURCE_DOCUMENT

    backbone = read_backbone(SOURCE_DOCUMENT)
    return {rl.region: rl for rl in read_attachments(SOURCE_DOCUMENT, backbone)}, backbone


def _rows_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("code", sorted(REGIONS))
def test_csv_has_the_source_headers_and_one_row_per_printed_row(built_store, text_lists, code):
    rows = _rows_csv(export_region(built_store, code, "csv"))
    assert rows[0] == get_layout(REGIONS[code]).headers
    numbers = [int(r[0]) for r in rows[1:]]
    assert numbers == sorted(numbers)
    lists, _ = text_lists
    assert sorted(set(numbers)) == sorted({r.row for r in lists[code].rows})
    subrows = sum(max(1, len(r.service_items)) for r in lists[code].rows)
    if code in ("330800", "330521", "330900"):
        assert len(numbers) == subrows
    if code == "330900":
        assert len(numbers) == 33 and numbers.count(27) == 2       # 33 printed rows, 序号 27 twice
    assert not any("\n" in c or "\r" in c for r in rows for c in r if not c.startswith("省级"))


def test_two_level_headers_come_out_as_their_leaves(built_store):
    header = _rows_csv(export_region(built_store, "330800", "csv"))[0]
    assert header[-4:] == ["一级事项", "二级事项", "三级事项", "承接板块"]
    assert _rows_csv(export_region(built_store, "330114", "csv"))[0][-3:] == ["三级事项", "承接板块（专区）", "备注"]


@pytest.mark.parametrize("code", sorted(REGIONS))
def test_export_equals_the_documents_rows_field_by_field(built_store, text_lists, code):
    lists, backbone = text_lists
    measures = {m.number: m.text for m in backbone.measures}
    table = region_table(built_store, code)
    assert len(table.groups) == len(lists[code].rows)
    for row, g in zip(lists[code].rows, table.groups, strict=True):
        assert int(g[0]["row"]) == row.row
        head = g[0]
        where = f"{code} 序号 {row.row}"
        if "key_task" in head:
            assert head["key_task"] == row.key_task_label, where
        if "general_task" in head:
            assert head["general_task"].endswith(row.general_task_label), where
        if "provincial_measures" in head:
            assert [n for n, _ in split_numbered(head["provincial_measures"])] == sorted(row.provincial_measures), where
            assert head["provincial_measures"] == "".join(f"{n}.{measures[n]}" for n in sorted(row.provincial_measures))
        if "provincial_texts" in head:
            printed = [t for sub in g for t in sub["provincial_texts"].split("\n") if t]
            assert printed == list(row.provincial_texts), where        # in printed order
        texts = "".join(sub["local_measure"] for sub in g) if "local_measure" in head else ""
        for m in row.local_measures:
            if "local_measure" in head:
                assert m.text in texts, f"{where}: {m.key}"
        items = [(s.get("level1", ""), s.get("level2", ""), s.get("level3", ""), s.get("block", ""),
                  s.get("content", "")) for s in g
                 if s.get("level1") or s.get("level2") or s.get("level3") or s.get("block")]
        assert items == [(i.level1, i.level2, i.level3, i.block, i.content if "content" in head else "")
                         for i in row.service_items], where
        if "remark" in head:
            assert head["remark"] == row.remark, where
        if "contacts" in head:
            exported = [(c.name, c.role, c.phone, c.before) for c in parse_contacts(head["contacts"])]
            assert exported == [(c.name, c.role, "", c.before) for c in row.contacts], where
            assert not re.search(r"\d{7,}", head["contacts"]), "no phone numbers in an export"
        if "units" in head and row.units:
            assert head["units"] == units_cell(row.units, row.units_note), where


def test_real_values(built_store):
    table = region_table(built_store, "330800")
    first = table.groups[0][0]
    assert first["key_task"] == "（一）强化财税政策保障"
    assert first["level3"] == "税费优惠政策推送服务"
    assert first["block"] == "诉求（兜底）服务板块"
    assert first["local_measure"].startswith("1.深入贯彻落实中共中央、国务院")
    zs = region_table(built_store, "330900")
    row27 = [g[0] for g in zs.groups if g[0]["row"] == "27"]
    assert len(row27) == 2, "舟山 prints 序号 27 twice; the export keeps both printings as two rows"
    assert row27[0]["units"] == "市综合执法局、市司法局、市市场监管局、市海洋与渔业局，其他市级行政执法机关"
    assert row27[0]["contacts"] == "龚敏（市综合行政执法局党组成员、副局长）、洪晶晶（综合行政执法指导处长）"
    assert row27[1]["local_measure"].startswith("①制定印发《全市交通运输“枫桥式”基层执法站所试点创建工作方案》")
    assert row27[1]["units"] == "市交通运输局" and row27[1]["stage"] == "2024年"
    assert row27[1]["contacts"] == "何波英（市交通运输局党委委员、副局长）、张海强（政策法规处处长）"
    assert zs.groups[0][0]["units"] == "市税务局、市科技局、市财政局、市人社局、市退役军人事务局，列第一位为牵头单位"
    assert zs.groups[1][0]["contacts"] == "李磊（市财金公司董事长），联系人：陈保华"
    dq = region_table(built_store, "330521")
    assert next(g[0] for g in dq.groups if g[0]["row"] == "44")["block"] == "/"


@pytest.mark.parametrize("code", sorted(REGIONS))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_loading_the_export_gives_the_same_graph(built_store, tmp_path, code, fmt):
    path = tmp_path / f"{code}.{fmt}"
    path.write_bytes(export_region(built_store, code, fmt))
    from loaders.load import backbone_from_store

    rl, form = read_list(path, code, backbone=backbone_from_store(built_store), strict=False)
    assert form == fmt and rl.layout == REGIONS[code]
    from policykg.graph.rdfmap import region_list_triples

    assert_same_graph(comparable(region_triples(built_store, code)), comparable(region_list_triples(rl)),
                      f"{code} {fmt}")


def test_export_errors(built_store):
    with pytest.raises(LoadError, match="330100"):
        export_region(built_store, "330100", "csv")           # 杭州市: a region without a list
    with pytest.raises(LoadError, match="999999"):
        export_region(built_store, "999999", "csv")
    with pytest.raises(UsageError):
        export_region(built_store, "330800", "pdf")


def test_cli_export(built_store, tmp_path):
    from policykg.cli import main

    res = CliRunner().invoke(main, ["export", "330114", "--store", str(built_store)])
    assert res.exit_code == 0, res.output
    assert "序号,省级重点工作,省级细化措施,一级事项" in res.stdout_bytes.decode("utf-8-sig").splitlines()[0]
    out = tmp_path / "qt.xlsx"
    res = CliRunner().invoke(main, ["export", "330114", "--format", "xlsx", "-o", str(out), "--store", str(built_store)])
    assert res.exit_code == 0 and out.read_bytes()[:2] == b"PK"
    res = CliRunner().invoke(main, ["export", "330100", "--store", str(built_store)])
    assert res.exit_code == 1 and "330100" in res.output
