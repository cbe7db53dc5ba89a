"""Alignment of local measures and service items to the 146 provincial measures.

Python API (imports only :mod:`policykg`):
  * :func:`align` — candidates of one :class:`~policykg.core.records.RegionList` (no store);
  * :func:`align_region` — the same with the region's curation file applied;
  * :func:`candidates` — a region's candidates as the store holds them (``graph/alignment/{code}``).
"""

from __future__ import annotations

from .engine import THRESHOLD, Alignment, Candidate, Finding, Subject, align
from .graph import align_region, triples
from .store import candidates, highlights

__all__ = ["THRESHOLD", "Alignment", "Candidate", "Finding", "Subject", "align", "align_region", "candidates",
           "highlights", "triples"]
