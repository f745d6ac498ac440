"""Light inline SVG charts for reports with many people: a radar of scores per value.

The per-team and per-person pages draw PNGs with matplotlib (`liumai.reports.chart`), about 100 ms
each; an org summary of thousands of people cannot afford one per person. These are plain strings
(well under a millisecond and about 2 KB each), drawn in the page's own font, so Chinese labels use
the report's embedded CJK subset like the rest of the text. Pure functions, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from liumai.reports.escape import html_text as h

ACCEPTED = "#1f6fb2"
PENDING = "#e0892b"


def _point(cx: float, cy: float, r: float, i: int, n: int) -> tuple[float, float]:
    angle = math.pi / 2 - 2 * math.pi * i / n  # the first value at the top, clockwise
    return cx + r * math.cos(angle), cy - r * math.sin(angle)


def _polygon(cx: float, cy: float, radius: float, values: Sequence[float], maximum: float) -> str:
    n = len(values)
    pts = (_point(cx, cy, radius * max(0.0, min(v, maximum)) / maximum, i, n) for i, v in enumerate(values))
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)


def radar_svg(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    maximum: float = 5.0,
    compare: Sequence[float] | None = None,
    label: str = "",
    compare_label: str = "",
    size: int = 340,
    title: str = "",
) -> str:
    """A radar chart as an inline `<svg>`: grid rings at each whole score, the accepted scores filled,
    the scores with pending evidence dashed (when they differ), value labels around it."""
    n = len(labels)
    if n < 3 or len(values) != n or (compare is not None and len(compare) != n):
        raise ValueError("a radar chart needs at least three labels and one value per label")
    cx = cy = size / 2
    radius = size / 2 - 62
    top = max(1, math.ceil(maximum))
    differs = compare is not None and list(compare) != list(values)
    parts = [
        f'<svg class="radar" xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size + 24}" '
        f'viewBox="0 0 {size} {size + 24}" role="img" aria-label="{h(title or label)}">'
    ]
    if title:
        parts.append(f"<title>{h(title)}</title>")
    parts += _grid(cx, cy, radius, n, top)
    parts += _labels(cx, cy, radius, labels, values)
    if compare is not None and differs:
        pts = _polygon(cx, cy, radius, compare, top)
        parts.append(
            f'<polygon class="pending" points="{pts}" fill="none" stroke="{PENDING}" stroke-width="2" '
            'stroke-dasharray="5 4"/>'
        )
    pts = _polygon(cx, cy, radius, values, top)
    parts.append(
        f'<polygon class="accepted" points="{pts}" fill="{ACCEPTED}" fill-opacity="0.25" '
        f'stroke="{ACCEPTED}" stroke-width="2"/>'
    )
    parts.append(_legend(cx, size, label, compare_label if differs else ""))
    parts.append("</svg>")
    return "".join(parts)


def _grid(cx: float, cy: float, radius: float, n: int, top: int) -> list[str]:
    rings = [
        f'<polygon points="{_polygon(cx, cy, radius, [ring] * n, top)}" fill="none" stroke="#d0d0d0" stroke-width="1"/>'
        for ring in range(1, top + 1)
    ]
    spokes = []
    for i in range(n):
        x, y = _point(cx, cy, radius, i, n)
        spokes.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#d0d0d0"/>')
    return rings + spokes


def _labels(cx: float, cy: float, radius: float, labels: Sequence[str], values: Sequence[float]) -> list[str]:
    out = []
    for i, (text, value) in enumerate(zip(labels, values, strict=True)):
        lx, ly = _point(cx, cy, radius + 16, i, len(labels))
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        out.append(
            f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="{anchor}" font-size="13">'
            f'{h(text)} <tspan font-weight="600">{value:g}</tspan></text>'
        )
    return out


def _legend(cx: float, size: int, label: str, compare_label: str) -> str:
    legend = []
    if label:
        legend.append(f'<tspan fill="{ACCEPTED}">■</tspan> {h(label)}')
    if compare_label:
        legend.append(f'<tspan fill="{PENDING}">┅</tspan> {h(compare_label)}')
    if not legend:
        return ""
    text = "  ".join(legend)
    return f'<text x="{cx:.1f}" y="{size + 14}" text-anchor="middle" font-size="12">{text}</text>'


__all__ = ["radar_svg"]
