"""Benchmark differentially private VAEs on Adult: utility, attacks, audits, epochs.

Methods: :class:`sksynth.generators.LipschitzVAE` (privacy from the encoder
noise, posterior release) and :class:`sksynth.privacy.DPSGDVAE` (the same
architecture trained with DP-SGD, Opacus), at the same target epsilon, with
``delta = 1/n``; the real training data (TRTR) is the ceiling.

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
3. the empirical audit (:func:`sksynth.privacy.audit`, distance attack,
   replace-one neighbours, most outlying row as the target): Clopper-Pearson
   95% lower bound on epsilon against the claim, on a small Adult subset;
   a release that copies its training rows is the positive control (the
   largest bound the audit can show with this many trials).

Run ``python benchmarks/bench_privacy.py`` (about 15 minutes on 2 cores) or
``--quick`` (about 3 minutes). Threads are limited to ``--threads``.
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
    pick = (lambda idx: (X.iloc[idx].reset_index(drop=True), y.iloc[idx].reset_index(drop=True)))
    return pick(train), pick(test), adult_domain(X, y)


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


def make(method, eps, domain, epochs, seed, **extra):
    from sksynth.generators import LipschitzVAE
    from sksynth.privacy import DPSGDVAE

    bounds, categories = domain
    common = dict(bounds=bounds, categories=categories, epochs=epochs, random_state=seed)
    if method == "LipschitzVAE":
        # the decoder bound times the code spread limits the output scores' range; 10 leaves
        # room for sharp categories (it does not enter epsilon)
        return LipschitzVAE(target_epsilon=eps, lipschitz=10.0, batch_size=64, **common,
                            **extra)
    return DPSGDVAE(target_epsilon=eps, **common, **extra)


def table_utility(args, train, test, domain):
    from sksynth.metrics import membership_inference_auc

    (X, y), (X_test, y_test) = train, test
    rows = [dict(method="real data (TRTR)", epsilon=math.inf, fit_s=0.0,
                 tstr_auc=tstr_auc(X, y, X_test, y_test),
                 mia_auc=membership_inference_auc(X, X, X_test, max_samples=2000))]
    for eps in args.epsilons:
        for method in ("LipschitzVAE", "DPSGDVAE"):
            model = make(method, eps, domain, args.epochs, 0)
            start = time.perf_counter()
            model.fit(X, y)
            fit_s = time.perf_counter() - start
            X_syn, y_syn = model.sample(len(X), random_state=1)
            rows.append(dict(method=method, epsilon=model.epsilon_, fit_s=fit_s,
                             tstr_auc=tstr_auc(X_syn, y_syn, X_test, y_test),
                             mia_auc=membership_inference_auc(X, X_syn, X_test,
                                                              max_samples=2000)))
    frame = pd.DataFrame(rows)
    lip = frame[frame.method == "LipschitzVAE"].tstr_auc.to_numpy()
    dp = frame[frame.method == "DPSGDVAE"].tstr_auc.to_numpy()
    ratio = pd.DataFrame({"target_epsilon": args.epsilons, "tstr_auc LipschitzVAE": lip,
                          "tstr_auc DPSGDVAE": dp, "ratio (target >= 1)": lip / dp})
    return frame, ratio


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
    return pd.DataFrame(rows)


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


def table_audit(args, domain):
    from sksynth.generators import LipschitzVAE
    from sksynth.privacy import audit

    (X, y), _, _ = load(args.audit_n, 10, seed=1)
    bounds, categories = domain
    rows = []
    claims = [*args.audit_epsilons, None, "copy"]
    for eps in claims:
        if eps == "copy":  # the attack's power on a release that leaks everything
            factory, label = CopyRelease(), "copy of the training rows (no privacy)"
        elif eps is None:  # a release of the same model with almost no noise
            factory = LipschitzVAE(latent_dim=8, hidden=(64, 64), epochs=args.audit_epochs,
                                   encoder_std=0.05, release="posterior", bounds=bounds,
                                   categories=categories)
            label = "LipschitzVAE, encoder_std=0.05 (weak noise)"
        else:
            factory = LipschitzVAE(latent_dim=8, hidden=(64, 64), epochs=args.audit_epochs,
                                   target_epsilon=eps, bounds=bounds, categories=categories)
            label = "LipschitzVAE"
        start = time.perf_counter()
        res = audit(factory, X, np.asarray(y), n_trials=args.audit_trials, random_state=0)
        rows.append(dict(method=label, epsilon_claimed=res.epsilon_claimed,
                         epsilon_lower_95=res.epsilon_lower, attack_auc=res.auc,
                         tpr=res.tpr, fpr=res.fpr, consistent=res.consistent,
                         seconds=time.perf_counter() - start))
    return pd.DataFrame(rows)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import torch

    torch.set_num_threads(args.threads)
    if args.quick:
        args.n_train, args.epochs, args.epsilons = 2000, 15, [1.0, 4.0]
        args.epoch_grid, args.audit_n, args.audit_trials = [2, 8, 16], 150, 20
        args.audit_epsilons, args.audit_epochs = [1.0], 5
    else:
        args.n_train, args.epochs, args.epsilons = 5000, 30, [0.5, 1.0, 2.0, 4.0, 8.0]
        args.epoch_grid, args.audit_n, args.audit_trials = [2, 5, 10, 20, 40], 300, 40
        args.audit_epsilons, args.audit_epochs = [1.0, 4.0], 10
    args.encoder_std, args.noise_multiplier = 0.8, 1.0
    train, test, domain = load(args.n_train, 5000)
    pd.set_option("display.width", 160)
    pd.set_option("display.precision", 3)
    print(f"Adult: {args.n_train} training rows, 5000 test rows, delta = 1/n, "
          f"{args.epochs} epochs, threads={args.threads}\n")
    utility, ratio = table_utility(args, train, test, domain)
    print("1. Utility and membership inference at each target epsilon")
    print(utility.to_string(index=False))
    print()
    print(ratio.to_string(index=False))
    print()
    print(f"2. Epsilon against epochs (LipschitzVAE encoder_std={args.encoder_std}, clip=1; "
          f"DP-SGD noise multiplier {args.noise_multiplier})")
    print(table_epochs(args, train, test, domain).to_string(index=False))
    print()
    print(f"3. Audit: {args.audit_n} Adult rows, {args.audit_trials} trials per world, "
          f"{args.audit_epochs} epochs")
    print(table_audit(args, domain).to_string(index=False))


if __name__ == "__main__":
    main()
