"""A self-contained HTML report comparing a synthetic table with the real one."""

import base64
import datetime
import html
import io
import os

import numpy as np
import pandas as pd

from ..metrics._diagnostics import headline_metric, score_label
from ..metrics._evaluate import _evaluate
from ..metrics._tables import check_max_samples, check_tables, subsample
from ._atomic import atomic_output

__all__ = ["SyntheticDataReport"]

_REAL_COLOUR = "#1f77b4"
_SYN_COLOUR = "#ff7f0e"
_HOLD_COLOUR = "#2ca02c"

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;
background:#fafafa}
header{background:#223;color:#fff;padding:1.2em 2em}
header h1{margin:0 0 .3em 0;font-size:1.6em}
header p{margin:.2em 0;color:#ccd}
nav{background:#eef;padding:.5em 2em;position:sticky;top:0;border-bottom:1px solid #ccd}
nav a{margin-right:1.2em;color:#225;text-decoration:none}
main{padding:0 2em 2em 2em}
section{margin-top:1.5em}
h2{border-bottom:2px solid #ccd;padding-bottom:.2em}
.cards{display:flex;flex-wrap:wrap;gap:1em}
.card{background:#fff;border:1px solid #dde;border-radius:6px;padding:.8em 1.2em;min-width:11em}
.card .value{font-size:1.6em;font-weight:600}
.card .label{color:#555;font-size:.9em}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:1em}
figure{background:#fff;border:1px solid #dde;border-radius:6px;margin:0;padding:.5em}
figure img{max-width:100%;height:auto;display:block}
.grid figure img{width:100%}
figcaption{font-size:.9em;color:#333;padding:.3em .2em 0 .2em}
figure.wide{display:inline-block;max-width:100%}
table{border-collapse:collapse;background:#fff;font-size:.88em;margin:.5em 0}
th,td{border:1px solid #dde;padding:.25em .6em;text-align:left}
th{background:#eef}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#555;font-style:italic}
.table-wrap{overflow-x:auto;max-width:100%}
.warnings{background:#fff4e5;border:1px solid #f0a040;border-radius:6px;padding:.6em 1.2em}
.warnings li{margin:.2em 0}
.ok{background:#eef8ee;border:1px solid #8c8;border-radius:6px;padding:.6em 1.2em}
"""


def _png(fig):
    """Render a matplotlib figure to a base64 PNG data URI."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _figure(width, height):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _fmt(value, digits=3):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (float, np.floating)):
        if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
            return f"{value:.{digits}e}"
        return f"{value:.{digits}f}"
    return html.escape(str(value))


def _table(frame, *, numeric=()):
    """A small HTML table with escaped cells."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for col, value in zip(frame.columns, row):
            cls = ' class="num"' if col in numeric else ""
            cells.append(f"<td{cls}>{_fmt(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


class SyntheticDataReport:
    """One self-contained HTML page comparing synthetic data with real data.

    The page holds, with every plot embedded as a PNG (no network access, no
    script): a summary, the real and synthetic marginal of every column
    (histograms for numeric columns, bar charts of category shares for
    categorical ones), a heat map of the pairwise association differences, a
    two-dimensional PCA projection of both tables, utility (train-on-synthetic
    against train-on-real, with intervals), the privacy summary with the
    distance-to-closest-record distributions, and the full table of
    :func:`sksynth.metrics.evaluate`. The warnings of
    :func:`sksynth.metrics.diagnose` (collapsed columns, detection ROC-AUC near
    1, TSTR far below TRTR, DCR ratio below 1, exact copies) come first, and
    its validity checks (ranges, categories, constraints, keys) follow the
    summary.

    Parameters
    ----------
    real : array-like or DataFrame of shape (n_real, n_features)
        The real rows the generator was fitted on.
    synthetic : array-like or DataFrame of shape (n_synthetic, n_features)
        The synthetic rows.
    holdout : array-like or DataFrame of shape (n_holdout, n_features), default=None
        Real rows the generator never saw: enables utility and the privacy
        comparisons.
    target : str, default=None
        Column to predict for utility (needs ``holdout``).
    title : str, default="Synthetic data report"
        Page title.
    estimator : estimator, default=None
        Model for utility (see :func:`sksynth.metrics.utility_scores`).
    max_categories : int, default=20
        Categories shown per bar chart (the rest are pooled as "other").
    max_plot_rows : int, default=2000
        Rows of each table drawn in the PCA scatter plot.
    detection : bool, default=True
        Whether to run the classifier two-sample test.
    max_samples : int or None, default=10_000
        Row cap of the sampled measures (see :func:`sksynth.metrics.evaluate`).
    n_bootstrap : int, default=200
        Bootstrap resamples of the utility intervals.
    random_state : int, default=0
        Seeds every random choice.
    n_jobs : int, default=None
        Parallel jobs of the measures.
    generator : fitted generator, default=None
        The generator that drew ``synthetic``: its constraints are checked, and
        its ``column_types_`` are shown in the header and the column captions.
    constraints : list of constraints, default=None
        Constraints whose validity to check (default: the generator's).

    Attributes
    ----------
    results : DataFrame
        The tidy metric table (computed on first access).
    warnings : list of str
        The warnings of :func:`sksynth.metrics.diagnose` (computed on first
        access).
    validity : DataFrame
        The validity checks of :func:`sksynth.metrics.diagnose`.

    See Also
    --------
    sksynth.metrics.evaluate : The numbers of the report.

    Examples
    --------
    >>> import numpy as np, pandas as pd, tempfile, os
    >>> from sksynth.report import SyntheticDataReport
    >>> rng = np.random.default_rng(0)
    >>> def draw(n):
    ...     return pd.DataFrame({"x": rng.normal(size=n),
    ...                          "c": rng.choice(["a", "b"], size=n)})
    >>> report = SyntheticDataReport(draw(200), draw(200), holdout=draw(200),
    ...                              n_bootstrap=20, detection=False)
    >>> path = report.save(os.path.join(tempfile.mkdtemp(), "report.html"))
    >>> page = open(path, encoding="utf-8").read()
    >>> page.count('class="column"'), "http" in page.replace("http-equiv", "")
    (2, False)
    """

    def __init__(self, real, synthetic, holdout=None, target=None, *,
                 title="Synthetic data report", estimator=None, max_categories=20,
                 max_plot_rows=2000, detection=True, max_samples=10_000, n_bootstrap=200,
                 random_state=0, n_jobs=None, generator=None, constraints=None):
        if target is not None and holdout is None:
            raise ValueError(
                "target was given without holdout: utility is measured on real rows the "
                "generator never saw; pass holdout=<those rows>, or leave target=None."
            )
        self._schema = check_tables(real, synthetic, holdout, target=target)
        self.target = target
        self.title = str(title)
        self.estimator = estimator
        self.max_categories = check_max_samples(max_categories, "max_categories", minimum=1)
        self.max_plot_rows = check_max_samples(max_plot_rows, "max_plot_rows", minimum=2)
        self.detection = bool(detection)
        self.max_samples = check_max_samples(max_samples, minimum=10)
        self.n_bootstrap = n_bootstrap
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.generator = generator
        self.constraints = constraints
        self._results = None
        self._extras = None

    # -- numbers ---------------------------------------------------------------
    def compute(self, progress=None):
        """Run every measure (once); return ``self``.

        Parameters
        ----------
        progress : callable, default=None
            Called with the name of each stage, e.g. to drive a progress bar.
        """
        if self._results is None:
            self._results, self._extras = _evaluate(
                self._schema, target=self.target, estimator=self.estimator,
                detection=self.detection, max_samples=self.max_samples,
                n_bootstrap=self.n_bootstrap, random_state=self.random_state,
                n_jobs=self.n_jobs, progress=progress, generator=self.generator,
                constraints=self.constraints,
            )
        return self

    @property
    def results(self):
        """The tidy metric table of :func:`sksynth.metrics.evaluate`."""
        return self.compute()._results

    @property
    def warnings(self):
        """Warnings of :func:`sksynth.metrics.diagnose`: one line per clear failure."""
        return list(self.compute()._extras["diagnosis"].warnings)

    @property
    def validity(self):
        """Validity checks of :func:`sksynth.metrics.diagnose` (a DataFrame)."""
        return self.compute()._extras["diagnosis"].validity

    def _column_types(self):
        types = getattr(self.generator, "column_types_", None)
        return dict(types) if isinstance(types, dict) else None

    def _caption_kind(self, column):
        """The type named in a column's caption: the generator's, else inferred."""
        types = self._column_types()
        if types and column in types:
            return str(types[column])
        dtype = self._schema.frames["real"][column].dtype
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return "datetime"
        if pd.api.types.is_timedelta64_dtype(dtype):
            return "timedelta"
        if pd.api.types.is_bool_dtype(dtype):
            return "boolean"
        if self._schema.kinds[column] == "numeric":
            values = self._schema.numeric("real", column)
            observed = values[~np.isnan(values)]
            if observed.size and np.all(observed == np.round(observed)):
                return "integer"
            return "numeric"
        return "categorical"

    # -- plots -----------------------------------------------------------------
    def _numeric_plot(self, column):
        schema = self._schema
        real = schema.numeric("real", column)
        syn = schema.numeric("synthetic", column)
        real_obs, syn_obs = real[~np.isnan(real)], syn[~np.isnan(syn)]
        fig = _figure(4.2, 2.8)
        ax = fig.add_subplot()
        values = np.concatenate([real_obs, syn_obs])
        if values.size == 0:
            ax.text(0.5, 0.5, "all values missing", ha="center", va="center")
        else:
            uniques = np.unique(values)
            if uniques.size <= 25 and np.all(uniques == np.round(uniques)):
                # few integer values: shares of each value, side by side
                width = 0.4 * (np.min(np.diff(uniques)) if uniques.size > 1 else 1.0)
                for data, colour, offset, label in ((real_obs, _REAL_COLOUR, -0.5, "real"),
                                                    (syn_obs, _SYN_COLOUR, 0.5, "synthetic")):
                    share = np.array([np.mean(data == u) if data.size else 0.0
                                      for u in uniques])
                    ax.bar(uniques + offset * width, share, width=width, color=colour,
                           label=label)
                ax.set_ylabel("share of rows")
            else:
                low, high = np.quantile(values, [0.005, 0.995])
                if not high > low:
                    low, high = values.min() - 0.5, values.max() + 0.5
                if np.all(uniques == np.round(uniques)):
                    # integers: bins of a whole number of units, centred on integers
                    width = max(1.0, np.ceil((high - low) / 40))
                    bins = np.arange(np.floor(low) - 0.5, high + width, width)
                else:
                    bins = np.linspace(low, high, 41)
                for data, colour, label in ((real_obs, _REAL_COLOUR, "real"),
                                            (syn_obs, _SYN_COLOUR, "synthetic")):
                    if data.size:
                        ax.hist(np.clip(data, bins[0], bins[-1]), bins=bins,
                                weights=np.full(data.size, 1.0 / data.size),
                                histtype="stepfilled", alpha=0.45, color=colour, label=label,
                                edgecolor=colour)
                ax.set_ylabel("share of rows")
            dtype = schema.frames["real"][column].dtype
            if (np.all(uniques == np.round(uniques))
                    and not pd.api.types.is_datetime64_any_dtype(dtype)):
                from matplotlib.ticker import MaxNLocator

                ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no tick at 2006.5
            if pd.api.types.is_datetime64_any_dtype(dtype):
                ticks = ax.get_xticks()
                ax.set_xticks(ticks, [str(pd.Timestamp(int(t)).date()) for t in ticks],
                              rotation=30, ha="right", fontsize=7)
            ax.legend(fontsize=8)
        missing = (np.mean(np.isnan(real)), np.mean(np.isnan(syn)))
        note = f" (missing: real {missing[0]:.1%}, synthetic {missing[1]:.1%})" if any(
            missing) else ""
        ax.set_title(f"{column}{note}", fontsize=9)
        return _png(fig)

    def _categorical_plot(self, column):
        codes, labels = self._schema.codes(column)
        n_codes = len(labels)
        real = np.bincount(codes["real"], minlength=n_codes) / len(codes["real"])
        syn = np.bincount(codes["synthetic"], minlength=n_codes) / len(codes["synthetic"])
        order = np.argsort(-(real + 1e-12 * syn), kind="stable")
        shown = order[: self.max_categories]
        names = ["(missing)" if labels[i] is None else str(labels[i]) for i in shown]
        r, s = real[shown], syn[shown]
        if len(order) > len(shown):
            names.append("(other)")
            r = np.append(r, 1 - r.sum())
            s = np.append(s, 1 - s.sum())
        names = [n if len(n) <= 22 else n[:20] + "…" for n in names]
        fig = _figure(4.2, 2.8 if len(names) <= 8 else 3.4)
        ax = fig.add_subplot()
        x = np.arange(len(names))
        ax.bar(x - 0.2, r, width=0.4, color=_REAL_COLOUR, label="real")
        ax.bar(x + 0.2, s, width=0.4, color=_SYN_COLOUR, label="synthetic")
        ax.set_xticks(x, names, rotation=45 if len(names) > 3 else 0,
                      ha="right" if len(names) > 3 else "center", fontsize=7)
        ax.set_ylabel("share of rows")
        ax.set_title(str(column), fontsize=9)
        ax.legend(fontsize=8)
        return _png(fig)

    def _association_plot(self):
        diff = self._extras.get("association_difference")
        if diff is None:
            return None
        p = diff.shape[0]
        size = min(max(3.5, 0.38 * p + 2), 11)
        fig = _figure(size + 1.2, size)
        ax = fig.add_subplot()
        image = ax.imshow(diff.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
        labels = [str(c) for c in diff.columns]
        ax.set_xticks(range(p), labels, rotation=90, fontsize=7)
        ax.set_yticks(range(p), labels, fontsize=7)
        fig.colorbar(image, ax=ax, shrink=0.8, label="synthetic - real association")
        ax.set_title("Association difference (Pearson / Cramér's V / correlation ratio)",
                     fontsize=9)
        return _png(fig)

    def _pca_plot(self):
        from sklearn.decomposition import PCA

        schema = self._schema
        rng = np.random.RandomState(0 if self.random_state is None else self.random_state)
        rows = {role: subsample(len(schema.frames[role]), self.max_plot_rows, rng)
                for role in ("real", "synthetic")}
        enc = schema.encode(["real", "synthetic"], rows=rows)
        n_components = min(2, enc["real"].shape[1], enc["real"].shape[0])
        pca = PCA(n_components=n_components).fit(enc["real"])
        fig = _figure(5.2, 4.2)
        ax = fig.add_subplot()
        for role, colour, label in (("real", _REAL_COLOUR, "real"),
                                    ("synthetic", _SYN_COLOUR, "synthetic")):
            Z = pca.transform(enc[role])
            if Z.shape[1] == 1:
                Z = np.column_stack([Z[:, 0], np.zeros(len(Z))])
            ax.scatter(Z[:, 0], Z[:, 1], s=4, alpha=0.35, color=colour, label=label,
                       rasterized=True)
        ratio = np.r_[pca.explained_variance_ratio_, [0.0, 0.0]]
        ax.set_xlabel(f"PC 1 ({ratio[0]:.0%} of real variance)")
        ax.set_ylabel(f"PC 2 ({ratio[1]:.0%})")
        ax.legend(markerscale=3, fontsize=8)
        ax.set_title("PCA of the real table: real and synthetic rows", fontsize=9)
        return _png(fig)

    def _utility_plot(self, utility):
        fig = _figure(5.5, 1.2 + 0.7 * len(utility))
        ax = fig.add_subplot()
        y = np.arange(len(utility))
        for setting, colour, offset in (("trtr", _REAL_COLOUR, -0.18),
                                        ("tstr", _SYN_COLOUR, 0.18)):
            values = utility[setting].to_numpy()
            low = values - utility[f"{setting}_ci_low"].to_numpy()
            high = utility[f"{setting}_ci_high"].to_numpy() - values
            # a percentile interval may miss the point estimate when resamples are few
            err = np.clip(np.vstack([low, high]), 0.0, None)
            err = None if np.isnan(err).all() else np.nan_to_num(err)
            ax.barh(y + offset, values, height=0.34, color=colour, xerr=err, capsize=3,
                    label="train real (TRTR)" if setting == "trtr" else
                    "train synthetic (TSTR)")
        ax.set_yticks(y, [str(i) for i in utility.index], fontsize=8)
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2)
        ax.set_title("Scores on the holdout, with bootstrap intervals", fontsize=9)
        return _png(fig)

    def _dcr_plot(self, dcr):
        fig = _figure(5.2, 3.0)
        ax = fig.add_subplot()
        values = np.concatenate(list(dcr.values()))
        high = np.quantile(values, 0.99) if values.size else 1.0
        high = high if high > 0 else 1.0
        bins = np.linspace(0, high, 41)
        for role, colour, label in (("synthetic", _SYN_COLOUR, "synthetic → real"),
                                    ("holdout", _HOLD_COLOUR, "holdout → real")):
            if role in dcr:
                ax.hist(np.clip(dcr[role], 0, high), bins=bins, density=True, alpha=0.45,
                        color=colour, label=label, histtype="stepfilled", edgecolor=colour)
        ax.set_xlabel("distance to closest real training row (standardised units)")
        ax.set_ylabel("density")
        ax.legend(fontsize=8)
        return _png(fig)

    # -- page ------------------------------------------------------------------
    def to_html(self):
        """Return the report as one HTML document (a string)."""
        import sksynth

        self.compute()
        schema, results, extras = self._schema, self._results, self._extras
        values = results.set_index("metric")["value"]
        distances = extras["column_distances"].set_index("column")
        sections = []

        # summary
        cards = [("quality score", values.get("quality_score"), "higher is better, [0, 1]")]
        if "detection_auc" in values:
            cards.append(("detection ROC-AUC", values["detection_auc"], "0.5 is best"))
        utility = extras.get("utility")
        if utility is not None:
            first = headline_metric(utility)
            cards.append((f"TSTR {score_label(first)}", utility.loc[first, "tstr"],
                          f"TRTR {utility.loc[first, 'trtr']:.3f}, higher is better"))
        privacy = extras["privacy"]
        if "dcr_ratio" in privacy:
            cards.append(("DCR ratio", privacy["dcr_ratio"], "about 1 or more is good"))
        if "mia_auc" in privacy:
            cards.append(("membership-inference AUC", privacy["mia_auc"], "0.5 is best"))
        cards.append(("exact copies", privacy["exact_match_rate"], "share of synthetic rows"))
        card_html = "".join(
            f'<div class="card"><div class="value">{_fmt(v)}</div>'
            f'<div class="label">{html.escape(label)}<br>{html.escape(hint)}</div></div>'
            for label, v, hint in cards
        )
        diagnosis = extras["diagnosis"]
        if diagnosis.warnings:
            items = "".join(f"<li>{html.escape(w)}</li>" for w in diagnosis.warnings)
            warning_html = (f'<div class="warnings"><b>{len(diagnosis.warnings)} warning'
                            f"{'s' if len(diagnosis.warnings) > 1 else ''}</b>: signs that "
                            f"the generator has clearly failed<ul>{items}</ul></div>")
        else:
            warning_html = ('<div class="ok">No warnings: no collapsed column, detection '
                            "ROC-AUC below 0.95, TSTR within 0.10 of TRTR, DCR ratio not "
                            "below 1, no more exact copies than the holdout has (those that "
                            "were measured).</div>")
        sections.append(f'<section id="warnings"><h2>Warnings</h2>{warning_html}</section>')
        sections.append(f'<section id="summary"><h2>Summary</h2><div class="cards">'
                        f"{card_html}</div></section>")

        # validity
        validity = diagnosis.validity
        sections.append(
            '<section id="validity"><h2>Validity</h2><p>Share of synthetic rows that pass '
            "each check (1 is best): numeric values within the real range, categories "
            "seen in the real table, constraints, key columns unique and not copied "
            "from the real table.</p>"
            f"{_table(validity, numeric={'value'})}</section>"
        )

        # columns
        figures = []
        for column in schema.columns:
            kind = schema.kinds[column]
            image = (self._numeric_plot(column) if kind == "numeric"
                     else self._categorical_plot(column))
            kind = self._caption_kind(column)
            rec = distances.loc[column]
            name = html.escape(str(column))
            figures.append(
                f'<figure class="column" id="column-{len(figures)}" data-column="{name}">'
                f'<img src="{image}" alt="{name}: real and synthetic distributions">'
                f"<figcaption><b>{name}</b> ({kind}) — "
                f"{'KS' if rec['statistic'] == 'ks' else 'total variation'} distance "
                f"{_fmt(rec['distance'])}</figcaption></figure>"
            )
        sections.append('<section id="columns"><h2>Column distributions</h2>'
                        '<p>Real (blue) and synthetic (orange) marginals; the distance is '
                        'in [0, 1], lower is better.</p>'
                        f'<div class="grid">{"".join(figures)}</div></section>')

        # associations
        image = self._association_plot()
        if image is not None:
            sections.append(
                '<section id="associations"><h2>Pairwise associations</h2>'
                "<p>Synthetic minus real association for every pair of columns: Pearson "
                "correlation (numeric pairs, range [-1, 1]), Cramér's V (categorical pairs) "
                "and the correlation ratio (mixed pairs), both in [0, 1]. White is a "
                "reproduced association. Mean normalised difference: "
                f"{_fmt(values.get('association_difference'))}.</p>"
                f'<figure class="wide"><img src="{image}" alt="association difference heat '
                'map"><figcaption>Association difference</figcaption></figure></section>'
            )

        # embedding
        sections.append(
            '<section id="embedding"><h2>Two-dimensional embedding</h2>'
            "<p>Principal components of the real table (numeric columns standardised, "
            "categorical columns one-hot); synthetic rows projected on the same axes.</p>"
            f'<figure class="wide"><img src="{self._pca_plot()}" alt="PCA overlay">'
            "<figcaption>PCA overlay</figcaption></figure></section>"
        )

        # utility
        if utility is not None:
            table = utility.reset_index()
            table.insert(0, "target", self.target)
            sections.append(
                '<section id="utility"><h2>Utility: train on synthetic, test on real</h2>'
                f"<p>A {html.escape(utility.attrs['estimator'])} predicts "
                f"<b>{html.escape(str(self.target))}</b>, trained on the real rows (TRTR) "
                f"or on the synthetic rows (TSTR), and is scored on "
                f"{utility.attrs['n_test']} holdout rows; "
                f"{utility.attrs['confidence_level']:.0%} percentile bootstrap intervals. "
                "Relative loss = (TRTR - TSTR) / |TRTR|, lower is better.</p>"
                f'<figure class="wide"><img src="{self._utility_plot(utility)}" '
                'alt="TSTR against TRTR"><figcaption>TSTR against TRTR</figcaption></figure>'
                f"{_table(table, numeric=set(table.columns[2:]))}</section>"
            )
        else:
            sections.append(
                '<section id="utility"><h2>Utility</h2><p class="note">Not measured: '
                "pass a holdout of real rows and a target column to compare "
                "train-on-synthetic with train-on-real.</p></section>"
            )

        # privacy
        rows = results[results["category"] == "privacy"][["metric", "value", "direction",
                                                          "range"]]
        sections.append(
            '<section id="privacy"><h2>Privacy</h2>'
            "<p>Distances to the closest real training row (DCR) in standardised units; "
            "synthetic rows should be no closer to the training rows than holdout rows "
            "are. The membership-inference attack guesses training rows from their "
            "distance to the synthetic data (0.5 = no better than chance).</p>"
            f"{_table(rows, numeric={'value'})}"
            f'<figure class="wide"><img src="{self._dcr_plot(extras["dcr"])}" '
            'alt="DCR distributions"><figcaption>Distance to closest record'
            "</figcaption></figure></section>"
        )

        # all metrics
        table = results.copy()
        table["column"] = table["column"].astype(object).where(table["column"].notna(), "")
        sections.append('<section id="metrics"><h2>All metrics</h2>'
                        f"{_table(table, numeric={'value', 'ci_low', 'ci_high'})}</section>")

        n_hold = len(schema.frames["holdout"]) if "holdout" in schema.frames else 0
        subtitle = (
            f"{len(schema.frames['real'])} real rows, {len(schema.frames['synthetic'])} "
            f"synthetic rows, {n_hold} holdout rows, {len(schema.columns)} columns"
            + (f"; target: {self.target}" if self.target is not None else "")
        )
        types = self._column_types()
        type_line = ""
        if types:
            shown = ", ".join(f"{c}: {t}" for c, t in types.items())
            type_line = f"<p>column types of {type(self.generator).__name__}: " \
                        f"{html.escape(shown)}</p>"
        stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
        nav = "".join(f'<a href="#{anchor}">{label}</a>' for anchor, label in (
            ("warnings", "Warnings"), ("summary", "Summary"), ("validity", "Validity"),
            ("columns", "Columns"), ("associations", "Associations"),
            ("embedding", "Embedding"), ("utility", "Utility"), ("privacy", "Privacy"),
            ("metrics", "All metrics")))
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "img-src data:; style-src 'unsafe-inline'\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style></head><body>"
            f"<header><h1>{html.escape(self.title)}</h1><p>{html.escape(subtitle)}</p>"
            f"{type_line}"
            f"<p>sksynth {html.escape(sksynth.__version__)}, {stamp}</p></header>"
            f"<nav>{nav}</nav><main>{''.join(sections)}</main></body></html>\n"
        )

    def _repr_html_(self):
        return self.to_html()

    def save(self, path):
        """Write the report to ``path`` (atomically: a temporary file, then a rename).

        Parameters
        ----------
        path : str or path-like
            Where to write the HTML file.

        Returns
        -------
        path : str
            The path written.
        """
        path = os.fspath(path)
        page = self.to_html()
        with atomic_output(path) as tmp:
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(page)
        return path
