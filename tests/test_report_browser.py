"""The HTML report as a person sees it: opened in headless Chromium, the chart must be on screen."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from liumai.reports.summary_render import summary_html
from liumai.services import evidence as ev
from liumai.services import nominations as nom
from liumai.services.summaries import team_summary

BROWSER = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)


@pytest.fixture
def browser():
    if BROWSER is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium is required in CI (.ci/run installs it)")
        pytest.skip("Chromium not installed locally")
    return BROWSER


def _red_pixels(png_path) -> int:
    import matplotlib.image as mpimg
    import numpy as np

    img = mpimg.imread(str(png_path))[:, :, :3]
    target = np.array([217, 83, 79]) / 255.0  # the radar line colour (#d9534f)
    return int((np.abs(img - target).max(axis=2) < 0.08).sum())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_report_shows_the_chart_in_chromium(org, browser, tmp_path, lang):
    for crit in ("teamwork.3", "teamwork.4", "customer_first.2"):
        r = nom.nominate(org, "bob@example.com", "ann@example.com", f"Ann helped with {crit}: <b>bold</b>")
        e = nom.confirm(org, r.nomination.id, "bob@example.com", crit)
        ev.decide(org, e.id, "mgr@example.com", "accepted")
    html = summary_html(team_summary(org, team="alpha"), org.rubric, lang)
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "shot.png"
    cmd = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--hide-scrollbars",
        "--window-size=1000,1600",
        f"--screenshot={shot}",
        page.as_uri(),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert shot.exists(), res.stderr[-2000:]
    assert _red_pixels(shot) > 300  # the radar chart's line is drawn on the page
    blank = tmp_path / "blank.html"
    blank.write_text(html.split('<div class="chart">')[0] + "</body></html>", encoding="utf-8")
    shot2 = tmp_path / "blank.png"
    subprocess.run([*cmd[:-2], f"--screenshot={shot2}", blank.as_uri()], capture_output=True, timeout=120)
    assert _red_pixels(shot2) < 50  # and the check is not fooled by the page without a chart
