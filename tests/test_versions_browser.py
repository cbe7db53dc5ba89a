"""The history page in a real browser (Debian's headless Chromium via Playwright): the diff
view colours added rows green and removed rows red, shows changed cells side by side, and
the page loads nothing from another host."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from versions_support import CODE, NEW_ITEM, exported_rows, second_version, write_csv

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def site(built_store, tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed")
    playwright_api = pytest.importorskip("playwright.sync_api")
    import web_support as ws
    from server_support import copy_store

    from loaders.load import load_region
    from server.app import create_app

    tmp = tmp_path_factory.mktemp("history-web")
    root = copy_store(built_store, tmp / "store")
    header, body = exported_rows(root)
    load_region(root, write_csv(tmp / "v2.csv", header, second_version(header, body)), CODE, note="第二版")
    app = create_app({"TESTING": True, "STORE_PATH": str(root)})
    with ws.ServerThread(app) as server, playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield {"url": server.url, "browser": browser}
        browser.close()


def test_history_page_diff_view(site, artifacts):
    context = site["browser"].new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site["url"] + "/history")
    page.click(f"a[href='/history/{CODE}']")
    assert page.locator("h1").inner_text().startswith("衢州市（330800）清单版本历史")
    assert page.locator("#versions tr").count() == 3             # header + v1 + v2
    assert "（当前 / current）" in page.locator("#versions tr.current").inner_text()
    page.click("text=v1 → v2")
    added = page.locator(".diff tr.added")
    removed = page.locator(".diff tr.removed")
    assert added.count() == 1 and removed.count() == 1
    assert NEW_ITEM in added.inner_text() and "展会费用补助" in removed.inner_text()
    green = added.locator("td").first.evaluate("e => getComputedStyle(e).backgroundColor")
    red = removed.locator("td").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert green == "rgb(230, 255, 236)" and red == "rgb(255, 235, 233)"
    old, new = page.locator(".diff.changed td.old"), page.locator(".diff.changed td.new")
    assert old.inner_text() == "天使基金" and new.inner_text() == "天使基金（线上办理）"
    ob, nb = old.bounding_box(), new.bounding_box()
    assert abs(ob["y"] - nb["y"]) < 1 and ob["x"] < nb["x"]          # side by side, old first
    page.screenshot(path=str(artifacts / "history-330800.png"), full_page=True)
    host = urlsplit(site["url"]).netloc
    assert all(urlsplit(u).netloc == host for u in requests), requests
    assert errors == []
    context.close()
