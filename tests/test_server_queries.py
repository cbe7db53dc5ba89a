"""The catalogue over HTTP (``/queries``, ``/queries/<name>.json|.csv``) on the real graph.

Answers are checked against the source document (data/sources/000_ae2937e95410f861.txt),
e.g. 衢州市 rows 1–3 and 钱塘区 rows 1–3 are key task 1 with three service items each,
舟山市 row 1 has measures ①–④ led by 市税务局; 衢州市 row 1 spans lines 78–124.
"""

from __future__ import annotations

import csv
import io

import pytest
from server_support import app_for

from policykg.core import iris
from policykg.sparql import queries

MINE = ["coverage-matrix", "key-tasks-items-everywhere", "key-tasks-without-items", "items-in-a-not-b",
        "provincial-measures-not-cited", "keyword-search", "lead-units-by-key-task", "quantitative-targets",
        "service-item-provenance", "level1-by-region", "local-measures-implementing", "regions-citing-measure",
        "provincial-measure-reach", "shared-service-items", "region-pair-overlap", "measures-by-stage",
        "responsible-units", "key-task-profile", "local-measures-without-provincial-link", "general-tasks",
        "measure-detail-by-region"]


@pytest.fixture(scope="module")
def client(built_store):
    return app_for(built_store).test_client()


def rows(client, name: str, **params) -> list[dict]:
    resp = client.get(f"/queries/{name}.json", query_string={**params, "_shape": "arrays"})
    body = resp.json
    assert resp.status_code == 200 and body["ok"] is True, body
    return [dict(zip(body["columns"], r, strict=True)) for r in body["rows"]]


# ------------------------------------------------------------------ the catalogue itself

def test_catalogue_lists_every_query_with_bilingual_header(client):
    items = client.get("/queries").json
    names = {q["name"] for q in items}
    assert set(MINE) <= names and len(MINE) >= 20
    for q in items:
        if q["name"] in MINE:
            assert q["title"]["zh"] and q["title"]["en"], q["name"]
            assert q["description"]["zh"] and q["description"]["en"], q["name"]
            assert q["text"].lstrip().startswith("#+")
            for spec in q["params"].values():
                assert "default" in spec and spec.get("zh") and spec.get("en")


@pytest.mark.parametrize("name", sorted(queries.catalogue()))
def test_every_catalogue_query_runs_with_its_defaults(client, name):
    resp = client.get(f"/queries/{name}.json")
    body = resp.json
    assert resp.status_code == 200, body
    assert set(body) >= {"ok", "columns", "rows", "truncated", "time_ms", "kind", "query", "params"}
    assert body["ok"] is True and body["truncated"] is False


def test_csv_and_tsv(client):
    resp = client.get("/queries/general-tasks.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert table[0] == ["number", "generalTask", "keyTasks", "provincialMeasures", "localMeasures"]
    assert table[1][:2] == ["1", "强化资源要素支持"]
    assert resp.headers["X-Policykg-Truncated"] == "false"
    tsv = client.get("/queries/general-tasks.tsv")
    assert tsv.mimetype == "text/tab-separated-values" and tsv.get_data(as_text=True).startswith("?number\t")


def test_json_rows_are_terms_by_default(client):
    body = client.get("/queries/general-tasks.json").json
    first = body["rows"][0]
    assert first["generalTask"] == {"type": "literal", "value": "强化资源要素支持", "xml:lang": "zh"}
    assert first["keyTasks"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


@pytest.mark.parametrize("url, status, fragment", [
    ("/queries/no-such-query.json", 404, "no-such-query"),
    ("/queries/local-measures-implementing.json?measure=abc", 400, "整数"),
    ("/queries/general-tasks.json?bogus=1", 400, "bogus"),
    ("/queries/general-tasks.json?_shape=table", 400, "_shape"),
    ("/queries/general-tasks.xlsx", 404, ".xlsx"),
    ("/queries/service-item-provenance.json?item=not%20an%20iri", 400, "IRI"),
    ("/queries/general-tasks.ttl", 406, ""),
])
def test_errors_have_one_shape(client, url, status, fragment):
    resp = client.get(url)
    assert resp.status_code == status
    if url.endswith(".ttl"):
        return
    body = resp.json
    assert set(body) >= {"ok", "error", "errors", "status"}
    assert body["ok"] is False and body["status"] == status and fragment in body["error"]
    assert len(body["errors"]) == 2                      # Chinese, English


def test_free_query_in_the_catalogue_shape(client):
    body = client.post("/api/query.json", data={"query": "SELECT ?n WHERE { ?k a pk:KeyTask ; pk:number ?n } ORDER BY ?n"}).json
    assert body["ok"] is True and body["columns"] == ["n"] and len(body["rows"]) == 32
    ask = client.get("/api/query.json", query_string={"query": "ASK { ?k a pk:KeyTask }"}).json
    assert ask["kind"] == "ask" and ask["boolean"] is True


# ------------------------------------------------------------------ answers, against the document

def test_coverage_matrix(client):
    m = rows(client, "coverage-matrix")
    assert len(m) == 32
    assert m[0] == {"n": "1", "keyTask": "强化财税政策保障", "衢州市细化举措": "1", "衢州市服务事项": "3",
                    "舟山市细化举措": "4", "舟山市服务事项": "0", "钱塘区细化举措": "3", "钱塘区服务事项": "3",
                    "德清县细化举措": "3", "德清县服务事项": "3"}
    assert (m[1]["钱塘区细化举措"], m[1]["钱塘区服务事项"]) == ("1", "1")     # 钱塘 row 4 only
    assert {r["舟山市服务事项"] for r in m} == {"0"}                          # 舟山's list has no items


def test_key_tasks_with_items_everywhere_and_nowhere(client):
    everywhere = rows(client, "key-tasks-items-everywhere")
    numbers = [int(r["n"]) for r in everywhere]
    assert 1 in numbers and 7 not in numbers            # 钱塘区 lists no item under key task 7
    assert all(r["regions"] == "3" for r in everywhere)
    matrix = {int(r["n"]): r for r in rows(client, "coverage-matrix")}
    expect = [n for n, r in matrix.items() if all(r[f"{p}服务事项"] != "0" for p in ("衢州市", "钱塘区", "德清县"))]
    assert numbers == expect
    assert rows(client, "key-tasks-without-items") == []
    assert all(any(r[f"{p}服务事项"] != "0" for p in ("衢州市", "钱塘区", "德清县")) for r in matrix.values())


def test_items_in_one_region_not_another(client):
    a_not_b = rows(client, "items-in-a-not-b", regionA="330800", regionB="330114")
    names = {r["name"] for r in a_not_b}
    assert "税费优惠政策推送服务" not in names and "税费预填服务" not in names   # both lists have them
    qiantang = {r["name"] for r in rows(client, "items-in-a-not-b", regionA="330114", regionB="330900")}
    assert not names & qiantang - names
    assert "税费优惠政策推送服务" in qiantang                 # 舟山 has no items at all
    assert all(r["regionA"] == "330800" and r["regionB"] == "330114" for r in a_not_b)


def test_provincial_measures_not_cited(client):
    assert rows(client, "provincial-measures-not-cited") == []
    assert rows(client, "provincial-measures-not-cited", region="330800") == []   # 衢州 cites 1–146 by number
    qiantang = [int(r["number"]) for r in rows(client, "provincial-measures-not-cited", region="330114")]
    assert 5 in qiantang and 6 not in qiantang            # row 4 quotes measure 6, not 5
    assert len(qiantang) == 47


def test_keyword_search(client):
    found = rows(client, "keyword-search", keyword="融资")
    assert found and all("融资" in r["text"].replace(" ", "") for r in found)
    assert any(r["text"] == "积极推进融资担保合作。" and r["regionLabel"] == "杭州市钱塘区" for r in found)
    talent = rows(client, "keyword-search", keyword="人才")
    assert {r["kind"] for r in talent} >= {"服务事项", "地方细化举措", "省级细化措施"}
    # the PDF put a space between 32 and 条; the search ignores whitespace
    assert rows(client, "keyword-search", keyword="32条")


def test_lead_units_zhoushan(client):
    units = rows(client, "lead-units-by-key-task")
    assert units[0]["n"] == "1" and units[0]["leadUnits"] == "市税务局" and units[0]["measures"] == "4"
    assert set(units[0]["responsibleUnits"].split("、")) == {"市税务局", "市科技局", "市财政局", "市人社局", "市退役军人事务局"}
    assert len(units) == 32


def test_quantitative_targets(client):
    found = rows(client, "quantitative-targets")
    assert any(r["regionLabel"] == "舟山市" and r["figure"] == "30亿元" for r in found)
    assert any(r["regionLabel"] == "湖州市德清县" and r["figure"] == "0.5%" for r in found)
    assert all(r["figure"] in r["text"] for r in found)
    only = rows(client, "quantitative-targets", region="330521")
    assert only and {r["regionLabel"] for r in only} == {"湖州市德清县"}


def test_service_item_provenance(client):
    [p] = rows(client, "service-item-provenance", item=iris.service_item("330800", 1))
    assert p["title"] == "税费优惠政策推送服务" and p["regionLabel"] == "衢州市"
    assert (p["keyTaskNumber"], p["keyTask"]) == ("1", "强化财税政策保障")
    assert (p["level1"], p["level2"], p["level3"]) == ("政策服务", "政策推送", "税费优惠政策推送服务")
    assert p["block"] == "诉求（兜底）服务板块"
    assert sorted(p["provincialMeasures"].split("、"), key=int) == ["1", "2", "3", "4"]
    assert (p["rowNumber"], p["startLine"], p["endLine"], p["attachment"]) == ("1", "78", "124", "1")
    assert p["document"] == "000_ae2937e95410f861.txt"
    assert p["localMeasures"].startswith("深入贯彻落实中共中央、国务院关于延续优化完善实施阶段性税费优惠政策")


def test_level1_by_region(client):
    table = {r["level1"]: r for r in rows(client, "level1-by-region")}
    assert {"政策服务", "金融服务", "人才服务"} <= set(table)
    for r in table.values():
        assert int(r["total"]) == int(r["衢州市"]) + int(r["钱塘区"]) + int(r["德清县"])


def test_local_measures_for_one_provincial_measure(client):
    got = rows(client, "local-measures-implementing", measure="1")
    by_region = {r["regionLabel"]: r for r in got}
    assert set(by_region) == {"衢州市", "杭州市钱塘区", "舟山市", "湖州市德清县"}   # the last two by alignment
    assert by_region["舟山市"]["text"].startswith("精准宣传“政策找人”。线上充分利用")
    assert sorted(by_region["衢州市"]["rows"].split("、")) == ["1", "2", "3"]
    assert by_region["杭州市钱塘区"]["text"].startswith("精准宣传“政策找人”")
    cites = {r["regionLabel"]: r for r in rows(client, "regions-citing-measure", measure="1")}
    assert (cites["衢州市"]["rows"], cites["衢州市"]["serviceItems"]) == ("3", "3")
    assert cites["杭州市钱塘区"]["rows"] == "1"


def test_reach_and_shared_items(client):
    reach = rows(client, "provincial-measure-reach")
    assert len(reach) == 146
    assert {r["number"]: r["regions"] for r in reach}["1"] == "4"     # 2 printed, 2 by alignment
    shared = {r["name"]: r for r in rows(client, "shared-service-items")}
    for name in ("税费优惠政策推送服务", "税费预填服务"):
        assert shared[name]["regions"] == "3"
    assert all(int(r["regions"]) >= 2 for r in shared.values())
    assert all(int(r["regions"]) >= 3 for r in rows(client, "shared-service-items", minRegions="3"))
    pairs = [(r["regionA"], r["regionB"], r["namesA"], r["namesB"], r["shared"], r["jaccard"])
             for r in rows(client, "region-pair-overlap")]
    assert pairs == [("湖州市德清县", "衢州市", "60", "65", "28", "0.289"),
                     ("杭州市钱塘区", "衢州市", "63", "65", "6", "0.049"),
                     ("杭州市钱塘区", "湖州市德清县", "63", "60", "5", "0.042")]
    assert (shared["信用修复服务"]["items"], len(shared)) == ("4", 29)


def test_zhoushan_stages_units_and_key_task_profile(client):
    stages = rows(client, "measures-by-stage")
    assert stages[0]["stage"] == "长期实施"
    assert sum(int(r["measures"]) for r in stages) == 149
    units = rows(client, "responsible-units")
    assert units[0]["unit"] == "市发改委"
    assert {r["unit"]: r["asLead"] for r in units}["市税务局"] == "4"
    profile = {r["regionLabel"]: r for r in rows(client, "key-task-profile", task="1")}
    assert (profile["舟山市"]["localMeasures"], profile["舟山市"]["serviceItems"]) == ("4", "0")
    assert (profile["衢州市"]["rows"], profile["衢州市"]["serviceItems"]) == ("3", "3")


def test_unlinked_local_measures_general_tasks_and_detail(client):
    assert rows(client, "local-measures-without-provincial-link", region="330800") == []
    detail = {r["regionLabel"]: r for r in rows(client, "measure-detail-by-region")}
    unlinked = rows(client, "local-measures-without-provincial-link")
    by_region = {}
    for r in unlinked:
        by_region[r["regionLabel"]] = by_region.get(r["regionLabel"], 0) + 1
    # 舟山 prints no numbers: its measures left unlinked are those the alignment flags as 特色亮点
    assert int(detail["舟山市"]["measures"]) == 149
    assert by_region["舟山市"] == len(rows(client, "local-highlights", region="330900")) == 14
    general = rows(client, "general-tasks")
    assert [r["generalTask"] for r in general][:2] == ["强化资源要素支持", "鼓励拓展投资领域"]
    assert sum(int(r["keyTasks"]) for r in general) == 32
    assert sum(int(r["provincialMeasures"]) for r in general) == 146
    assert detail["衢州市"]["kind"] == "市级落实细则"


def test_validation_findings(client):
    first = client.get("/api/validation", query_string={"region": "330800"})
    body = first.json
    assert first.status_code == 200 and body["ok"] is True
    assert body["region"] == "330800" and body["generation"]
    assert {f.get("region") for f in body["results"]} <= {"330800", None}
    assert all(set(f) >= {"severity", "focus", "message"} for f in body["results"])
    again = client.get("/api/validation", query_string={"region": "330800"}).json
    assert again == body                                  # cached for this generation


def test_status_and_prefixes(client):
    status = client.get("/api/status").json
    assert status["mode"] == "local" and status["workers"] >= 1 and status["limits"]["timeout_s"] == 10.0
    assert status["writes"] is False
    assert client.get("/api/prefixes").json["pk"] == "https://w3id.org/policykg/def#"
