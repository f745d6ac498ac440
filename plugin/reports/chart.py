"""Radar chart of the six values as PNG (matplotlib, Agg), with Chinese labels that render.

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
        fig = Figure(figsize=(4.2, 4.2), dpi=110)
        ax = cast(PolarAxes, fig.add_subplot(projection="polar"))
        ax.set_theta_offset(math.pi / 2)
        ax.set_theta_direction(-1)
        ax.set_ylim(0, maximum)
        ax.set_yticks([1, 2, 3, 4, 5][: int(maximum)])
        ax.set_yticklabels([str(i) for i in range(1, int(maximum) + 1)], fontsize=7, color="#777")
        ax.set_xticks(angles)
        font: dict[str, Any] = {"family": [family, "DejaVu Sans"]} if family else {}
        ax.set_xticklabels(labels, fontsize=9, **font)
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
            ax.set_title(title, fontsize=11, pad=14, **font)
        if (label or compare_label) and compare is not None:
            ax.legend(
                loc="lower right",
                bbox_to_anchor=(1.15, -0.12),
                fontsize=7,
                prop=font_manager.FontProperties(family=[family, "DejaVu Sans"] if family else None, size=7),
            )
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
        return buf.getvalue()
