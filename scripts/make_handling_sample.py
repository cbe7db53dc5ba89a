"""Write data/samples/handling-synthetic.csv: SYNTHETIC handling (办件) records to try the loader.

Not real figures: every row says so in 备注. Deterministic (a fixed seed over the items of
the source document's lists, in document order), so the file is the same on every run; a
test regenerates it and compares. ``policykg build`` never reads it; load it by hand:

    python scripts/make_handling_sample.py
    policykg handling load data/samples/handling-synthetic.csv
    policykg handling summary --format text
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loaders.text import read_attachments, read_backbone  # noqa: E402
from policykg.core.config import SOURCE_DOCUMENT  # noqa: E402
from policykg.handling.records import COLUMNS  # noqa: E402

OUTPUT = ROOT / "data" / "samples" / "handling-synthetic.csv"
SEED = 17
YEAR = 2024
REMARK = "合成示例数据，非真实办件 / synthetic sample, not real records"


def sample_rows(source: Path = SOURCE_DOCUMENT, seed: int = SEED) -> list[list[str]]:
    rnd = random.Random(seed)
    lists = read_attachments(source, read_backbone(source))
    out = []
    for rl in lists:
        for row in rl.rows:
            for item in row.service_items:
                unused = rnd.random() < 0.12          # about one item in eight never handles a case
                base = rnd.choice((2, 5, 10, 30))
                slow = rnd.random() < 0.08            # a few items complete much less than they receive
                for month in range(1, 13):
                    received = 0 if unused else max(0, int(rnd.gauss(base, base / 3)))
                    done = received if received == 0 else min(received, int(received * (
                        rnd.uniform(0.3, 0.7) if slow else rnd.uniform(0.85, 1.0)) + 0.5))
                    reviews = int(done * rnd.uniform(0.3, 0.8))
                    bad = sum(rnd.random() < (0.35 if slow else 0.05) for _ in range(reviews))
                    channel = rnd.choice(("线上", "线下"))
                    days = f"{rnd.uniform(0.5, 15):.1f}" if done else ""
                    out.append([rl.region, str(row.row), item.title, f"{YEAR}-{month:02d}", str(received), str(done),
                                str(reviews - bad), str(bad), channel, days, REMARK])
    return out


def render(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="write the synthetic handling sample (CSV, UTF-8)")
    ap.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = ap.parse_args(argv)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    data = render(sample_rows())
    args.output.write_bytes(data)
    rows = data.count(b"\n") - 1
    print(f"已写出合成样例 / wrote the synthetic sample: {args.output} ({rows} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
