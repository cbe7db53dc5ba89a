"""Link a provincial measure text, printed without its number (钱塘区), to the backbone.

Texts are compared in a normal form: whitespace and punctuation removed, full-width letters
and digits folded to ASCII (the extraction and the lists differ in ``％``/``%``, quotes,
spaces around numbers).  Then, in order:

1. exact: the normal forms are equal;
2. containment: one contains the other (a list may adopt a measure's first sentence, or add
   a few words) and the shorter covers at least ``MIN_COVER`` of the longer; the measure with
   the largest coverage wins;
3. fuzzy: rapidfuzz ``ratio`` of the normal forms, at least ``MIN_RATIO``; the best wins.

A text that passes none of these matches nothing: the caller records it as unmatched with
the reason.  :func:`explain` gives the best candidate and score for that reason.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz

from policykg.core.records import Backbone

MIN_COVER = 0.6
MIN_RATIO = 85.0

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def normal(text: str) -> str:
    """Whitespace and punctuation removed, NFKC-folded (``１００％`` -> ``100``)."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text or ""))


@lru_cache(maxsize=8)
def _index(key: tuple[tuple[int, str], ...]) -> tuple[tuple[int, str], ...]:
    return tuple((n, normal(t)) for n, t in key)


def _measures(backbone: Backbone) -> tuple[tuple[int, str], ...]:
    return _index(tuple((m.number, m.text) for m in backbone.measures))


def candidates(text: str, backbone: Backbone) -> list[tuple[int, float, str]]:
    """All (number, score 0–100, method) candidates, best first."""
    t = normal(text)
    if not t:
        return []
    out: list[tuple[int, float, str]] = []
    for n, m in _measures(backbone):
        if t == m:
            out.append((n, 100.0, "exact"))
        elif t in m or m in t:
            cover = min(len(t), len(m)) / max(len(t), len(m))
            if cover >= MIN_COVER:
                out.append((n, 90.0 + 9.0 * cover, "contains"))
        else:
            r = fuzz.ratio(t, m)
            if r >= MIN_RATIO:
                out.append((n, min(r, 89.9), "fuzzy"))
    out.sort(key=lambda c: (-c[1], c[0]))
    return out


def match_provincial(text: str, backbone: Backbone) -> tuple[int, float] | None:
    """The provincial measure number ``text`` is, with a score 0–100; None if none fits."""
    found = candidates(text, backbone)
    return (found[0][0], found[0][1]) if found else None


def explain(text: str, backbone: Backbone) -> str:
    """Why ``text`` matched nothing: the nearest measure and its similarity."""
    t = normal(text)
    best = max(((fuzz.ratio(t, m), n) for n, m in _measures(backbone)), default=(0.0, 0))
    partial = max(((fuzz.partial_ratio(t, m), n) for n, m in _measures(backbone)), default=(0.0, 0))
    return (f"与146条省级细化措施均不匹配（最接近：第{best[1]}条，相似度{best[0]:.0f}；"
            f"部分相似：第{partial[1]}条 {partial[0]:.0f}） / matches none of the 146 provincial measures "
            f"(nearest: {best[1]}, ratio {best[0]:.0f}; partial {partial[1]}, {partial[0]:.0f})")
