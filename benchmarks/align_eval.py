"""Evaluate the alignment engine against the printed citations (衢州's numbers, 钱塘's texts).

    .venv/bin/python -m benchmarks.align_eval            # markdown table, as in the README
    .venv/bin/python -m benchmarks.align_eval --json

Hides the printed numbers and reprinted texts, predicts them from the local text alone and
prints precision, recall and top-1 per region for the engine and the baseline
(character-bigram TF-IDF within the key task), in the same run. Definitions:
policykg/align/evaluate.py.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict

from loaders.text import read_attachments, read_backbone
from policykg.align import engine
from policykg.align.evaluate import choose, evaluate, sweep
from policykg.core.config import SOURCE_DOCUMENT


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--sweep", action="store_true", help="also print the calibration grid (threshold x in-task similarity)")
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
    print(f"\n({time.monotonic() - t0:.1f} s)")


if __name__ == "__main__":
    main()
