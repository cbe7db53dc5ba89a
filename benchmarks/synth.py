"""Synthetic regional lists for every Zhejiang city and county, shaped like the four real ones.

Each list is a :class:`policykg.core.records.RegionList` with ``synthetic=True`` (``rdfmap``
then marks its table ``pk:synthetic true``) and a title starting 【合成数据 synthetic】, so
nobody mistakes it for a real list. Shapes (row counts, key-task spread, service items
per row, categories, blocks, text lengths) come from a :class:`Profile`:
:func:`profile_from_lists` derives one from the real lists the text loaders read;
:func:`hand_set` is the fallback used while those loaders do not exist yet. Texts are
windows of the source document's own sentences, so lengths and characters are realistic.

Scales: ``provincial`` (all 101 regions, one list each) and ``history`` (ten versions of
each list; see :func:`history`). Everything is deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from policykg.core.config import SOURCE_DOCUMENT
from policykg.core.records import (
    Backbone,
    Contact,
    GeneralTask,
    KeyTask,
    ListRow,
    LocalMeasure,
    ProvincialMeasure,
    RegionList,
    ServiceItem,
    SourceRef,
)
from policykg.core.regions import regions

SYNTHETIC_DOCUMENT = "synthetic-benchmark-lists"
LABEL_PREFIX = "【合成数据 synthetic】"
HISTORY_VERSIONS = 10

# Real layouts by administrative level (which layout a synthetic region borrows).
CITY_LAYOUTS = ("quzhou", "zhoushan")
COUNTY_LAYOUTS = ("qiantang", "deqing")
MEASURE_KIND = {"quzhou": "city-rule", "zhoushan": "city-measure", "qiantang": "adopted", "deqing": "county-measure"}


# ------------------------------------------------------------------ profile

@dataclass
class Profile:
    """Empirical samples a synthetic list draws from (lists keep repetitions = weights)."""

    origin: str                                      # "hand-set" or "real: 330800,…"
    rows: dict[str, list[int]]                       # layout -> row counts of real lists
    key_task_rows: list[int]                         # rows per key task 1..32 (index 0 = task 1)
    items_per_row: dict[str, list[int]]              # layout -> service items per row
    rows_per_measure: dict[str, list[int]]           # layout -> rows one local measure spans
    measures_per_row: dict[str, list[int]]           # layout -> local measures per row
    categories: list[tuple[str, str, str]]           # (level1, level2, level3) of items seen
    blocks: list[str]                                # 承接板块 labels
    measure_len: list[int]                           # characters of a local measure's text
    content_len: list[int]                           # characters of 服务内容
    target_len: list[int] = field(default_factory=lambda: [40, 60, 90])
    units: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        med = statistics.median
        return {
            "origin": self.origin,
            "rows": {k: v for k, v in self.rows.items()},
            "items_per_row_mean": {k: round(statistics.fmean(v), 2) for k, v in self.items_per_row.items() if v},
            "level1": len({c[0] for c in self.categories}),
            "categories": len(set(self.categories)),
            "blocks": len(set(self.blocks)),
            "measure_len_median": med(self.measure_len),
            "content_len_median": med(self.content_len),
        }


_L2 = {
    "政策服务": ["政策推送", "政策申报", "政策咨询", "培训服务", "政策兑现"],
    "金融服务": ["基金投资", "担保服务", "融资服务", "融资对接", "保险服务", "银行信贷服务"],
    "项目服务": ["咨询服务", "用电服务", "招投标服务", "审批服务", "用地服务"],
    "诉求服务": ["政策咨询", "诉求办理", "常态化交流服务"],
    "开放服务": ["咨询服务", "展会服务", "信保服务", "外贸服务"],
    "法治服务": ["法治服务", "纠纷处置服务", "信用服务", "法律合规提醒"],
    "人才服务": ["职称评审服务", "产教融合服务", "人才招引服务"],
    "科创服务": ["科技成果转化服务", "研发服务", "知识产权服务"],
}
_BLOCKS = (["诉求（兜底）服务板块"] * 6 + ["金融服务板块"] * 4 + ["金融板块"] * 11 + ["科创板块"] * 10
           + ["诉求板块"] * 7 + ["开放板块"] * 6 + ["人才板块"] * 5 + ["法治板块"] * 4 + ["政策板块"] * 3
           + ["项目板块"] * 2)
_UNITS = ["市发改委", "市经信局", "市财政局", "市税务局", "市科技局", "市商务局", "市市场监管局", "市人力社保局",
          "市自然资源和规划局", "市住建局", "市金融办", "市司法局", "市统计局", "市工商联", "人行市分行", "市委改革办"]
_STAGES = ["长期实施", "2024年底前", "2025年底前", "2023—2027年", "2024—2025年"]


@lru_cache(maxsize=1)
def hand_set() -> Profile:
    """Distributions set by hand from a reading of the four attachments (see module doc)."""
    rng = random.Random("hand-set-categories")
    cats: list[tuple[str, str, str]] = []
    for l1, l2s in _L2.items():
        for l2 in l2s:
            for _ in range(rng.randint(2, 6)):
                l3 = _phrase(rng, 4, 9) + "服务"
                cats += [(l1, l2, l3)] * rng.randint(1, 3)
            cats.append((l1, l2, ""))
    # key tasks: the first ones (税费, 基金, 融资, 要素) get more rows in every list
    kt = [8, 6, 7, 6, 5, 4, 4, 5, 3, 3, 4, 3, 3, 4, 3, 3, 2, 3, 3, 2, 2, 3, 3, 2, 2, 3, 2, 2, 2, 2, 2, 3]
    return Profile(
        origin="hand-set",
        rows={"quzhou": [93], "zhoushan": [32], "qiantang": [70], "deqing": [107]},
        key_task_rows=kt,
        items_per_row={"quzhou": [1] * 9 + [2], "zhoushan": [0], "qiantang": [1] * 8 + [2, 0], "deqing": [1] * 8 + [2, 3]},
        rows_per_measure={"quzhou": [1, 2, 3, 4, 2, 3], "zhoushan": [1], "qiantang": [1], "deqing": [1, 1, 1, 2]},
        measures_per_row={"quzhou": [1], "zhoushan": [2, 3, 4, 3, 5, 2], "qiantang": [1], "deqing": [1]},
        categories=cats,
        blocks=_BLOCKS,
        measure_len=[45, 60, 80, 95, 110, 130, 150, 170, 210, 260],
        content_len=[25, 30, 38, 45, 52, 60, 70, 85],
        units=_UNITS,
        stages=_STAGES,
    )


def profile_from_lists(lists: Iterable[RegionList]) -> Profile:
    """Distributions measured on real lists (as ``loaders.text.read_attachments`` reads them).

    Falls back to the hand-set sample for anything the real lists do not show (e.g. no
    list has contacts' units): an empty sample would leave a synthetic field empty.
    """
    lists = list(lists)
    if not lists:
        return hand_set()
    rows: dict[str, list[int]] = {}
    items: dict[str, list[int]] = {}
    span: dict[str, list[int]] = {}
    per_row: dict[str, list[int]] = {}
    kt = Counter[int]()
    cats: list[tuple[str, str, str]] = []
    blocks: list[str] = []
    mlen: list[int] = []
    clen: list[int] = []
    tlen: list[int] = []
    units: list[str] = []
    stages: list[str] = []
    for rl in lists:
        layout = rl.layout
        rows.setdefault(layout, []).append(len(rl.rows))
        spans = Counter[str]()
        for row in rl.rows:
            if row.key_task:
                kt[row.key_task] += 1
            items.setdefault(layout, []).append(len(row.service_items))
            per_row.setdefault(layout, []).append(max(1, len(row.local_measures)))
            for lm in row.local_measures:
                spans[lm.key] += 1
            for it in row.service_items:
                if it.level1:
                    cats.append((it.level1, it.level2, it.level3))
                if it.block:
                    blocks.append(it.block)
                if it.content:
                    clen.append(len(it.content))
        seen: set[str] = set()
        for row in rl.rows:
            for lm in row.local_measures:
                if lm.key in seen:
                    continue
                seen.add(lm.key)
                mlen.append(len(lm.text))
                if lm.target:
                    tlen.append(len(lm.target))
                units += list(lm.units)
                if lm.stage:
                    stages.append(lm.stage)
        span[layout] = list(spans.values()) or [1]
    base = hand_set()
    return Profile(
        origin="real: " + ",".join(rl.region for rl in lists),
        rows={**base.rows, **rows},
        key_task_rows=[kt.get(n, 0) + 1 for n in range(1, 33)],
        items_per_row={**base.items_per_row, **items},
        rows_per_measure={**base.rows_per_measure, **span},
        measures_per_row={**base.measures_per_row, **per_row},
        categories=cats or base.categories,
        blocks=blocks or base.blocks,
        measure_len=mlen or base.measure_len,
        content_len=clen or base.content_len,
        target_len=tlen or base.target_len,
        units=units or base.units,
        stages=stages or base.stages,
    )


# ------------------------------------------------------------------ text

@lru_cache(maxsize=1)
def _sentences() -> tuple[str, ...]:
    """The source document's sentences (whitespace removed), the corpus texts are cut from."""
    path = Path(SOURCE_DOCUMENT)
    text = path.read_text(encoding="utf-8") if path.exists() else "促进民营经济高质量发展。"
    flat = re.sub(r"\s+", "", text)
    parts = [p for p in re.split(r"(?<=[。；])", flat) if len(p) >= 8 and not p.isdigit()]
    return tuple(parts) or ("促进民营经济高质量发展。",)


def _text(rng: random.Random, length: int) -> str:
    s = _sentences()
    out = ""
    while len(out) < length:
        out += s[rng.randrange(len(s))]
    out = out[: max(4, length)]
    return out if out.endswith(("。", "；")) else out.rstrip("，、；") + "。"


def _phrase(rng: random.Random, lo: int, hi: int) -> str:
    s = _sentences()[rng.randrange(len(_sentences()))]
    s = re.sub(r"[^\u4e00-\u9fff]", "", s) or "综合服务"
    n = rng.randint(lo, hi)
    i = rng.randrange(max(1, len(s) - n))
    return s[i:i + n]


def _pick(rng: random.Random, sample: list[int] | list[str], jitter: float = 0.0):
    v = sample[rng.randrange(len(sample))]
    if jitter and isinstance(v, int):
        v = max(1, round(v * rng.uniform(1 - jitter, 1 + jitter)))
    return v


# ------------------------------------------------------------------ backbone

def fallback_backbone() -> Backbone:
    """A stand-in backbone (32 key tasks, 146 measures) for when the text loader is missing.

    Real code prefers ``loaders.text.read_backbone``; see :func:`backbone`.
    """
    rng = random.Random("fallback-backbone")
    counts = [4, 2, 5, 5, 6, 4, 5, 5, 4, 4, 5, 4, 4, 5, 5, 4, 4, 5, 5, 4, 4, 5, 5, 4, 4, 5, 5, 4, 4, 4, 4, 6]
    general = [GeneralTask(i + 1, t) for i, t in enumerate(
        ["强化资源要素支持", "加大市场开放力度", "推动产业转型升级", "优化发展环境", "强化组织保障"])]
    tasks, measures, n = [], [], 0
    for k, c in enumerate(counts, start=1):
        tasks.append(KeyTask(k, LABEL_PREFIX + _phrase(rng, 6, 12), general_task=min(5, 1 + (k - 1) // 7)))
        for _ in range(c):
            n += 1
            measures.append(ProvincialMeasure(n, k, _text(rng, rng.randint(30, 110))))
    return Backbone(tasks, measures, general, SourceRef(SYNTHETIC_DOCUMENT))


def backbone(source: Path | str = SOURCE_DOCUMENT) -> tuple[Backbone, str]:
    """The real backbone when the text loader exists, else :func:`fallback_backbone`.

    Returns ``(backbone, origin)`` where origin says which one it is.
    """
    try:
        from loaders.text import read_backbone  # type: ignore[attr-defined]
    except ImportError:
        return fallback_backbone(), "fallback (loaders.text.read_backbone missing)"
    return read_backbone(Path(source)), "real"


def real_lists(source: Path | str, bb: Backbone) -> list[RegionList]:
    """The four attached lists, or [] while ``loaders.text.read_attachments`` is missing."""
    try:
        from loaders.text import read_attachments  # type: ignore[attr-defined]
    except ImportError:
        return []
    return list(read_attachments(Path(source), bb))


# ------------------------------------------------------------------ lists

def synthetic_regions(limit: int | None = None) -> list[str]:
    """Codes of all cities and counties (101), cities first in code order."""
    codes = sorted(r.code for r in regions().values() if r.level in ("city", "county"))
    return codes[:limit] if limit else codes


def region_list(code: str, bb: Backbone, profile: Profile | None = None, *, seed: int = 0) -> RegionList:
    """One synthetic list for ``code`` in a layout borrowed from a real list of its level."""
    profile = profile or hand_set()
    reg = regions()[code]
    rng = random.Random(f"{seed}:{code}")
    layout = rng.choice(CITY_LAYOUTS if reg.level == "city" else COUNTY_LAYOUTS)
    if layout not in profile.rows:
        layout = next(iter(profile.rows))
    by_task: dict[int, list[ProvincialMeasure]] = {}
    for m in bb.measures:
        by_task.setdefault(m.key_task, []).append(m)
    n_rows = _pick(rng, profile.rows[layout], jitter=0.25)
    task_numbers = _spread(rng, n_rows, profile.key_task_rows, one_per_task=(layout == "zhoushan"))
    gen = _RowMaker(rng, code, layout, profile, bb, by_task)
    rows = gen.rows(task_numbers)
    title = f"{LABEL_PREFIX}{reg.full_name}“民营经济32条”细化清单（合成数据，仅供性能测试 / synthetic, benchmark only）"
    return RegionList(region=code, layout=layout, rows=rows, title=title,
                      source=SourceRef(SYNTHETIC_DOCUMENT, sha256=""), synthetic=True)


def _spread(rng: random.Random, n: int, weights: list[int], *, one_per_task: bool) -> list[int]:
    """Key task of each row, in order: most tasks get a row, the rest follow the weights."""
    if one_per_task:
        return sorted(k for k in range(1, 33) if rng.random() < min(1.0, n / 32 + 0.05)) or [1]
    tasks = [k for k in range(1, 33) if rng.random() < 0.92]
    while len(tasks) < n:
        tasks.append(rng.choices(range(1, 33), weights=weights)[0])
    return sorted(tasks[:n])


class _RowMaker:
    def __init__(self, rng: random.Random, code: str, layout: str, profile: Profile, bb: Backbone,
                 by_task: dict[int, list[ProvincialMeasure]]) -> None:
        self.rng, self.code, self.layout, self.p, self.bb, self.by_task = rng, code, layout, profile, bb, by_task
        self.kt_label = {k.number: k.title for k in bb.key_tasks}
        self.kt_general = {k.number: k.general_task for k in bb.key_tasks}
        self.local_prefix = regions()[code].name[:-1] if regions()[code].level == "county" else "市"
        self.numbered = 0

    def rows(self, tasks: list[int]) -> list[ListRow]:
        out: list[ListRow] = []
        i = 0
        while i < len(tasks):
            k = tasks[i]
            group = [t for t in tasks[i:] if t == k]
            out += self._group(len(out) + 1, k, len(group))
            i += len(group)
        return out

    def _group(self, first: int, k: int, n: int) -> list[ListRow]:
        """Rows of one key task: local measures spanning some rows (merged cells), items per row."""
        rng, p = self.rng, self.p
        measures = self.by_task.get(k, [])
        rows: list[ListRow] = []
        current: tuple[LocalMeasure, ...] = ()
        left = 0
        all_cited = {m.number for m in measures}      # 衢州 prints every measure of the task (merged)
        for j in range(n):
            row_no = first + j
            if left <= 0:
                current = self._measures(row_no, k, measures)
                left = _pick(rng, p.rows_per_measure[self.layout])
            left -= 1
            cited = tuple(sorted(all_cited if self.layout == "quzhou" else self._cited(measures, 2)))
            items = tuple(self._item() for _ in range(_pick(rng, p.items_per_row[self.layout])))
            contacts: tuple[Contact, ...] = ()
            if self.layout == "zhoushan":
                contacts = tuple(Contact(f"联系人{row_no}-{c}", role="处长", phone=f"0580-000{row_no:02d}{c}")
                                 for c in range(1, rng.randint(1, 2) + 1))
            rows.append(ListRow(
                row=row_no, key_task=k, key_task_label=self.kt_label.get(k, ""),
                general_task=self.kt_general.get(k) if self.layout == "zhoushan" else None,
                provincial_measures=cited if self.layout in ("quzhou", "qiantang") else (),
                provincial_texts=tuple(m.text for m in measures if m.number in cited) if self.layout == "qiantang" else (),
                local_measures=current, service_items=items, contacts=contacts,
                remark=_text(rng, 12) if self.layout == "qiantang" and rng.random() < 0.1 else "",
                source=SourceRef(SYNTHETIC_DOCUMENT, line_start=row_no * 10, line_end=row_no * 10 + 9),
            ))
        return rows

    def _cited(self, measures: list[ProvincialMeasure], most: int = 3) -> set[int]:
        if not measures:
            return set()
        n = self.rng.randint(1, min(most, len(measures)))
        return {m.number for m in self.rng.sample(measures, n)}

    def _measures(self, row_no: int, k: int, measures: list[ProvincialMeasure]) -> tuple[LocalMeasure, ...]:
        rng, p, kind = self.rng, self.p, MEASURE_KIND.get(self.layout, "county-measure")
        out = []
        for c in range(1, _pick(rng, p.measures_per_row[self.layout]) + 1):
            implements = tuple(sorted(self._cited(measures))) if rng.random() < 0.7 else ()
            if self.layout == "qiantang" and measures:
                text, key, number = rng.choice(measures).text, f"r{row_no}", None
            elif self.layout == "zhoushan":
                text, key, number = _text(rng, _pick(rng, p.measure_len)), f"{row_no}-{c}", c
            elif self.layout == "quzhou":
                self.numbered += 1
                text, key, number = _text(rng, _pick(rng, p.measure_len)), str(self.numbered), self.numbered
            else:
                text, key, number = _text(rng, _pick(rng, p.measure_len)), f"r{row_no}", None
            units: tuple[str, ...] = ()
            if self.layout == "zhoushan":
                units = tuple(dict.fromkeys(self._unit() for _ in range(rng.randint(1, 3))))
            out.append(LocalMeasure(
                key=key, kind=kind, text=text, number=number, implements=implements,
                target=_text(rng, _pick(rng, p.target_len)) if self.layout == "zhoushan" and c == 1 else "",
                stage=_pick(rng, p.stages) if self.layout == "zhoushan" else "",
                units=units, lead_unit=units[0] if units else "",
            ))
        return tuple(out)

    def _unit(self) -> str:
        u = _pick(self.rng, self.p.units)
        return u.replace("市", self.local_prefix, 1) if u.startswith("市") else u

    def _item(self) -> ServiceItem:
        rng = self.rng
        l1, l2, l3 = _pick(rng, self.p.categories)
        if l3 and rng.random() < 0.15:      # some regions name their own level-3 items
            l3 = _phrase(rng, 4, 8) + "服务"
        return ServiceItem(level1=l1, level2=l2, level3=l3, block=_pick(rng, self.p.blocks),
                           content=_text(rng, _pick(rng, self.p.content_len)))


def provincial(bb: Backbone, profile: Profile | None = None, *, seed: int = 0,
               limit: int | None = None) -> list[RegionList]:
    """One synthetic list for each of the 101 cities and counties (or the first ``limit``)."""
    return [region_list(code, bb, profile, seed=seed) for code in synthetic_regions(limit)]


# ------------------------------------------------------------------ history

def history(rl: RegionList, *, versions: int = HISTORY_VERSIONS, seed: int = 0) -> Iterator[tuple[int, RegionList]]:
    """``versions`` versions of a list, oldest first; the last one is ``rl`` itself.

    Going back in time each version rewrites about a tenth of the rows' texts and drops the
    newest row or two, the way a list is refined year by year. Entities keep their IRIs
    across versions (a row is the same row). :mod:`benchmarks.buildstore` records them as the
    product keeps versions (:mod:`policykg.versions`: files outside the store's graphs).
    """
    rng = random.Random(f"{seed}:{rl.region}:history")
    chain = [rl]
    for _ in range(versions - 1):
        prev = chain[-1]
        rows = prev.rows[: max(1, len(prev.rows) - rng.randint(0, 2))]
        rows = [_revise(rng, r) if rng.random() < 0.1 else r for r in rows]
        chain.append(replace(prev, rows=rows))
    yield from enumerate(reversed(chain), start=1)


def _revise(rng: random.Random, row: ListRow) -> ListRow:
    ms = tuple(replace(m, text=_text(rng, max(20, len(m.text)))) for m in row.local_measures)
    items = tuple(replace(i, content=_text(rng, max(10, len(i.content)))) for i in row.service_items)
    return replace(row, local_measures=ms, service_items=items)


def next_version(rl: RegionList, *, seed: int = 0, share: float = 0.1) -> RegionList:
    """The list a region sends next: about ``share`` of its rows' texts rewritten (as
    :func:`history` refines a list from one version to the next)."""
    rng = random.Random(f"{seed}:{rl.region}:next")
    rows = [_revise(rng, r) if rng.random() < share else r for r in rl.rows]
    if rows == list(rl.rows):
        rows[0] = _revise(rng, rows[0])
    return replace(rl, rows=rows)
