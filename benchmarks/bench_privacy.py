"""Benchmark differentially private VAEs on Adult and digits: utility, attacks, audits, epochs.

Methods: :class:`sksynth.generators.LipschitzVAE` (privacy from the encoder
noise, posterior release) and :class:`sksynth.generators.DPSGDVAE` (the same
architecture trained with DP-SGD, Opacus), at the same target epsilon, with
``delta = 1/n``; a non-private :class:`sksynth.generators.TabularVAE` and the
real training data (TRTR) are the ceilings. Where smartnoise-synth imports
(``pip install smartnoise-synth``; its pins clash with this project's Opacus,
so install it beside, e.g. ``pip install --target DIR --no-deps`` and put DIR
on ``PYTHONPATH``), its MST and AIM synthesizers are the outside reference:
they get the same data discretised on the declared public domain (equal-width
bins, values drawn uniformly within a bin on the way back), so no privacy is
spent on preprocessing for them either.

The Adult census table is subsampled (``--n-train`` rows to train, 5,000
held-out rows to test). Its public domain is declared (ranges documented for
the UCI data, the category lists of the bundled dtypes), so nothing is read
from the data outside the budget.

Tables printed:

1. per method and epsilon: claimed ``epsilon_``, fit wall time, ``tstr_auc``
   (ROC-AUC on the real hold-out of a ``HistGradientBoostingClassifier``
   trained on as many synthetic rows as real ones), ``mia_auc``
   (:func:`sksynth.metrics.membership_inference_auc`, 0.5 = no leak), and the
   ratio of LipschitzVAE's TSTR AUC to DP-SGD's at the same epsilon (the
   reference, measured in the same run; target >= 1);
2. epsilon and TSTR AUC against the number of epochs: LipschitzVAE at a fixed
   encoder noise, DP-SGD at a fixed noise multiplier;
3. digits (sklearn's 8x8 handwritten digits, the MNIST stand-in; 1,297
   training and 500 test images, pixel range [0, 16] and the ten classes
   declared): TSTR accuracy of a logistic regression, and a grid of
   class-conditional samples per method (``--out``/digits_samples.png);
4. the empirical audit (:func:`sksynth.privacy.audit`, distance attack,
   replace-one neighbours) of both DP methods at every epsilon, on a small
   Adult subset plus a *canary* (every numeric column at its declared upper
   bound, every category its rarest) as the target, replaced by a typical
   row in the neighbouring data set: Clopper-Pearson 95% lower bound on
   epsilon against the claim. Controls: LipschitzVAE with almost no encoder
   noise, a non-private TabularVAE trained long enough to remember rows, and
   a release that copies its training rows (the largest bound the audit can
   show with this many trials);
5. missing rates of DPSGDVAE at its default ``max_grad_norm=1`` on the
   tests' table (``tests/_missing_data.py``: 2,000 rows, 10% / 33% / 5%
   missing): training, released noisy and sampled (20,000 rows) rate per
   column, seeds 0-2, target epsilon 1 and 10, RDP accountant; written to
   ``--results``/privacy_missing_rates.csv (run the same file from an export
   of an older commit for its "before"; ``--missing-per-layer`` repeats it
   with Opacus's per-layer clipping, the alternative that was tried);
6. the white-box audit (``attack="likelihood_ratio"``: ``score_samples`` of
   the canary minus that of its replacement) on a smaller Adult subset:
   DPSGDVAE (its model is post-processing of DP weights, so the claim covers
   this attack), LipschitzVAE (``score_samples`` reads the trained weights,
   the ``assumed`` step: the audit measures that assumption), the weak-noise
   LipschitzVAE, and ``LipschitzVAE(weights="dp-sgd")`` (its claim covers the
   weights, so it must withstand this attack); written to
   ``--results``/privacy_audit_whitebox.csv;
7. every epsilon covering everything that leaves the fit, at epsilon 1 and
   10, seeds 0 and 1, on 3,000 Adult rows (5,000 test rows, 20 epochs):
   ``LipschitzVAE(weights="dp-sgd")`` with the posterior and with the prior
   release, DPSGDVAE, MST (``benchmarks/_mst.py``, this project's compact
   MST, on the discretisation described above; smartnoise-synth's MST too
   where it imports), and, for reference, LipschitzVAE with the assumed
   weights (``weights_covered`` False); TSTR ROC-AUC, quality and MIA AUC;
   written to ``--results``/privacy_dp_weights.csv;
8. TSTR ROC-AUC and quality against ``lipschitz`` (0.1 to 1e4) at epsilon 1
   for both ``weights`` modes, with the measured Lipschitz constant
   (``lipschitz_``): where the bound binds; written to
   ``--results``/privacy_lipschitz_sweep.csv.

Figures go to ``--out`` (default ``bench_privacy_output``): the digit grids
and ``epochs.png`` (epsilon and TSTR AUC against epochs for both methods).
Run ``python benchmarks/bench_privacy.py`` (about an hour on 2 cores, 25 minutes of it
the audit) or
``--quick`` (about 5 minutes). Threads are limited to ``--threads``.
"""

import argparse
import math
import os
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

#: Public ranges of Adult's numeric columns (UCI documentation; capital gain is top-coded).
ADULT_BOUNDS = {"age": (17, 90), "fnlwgt": (0, 1.5e6), "education_num": (1, 16),
                "capital_gain": (0, 1e5), "capital_loss": (0, 5000),
                "hours_per_week": (1, 99)}


def adult_domain(X, y):
    """Declared bounds and categories (the bundled dtypes' category lists)."""
    categories = {c: list(X[c].cat.categories) for c in X.columns
                  if isinstance(X[c].dtype, pd.CategoricalDtype)}
    categories["__target__"] = list(y.cat.categories)
    return ADULT_BOUNDS, categories


def load(n_train, n_test, seed=0):
    from sksynth.datasets import load_adult

    data = load_adult()
    X, y = data.data, data.target
    order = np.random.RandomState(seed).permutation(len(X))
    train, test = order[:n_train], order[n_train:n_train + n_test]
    return split_rows(X, y, train), split_rows(X, y, test), adult_domain(X, y)


def split_rows(X, y, idx):
    return X.iloc[idx].reset_index(drop=True), y.iloc[idx].reset_index(drop=True)


def tstr_auc(X_syn, y_syn, X_test, y_test):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    positive = y_test.cat.categories[-1]
    y_syn = pd.Series(np.asarray(y_syn)).astype(str)
    if y_syn.nunique() < 2:
        return 0.5
    clf = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0)
    clf.fit(X_syn, y_syn)
    column = list(clf.classes_).index(positive) if positive in clf.classes_ else None
    if column is None:
        return 0.5
    return float(roc_auc_score(y_test == positive, clf.predict_proba(X_test)[:, column]))


def smartnoise_available():
    try:
        from snsynth import Synthesizer  # noqa: F401
    except Exception as exc:  # ImportError, or a broken install of its many dependencies
        return f"{type(exc).__name__}: {exc}"
    return None


class SmartnoiseReference:
    """smartnoise-synth's MST or AIM on the table discretised over the declared domain.

    Integer columns with at most ``bins`` values in their declared range
    keep one code per value; other numeric columns become ``bins``
    equal-width bins over their declared ranges (public), mapped back to
    values drawn uniformly within the bin (integers rounded); categorical
    columns and the label use their declared categories. Only the
    synthesizer's own measurements touch the data, so ``epsilon_`` is the
    budget given to it.
    """

    def __init__(self, name, epsilon, bounds, categories, bins=20, random_state=0):
        self.name, self.epsilon_, self.bins = name, epsilon, bins
        self.bounds, self.categories, self.random_state = bounds, categories, random_state

    def fit(self, X, y):
        self.columns_, self.dtypes_ = list(X.columns), X.dtypes
        self.exact_ = {c for c in self.bounds if c in X.columns
                       and np.issubdtype(X[c].dtype, np.integer)
                       and self.bounds[c][1] - self.bounds[c][0] < self.bins}
        codes = {}
        for c in X.columns:
            low, high = self.bounds.get(c, (0, 0))
            if c in self.exact_:
                codes[c] = np.clip(X[c].to_numpy() - low, 0, high - low)
            elif c in self.bounds:
                edges = np.linspace(low, high, self.bins + 1)
                codes[c] = np.clip(np.searchsorted(edges, X[c].to_numpy(float), "right") - 1,
                                   0, self.bins - 1)
            else:
                codes[c] = pd.Categorical(X[c], categories=self.categories[c]).codes
        codes["__target__"] = pd.Categorical(y, categories=self.categories["__target__"]).codes
        frame = pd.DataFrame(codes).astype(int)
        self.delta_ = 1.0 / len(frame)
        self._synth = self._fit_synthesizer(frame, X)
        return self

    def _fit_synthesizer(self, frame, X):
        from snsynth import Synthesizer

        synth = Synthesizer.create(self.name, epsilon=self.epsilon_, delta=self.delta_,
                                   verbose=False)
        synth.fit(frame, categorical_columns=list(frame.columns), preprocessor_eps=0.0)
        return synth

    def domain_sizes(self, X):
        """Number of codes of each discretised column (public: the declared domain)."""
        sizes = []
        for c in X.columns:
            low, high = self.bounds.get(c, (0, 0))
            sizes.append(int(high - low + 1) if c in self.exact_ else
                         self.bins if c in self.bounds else len(self.categories[c]))
        return sizes + [len(self.categories["__target__"])]

    def sample(self, n_samples, random_state=None):
        rng = np.random.RandomState(random_state)
        codes = self._synth.sample(n_samples)
        out = {}
        for c in self.columns_:
            if c in self.exact_:
                out[c] = (self.bounds[c][0] + codes[c].to_numpy()).astype(self.dtypes_[c])
            elif c in self.bounds:
                low, high = self.bounds[c]
                width = (high - low) / self.bins
                values = low + (codes[c].to_numpy(float) + rng.uniform(size=n_samples)) * width
                if np.issubdtype(self.dtypes_[c], np.integer):
                    values = np.rint(values)
                out[c] = values.astype(self.dtypes_[c])
            else:
                out[c] = pd.Categorical.from_codes(codes[c].to_numpy(int), self.categories[c])
        labels = self.categories["__target__"]
        y = pd.Categorical.from_codes(codes["__target__"].to_numpy(int), labels)
        return pd.DataFrame(out)[self.columns_], pd.Series(y)


class OwnMST(SmartnoiseReference):
    """``benchmarks/_mst.py`` (this project's compact MST) on the same discretisation."""

    def __init__(self, epsilon, bounds, categories, bins=20, random_state=0):
        super().__init__("mst (own)", epsilon, bounds, categories, bins, random_state)

    def _fit_synthesizer(self, frame, X):
        from _mst import MST

        # every categorical feature may be missing (a public choice; the label never is): a
        # missing category (code -1) gets a code of its own, one past the declared list
        sizes = self.domain_sizes(X)
        self._missing_code = {c: sizes[k] for k, c in enumerate(frame.columns)
                              if c not in self.bounds and c != "__target__"}
        frame = frame.copy()
        for c, code in self._missing_code.items():
            frame.loc[frame[c] < 0, c] = code
        sizes = [s + int(c in self._missing_code) for c, s in zip(frame.columns, sizes)]
        return MST(self.epsilon_, self.delta_, random_state=self.random_state).fit(frame, sizes)

    def sample(self, n_samples, random_state=None):
        synth = self._synth

        class _Back:  # codes back to -1 (missing) for the shared decoding
            @staticmethod
            def sample(n):
                codes = synth.sample(n)
                for c, code in self._missing_code.items():
                    codes.loc[codes[c] == code, c] = -1
                return codes

        self._synth = _Back()
        try:
            return super().sample(n_samples, random_state)
        finally:
            self._synth = synth


def make(method, eps, domain, epochs, seed, **extra):
    from sksynth.generators import DPSGDVAE, LipschitzVAE

    bounds, categories = domain
    common = dict(bounds=bounds, categories=categories, epochs=epochs, random_state=seed)
    if method == "LipschitzVAE":
        # the decoder bound times the code spread limits the output scores' range; 10 leaves
        # room for sharp categories (it does not enter epsilon)
        return LipschitzVAE(target_epsilon=eps, **{"lipschitz": 10.0, "batch_size": 64,
                                                    **common, **extra})
    if method == "DPSGDVAE":
        return DPSGDVAE(target_epsilon=eps, **common, **extra)
    if method in ("MST", "AIM"):
        return SmartnoiseReference(method.lower(), eps, bounds, categories, random_state=seed)
    if method == "MST (own)":
        return OwnMST(eps, bounds, categories, random_state=seed)
    if method == "LipschitzVAE dp-sgd":  # default batch 256, as DPSGDVAE's
        return LipschitzVAE(target_epsilon=eps, weights="dp-sgd", **{"lipschitz": 10.0,
                                                                     **common, **extra})
    if method == "TabularVAE":  # non-private ceiling at its default schedule (epochs="auto")
        from sksynth.generators import TabularVAE

        return TabularVAE(random_state=seed)
    raise ValueError(method)


def private_methods(args, dataset="adult"):
    # AIM's rounds grow with the number of column pairs: hours on digits' 65 columns
    return ["LipschitzVAE", "DPSGDVAE",
            *(m for m in args.smartnoise if dataset == "adult" or m != "AIM")]


def fidelity(X, y, X_syn, y_syn):
    """quality_score of the table with its label (1 = marginals and pairs reproduced)."""
    from sksynth.metrics import quality_score

    real = X.assign(__label__=np.asarray(y).astype(str))
    synthetic = X_syn.reset_index(drop=True).assign(__label__=np.asarray(y_syn).astype(str))
    return float(quality_score(real, synthetic))


def fit_and_sample(model, X, y):
    start = time.perf_counter()
    model.fit(X, y)
    fit_s = time.perf_counter() - start
    X_syn, y_syn = model.sample(len(X), random_state=1)
    return X_syn, y_syn, fit_s, getattr(model, "epsilon_", math.inf)


def table_utility(args, train, test, domain):
    from sksynth.metrics import membership_inference_auc

    (X, y), (X_test, y_test) = train, test
    rows = [dict(method="real data (TRTR)", epsilon=math.inf, fit_s=0.0,
                 tstr_auc=tstr_auc(X, y, X_test, y_test), quality=1.0,
                 mia_auc=membership_inference_auc(X, X, X_test, max_samples=2000))]
    settings = [("TabularVAE", None)] + [(method, eps) for eps in args.epsilons
                                         for method in private_methods(args)]
    for method, eps in settings:
        X_syn, y_syn, fit_s, epsilon = fit_and_sample(make(method, eps, domain, args.epochs, 0),
                                                      X, y)
        rows.append(dict(method=method, epsilon=epsilon, fit_s=fit_s,
                         tstr_auc=tstr_auc(X_syn, y_syn, X_test, y_test),
                         quality=fidelity(X, y, X_syn, y_syn),
                         mia_auc=membership_inference_auc(X, X_syn, X_test, max_samples=2000)))
        print(f"  adult {method} eps={eps}: {rows[-1]['tstr_auc']:.3f} ({fit_s:.0f} s)",
              flush=True)
    frame = pd.DataFrame(rows)
    lip = frame[frame.method == "LipschitzVAE"].tstr_auc.to_numpy()
    dp = frame[frame.method == "DPSGDVAE"].tstr_auc.to_numpy()
    ratio = pd.DataFrame({"target_epsilon": args.epsilons, "tstr_auc LipschitzVAE": lip,
                          "tstr_auc DPSGDVAE": dp, "ratio (target >= 1)": lip / dp})
    return frame, ratio


def load_digits_split(n_test=500, seed=0):
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = pd.DataFrame(digits.data.astype(np.int64), columns=[f"px{j}" for j in range(64)])
    y = pd.Series(digits.target)
    order = np.random.RandomState(seed).permutation(len(X))
    test, train = order[:n_test], order[n_test:]
    domain = ({c: (0, 16) for c in X.columns}, {"__target__": list(range(10))})
    return split_rows(X, y, train), split_rows(X, y, test), domain


def tstr_accuracy(X_syn, y_syn, X_test, y_test):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    y_syn = np.asarray(y_syn).astype(int)
    if len(np.unique(y_syn)) < 2:
        return float(np.mean(y_test == y_syn[0]))
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    clf.fit(np.asarray(X_syn, dtype=float), y_syn)
    return float(clf.score(np.asarray(X_test, dtype=float), np.asarray(y_test)))


def table_digits(args):
    """TSTR accuracy on digits, and class-conditional sample grids (saved to --out)."""
    from sksynth.metrics import membership_inference_auc

    (X, y), (X_test, y_test), domain = load_digits_split()
    rows = [dict(method="real data (TRTR)", epsilon=math.inf, fit_s=0.0,
                 tstr_accuracy=tstr_accuracy(X, y, X_test, y_test), quality=1.0,
                 mia_auc=membership_inference_auc(X, X, X_test))]
    grids = {"real data": [X[y == k].to_numpy()[:8] for k in range(10)]}
    settings = [("TabularVAE", None)] + [(method, eps) for eps in args.epsilons
                                         for method in private_methods(args, "digits")]
    for method, eps in settings:
        model = make(method, eps, domain, args.digits_epochs, 0)
        X_syn, y_syn, fit_s, epsilon = fit_and_sample(model, X, y)
        rows.append(dict(method=method, epsilon=epsilon, fit_s=fit_s,
                         tstr_accuracy=tstr_accuracy(X_syn, y_syn, X_test, y_test),
                         quality=fidelity(X, y, X_syn, y_syn),
                         mia_auc=membership_inference_auc(X, X_syn, X_test)))
        print(f"  digits {method} eps={eps}: {rows[-1]['tstr_accuracy']:.3f} ({fit_s:.0f} s)",
              flush=True)
        if eps in (None, args.grid_epsilon):
            label = method if eps is None else f"{method}, epsilon={eps:g}"
            grids[label] = [class_draws(model, k, 8) for k in range(10)]
    save_digit_grids(grids, os.path.join(args.out, "digits_samples.png"))
    return pd.DataFrame(rows)


def class_draws(model, k, n):
    """``n`` rows of class ``k``: conditional sampling, or rejection for models without it."""
    if not isinstance(model, SmartnoiseReference):
        return np.asarray(model.sample(y=np.full(n, k), random_state=k)[0], dtype=float)
    X_syn, y_syn = model.sample(5000, random_state=k)
    rows = np.asarray(X_syn, dtype=float)[np.asarray(y_syn) == k][:n]
    return np.vstack([rows, np.full((n - len(rows), X_syn.shape[1]), np.nan)])  # NaN: blank


def save_digit_grids(grids, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(grids), figsize=(3.2 * len(grids), 4.2))
    for ax, (label, per_class) in zip(np.atleast_1d(axes), grids.items()):
        # rows: classes 0-9; columns: 8 draws of that class
        image = np.vstack([np.hstack([img.reshape(8, 8) for img in images])
                           for images in per_class])
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=16)
        ax.set_title(label, fontsize=9)
        ax.set_yticks(np.arange(10) * 8 + 3.5, labels=range(10))
        ax.set_xticks([])
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"  saved {path}")


def table_epochs(args, train, test, domain):
    (X, y), (X_test, y_test) = train, test
    rows = []
    for epochs in args.epoch_grid:
        lip = make("LipschitzVAE", None, domain, epochs, 0, encoder_std=args.encoder_std)
        lip.fit(X, y)
        dp = make("DPSGDVAE", 1.0, domain, epochs, 0, noise_multiplier=args.noise_multiplier)
        dp.fit(X, y)
        rows.append(dict(
            epochs=epochs, eps_LipschitzVAE=lip.epsilon_,
            tstr_LipschitzVAE=tstr_auc(*lip.sample(len(X), random_state=1), X_test, y_test),
            eps_DPSGDVAE=dp.epsilon_,
            tstr_DPSGDVAE=tstr_auc(*dp.sample(len(X), random_state=1), X_test, y_test)))
    frame = pd.DataFrame(rows)
    save_epochs_plot(frame, args, os.path.join(args.out, "epochs.png"))
    return frame


def save_epochs_plot(frame, args, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for method, label in (("LipschitzVAE", f"LipschitzVAE (encoder_std {args.encoder_std})"),
                          ("DPSGDVAE", f"DPSGDVAE (noise multiplier {args.noise_multiplier})")):
        left.plot(frame.epochs, frame[f"eps_{method}"], "o-", label=label)
        right.plot(frame.epochs, frame[f"tstr_{method}"], "o-", label=label)
    left.set(xlabel="epochs", ylabel="epsilon (delta = 1/n)", title="Privacy cost")
    right.set(xlabel="epochs", ylabel="TSTR ROC-AUC (Adult)", title="Utility")
    left.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"  saved {path}")


class CopyRelease:
    """Positive control for the audit: 'synthetic' rows are the training rows."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def get_params(self, deep=True):
        return {"random_state": self.random_state}

    def set_params(self, **params):
        self.random_state = params.get("random_state", self.random_state)
        return self

    def fit(self, X, y=None):
        self.X_, self.y_, self.epsilon_ = X, y, math.inf
        return self

    def sample(self, n_samples):
        pick = np.random.RandomState(self.random_state).permutation(len(self.X_))[:n_samples]
        return self.X_.iloc[pick], self.y_[pick]


def canary_row(X, domain):
    """An artificial record at the corner of the declared domain: every numeric column at
    its upper bound, every categorical column at its rarest category in ``X`` -- the
    kind of record a generator can only reproduce by remembering it (Nasr et al., 2021)."""
    bounds, _ = domain
    row = X.iloc[[0]].copy()
    for column in X.columns:
        if column in bounds:
            row[column] = np.asarray([bounds[column][1]]).astype(X[column].dtype)
        else:
            rarest = X[column].value_counts().index[-1]
            row[column] = pd.Categorical([rarest], categories=X[column].cat.categories)
    return row


def audit_releases(args, domain):
    """(label, generator) pairs of table 4: both DP methods at every epsilon, then controls."""
    from sksynth.generators import LipschitzVAE, TabularVAE

    bounds, categories = domain
    small = dict(bounds=bounds, categories=categories, epochs=args.audit_epochs)
    releases = [(f"{method}", make(method, eps, domain, args.audit_epochs, 0))
                for method in ("LipschitzVAE", "DPSGDVAE") for eps in args.audit_epsilons]
    releases += [
        ("LipschitzVAE, encoder_std=0.05 (weak noise)",
         LipschitzVAE(encoder_std=0.05, release="posterior", lipschitz=10.0, batch_size=64,
                      **small)),
        (f"TabularVAE (not private, {args.audit_tvae_epochs} epochs)",
         TabularVAE(epochs=args.audit_tvae_epochs, batch_size=50)),
        ("copy of the training rows (no privacy)", CopyRelease()),
    ]
    return releases


def table_audit(args, domain):
    from joblib import parallel_config

    from sksynth.privacy import audit

    (X, y), _, _ = load(args.audit_n, 10, seed=1)
    # the target: a canary appended to the data, replaced by a typical row in D_out
    X = pd.concat([X, canary_row(X, domain)], ignore_index=True)
    y = pd.Series(pd.Categorical([*y, y.iloc[0]], categories=y.cat.categories))
    rows = []
    for label, factory in audit_releases(args, domain):
        start = time.perf_counter()
        # one torch thread per worker: two busy threads per core slow small steps many-fold
        with parallel_config(backend="loky", inner_max_num_threads=1):
            res = audit(factory, X, np.asarray(y), target=len(X) - 1,
                        n_trials=args.audit_trials, n_jobs=args.threads, random_state=0)
        rows.append(dict(method=label, epsilon_claimed=res.epsilon_claimed,
                         epsilon_lower_95=res.epsilon_lower, attack_auc=res.auc,
                         tpr=res.tpr, fpr=res.fpr, consistent=res.consistent,
                         seconds=time.perf_counter() - start))
    return pd.DataFrame(rows)


def _per_layer_clipping():
    """Make Opacus clip per parameter tensor, each getting max_grad_norm / sqrt(#tensors)
    (the same total norm bound), for ``--missing-per-layer``."""
    import opacus

    make_private = opacus.PrivacyEngine.make_private

    def patched(self, *, module, max_grad_norm, **kwargs):
        n = sum(1 for p in module.parameters() if p.requires_grad)
        kwargs.pop("clipping", None)
        return make_private(self, module=module, max_grad_norm=[max_grad_norm / n ** 0.5] * n,
                            clipping="per_layer", **kwargs)

    opacus.PrivacyEngine.make_private = patched


def table_missing(args):
    """Section 5: DPSGDVAE's sampled missing rates at the default clip (see the docstring)."""
    from sksynth.generators import DPSGDVAE

    if args.missing_per_layer:
        _per_layer_clipping()

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
    from _missing_data import missing_table

    frame = missing_table()
    rows = []
    for eps in args.missing_epsilons:
        for seed in args.missing_seeds:
            start = time.perf_counter()
            vae = DPSGDVAE(latent_dim=3, encoder_dims=(32, 32), decoder_dims=(32, 32),
                           target_epsilon=eps, accountant="rdp",
                           bounds={"a": (-4, 4), "b": (-4, 4)},
                           categories={"c": ["x", "y", "z"]}, random_state=seed).fit(frame)
            sampled = vae.sample(20_000, random_state=1)
            noisy = getattr(vae, "missing_counts_", {})
            row = dict(target_epsilon=eps, seed=seed, epsilon=vae.epsilon_,
                       max_grad_norm=vae.max_grad_norm,
                       noise_multiplier=vae.noise_multiplier_,
                       seconds=time.perf_counter() - start)
            for column in frame.columns:
                row[f"{column}_train"] = frame[column].isna().mean()
                row[f"{column}_noisy"] = noisy.get(column, np.nan) / len(frame)
                row[f"{column}_sampled"] = sampled[column].isna().mean()
            rows.append(row)
    return pd.DataFrame(rows)


def table_whitebox(args, domain):
    """Section 6: the white-box likelihood-ratio audit of both DP methods (and weak noise)."""
    from joblib import parallel_config

    from sksynth.generators import DPSGDVAE, LipschitzVAE
    from sksynth.privacy import audit

    (X, y), _, _ = load(args.whitebox_n, 10, seed=1)
    X = pd.concat([X, canary_row(X, domain)], ignore_index=True)
    y = pd.Series(pd.Categorical([*y, y.iloc[0]], categories=y.cat.categories))
    bounds, categories = domain
    small = dict(bounds=bounds, categories=categories, epochs=args.audit_epochs)
    releases = [
        ("DPSGDVAE", DPSGDVAE(target_epsilon=1.0, accountant="rdp", **small)),
        ("LipschitzVAE", LipschitzVAE(target_epsilon=1.0, lipschitz=10.0, batch_size=64,
                                      **small)),
        ("LipschitzVAE, weights='dp-sgd'",
         LipschitzVAE(target_epsilon=1.0, weights="dp-sgd", accountant="rdp", lipschitz=10.0,
                      **small)),
        ("LipschitzVAE, encoder_std=0.05 (weak noise)",
         LipschitzVAE(encoder_std=0.05, lipschitz=10.0, batch_size=64, **small)),
    ]
    rows = []
    for label, factory in releases:
        start = time.perf_counter()
        with parallel_config(backend="loky", inner_max_num_threads=1):
            res = audit(factory, X, np.asarray(y), target=len(X) - 1,
                        attack="likelihood_ratio", n_trials=args.whitebox_trials,
                        n_jobs=args.threads, random_state=0)
        rows.append(dict(method=label, epsilon_claimed=res.epsilon_claimed,
                         epsilon_lower_95=res.epsilon_lower, attack_auc=res.auc,
                         tpr=res.tpr, fpr=res.fpr, consistent=res.consistent,
                         seconds=time.perf_counter() - start))
    return pd.DataFrame(rows)


def table_dp_weights(args):
    """Section 7: every method's epsilon covering everything it releases, on Adult."""
    from sksynth.metrics import membership_inference_auc

    (X, y), (X_test, y_test), domain = load(args.dpw_n, 5000)
    # lipschitz=1: the best value of section 8's sweep at epsilon 1 (measured on the same
    # test rows, so that row is optimistic); 10 is the benchmarks' configuration
    methods = [("LipschitzVAE dp-sgd", {}),
               ("LipschitzVAE dp-sgd", {"lipschitz": 1.0}),
               ("LipschitzVAE dp-sgd", {"release": "prior"}),
               ("DPSGDVAE", {}), ("MST (own)", {}),
               *((m, {}) for m in args.smartnoise if m == "MST"),
               ("LipschitzVAE", {})]  # weights assumed: its epsilon covers the codes only
    rows = []
    for eps in args.dpw_epsilons:
        for seed in args.dpw_seeds:
            for method, extra in methods:
                model = make(method, eps, domain, args.dpw_epochs, seed, **extra)
                X_syn, y_syn, fit_s, epsilon = fit_and_sample(model, X, y)
                ledger = getattr(model, "privacy_report_", None)
                assumed = (ledger is not None
                           and "assumed" in set(ledger.to_frame().status))
                rows.append(dict(
                    method=method + "".join(
                        f" ({v} release)" if k == "release" else f" ({k}={v:g})"
                        for k, v in extra.items()),
                    target_epsilon=eps, seed=seed, epsilon=epsilon,
                    weights_covered=not assumed, fit_s=fit_s,
                    noise_multiplier=getattr(model, "noise_multiplier_", np.nan),
                    encoder_std=getattr(model, "encoder_std_", np.nan),
                    lipschitz_measured=getattr(model, "lipschitz_", np.nan),
                    tstr_auc=tstr_auc(X_syn, y_syn, X_test, y_test),
                    quality=fidelity(X, y, X_syn, y_syn),
                    mia_auc=membership_inference_auc(X, X_syn, X_test, max_samples=2000)))
                print(f"  {rows[-1]['method']} eps={eps} seed={seed}: tstr "
                      f"{rows[-1]['tstr_auc']:.3f} quality {rows[-1]['quality']:.3f} "
                      f"({fit_s:.0f} s)", flush=True)
    return pd.DataFrame(rows)


def table_lipschitz(args):
    """Section 8: utility against the decoder bound ``lipschitz`` at a fixed epsilon."""
    (X, y), (X_test, y_test), domain = load(args.dpw_n, 5000)
    rows = []
    for weights in args.sweep_weights:
        for lip in args.lipschitz_grid:
            method = "LipschitzVAE dp-sgd" if weights == "dp-sgd" else "LipschitzVAE"
            model = make(method, args.sweep_epsilon, domain, args.dpw_epochs, 0, lipschitz=lip)
            X_syn, y_syn, fit_s, epsilon = fit_and_sample(model, X, y)
            rows.append(dict(weights=weights, lipschitz=lip, epsilon=epsilon,
                             lipschitz_measured=model.lipschitz_,
                             lipschitz_bound=model.lipschitz_bound_,
                             encoder_std=model.encoder_std_, fit_s=fit_s,
                             tstr_auc=tstr_auc(X_syn, y_syn, X_test, y_test),
                             quality=fidelity(X, y, X_syn, y_syn)))
            print(f"  weights={weights} lipschitz={lip:g}: tstr {rows[-1]['tstr_auc']:.3f} "
                  f"quality {rows[-1]['quality']:.3f} measured {model.lipschitz_:.3g} "
                  f"({fit_s:.0f} s)", flush=True)
    return pd.DataFrame(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default="bench_privacy_output", help="folder for figures")
    parser.add_argument("--skip", nargs="*", default=[], choices=["adult", "epochs", "digits",
                                                                  "audit", "missing",
                                                                  "whitebox", "dp-weights",
                                                                  "lipschitz"])
    parser.add_argument("--results", default=os.path.join(os.path.dirname(__file__),
                                                          "results"),
                        help="folder for the result CSVs (privacy_adult.csv, "
                             "privacy_epochs.csv, privacy_digits.csv, sections 5-8)")
    parser.add_argument("--missing-per-layer", action="store_true",
                        help="section 5 with Opacus per-layer clipping (an alternative tried)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import torch

    torch.set_num_threads(args.threads)
    if args.quick:
        args.n_train, args.epochs, args.epsilons = 2000, 15, [1.0, 4.0]
        args.epoch_grid, args.audit_n, args.audit_trials = [2, 8, 16], 150, 20
        args.audit_epsilons, args.audit_epochs, args.audit_tvae_epochs = [1.0], 5, 20
    else:
        args.n_train, args.epochs, args.epsilons = 5000, 30, [0.5, 1.0, 2.0, 4.0, 8.0]
        args.epoch_grid, args.audit_n, args.audit_trials = [2, 5, 10, 20, 40], 200, 200
        args.audit_epsilons, args.audit_epochs, args.audit_tvae_epochs = args.epsilons, 10, 100
    args.encoder_std, args.noise_multiplier = 0.8, 1.0
    args.missing_epsilons, args.missing_seeds = [1.0, 10.0], [0, 1, 2]
    args.whitebox_n, args.whitebox_trials = (100, 10) if args.quick else (100, 50)
    # sections 7-8: a 3,000-row subsample and 20 epochs (CPU), seeds fixed
    args.dpw_n, args.dpw_epochs = (1000, 5) if args.quick else (3000, 20)
    args.dpw_epsilons, args.dpw_seeds = [1.0, 10.0], ([0] if args.quick else [0, 1])
    args.sweep_epsilon, args.sweep_weights = 1.0, ["assumed", "dp-sgd"]
    args.lipschitz_grid = [0.1, 1.0, 1e4] if args.quick else [0.1, 0.3, 1.0, 3.0, 10.0,
                                                                 100.0, 1e4]
    args.digits_epochs = 2 * args.epochs
    args.grid_epsilon = args.epsilons[-1]
    missing = smartnoise_available()
    args.smartnoise = [] if missing else ["MST", "AIM"]
    train, test, domain = load(args.n_train, 5000)
    pd.set_option("display.width", 160)
    pd.set_option("display.precision", 3)
    print(f"Adult: {args.n_train} training rows, 5000 test rows, delta = 1/n, "
          f"{args.epochs} epochs, threads={args.threads}")
    print("smartnoise-synth MST/AIM: " + ("included" if args.smartnoise else
                                          f"not available ({missing})") + "\n")
    os.makedirs(args.results, exist_ok=True)
    if "adult" not in args.skip:
        utility, ratio = table_utility(args, train, test, domain)
        utility.to_csv(os.path.join(args.results, "privacy_adult.csv"), index=False)
        print("1. Utility and membership inference at each target epsilon (Adult)")
        print(utility.to_string(index=False))
        print()
        print(ratio.to_string(index=False))
        print()
    if "epochs" not in args.skip:
        print(f"2. Epsilon against epochs (LipschitzVAE encoder_std={args.encoder_std}, "
              f"clip=1; DP-SGD noise multiplier {args.noise_multiplier})")
        epochs_table = table_epochs(args, train, test, domain)
        epochs_table.to_csv(os.path.join(args.results, "privacy_epochs.csv"), index=False)
        print(epochs_table.to_string(index=False))
        print()
    if "digits" not in args.skip:
        print(f"3. Digits: TSTR accuracy (logistic regression), {args.digits_epochs} epochs")
        digits = table_digits(args)
        digits.to_csv(os.path.join(args.results, "privacy_digits.csv"), index=False)
        print(digits.to_string(index=False))
        lip = digits[digits.method == "LipschitzVAE"].tstr_accuracy.to_numpy()
        dp = digits[digits.method == "DPSGDVAE"].tstr_accuracy.to_numpy()
        print(pd.DataFrame({"target_epsilon": args.epsilons, "LipschitzVAE": lip,
                            "DPSGDVAE": dp, "ratio (target >= 1)": lip / dp})
              .to_string(index=False))
        print()
    if "audit" not in args.skip:
        print(f"4. Audit: {args.audit_n} Adult rows + a canary, {args.audit_trials} trials per "
              f"world, {args.audit_epochs} epochs")
        print(table_audit(args, domain).to_string(index=False))
        print()
    if "missing" not in args.skip:
        print("5. DPSGDVAE missing rates at max_grad_norm=1 (tests/_missing_data.py table)")
        missing_rates = table_missing(args)
        name = "privacy_missing_rates" + ("_per_layer" if args.missing_per_layer else "")
        missing_rates.to_csv(os.path.join(args.results, name + ".csv"), index=False)
        print(missing_rates.to_string(index=False))
        print()
    if "whitebox" not in args.skip:
        print(f"6. White-box audit (likelihood ratio on score_samples): {args.whitebox_n} Adult "
              f"rows + a canary, {args.whitebox_trials} trials per world")
        whitebox = table_whitebox(args, domain)
        whitebox.to_csv(os.path.join(args.results, "privacy_audit_whitebox.csv"), index=False)
        print(whitebox.to_string(index=False))
        print()
    if "dp-weights" not in args.skip:
        print(f"7. Epsilon covering the weights too: {args.dpw_n} Adult rows, 5000 test rows, "
              f"{args.dpw_epochs} epochs, seeds {args.dpw_seeds}")
        dpw = table_dp_weights(args)
        dpw.to_csv(os.path.join(args.results, "privacy_dp_weights.csv"), index=False)
        print(dpw.to_string(index=False))
        print()
    if "lipschitz" not in args.skip:
        print(f"8. Utility against lipschitz at epsilon {args.sweep_epsilon:g} "
              f"({args.dpw_n} Adult rows, {args.dpw_epochs} epochs, seed 0)")
        sweep = table_lipschitz(args)
        sweep.to_csv(os.path.join(args.results, "privacy_lipschitz_sweep.csv"), index=False)
        print(sweep.to_string(index=False))


if __name__ == "__main__":
    main()
