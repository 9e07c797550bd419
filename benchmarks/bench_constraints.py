"""Share of valid synthetic rows with and without constraints (issue 21, item 1).

Three public tables that the package or its dependencies ship, each with rules
that hold in every (cleaned) real row:

- **adult** (bundled, 5,000-row subsample): ``education`` and ``education_num``
  are one variable (``FixedCombinations``); marital status, relationship and sex
  only in combinations seen (a husband is married and male:
  ``FixedCombinations``, the 4 real rows contradicting their own columns
  dropped with ``on_violation="drop"``); ``Range("age", 17, 90)``,
  ``Range("hours_per_week", 1, 99)``.
- **stocks** (Google's daily prices 2004-2008, matplotlib's sample data):
  ``low <= open <= high`` (two chained ``Inequality``), ``low <= close``,
  ``volume >= 0`` (``Range``); the date column is modelled as a datetime. The rule
  ``close <= high`` is *not* imposed (a column rewritten by one inequality can
  bound one other; see the docs) and is reported as an unconstrained check.
- **breast_cancer** (scikit-learn): for the ten cell features, the mean over
  the cells is at most the worst value (ten ``Inequality``).

For each generator the table gives, over ``--n-sample`` rows drawn, the share of
rows satisfying *all* rules of the table (and the unconstrained extra rule),
without and with the constraints, and the largest Kolmogorov-Smirnov distance
between real and synthetic over the constrained numeric columns (do the
constraints cost fidelity?).

Run: ``OMP_NUM_THREADS=1 python benchmarks/bench_constraints.py`` (one torch
thread; about 6 minutes on one core).
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd
import torch
from _report import add_arguments, from_arguments
from scipy import stats

from sksynth.constraints import FixedCombinations, Inequality, Range
from sksynth.datasets import load_adult
from sksynth.generators import ConditionalTabularGAN, GaussianCopulaGenerator, TabularVAE

CELL_FEATURES = ["radius", "texture", "perimeter", "area", "smoothness", "compactness",
                 "concavity", "concave points", "symmetry", "fractal dimension"]


def adult(seed):
    X = load_adult().data.sample(5000, random_state=seed).reset_index(drop=True)
    pairs = {("Husband", "Female"), ("Wife", "Male")}  # a row's own columns disagree
    allowed = (X[["marital_status", "relationship", "sex"]].drop_duplicates()
               .loc[lambda t: [(r, s) not in pairs for r, s in zip(t.relationship, t.sex)]])
    constraints = [
        FixedCombinations(["education", "education_num"]),
        FixedCombinations(["marital_status", "relationship", "sex"],
                          combinations=allowed, on_violation="drop"),
        Range("age", 17, 90),
        Range("hours_per_week", 1, 99),
    ]
    seen_edu = set(zip(X.education, X.education_num))
    seen_triple = set(map(tuple, allowed.astype(object).to_numpy()))

    def rules(S):
        return {
            "education": np.array([p in seen_edu for p in zip(S.education, S.education_num)]),
            "household": np.array([t in seen_triple for t in
                                   zip(S.marital_status, S.relationship, S.sex)]),
            "age": S.age.between(17, 90).to_numpy(),
            "hours": S.hours_per_week.between(1, 99).to_numpy(),
        }
    return X, constraints, rules, {}, ["age", "hours_per_week"]


def stocks(seed):
    import matplotlib.cbook as cbook

    with cbook.get_sample_data("goog.npz") as data:
        prices = data["price_data"]
    X = pd.DataFrame({name: prices[name] for name in prices.dtype.names})
    X["date"] = pd.to_datetime(X["date"])
    X = X.drop(columns="adj_close")
    constraints = [Inequality("low", "open"), Inequality("open", "high"),
                   Inequality("low", "close"), Range("volume", low=0)]

    def rules(S):
        return {"low<=open<=high": ((S.low <= S.open) & (S.open <= S.high)).to_numpy(),
                "low<=close": (S.low <= S.close).to_numpy(),
                "volume>=0": (S.volume >= 0).to_numpy()}

    def extra(S):
        return {"close<=high (not imposed)": (S.close <= S.high).to_numpy()}
    return X, constraints, rules, extra, ["open", "high", "low", "close"]


def breast_cancer(seed):
    from sklearn.datasets import load_breast_cancer

    X = load_breast_cancer(as_frame=True).data
    constraints = [Inequality(f"mean {f}", f"worst {f}") for f in CELL_FEATURES]

    def rules(S):
        return {f: (S[f"mean {f}"] <= S[f"worst {f}"]).to_numpy() for f in CELL_FEATURES}
    return X, constraints, rules, {}, [f"worst {f}" for f in CELL_FEATURES]


TABLES = {"adult": adult, "stocks": stocks, "breast_cancer": breast_cancer}
GENERATORS = {
    "copula": lambda c, seed: GaussianCopulaGenerator(constraints=c, random_state=seed),
    "TabularVAE": lambda c, seed: TabularVAE(constraints=c, epochs=100, random_state=seed),
    "ConditionalTabularGAN": lambda c, seed: ConditionalTabularGAN(
        constraints=c, epochs=100, random_state=seed),
}


def _share(checks):
    return float(np.mean(np.all(np.column_stack(list(checks.values())), axis=1)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=list(TABLES), choices=list(TABLES))
    parser.add_argument("--generators", nargs="+", default=list(GENERATORS),
                        choices=list(GENERATORS))
    parser.add_argument("--n-sample", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    add_arguments(parser)
    args = parser.parse_args(argv)
    report = from_arguments("constraints", args)
    torch.set_num_threads(1)
    rows = []
    for table in args.tables:
        X, constraints, rules, extra, numeric = TABLES[table](args.seed)
        real_ok = _share(rules(X))
        for name in args.generators:
            for with_constraints in (False, True):
                gen = GENERATORS[name](constraints if with_constraints else None, args.seed)
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    gen.fit(X)
                fit_s = time.perf_counter() - start
                S = gen.sample(args.n_sample, random_state=args.seed)
                checks = rules(S)
                more = extra(S) if extra else {}
                ks = max(stats.ks_2samp(X[c], S[c]).statistic for c in numeric)
                rows.append([table, name, "yes" if with_constraints else "no",
                             f"{real_ok:.4f}", f"{_share(checks):.4f}",
                             " ".join(f"{k}={v.mean():.3f}" for k, v in checks.items()),
                             " ".join(f"{v.mean():.3f}" for v in more.values()) or "-",
                             f"{ks:.3f}", f"{fit_s:.1f}"])
                print(*rows[-1], flush=True)
    report.table("validity", f"Valid synthetic rows ({args.n_sample} drawn, seed {args.seed})",
                 ["table", "generator", "constraints", "real rows valid",
                  "synthetic rows valid (all rules)", "per rule", "extra rule", "max KS",
                  "fit s"], rows)


if __name__ == "__main__":
    main()
