"""A local measure's entity page lists its alignment candidates with scores and evidence."""

from __future__ import annotations

import re

import pytest
from server_support import app_for

from policykg.core import iris


@pytest.fixture(scope="module")
def client(built_store):
    return app_for(built_store).test_client()


def _path(iri: str) -> str:
    return "/id/" + iri.split("/id/", 1)[1]


def test_zhoushan_measure_page_shows_candidates_scores_and_evidence(client):
    resp = client.get(_path(iris.local_measure("330900", "1-1")), headers={"Accept": "text/html"})
    assert resp.status_code == 200
    html = resp.data.decode()
    section = html[html.index('id="candidates"'):html.index('id="statements"')]
    rows = re.findall(r'<tr class="candidate[^"]*">(.*?)</tr>', section, re.S)
    assert len(rows) == 5
    first = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rows[0]))
    assert first.split()[0] == "1" and "1. 精准宣传“政策找人”" in first
    assert "政策找人；精准；宣传" in first and "已断言" in first and "文本匹配" in first
    assert 'href="/id/provincial-measure/1"' in rows[0]
    assert re.search(r'class="candidate-confidence">1\.00<', rows[0])


def test_a_provincial_measure_page_has_no_candidate_table(client):
    html = client.get("/id/provincial-measure/1", headers={"Accept": "text/html"}).data.decode()
    assert 'id="candidates"' not in html
