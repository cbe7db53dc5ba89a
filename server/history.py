"""The web page of a region's list history: ``/history`` and ``/history/<code>``.

Rendered on the server (no script): the versions, oldest first, and the diff of two
versions (``?from=&to=``, default the previous to the current one) from
:func:`policykg.diff.diff`: added rows green, removed rows red, changed cells old and
new side by side. Every text from the data is escaped.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from markupsafe import Markup

from loaders.export import version_rows
from policykg import diff as pkdiff
from policykg import versions
from policykg.core import regions
from policykg.core.errors import PolicyKGError

bp = Blueprint("history", __name__)


@bp.route("/history", methods=["GET"])
def index() -> str:
    root = current_app.config["STORE_PATH"]
    rows = []
    for code in versions.regions_with_history(root):
        hist = versions.history(root, code)
        if hist:
            rows.append({"code": code, "name": regions.get(code).full_name, "count": len(hist), "last": hist[-1]})
    return render_template("history.html", page="history", regions=rows, region=None)


@bp.route("/history/<code>", methods=["GET"])
def region(code: str) -> str | Response:
    root = current_app.config["STORE_PATH"]
    try:
        reg = regions.get(code)
    except PolicyKGError:
        abort(404)
    if reg.code != code:
        abort(404)
    hist = versions.history(root, code)
    if not hist:
        abort(404)
    error, d, table = None, None, Markup("")
    try:
        frm = request.args.get("from", type=int)
        to = request.args.get("to", type=int)
        if len(hist) > 1 or frm is not None:
            d = pkdiff.diff(root, code, frm, to, rows_of=version_rows)
            table = Markup(pkdiff.diff_table_html(d))        # escaped inside diff_table_html
    except PolicyKGError as exc:
        error = exc.message
    current = versions.committed(root).get(code)
    return render_template("history.html", page="history", region={"code": code, "name": reg.full_name},
                           versions=hist, current=current, diff=d, diff_table=table, error=error)
