"""Inline SVG charts for the landing-analysis report: no script, no network, CJK-safe.

Each function returns an ``<svg>`` element as a string, sized in CSS pixels, with a
``<title>`` per mark so a reader hovering a cell sees its exact value.
"""

from __future__ import annotations

from html import escape

FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, sans-serif"


def _colour(value: float, vmax: float) -> str:
    """White-to-teal for counts; zero is a pale red so gaps stand out."""
    if value <= 0:
        return "#fde2e1"
    t = min(1.0, value / vmax) if vmax > 0 else 1.0
    # interpolate #d9f0ec (light) -> #0f6b5c (dark)
    a, b = (0xD9, 0xF0, 0xEC), (0x0F, 0x6B, 0x5C)
    r, g, bl = (round(x + (y - x) * (0.15 + 0.85 * t)) for x, y in zip(a, b, strict=True))
    return f"#{r:02x}{g:02x}{bl:02x}"


def _ink(value: float, vmax: float) -> str:
    return "#ffffff" if value > 0 and vmax > 0 and value / vmax > 0.45 else "#222222"


def heatmap(row_labels: list[str], col_labels: list[str], values: list[list[float]], *,
            titles: list[list[str]] | None = None, cell: int = 26, label_width: int = 150,
            caption: str = "") -> str:
    """Rows × columns of counts; each cell shows its number, 0 is pale red."""
    vmax = max((v for row in values for v in row), default=0)
    top = 24
    width = label_width + cell * len(col_labels) + 4
    height = top + cell * len(row_labels) + 4
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(caption)}" '
           f'font-family="{FONT}" font-size="11">']
    for j, c in enumerate(col_labels):
        x = label_width + j * cell + cell / 2
        out.append(f'<text x="{x:.1f}" y="{top - 8}" text-anchor="middle" fill="#444">{escape(c)}</text>')
    for i, r in enumerate(row_labels):
        y = top + i * cell
        out.append(f'<text x="{label_width - 6}" y="{y + cell / 2 + 4:.1f}" text-anchor="end" '
                   f'font-size="12">{escape(r)}</text>')
        for j, v in enumerate(values[i]):
            x = label_width + j * cell
            tip = titles[i][j] if titles else f"{r} · {col_labels[j]}: {v:g}"
            out.append(f'<g><title>{escape(tip)}</title><rect x="{x}" y="{y}" width="{cell - 2}" '
                       f'height="{cell - 2}" rx="3" fill="{_colour(v, vmax)}"/>'
                       f'<text x="{x + (cell - 2) / 2:.1f}" y="{y + cell / 2 + 3:.1f}" text-anchor="middle" '
                       f'fill="{_ink(v, vmax)}">{v:g}</text></g>')
    out.append("</svg>")
    return "".join(out)


def hbar(items: list[tuple[str, float]], *, width: int = 520, bar: int = 18, label_width: int = 190,
         colour: str = "#2b7a9b", caption: str = "") -> str:
    """Horizontal bars, largest first as given, each labelled with its value."""
    vmax = max((v for _, v in items), default=0) or 1
    height = bar * len(items) + 6
    span = width - label_width - 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(caption)}" '
           f'font-family="{FONT}" font-size="12">']
    for i, (label, v) in enumerate(items):
        y = 3 + i * bar
        w = max(1.0, span * v / vmax)
        short = label if len(label) <= 14 else label[:13] + "…"
        out.append(f'<g><title>{escape(label)}: {v:g}</title>'
                   f'<text x="{label_width - 6}" y="{y + bar / 2 + 4:.1f}" text-anchor="end">{escape(short)}</text>'
                   f'<rect x="{label_width}" y="{y + 2}" width="{w:.1f}" height="{bar - 5}" rx="2" fill="{colour}"/>'
                   f'<text x="{label_width + w + 4:.1f}" y="{y + bar / 2 + 4:.1f}" fill="#333">{v:g}</text></g>')
    out.append("</svg>")
    return "".join(out)


def grid(cells: list[tuple[str, str, str]], *, per_row: int = 30, cell: int = 16, caption: str = "") -> str:
    """Small squares in reading order: (label shown on hover, state, short text). States:
    'landed' (dark), 'cited' (light), 'missing' (pale red), 'unknown' (grey)."""
    fills = {"landed": "#0f6b5c", "cited": "#9fd3c7", "missing": "#f4a6a1", "unknown": "#dddddd"}
    rows = (len(cells) + per_row - 1) // per_row
    width, height = per_row * cell + 2, rows * cell + 2
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(caption)}" '
           f'font-family="{FONT}" font-size="{max(8, cell // 2 - 1)}">']
    for k, (label, state, text) in enumerate(cells):
        x, y = (k % per_row) * cell, (k // per_row) * cell
        ink = "#fff" if state == "landed" else "#333"
        out.append(f'<g><title>{escape(label)}</title><rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                   f'rx="2" fill="{fills.get(state, "#ddd")}"/><text x="{x + (cell - 2) / 2:.1f}" '
                   f'y="{y + cell / 2 + 2:.1f}" text-anchor="middle" fill="{ink}">{escape(text)}</text></g>')
    out.append("</svg>")
    return "".join(out)
