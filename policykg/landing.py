"""Measure-level landing: each region × provincial measure, its status, evidence and next steps.

The statuses are derived at every build and load into ``graph/statistics`` by
``queries/derive/landing.rq`` (``service-item`` / ``local-measure`` / ``none``, with the
counts, link kind and confidence); this module reads them back with ``queries/landing/*.rq``
and adds what a reform office needs next: the rows and items behind each cell, which
measures a service centre can take on (what other regions made of them), and
recommendations — always real service items of other regions, never invented ones.

Links come from the region graphs (printed citations, confidence 1.0) and, when present,
from ``graph/alignment/{code}`` (predicted or curated links; their confidence is that of the
``sssom:Mapping`` record with the same subject and object).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, QueryResultsFormat, Store

from .core import iris
from .core.config import ONTOLOGY_NS, QUERY_DIR
from .core.errors import QueryError, UsageError
from .core.iris import normalize_name
from .core.namespaces import prefixes
from .graph.store import open_read_only
from .sparql.queries import load_query
from .sparql.queries import run as run_query

LANDING_DIR = QUERY_DIR / "landing"
STATUSES = ("service-item", "local-measure", "none")
STATUS_OF = {f"{ONTOLOGY_NS}ServiceItemLanded": "service-item", f"{ONTOLOGY_NS}LocalMeasureLanded": "local-measure",
             f"{ONTOLOGY_NS}NotLanded": "none"}        # the concepts' skos:notation (ontology/policykg.ttl)
STATUS_LABELS = {"service-item": ("已转化为服务事项", "converted"),
                 "local-measure": ("已细化、未转化", "refined"),
                 "none": ("未落地", "none")}
MAX_RECOMMENDATIONS = 5

# Cues that a measure is addressed to government (mechanisms, rules, targets for departments)
# rather than to enterprises. They are keyword cues, not a judgement: the report says so.
GOVERNMENT_CUES = ("机制", "制度", "政府", "部门", "立法", "法规", "条例", "考核", "督查", "评估",
                   "清理", "规范", "统筹", "出台", "制定", "修订", "健全", "完善", "建立", "开展", "专项行动",
                   "各地", "监管", "执法", "审查")
ENTERPRISE_CUES = ("企业", "经营主体", "个体工商户", "小微", "民营", "融资", "贷款", "补助", "补贴", "奖励",
                   "培训", "申报", "咨询", "服务")


def _value(term: Any) -> Any:
    if term is None:
        return None
    v = term.value
    dt = getattr(getattr(term, "datatype", None), "value", "")
    if dt.endswith(("#integer", "#int", "#long")):
        return int(v)
    if dt.endswith(("#decimal", "#double", "#float")):
        return float(v)
    if dt.endswith("#boolean"):
        return v == "true"
    return v


# Column types of the large result sets, read as SPARQL CSV (plain strings, parsed in C);
# the other queries are read as SPARQL JSON with their datatypes.
CSV_TYPES: dict[str, dict[str, type]] = {
    "cells": {"rows": int, "measures": int, "items": int, "confidence": float},
    "links": {"printed": bool, "confidence": float},
    "links-printed": {"printed": bool, "confidence": float},
    "items": {},
    "rows": {"number": int},
}


def _select(store: Any, name: str) -> list[dict[str, Any]]:
    """Run ``queries/landing/{name}.rq``; rows as plain Python values.

    Results are serialized in Rust (no Python term objects: 40k link rows at 101 regions),
    the large ones as CSV, and the queries of one call run in threads (Oxigraph releases
    the GIL). In CSV an unbound value and an empty string are alike: both are None here."""
    text = load_query(LANDING_DIR / f"{name}.rq").text
    if not isinstance(store, Store):               # a remote endpoint or another engine: the generic path
        res = run_query(store, text)
        return [{k: _value(r.get(k)) for k in res.variables} for r in res.rows]
    types = CSV_TYPES.get(name)
    try:
        res = store.query(text, prefixes=prefixes())
        data = res.serialize(format=QueryResultsFormat.CSV if types is not None else QueryResultsFormat.JSON)
    except (SyntaxError, OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"落地查询 {name}.rq 失败：{exc}", f"landing query {name}.rq failed: {exc}") from exc
    if types is not None:
        return _csv_rows((data or b"").decode("utf-8"), types)
    body = json.loads(data or b"{}")
    names = body.get("head", {}).get("vars", [])
    return [{k: _json_value(b.get(k)) for k in names} for b in body.get("results", {}).get("bindings", [])]


def _csv_rows(text: str, types: dict[str, type]) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text))
    head = next(reader, [])
    conv = [(i, k, types.get(k)) for i, k in enumerate(head)]
    out = []
    for rec in reader:
        row: dict[str, Any] = {}
        for i, k, t in conv:
            v = rec[i] if i < len(rec) else ""
            if v == "":
                row[k] = None
            elif t is None:
                row[k] = v
            elif t is bool:
                row[k] = v == "true"
            else:
                row[k] = t(v)
        out.append(row)
    return out


def _json_value(b: dict[str, str] | None) -> Any:
    if b is None:
        return None
    v, dt = b["value"], b.get("datatype", "")
    if dt.endswith(("#integer", "#int", "#long")):
        return int(v)
    if dt.endswith(("#decimal", "#double", "#float")):
        return float(v)
    if dt.endswith("#boolean"):
        return v == "true"
    return v


def _select_all(store: Any, names: list[str]) -> list[list[dict[str, Any]]]:
    with ThreadPoolExecutor(len(names)) as pool:
        return list(pool.map(lambda n: _select(store, n), names))


def has_alignment(store: Any) -> bool:
    """Whether any graph/alignment/{code} exists (else every link is printed)."""
    prefix = iris.graph("alignment/")
    if isinstance(store, Store):
        return any(g.value.startswith(prefix) for g in store.named_graphs() if isinstance(g, NamedNode))
    return True


@dataclass
class Item:
    iri: str
    region: str
    row: int
    name: str
    level1: str | None = None
    level2: str | None = None
    level3: str | None = None
    block: str | None = None
    content: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"iri": self.iri, "region": self.region, "row": self.row, "name": self.name,
                "level1": self.level1, "level2": self.level2, "level3": self.level3,
                "block": self.block, "content": self.content}


@dataclass
class Measure:
    number: int
    label: str
    text: str
    key_task: int
    key_task_title: str


@dataclass
class Landing:
    """The whole matrix with its evidence. ``cells[(region, measure)]`` is one JSON cell."""

    regions: dict[str, str]                       # code -> name, in code order
    measures: dict[int, Measure]                  # number -> measure, in number order
    cells: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    items_by_measure: dict[int, list[tuple[Item, float | None, bool]]] = field(default_factory=dict)

    # ---------------------------------------------------------------- views

    def cell_list(self, region: str | None = None) -> list[dict[str, Any]]:
        return [c for (r, _), c in self.cells.items() if region is None or r == region]

    def counts(self, region: str) -> Counter:
        return Counter(self.cells[(region, m)]["status"] for m in self.measures)

    def converted_by(self, measure: int) -> list[str]:
        return [r for r in self.regions if self.cells[(r, measure)]["status"] == "service-item"]

    def landed_nowhere(self) -> list[int]:
        return [m for m in self.measures if all(self.cells[(r, m)]["status"] == "none" for r in self.regions)]

    def most_missing(self, limit: int = 20) -> list[tuple[int, int]]:
        """Measures with the most regions that did not convert them: (measure, regions lacking)."""
        lack = [(m, sum(self.cells[(r, m)]["status"] != "service-item" for r in self.regions)) for m in self.measures]
        return sorted([x for x in lack if x[1]], key=lambda x: (-x[1], x[0]))[:limit]

    def convertibility(self, measure: int) -> dict[str, Any]:
        """Whether a service centre can take the measure on, with what regions did as evidence."""
        regions = self.converted_by(measure)
        items = [it for it, _, _ in self.items_by_measure.get(measure, []) if it.region in regions]
        cats = Counter(" / ".join(x for x in (it.level1, it.level2) if x) for it in items if it.level1)
        blocks = Counter(it.block for it in items if it.block)
        out: dict[str, Any] = {"measure": measure, "convertible": bool(regions), "regions": regions,
                               "regions_total": len(self.regions), "items": len(items),
                               "categories": cats.most_common(), "blocks": blocks.most_common()}
        if regions:
            cat = cats.most_common(1)[0][0] if cats else "—"
            blk = blocks.most_common(1)[0][0] if blocks else "—"
            out["summary"] = (f"可转化：{len(regions)}/{len(self.regions)} 个地区已设服务事项，多为 {cat}（{blk}） / "
                              f"convertible: {len(regions)} of {len(self.regions)} regions created items, "
                              f"mostly {cat} under {blk}")
        else:
            out["cues"] = government_cues(self.measures[measure].text)
            out["summary"] = review_reason(self.measures[measure].text)
        return out

    def recommendations(self, region: str) -> list[dict[str, Any]]:
        out = []
        for m in self.measures:
            c = self.cells[(region, m)]
            if c["recommendations"]:
                out.append({"measure": m, "status": c["status"], "recommendations": c["recommendations"]})
        return out


def government_cues(text: str) -> dict[str, list[str]]:
    return {"government": [w for w in GOVERNMENT_CUES if w in text],
            "enterprise": [w for w in ENTERPRISE_CUES if w in text]}


def review_reason(text: str) -> str:
    """Why no region may have converted a measure: a keyword cue from its text, said to be one."""
    cues = government_cues(text)
    gov, ent = cues["government"], cues["enterprise"]
    if gov and len(gov) >= len(ent):
        words = "、".join(f"“{w}”" for w in gov[:4])
        return (f"待研判：无地区转化。线索（关键词）：原文含{words}，可能面向政府部门（机制、制度、工作安排）而非企业 / "
                f"for review: no region converted it; keyword cue: {', '.join(gov[:4])} suggest it is addressed "
                f"to government rather than to enterprises")
    if ent:
        words = "、".join(f"“{w}”" for w in ent[:4])
        return (f"待研判：无地区转化，但原文含{words}，面向企业，可能可以转化为服务事项 / for review: no region "
                f"converted it, yet keyword cues ({', '.join(ent[:4])}) address enterprises; it may be convertible")
    return "待研判：无地区转化，原文无明显线索 / for review: no region converted it; no keyword cue in its text"


# ------------------------------------------------------------------ assembly

@dataclass
class StatusMatrix:
    """Just the statuses (what the page paints first): regions, measures, status per cell."""

    regions: dict[str, str]
    measures: dict[int, Measure]
    status: dict[tuple[str, int], str]
    raw: list[dict[str, Any]] = field(default_factory=list, repr=False)


def statuses(store: Any, rows: list[dict[str, Any]] | None = None,
             raw: list[dict[str, Any]] | None = None) -> StatusMatrix:
    """Read the derived statuses from ``graph/statistics`` (fast: no links, no items)."""
    if rows is None or raw is None:
        rows, raw = _select_all(store, ["measures", "cells"])
    regions = {r["number"]: r["label"] for r in sorted((r for r in rows if r["kind"] == "region"),
                                                       key=lambda r: str(r["number"]))}
    measures = {r["number"]: Measure(r["number"], r["label"], r["text"], r["keyTask"], r["keyTaskTitle"])
                for r in sorted((r for r in rows if r["kind"] == "measure"), key=lambda r: r["number"])}
    code_of = {r["iri"]: r["number"] for r in rows if r["kind"] == "region"}
    number_of = {r["iri"]: r["number"] for r in rows if r["kind"] == "measure"}
    named = []
    for c in raw:
        if c["r"] in code_of and c["pm"] in number_of and c["st"] in STATUS_OF:
            c["region"], c["measure"], c["status"] = code_of[c["r"]], number_of[c["pm"]], STATUS_OF[c["st"]]
            named.append(c)
    raw = named
    status = {(c["region"], c["measure"]): c["status"] for c in raw}
    missing = [(r, m) for r in regions for m in measures if (r, m) not in status]
    if missing:
        r, m = missing[0]
        raise UsageError(f"统计图缺少地区 {r} 措施 {m} 的落地状态：请重新构建或加载",
                         f"the statistics graph lacks the landing status of region {r}, measure {m}: rebuild or reload")
    return StatusMatrix(regions, measures, status, raw)


def compute(store: Any, region: str | None = None) -> Landing:
    """Read the derived statuses and their links from ``store`` and assemble the matrix."""
    links = "links" if has_alignment(store) else "links-printed"
    rows, raw, item_rows, link_rows, row_rows, label_rows = _select_all(
        store, ["measures", "cells", "items", links, "rows", "labels"])
    sm = statuses(store, rows, raw)
    code_of = {r["iri"]: r["number"] for r in rows if r["kind"] == "region"}
    number_of = {r["iri"]: r["number"] for r in rows if r["kind"] == "measure"}
    row_of = {r["row"]: r["number"] for r in row_rows}
    for ln in link_rows:
        ln["region"], ln["measure"] = code_of.get(ln["r"]), number_of.get(ln["pm"])
        ln["row"] = row_of.get(ln["rowNode"])
    if region is not None and region not in sm.regions:
        raise UsageError(f"地区 {region} 没有清单（可用：{'、'.join(sm.regions) or '无'}）",
                         f"region {region} has no list (available: {', '.join(sm.regions) or 'none'})")
    land = Landing(sm.regions, sm.measures)
    label = {r["x"]: r["label"] for r in label_rows}
    items = {r["item"]: Item(r["item"], code_of.get(r["r"], ""), row_of.get(r["rowNode"], 0), r["name"],
                             label.get(r["l1"]), label.get(r["l2"]), label.get(r["l3"]), label.get(r["b"]),
                             r["content"]) for r in item_rows}
    for c in sm.raw:
        kind, conf = c["kind"], c["confidence"]
        land.cells[(c["region"], c["measure"])] = {
            "region": c["region"], "measure": c["measure"], "status": c["status"],
            "rows": [], "service_items": [],
            "confidence": None if kind is None else {"kind": kind, "value": conf},
            "recommendations": [],
        }
    land.cells = {(r, m): land.cells[(r, m)] for r in sm.regions for m in sm.measures}   # region, then measure order
    _attach_links(land, link_rows, items)
    _attach_recommendations(land)
    return land


def _attach_links(land: Landing, link_rows: list[dict[str, Any]], items: dict[str, Item]) -> None:
    seen_rows: dict[tuple[str, int], dict[int, dict]] = defaultdict(dict)
    seen_items: dict[tuple[str, int], dict[str, dict]] = defaultdict(dict)
    by_measure: dict[int, dict[str, tuple[Item, float | None, bool]]] = defaultdict(dict)
    for ln in link_rows:
        key = (ln["region"], ln["measure"])
        if key not in land.cells:
            continue
        printed, conf = bool(ln["printed"]), ln["confidence"]
        kind = "printed" if printed else "predicted"
        if ln["row"] is not None:
            r = seen_rows[key].setdefault(ln["row"], {"row": ln["row"], "kind": kind, "confidence": conf,
                                                      "via": set()})
            r["via"].add(ln["level"])
            if printed or (conf or 0) > (r["confidence"] or 0):
                r["kind"], r["confidence"] = kind, conf
        if ln["level"] == "item" and ln["node"] in items:
            it = items[ln["node"]]
            s = seen_items[key].get(it.iri)
            if s is None or printed or (conf or 0) > (s["confidence"] or 0):
                seen_items[key][it.iri] = {**it.to_json(), "kind": kind, "confidence": conf}
            prev = by_measure[ln["measure"]].get(it.iri)
            if prev is None or printed or (conf or 0) > (prev[1] or 0):
                by_measure[ln["measure"]][it.iri] = (it, conf, printed)
    for key, cell in land.cells.items():
        cell["rows"] = [{**r, "via": sorted(r["via"])} for _, r in sorted(seen_rows[key].items())]
        cell["service_items"] = sorted(seen_items[key].values(), key=lambda i: (i["row"], i["iri"]))
    land.items_by_measure = {m: list(v.values()) for m, v in by_measure.items()}


def _attach_recommendations(land: Landing) -> None:
    """Rank, once per measure, the items regions made of it; give each non-converted cell the best
    ones from other regions that converted it. Rank: how many regions offer an item of that name
    for the measure; then how much of the item's text the measure's text shares (character
    bigrams: a 衢州 item cites every measure of its key-task group, so this puts the closest
    first); then printed before predicted, and confidence; then region and row. One suggestion
    per name (its best-ranked instance)."""
    keys: dict[str, str] = {}                 # item -> normalized name, computed once per item
    grams_of: dict[str, set[str]] = {}        # item -> its text's bigrams, once per item
    for entries in land.items_by_measure.values():
        for it, _, _ in entries:
            if it.iri not in keys:
                keys[it.iri] = normalize_name(it.name)
                grams_of[it.iri] = _bigrams(f"{it.name}{it.content or ''}")
    for m, entries in land.items_by_measure.items():
        converted = set(land.converted_by(m))
        entries = [e for e in entries if e[0].region in converted]
        if not entries:
            continue
        spread: dict[str, set[str]] = defaultdict(set)
        for it, _, _ in entries:
            spread[keys[it.iri]].add(it.region)
        grams = _bigrams(land.measures[m].text)
        sim = {e[0].iri: _overlap(grams, grams_of[e[0].iri]) for e in entries}
        ranked = sorted(entries, key=lambda e: (-len(spread[keys[e[0].iri]]), -round(sim[e[0].iri], 3),
                                                not e[2], -(e[1] or 0), e[0].region, e[0].row, e[0].iri))
        made: dict[str, dict[str, Any]] = {}  # one suggestion dict per item, shared by the cells
        for r in land.regions:
            cell = land.cells[(r, m)]
            if cell["status"] == "service-item":
                continue
            recs, names = [], set()
            for it, conf, printed in ranked:
                name = keys[it.iri]
                if it.region == r or name in names:
                    continue
                names.add(name)
                rec = made.get(it.iri)
                if rec is None:
                    rec = made[it.iri] = {
                        **it.to_json(), "region_name": land.regions.get(it.region, it.region),
                        "regions_with_name": len(spread[name]), "text_overlap": round(sim[it.iri], 3),
                        "kind": "printed" if printed else "predicted", "confidence": conf}
                recs.append(rec)
                if len(recs) == MAX_RECOMMENDATIONS:
                    break
            cell["recommendations"] = recs


def _bigrams(text: str) -> set[str]:
    t = re.sub(r"[^\u4e00-\u9fff0-9A-Za-z]", "", text or "")
    return {t[i:i + 2] for i in range(len(t) - 1)}


def _overlap(measure: set[str], item: set[str]) -> float:
    """Share of the item's character bigrams found in the measure's text (0..1)."""
    return len(measure & item) / len(item) if item else 0.0


def compute_store(store_dir: Path | str, region: str | None = None) -> Landing:

    return compute(open_read_only(store_dir), region)
