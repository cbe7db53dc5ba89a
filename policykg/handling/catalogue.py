"""The regions' service items as the store holds them, and matching a record's item to one.

A record names its item by 清单序号 plus name, or by name alone where the name is unique in
the region. Names compare in normalized form (NFKC, whitespace and quotation marks removed:
the PDF broke names across lines, lists differ in quote style). A near miss gets the closest
items (rapidfuzz) in a "did you mean".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from ..core.config import QUERY_DIR
from ..core.errors import UsageError
from ..core.iris import normalize_name
from ..core.regions import get as get_region
from ..graph.store import generation_name, open_read_only
from ..sparql.queries import load_query
from ..sparql.queries import run as run_query

HANDLING_QUERIES = QUERY_DIR / "handling"


@dataclass(frozen=True)
class Item:
    region: str
    iri: str
    row: int
    title: str
    block: str
    level1: str

    @property
    def key(self) -> str:
        return normalize_name(self.title)

    @property
    def label(self) -> str:
        return f"序号 {self.row}“{self.title}”"


def rows(store: Any, name: str, named_graphs: list[str] | None = None, **params: Any) -> list[dict[str, Any]]:
    """A query of queries/handling/ as rows of Python values (ints for integers)."""
    q = load_query(HANDLING_QUERIES / f"{name}.rq")
    res = run_query(store, q.text, substitutions=params or None, named_graphs=named_graphs)
    out = []
    for r in res.rows:
        row = {}
        for v in res.variables:
            t = r.get(v)
            if t is None:
                row[v] = None
                continue
            dt = getattr(getattr(t, "datatype", None), "value", "")
            row[v] = int(t.value) if dt.endswith("#integer") else t.value
        out.append(row)
    return out


class Catalogue:
    """Service items per region (only regions with a list have any)."""

    def __init__(self, items: list[Item], names: dict[str, str] | None = None) -> None:
        self.by_region: dict[str, list[Item]] = {}
        for it in items:
            self.by_region.setdefault(it.region, []).append(it)
        self.names = names or {}
        self.by_iri = {it.iri: it for it in items}

    @classmethod
    def from_store(cls, store: Any) -> Catalogue:
        items, names = [], {}
        for r in rows(store, "service-items"):
            items.append(Item(r["region"], r["item"], int(r["row"]), r["title"] or "", r["block"], r["level1"]))
            names[r["region"]] = r["regionName"]
        return cls(items, names)

    def region_name(self, code: str) -> str:
        if code in self.names:
            return self.names[code]
        try:
            return get_region(code).full_name
        except UsageError:
            return code

    def known_region(self, code: str) -> tuple[str, str] | None:
        """None if the region has service items, else why it cannot take handling records."""
        try:
            get_region(code)
        except UsageError:
            return (f"不是浙江省的行政区划代码：“{code}”", f"not a Zhejiang division code: {code!r}")
        if code not in self.by_region:
            return (f"地区 {code}（{self.region_name(code)}）尚无含服务事项的清单，请先加载清单",
                    f"region {code} has no list with service items yet: load its list first")
        return None

    def match(self, code: str, row: int | None, name: str) -> tuple[str | None, str, str, str]:
        """(item IRI, "", "", "") or (None, the column at fault, zh, en)."""
        items = self.by_region.get(code, [])
        key = normalize_name(name)
        if row is not None:
            at_row = [it for it in items if it.row == row]
            if not at_row:
                return None, "清单序号", f"清单序号 {row} 在该地区清单中没有服务事项{self._hint(items, name)[0]}", \
                    f"list row {row} has no service item in this region's list{self._hint(items, name)[1]}"
            hit = [it for it in at_row if it.key == key] if key else (at_row if len(at_row) == 1 else [])
            if len(hit) == 1:
                return hit[0].iri, "", "", ""
            zh, en = self._hint(at_row + [it for it in items if it not in at_row], name)
            there = "、".join(f"“{it.title}”" for it in at_row)
            return None, "服务事项", f"清单序号 {row} 的服务事项是 {there}，不是“{name}”{zh}", \
                f"list row {row} holds {there}, not {name!r}{en}"
        if not key:
            return None, "服务事项", "服务事项为空", "the service item is empty"
        hit = [it for it in items if it.key == key]
        if len(hit) == 1:
            return hit[0].iri, "", "", ""
        if len(hit) > 1:
            rows_ = "、".join(str(it.row) for it in hit)
            return None, "服务事项", f"该地区有 {len(hit)} 个服务事项名为“{name}”（清单序号 {rows_}），请填写清单序号", \
                f"{len(hit)} service items are named {name!r} (list rows {rows_}): give the 清单序号"
        zh, en = self._hint(items, name)
        return None, "服务事项", f"该地区清单中没有服务事项“{name}”{zh}", f"no service item {name!r} in this region's list{en}"

    @staticmethod
    def _hint(items: list[Item], name: str) -> tuple[str, str]:
        """'did you mean' with the closest three items, or nothing."""
        if not name or not items:
            return "", ""

        choices = {i: it.key for i, it in enumerate(items)}
        best = process.extract(normalize_name(name), choices, scorer=fuzz.WRatio, limit=3, score_cutoff=50)
        if not best:
            return "", ""
        labels = "、".join(items[k].label for _, _, k in best)
        return f"；您是否指：{labels}", f"; did you mean: {labels}"


def service_items(store_dir: Path | str) -> Catalogue:

    if generation_name(store_dir) is None:
        return Catalogue([])
    return Catalogue.from_store(open_read_only(store_dir))
