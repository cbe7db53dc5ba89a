"""The 办件 (service handling) pages: ``/handling`` (every region) and ``/handling/<code>``.

Rendered on the server from :func:`policykg.handling.summary.summarize` (no script: the
charts are inline SVG), with an optional period ``?from=YYYY-MM&to=YYYY-MM``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request
from markupsafe import Markup

from policykg.core.errors import PolicyKGError
from policykg.handling.render import KIND_ZH, pct
from policykg.handling.summary import summary_from_dir
from policykg.report.handling import block_chart, line_chart

from .i18n import STRINGS

bp = Blueprint("handling", __name__)

STRINGS.update({
    "nav.handling": ("办件情况", "Handling"),
    "handling.title": ("服务事项办件情况", "Service handling"),
    "handling.intro": ("各地区企业综合服务中心服务事项的受理、办结与评价：哪些事项从未办件、办结率低或差评多。",
                       "Cases received and completed and reviews of each region's service items: which are never "
                       "used, complete little or draw bad reviews."),
    "handling.period": ("统计月份", "Months"),
    "handling.from": ("起始月份", "From"),
    "handling.to": ("截止月份", "To"),
    "handling.apply": ("筛选", "Apply"),
    "handling.none": ("尚无办件记录。用 policykg handling load 文件 加载。",
                      "No handling records yet: load them with policykg handling load FILE."),
    "handling.without": ("尚无办件记录的地区", "Regions without handling records"),
    "handling.region": ("地区", "Region"),
    "handling.items": ("服务事项", "Items"),
    "handling.handled": ("有办件", "Handled"),
    "handling.never": ("从未办件", "Never handled"),
    "handling.received": ("受理", "Received"),
    "handling.completed": ("办结", "Completed"),
    "handling.rate": ("办结率", "Completion"),
    "handling.satisfaction": ("好评率", "Satisfaction"),
    "handling.bad": ("差评", "Bad reviews"),
    "handling.trend": ("逐月趋势", "Monthly trend"),
    "handling.blocks": ("各承接板块的受理件数", "Cases received per block"),
    "handling.level1": ("按一级事项", "By level-1 category"),
    "handling.bottlenecks": ("办件堵点", "Bottlenecks"),
    "handling.bottlenecks.hint": ("排序：从未使用、办结率低于 80%、差评至少 2 条且占 20% 以上。",
                                  "Ranked: never used, completion below 80 %, at least 2 bad reviews making 20 %."),
    "handling.rank": ("排序", "Rank"),
    "handling.kind": ("类型", "Kind"),
    "handling.row": ("序号", "Row"),
    "handling.reason": ("原因", "Reason"),
    "handling.block": ("承接板块", "Block"),
    "handling.all": ("全部地区", "All regions"),
})


def _summary(region: str | None) -> dict[str, Any]:

    first = request.args.get("from") or None
    last = request.args.get("to") or None
    try:
        return summary_from_dir(current_app.config["STORE_PATH"], region=region, first=first, last=last)
    except PolicyKGError as exc:
        abort(400, description=exc.message)


def _trend(s: dict[str, Any]) -> Markup:
    t = s["trend"]
    if not t:
        return Markup("")
    return Markup(line_chart([x["month"] for x in t], [
        ("受理 received", [x["received"] for x in t], "#2b7a9b"),
        ("办结 completed", [x["completed"] for x in t], "#0f6b5c"),
        ("差评 bad", [x["bad"] for x in t], "#c0392b")], caption="monthly trend"))


@bp.route("/handling")
def overview() -> str:
    s = _summary(None)
    return render_template("handling.html", page="handling", s=s, region=None, pct=pct, kinds=KIND_ZH,
                           trend=_trend(s), blocks=None, args=request.args)


@bp.route("/handling/<code>")
def region_view(code: str) -> str:
    if not code.isdigit() or len(code) != 6:
        abort(404)
    s = _summary(code)
    name = next((r["name"] for r in s["regions"] + s["regions_without_records"] if r["region"] == code), code)
    return render_template("handling.html", page="handling", s=s, region=code, region_name=name, pct=pct,
                           kinds=KIND_ZH, trend=_trend(s), blocks=Markup(block_chart(s, code)) if s["regions"] else None,
                           args=request.args)
