"""Precision, recall and top-1 of the alignment against what the lists print, and a baseline.

Gold is only what a list prints, never a guess of ours:
  * 衢州 prints the provincial numbers in a cell merged over all rows of a key task, so the
    numbers say which measures a *group* of rows answers, not which row answers which.
    A predicted link is correct when its measure is in the printed set of the subject's
    group; recall of a group is the share of its printed set covered by the union of the
    links predicted for its rows (service items and 市级落实细则).
  * 钱塘 reprints one provincial text per row (matched to a number by the loader). Its
    adopted measures *are* that text, so they are left out; its service items are predicted
    from their own names and content, and the row's number is the gold (a group of one row).
The printed numbers are hidden from the engine (``hide_printed``).
Baseline: character-bigram TF-IDF cosine within the row's key task, top-1 asserted.

Checked against the document: each of 钱塘's 99 reprinted texts is matched to the provincial
measure whose text it is (its best textual match, none unmatched), one service item per row;
衢州's numbers are the ones printed before each provincial text in its merged cell (e.g. rows
77–79 of key task 27 print 119–121, row 80 prints 122–127).

:func:`order_bound` says how far the order evidence alone can go on these labels: a list that
skips some measures of a key task, or prints one row's measures among another's (钱塘's rows 9
and 10, 53 and 54), cannot be reproduced by giving each row a consecutive run of its key task.
It reads the gold and is an analysis of the test set, never an input of the engine.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from ..core.records import Backbone, RegionList
from . import text as tx
from .engine import Subject, align, index_for, subjects


@dataclass(frozen=True)
class Scores:
    region: str
    method: str
    subjects: int
    links: int
    correct: int
    precision: float
    recall: float
    top1: float
    groups: int

    def row(self) -> str:
        return (f"| {self.region} | {self.method} | {self.subjects} | {self.groups} | {self.links} | "
                f"{self.precision:.3f} | {self.recall:.3f} | {self.top1:.3f} |")


def gold(rl: RegionList) -> dict[str, tuple[str, frozenset[int]]]:
    """subject IRI -> (group key, printed set) for every subject the list prints numbers for."""
    printed = {s.iri: s for s in subjects(rl)[0]}
    out = {}
    for s in subjects(rl, hide_printed=True)[0]:
        p = printed.get(s.iri)
        if p is None or not p.printed:
            continue
        out[s.iri] = (f"{s.key_task}:{sorted(p.printed)}", frozenset(p.printed))
    return out


def _score(region: str, method: str, predicted: dict[str, list[int]], top1: dict[str, int | None],
           truth: dict[str, tuple[str, frozenset[int]]]) -> Scores:
    links = correct = hits = 0
    covered: dict[str, set[int]] = defaultdict(set)
    group_gold: dict[str, frozenset[int]] = {}
    for iri, (g, want) in truth.items():
        group_gold[g] = want
        for n in predicted.get(iri, []):
            links += 1
            if n in want:
                correct += 1
                covered[g].add(n)
        if top1.get(iri) in want:
            hits += 1
    total = sum(len(w) for w in group_gold.values())
    return Scores(region, method, len(truth), links, correct, correct / links if links else 0.0,
                  sum(len(c) for c in covered.values()) / total if total else 0.0,
                  hits / len(truth) if truth else 0.0, len(group_gold))


@dataclass(frozen=True)
class Bound:
    """What a predictor that links each row to one consecutive run of its key task's measures could
    reach at best on a list's gold (see :func:`order_bound`)."""

    region: str
    partition_precision: float   # runs that cover the key task, the cuts chosen knowing the gold
    partition_recall: float
    extent_precision: float      # each group's shortest run holding all its measures (recall 1)


def _groups(rl: RegionList) -> dict[int, list[frozenset[int]]]:
    """Key task -> the printed sets of its groups, in the order of each group's first row."""
    first: dict[str, tuple[int, int, frozenset[int]]] = {}
    by_iri = {s.iri: s for s in subjects(rl, hide_printed=True)[0]}
    for iri, (g, want) in gold(rl).items():
        s = by_iri[iri]
        if s.key_task is not None and (g not in first or s.row < first[g][1]):
            first[g] = (s.key_task, s.row, want)
    out: dict[int, list[frozenset[int]]] = defaultdict(list)
    for kt, _row, want in sorted(first.values(), key=lambda t: (t[0], t[1])):
        out[kt].append(want)
    return out


def _best_cuts(positions: list[int], sets: list[frozenset[int]]) -> int:
    """Most correct links over all cuts of the key task's measures into consecutive runs, one per
    group in list order (a run may be empty): dynamic programming over (group, cut)."""
    n, m = len(positions), len(sets)
    best = [[-1] * (n + 1) for _ in range(m + 1)]
    best[0][0] = 0
    for k in range(1, m + 1):
        for j in range(n + 1):
            best[k][j] = max(best[k - 1][i] + sum(1 for p in positions[i:j] if p in sets[k - 1])
                             for i in range(j + 1) if best[k - 1][i] >= 0)
    return best[m][n]


def order_bound(rl: RegionList, backbone: Backbone) -> Bound | None:
    """The ceiling of order evidence on a list's gold (None when it prints nothing):
    * *partition*: every measure of a key task linked to one row, the rows taking consecutive runs
      in list order — with the best cuts, chosen knowing the answer;
    * *extent*: each group linked to the shortest consecutive run holding all its printed measures,
      so recall 1 — the measures a list skips inside that run, or prints in another row, are the cost."""
    groups = _groups(rl)
    if not groups:
        return None
    by_task: dict[int, list[int]] = defaultdict(list)
    for m in backbone.measures:
        by_task[m.key_task].append(m.number)
    correct = links = total = ext = 0
    for kt, sets in groups.items():
        positions = sorted(by_task[kt])
        correct += _best_cuts(positions, sets)
        links += len(positions)
        total += sum(len(w) for w in sets)
        ext += sum(sum(1 for p in positions if min(w) <= p <= max(w)) for w in sets)
    return Bound(rl.region, correct / links, correct / total, total / ext)


def leave_one_out(lists: list[RegionList], backbone: Backbone) -> list[tuple[str, float, Scores]]:
    """The threshold chosen by :func:`choose` on the other lists alone, and the scores it gives
    on the list left out: (region, threshold, engine scores)."""
    out = []
    for k, rl in enumerate(lists):
        rest = [r for j, r in enumerate(lists) if j != k]
        if not evaluate(rl, backbone) or not rest:
            continue
        t = choose(sweep(rest, backbone))
        out.append((rl.region, t, evaluate(rl, backbone, threshold=t)[0]))
    return out


def evaluate(rl: RegionList, backbone: Backbone, threshold: float | None = None) -> list[Scores]:
    """The engine and the baseline on one list (empty when the list prints no numbers).
    ``threshold`` overrides the engine's calibrated one."""
    truth = gold(rl)
    if not truth:
        return []
    res = align(rl, backbone, hide_printed=True, threshold=threshold)
    predicted: dict[str, list[int]] = defaultdict(list)
    first: dict[str, int | None] = {}
    for c in res.candidates:
        if c.rank == 1:
            first[c.subject_id] = c.object_number
        if c.asserted:
            predicted[c.subject_id].append(c.object_number)
    engine = _score(rl.region, "engine", predicted, first, truth)
    subs = {s.iri: s for s in res.subjects}
    base = {iri: baseline_top1(subs[iri], backbone) for iri in truth if iri in subs}
    baseline = _score(rl.region, "baseline", {k: [v] for k, v in base.items() if v is not None}, base, truth)
    return [engine, baseline]


def baseline_top1(subject: Subject, backbone: Backbone) -> int | None:
    """Character-bigram TF-IDF cosine among the measures of the subject's key task."""
    idx = index_for(backbone)
    text = subject.text if not tx.is_meaningless(subject.text) else subject.context
    sc = idx.bigrams.scores(idx.bigrams.vector(tx.bigrams(text)))
    pool = [i for i, kt in enumerate(idx.key_task) if kt == subject.key_task] or list(range(len(idx.measures)))
    best = max(pool, key=lambda i: (sc.get(i, 0.0), -idx.measures[i].number))
    return idx.measures[best].number


def f1(s: Scores) -> float:
    return 2 * s.precision * s.recall / (s.precision + s.recall) if s.precision + s.recall else 0.0


def sweep(lists: list[RegionList], backbone: Backbone,
          thresholds: tuple[float, ...] = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)) -> list[tuple[float, list[Scores], float]]:
    """The calibration grid: (threshold, engine scores per region, mean F1 over the regions)."""
    out = []
    for t in thresholds:
        scores = [s for rl in lists for s in evaluate(rl, backbone, threshold=t)[:1]]
        out.append((t, scores, sum(f1(s) for s in scores) / len(scores) if scores else 0.0))
    return out


def choose(grid: list[tuple[float, list[Scores], float]], tolerance: float = 0.01) -> float:
    """The calibration rule: among thresholds whose mean F1 is within ``tolerance`` of the best,
    the one with the highest mean precision (then the lowest threshold)."""
    best = max(m for _, _, m in grid)
    near = [(t, sum(s.precision for s in sc) / len(sc)) for t, sc, m in grid if m >= best - tolerance and sc]
    return min(near, key=lambda tp: (-round(tp[1], 6), tp[0]))[0]
