"""Log-space HMM forward-backward and Viterbi, batched over sequences.

References
----------
Rabiner (1989), "A tutorial on hidden Markov models", Proc. IEEE 77(2).
"""

import numpy as np
import torch


def hmm_forward_backward(log_init, log_trans, log_node):
    """Posterior marginals of a batch of discrete Markov chains.

    The unnormalised log-density is
    ``log_init[z_0] + sum_t log_trans[z_{t-1}, z_t] + sum_t log_node[t, z_t]``;
    the potentials need not be normalised.

    Parameters
    ----------
    log_init : Tensor of shape (B, K) or (K,)
    log_trans : Tensor of shape (B, K, K) or (K, K)
        ``log_trans[..., i, j]`` is the log-potential of ``i -> j``.
    log_node : Tensor of shape (B, T, K)

    Returns
    -------
    marginals : Tensor of shape (B, T, K)
        ``q(z_t = k)``.
    trans_counts : Tensor of shape (B, K, K)
        ``sum_t q(z_{t-1} = i, z_t = j)``.
    log_z : Tensor of shape (B,)
        Log normaliser (log-sum over all ``K**T`` paths).
    """
    B, T, K = log_node.shape
    log_init = log_init.expand(B, K)
    log_trans = log_trans.expand(B, K, K)
    alphas = [log_init + log_node[:, 0]]
    for t in range(1, T):
        prev = alphas[-1].unsqueeze(2) + log_trans
        alphas.append(torch.logsumexp(prev, dim=1) + log_node[:, t])
    betas = [torch.zeros_like(alphas[0])]
    for t in range(T - 1, 0, -1):
        nxt = log_trans + (log_node[:, t] + betas[-1]).unsqueeze(1)
        betas.append(torch.logsumexp(nxt, dim=2))
    alpha = torch.stack(alphas, dim=1)
    beta = torch.stack(betas[::-1], dim=1)
    log_z = torch.logsumexp(alpha[:, -1], dim=1)
    marginals = torch.exp(alpha + beta - log_z[:, None, None])
    if T > 1:
        log_pair = (
            alpha[:, :-1].unsqueeze(3)
            + log_trans.unsqueeze(1)
            + (log_node[:, 1:] + beta[:, 1:]).unsqueeze(2)
            - log_z[:, None, None, None]
        )
        trans_counts = torch.exp(log_pair).sum(dim=1)
    else:
        trans_counts = torch.zeros_like(log_trans)
    return marginals, trans_counts, log_z


def hmm_viterbi(log_init, log_trans, log_node):
    """Most likely state path of each chain (max-product), in NumPy.

    Parameters
    ----------
    log_init : ndarray of shape (K,)
    log_trans : ndarray of shape (K, K)
    log_node : ndarray of shape (B, T, K)

    Returns
    -------
    path : ndarray of int of shape (B, T)
    """
    log_node = np.asarray(log_node, dtype=float)
    B, T, K = log_node.shape
    delta = log_init[None, :] + log_node[:, 0]
    back = np.zeros((B, T, K), dtype=int)
    for t in range(1, T):
        cand = delta[:, :, None] + log_trans[None]
        back[:, t] = np.argmax(cand, axis=1)
        delta = np.max(cand, axis=1) + log_node[:, t]
    path = np.zeros((B, T), dtype=int)
    path[:, -1] = np.argmax(delta, axis=1)
    rows = np.arange(B)
    for t in range(T - 1, 0, -1):
        path[:, t - 1] = back[rows, t, path[:, t]]
    return path
