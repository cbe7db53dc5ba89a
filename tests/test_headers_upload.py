"""The web preview of a token holder's list upload (issue 20): POST /api/lists/preview."""

from __future__ import annotations

import io

import pytest
from header_variants import VARIANTS
from loadkit import all_quads
from server_support import app_for, copy_store

from loaders.export import region_table

TOKEN = "test-token-20"


@pytest.fixture
def store(built_store, tmp_path):
    return copy_store(built_store, tmp_path / "store")


def _post(client, data: bytes, name: str, token: str | None = TOKEN, **form):
    fields = {"file": (io.BytesIO(data), name), **form}
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/api/lists/preview", data=fields, headers=headers, content_type="multipart/form-data")


def test_upload_preview(store, built_store, tmp_path):
    v = next(v for v in VARIANTS if v.id == "dq-yuhang")
    data = v.build(region_table(built_store, v.code), tmp_path / v.id).read_bytes()
    client = app_for(store, WRITE_TOKEN=TOKEN).test_client()
    before = all_quads(store)
    assert _post(client, data, "余杭.xlsx", token=None, region="330110").status_code == 401
    resp = _post(client, data, "余杭.xlsx", region="330110")
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert body["layout"] == "deqing" and body["score"] == pytest.approx(0.889, abs=1e-3) and body["sheet"] == "Sheet1"
    assert body["headerRows"] == [2] and body["rows"] == 107 and body["dataRows"] == 107
    assert {"header": "细化举措", "field": "local_measure", "score": 100.0, "how": "alias"} in body["columns"]
    assert body["notes"] == ["备注"] and len(body["sample"]) == 5
    assert body["sample"][0]["cells"]["key_task"] == "（一）强化财税政策保障"
    assert body["ok"] is False and "科创基金" in body["refused"]          # 德清's row 44 lacks its block
    assert "试运行（不写入存储）" in body["text"]
    assert all_quads(store) == before
    bad = _post(client, data, "余杭.xlsx", region="330110", map="举措=local_measure")
    assert bad.status_code == 422 and "文件表头中没有“举措”" in bad.json["error"]
    assert _post(client, b"x", "a.docx", region="330110").status_code == 400
    assert client.get("/lists/preview").status_code == 200


def test_upload_preview_masks_contact_phones(store, built_store, tmp_path):
    table = region_table(built_store, "330900")
    for row in table.rows:
        if row.get("contacts"):
            row["contacts"] = row["contacts"] + "，13905801234"
    from header_variants import columns, write_csv

    h, _, rows = columns(table)
    data = write_csv(tmp_path / "zs.csv", [h] + rows).read_bytes()
    client = app_for(store, WRITE_TOKEN=TOKEN).test_client()
    resp = _post(client, data, "zs.csv", region="330900")
    assert resp.status_code == 200, resp.json
    assert "13905801234" not in resp.get_data(as_text=True)
    assert any("＊＊＊" in s["cells"].get("contacts", "") for s in resp.json["sample"])
