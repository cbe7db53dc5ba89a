"""Stable IRIs. Everything is keyed by what the document says (numbers, codes, labels),
never by load order, so a rebuild mints the same IRIs.

Layout under the base:
  id/key-task/{n}                 id/provincial-measure/{n}       id/general-task/{n}
  id/region/{code}                id/region/{code}/centre
  id/region/{code}/table          id/region/{code}/row/{序号}[-{printing}]   …/row/{序号}/unit|contact/{pos}
  id/region/{code}/measure/{key}  id/region/{code}/service-item/{序号}[-{k}]
  id/region/{code}/block/{h}      id/region/{code}/unit/{h}      id/region/{code}/contact/{h}
  id/category/{h}                 id/category-scheme               id/channel/{h}
  id/document/{sha}               graph/ontology  graph/backbone  graph/region/{code}
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from .config import base_iri


def norm(text: str) -> str:
    """Whitespace-free form used to compare labels (the PDF broke cells arbitrarily)."""
    return re.sub(r"\s+", "", text or "")


def normalize_name(name: str) -> str:
    """The key service items are compared by across regions, lists and 办件 files: NFKC, no
    whitespace and no quotes (lists print 省“4+1”基金 and 省"4+1"基金 for one item)."""
    s = unicodedata.normalize("NFKC", name or "")
    return re.sub(r"[\s\"'“”‘’「」『』]", "", s)


def short_hash(*parts: str) -> str:
    key = "\x1f".join(norm(p) for p in parts)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _id(path: str) -> str:
    return f"{base_iri()}id/{path}"


def key_task(n: int) -> str:
    return _id(f"key-task/{n}")


def provincial_measure(n: int) -> str:
    return _id(f"provincial-measure/{n}")


def general_task(n: int) -> str:
    return _id(f"general-task/{n}")


def region(code: str) -> str:
    return _id(f"region/{code}")


def dataset(name: str) -> str:
    """A derived statistics dataset (qb:DataSet), e.g. 'coverage' (see policykg.graph.derive)."""
    return _id(f"statistics/{name}")


def centre(code: str) -> str:
    return _id(f"region/{code}/centre")


def table(code: str) -> str:
    return _id(f"region/{code}/table")


def row(code: str, number: int, occurrence: int = 1) -> str:
    """``row/27``; a 序号 printed a second time is ``row/27-2`` (舟山 27)."""
    return _id(f"region/{code}/row/{number}" + (f"-{occurrence}" if occurrence > 1 else ""))


def listing(row_iri: str, kind: str, position: int) -> str:
    """The ``position``-th entry (1-based) of a row's ``kind`` cell: ``…/row/1/unit/1``, ``…/row/27-2/contact/2``."""
    return f"{row_iri}/{kind}/{position}"


def local_measure(code: str, key: str) -> str:
    return _id(f"region/{code}/measure/{key}")


def service_item(code: str, number: int | str, k: int = 0) -> str:
    """``number`` is the 序号, or ``27p2`` for a 序号's second printing."""
    return _id(f"region/{code}/service-item/{number}" + (f"-{k}" if k else ""))


def block(code: str, label: str) -> str:
    return _id(f"region/{code}/block/{short_hash(label)}")


def unit(code: str, label: str) -> str:
    return _id(f"region/{code}/unit/{short_hash(label)}")


def contact(code: str, label: str) -> str:
    return _id(f"region/{code}/contact/{short_hash(label)}")


def category(*path: str) -> str:
    """A taxonomy concept keyed by its whole path (level1[, level2[, level3]])."""
    return _id(f"category/{short_hash(*path)}")


def category_scheme() -> str:
    return _id("category-scheme")


def channel(label: str) -> str:
    return _id(f"channel/{short_hash(label)}")


def document(sha: str) -> str:
    return _id(f"document/{sha[:16]}")


def graph(name: str) -> str:
    """Named graph IRI: 'ontology', 'backbone', 'regions', 'region/{code}' or 'statistics' (derived)."""
    return f"{base_iri()}graph/{name}"


def region_graph(code: str) -> str:
    return graph(f"region/{code}")


# ---- service handling records (issue 17) ----

def handling_graph(code: str) -> str:
    """The named graph of one region's handling observations (in the union default graph)."""
    return graph(f"handling/{code}")


def handling_graph_prefix() -> str:
    return graph("handling/")


def handling_dataset(code: str) -> str:
    return _id(f"handling/{code}")


def handling_observation(code: str, month: str, item_iri: str) -> str:
    """Keyed by month and the item's own IRI tail (service-item/{序号}[-{k}])."""
    tail = item_iri.rsplit("/", 1)[-1]
    return _id(f"handling/{code}/{month}/{tail}")


def handling_file(code: str, sha: str) -> str:
    return _id(f"handling/{code}/file/{sha[:16]}")


def alignment_graph_prefix() -> str:
    """Alignment links (graph/alignment/{code}), read by the handling summary if present."""
    return graph("alignment/")


def handling_item_totals(code: str) -> str:
    """The derived data set of totals per service item over all months (in the handling graph)."""
    return _id(f"handling/{code}/totals")


def handling_month_totals(code: str) -> str:
    return _id(f"handling/{code}/months")


def alignment_graph(code: str) -> str:
    """Named graph of a region's alignment to the provincial measures (policykg.align)."""
    return graph(f"alignment/{code}")


def mapping(code: str, subject: str, obj: str) -> str:
    """An SSSOM mapping record of a region: subject -> object, keyed by both IRIs."""
    return _id(f"region/{code}/mapping/{hashlib.sha1(f'{subject} {obj}'.encode()).hexdigest()[:12]}")
