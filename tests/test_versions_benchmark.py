"""The versions benchmark runs at a tiny scale (2 regions x 2 versions) and prints its figures.
No timing assertions (speed targets live in the benchmark's output, never in unit tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_versions_benchmark_smoke(tmp_path):
    out = subprocess.run([sys.executable, "-m", "benchmarks.versions", "--store", str(tmp_path / "s"),
                          "--regions", "2", "--versions", "2"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "规模 / scale: 2 个地区 regions × 2 个版本 versions"
    res = json.loads(lines[-1])
    assert res["regions"] == 2 and res["versions"] == 2 and len(res["growth_bytes"]) == 2
    assert {"diff_s", "history_s", "as_of_query_s", "current_query_s", "as_of_ratio",
            "growth_per_region_version_bytes"} <= set(res)
    assert res["rows_answered"] == 2 * 32          # key-task-coverage: 32 rows per region
