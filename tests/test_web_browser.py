"""The web pages in a real browser: Debian's headless Chromium driven by Playwright.

One server (werkzeug, loopback, free port) on a store built from data/ plus one planted
``<script>`` literal; one browser for the module. Every request the pages make is recorded
and must go to that server. Screenshots at 1280 and 390 px go to test-artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from policykg.core import iris

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
QUZHOU = iris.region("330800")
TASK1 = iris.key_task(1)
MAX_ROWS = 500
BROKEN = ["SELECT * WHERE {", "  ?s ?p ?o .", "  FILTR(?s)", "}"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    playwright_api = pytest.importorskip("playwright.sync_api")
    import web_support as ws

    from policykg.graph.store import open_read_only
    from policykg.sparql import queries
    from server.app import create_app

    root = ws.build_test_store(tmp_path_factory.mktemp("webstore") / "store")
    app = create_app({"TESTING": True, "STORE_PATH": str(root), "MAX_ROWS": MAX_ROWS})
    standins = ws.add_missing_api(app)
    store = open_read_only(root)
    with ws.ServerThread(app) as server, playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        state = {"url": server.url, "browser": browser, "requests": [], "console": [], "store": store,
                 "queries": queries, "standins": standins}
        yield state
        browser.close()


@pytest.fixture()
def page(site):
    context = site["browser"].new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.on("request", lambda r: site["requests"].append(r.url))
    context.set_default_timeout(10_000)
    pg = context.new_page()
    pg.on("console", lambda m: site["console"].append((m.type, m.text)))
    pg.on("pageerror", lambda e: site["console"].append(("pageerror", str(e))))
    yield pg
    context.close()


def count(site, text: str) -> int:
    return len(site["queries"].run(site["store"], text).rows)


def run_question(pg, name: str) -> None:
    pg.locator(f'.q-card[data-name="{name}"]').click()
    pg.wait_for_selector("#row-count")


def rows(pg) -> int:
    return int(pg.locator("#row-count").get_attribute("data-rows"))


def type_query(pg, lines: list[str]) -> None:
    """Type into the editor as a user would; Escape closes the completion list before a newline."""
    pg.locator(".CodeMirror").click()
    pg.keyboard.press("Control+A")
    pg.keyboard.press("Delete")
    for i, line in enumerate(lines):
        pg.keyboard.type(line)
        pg.keyboard.press("Escape")
        if i < len(lines) - 1:
            pg.keyboard.press("Enter")


def test_catalogue_question_key_tasks_gives_32_rows(site, page, artifacts):
    page.goto(site["url"] + "/")
    page.wait_for_selector('.q-card[data-name="key-tasks"]')
    assert page.locator(".q-card").count() == len(site["queries"].catalogue())
    run_question(page, "key-tasks")
    expected = count(site, site["queries"].get("key-tasks").text)
    assert expected == 32  # the document's 32 key tasks
    assert rows(page) == 32
    assert page.locator("#results-table tbody tr").count() == 32
    table = page.locator("#results-table").inner_text()
    assert "强化财税政策保障" in table and "建立健全“四个定期”调度评估工作机制" in table
    assert re.search(r"\d+ 毫秒", page.locator("#results-status").inner_text())
    assert page.locator('.q-card[data-name="key-tasks"]').get_attribute("aria-pressed") == "true"
    page.screenshot(path=str(artifacts / "web-query-1280.png"), full_page=True)


def test_sorting_a_column(site, page):
    page.goto(site["url"] + "/#run=key-tasks")
    page.wait_for_selector("#row-count")
    header = page.locator("#results-table th.num").first   # the key task's number column
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    numbers = page.locator("#results-table tbody td.num").all_inner_texts()
    assert numbers[:3] == ["32", "31", "30"]


def test_syntax_error_shows_the_endpoint_message_and_position(site, page, artifacts):
    page.goto(site["url"] + "/")
    page.wait_for_selector("body[data-ready]")
    type_query(page, BROKEN)
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#error-box:not([hidden])")
    message = page.locator("#error-message").inner_text()
    assert "3:" in message or "第 3 行" in message  # the parser's own words name line 3
    assert "第 3 行" in page.locator("#error-position").inner_text()
    assert page.locator(".cm-syntax-error").count() == 1
    mark_line = page.locator(".CodeMirror-line:has(.cm-syntax-error)").inner_text()
    assert "FILTR" in mark_line
    assert page.locator("#download-csv").is_disabled()
    page.screenshot(path=str(artifacts / "web-error-1280.png"))


def test_completion_offers_ontology_terms_with_chinese_labels(site, page):
    page.goto(site["url"] + "/")
    page.wait_for_selector("body[data-ready]")
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("?s a pk:KeyT")
    hints = page.locator(".CodeMirror-hints")
    hints.wait_for()
    assert "pk:KeyTask" in hints.inner_text() and "省级重点工作" in hints.inner_text()
    page.keyboard.press("Tab")                      # Tab takes the suggestion
    assert page.evaluate("PK.query.getText()") == "?s a pk:KeyTask"
    page.keyboard.type(" ;\n  pk:numb")
    page.locator(".CodeMirror-hints").wait_for()
    page.keyboard.press("Enter")                    # Enter is a new line, not a pick
    assert page.evaluate("PK.query.getText()").rstrip(" ").endswith("pk:numb\n")


QUICK_KEY = """([key, code]) => {
  const cm = document.querySelector(".CodeMirror").CodeMirror;
  cm.replaceSelection("e", null, "+input");   // the hint list is now waiting for the next frame
  const event = {type: "keydown", key, keyCode: code, which: code, defaultPrevented: false,
                 preventDefault() { this.defaultPrevented = true; }, stopPropagation() {}};
  cm.triggerOnKeyDown(event);                 // same task: no frame can run in between
  return [cm.getValue(), document.activeElement === cm.getInputField()];
}"""


def open_hints_on(page, site, text):
    page.goto(site["url"] + "/")
    page.wait_for_selector("body[data-ready]")
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)
    page.locator(".CodeMirror-hints").wait_for()


def test_enter_right_after_a_keystroke_is_a_new_line_not_a_pick(site, page):
    # show-hint disables its list until the next animation frame after each keystroke and turns
    # an Enter in that window into a pick: a fast typist would lose the Enter or get pk:number.
    open_hints_on(page, site, "?s pk:numb")
    text, focused = page.evaluate(QUICK_KEY, ["Enter", 13])
    assert text.rstrip(" ") == "?s pk:numbe\n" and focused
    page.wait_for_timeout(100)                  # let the pending frame run: nothing is picked late
    assert page.evaluate("PK.query.getText()").rstrip(" ") == "?s pk:numbe\n"
    assert page.locator(".CodeMirror-hints").count() == 0


def test_tab_right_after_a_keystroke_takes_the_suggestion(site, page):
    open_hints_on(page, site, "?s pk:numb")
    text, focused = page.evaluate(QUICK_KEY, ["Tab", 9])
    assert text == "?s pk:number" and focused   # not "pk:numbe" with the focus gone


def test_literal_with_script_tag_is_shown_as_text(site, page):
    import web_support as ws

    page.goto(site["url"] + "/")
    page.wait_for_selector("body[data-ready]")
    page.evaluate("t => PK.query.setText(t)",
                  'SELECT ?item ?label WHERE { ?item rdfs:label ?label FILTER(CONTAINS(?label, "<script>")) }')
    page.locator("#run-button").click()
    page.wait_for_selector("#row-count")
    assert rows(page) == 1
    cells = page.locator("#results-table tbody td")
    assert ws.XSS_TITLE in cells.nth(2).inner_text()
    assert ws.XSS_TITLE in cells.nth(1).inner_text()      # the IRI cell shows the label, as text
    assert page.locator("#results-table script").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_iris_link_to_local_entity_pages(site, page):
    page.goto(site["url"] + "/")
    page.wait_for_selector("body[data-ready]")
    page.evaluate("t => PK.query.setText(t)", "SELECT ?kt WHERE { ?kt a pk:KeyTask ; pk:number 26 }")
    page.locator("#run-button").click()
    page.wait_for_selector("#row-count")
    link = page.locator("#results-table tbody a").first
    assert link.get_attribute("href") == "/id/key-task/26"
    assert link.inner_text() == "推动政务服务增值化改革"   # the label, not the IRI
    link.click()
    page.wait_for_load_state()
    assert page.url.endswith("/id/key-task/26")
    assert page.locator("#entity-label").inner_text() == "推动政务服务增值化改革"


def test_share_link_reopens_and_reruns(site, page):
    page.goto(site["url"] + "/")
    page.wait_for_selector("body[data-ready]")
    text = "SELECT ?n WHERE { ?kt a pk:KeyTask ; pk:number ?n FILTER(?n <= 5) } ORDER BY ?n"
    page.evaluate("t => PK.query.setText(t)", text)
    page.locator("#share-button").click()
    href = page.locator("#share-link").get_attribute("href")
    assert "#query=" in href
    other = page.context.new_page()
    other.goto(href)
    other.wait_for_selector("#row-count")
    assert rows(other) == 5
    assert other.evaluate("PK.query.getText()") == text
    other.goto(site["url"] + "/?query=" + "ASK%20%7B%20%3Fs%20a%20pk%3AKeyTask%20%7D")
    other.wait_for_selector("#row-count")
    assert "true" in other.locator("#results-body").inner_text()


def test_truncated_result_is_flagged(site, page):
    page.goto(site["url"] + "/")
    page.wait_for_selector("body[data-ready]")
    page.evaluate("t => PK.query.setText(t)", "SELECT * WHERE { ?s ?p ?o }")
    page.locator("#run-button").click()
    page.wait_for_selector("#row-count")
    assert rows(page) == MAX_ROWS
    assert f"只显示前 {MAX_ROWS} 行" in page.locator("#results-body .notice").inner_text()


def test_construct_result_is_shown_as_triples(site, page):
    page.goto(site["url"] + "/")
    page.wait_for_selector("body[data-ready]")
    page.evaluate("t => PK.query.setText(t)",
                  "CONSTRUCT { ?kt rdfs:label ?l } WHERE { ?kt a pk:KeyTask ; rdfs:label ?l ; pk:number 26 }")
    page.locator("#run-button").click()
    page.wait_for_selector("#results-body pre.graph-text")
    assert "推动政务服务增值化改革" in page.locator("#results-body pre").inner_text()
    assert "1 个三元组" in page.locator("#results-status").inner_text()


def test_download_csv_and_json(site, page):
    page.goto(site["url"] + "/#run=key-tasks")
    page.wait_for_selector("#row-count")
    with page.expect_download() as dl:
        page.locator("#download-csv").click()
    csv_text = Path(dl.value.path()).read_bytes().decode("utf-8-sig")
    lines = csv_text.strip().split("\r\n")
    assert len(lines) == 33                       # header + 32 key tasks
    assert "强化财税政策保障" in lines[1]
    with page.expect_download() as dl:
        page.locator("#download-json").click()
    import json

    data = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    assert len(data["results"]["bindings"]) == 32
    values = [v["value"] for b in data["results"]["bindings"] for v in b.values()]
    assert "推动政务服务增值化改革" in values


def test_downloaded_csv_is_the_endpoints_csv_blank_nodes_included(site, page):
    import urllib.parse
    import urllib.request

    text = "SELECT ?dsd ?c WHERE { ?dsd qb:component ?c } ORDER BY ?dsd LIMIT 3"
    page.goto(site["url"] + "/")
    page.wait_for_selector("body[data-ready]")
    page.evaluate("t => PK.query.setText(t)", text)
    page.locator("#run-button").click()
    page.wait_for_selector("#row-count")
    with page.expect_download() as dl:
        page.locator("#download-csv").click()
    downloaded = Path(dl.value.path()).read_bytes().decode("utf-8-sig")
    request = urllib.request.Request(site["url"] + "/sparql?" + urllib.parse.urlencode({"query": text}),
                                     headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request) as resp:
        endpoint = resp.read().decode("utf-8")
    rows = downloaded.strip().split("\r\n")[1:]
    assert len(rows) == 3 and all(r.split(",")[1].startswith("_:") for r in rows)
    # the same labels: blank nodes stored in the graph keep their ids from query to query
    assert downloaded == endpoint


def test_coverage_heatmap_and_cell_link(site, page, artifacts):
    page.goto(site["url"] + "/coverage")
    page.wait_for_selector("#coverage-table")
    regions = count(site, "SELECT DISTINCT ?r WHERE { ?t a pk:SourceTable ; pk:region ?r }")
    assert page.locator("#coverage-table tbody tr").count() == 32
    assert page.locator("#coverage-table thead th").count() == 2 + regions   # key task, regions, 覆盖地区
    covered = page.locator("#coverage-table tbody td.covered").all()
    assert len(covered) == 32 and all(0 <= int(c.get_attribute("data-covered")) <= regions for c in covered)
    covering_task1 = count(site, "SELECT DISTINCT ?r WHERE { VALUES ?c { pk:ServiceItem pk:LocalMeasure } "
                                 f"?x a ?c ; pk:region ?r ; pk:keyTask <{TASK1}> }}")
    assert int(covered[0].get_attribute("data-covered")) == covering_task1
    assert "衢州市" in page.locator("#coverage-table thead").inner_text()
    # Each cell's counts are what the store says for that region and key task.
    cell = page.locator('#coverage-table a[data-region="330800"][data-task="1"]')
    items = count(site, f"SELECT ?i WHERE {{ ?i a pk:ServiceItem ; pk:region <{QUZHOU}> ; pk:keyTask <{TASK1}> }}")
    assert int(cell.get_attribute("data-items")) == items
    page.screenshot(path=str(artifacts / "web-coverage-1280.png"), full_page=True)
    cell.click()
    page.wait_for_selector("#row-count")
    assert "run=page-rows-for-key-task" in page.url
    assert page.locator("#param-region").input_value() == "330800"
    assert page.locator("#param-task").input_value() == "1"
    rows_expected = count(site, f"SELECT ?row WHERE {{ ?row a pk:SourceRow ; pk:region <{QUZHOU}> ; pk:keyTask <{TASK1}> }}")
    shown = set(page.locator("#results-table tbody tr td:nth-child(2) a").all_inner_texts())
    assert len(shown) == rows_expected
    page.screenshot(path=str(artifacts / "web-rows-for-cell-1280.png"), full_page=True)


def test_validation_view_groups_by_region_and_severity(site, page, artifacts):
    findings = page.request.get(site["url"] + "/api/validation").json()["results"]
    page.goto(site["url"] + "/validation")
    page.wait_for_selector("body[data-ready]")
    assert page.locator("#validation-status").inner_text() == f"共 {len(findings)} 条问题"
    regions = {str(f["region"]) for f in findings if f.get("region")}
    assert page.locator(".finding-group").count() == len(regions) + any(not f.get("region") for f in findings)
    assert "衢州市" in page.locator("#region-330800 h2").inner_text()
    shown_rows = page.locator(".finding-group tbody tr").count()
    assert shown_rows == len(findings)
    violations = [f for f in findings if f["severity"].endswith("Violation")]
    page.screenshot(path=str(artifacts / "web-validation-1280.png"), full_page=True)
    page.select_option("#severity-filter", "Violation")
    assert page.locator(".finding-group tbody tr").count() == len(violations)
    assert page.locator(".finding-group").count() == len({str(f.get("region")) for f in violations})
    if violations:   # the focus node links to its entity page
        first = page.locator(".finding-group tbody tr").first.locator("a").first
        assert first.get_attribute("href").startswith("/id/region/")


def test_language_switch_is_remembered(site, page):
    page.goto(site["url"] + "/#run=key-tasks")
    page.wait_for_selector("#row-count")
    assert page.locator(".site-nav a").first.inner_text() == "查询"
    page.locator("#lang-switch").click()
    page.wait_for_selector("#row-count")            # back on the same question, run again
    assert page.url.endswith("/#run=key-tasks")
    assert page.locator("#row-count").inner_text() == "32 rows"
    assert page.locator(".site-nav a").first.inner_text() == "Query"
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(site["url"] + "/coverage")
    assert page.locator("h1").inner_text() == "Coverage of the 32 key tasks by region"
    page.wait_for_selector("#coverage-table")
    page.screenshot(path=str(Path(__file__).resolve().parent.parent / "test-artifacts" / "web-coverage-en-1280.png"))
    page.locator("#lang-switch").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "各地承接32项重点工作的覆盖情况"


def test_keyboard_reaches_gallery_and_runs(site, page):
    page.goto(site["url"] + "/")
    page.wait_for_selector('.q-card[data-name="key-tasks"]')
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.dataset.name || document.activeElement.id || ''"))
        if seen[-1] == "key-tasks":
            break
    assert "key-tasks" in seen
    page.keyboard.press("Enter")
    page.wait_for_selector("#row-count")
    assert rows(page) == 32


def test_narrow_screen_390px(site, artifacts):
    context = site["browser"].new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    context.on("request", lambda r: site["requests"].append(r.url))
    pg = context.new_page()
    pg.goto(site["url"] + "/#run=key-tasks")
    pg.wait_for_selector("#row-count")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    pg.screenshot(path=str(artifacts / "web-query-390.png"), full_page=True)
    pg.goto(site["url"] + "/coverage")
    pg.wait_for_selector("#coverage-table")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    pg.screenshot(path=str(artifacts / "web-coverage-390.png"), full_page=True)
    pg.goto(site["url"] + "/validation")
    pg.wait_for_selector("body[data-ready]")
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    pg.screenshot(path=str(artifacts / "web-validation-390.png"), full_page=True)
    context.close()


def test_zz_no_request_left_the_server_and_no_csp_violation(site):
    """Runs last in the module: everything the pages fetched came from the app itself."""
    assert site["requests"], "no request recorded"
    own = urlsplit(site["url"]).netloc
    foreign = [u for u in site["requests"] if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != own]
    assert foreign == []
    expected_400 = "status of 400"   # the syntax-error test's answer from /sparql
    problems = [m for m in site["console"]
                if (m[0] in ("error", "pageerror") and expected_400 not in m[1]) or "Content Security Policy" in m[1]]
    assert problems == []
