"""Header recognition that tolerates what offices write (issue 20).

A header cell is compared to a layout column's header and aliases (``loaders/mappings``)
in a normal form (:func:`key`): NFKC (full-width letters, digits and brackets folded to
half-width), whitespace and line breaks removed, every kind of bracket made ``()``, marks
such as ``*`` and a trailing colon dropped. A cell then scores, against a column:

* 100 — the normal forms are equal (the header or an alias);
* 95  — equal once bracketed parts are dropped (``承接板块（专区）`` = ``承接板块``);
* the rapidfuzz ``ratio`` of the normal forms when at least :data:`THRESHOLD` (capped at 94),
  a header ending in 编号/序号 only against another such header (重点工作 ≠ 重点工作编号), one
  saying 省级 only against another (细化举措 ≠ 省级细化举措);
* 0 otherwise.

Cells are assigned to columns greedily, best score first, each cell and column once.
A hand mapping (``--map "细化举措=local_measure"`` or ``data/mappings/{code}.toml``) is
applied before that and scores 100. A layout is *eligible* when all its required columns
(those marked ``required``, else all but 备注) are found; its score is the sum of the
column scores divided by (its columns + the file's unmatched columns), 0–1. The eligible
layout with the best score is chosen; the choice and the score are reported. Unmatched
columns are kept as notes: their text goes to the row's 备注 (``表头：内容``), except
columns whose cells hold phone numbers (personal data), which are left out; both are
reported as warnings.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz

from policykg.core.config import DATA_DIR
from policykg.core.errors import LoadError

from . import layouts
from .layouts import FIELDS, Column, Layout
from .people import PHONE

THRESHOLD = 80.0                  # one wrong character in a 5-character header still matches
NUMBER_WORDS = ("编号", "序号")     # a number column is never a fuzzy match of a text column,
PROVINCIAL = "省级"                 # nor a provincial column of a local one
REMARK_HEADERS = {"备注", "说明", "备注说明", "其他"}
REGION_MAPPINGS = DATA_DIR / "mappings"

_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")",
                           "[": "(", "]": ")", "〈": "(", "〉": ")", "《": "(", "》": ")", "{": "(", "}": ")"})
_MARKS = re.compile(r"[*＊★※:：、.．]+$|^[*＊★※]+")
_BRACKETED = re.compile(r"\([^()]*\)")
_ROW_NUMBER = re.compile(r"^\s*(\d+)\s*(?:\.0*|[、.．，,)）])?\s*$")


def key(text: str | None) -> str:
    """The normal form a header cell is compared in (see the module docstring)."""
    t = unicodedata.normalize("NFKC", text or "").translate(_BRACKETS)
    return _MARKS.sub("", re.sub(r"\s+", "", t))


def bare(text: str | None) -> str:
    """:func:`key` without bracketed parts: ``承接板块（专区）`` -> ``承接板块``."""
    return _BRACKETED.sub("", key(text)) or key(text)


def row_number(text: str | None) -> str:
    """A 序号 as offices write it: ``1.0``, ``１``, ``1、``, ``1.`` -> ``1``; other text as is."""
    t = unicodedata.normalize("NFKC", text or "").strip()
    m = _ROW_NUMBER.match(t)
    return m.group(1) if m else t


def names(col: Column) -> list[str]:
    return [col.header, *col.aliases]


def column_score(cell: str, col: Column) -> float:
    """How well header ``cell`` names column ``col``: 0–100 (see the module docstring)."""
    k = key(cell)
    if not k:
        return 0.0
    keys = [key(n) for n in names(col)]
    if k in keys:
        return 100.0
    if bare(cell) in keys or bare(cell) in {bare(n) for n in names(col)}:
        return 95.0
    best = max((fuzz.ratio(k, n) for n in keys if _kind(k) == _kind(n)), default=0.0)
    return min(best, 94.0) if best >= THRESHOLD else 0.0


def _kind(k: str) -> tuple[bool, bool]:
    return k.endswith(NUMBER_WORDS), PROVINCIAL in k


def required(layout: Layout) -> list[Column]:
    marked = [c for c in layout.columns if c.required]
    return marked or [c for c in layout.columns if c.field != "remark"]


@dataclass
class Match:
    index: int                 # column index in the file
    header: str                # the file's header text
    field: str
    score: float               # 0–100
    how: str                   # "exact" | "alias" | "fuzzy" | "hand" | "position"


@dataclass
class Recognition:
    """What the header was read as: the layout, each column's field and score, the rest."""

    layout: Layout
    score: float                                   # 0–1
    matches: list[Match] = field(default_factory=list)
    missing: list[Column] = field(default_factory=list)
    extras: list[tuple[int, str]] = field(default_factory=list)      # (index, header) not in the layout
    notes: dict[int, str] = field(default_factory=dict)              # extras kept in 备注: index -> prefix
    candidates: list[tuple[str, float, list[str]]] = field(default_factory=list)   # (layout, score, missing)
    sheet: str | None = None
    header_rows: list[int] = field(default_factory=list)             # sheet rows / CSV lines of the header

    @property
    def eligible(self) -> bool:
        return not {c.field for c in self.missing} & {c.field for c in required(self.layout)}

    def mapping(self) -> dict[int, str]:
        return {m.index: m.field for m in self.matches}

    def describe(self) -> str:
        """One line: the layout chosen and its score (printed by every load)."""
        others = "；".join(f"{lid} {s:.2f}" for lid, s, miss in self.candidates if lid != self.layout.id and not miss)
        tail = f"（其他可选：{others}）" if others else ""
        return (f"版式 {self.layout.id}，表头得分 {self.score:.2f}{tail} / layout {self.layout.id}, "
                f"header score {self.score:.2f}")


def recognise(layout: Layout, leaves: list[str], hand: dict[str, str] | None = None) -> Recognition:
    """Assign the file's header cells (``leaves``, per column) to ``layout``'s columns."""
    hand = hand or {}
    by_key = {key(h): f for h, f in hand.items()}
    matches: list[Match] = []
    used_cols: set[str] = set()
    used_idx: set[int] = set()
    for j, h in enumerate(leaves):
        f = by_key.get(key(h)) if h else None
        if f and f not in used_cols:
            matches.append(Match(j, h, f, 100.0, "hand"))
            used_cols.add(f)
            used_idx.add(j)
    pairs = []
    for col in layout.columns:
        if col.field in used_cols:
            continue
        for j, h in enumerate(leaves):
            if h and j not in used_idx:
                s = column_score(h, col)
                if s > 0:
                    pairs.append((-s, j, col))
    for neg, j, col in sorted(pairs, key=lambda p: (p[0], p[1])):
        if j in used_idx or col.field in used_cols:
            continue
        how = "exact" if key(leaves[j]) == key(col.header) else "alias" if -neg >= 95 else "fuzzy"
        matches.append(Match(j, leaves[j], col.field, -neg, how))
        used_idx.add(j)
        used_cols.add(col.field)
    matches.sort(key=lambda m: m.index)
    missing = [c for c in layout.columns if c.field not in used_cols]
    extras = [(j, h) for j, h in enumerate(leaves) if h and j not in used_idx]
    score = sum(m.score for m in matches) / 100 / (len(layout.columns) + len(extras))
    return Recognition(layout, round(score, 4), matches, missing, extras)


def _missing_error(rec: Recognition, leaves: list[str], where: str) -> LoadError:
    filled = [h for h in leaves if h]
    names_ = "、".join(c.header for c in rec.missing if c in required(rec.layout))
    return LoadError(f"表头缺少版式 {rec.layout.id} 的列：{names_}（表头为：{'、'.join(filled)}）",
                     f"the header lacks columns of layout {rec.layout.id}: {names_} (header: {', '.join(filled)})",
                     where=where)


def choose(leaves: list[str], where: str, layout_id: str | None = None,
           hand: dict[str, str] | None = None) -> Recognition:
    """The layout and column mapping for a header (``leaves``: per column, its lowest header text).

    ``layout_id`` forces a layout; when its required columns are not all found and the
    header has exactly as many columns, they are mapped by position (with a warning)."""
    check_hand(hand or {}, leaves, where)
    if layout_id:
        rec = recognise(layouts.get(layout_id), leaves, hand)
        if rec.eligible:
            return rec
        filled = [j for j, h in enumerate(leaves) if h]
        if len(filled) == len(rec.layout.columns):
            return Recognition(rec.layout, 0.0, [Match(j, leaves[j], c.field, 0.0, "position")
                                                 for j, c in zip(filled, rec.layout.columns, strict=True)])
        raise _missing_error(rec, leaves, where)
    recs = [recognise(lay, leaves, hand) for lay in layouts.layouts().values()]
    cands = [(r.layout.id, r.score, [c.header for c in r.missing if c in required(r.layout)]) for r in recs]
    cands.sort(key=lambda c: (bool(c[2]), -c[1], c[0]))
    good = sorted((r for r in recs if r.eligible), key=lambda r: -r.score)
    if not good or (len(good) > 1 and good[0].score == good[1].score):
        found = "、".join(h for h in leaves if h) or "（空）"
        near = cands[0]
        hint = (f"最接近：{near[0]}，缺少 {'、'.join(near[2])}" if near[2] else
                f"{near[0]} 与 {cands[1][0]} 得分相同")
        hint_en = (f"nearest: {near[0]}, lacking {', '.join(near[2])}" if near[2] else
                   f"{near[0]} and {cands[1][0]} score the same")
        raise LoadError(
            f"无法识别表头：{found}；已知版式：{', '.join(sorted(layouts.layouts()))}（{hint}；可用 --layout 指定版式，"
            f"或 --map \"表头=字段\" 指定列）",
            f"unknown header: {found}; known layouts: {', '.join(sorted(layouts.layouts()))} ({hint_en}; use "
            f"--layout, or --map \"header=field\")", where=where)
    best = good[0]
    best.candidates = cands
    return best


def check_hand(hand: dict[str, str], leaves: list[str], where: str) -> None:
    """A hand mapping naming an unknown field, or a header the file does not have, is an error."""
    for h, f in hand.items():
        if f not in FIELDS:
            raise LoadError(f"列映射“{h}={f}”：未知字段 {f}；可用字段：{'、'.join(sorted(FIELDS))}",
                            f"column mapping '{h}={f}': unknown field {f}; fields: {', '.join(sorted(FIELDS))}",
                            where=where)
        if key(h) not in {key(x) for x in leaves if x}:
            raise LoadError(f"列映射“{h}={f}”：文件表头中没有“{h}”（表头为：{'、'.join(x for x in leaves if x)}）",
                            f"column mapping '{h}={f}': the file's header has no '{h}'", where=where)


def notes_for(extras: list[tuple[int, str]], rows: list[list[str | None]], has_remark: bool,
              where: str, warnings: list[str]) -> dict[int, str]:
    """Unmatched columns kept as notes: index -> prefix for the row's 备注 ("" = the text as is).
    Columns holding phone numbers are left out (personal data). Both are reported."""
    out: dict[int, str] = {}
    dropped = []
    for j, h in extras:
        if any(PHONE.search(r[j] or "") for r in rows if j < len(r)):
            dropped.append(h)
            continue
        out[j] = "" if (key(h) in REMARK_HEADERS and not has_remark and "" not in out.values()) else f"{h}："
    if out:
        hs = "、".join(h for j, h in extras if j in out)
        warnings.append(f"{where}: 未知列 {hs} 的内容记入备注 / unknown columns {hs} kept as notes (备注)")
    if dropped:
        hs = "、".join(dropped)
        warnings.append(f"{where}: 未知列 {hs} 含电话号码（个人信息），未读入 / unknown columns {hs} hold phone "
                        f"numbers (personal data) and were left out")
    return out


# ---------------------------------------------------------------- options, region mapping files

@dataclass
class ReadOptions:
    """What ``policykg load`` passes to the loaders besides the file: hand mapping, sheet,
    ``force`` (load despite a region named in the file); ``recognition`` is filled in."""

    hand: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    force: bool = False
    layout: str | None = None
    recognition: Recognition | None = None
    mapping_file: Path | None = None
    sample: list = field(default_factory=list)     # the first raw rows (loaders.cells.RawRow), for a dry run
    raw_rows: int = 0


def parse_map(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``("细化举措=local_measure", …)`` -> {header: field}; a malformed item is an error."""
    out: dict[str, str] = {}
    for item in items:
        h, sep, f = item.rpartition("=")
        if not sep or not h.strip() or not f.strip():
            raise LoadError(f"列映射格式应为“表头=字段”：{item}", f"a column mapping is 'header=field': {item}",
                            where="--map")
        out[h.strip()] = f.strip()
    return out


def mapping_path(region: str) -> Path:
    return REGION_MAPPINGS / f"{region}.toml"


def region_options(region: str, options: ReadOptions | None) -> ReadOptions:
    """``options`` completed (in place) from ``data/mappings/{region}.toml`` (what a hand
    mapping saved); what the command line gives wins."""
    opts = options if options is not None else ReadOptions()
    path = mapping_path(region)
    if not path.is_file():
        return opts
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        cols = {str(h): str(f) for h, f in dict(data.get("columns", {})).items()}
    except (tomllib.TOMLDecodeError, TypeError, ValueError) as exc:
        raise LoadError(f"列映射文件格式错误：{exc}", f"malformed mapping file: {exc}", where=str(path)) from exc
    bad = [f for f in cols.values() if f not in FIELDS]
    if bad or (data.get("layout") and data["layout"] not in layouts.layouts()):
        raise LoadError(f"列映射文件含未知字段或版式：{bad or data.get('layout')}",
                        f"the mapping file names unknown fields or layout: {bad or data.get('layout')}", where=str(path))
    opts.hand = {**cols, **opts.hand}
    opts.sheet = opts.sheet or data.get("sheet")
    opts.layout = opts.layout or data.get("layout")
    opts.mapping_file = path
    return opts


def save_region_mapping(region: str, rec: Recognition, hand: dict[str, str]) -> Path:
    """Write ``data/mappings/{region}.toml``: the layout and the hand-mapped headers."""
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"# 列映射 / column mapping for {region} (policykg load --save-map)", f"layout = {q(rec.layout.id)}"]
    if rec.sheet:
        lines.append(f"sheet = {q(rec.sheet)}")
    lines += ["", "[columns]"] + [f"{q(h)} = {q(f)}" for h, f in hand.items()]
    path = mapping_path(region)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
