"""Evaluate the alignment engine against the printed citations (衢州's numbers, 钱塘's texts).

    .venv/bin/python -m benchmarks.align_eval            # markdown table, as in the README
    .venv/bin/python -m benchmarks.align_eval --json
    .venv/bin/python -m benchmarks.align_eval --sweep      # + calibration grid, leave-one-region-out
    .venv/bin/python -m benchmarks.align_eval --examples 10  # + the most confident links of 舟山 and 德清

Hides the printed numbers and reprinted texts, predicts them from the local text alone and
prints precision, recall and top-1 per region for the engine and the baseline
(character-bigram TF-IDF within the key task), in the same run, and the ceiling of order evidence
on each list's gold (:func:`policykg.align.evaluate.order_bound`: an analysis of the labels, not a
prediction). Definitions: policykg/align/evaluate.py.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict

from loaders.text import read_attachments, read_backbone
from policykg.align import engine
from policykg.align.evaluate import choose, evaluate, leave_one_out, order_bound, sweep
from policykg.core.config import SOURCE_DOCUMENT


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--sweep", action="store_true", help="also print the calibration grid and leave-one-region-out")
    ap.add_argument("--examples", type=int, default=0, help="print the N most confident links of each list without numbers")
    args = ap.parse_args()
    t0 = time.monotonic()
    bb = read_backbone(SOURCE_DOCUMENT)
    scores = []
    lists = read_attachments(SOURCE_DOCUMENT, bb)
    for rl in lists:
        scores += evaluate(rl, bb)
    if args.json:
        print(json.dumps([asdict(s) for s in scores], ensure_ascii=False, indent=1))
        return
    print("| 地区 region | 方法 method | 对象 subjects | 组 groups | 预测链接 links | 精确率 P | 召回率 R | top-1 |")
    print("|---|---|---|---|---|---|---|---|")
    for s in scores:
        print(s.row())
    print("\n次序证据的上限（按答案选出最好的连续分段；分析，不是预测）/ ceiling of order evidence on the gold:\n")
    print("| 地区 region | 分段 P partition P | 分段 R partition R | 覆盖全部时 P extent P (R = 1) |")
    print("|---|---|---|---|")
    for b in filter(None, (order_bound(rl, bb) for rl in lists)):
        print(f"| {b.region} | {b.partition_precision:.3f} | {b.partition_recall:.3f} | {b.extent_precision:.3f} |")
    if args.sweep:
        grid = sweep(lists, bb)
        print(f"\n校准 / calibration: 引擎阈值 engine threshold {engine.THRESHOLD}; 规则选出 the rule picks "
              f"{choose(grid)} (F1 与最佳相差 0.01 以内者中平均精确率最高 / highest mean precision within 0.01 of "
              f"the best mean F1)\n")
        engines = [s for s in scores if s.method == "engine"]
        print("| 阈值 threshold | " + " | ".join(f"{s.region} P / R" for s in engines) + " | 平均 F1 mean F1 |")
        print("|---|" + "---|" * (len(engines) + 1))
        for t, sc, mean in grid:
            print(f"| {t} | " + " | ".join(f"{s.precision:.3f} / {s.recall:.3f}" for s in sc) + f" | {mean:.3f} |")
        print("\n留一地区 leave-one-region-out（阈值只在另一份清单上选 / threshold chosen on the other list alone）:\n")
        print("| 留出 held out | 阈值 threshold | P | R | top-1 |")
        print("|---|---|---|---|---|")
        for region, t, s in leave_one_out(lists, bb):
            print(f"| {region} | {t} | {s.precision:.3f} | {s.recall:.3f} | {s.top1:.3f} |")
    if args.examples:
        _examples(lists, bb, args.examples)
    print(f"\n({time.monotonic() - t0:.1f} s)")


def _examples(lists, bb, n: int) -> None:
    """``n`` asserted links of each list that prints no numbers, with their evidence, for the README
    and the issue's closing note: one per row, taken at even steps down the confidence order (the
    most confident, typical ones, and the least confident above the threshold), not the easy ones only."""
    for rl in lists:
        if evaluate(rl, bb):
            continue
        al = engine.align(rl, bb)
        best: dict[int, engine.Candidate] = {}
        for c in al.asserted():
            if c.row not in best or (c.confidence, -c.rank) > (best[c.row].confidence, -best[c.row].rank):
                best[c.row] = c
        ranked = sorted(best.values(), key=lambda c: (-c.confidence, c.row))
        picked = sorted({ranked[k * (len(ranked) - 1) // max(1, n - 1)].row: ranked[k * (len(ranked) - 1)
                         // max(1, n - 1)] for k in range(min(n, len(ranked)))}.values(), key=lambda c: c.row)
        print(f"\n{rl.region}：{len(al.asserted())} 条断言链接 asserted links，{len(best)} 行 rows；"
              f"按置信度等距取 {len(picked)} 条 / {len(picked)} taken at even steps of confidence:\n")
        print("| 行 row | 对象 subject | 省级措施 provincial | 置信度 confidence | 证据 evidence |")
        print("|---|---|---|---|---|")
        for c in picked:
            label = c.subject_label.replace("|", "/")[:30]
            print(f"| {c.row} | {label} | {c.object_label[:24]} | {c.confidence:.2f} | {c.evidence[:40]} |")


if __name__ == "__main__":
    main()
