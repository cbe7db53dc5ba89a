"""The 办件 page in a real browser (Debian's headless Chromium via Playwright), on a store with the
crafted 衢州 file loaded: the figures, the charts, the bottleneck table, the period filter."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from test_handling_load import CRAFTED, write_csv

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    playwright_api = pytest.importorskip("playwright.sync_api")
    import web_support as ws

    from loaders.build import build
    from loaders.handling import load_file
    from server.app import create_app

    tmp = tmp_path_factory.mktemp("handlingweb")
    root = tmp / "store"
    build(root)
    load_file(root, write_csv(tmp / "办件.csv", CRAFTED))
    app = create_app({"TESTING": True, "STORE_PATH": str(root)})
    with ws.ServerThread(app) as server, playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield {"url": server.url, "browser": browser}
        browser.close()


@pytest.fixture()
def page(site):
    context = site["browser"].new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    console: list[tuple[str, str]] = []
    context.on("request", lambda r: requests.append(r.url))
    context.set_default_timeout(10_000)
    pg = context.new_page()
    pg.on("console", lambda m: console.append((m.type, m.text)))
    pg.on("pageerror", lambda e: console.append(("pageerror", str(e))))
    yield pg, requests, console
    host = urlsplit(site["url"]).netloc
    assert all(urlsplit(u).netloc == host for u in requests if u.startswith("http"))
    assert [c for c in console if c[0] in ("error", "pageerror")] == []
    context.close()


def test_region_view_shows_totals_charts_and_bottlenecks(site, page, artifacts):
    pg, _, _ = page
    pg.goto(site["url"] + "/")
    pg.locator("nav a[href='/handling']").click()
    pg.wait_for_selector("#handling-regions")
    pg.locator("#handling-regions a", has_text="衢州市").click()
    pg.wait_for_url("**/handling/330800")
    cells = pg.locator("#handling-regions tbody tr[data-region='330800'] td").all_inner_texts()
    assert cells == ["衢州市（330800）", "87", "2", "85", "20", "16", "80.0%", "75.0%"]
    assert pg.locator("#handling-period").inner_text() == "统计月份：2024-01–2024-02（2）"
    assert pg.locator("#handling-trend svg polyline").count() == 3
    assert pg.locator("#handling-blocks svg title", has_text="诉求（兜底）服务板块: 20").count() == 1
    assert pg.locator("#handling-bottlenecks tbody tr").count() == 86
    last = pg.locator("#handling-bottlenecks tbody tr").nth(85).locator("td").all_inner_texts()
    assert last[:5] == ["86", "办结率低、差评多", "330800", "2", "税费预填服务"]
    assert pg.locator("#handling-bottlenecks tbody tr[data-kind='never_used']").count() == 85
    pg.screenshot(path=str(artifacts / "web-handling-1280.png"), full_page=True)


def test_period_filter_narrows_to_february(site, page):
    pg, _, _ = page
    pg.goto(site["url"] + "/handling/330800")
    pg.fill("#from", "2024-02")
    pg.fill("#to", "2024-02")
    pg.locator("form.filters button").click()
    pg.wait_for_url("**from=2024-02**")
    cells = pg.locator("#handling-regions tbody tr[data-region='330800'] td").all_inner_texts()
    assert cells == ["衢州市（330800）", "87", "1", "86", "6", "6", "100.0%", "100.0%"]
    assert pg.locator("#handling-bottlenecks tbody tr").count() == 86      # 86 never used in February


def test_english_interface(site, page):
    pg, _, _ = page
    pg.goto(site["url"] + "/lang/en?next=/handling")
    assert pg.locator("h1").inner_text() == "Service handling"
    assert "Regions without handling records" in pg.locator("#handling").inner_text()
