"""Issue 16: every load is a version — history, diffs by content, as-of queries, revert, the
change feed and the history page, on 衢州市's real list and two edited later versions."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from versions_support import CODE, INSERTED_ITEM, NEW_ITEM, exported_rows, second_version, third_version, write_csv

from loaders.build import build
from loaders.export import version_rows
from loaders.load import load_region
from policykg import versions
from policykg.asof import snapshot
from policykg.cli import main
from policykg.core import iris
from policykg.core.errors import LoadError
from policykg.diff import diff
from policykg.graph.store import open_read_only
from policykg.revert import revert
from policykg.sparql import queries

ROWS = f"SELECT (COUNT(?r) AS ?n) WHERE {{ GRAPH <{iris.region_graph(CODE)}> {{ ?r a pk:SourceRow }} }}"
ITEM = ("SELECT ?n WHERE { GRAPH <%s> { ?s a pk:ServiceItem ; rdfs:label ?l ; pk:sourceRow/pk:rowNumber ?n } "
        "FILTER(STR(?l) = \"%s\") }")


def _one(store, text: str):
    vals = queries.run(store, text).values()
    return [next(iter(v.values())) for v in vals]


@pytest.fixture(scope="module")
def vstore(tmp_path_factory):
    """A store built from data/, then 衢州 loaded twice more (v2: edited; v3: renumbered)."""
    tmp = tmp_path_factory.mktemp("versions")
    root = tmp / "store"
    build(root)
    header, body = exported_rows(root)
    v2 = second_version(header, body)
    f2 = write_csv(tmp / "quzhou-v2.csv", header, v2)
    f3 = write_csv(tmp / "quzhou-v3.csv", header, third_version(header, body, v2))
    r2 = load_region(root, f2, CODE, note="第二版：改一格、删一行、加一行", date="2024-06-28")
    again = load_region(root, f2, CODE)
    r3 = load_region(root, f3, CODE)
    return {"root": root, "f2": f2, "f3": f3, "r2": r2, "again": again, "r3": r3, "header": header, "body": body,
            "v2": v2, "tmp": tmp}


def test_build_makes_version_1_of_each_region(vstore):
    root = vstore["root"]
    assert versions.regions_with_history(root) == ["330114", "330521", "330800", "330900"]
    for code, rows in {"330114": 70, "330521": 107, "330900": 33}.items():   # 舟山: 33 printed rows (issue 13)
        (v,) = versions.history(root, code)
        assert (v.version, v.action, v.rows, v.source) == (1, "build", rows, "000_ae2937e95410f861.txt")


def test_history(vstore):
    root, hist = vstore["root"], versions.history(vstore["root"], CODE)
    assert [(v.version, v.rows, v.action) for v in hist] == [(1, 93, "build"), (2, 93, "load"), (3, 94, "load")]
    assert [v.source for v in hist] == ["000_ae2937e95410f861.txt", "quzhou-v2.csv", "quzhou-v3.csv"]
    assert hist[1].sha256 == versions.file_sha256(vstore["f2"]) and hist[2].sha256 == versions.file_sha256(vstore["f3"])
    assert hist[1].note == "第二版：改一格、删一行、加一行" and hist[1].date == "2024-06-28"
    assert hist[1].previous == 1 and hist[2].previous == 2
    assert [v.loaded for v in hist] == sorted(v.loaded for v in hist)
    assert vstore["r2"].version == 2 and vstore["r3"].version == 3
    assert versions.committed(root)[CODE] == 3
    # the region's usual graph is the current version (v3: 94 rows), version graphs stay out of it
    assert _one(open_read_only(root), ROWS) == ["94"]


def test_identical_load_makes_no_version_and_says_so(vstore):
    again = vstore["again"]
    assert again.unchanged and again.version == 2
    assert "未创建新版本" in again.summary() and "no new version" in again.summary()


def test_history_cli_json(vstore):
    res = CliRunner().invoke(main, ["history", CODE, "--format", "json", "--store", str(vstore["root"])])
    assert res.exit_code == 0, res.output
    items = json.loads(res.output)
    assert [list(i)[:6] for i in items] == [["version", "loaded", "sha256", "source", "rows", "note"]] * 3
    assert [(i["version"], i["rows"], i["source"], i["note"]) for i in items] == [
        (1, 93, "000_ae2937e95410f861.txt", None), (2, 93, "quzhou-v2.csv", "第二版：改一格、删一行、加一行"),
        (3, 94, "quzhou-v3.csv", None)]
    text = CliRunner().invoke(main, ["history", CODE, "--store", str(vstore["root"])]).output
    assert text.splitlines()[2].startswith("*v3")


def test_diff_one_cell_one_row_removed_one_added(vstore):
    d = diff(vstore["root"], CODE, 1, 2, rows_of=version_rows)
    assert (d["from"], d["to"]) == (1, 2)
    assert d["changed"] == [{"row": 5, "fields": {"三级事项": {"old": "天使基金", "new": "天使基金（线上办理）"}}}]
    assert [r["row"] for r in d["added"]] == [94] and d["added"][0]["三级事项"] == NEW_ITEM
    assert d["added"][0]["一级事项"] == "涉企服务" and d["added"][0]["承接板块"] == "诉求（兜底）服务板块"
    assert [r["row"] for r in d["removed"]] == [50]
    assert d["removed"][0]["三级事项"] == "展会费用补助"
    assert d["removed"][0]["省级重点工作"] == "（十七）实施“千团万企”行动助力民营企业拓市场"
    assert set(d["removed"][0]) == {"row", *vstore["header"][1:]}      # the list's own headers
    assert d["renumbered"] == []
    assert d["derived"]["service_items"] == [
        {"key_task": 2, "added": ["天使基金（线上办理）"], "removed": ["天使基金"]},
        {"key_task": 17, "added": [], "removed": ["展会费用补助"]},
        {"key_task": 31, "added": [NEW_ITEM], "removed": []}]
    assert d["derived"]["provincial_measures"] == {"covered": [], "lost": []}


def test_diff_insert_and_renumber(vstore):
    d = diff(vstore["root"], CODE, rows_of=version_rows)                    # default: previous (2) to current (3)
    assert (d["from"], d["to"]) == (2, 3)
    assert [r["row"] for r in d["added"]] == [1] and d["added"][0]["三级事项"] == INSERTED_ITEM
    assert d["removed"] == [] and d["changed"] == []
    v2_numbers = [int(r[0]) for r in vstore["v2"]]
    assert len(v2_numbers) == 93 and 50 not in v2_numbers
    assert d["renumbered"] == [{"from": n, "to": n + 1} for n in v2_numbers]
    assert d["derived"]["service_items"] == [{"key_task": 1, "added": [INSERTED_ITEM], "removed": []}]


def test_diff_cli_formats(vstore):
    root = str(vstore["root"])
    res = CliRunner().invoke(main, ["diff", CODE, "--from", "1", "--to", "2", "--format", "json", "--store", root])
    data = json.loads(res.output)
    assert {"from", "to", "added", "removed", "changed", "renumbered"} <= set(data)
    text = CliRunner().invoke(main, ["diff", CODE, "--from", "1", "--to", "2", "--store", root]).output
    assert text.startswith("330800 v1 → v2：新增 1 行，删除 1 行，修改 1 行，重新编号 0 行")
    assert "三级事项: '天使基金' → '天使基金（线上办理）'" in text
    html = CliRunner().invoke(main, ["diff", CODE, "--from", "1", "--to", "2", "--format", "html", "--store", root])
    assert "<tr class='added'><td>+</td><td>94</td>" in html.output and "<tr class='removed'><td>−</td><td>50</td>" in html.output
    out = vstore["tmp"] / "d.xlsx"
    CliRunner().invoke(main, ["diff", CODE, "--from", "1", "--to", "2", "--format", "xlsx", "-o", str(out), "--store", root])
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert [c.value for c in wb["修改 changed"][2]] == [5, "三级事项", "天使基金", "天使基金（线上办理）"]
    bad = CliRunner().invoke(main, ["diff", CODE, "--from", "9", "--store", root])
    assert bad.exit_code == 2 and "没有第 9 版" in bad.output


def test_as_of(vstore):
    root = vstore["root"]
    v1, v2, v3 = versions.history(root, CODE)
    at1, at2 = snapshot(root, v1.loaded), snapshot(root, v2.loaded)
    assert _one(at1, ROWS) == ["93"] and _one(at2, ROWS) == ["93"] and _one(snapshot(root, v3.loaded), ROWS) == ["94"]
    g = iris.region_graph(CODE)
    assert _one(at1, ITEM % (g, "天使基金")) == ["5", "40"] and _one(at1, ITEM % (g, NEW_ITEM)) == []
    assert _one(at2, ITEM % (g, "天使基金")) == ["40"] and _one(at2, ITEM % (g, NEW_ITEM)) == ["94"]
    assert _one(open_read_only(root), ITEM % (g, NEW_ITEM)) == ["95"]        # v3 renumbered it
    # the derived statistics are recounted for that time: region-summary answers from them
    res = CliRunner().invoke(main, ["query", "region-summary", "--format", "json", "--as-of", v1.loaded,
                                    "--store", str(root)])
    assert res.exit_code == 0, res.output
    rows = {b["region"]["value"]: b["rows"]["value"] for b in json.loads(res.output)["results"]["bindings"]}
    cur = CliRunner().invoke(main, ["query", "region-summary", "--format", "json", "--store", str(root)])
    rows_now = {b["region"]["value"]: b["rows"]["value"] for b in json.loads(cur.output)["results"]["bindings"]}
    assert rows == {"330114": "70", "330521": "107", "330800": "93", "330900": "33"}   # 舟山: 33 printed rows (issue 13)
    assert rows_now == {**rows, "330800": "94"}
    # before the first build: nothing
    assert _one(snapshot(root, "2000-01-01"), ROWS) == ["0"]
    bad = CliRunner().invoke(main, ["query", "key-tasks", "--as-of", "yesterday", "--store", str(root)])
    assert bad.exit_code == 2 and "ISO 8601" in bad.output


def test_updated_since(vstore):
    root = str(vstore["root"])
    res = CliRunner().invoke(main, ["validate", "--updated-since", "2024-06-30", "--format", "json", "--store", root])
    assert res.exit_code == 0 and json.loads(res.output) == []
    far = CliRunner().invoke(main, ["validate", "--updated-since", "2999-06-30", "--store", root])
    assert far.exit_code == 1 and far.output.startswith("4 个地区的当前清单早于 2999-06-30")


def test_failed_load_makes_no_version(vstore, tmp_path):
    root = vstore["root"]
    before = [v.version for v in versions.history(root, CODE)]
    bad = tmp_path / "bad.csv"
    header, body = vstore["header"], vstore["body"]
    rows = [list(r) for r in body]
    rows[3][header.index("承接板块")] = ""
    write_csv(bad, header, rows)
    with pytest.raises(LoadError, match="承接板块"):
        load_region(root, bad, CODE)
    assert [v.version for v in versions.history(root, CODE)] == before


def test_change_feed(vstore, monkeypatch):
    from server import changes
    from server.app import create_app

    root = vstore["root"]
    client = create_app({"STORE_PATH": str(root), "TESTING": True}).test_client()
    resp = client.get("/changes")
    assert resp.status_code == 200 and resp.mimetype == "text/turtle"
    from pyoxigraph import RdfFormat, parse

    triples = [q.triple for q in parse(resp.data, format=RdfFormat.TURTLE)]
    members = {t.object.value for t in triples if t.predicate.value == changes.TREE + "member"}
    assert len(members) == sum(len(versions.history(root, c)) for c in versions.regions_with_history(root))
    v2 = versions.version_graph(CODE, 2)
    about = {(t.predicate.value, t.object.value) for t in triples if t.subject.value == v2}
    assert (changes.DCT + "isVersionOf", iris.region_graph(CODE)) in about
    assert (changes.PROV + "wasRevisionOf", versions.version_graph(CODE, 1)) in about
    assert (changes.DCT + "issued", "2024-06-28") in about
    assert any(p == changes.LDES + "versionOfPath" and o == changes.DCT + "isVersionOf" for p, o in
               {(t.predicate.value, t.object.value) for t in triples})
    jl = client.get("/changes", headers={"Accept": "application/ld+json"})
    assert jl.status_code == 200 and jl.mimetype == "application/ld+json" and v2 in jl.get_data(as_text=True)
    # paged: follow the tree relations and meet every member once
    monkeypatch.setattr(changes, "PAGE_SIZE", 3)
    monkeypatch.setattr(changes.feed, "__defaults__", (3,))
    seen, url = [], "/changes?page=0"
    while url:
        page = [q.triple for q in parse(client.get(url).data, format=RdfFormat.TURTLE)]
        seen += [t.object.value for t in page if t.predicate.value == changes.TREE + "member"]
        nxt = [t.object.value for t in page if t.predicate.value == changes.TREE + "node"]
        url = nxt[0].replace("http://localhost", "") if nxt else None
    assert sorted(seen) == sorted(members) and len(seen) == len(members)
    assert client.get("/changes?page=99").status_code == 404
    # the member's graph, by its link
    g = client.get("/rdf-graphs/service", query_string={"graph": v2}, headers={"Accept": "application/n-triples"})
    assert g.status_code == 200 and g.data.count(b"\n") == versions.get(root, CODE, 2).triples


def test_history_page(vstore):
    from server.app import create_app

    client = create_app({"STORE_PATH": str(vstore["root"]), "TESTING": True}).test_client()
    page = client.get("/history/330800?from=1&to=2").get_data(as_text=True)
    assert "衢州市（330800）清单版本历史" in page
    assert "<tr class='added'><td>+</td><td>94</td>" in page and "<tr class='removed'><td>−</td><td>50</td>" in page
    assert "<td class='old'>天使基金</td><td class='new'>天使基金（线上办理）</td>" in page
    assert client.get("/history/330100").status_code == 404
    assert "/history/330800" in client.get("/history").get_data(as_text=True)


def test_as_of_on_the_endpoint(vstore):
    from server_support import app_for

    root = vstore["root"]
    v1, v2, v3 = versions.history(root, CODE)
    client = app_for(root).test_client()

    def rows(**extra):
        resp = client.get("/sparql", query_string={"query": "PREFIX pk: <https://w3id.org/policykg/def#> " + ROWS,
                                                   **extra})
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp.json["results"]["bindings"][0]["n"]["value"]

    assert rows() == "94"
    assert rows(**{"as-of": v1.loaded}) == "93" and rows(**{"as-of": v3.loaded}) == "94"
    assert rows(**{"as-of": "2000-01-01"}) == "0"
    bad = client.get("/sparql", query_string={"query": "ASK {}", "as-of": "not-a-date"})
    assert bad.status_code == 400 and "ISO 8601" in bad.get_data(as_text=True)


def test_report_says_what_changed(vstore, tmp_path):
    from policykg.report import write_report

    root = vstore["root"]
    out = write_report(root, tmp_path / "r.html", since="v1", deadline="2999-06-30", rows_of=version_rows)
    html = out.read_text(encoding="utf-8")
    assert "清单更新与版本" in html and "4 个地区的当前清单早于该日期" in html
    assert "330800 v1 → v3：新增 2 行，删除 1 行，修改 1 行，重新编号 91 行" in html
    assert "舟山市（330900）：无变化（仍为 v1）" in html
    by_date = write_report(root, tmp_path / "d.html", since=versions.get(root, CODE, 2).loaded, deadline="2000-01-01",
                           rows_of=version_rows)
    text = by_date.read_text(encoding="utf-8")
    assert "330800 v2 → v3：新增 1 行，删除 0 行，修改 0 行，重新编号 93 行" in text
    assert "0 个地区的当前清单早于该日期" in text


def test_revert(vstore):
    """Last: appends v4 = v1 (history only grows); reverting again makes nothing."""
    root = vstore["root"]
    made = revert(root, CODE, 1)
    assert made is not None and made.version == 4 and made.reverted_from == 1 and made.action == "revert"
    hist = versions.history(root, CODE)
    assert [v.version for v in hist] == [1, 2, 3, 4] and hist[3].content == hist[0].content
    assert _one(open_read_only(root), ROWS) == ["93"]
    g = iris.region_graph(CODE)
    assert _one(open_read_only(root), ITEM % (g, "天使基金")) == ["5", "40"]
    d = diff(root, CODE, 1, 4, rows_of=version_rows)
    assert d["added"] == d["removed"] == d["changed"] == d["renumbered"] == []
    assert revert(root, CODE, 1) is None
    res = CliRunner().invoke(main, ["revert", CODE, "--to", "3", "--store", str(root)])
    assert res.exit_code == 0 and "v5 = v3" in res.output
    assert _one(open_read_only(root), ROWS) == ["94"]
    # loading v2's file again is a change from v5 (= v3), so it is a new version
    assert load_region(root, vstore["f2"], CODE).version == 6
