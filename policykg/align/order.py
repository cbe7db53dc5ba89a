"""Order evidence: lists follow the provincial document, so within a key task the rows
(衢州's city rules, 舟山's ①② sub-measures, 钱塘's rows) tend to run in the order of the
provincial measures.

A monotone alignment per key task, in two steps:
  1. *anchors*: elements (a row, or one ①② sub-measure) whose text alone names one measure of
     their key task clearly (confidence ≥ ``ANCHOR`` and ``ANCHOR_MARGIN`` above the next);
     the heaviest non-decreasing subsequence of their positions (dynamic programming, as in
     Needleman–Wunsch) is kept, an anchor out of order is demoted;
  2. the elements between two kept anchors answer, in order, the measures between them: the gap
     is split into consecutive runs, one per element (several measures for one element when the
     gap is longer, several elements for one measure when it is shorter).
Each (element, measure) gets a relation: ``share`` (its run), ``claimed`` (the measure of a
neighbouring anchor: another row's text named it), ``taken`` (in another element's run),
``window`` (between its anchors, no one's run), or ``out`` (against the order). Pure function of its input: deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

ANCHOR = 0.97           # text confidence from which an element fixes a position
ANCHOR_MARGIN = 0.3     # … and by how much it beats the element's next measure of the task


@dataclass(frozen=True)
class Relation:
    kind: str    # "share" | "window" | "taken" | "claimed" | "out"
    size: int    # how many measures the element's run holds (share)


def _kept(anchors: list[tuple[int, int, float]]) -> list[tuple[int, int]]:
    """Heaviest non-decreasing subsequence of (element, position, weight): the anchors kept."""
    if not anchors:
        return []
    best = [w for _, _, w in anchors]
    back = [-1] * len(anchors)
    for b in range(len(anchors)):
        for a in range(b):
            if anchors[a][1] <= anchors[b][1] and best[a] + anchors[b][2] > best[b] + 1e-12:
                best[b], back[b] = best[a] + anchors[b][2], a
    k = max(range(len(anchors)), key=lambda i: (best[i], -i))
    out = []
    while k >= 0:
        out.append((anchors[k][0], anchors[k][1]))
        k = back[k]
    return out[::-1]


def relations(confidences: list[list[float]]) -> list[dict[int, Relation]]:
    """Per element (in list order): position in the key task -> relation.

    ``confidences[e][p]`` is element e's text confidence for the key task's measure at position p."""
    n = len(confidences[0]) if confidences else 0
    anchors = []
    for e, conf in enumerate(confidences):
        ranked = sorted(range(n), key=lambda p: (-conf[p], p))
        second = conf[ranked[1]] if n > 1 else 0.0
        if conf[ranked[0]] >= ANCHOR and conf[ranked[0]] - second >= ANCHOR_MARGIN:
            anchors.append((e, ranked[0], conf[ranked[0]]))
    kept = _kept(anchors)
    place: dict[int, tuple[list[int], int, int, set[int]]] = {}    # element -> run, window, neighbours' anchors
    bounds = [(-1, -1)] + [(e, p) for e, p in kept] + [(len(confidences), n)]
    for (ea, pa), (eb, pb) in zip(bounds, bounds[1:], strict=False):
        weak = [e for e in range(ea + 1, eb)]
        gap = list(range(pa + 1, pb)) or sorted({max(pa, 0), min(pb, n - 1)})
        for k, e in enumerate(weak):
            a = k * len(gap) // len(weak)
            b = max(a + 1, (k + 1) * len(gap) // len(weak))
            place[e] = (gap[a:b], max(pa, 0), min(pb, n - 1), {p for p in (pa, pb) if 0 <= p < n})
    for k, (e, p0) in enumerate(kept):
        lo = kept[k - 1][1] if k > 0 else 0
        hi = kept[k + 1][1] if k + 1 < len(kept) else n - 1
        place[e] = ([p0], lo, hi, {kept[j][1] for j in (k - 1, k + 1) if 0 <= j < len(kept)} - {p0})
    out: list[dict[int, Relation]] = []
    for e in range(len(confidences)):
        run, lo, hi, claimed = place[e]
        others = {p for f, (r, *_rest) in place.items() if f != e for p in r}
        out.append({p: Relation("share", len(run)) if p in run else _around(p, lo, hi, claimed, others)
                    for p in range(n)})
    return out


def _around(p: int, lo: int, hi: int, claimed: set[int], others: set[int]) -> Relation:
    """Not in the element's run: a neighbour anchor's measure, against the order, in another
    element's run, or merely between the anchors."""
    if p in claimed:
        return Relation("claimed", 0)
    if not lo <= p <= hi:
        return Relation("out", 0)
    return Relation("taken", 0) if p in others else Relation("window", 0)
