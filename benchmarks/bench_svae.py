"""Benchmark SLDSVAE: memory and time of one training step, implicit vs unrolled.

One training step of :class:`~sksynth.generators.SLDSVAE` (mean-field inference
with exactly ``iters`` block updates, the reparameterised ELBO, backward) on
``B = 4`` toy sequences of length ``T`` from :func:`~sksynth.datasets.make_slds`,
for ``T`` in {100, 500, 2000} and ``iters`` in {10, 20, 50}, with gradients

- ``unrolled``: back-propagation through every block update (the reference),
- ``implicit``: implicit differentiation (stores the graph of one block update
  at the end point, shared with the KL and smoother moments the loss needs);
  the backward runs the capped, damped Richardson solve (up to 10 VJPs through
  that step) from the end point of the forced ``iters`` sweeps, the path that
  trains the model; the columns ``bwd`` and ``fb`` give its iterations and
  the fraction of sequences that fell back to the one-step gradient.

Memory: on CUDA, ``torch.cuda.max_memory_allocated`` over the step; on CPU, the
bytes of the distinct storages autograd saves for backward (counted with
``torch.autograd.graph.saved_tensors_hooks``; for implicit this includes the
extra one-step graph used by the Richardson solve) — the memory that grows with
the iteration count. The table gives ``ratio = unrolled / implicit``; the
target is >= 10x at the default ``inference_max_iter = 20`` (the paper reports 10-100x).

Then natural-gradient vs Adam steps for ``q(theta)``: final training and
held-out ELBO per time step and state recovery over 5 initial seeds each
(``benchmarks/results/svae_natural_vs_adam.csv``).

``--diagnose`` runs only the diagnosis of the backward solve (scale and
spectral radius of the block update's Jacobian at the solves' end points, and
which sequences the previous failure rule rejected;
``benchmarks/results/svae_diagnosis.csv``).

``--study TAG`` runs only the training study (fallback rate, forward
convergence, held-out ELBO, state recovery, time per step on the issue's toy,
the test suite's toy and the stock returns; ``benchmarks/results/
svae_study[_epochs]_TAG.csv``); ``--model-seeds S ...`` fits each case once per
``SLDSVAE(random_state=S)`` (one row per case and seed), ``--study-csv NAME``
names the output. A ``sksynth`` first on ``PYTHONPATH`` (an older checkout) is
used instead of this one's.

Run ``python benchmarks/bench_svae.py`` (CPU: long, the T = 2000 rows take many
minutes) or ``--quick`` (T in {100, 500}, iters in {10, 20}, 3 seeds).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without `pip install -e .`
    import importlib.util

    if importlib.util.find_spec("sksynth") is None:  # keep a sksynth on PYTHONPATH first
        sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from sksynth.datasets import make_slds  # noqa: E402
from sksynth.generators import SLDSVAE  # noqa: E402


class _SavedBytes:
    """Sum of distinct storages saved for backward while active."""

    def __init__(self):
        self.seen = {}

    def pack(self, t):
        try:
            s = t.untyped_storage()
            self.seen[s.data_ptr()] = max(self.seen.get(s.data_ptr(), 0), s.nbytes())
        except (RuntimeError, NotImplementedError):
            pass
        return t

    @staticmethod
    def unpack(t):
        return t

    @property
    def total(self):
        return sum(self.seen.values())


def _step(model, Y, mask, gen):
    out = model._infer(Y, mask, mode=model.gradient, generator=gen)
    elbo = model._elbo(Y, mask, out, 1, gen)
    loss = -elbo.mean() + model._globals.prior_kl(out["stats"]) / Y.shape[0]
    loss.backward()
    return out["info"]


def measure(T, iters, gradient, device, warm_up):
    X, _, _ = make_slds(4, T, n_states=3, n_features=8, random_state=0)
    model = SLDSVAE(n_states=3, epochs=0, pretrain_epochs=0, gradient=gradient,
                    inference_max_iter=iters,
                    device=device, random_state=0).fit(X)
    model._tol = 0.0  # force exactly `iters` sweeps
    Y, mask = model._tensors(X)
    times, mem, info = [], 0, {}
    first = 0 if warm_up else 1
    for rep in range(first, 2):
        gen = torch.Generator().manual_seed(rep)
        model._nets.zero_grad()
        if device == "cuda":
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            base = torch.cuda.memory_allocated()
        counter = _SavedBytes()
        start = time.perf_counter()
        with torch.autograd.graph.saved_tensors_hooks(counter.pack, counter.unpack):
            info = _step(model, Y, mask, gen)
        if device == "cuda":
            torch.cuda.synchronize()
            peak = torch.cuda.max_memory_allocated() - base
        else:
            peak = counter.total
        if rep > 0:  # first run is warm-up
            times.append(time.perf_counter() - start)
            mem = max(mem, peak)
    return statistics.median(times), mem, info


def compare(runs, seeds, epochs, out_dir, fname="svae_natural_vs_adam.csv"):
    """Final ELBO of each run over initial seeds (toy: 32 training, 16 held-out sequences)."""
    import csv

    from sklearn.metrics import adjusted_rand_score

    X, states, _ = make_slds(48, 50, n_states=2, n_features=5, random_state=0)
    rows = []
    for name, kwargs in runs.items():
        for seed in seeds:
            model = SLDSVAE(n_states=2, epochs=epochs, pretrain_epochs=20, batch_size=16,
                            random_state=seed, **kwargs).fit(X[:32])
            rows.append({
                "run": name, "seed": seed, "train_elbo_last": model.history_[-1]["elbo"],
                "heldout_score": model.score(X[32:]),
                "ari": adjusted_rand_score(states[32:].ravel(), model.predict(X[32:]).ravel()),
                "fallback_rate": np.mean([h["fallback_rate"] for h in model.history_]),
                "s_per_step": np.mean([h["dur"] for h in model.history_]) / 2,
            })
            print(" | ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                             for k, v in rows[-1].items()), flush=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / fname, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        for r in rows:
            writer.writerow({k: f"{v:.6g}" if isinstance(v, float) else v for k, v in r.items()})
    print(f"{'run':<12} {'train ELBO':>18} {'held-out ELBO':>18} {'ARI':>14}")
    for name in runs:
        sub = [r for r in rows if r["run"] == name]
        cells = []
        for key in ("train_elbo_last", "heldout_score", "ari"):
            vals = np.array([r[key] for r in sub])
            cells.append(f"{vals.mean():>9.3f} +- {vals.std(ddof=1):<5.3f}")
        print(f"{name:<12} " + " ".join(cells))
    return rows

# ----------------------------------------------------------------- study
def _best_permutation_accuracy(truth, pred, K):
    from itertools import permutations

    return max(float(np.mean(np.asarray(p)[pred] == truth)) for p in permutations(range(K)))


class _InfoLog:
    """Record ``out["info"]`` of every training step (works on any version of _infer)."""

    def __init__(self):
        self.infos = []
        self._orig = SLDSVAE._infer

    def __enter__(self):
        log, orig = self.infos, self._orig

        def _infer(model, *args, **kwargs):
            out = orig(model, *args, **kwargs)
            if kwargs.get("mode", "none") != "none" or (args and args[0] != "none"):
                log.append(out["info"])
            return out

        SLDSVAE._infer = _infer
        return self

    def __exit__(self, *exc):
        SLDSVAE._infer = self._orig


def _study_cases():
    from sksynth.datasets import load_stock_returns

    cases = []
    for ds in (0, 1, 2, 3):  # the fresh toy, four data seeds, default SLDSVAE
        X, states, _ = make_slds(30, 100, n_states=2, n_features=5, random_state=ds)
        cases.append((f"issue toy (data seed {ds})", X[:20], X[20:], states[20:],
                      dict(n_states=2)))
    X, states, _ = make_slds(128, 50, n_states=3, n_features=8, random_state=0)
    cases.append(("package toy (tests)", X[:96], X[96:], states[96:],
                  dict(n_states=3, epochs=60, pretrain_epochs=50, batch_size=16)))
    stocks = load_stock_returns(window=24, stride=6)
    X = stocks.data[:, :, stocks.complete]
    train = stocks.window_start.year < 2014
    cases.append(("stock returns", X[train], X[~train], None,
                  dict(n_states=2, latent_dim=3, epochs=60, pretrain_epochs=30,
                       batch_size=16)))
    return cases


def _write_csv(path, data):
    import csv

    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(data[0]))
        writer.writeheader()
        for r in data:
            writer.writerow({k: f"{v:.6g}" if isinstance(v, float) else v for k, v in r.items()})


def study(tag, out_dir, cases=None, fixed_point_options=None, model_seeds=(0,), out=None,
          **overrides):
    """Fallback rate, forward convergence, held-out ELBO, state recovery, time per step.

    ``cases``: substrings of the case names to run (default: all);
    ``fixed_point_options``: the solver's private options (e.g. ``bwd_max_iter``);
    ``model_seeds``: one fit per case and seed (``SLDSVAE(random_state=seed)``);
    ``out``: file name of the per-fit rows under ``out_dir`` (default
    ``svae_study_TAG.csv``; the per-epoch rows go to the same name with ``_epochs``
    before the suffix, default ``svae_study_epochs_TAG.csv``). Both files are
    rewritten after every fit.
    """
    from sklearn.metrics import adjusted_rand_score

    if out is None:
        files = (f"svae_study_{tag}.csv", f"svae_study_epochs_{tag}.csv")
    else:
        stem = out[:-4] if out.endswith(".csv") else out
        files = (f"{stem}.csv", f"{stem}_epochs.csv")
    out_dir.mkdir(parents=True, exist_ok=True)
    rows, epoch_rows = [], []
    runs = [(case, seed) for case in _study_cases()
            if not cases or any(c in case[0] for c in cases) for seed in model_seeds]
    for (name, X_tr, X_te, s_te, params), seed in runs:
        params = {**params, **overrides}
        with _InfoLog() as log:
            start = time.perf_counter()
            model = SLDSVAE(random_state=seed, **params)
            if fixed_point_options:
                model._fixed_point_options = dict(fixed_point_options)
            model.fit(X_tr)
            fit_s = time.perf_counter() - start
        n_batches = -(-X_tr.shape[0] // min(model.batch_size, X_tr.shape[0]))
        infos = log.infos
        fb = [h["fallback_rate"] for h in model.history_]
        conv = [float(i.get("converged", False)) for i in infos]
        iters = [i.get("n_iter", 0) for i in infos]
        half = len(fb) // 2
        row = {
            "tag": tag, "data": name, "model_seed": seed, "steps": len(infos),
            "fallback_rate": np.mean(fb), "fallback_rate_2nd_half": np.mean(fb[half:]),
            "fallback_rate_max_epoch": max(fb),
            "fwd_converged": np.mean(conv),
            "fwd_rows_converged": np.mean([i.get("converged_fraction", c)
                                           for i, c in zip(infos, conv)]),
            "fwd_iters_mean": np.mean([i.get("mean_iter", n) for i, n in zip(infos, iters)]),
            "fwd_iters_max": np.mean(iters),
            "bwd_iters_mean": np.mean([i.get("bwd_iter", 0) for i in infos]),
            "bwd_solved": np.mean([i.get("bwd_solved_fraction", np.nan) for i in infos]),
            "train_elbo_last": model.history_[-1]["elbo"],
            "heldout_score": model.score(X_te),
            "ari": np.nan, "accuracy": np.nan,
            "s_per_step": np.mean([h["dur"] for h in model.history_]) / n_batches,
            "fit_s": fit_s,
        }
        if s_te is not None:
            pred = model.predict(X_te)
            row["ari"] = adjusted_rand_score(s_te.ravel(), pred.ravel())
            row["accuracy"] = _best_permutation_accuracy(s_te.ravel(), pred.ravel(),
                                                         model.n_states)
        rows.append(row)
        for e, h in enumerate(model.history_):
            chunk = infos[e * n_batches:(e + 1) * n_batches]
            epoch_rows.append({"tag": tag, "data": name, "model_seed": seed, "epoch": e,
                               "elbo": h["elbo"],
                               "fallback_rate": h["fallback_rate"],
                               "fwd_converged": np.mean([float(i.get("converged", False))
                                                         for i in chunk]),
                               "fwd_iters": np.mean([i.get("n_iter", 0) for i in chunk])})
        print(" | ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in row.items()), flush=True)
        for fname, data in zip(files, (rows, epoch_rows)):
            _write_csv(out_dir / fname, data)
    return rows


# ------------------------------------------------------------- diagnosis
def _old_rule_fails(state, g, rows, vjp):
    """Rows the failure rule of commit 90591db rejected at this end point (replica)."""
    d = state["damping"]
    v = g
    jtv = vjp(v)
    start = torch.linalg.vector_norm(jtv.reshape(rows, -1), dim=1)
    for _ in range(state["bwd_max_iter"]):
        v_new = (1.0 - d) * v + d * (jtv + g)
        change = torch.linalg.vector_norm(v_new - v)
        v = v_new
        jtv = vjp(v)
        if not torch.isfinite(change) or change <= state["bwd_tol"] * torch.linalg.vector_norm(v):
            break
    resid = torch.linalg.vector_norm((g + jtv - v).reshape(rows, -1), dim=1)
    return ~torch.isfinite(resid) | (resid > start * (1 + 1e-9))


def diagnose(out_dir, every=10, power_iter=40):
    """At the backward solves of two fits: the Jacobian's scale and spectral radius.

    Per training step of the stock-returns case and of the comparison toy's seed 1:
    ``||J^T g|| / ||g||`` per sequence (the residual of the one-step ``v = g``), the
    fraction the replica of the previous failure rule rejects, and the current
    solver's outcome; every ``every``-th step also the spectral radius of ``J`` per
    sequence by power iteration with VJPs (``power_iter`` of them, growth rate of
    the second half). Writes ``results/svae_diagnosis.csv``.
    """
    import csv

    from sksynth.datasets import load_stock_returns
    from sksynth.generators._slds import _implicit

    stocks = load_stock_returns(window=24, stride=6)
    Xs = stocks.data[:, :, stocks.complete][stocks.window_start.year < 2014]
    Xt, _, _ = make_slds(48, 50, n_states=2, n_features=5, random_state=0)
    cases = [("stock returns", Xs, 0, dict(n_states=2, latent_dim=3, epochs=60,
                                           pretrain_epochs=30, batch_size=16)),
             ("comparison toy, seed 1", Xt[:32], 1, dict(n_states=2, epochs=20,
                                                         pretrain_epochs=20, batch_size=16))]
    solver = _implicit._richardson
    rows_out = []
    for name, X, seed, params in cases:
        step = [0]

        def wrapped(state, g, name=name, step=step):
            rows = g.shape[0]

            def vjp(v):
                with torch.enable_grad():
                    return torch.autograd.grad(state["f0"], state["z0"], v,
                                               retain_graph=True)[0]

            def norms(x):
                return torch.linalg.vector_norm(x.reshape(rows, -1), dim=1)

            rel = (norms(vjp(g)) / norms(g)).numpy()
            old_fail = _old_rule_fails(state, g, rows, vjp)
            rho = np.full(rows, np.nan)
            if step[0] % every == 0:
                u = torch.randn(g.shape, generator=torch.Generator().manual_seed(step[0]),
                                dtype=g.dtype)
                logs = []
                for _ in range(power_iter):
                    u = vjp(u / norms(u).clamp_min(1e-300).reshape(-1, *[1] * (g.dim() - 1)))
                    logs.append(torch.log(norms(u).clamp_min(1e-300)))
                rho = torch.exp(torch.stack(logs[power_iter // 2:]).mean(0)).numpy()
            v = solver(state, g)
            info = state["info"]
            rows_out.append({
                "case": name, "step": step[0], "sequences": rows,
                "jtg_rel_median": float(np.median(rel)),
                "rounding_fraction": float(np.mean(rel < 1e-10)),
                "rho_max": float(np.max(rho)), "rho_median": float(np.median(rho)),
                "old_rule_fallback": float(old_fail.double().mean()),
                "fallback": info["fallback_fraction"], "solved": info["bwd_solved_fraction"],
                "bwd_iter": info["bwd_iter"],
            })
            step[0] += 1
            return v

        _implicit._richardson = wrapped
        try:
            SLDSVAE(random_state=seed, **params).fit(X)
        finally:
            _implicit._richardson = solver
        sub = [r for r in rows_out if r["case"] == name]
        half = len(sub) // 2
        for part, chunk in (("all", sub), ("2nd half", sub[half:])):
            print(f"{name} ({part}): old rule fallback "
                  f"{np.mean([r['old_rule_fallback'] for r in chunk]):.3f}, now "
                  f"{np.mean([r['fallback'] for r in chunk]):.4f}; rounding-level "
                  f"||J^T g|| {np.mean([r['rounding_fraction'] for r in chunk]):.2f}; "
                  f"max rho {np.nanmax([r['rho_max'] for r in chunk]):.3f}", flush=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "svae_diagnosis.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows_out[0]))
        writer.writeheader()
        for r in rows_out:
            writer.writerow({k: f"{v:.4g}" if isinstance(v, float) else v for k, v in r.items()})
    return rows_out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--T", type=int, nargs="+", help="sequence lengths (overrides)")
    parser.add_argument("--iters", type=int, nargs="+", help="iteration counts (overrides)")
    parser.add_argument("--no-curves", action="store_true", help="skip the training curves")
    parser.add_argument("--curves-only", action="store_true", help="skip the memory table")
    parser.add_argument("--study", metavar="TAG",
                        help="only the fallback/convergence/accuracy study; writes "
                             "benchmarks/results/svae_study[_epochs]_TAG.csv")
    parser.add_argument("--cases", nargs="+", metavar="NAME",
                        help="with --study: only the cases whose name contains one of "
                             "these (e.g. 'stock' 'seed 1' 'package')")
    parser.add_argument("--model-seeds", type=int, nargs="+", default=[0], metavar="S",
                        help="with --study: one fit per case and SLDSVAE random_state "
                             "(default 0)")
    parser.add_argument("--study-csv", metavar="NAME",
                        help="with --study: file name of the rows under benchmarks/results/ "
                             "(default svae_study_TAG.csv; per epoch: NAME_epochs.csv)")
    parser.add_argument("--bwd-max-iter", type=int,
                        help="with --study: cap of the backward solve (default 10)")
    parser.add_argument("--seeds", type=int, nargs="+",
                        help="initial seeds of the natural-vs-Adam comparison (default 0-4)")
    parser.add_argument("--runs", nargs="+", choices=("natural", "Adam"),
                        default=("natural", "Adam"), help="runs of that comparison")
    parser.add_argument("--compare-csv", default="svae_natural_vs_adam.csv",
                        help="file name of that comparison under benchmarks/results/")
    parser.add_argument("--diagnose", action="store_true",
                        help="only the backward-solve diagnosis (stock returns and the "
                             "comparison toy's seed 1); writes results/svae_diagnosis.csv")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # as SLDSVAE.fit does: tiny ops, threads only add overhead
    if args.diagnose:
        diagnose(REPO / "benchmarks" / "results")
        return
    if args.study:
        opts = None if args.bwd_max_iter is None else {"bwd_max_iter": args.bwd_max_iter}
        import sksynth

        print(f"sksynth from {Path(sksynth.__file__).parent}", flush=True)
        study(args.study, REPO / "benchmarks" / "results", cases=args.cases,
              fixed_point_options=opts, model_seeds=args.model_seeds, out=args.study_csv)
        return
    Ts = args.T or ((100, 500) if args.quick else (100, 500, 2000))
    its = args.iters or ((10, 20) if args.quick else (10, 20, 50))
    mem_kind = "peak CUDA MB" if args.device == "cuda" else "saved-for-backward MB"
    print(f"device={args.device}; memory = {mem_kind}; B=4 sequences, K=3, D=2, F=8")
    print(f"{'T':>5} {'iters':>5} | {'unrolled s':>10} {'MB':>9} | {'implicit s':>10} {'MB':>9}"
          f" | {'mem ratio':>9} {'time ratio':>10} | {'bwd':>3} {'fb':>4}")
    for T in () if args.curves_only else Ts:
        for it in its:
            warm = T <= 500  # long cases: one timed run, no warm-up (minutes each on CPU)
            tu, mu, _ = measure(T, it, "unrolled", args.device, warm)
            ti, mi, info = measure(T, it, "implicit", args.device, warm)
            print(f"{T:>5} {it:>5} | {tu:>10.2f} {mu / 2**20:>9.1f} | {ti:>10.2f} "
                  f"{mi / 2**20:>9.1f} | {mu / max(mi, 1):>9.1f} {tu / ti:>10.2f} | "
                  f"{info.get('bwd_iter', 0):>3} {info.get('fallback_fraction', 0):>4.2f}",
                  flush=True)
    if args.no_curves:
        return
    seeds = args.seeds or (range(3) if args.quick else range(5))
    epochs = 10 if args.quick else 20
    print(f"\nFinal ELBO per time step over seeds {list(seeds)} (toy 32 + 16 sequences x 50 "
          f"steps, K = 2, {epochs} epochs after 20 VAE epochs, implicit gradients)")
    runs = {"natural": {}, "Adam": {"natural_gradient": False}}
    compare({k: runs[k] for k in args.runs}, seeds, epochs, REPO / "benchmarks" / "results",
            args.compare_csv)

if __name__ == "__main__":
    main()
