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
    for section in ("warnings", "summary", "validity", "columns", "associations", "embedding",
                    "utility", "privacy", "metrics"):
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


def test_captions_name_the_column_type_and_the_utility_metric_is_labelled(report_path):
    page = report_path.read_text(encoding="utf-8")
    captions = dict(re.findall(r"<figcaption><b>([^<]*)</b> \(([a-z]+)\)", page))
    assert captions == {"age": "integer", "hours": "numeric", "grade &lt;b&gt;&amp;":
                        "categorical", "job": "categorical", "flag": "boolean",
                        "when": "datetime", "label": "categorical"}
    # the summary card shows the score the demo's index.html shows (ROC-AUC), labelled
    assert "TSTR ROC-AUC<br>TRTR " in page and "TSTR accuracy" not in page


def test_warnings_come_first_and_validity_follows_the_summary(tmp_path):
    rng = np.random.default_rng(1)
    real, hold = _table(rng, 400), _table(rng, 200)
    collapsed = _table(rng, 400).assign(**{"grade <b>&": pd.Categorical(["A"] * 400)})
    report = SyntheticDataReport(real, collapsed, holdout=hold, n_bootstrap=0,
                                 detection=False)
    assert any(w.startswith("collapsed column 'grade <b>&'") for w in report.warnings)
    page = report.to_html()
    first = page.index('<section id="warnings">')
    assert first < page.index('<section id="summary">') < page.index('<section id="validity">')
    assert "collapsed column &#x27;grade &lt;b&gt;&amp;&#x27;" in page[first:]
    assert list(report.validity["check"]).count("range") == 3  # age, hours, when
    # a fresh draw: the box says so
    few = ["age", "label"]
    page = SyntheticDataReport(real[few], _table(rng, 400)[few], holdout=hold[few],
                               n_bootstrap=0, detection=False).to_html()
    assert '<div class="ok">No warnings' in page


def test_integer_columns_get_integer_ticks(monkeypatch, rng):
    from sksynth.report import _report

    figures = []
    monkeypatch.setattr(_report, "_png", lambda fig: figures.append(fig) or "data:")
    years = pd.DataFrame({"year": rng.integers(2006, 2011, size=300),
                          "count": rng.integers(0, 400, size=300)})
    report = SyntheticDataReport(years, years.sample(frac=1, random_state=0), detection=False)
    for column in years.columns:
        report._numeric_plot(column)
    for fig in figures:
        ticks = fig.axes[0].get_xticks()
        assert len(ticks) > 1 and np.all(ticks == np.round(ticks)), ticks


def test_the_header_shows_the_generators_column_types(rng):
    from sksynth.generators import GaussianCopulaGenerator

    X = pd.DataFrame({"n": rng.integers(0, 50, size=200), "c": rng.choice(["x", "y"], 200)})
    gen = GaussianCopulaGenerator(random_state=0).fit(X)
    page = SyntheticDataReport(X, gen.sample(200, random_state=0), generator=gen,
                               detection=False).to_html()
    header = page[page.index("<header>"):page.index("</header>")]
    assert "column types of GaussianCopulaGenerator: n: integer, c: categorical" in header


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
