"""Benchmark SLDSVAE: memory and time of one training step, implicit vs unrolled.

One training step of :class:`~sksynth.generators.SLDSVAE` (mean-field inference
with exactly ``iters`` block updates, the reparameterised ELBO, backward) on
``B = 4`` toy sequences of length ``T`` from :func:`~sksynth.datasets.make_slds`,
for ``T`` in {100, 500, 2000} and ``iters`` in {10, 20, 50}, with gradients

- ``unrolled``: back-propagation through every block update (the reference),
- ``implicit``: implicit differentiation (stores the graph of one block update
  at the end point, shared with the KL and smoother moments the loss needs; the
  capped Richardson solve runs in backward; here the loop is forced to run all
  ``iters`` sweeps, so the capped solver falls back to the one-step gradient
  exactly as the authors' code does when ``MAX_ITER`` is reached).

Memory: on CUDA, ``torch.cuda.max_memory_allocated`` over the step; on CPU, the
bytes of the distinct storages autograd saves for backward (counted with
``torch.autograd.graph.saved_tensors_hooks``; for implicit this includes the
extra one-step graph used by the Richardson solve) — the memory that grows with
the iteration count. The table gives ``ratio = unrolled / implicit``; the
target is >= 10x at 20+ iterations and T = 2000 (the paper reports 10-100x).

Then short training curves on the toy set (ELBO per step vs epoch):
implicit vs unrolled (should agree within noise: the implicit run from two
more initial seeds gives the noise level) and natural vs plain gradients for
``q(theta)``.

Run ``python benchmarks/bench_svae.py`` (a few minutes on 2 cores) or
``--quick`` (T in {100, 500}, iters in {10, 20}, shorter curves).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run from a checkout without `pip install -e .`
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
    return float(elbo.detach().mean())


def measure(T, iters, gradient, device, warm_up):
    X, _, _ = make_slds(4, T, n_states=3, n_features=8, random_state=0)
    model = SLDSVAE(n_states=3, epochs=0, pretrain_epochs=0, gradient=gradient, max_iter=iters,
                    device=device, random_state=0).fit(X)
    model._tol = 0.0  # force exactly `iters` sweeps
    Y, mask = model._tensors(X)
    times, mem = [], 0
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
            _step(model, Y, mask, gen)
        if device == "cuda":
            torch.cuda.synchronize()
            peak = torch.cuda.max_memory_allocated() - base
        else:
            peak = counter.total
        if rep > 0:  # first run is warm-up
            times.append(time.perf_counter() - start)
            mem = max(mem, peak)
    return statistics.median(times), mem


def curves(epochs, seed=0, **kwargs):
    X, _, _ = make_slds(64, 50, n_states=3, n_features=8, random_state=0)
    model = SLDSVAE(n_states=3, epochs=epochs, pretrain_epochs=30, batch_size=16,
                    random_state=seed, **kwargs).fit(X)
    return [h["elbo"] for h in model.history_]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--T", type=int, nargs="+", help="sequence lengths (overrides)")
    parser.add_argument("--iters", type=int, nargs="+", help="iteration counts (overrides)")
    parser.add_argument("--no-curves", action="store_true", help="skip the training curves")
    parser.add_argument("--curves-only", action="store_true", help="skip the memory table")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # as SLDSVAE.fit does: tiny ops, threads only add overhead
    Ts = args.T or ((100, 500) if args.quick else (100, 500, 2000))
    its = args.iters or ((10, 20) if args.quick else (10, 20, 50))
    mem_kind = "peak CUDA MB" if args.device == "cuda" else "saved-for-backward MB"
    print(f"device={args.device}; memory = {mem_kind}; B=4 sequences, K=3, D=2, F=8")
    print(f"{'T':>5} {'iters':>5} | {'unrolled s':>10} {'MB':>9} | {'implicit s':>10} {'MB':>9}"
          f" | {'mem ratio':>9} {'time ratio':>10}")
    for T in () if args.curves_only else Ts:
        for it in its:
            warm = T <= 500  # long cases: one timed run, no warm-up (minutes each on CPU)
            tu, mu = measure(T, it, "unrolled", args.device, warm)
            ti, mi = measure(T, it, "implicit", args.device, warm)
            print(f"{T:>5} {it:>5} | {tu:>10.2f} {mu / 2**20:>9.1f} | {ti:>10.2f} "
                  f"{mi / 2**20:>9.1f} | {mu / max(mi, 1):>9.1f} {tu / ti:>10.2f}", flush=True)
    if args.no_curves:
        return
    epochs = 8 if args.quick else 25
    print(f"\nELBO per time step vs epoch (toy: 64 x 50, {epochs} epochs after 30 VAE epochs)")
    runs = {
        "implicit + natural": curves(epochs, gradient="implicit"),
        "unrolled + natural": curves(epochs, gradient="unrolled"),
        "implicit + plain (Adam)": curves(epochs, gradient="implicit", natural_gradient=False),
        # the noise level: the same implicit run from other initial seeds
        "implicit + natural, seed 1": curves(epochs, seed=1, gradient="implicit"),
        "implicit + natural, seed 2": curves(epochs, seed=2, gradient="implicit"),
    }
    marks = sorted({0, epochs // 4, epochs // 2, 3 * epochs // 4, epochs - 1})
    print(f"{'run':<24}" + "".join(f"{'ep ' + str(e):>9}" for e in marks))
    for name, hist in runs.items():
        print(f"{name:<24}" + "".join(f"{hist[e]:>9.3f}" for e in marks))
    diff = np.abs(np.array(runs["implicit + natural"]) - np.array(runs["unrolled + natural"]))
    seeds = np.array([runs[k] for k in runs if k.startswith("implicit + natural")])
    spread = seeds.max(0) - seeds.min(0)
    print(f"max |implicit - unrolled| over epochs: {diff.max():.3f}; seed-to-seed range of "
          f"the implicit run (3 seeds): max {spread.max():.3f}, at the last epoch "
          f"{spread[-1]:.3f} (|implicit - unrolled| there: {diff[-1]:.3f})")


if __name__ == "__main__":
    main()
