"""The ``/landing`` page: 146 provincial measures × regions, coloured by landing status.

The matrix is rendered on the server from the derived statuses alone (one fast SELECT over
``graph/statistics``), so the first paint needs no script and no second request, also with
101 regions. A click asks ``/api/landing/cell`` for one cell's rows, items and
recommendations; those come from :func:`policykg.landing.compute`, computed once per store
generation and kept.

  GET /landing                                   the page
  GET /api/landing/cell?region=CODE&measure=N    one cell as in ``policykg landing`` JSON
"""

from __future__ import annotations

import threading
from html import escape
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from markupsafe import Markup

from policykg import landing
from policykg.core.errors import PolicyKGError
from policykg.graph.store import current, open_read_only

from .pages import page_config

bp = Blueprint("landing", __name__)
_lock = threading.Lock()
# One short class per cell and nothing else: at 101 regions the matrix has 14,746 cells, and
# each byte per cell is 15 KB of page. The script finds a cell's region from its column.
CLASS = {"service-item": "i", "local-measure": "m", "none": "n"}
MARK = {"service-item": "事", "local-measure": "举", "none": ""}


def _cache() -> dict[str, Any]:
    return current_app.extensions.setdefault("policykg", {}).setdefault("landing", {})


def _generation() -> str:
    return current(current_app.config["STORE_PATH"]).path.name


def full_landing() -> landing.Landing:
    """The whole matrix with evidence, for the current generation (computed once)."""
    gen = _generation()
    cache = _cache()
    with _lock:
        if cache.get("gen") != gen or "full" not in cache:
            cache.clear()
            cache["gen"] = gen
            cache["full"] = landing.compute(open_read_only(current_app.config["STORE_PATH"]))
        return cache["full"]


def matrix_html() -> tuple[Markup, dict[str, Any]]:
    """The table's HTML (cached per generation) and what the filters need."""
    gen = _generation()
    cache = _cache()
    with _lock:
        if cache.get("gen") != gen:
            cache.clear()
            cache["gen"] = gen
        if "matrix" not in cache:
            cache["matrix"] = _render_matrix(landing.statuses(open_read_only(current_app.config["STORE_PATH"])))
        return cache["matrix"]


def _render_matrix(m: landing.StatusMatrix) -> tuple[Markup, dict[str, Any]]:
    codes = list(m.regions)
    head = "".join(f'<th scope="col" data-region="{c}" title="{escape(m.regions[c])} {c}">'
                   f'<span>{escape(m.regions[c])}</span></th>' for c in codes)
    out = ['<table class="landing-matrix" id="landing-table"><thead><tr>'
           '<th scope="col" class="lm-measure">省级细化措施 <small>provincial measure</small></th>',
           head, "</tr></thead>"]
    kt = None
    for n, meas in m.measures.items():
        if meas.key_task != kt:
            if kt is not None:
                out.append("</tbody>")
            kt = meas.key_task
            out.append(f'<tbody data-key-task="{kt}"><tr class="lm-kt"><th colspan="{len(codes) + 1}" scope="rowgroup">'
                       f'重点工作 {kt}　{escape(meas.key_task_title)}</th></tr>')
        cells = []
        for c in codes:
            s = m.status[(c, n)]
            cells.append(f"<td class={CLASS[s]}>{MARK[s]}</td>")
        out.append(f'<tr data-measure="{n}" data-key-task="{kt}"><th scope="row" title="{escape(meas.text)}">'
                   f'{escape(meas.label)}</th>{"".join(cells)}</tr>')
    out.append("</tbody></table>")
    counts = {s: sum(1 for v in m.status.values() if v == s) for s in landing.STATUSES}
    info = {"regions": [{"code": c, "name": m.regions[c]} for c in codes],
            "keyTasks": sorted({(x.key_task, x.key_task_title) for x in m.measures.values()}),
            "counts": counts, "measures": len(m.measures)}
    return Markup("".join(out)), info


def init_app(app: Any) -> None:
    """Outside tests, fill the matrix cache in the background, so the first visitor does not
    wait for it (seconds at 101 regions)."""
    if app.testing:
        return

    def warm() -> None:
        with app.app_context():
            try:
                matrix_html()
            except Exception:  # noqa: BLE001 - no store yet, or a failing one: the page will say so
                pass

    threading.Thread(target=warm, name="landing-warm", daemon=True).start()


@bp.route("/landing")
def page() -> str:

    try:
        table, info = matrix_html()
        error = None
    except PolicyKGError as exc:
        table, info, error = Markup(""), {"regions": [], "keyTasks": [], "counts": {}, "measures": 0}, exc.message
    config = page_config("landing")
    config["landingCell"] = "/api/landing/cell"
    return render_template("landing.html", page="landing", page_config=config, table=table, info=info, error=error)


@bp.route("/api/landing/cell")
def cell() -> Response:
    region = request.args.get("region", "")
    try:
        measure = int(request.args.get("measure", ""))
    except ValueError:
        return _error("参数 measure 应为整数 / measure must be an integer", 400)
    try:
        land = full_landing()
    except PolicyKGError as exc:
        return _error(exc.message, 500)
    c = land.cells.get((region, measure))
    if c is None:
        return _error(f"没有地区 {region} 措施 {measure} 的单元格 / no cell for region {region}, measure {measure}", 404)
    meas = land.measures[measure]
    return jsonify({**c, "region_name": land.regions[region], "measure_label": meas.label,
                    "measure_text": meas.text, "key_task": meas.key_task,
                    "convertibility": land.convertibility(measure)["summary"]})


def _error(message: str, status: int) -> Response:
    resp = jsonify({"ok": False, "error": message, "status": status})
    resp.status_code = status
    return resp

