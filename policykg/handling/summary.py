"""``policykg handling summary``: how the service items are used, from the handling graphs.

Counts come from the SPARQL files in ``queries/handling/``: over all months from the totals
per item and per month derived at every handling load (``derive-*.rq``), for a period from
the observations themselves; this module joins them with the items and ranks. Only regions with
handling records count: a region whose list was never reported on is listed apart
(``regions_without_records``), not as one whose items are all unused.

An item is *handled* in the period when it received at least one case. Bottlenecks, ranked:
items never used (no case received), low completion (办结/受理 below 80 %), many bad reviews
(at least 2 差评 and at least 20 % of the reviews).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from pyoxigraph import Literal

from ..core import iris
from ..core.errors import UsageError
from ..core.regions import get as get_region
from ..graph.store import open_read_only
from .catalogue import Catalogue, Item, rows

LOW_COMPLETION = 0.8
BAD_SHARE = 0.2
BAD_MIN = 2                      # one bad review among four is not "many"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def rate(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def _check_args(region: str | None, first: str | None, last: str | None) -> None:
    for name, v in (("--from", first), ("--to", last)):
        if v is not None and not _MONTH.match(v):
            raise UsageError(f"{name} 应为 YYYY-MM（如 2024-03），而不是“{v}”", f"{name} must be YYYY-MM, not {v!r}")
    if first and last and first > last:
        raise UsageError(f"--from {first} 晚于 --to {last}", f"--from {first} is after --to {last}")
    if region is not None:
        get_region(region)


def _totals(acc: dict[str, int], row: dict[str, Any]) -> None:
    for k in ("received", "completed", "good", "bad"):
        acc[k] = acc.get(k, 0) + int(row.get(k) or 0)


def _rates(d: dict[str, Any]) -> dict[str, Any]:
    d["completion_rate"] = rate(d.get("completed", 0), d.get("received", 0))
    d["satisfaction"] = rate(d.get("good", 0), d.get("good", 0) + d.get("bad", 0))
    return d


def summarize(store: Any, *, region: str | None = None, first: str | None = None,
              last: str | None = None, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """The summary as plain data (the JSON of ``--format json``)."""
    _check_args(region, first, last)
    cat = catalogue or Catalogue.from_store(store)
    params = {"from": Literal(first or "0000-00"), "to": Literal(last or "9999-99")}
    datasets = {r["region"]: r for r in rows(store, "datasets")}
    codes = sorted(c for c in datasets if region in (None, c))
    # over all months the totals derived at load time answer; a period needs the observations
    whole = first is None and last is None
    per_item = {r["item"]: r for r in (rows(store, "item-totals-all") if whole else
                                       rows(store, "item-totals", **params)) if r["region"] in codes}
    months = [r for r in (rows(store, "month-totals-all") if whole else rows(store, "month-totals", **params))
              if r["region"] in codes]
    measures: dict[str, list[int]] = defaultdict(list)
    if codes:
        found = rows(store, "item-measures")
        alignment = [g.value for g in store.named_graphs() if g.value.startswith(iris.alignment_graph_prefix())]
        if alignment:
            links: dict[str, set[int]] = defaultdict(set)
            for r in rows(store, "alignment-links", named_graphs=alignment):
                links[r["x"]].add(int(r["measure"]))
            found += [{"item": p["item"], "measure": n} for p in rows(store, "item-parts")
                      for n in links.get(p["part"], ())]
        for r in found:
            measures[r["item"]].append(int(r["measure"]))

    out_regions, never, bottlenecks = [], [], []
    blocks: dict[tuple[str, str], dict[str, Any]] = {}
    level1: dict[tuple[str, str], dict[str, Any]] = {}
    by_measure: dict[int, dict[str, Any]] = {}
    for code in codes:
        items = cat.by_region.get(code, [])
        reg = {"region": code, "name": cat.region_name(code), "items": len(items), "items_handled": 0,
               "received": 0, "completed": 0, "good": 0, "bad": 0}
        for it in items:
            t = per_item.get(it.iri, {})
            _totals(reg, t)
            handled = int(t.get("received") or 0) > 0
            reg["items_handled"] += handled
            for acc, key in ((blocks, (code, it.block)), (level1, (code, it.level1))):
                a = acc.setdefault(key, {"region": code, "items": 0, "items_handled": 0})
                a["items"] += 1
                a["items_handled"] += handled
                _totals(a, t)
            for n in sorted(set(measures.get(it.iri, ()))):
                m = by_measure.setdefault(n, {"measure": n, "items": 0, "items_handled": 0, "regions": set()})
                m["items"] += 1
                m["items_handled"] += handled
                m["regions"].add(code)
                _totals(m, t)
            if not handled:
                never.append({"region": code, "item": it.title, "row": it.row, "iri": it.iri,
                              "block": it.block, "level1": it.level1})
            b = _bottleneck(it, t, handled)
            if b:
                bottlenecks.append(b)
        out_regions.append(_rates(reg))

    trend: dict[str, dict[str, Any]] = {}
    for r in months:
        m = trend.setdefault(r["month"], {"month": r["month"], "items_handled": 0})
        _totals(m, r)
        m["items_handled"] += int(r["itemsHandled"] or 0)
    kinds = {"never_used": 0, "low_completion": 1, "bad_reviews": 2}
    bottlenecks.sort(key=lambda b: (kinds[b["kinds"][0]],
                                    b["completion_rate"] if b["completion_rate"] is not None else 0,
                                    b["satisfaction"] if b["satisfaction"] is not None else 1,
                                    -b["bad"], b["region"], b["row"]))
    for i, b in enumerate(bottlenecks, start=1):
        b["rank"] = i
    without = [{"region": c, "name": cat.region_name(c), "items": len(cat.by_region[c])}
               for c in sorted(cat.by_region) if c not in datasets and region in (None, c)]
    return {
        "period": {"from": first, "to": last,
                   "months": sorted(trend)},
        "regions": out_regions,
        "regions_without_records": without,
        "never_handled": never,
        "by_block": [_rates({"block": k[1], **v}) for k, v in sorted(blocks.items())],
        "by_level1": [_rates({"level1": k[1], **v}) for k, v in sorted(level1.items())],
        "by_measure": [_rates({**v, "regions": sorted(v["regions"])}) for _, v in sorted(by_measure.items())],
        "trend": [_rates(trend[m]) for m in sorted(trend)],
        "trend_by_region": [_rates({"region": r["region"], "month": r["month"],
                                    "items_handled": int(r["itemsHandled"] or 0),
                                    **{k: int(r[k] or 0) for k in ("received", "completed", "good", "bad")}})
                            for r in months],
        "bottlenecks": bottlenecks,
    }


def _bottleneck(it: Item, t: dict[str, Any], handled: bool) -> dict[str, Any] | None:
    received, completed = int(t.get("received") or 0), int(t.get("completed") or 0)
    good, bad = int(t.get("good") or 0), int(t.get("bad") or 0)
    kinds, zh, en = [], [], []
    if not handled:
        kinds.append("never_used")
        zh.append("统计期内未受理任何办件")
        en.append("no case received in the period")
    else:
        cr = completed / received
        if cr < LOW_COMPLETION:
            kinds.append("low_completion")
            zh.append(f"办结率 {cr:.0%}（{completed}/{received}）")
            en.append(f"completion {cr:.0%} ({completed}/{received})")
    if bad >= BAD_MIN and bad / (good + bad) >= BAD_SHARE:
        kinds.append("bad_reviews")
        zh.append(f"差评 {bad} 条，占评价 {bad / (good + bad):.0%}")
        en.append(f"{bad} bad reviews, {bad / (good + bad):.0%} of reviews")
    if not kinds:
        return None
    return {"kinds": kinds, "region": it.region, "item": it.title, "row": it.row, "iri": it.iri,
            "block": it.block, "received": received, "completed": completed, "good": good, "bad": bad,
            "completion_rate": rate(completed, received), "satisfaction": rate(good, good + bad),
            "reason": {"zh": "；".join(zh), "en": "; ".join(en)}}


def summary_from_dir(store_dir: Any, **kw: Any) -> dict[str, Any]:

    return summarize(open_read_only(store_dir), **kw)
