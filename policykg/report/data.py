"""The report's numbers: the report queries run on a store, arranged by region.

Numbers come from SPARQL files (``queries/reports/*.rq`` and the catalogue's
``key-task-coverage`` and ``measures-lacking-service-items``), run on the store's default
graph; this module only arranges them.

Cross-region comparison of service items is by *normalized name*: NFKC, whitespace and
quotation marks removed (the PDF broke names across lines; lists differ in quote style).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policykg import landing
from policykg.core.config import QUERY_DIR
from policykg.core.errors import UsageError
from policykg.core.iris import normalize_name
from policykg.core.progress import Progress, silent
from policykg.sparql.queries import load_query
from policykg.sparql.queries import run as run_query

from .handling import section_or_empty

REPORTS_DIR = QUERY_DIR / "reports"


def _value(term: Any) -> Any:
    if term is None:
        return None
    v = term.value
    dt = getattr(getattr(term, "datatype", None), "value", "")
    if dt.endswith(("#integer", "#int", "#long", "#decimal")):
        try:
            return int(float(v))
        except ValueError:
            return v
    return v


def _rows(store: Any, path: Path) -> list[dict[str, Any]]:
    res = run_query(store, load_query(path).text)
    return [{k: _value(r.get(k)) for k in res.variables} for r in res.rows]


@dataclass
class Region:
    code: str
    name: str
    rows: int = 0
    local_measures: int = 0
    service_items: int = 0
    key_tasks_with_measures: int = 0
    key_tasks_with_items: int = 0
    measures_lacking: int = 0
    linked: bool = False                 # its list links rows to provincial measures
    measures_cited: int = 0
    measures_landed: int = 0             # provincial measures with ≥1 service item
    blocks: list[tuple[str, int]] = field(default_factory=list)
    level1: list[tuple[str, int]] = field(default_factory=list)
    lacking: list[dict[str, Any]] = field(default_factory=list)
    standard: dict[str, int] = field(default_factory=dict)
    key_tasks: dict[int, tuple[int, int]] = field(default_factory=dict)     # kt -> (measures, items)
    measures: dict[int, tuple[int, int]] = field(default_factory=dict)      # pm -> (cited, items)
    names: dict[str, dict[str, Any]] = field(default_factory=dict)          # normalized -> item row
    highlights: list[dict[str, Any]] = field(default_factory=list)         # 特色亮点 (policykg.align)

    @property
    def label(self) -> str:
        return f"{self.name}（{self.code}）"


@dataclass
class ReportData:
    regions: list[Region]
    key_task_titles: dict[int, str]
    key_task_bottlenecks: list[dict[str, Any]]
    measure_bottlenecks: list[dict[str, Any]]
    measure_labels: dict[int, str]
    measure_key_task: dict[int, int]
    generation: str = ""
    created: str = ""
    handling: dict[str, Any] | None = None      # the 办件 summary (policykg.handling), if records are loaded
    updates: list[str] = field(default_factory=list)     # HTML parts of policykg.report.updates
    landing: Any = None                  # policykg.landing.Landing (issue 15), when the store has the statuses

    def differences(self) -> list[tuple[Region, Region, list[dict[str, Any]]]]:
        """(A, B, items A offers that B lacks) for every ordered pair of regions with items."""
        with_items = [r for r in self.regions if r.names]
        out = []
        for a in with_items:
            for b in with_items:
                if a is not b:
                    out.append((a, b, [a.names[k] for k in sorted(a.names, key=lambda k: (
                        a.names[k].get("row") or 0, k)) if k not in b.names]))
        return out


def collect(store: Any, progress: Progress = silent) -> ReportData:
    """Run the report queries on an open store and arrange their rows by region."""
    progress("运行报告查询 / running report queries")
    overview = _rows(store, REPORTS_DIR / "region-overview.rq")
    regions = {r["region"]: Region(
        r["region"], r["name"], r["rows"], r["localMeasures"], r["serviceItems"], r["keyTasksWithMeasures"],
        r["keyTasksWithItems"], r["measuresLacking"]) for r in overview}
    for r in _rows(store, QUERY_DIR / "key-task-coverage.rq"):
        if r["region"] in regions:
            regions[r["region"]].key_tasks[r["keyTask"]] = (r["localMeasures"], r["serviceItems"])
    for r in _rows(store, REPORTS_DIR / "provincial-measure-coverage.rq"):
        reg = regions.get(r["region"])
        if reg is None:
            continue
        reg.linked = reg.linked or bool(r["linked"])
        reg.measures[r["measure"]] = (r["cited"], r["serviceItems"])
    for reg in regions.values():
        reg.measures_cited = sum(1 for c, _ in reg.measures.values() if c)
        reg.measures_landed = sum(1 for _, n in reg.measures.values() if n)
    for name, attr in (("items-per-block.rq", "blocks"), ("items-per-level1.rq", "level1")):
        col = "block" if attr == "blocks" else "level1"
        for r in _rows(store, REPORTS_DIR / name):
            if r["region"] in regions:
                getattr(regions[r["region"]], attr).append((r[col], r["items"]))
    for r in _rows(store, REPORTS_DIR / "measures-lacking.rq"):
        if r["region"] in regions:
            regions[r["region"]].lacking.append(r)
    for r in _rows(store, REPORTS_DIR / "standardization.rq"):
        if r["region"] in regions:
            regions[r["region"]].standard = {k: v for k, v in r.items() if k != "region"}
    for r in _rows(store, REPORTS_DIR / "service-item-names.rq"):
        reg = regions.get(r["region"])
        if reg is not None:
            reg.names.setdefault(normalize_name(r["title"]), r)
    for r in _rows(store, QUERY_DIR / "local-highlights.rq"):
        if r["code"] in regions:
            regions[r["code"]].highlights.append(r)
    kt_bottle = _rows(store, REPORTS_DIR / "key-task-bottlenecks.rq")
    pm_bottle = _rows(store, REPORTS_DIR / "measure-bottlenecks.rq")
    progress(f"{len(regions)} 个地区 / regions")
    return ReportData(
        regions=[regions[c] for c in sorted(regions)],
        key_task_titles={r["keyTask"]: r["title"] or "" for r in kt_bottle},
        key_task_bottlenecks=[r for r in kt_bottle if r["regions"] <= 1],
        measure_bottlenecks=[r for r in pm_bottle if r["regions"] <= 1],
        measure_labels={r["measure"]: r["label"] or "" for r in pm_bottle},
        measure_key_task={r["measure"]: r["keyTask"] for r in pm_bottle},
        created=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        handling=section_or_empty(store),
        landing=_landing(store),
    )


def _landing(store: Any) -> Any:
    """The measure-level landing (issue 15), or None for a store derived before its statistics."""
    try:
        return landing.compute(store)
    except UsageError:
        return None
