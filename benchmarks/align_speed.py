"""Alignment speed: one real region's list, and N synthetic regions (benchmarks/synth.py).

    .venv/bin/python -m benchmarks.align_speed                 # 德清 (the largest real list) + all 101 synthetic
    .venv/bin/python -m benchmarks.align_speed --regions 10    # a quick look

Targets (issue 14): one region's list aligned in <= 2 s; all 101 synthetic regions in <= 60 s.
Times are wall clock for :func:`policykg.align.align` (index build, jieba start-up included in
the first call, reported apart) and for the graph triples of each alignment.
"""

from __future__ import annotations

import argparse
import time

from benchmarks import synth
from policykg.align import align, triples
from policykg.align.engine import index_for
from policykg.align.text import _jieba


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", type=int, default=101, help="synthetic regions to align (default: all 101)")
    ap.add_argument("--region", default="330521", help="the real list timed on its own")
    args = ap.parse_args()
    bb, origin = synth.backbone()
    t0 = time.monotonic()
    _jieba()
    index_for(bb)
    startup = time.monotonic() - t0
    real = {rl.region: rl for rl in synth.real_lists(synth.SOURCE_DOCUMENT, bb)}
    print(f"骨架 backbone: {origin}; jieba + 省级索引 start-up: {startup:.2f} s")
    if args.region in real:
        rl = real[args.region]
        t = time.monotonic()
        al = align(rl, bb)
        n = len(triples(al))
        dt = time.monotonic() - t
        print(f"一个地区 one region {rl.region}: {len(al.subjects)} 个对象 subjects, {len(al.candidates)} 条候选 "
              f"candidates, {n} 三元组 triples: {dt:.2f} s (目标 target <= 2 s)")
    profile = synth.profile_from_lists(real.values()) if real else None
    lists = synth.provincial(bb, profile, limit=args.regions)
    t = time.monotonic()
    subjects = cands = 0
    for rl in lists:
        al = align(rl, bb)
        triples(al)
        subjects += len(al.subjects)
        cands += len(al.candidates)
    dt = time.monotonic() - t
    per = dt / len(lists) if lists else 0.0
    scale = ("目标 target <= 60 s" if len(lists) == 101 else
             f"101 个地区约 {per * 101:.1f} s (推算 extrapolated), 目标 target <= 60 s")
    print(f"{len(lists)} 个合成地区 synthetic regions: {subjects} 个对象 subjects, {cands} 条候选 candidates: "
          f"{dt:.2f} s ({per:.3f} s/地区 per region; {scale})")


if __name__ == "__main__":
    main()
