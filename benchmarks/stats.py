"""Summaries of timing samples: min, median, p95 (nearest rank)."""

from __future__ import annotations

import math
import statistics


def p95(samples: list[float]) -> float:
    s = sorted(samples)
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]


def summary(samples: list[float]) -> dict[str, float | int | None]:
    if not samples:
        return {"n": 0, "min": None, "p50": None, "p95": None}
    return {"n": len(samples), "min": min(samples), "p50": statistics.median(samples), "p95": p95(samples)}


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)


def fmt_ms(value: float | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"
