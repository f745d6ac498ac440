"""The light inline SVG radar of the org summary: geometry, escaping, refusals (pure, no I/O)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from liumai.reports.svg import radar_svg

LABELS = ["Customer First", "Teamwork", "Embrace Change", "Integrity", "Passion", "Dedication"]
NS = "{http://www.w3.org/2000/svg}"


def _points(svg: str, cls: str) -> list[tuple[float, float]]:
    root = ET.fromstring(svg)
    [poly] = [p for p in root.iter(f"{NS}polygon") if p.get("class") == cls]
    return [tuple(map(float, xy.split(","))) for xy in poly.get("points", "").split()]


def test_scores_sit_on_their_rings_first_value_at_the_top():
    svg = radar_svg(LABELS, [5, 0, 0, 0, 0, 0], maximum=5, size=340)
    pts = _points(svg, "accepted")
    cx = cy = 170
    radius = 170 - 62
    assert pts[0] == pytest.approx((cx, cy - radius))  # a full score reaches the outer ring, straight up
    assert all(p == pytest.approx((cx, cy)) for p in pts[1:])  # zero sits in the centre
    half = _points(radar_svg(LABELS, [2.5] * 6, maximum=5), "accepted")
    assert all(((x - cx) ** 2 + (y - cy) ** 2) ** 0.5 == pytest.approx(radius / 2, abs=0.1) for x, y in half)


def test_pending_is_drawn_only_when_it_differs():
    same = radar_svg(LABELS, [1, 2, 3, 4, 5, 1], compare=[1, 2, 3, 4, 5, 1], compare_label="with pending")
    assert 'class="pending"' not in same and "with pending" not in same
    more = radar_svg(LABELS, [1, 2, 3, 4, 5, 1], compare=[2, 2, 3, 4, 5, 1], compare_label="with pending")
    assert 'class="pending"' in more and "with pending" in more


def test_labels_and_scores_are_escaped_text_and_the_svg_parses():
    svg = radar_svg(["<b>&", "客户第一", "x", "y"], [1, 2, 3, 4.5], title='A "quoted" <title>')
    root = ET.fromstring(svg)  # well-formed XML
    texts = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    assert "<b>& 1" in texts and "客户第一 2" in texts and "y 4.5" in texts
    assert "<b>" not in re.sub(r"<[^>]+>", "", svg.replace("&lt;b&gt;", ""))


@pytest.mark.parametrize(
    ("labels", "values", "compare"),
    [(["a", "b"], [1, 2], None), (["a", "b", "c"], [1], None), (["a", "b", "c"], [1, 2, 3], [1])],
)
def test_a_chart_that_cannot_be_drawn_is_refused(labels, values, compare):
    with pytest.raises(ValueError):
        radar_svg(labels, values, compare=compare)
