"""Charts of summaries as PNG (matplotlib, Agg), with Chinese labels that render: a person's radar,
a team's score distribution per value, and its members' totals over the last quarters.

Sizes are for reading at a glance: the PNGs are drawn at about twice the width the HTML shows
them (at least 320 px), so labels stay sharp on high-density screens and when zoomed.

Chinese needs a CJK font: the `mplfonts` wheel carries Noto Sans CJK, so a plain `pip install .`
brings one; a system Noto/WenQuanYi/Source Han font is used where mplfonts is absent.
"""

from __future__ import annotations

import io
import math
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.projections.polar import PolarAxes
from matplotlib.ticker import MaxNLocator

_LOCK = threading.Lock()  # matplotlib's font cache and text layout are not thread-safe
SYSTEM_CJK = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of a usable CJK font, registering mplfonts' bundled one if needed."""
    try:
        import mplfonts

        path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
        if path.exists():
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
    except ImportError:
        pass
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in SYSTEM_CJK if n in names), None)


def radar_png(
    labels: list[str],
    scores: list[float],
    *,
    maximum: float = 5.0,
    title: str = "",
    compare: list[float] | None = None,
    compare_label: str = "",
    label: str = "",
) -> bytes:
    """A radar chart; `compare` draws a second series (e.g. the score with pending evidence)."""
    n = len(labels)
    angles = [2 * math.pi * i / n for i in range(n)]
    with _LOCK:
        family = cjk_font()
        fig = Figure(figsize=(5.8, 5.8), dpi=120)
        ax = cast(PolarAxes, fig.add_subplot(projection="polar"))
        ax.set_theta_offset(math.pi / 2)
        ax.set_theta_direction(-1)
        ax.set_ylim(0, maximum)
        ax.set_yticks([1, 2, 3, 4, 5][: int(maximum)])
        ax.set_yticklabels([str(i) for i in range(1, int(maximum) + 1)], fontsize=11, color="#777")
        ax.set_xticks(angles)
        font: dict[str, Any] = {"family": [family, "DejaVu Sans"]} if family else {}
        ax.set_xticklabels(labels, fontsize=17, **font)
        ax.tick_params(axis="x", pad=12)
        closed = [*angles, angles[0]]
        if compare is not None:
            ax.plot(
                closed,
                [*compare, compare[0]],
                color="#9db4d6",
                linewidth=1,
                linestyle="--",
                label=compare_label or None,
            )
        ax.plot(closed, [*scores, scores[0]], color="#d9534f", linewidth=2, label=label or None)
        ax.fill(closed, [*scores, scores[0]], color="#d9534f", alpha=0.25)
        if title:
            ax.set_title(title, fontsize=15, pad=22, **font)
        if (label or compare_label) and compare is not None:
            ax.legend(
                loc="lower right",
                bbox_to_anchor=(1.2, -0.16),
                prop=_prop(family, 13),
            )
        return _png(fig)


def _prop(family: str | None, size: float) -> font_manager.FontProperties:
    return font_manager.FontProperties(family=[family, "DejaVu Sans"] if family else None, size=size)


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


# Score buckets 0..5 from pale to dark: a team's spread per value reads as light (low) to dark (high).
BUCKET_COLOURS = ("#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f")


def distribution_png(labels: list[str], scores: list[list[float]], *, title: str = "", people: str = "") -> bytes:
    """Per value (one horizontal bar each), how many people scored 0, 1, ... 5 (half points round down)."""
    with _LOCK:
        family = cjk_font()
        font: dict[str, Any] = {"family": [family, "DejaVu Sans"]} if family else {}
        fig = Figure(figsize=(8.0, 0.62 * len(labels) + 1.6), dpi=120)
        ax = fig.add_subplot()
        rows = list(range(len(labels)))[::-1]
        left = [0.0] * len(labels)
        for bucket, colour in enumerate(BUCKET_COLOURS):
            counts = [float(sum(1 for s in value if int(s) == bucket)) for value in scores]
            ax.barh(rows, counts, left=left, color=colour, edgecolor="white", label=str(bucket))
            for y, x0, n in zip(rows, left, counts, strict=True):
                if n:
                    ax.text(x0 + n / 2, y, f"{n:g}", ha="center", va="center", fontsize=11, color=_ink(bucket))
            left = [a + b for a, b in zip(left, counts, strict=True)]
        ax.set_yticks(rows)
        ax.set_yticklabels(labels, fontsize=13, **font)
        ax.set_xlabel(people, fontsize=11, **font)
        ax.tick_params(axis="x", labelsize=10)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(ncols=6, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, prop=_prop(family, 11))
        if title:
            ax.set_title(title, fontsize=15, pad=34, **font)
        return _png(fig)


def _ink(bucket: int) -> str:
    return "#ffffff" if bucket >= 3 else "#222222"


def trend_png(quarters: list[str], series: list[tuple[str, list[float]]], *, maximum: float, title: str = "") -> bytes:
    """One line per person: their total in each quarter, oldest first."""
    with _LOCK:
        family = cjk_font()
        font: dict[str, Any] = {"family": [family, "DejaVu Sans"]} if family else {}
        fig = Figure(figsize=(8.0, 4.6), dpi=120)
        ax = fig.add_subplot()
        xs = list(range(len(quarters)))
        for name, totals in series:
            ax.plot(xs, totals, marker="o", linewidth=2, label=name)
        ax.set_xticks(xs)
        ax.set_xticklabels(quarters, fontsize=11)
        ax.set_ylim(0, maximum)
        ax.tick_params(axis="y", labelsize=10)
        ax.grid(axis="y", color="#eee")
        ax.spines[["top", "right"]].set_visible(False)
        if series:
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, prop=_prop(family, 11))
        if title:
            ax.set_title(title, fontsize=15, pad=12, **font)
        return _png(fig)
