"""Loaders by (form, layout), in the manner of rdflib's plugin registry.

A form is how a list arrives (``pdf``, ``xlsx``, ``csv``); a layout is a column mapping
id (``quzhou``, ``standard`` …) or ``*`` for "detect it from the header". Loaders are
registered as ``"module:Class"`` strings and imported on first use, so ``policykg`` starts
without importing pdfplumber or openpyxl.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Protocol

from policykg.core.errors import LoaderNotFound, LoadError
from policykg.core.progress import Progress
from policykg.core.records import Backbone, RegionList

from . import layouts

ANY = "*"


class Loader(Protocol):
    form: str
    suffixes: tuple[str, ...]

    def load(self, path: Path, layout: str | None, region: str, progress: Progress, *,
             backbone: Backbone | None = None, strict: bool = True, options: object = None) -> RegionList:
        """Read ``path`` as ``region``'s list; ``layout`` None = detect from the header;
        ``options``: a :class:`loaders.headers.ReadOptions` (hand mapping, sheet)."""


_LOADERS: dict[tuple[str, str], str] = {}
_SUFFIXES: dict[str, str] = {}


def register(form: str, layout: str, target: str, suffixes: tuple[str, ...] = ()) -> None:
    _LOADERS[(form, layout)] = target
    for s in suffixes:
        _SUFFIXES[s.lower()] = form


def known() -> list[tuple[str, str]]:
    """Every (form, layout) pair a loader answers for."""
    pairs = set(_LOADERS)
    for form, layout in list(_LOADERS):
        if layout == ANY:
            pairs |= {(form, lay) for lay in layouts.layouts()}
    return sorted(pairs)


def get(form: str, layout: str | None = None) -> Loader:
    layout = layout or ANY
    if layout != ANY and layout not in layouts.layouts():
        layouts.get(layout)                      # raises LoaderNotFound listing the layouts
    target = _LOADERS.get((form, layout)) or _LOADERS.get((form, ANY))
    if target is None:
        pairs = ", ".join(f"{f}/{lay}" for f, lay in known())
        raise LoaderNotFound(f"没有 {form}/{layout} 的加载器；已有：{pairs}",
                             f"no loader for {form}/{layout}; known: {pairs}")
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)()


def form_for(path: Path) -> str:
    """The form a file name announces (its suffix); the loader then checks the bytes."""
    form = _SUFFIXES.get(path.suffix.lower())
    if form is None:
        forms = "、".join(sorted(_SUFFIXES))
        raise LoadError(f"不支持的文件类型 {path.suffix or '（无扩展名）'}；支持：{forms}",
                        f"unsupported file type {path.suffix or '(no suffix)'}; supported: {', '.join(sorted(_SUFFIXES))}",
                        where=str(path))
    return form


register("pdf", ANY, "loaders.pdf:PdfLoader", (".pdf",))
register("xlsx", ANY, "loaders.xlsx:XlsxLoader", (".xlsx", ".xlsm"))
register("csv", ANY, "loaders.csvfile:CsvLoader", (".csv", ".tsv", ".txt"))
