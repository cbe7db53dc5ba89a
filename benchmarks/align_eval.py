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
from policykg.align.evaluate import evaluate
from policykg.config import SOURCE_DOCUMENT


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    t0 = time.monotonic()
    bb = read_backbone(SOURCE_DOCUMENT)
    scores = []
    for rl in read_attachments(SOURCE_DOCUMENT, bb):
        scores += evaluate(rl, bb)
    if args.json:
        print(json.dumps([asdict(s) for s in scores], ensure_ascii=False, indent=1))
        return
    print("| 地区 region | 方法 method | 对象 subjects | 组 groups | 预测链接 links | 精确率 P | 召回率 R | top-1 |")
    print("|---|---|---|---|---|---|---|---|")
    for s in scores:
        print(s.row())
    print(f"\n({time.monotonic() - t0:.1f} s)")


if __name__ == "__main__":
    main()
