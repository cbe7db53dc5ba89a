"""Stable IRIs. Everything is keyed by what the document says (numbers, codes, labels),
never by load order, so a rebuild mints the same IRIs.

Layout under the base:
  id/key-task/{n}                 id/provincial-measure/{n}       id/general-task/{n}
  id/region/{code}                id/region/{code}/centre
  id/region/{code}/table          id/region/{code}/row/{序号}
  id/region/{code}/measure/{key}  id/region/{code}/service-item/{序号}[-{k}]
  id/region/{code}/block/{h}      id/region/{code}/unit/{h}      id/region/{code}/contact/{h}
  id/category/{h}                 id/category-scheme               id/channel/{h}
  id/document/{sha}               graph/ontology  graph/backbone  graph/region/{code}
"""

from __future__ import annotations

import hashlib
import re

from .config import base_iri


def norm(text: str) -> str:
    """Whitespace-free form used to compare labels (the PDF broke cells arbitrarily)."""
    return re.sub(r"\s+", "", text or "")


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
    """A derived statistics dataset (qb:DataSet), e.g. 'coverage' (see policykg.derive)."""
    return _id(f"statistics/{name}")


def centre(code: str) -> str:
    return _id(f"region/{code}/centre")


def table(code: str) -> str:
    return _id(f"region/{code}/table")


def row(code: str, number: int) -> str:
    return _id(f"region/{code}/row/{number}")


def local_measure(code: str, key: str) -> str:
    return _id(f"region/{code}/measure/{key}")


def service_item(code: str, number: int, k: int = 0) -> str:
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


def alignment_graph(code: str) -> str:
    """Named graph of a region's alignment to the provincial measures (policykg.align)."""
    return graph(f"alignment/{code}")


def mapping(code: str, subject: str, obj: str) -> str:
    """An SSSOM mapping record of a region: subject -> object, keyed by both IRIs."""
    return _id(f"region/{code}/mapping/{hashlib.sha1(f'{subject} {obj}'.encode()).hexdigest()[:12]}")
