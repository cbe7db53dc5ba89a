"""Service handling (办件) records: a crafted file for three 衢州 items over two months, its
exact totals, the never-handled list, replacing months, and each bad row refusing the file."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from policykg.core import iris
from policykg.core.errors import LoadError
from policykg.graph.store import generation_name, graph_sizes, open_read_only
from policykg.handling.summary import summary_from_dir

HEADER = ["地区代码", "清单序号", "服务事项", "统计月份", "受理件数", "办结件数", "好评数", "差评数", "办理渠道",
          "平均办理天数"]
# 衢州市 (附件1): 序号 1 税费优惠政策推送服务, 序号 2 税费预填服务 (named alone: unique), 序号 4 种子基金
CRAFTED = [
    ["330800", "1", "税费优惠政策推送服务", "2024-01", "10", "8", "5", "1", "线上", "2.5"],
    ["330800", "", "税费预填服务", "2024-01", "4", "2", "0", "2", "", ""],
    ["330800", "4", "种子基金", "2024-01", "0", "0", "0", "0", "线下", ""],
    ["330800", "1", "税费优惠政策推送服务", "2024-02", "6", "6", "4", "0", "线上", "1.5"],
    ["330800", "2", "税费预填服务", "2024-02", "0", "0", "0", "0", "", ""],
    ["330800", "4", "种子基金", "2024-02", "0", "0", "0", "0", "", ""],
]
QUZHOU_ITEMS = 87
ITEM = {n: iris.service_item("330800", n) for n in (1, 2, 4)}


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", header: list[str] = HEADER) -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    from loaders.build import build

    root = tmp_path_factory.mktemp("handling") / "store"
    build(root)
    return root


@pytest.fixture()
def store(pristine, tmp_path) -> Path:
    root = tmp_path / "store"
    shutil.copytree(pristine, root, symlinks=True)
    return root


def load(store: Path, path: Path):
    from loaders.handling import load_file

    return load_file(store, path)


def test_crafted_file_totals_never_handled_and_bottlenecks(store, tmp_path):
    res = load(store, write_csv(tmp_path / "办件.csv", CRAFTED))
    assert res.records == 6 and res.replaced == 0
    assert res.regions == {"330800": ("衢州市", ["2024-01", "2024-02"])}
    s = summary_from_dir(store)
    assert s["regions"] == [{"region": "330800", "name": "衢州市", "items": QUZHOU_ITEMS, "items_handled": 2,
                             "received": 20, "completed": 16, "good": 9, "bad": 3, "completion_rate": 0.8,
                             "satisfaction": 0.75}]
    assert [r["region"] for r in s["regions_without_records"]] == ["330114", "330521"]
    never = s["never_handled"]
    assert len(never) == QUZHOU_ITEMS - 2
    assert {"region": "330800", "item": "种子基金", "row": 4, "iri": ITEM[4], "block": "金融服务板块",
            "level1": "金融服务"} in never
    assert not {n["iri"] for n in never} & {ITEM[1], ITEM[2]}
    assert [(n["row"], n["item"]) for n in never[:3]] == [(3, "纳税人诉求服务"), (4, "种子基金"), (5, "天使基金")]
    assert s["trend"] == [
        {"month": "2024-01", "items_handled": 2, "received": 14, "completed": 10, "good": 5, "bad": 3,
         "completion_rate": 0.7143, "satisfaction": 0.625},
        {"month": "2024-02", "items_handled": 1, "received": 6, "completed": 6, "good": 4, "bad": 0,
         "completion_rate": 1.0, "satisfaction": 1.0}]
    block = {b["block"]: b for b in s["by_block"]}
    assert (block["诉求（兜底）服务板块"]["items_handled"], block["诉求（兜底）服务板块"]["received"],
            block["诉求（兜底）服务板块"]["completed"]) == (2, 20, 16)
    assert (block["金融服务板块"]["items_handled"], block["金融服务板块"]["received"]) == (0, 0)
    assert sum(b["items"] for b in s["by_block"]) == QUZHOU_ITEMS
    level1 = {b["level1"]: b for b in s["by_level1"]}
    assert (level1["政策服务"]["received"], level1["政策服务"]["completed"], level1["政策服务"]["items_handled"]) == (20, 16, 2)
    measure = {m["measure"]: m for m in s["by_measure"]}
    for n in (1, 2, 3, 4):                  # rows 1 and 2 both cite provincial measures 1–4
        assert (measure[n]["received"], measure[n]["completed"], measure[n]["items_handled"]) == (20, 16, 2)
    assert (measure[45]["received"], measure[45]["items_handled"]) == (0, 0)   # 种子基金 (row 4): 44–49, 5, 6
    ranked = s["bottlenecks"]
    assert len(ranked) == QUZHOU_ITEMS - 2 + 1
    assert all(b["kinds"] == ["never_used"] for b in ranked[:-1])
    last = ranked[-1]
    assert (last["rank"], last["item"], last["kinds"], last["completion_rate"], last["satisfaction"]) == \
        (QUZHOU_ITEMS - 1, "税费预填服务", ["low_completion", "bad_reviews"], 0.5, 0.0)
    same = summary_from_dir(store, first="2024-01", last="2024-02")       # from the observations
    assert {k: v for k, v in same.items() if k != "period"} == {k: v for k, v in s.items() if k != "period"}
    jan = summary_from_dir(store, first="2024-02", last="2024-02")
    assert (jan["regions"][0]["received"], jan["regions"][0]["items_handled"]) == (6, 1)
    assert len(jan["never_handled"]) == QUZHOU_ITEMS - 1


def test_observations_are_data_cube_with_provenance_in_the_default_graph(store, tmp_path):
    load(store, write_csv(tmp_path / "办件.csv", CRAFTED))
    st = open_read_only(store)
    graph = iris.handling_graph("330800")
    assert graph in graph_sizes(st)
    q = """SELECT ?obs ?row ?file ?m WHERE { ?obs a qb:Observation ; qb:dataSet ?ds ; pk:fileRow ?row ;
             sdmx-dimension:refPeriod ?m ; pk:refServiceItem ?item ; prov:wasDerivedFrom/dct:title ?file .
             ?ds qb:structure pk:handlingStructure ; sdmx-dimension:refArea ?r . ?r pk:divisionCode "330800" }
           ORDER BY ?row"""
    from policykg.sparql.queries import run

    got = run(st, q).values()                        # the default graph: the union, handling included
    assert [(int(r["row"]), r["file"], r["m"]) for r in got] == [
        (2, "办件.csv", "2024-01"), (3, "办件.csv", "2024-01"), (4, "办件.csv", "2024-01"),
        (5, "办件.csv", "2024-02"), (6, "办件.csv", "2024-02"), (7, "办件.csv", "2024-02")]
    obs = iris.handling_observation("330800", "2024-01", ITEM[1])
    days = list(st.quads_for_pattern(NamedNode(obs), NamedNode("https://w3id.org/policykg/def#averageDays"), None,
                                     NamedNode(graph)))
    assert [q.object.value for q in days] == ["2.5"]


def test_loading_the_same_months_again_replaces(store, tmp_path):
    path = write_csv(tmp_path / "办件.csv", CRAFTED)
    load(store, path)
    res = load(store, path)
    assert res.replaced == 6
    assert summary_from_dir(store)["regions"][0]["received"] == 20
    # February again, only item 1, new figures: January kept, all of February replaced
    res = load(store, write_csv(tmp_path / "二月.csv", [["330800", "1", "税费优惠政策推送服务", "2024-02", "9", "7",
                                                         "3", "3", "", ""]]))
    assert res.replaced == 3
    s = summary_from_dir(store)
    assert [(t["month"], t["received"], t["completed"]) for t in s["trend"]] == [("2024-01", 14, 10), ("2024-02", 9, 7)]
    assert (s["regions"][0]["received"], s["regions"][0]["bad"]) == (23, 6)
    st = open_read_only(store)
    from policykg.sparql.queries import run

    n = run(st, "SELECT (COUNT(*) AS ?n) WHERE { ?o a qb:Observation ; pk:refServiceItem ?i ; pk:fileRow ?r }")
    assert n.values()[0]["n"] == "4"                 # 3 January + 1 February, no duplicate in the union
    totals = run(st, "SELECT ?item ?rec ?months WHERE { ?t qb:dataSet/qb:structure pk:handlingItemTotalsStructure ; "
                     "pk:refServiceItem ?item ; pk:casesReceived ?rec ; pk:monthCount ?months } ORDER BY ?item")
    assert [(r["item"], r["rec"], r["months"]) for r in totals.values()] == [
        (ITEM[1], "19", "2"), (ITEM[2], "4", "1"), (ITEM[4], "0", "1")]    # derived again after the load
    files = run(st, "SELECT ?t WHERE { GRAPH ?g { ?f a pk:SourceDocument ; dct:title ?t } "
                    "FILTER(STRSTARTS(STR(?g), STR(?p))) }",
                substitutions={"p": iris.handling_graph_prefix()}).values()
    assert sorted(r["t"] for r in files) == ["二月.csv", "办件.csv"]


def test_gbk_csv_and_xlsx_load_the_same(store, tmp_path):
    from openpyxl import Workbook

    load(store, write_csv(tmp_path / "gbk.csv", CRAFTED, encoding="gbk"))
    first = summary_from_dir(store)["regions"]
    wb = Workbook()
    ws = wb.active
    ws.title = "办件"
    ws.append(["衢州市办件情况（合成）"])                # a title row above the header
    ws.append([h + ("（YYYY-MM）" if h == "统计月份" else "") for h in HEADER])
    for r in CRAFTED:
        ws.append([int(v) if v.isdigit() else v for v in r])
    wb.save(tmp_path / "办件.xlsx")
    res = load(store, tmp_path / "办件.xlsx")
    assert res.replaced == 6
    assert summary_from_dir(store)["regions"] == first


BAD = [
    ("negative", ["330800", "1", "税费优惠政策推送服务", "2024-01", "-3", "0", "0", "0", "", ""],
     "第 3 行，列“受理件数”：件数不能为负数：-3"),
    ("completed > received", ["330800", "1", "税费优惠政策推送服务", "2024-03", "4", "5", "0", "0", "", ""],
     "第 3 行，列“办结件数”：办结件数 5 大于受理件数 4"),
    ("unknown item", ["330800", "", "税费预填", "2024-01", "1", "1", "0", "0", "", ""],
     "第 3 行，列“服务事项”：该地区清单中没有服务事项“税费预填”；您是否指：序号 2“税费预填服务”"),
    ("ambiguous name", ["330800", "", "咨询服务", "2024-01", "1", "1", "0", "0", "", ""],
     "第 3 行，列“服务事项”：该地区有 5 个服务事项名为“咨询服务”（清单序号 12、14、17、54、55），请填写清单序号"),
    ("row and name disagree", ["330800", "4", "天使基金", "2024-01", "1", "1", "0", "0", "", ""],
     "第 3 行，列“服务事项”：清单序号 4 的服务事项是 “种子基金”，不是“天使基金”"),
    ("unknown region", ["339999", "1", "税费优惠政策推送服务", "2024-01", "1", "1", "0", "0", "", ""],
     "第 3 行，列“地区代码”：不是浙江省的行政区划代码：“339999”"),
    ("region without items", ["330900", "1", "税费优惠政策推送服务", "2024-01", "1", "1", "0", "0", "", ""],
     "第 3 行，列“地区代码”：地区 330900（舟山市）尚无含服务事项的清单"),
    ("bad month", ["330800", "1", "税费优惠政策推送服务", "2024-13", "1", "1", "0", "0", "", ""],
     "第 3 行，列“统计月份”：统计月份应为 YYYY-MM（如 2024-03），而不是“2024-13”"),
    ("same item and month twice", ["330800", "", "税费优惠政策推送服务", "2024-01", "1", "1", "0", "0", "", ""],
     "第 3 行，列“服务事项”：同一服务事项、同一月份重复：与第 2 行相同（2024-01）"),
    ("bad channel", ["330800", "1", "税费优惠政策推送服务", "2024-04", "1", "1", "0", "0", "窗口", ""],
     "第 3 行，列“办理渠道”：办理渠道只能是“线上”或“线下”"),
]


@pytest.mark.parametrize(("case", "row", "message"), BAD, ids=[b[0] for b in BAD])
def test_each_bad_row_refuses_the_whole_file_and_changes_nothing(store, tmp_path, case, row, message):
    load(store, write_csv(tmp_path / "ok.csv", CRAFTED[3:]))         # February already loaded
    before = (generation_name(store), graph_sizes(open_read_only(store)))
    good = ["330800", "1", "税费优惠政策推送服务", "2024-01", "10", "8", "5", "1", "", ""]
    path = write_csv(tmp_path / "bad.csv", [good, row])
    with pytest.raises(LoadError) as err:
        load(store, path)
    text = str(err.value)
    assert text.startswith(str(path)) and message in text
    assert "整个文件未加载" in text and "nothing was loaded" in text
    assert "row 3, column" in text
    assert (generation_name(store), graph_sizes(open_read_only(store))) == before


def test_all_errors_are_listed_and_a_header_without_columns_is_refused(store, tmp_path):
    rows = [r for _, r, _ in BAD[:4]]
    with pytest.raises(LoadError) as err:
        load(store, write_csv(tmp_path / "bad.csv", rows))
    assert "4 error(s)" in str(err.value)
    for n in (2, 3, 4, 5):
        assert f"第 {n} 行" in str(err.value)
    with pytest.raises(LoadError, match="表头缺少必填列：受理件数"):
        load(store, write_csv(tmp_path / "short.csv", [["330800", "1", "x", "2024-01"]],
                              header=["地区代码", "清单序号", "服务事项", "统计月份", "办结件数", "好评数", "差评数"]))


def test_breakdown_by_measure_follows_alignment_graphs(store, tmp_path):
    """A link in graph/alignment/{code} (here skos:closeMatch from 序号 1's local measure to a
    provincial measure no 衢州 row cites)
    counts the item's cases under that provincial measure too."""
    from pyoxigraph import Triple

    from policykg.graph.store import new_generation, put_graph

    st = open_read_only(store)
    measure = next(q.object for q in st.quads_for_pattern(
        NamedNode(ITEM[1]), NamedNode("https://w3id.org/policykg/def#localMeasure"), None, None))
    del st
    load(store, write_csv(tmp_path / "办件.csv", CRAFTED))
    n = min(set(range(1, 147)) - {m["measure"] for m in summary_from_dir(store)["by_measure"]})
    with new_generation(store, copy_current=True) as (w, _):
        put_graph(w, iris.graph("alignment/330800"), [Triple(
            measure, NamedNode("http://www.w3.org/2004/02/skos/core#closeMatch"),
            NamedNode(iris.provincial_measure(n)))])
    m = {m["measure"]: m for m in summary_from_dir(store)["by_measure"]}[n]
    # that local measure (市级落实细则 1) is the measure of the items of rows 1-3: 1 and 2 handled cases
    assert (m["items"], m["items_handled"], m["received"], m["completed"], m["regions"]) == (3, 2, 20, 16, ["330800"])
