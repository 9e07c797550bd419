"""A compact MST baseline (benchmark only): McKenna, Miklau and Sheldon (2021).

Written from the algorithm's description in "Winning the NIST Contest: A
scalable and general approach to differentially private synthetic data"
(J. Privacy and Confidentiality 11(3)), not from its code. On a table of
integer codes (column ``j`` takes values ``0 .. sizes[j] - 1``), with the
budget ``(epsilon, delta)`` turned into ``rho``-zCDP and split in thirds:

1. every 1-way marginal is measured with Gaussian noise (``rho / 3``);
2. a spanning tree over the columns is chosen privately (``rho / 3``):
   Kruskal's algorithm in which each of the ``d - 1`` rounds picks, by the
   exponential mechanism, an edge joining two components, scored by the L1
   distance between the pair's true 2-way marginal and the product of the
   two noisy 1-way marginals (sensitivity 1);
3. the 2-way marginals on the tree are measured with Gaussian noise
   (``rho / 3``);
4. sampling along the tree (post-processing): the root from its estimated
   marginal, each child from the noisy 2-way table's conditional given the
   parent's value.

Simplifications against the paper (said in the benchmarks README): no domain
compression of rare values; instead of Private-PGM's estimation, each
column's marginal is the inverse-variance average of its noisy 1-way
marginal and the margins of its noisy tree tables, negative cells clipped to
zero; the conversion to zCDP is ``epsilon = rho + 2 sqrt(rho log(1/delta))``
(Bun and Steinke 2016, Proposition 1.3), looser than the paper's.
Adjacency: add/remove one record (a marginal changes by one in one cell), as
in Opacus's accounting of the DP-SGD methods it is compared with.
"""

import math

import numpy as np
import pandas as pd


def zcdp_rho(epsilon, delta):
    """Largest ``rho`` with ``rho + 2 sqrt(rho log(1/delta)) <= epsilon``."""
    log_term = math.log(1.0 / delta)
    return (math.sqrt(log_term + epsilon) - math.sqrt(log_term)) ** 2


class MST:
    """MST on integer codes; ``fit(frame, sizes)``, ``sample(n)`` -> DataFrame of codes."""

    def __init__(self, epsilon, delta, random_state=0):
        self.epsilon, self.delta, self.random_state = epsilon, delta, random_state

    def fit(self, frame, sizes):
        rng = np.random.RandomState(self.random_state)
        self.columns_ = list(frame.columns)
        codes = frame.to_numpy(dtype=np.int64)
        d = codes.shape[1]
        self.sizes_ = [int(s) for s in sizes]
        rho = zcdp_rho(self.epsilon, self.delta) / 3.0
        # 1. one-way marginals: d measurements of L2 sensitivity 1 each: rho = d / (2 sd^2)
        self.sd1_ = math.sqrt(d / (2.0 * rho))
        one = [np.bincount(codes[:, j], minlength=self.sizes_[j]).astype(float)
               + self.sd1_ * rng.standard_normal(self.sizes_[j]) for j in range(d)]
        # 2. the tree: d - 1 exponential mechanisms, each eps_r-DP, i.e. eps_r^2 / 8 zCDP
        eps_round = math.sqrt(8.0 * rho / max(d - 1, 1))
        n_hat = max(float(np.mean([m.sum() for m in one])), 1.0)
        prob = [np.clip(m, 0, None) / max(np.clip(m, 0, None).sum(), 1e-12) for m in one]
        # the L1 error of the independence estimate of each pair (sensitivity 1): the
        # mechanism favours the pairs the 1-way marginals explain worst
        error = {}
        for i in range(d):
            for j in range(i + 1, d):
                true = self._pair(codes, i, j)
                error[i, j] = np.abs(true - n_hat * np.outer(prob[i], prob[j])).sum()
        component = list(range(d))

        def root(k):
            while component[k] != k:
                k = component[k]
            return k

        self.edges_ = []
        for _ in range(d - 1):
            candidates = [e for e in error if root(e[0]) != root(e[1])]
            q = np.array([error[e] for e in candidates])
            logits = 0.5 * eps_round * (q - q.max())
            p = np.exp(logits)
            i, j = candidates[rng.choice(len(candidates), p=p / p.sum())]
            self.edges_.append((i, j))
            component[root(i)] = root(j)
        # 3. the tree's two-way marginals: d - 1 measurements of sensitivity 1
        self.sd2_ = math.sqrt(max(d - 1, 1) / (2.0 * rho))
        self.pairs_ = {(i, j): self._pair(codes, i, j)
                       + self.sd2_ * rng.standard_normal((self.sizes_[i], self.sizes_[j]))
                       for i, j in self.edges_}
        # estimation (post-processing): inverse-variance average of each column's margins
        self.marginals_ = []
        for j in range(d):
            num, den = one[j] / self.sd1_ ** 2, 1.0 / self.sd1_ ** 2
            for (a, b), table in self.pairs_.items():
                if j in (a, b):
                    margin = table.sum(axis=1) if j == a else table.sum(axis=0)
                    var = self.sd2_ ** 2 * (table.shape[1] if j == a else table.shape[0])
                    num, den = num + margin / var, den + 1.0 / var
            m = np.clip(num / den, 0, None)
            self.marginals_.append(m / m.sum() if m.sum() > 0 else np.full(len(m), 1 / len(m)))
        return self

    def _pair(self, codes, i, j):
        table = np.zeros((self.sizes_[i], self.sizes_[j]))
        np.add.at(table, (codes[:, i], codes[:, j]), 1.0)
        return table

    def sample(self, n_samples):
        rng = np.random.RandomState(self.random_state + 1)
        d = len(self.sizes_)
        out = np.zeros((n_samples, d), dtype=np.int64)
        neighbours = {j: [] for j in range(d)}
        for i, j in self.edges_:
            neighbours[i].append(j)
            neighbours[j].append(i)
        done, order = {0}, [0]
        out[:, 0] = _draw(np.tile(self.marginals_[0], (n_samples, 1)), rng)
        while order:
            parent = order.pop(0)
            for child in neighbours[parent]:
                if child in done:
                    continue
                table = (self.pairs_[parent, child] if (parent, child) in self.pairs_
                         else self.pairs_[child, parent].T)
                cond = np.clip(table, 0, None)
                sums = cond.sum(axis=1, keepdims=True)
                # a parent value with no mass in the noisy table: the child's own marginal
                cond = np.where(sums > 0, cond / np.where(sums > 0, sums, 1.0),
                                self.marginals_[child][None, :])
                out[:, child] = _draw(cond[out[:, parent]], rng)
                done.add(child)
                order.append(child)
        return pd.DataFrame(out, columns=self.columns_)


def _draw(prob, rng):
    """One index per row of the probability rows ``prob``."""
    cum = prob.cumsum(axis=1)
    u = rng.uniform(size=(prob.shape[0], 1)) * cum[:, -1:]
    return np.minimum((cum < u).sum(axis=1), prob.shape[1] - 1)
