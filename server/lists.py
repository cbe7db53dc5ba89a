"""A token holder's list upload, previewed (issue 20): what ``policykg load --dry-run`` shows.

``POST /api/lists/preview`` (multipart: ``file``, ``region``, optional ``layout``, ``sheet``,
``map`` repeated as ``表头=字段``, ``force``) reads the file exactly as ``policykg load`` would
and answers the sheet and header rows found, header → field with scores, the row count and
the first five rows, as JSON. It writes nothing: the store is not touched. The same Bearer
token as graph store writes is required (an upload is an office's unpublished list).
``GET /lists/preview`` is the page with the form.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from loaders import headers
from loaders.load import backbone_from_store
from loaders.preview import preview
from policykg.core.errors import PolicyKGError

from .common import bad, cors, error_response
from .graphstore import authorize

bp = Blueprint("lists", __name__)
SUFFIXES = (".xlsx", ".xlsm", ".csv", ".tsv", ".txt", ".pdf")


@bp.route("/api/lists/preview", methods=["POST"])
def preview_upload() -> Response:
    try:
        authorize()
        limit = int(current_app.config.get("MAX_UPLOAD_BYTES") or 32 << 20)
        if request.content_length is not None and request.content_length > limit:
            raise bad(f"上传过大：上限 {limit} 字节", f"upload too large: limit {limit} bytes", status=413)
        upload = request.files.get("file")
        region = (request.form.get("region") or "").strip()
        if upload is None or not upload.filename:
            raise bad("缺少清单文件（表单字段 file）", "no list file (form field 'file')")
        if not region:
            raise bad("缺少地区代码（表单字段 region）", "no region code (form field 'region')")
        suffix = Path(upload.filename).suffix.lower()
        if suffix not in SUFFIXES:
            raise bad(f"不支持的文件类型 {suffix or '（无扩展名）'}；支持：{'、'.join(SUFFIXES)}",
                      f"unsupported file type {suffix or '(none)'}; supported: {', '.join(SUFFIXES)}")
        opts = headers.ReadOptions(hand=headers.parse_map([m for m in request.form.getlist("map") if m.strip()]),
                                   sheet=request.form.get("sheet") or None, force=bool(request.form.get("force")))
        with tempfile.TemporaryDirectory(prefix="policykg-upload-") as d:
            path = Path(d) / ("upload" + suffix)
            upload.save(path)
            if path.stat().st_size > limit:
                raise bad(f"上传过大：上限 {limit} 字节", f"upload too large: limit {limit} bytes", status=413)
            store = current_app.config["STORE_PATH"]
            result = preview(path, region, request.form.get("layout") or None, opts, backbone=backbone_from_store(store))
        body = result.as_json(opts)
        body["file"] = upload.filename
    except PolicyKGError as exc:
        if not getattr(exc, "status", None):
            exc.status = 422                  # the file cannot be read as a list (named in the message)
        return cors(error_response(exc, json_default=True))
    return cors(jsonify(body))


@bp.route("/lists/preview")
def preview_page() -> str:
    return render_template("list-preview.html", page="lists")
