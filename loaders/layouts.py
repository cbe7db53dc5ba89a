"""Column layouts as data: one TOML file per layout in ``loaders/mappings/``.

A layout names its columns in printed order with the canonical field each one fills.
Header recognition (aliases, normal forms, fuzzy scores): :mod:`loaders.headers`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from policykg.core.errors import LoaderNotFound, LoadError

MAPPING_DIR = Path(__file__).parent / "mappings"

FIELDS = {
    "row", "general_task", "key_task", "key_task_number", "provincial_measures",
    "provincial_measure_numbers", "provincial_texts", "local_measure", "target", "stage",
    "units", "responsible_unit", "contacts", "content", "process", "channel",
    "level1", "level2", "level3", "block", "remark",
}


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    group: str = ""
    merged: bool = False
    required: bool = False
    personal: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    id: str
    name: dict[str, str]
    local_measure_kind: str
    columns: tuple[Column, ...]
    path: Path = field(compare=False, default=Path())

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, field_name: str) -> Column | None:
        return next((c for c in self.columns if c.field == field_name), None)


def _read(path: Path) -> Layout:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        cols = tuple(
            Column(field=c["field"], header=c["header"], group=c.get("group", ""), merged=c.get("merged", False),
                   required=c.get("required", False), personal=c.get("personal", False),
                   aliases=tuple(c.get("aliases", ())))
            for c in data["columns"]
        )
        layout = Layout(id=data["id"], name=dict(data["name"]), local_measure_kind=data["local_measure_kind"],
                        columns=cols, path=path)
    except (KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise LoadError(f"版式文件格式错误：{exc}", f"malformed layout file: {exc}", where=str(path)) from exc
    unknown = [c.field for c in cols if c.field not in FIELDS]
    if unknown or layout.id != path.stem:
        raise LoadError(f"版式文件含未知字段 {unknown} 或 id 与文件名不符", f"unknown fields {unknown} or id != file name",
                        where=str(path))
    return layout


@lru_cache(maxsize=1)
def layouts() -> dict[str, Layout]:
    return {p.stem: _read(p) for p in sorted(MAPPING_DIR.glob("*.toml"))}


def get(layout_id: str) -> Layout:
    try:
        return layouts()[layout_id]
    except KeyError:
        raise LoaderNotFound(f"未知版式 {layout_id!r}；已知：{sorted(layouts())}",
                             f"unknown layout {layout_id!r}; known: {sorted(layouts())}") from None
