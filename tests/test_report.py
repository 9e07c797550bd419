"""The HTML report: structure, self-containment, and rendering in a real browser."""

import base64
import io
import os
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from matplotlib import image as mpimg

from sksynth.report import SyntheticDataReport

COLUMNS = ["age", "hours", "grade <b>&", "job", "flag", "when", "label"]


def _table(rng, n, shift=0.0):
    z = rng.normal(size=n)
    frame = pd.DataFrame({
        "age": np.clip(np.round(40 + 12 * z + shift), 17, 90).astype(int),
        "hours": 40 + 5 * rng.standard_t(4, size=n),
        "grade <b>&": pd.Categorical(rng.choice(list("ABCD"), size=n)),
        "job": rng.choice([f"job {i}" for i in range(30)], size=n),  # > max_categories
        "flag": rng.random(n) < 0.3,
        "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), "D"),
        "label": np.where(z + rng.normal(size=n) > 0, ">50K", "<=50K"),
    })
    frame.loc[rng.random(n) < 0.05, "hours"] = np.nan
    return frame


@pytest.fixture(scope="module")
def report_path(tmp_path_factory):
    rng = np.random.default_rng(0)
    real, syn, hold = _table(rng, 400), _table(rng, 400, shift=3.0), _table(rng, 300)
    report = SyntheticDataReport(real, syn, holdout=hold, target="label", n_bootstrap=30,
                                 title="Test <report>")
    path = tmp_path_factory.mktemp("report") / "report.html"
    assert report.save(path) == str(path)
    return path


def _images(page):
    return re.findall(r'<img src="data:image/png;base64,([^"]+)"', page)


def test_page_is_self_contained_and_complete(report_path):
    page = report_path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    # nothing but data URIs and in-page anchors is referenced
    refs = re.findall(r'(?:src|href)="([^"]*)"', page)
    assert refs and all(r.startswith(("data:image/png;base64,", "#")) for r in refs)
    assert "<script" not in page
    # one figure per column, names escaped
    figures = re.findall(r'<figure class="column"[^>]*data-column="([^"]*)"', page)
    assert figures == [c.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                       for c in COLUMNS]
    assert "Test &lt;report&gt;" in page
    for section in ("summary", "columns", "associations", "embedding", "utility", "privacy",
                    "metrics"):
        assert f'<section id="{section}">' in page
    # every embedded image is a decodable, non-blank PNG
    images = _images(page)
    assert len(images) == len(COLUMNS) + 4  # + heat map, PCA, utility, DCR
    for data in images:
        pixels = mpimg.imread(io.BytesIO(base64.b64decode(data)), format="png")
        assert pixels.shape[0] > 50 and pixels.shape[1] > 50 and pixels.std() > 0.01
    assert "TSTR" in page and "mia_auc" in page and "(other)" not in page[:100]


def test_report_without_holdout_and_array_input(tmp_path, rng):
    X = rng.normal(size=(100, 3))
    report = SyntheticDataReport(X, X + 0.1, detection=False)
    page = report.to_html()
    assert page.count('class="column"') == 3
    assert "Not measured" in page and "mia_auc" not in page
    assert set(report.results["category"]) == {"fidelity", "privacy"}
    with pytest.raises(ValueError, match="target was given without holdout"):
        SyntheticDataReport(X, X, target=0)


def test_save_is_atomic_and_replaces(tmp_path, rng):
    X = pd.DataFrame({"a": rng.normal(size=50), "b": rng.choice(["x", "y"], size=50)})
    path = tmp_path / "r.html"
    path.write_text("old")
    SyntheticDataReport(X, X, detection=False, n_bootstrap=0).save(path)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(os.listdir(tmp_path)) == ["r.html"]  # no temporary file left


# ---------------------------------------------------------------------------
# a real headless browser
# ---------------------------------------------------------------------------
def _browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


BROWSER = _browser()
needs_browser = pytest.mark.skipif(BROWSER is None,
                                   reason="no Chromium installed (apt-get install chromium)")


def _render(path, tmp_path, *extra):
    """Run headless Chromium on ``path``; return (stdout, console messages)."""
    cmd = [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--enable-logging=stderr", "--v=0", f"--user-data-dir={tmp_path / 'profile'}",
           "--virtual-time-budget=5000", *extra, path.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line]
    return proc.stdout, console


@needs_browser
def test_console_capture_catches_a_blocked_network_request(tmp_path):
    # the check below can fail: a page that tries to load an external image logs
    # a Content-Security-Policy violation to the console
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" "
        "content=\"default-src 'none'; img-src data:\"></head><body>"
        "<img src=\"https://example.invalid/x.png\"></body></html>"
    )
    _, console = _render(bad, tmp_path, "--dump-dom")
    assert any("Content Security Policy" in line for line in console)


@needs_browser
def test_report_renders_in_headless_chromium(report_path, tmp_path):
    dom, console = _render(report_path, tmp_path, "--dump-dom")
    assert console == []
    assert "<h1>Test &lt;report&gt;</h1>" in dom
    shown = re.findall(r'<figure class="column"[^>]*data-column="([^"]*)"', dom)
    assert len(shown) == len(COLUMNS)
    for column in COLUMNS:
        escaped = column.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f"<b>{escaped}</b>" in dom
    shot = tmp_path / "shot.png"
    _, console = _render(report_path, tmp_path, f"--screenshot={shot}",
                         "--window-size=1200,2400", "--hide-scrollbars")
    assert console == []
    pixels = mpimg.imread(shot)
    assert pixels.shape[:2] == (2400, 1200)
    # something was drawn: the page is not a single colour, and the plots' blue shows
    assert pixels[..., :3].std() > 0.05
    blue = (pixels[..., 2] > 0.6) & (pixels[..., 0] < 0.3) & (pixels[..., 1] < 0.6)
    assert blue.mean() > 0.001
