"""The web pages without a browser: headers, page config, strings, links, and the catalogue
queries the pages use, run on the store built from the document."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from policykg.core import iris
from policykg.core.namespaces import prefixes
from policykg.sparql import queries
from server.app import create_app
from server.i18n import STRINGS, strings, translate

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "server" / "static"
TEMPLATES = ROOT / "server" / "templates"
PAGES = ("/", "/coverage", "/validation")


@pytest.fixture(scope="module")
def client(built_store):
    app = create_app({"TESTING": True, "STORE_PATH": str(built_store)})
    return app.test_client()


def config_of(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="page-config">(.*?)</script>', html, re.S)
    assert m, "page config block missing"
    return json.loads(m.group(1))


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_csp_and_no_inline_script(client, path):
    resp = client.get(path)
    assert resp.status_code == 200
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp and "unsafe-inline" not in csp
    html = resp.get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    assert ' style="' not in html


@pytest.mark.parametrize("path", PAGES)
def test_every_asset_is_served_by_the_app(client, path):
    html = client.get(path).get_data(as_text=True)
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs
    for ref in refs:
        assert ref.startswith(("/", "#")) and not ref.startswith("//"), ref
        if ref.startswith("/static/"):
            assert client.get(ref).status_code == 200, ref


def test_stylesheets_fetch_nothing_from_elsewhere():
    for css in STATIC.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert "@import" not in text, css
        for url in re.findall(r"url\(([^)]*)\)", text):
            assert not re.match(r"""\s*['"]?(https?:)?//""", url), (css, url)


def test_vendored_codemirror_keeps_its_licence():
    vendor = STATIC / "vendor" / "codemirror"
    assert "MIT License" in (vendor / "LICENSE").read_text(encoding="utf-8")
    assert "codemirror 5.65.20" in (vendor / "VERSION").read_text(encoding="utf-8")
    for name in ("codemirror.js", "codemirror.css", "sparql.js", "show-hint.js", "show-hint.css"):
        assert (vendor / name).stat().st_size > 500


def test_query_page_config_declares_the_prefixes_and_ontology_terms(client):
    html = client.get("/").get_data(as_text=True)
    cfg = config_of(html)
    assert cfg["prefixes"] == prefixes()
    assert cfg["idBase"] == iris.key_task(1).rsplit("key-task/", 1)[0]
    terms = {t["name"]: t for t in cfg["terms"]}
    assert terms["pk:KeyTask"]["zh"] == "省级重点工作" and terms["pk:KeyTask"]["kind"] == "class"
    assert terms["pk:ServiceItem"]["zh"] == "服务事项"
    assert [r["code"] for r in cfg["listRegions"]] == ["330800", "330900", "330114", "330521"]  # 附件1–4
    assert cfg["listRegions"][2]["name"] == "杭州市钱塘区"
    # the pre-declared prefixes are listed on the page for the reader
    assert "&lt;https://w3id.org/policykg/def#&gt;" in html


def test_language_is_chinese_by_default_and_remembered(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "图谱查询" in html
    resp = client.get("/lang/en?next=/coverage")
    assert resp.status_code == 303 and resp.headers["Location"] == "/coverage"
    assert "lang=en" in resp.headers["Set-Cookie"]
    html = client.get("/coverage").get_data(as_text=True)
    assert '<html lang="en">' in html and "Coverage of the 32 key tasks by region" in html
    assert config_of(html)["strings"]["nav.query"] == "Query"
    client.get("/lang/zh")
    assert "各地承接32项重点工作的覆盖情况" in client.get("/coverage").get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "javascript:alert(1)", "evil"])
def test_language_switch_never_redirects_elsewhere(client, target):
    resp = client.get("/lang/en", query_string={"next": target})
    assert resp.headers["Location"] == "/"


def test_unknown_language_falls_back_to_chinese(client):
    client.set_cookie("lang", "fr")
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)
    client.delete_cookie("lang")


def test_every_string_has_chinese_and_english():
    for key, (zh, en) in STRINGS.items():
        assert zh.strip() and en.strip(), key
        assert set(re.findall(r"\{(\w+)\}", zh)) == set(re.findall(r"\{(\w+)\}", en)), key
    assert translate("results.rows", "zh", n=32) == "32 行"
    assert translate("results.rows", "en", n=32) == "32 rows"
    assert strings("xx")["nav.query"] == "查询"


def test_every_string_key_used_by_templates_and_scripts_exists():
    used = set()
    for path in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(['"]([\w.]+)['"]""", path.read_text(encoding="utf-8")))
    for path in (STATIC / "js").glob("*.js"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bt\(\s*['"]([\w.]+)['"]""", text))
    dynamic = {k for k in STRINGS if k.startswith(("validation.severity.", "query.group."))}
    assert used, "no keys found"
    used = {k for k in used if not k.endswith(".")}
    assert sorted(used - set(STRINGS)) == []
    assert sorted(set(STRINGS) - used - dynamic) == []


def test_coverage_query_counts_every_region_and_key_task(built_read_only):
    res = queries.run(built_read_only, queries.get("page-key-task-coverage").text)
    regions = {r["code"] for r in res.values()}
    lists = queries.run(built_read_only, "SELECT DISTINCT ?r WHERE { ?t a pk:SourceTable ; pk:region ?r }")
    assert len(regions) == len(lists.rows) >= 1
    assert len(res.rows) == 32 * len(regions)
    cell = next(r for r in res.values() if r["code"] == "330800" and r["n"] == "1")
    items = queries.run(built_read_only, "SELECT * WHERE { ?i a pk:ServiceItem ; pk:region ?r ; pk:keyTask ?k }",
                        substitutions={"r": f"<{iris.region('330800')}>", "k": f"<{iris.key_task(1)}>"})
    assert int(cell["items"]) == len(items.rows) > 0
    assert cell["keyTaskLabel"] == "强化财税政策保障" and cell["regionLabel"] == "衢州市"


def test_rows_for_key_task_binds_region_and_task(built_read_only):
    q = queries.get("page-rows-for-key-task")
    assert set(q.params) == {"region", "task"}
    res = queries.run(built_read_only, q.text, substitutions={"region": "330800", "task": "5"})
    rows = {r["row"] for r in res.values()}
    expected = queries.run(built_read_only, "SELECT * WHERE { ?row a pk:SourceRow ; pk:region ?r ; pk:keyTask ?k }",
                           substitutions={"r": f"<{iris.region('330800')}>", "k": f"<{iris.key_task(5)}>"})
    assert rows == {r["row"] for r in expected.values()} and rows
    assert all(r.startswith(iris.region("330800") + "/row/") for r in rows)
    none = queries.run(built_read_only, q.text, substitutions={"region": "330800", "task": "99"})
    assert none.rows == []
