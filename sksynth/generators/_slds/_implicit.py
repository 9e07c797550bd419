"""Gradients through a fixed-point iteration: unrolled or implicit (IFT).

``w* = F(w*, theta)`` is found by iterating ``F``. The implicit function
theorem gives ``dL/dtheta = v^T dF/dtheta`` at ``w*`` with ``v`` solving
``v = g + (dF/dw)^T v`` (``g = dL/dw*``). Following the authors' code
(``slds_inference_itersolve_bwd``) the linear system is solved by *damped
Richardson* iterations ``v <- (1 - d) v + d ((dF/dw)^T v + g)`` (``d = 0.5``),
capped at a few iterations, and the solve is replaced by the *fallback*
``v = g`` (the one-step gradient through the last block update) when the
forward loop did not converge or the residual ``g + (dF/dw)^T v - v`` has RMS
above ``fallback_threshold`` or is not finite. Only the end point is stored:
memory does not grow with the number of iterations.

References
----------
Bendekgey, Hope & Sudderth (2023), arXiv:2306.08230, Sec. 3;
Bai, Kolter & Koltun (2019), "Deep equilibrium models", NeurIPS.
"""

import torch


class _RichardsonGrad(torch.autograd.Function):
    """Identity forward; backward maps ``g`` to the IFT adjoint ``v``."""

    @staticmethod
    def forward(ctx, w_out, state):
        ctx.state = state
        return w_out.view_as(w_out)

    @staticmethod
    def backward(ctx, g):
        state = ctx.state
        info = state["info"]
        if state["fallback"] and not info["converged"]:
            info["fallback_used"] = True
            return g, None
        z0, f0 = state["z0"], state["f0"]
        d = state["damping"]
        v = g
        n = 0
        with torch.enable_grad():
            for n in range(1, state["bwd_max_iter"] + 1):
                (jtv,) = torch.autograd.grad(f0, z0, v, retain_graph=True)
                v_new = (1.0 - d) * v + d * (jtv + g)
                change = torch.mean((v_new - v) ** 2)
                v = v_new
                if change < state["bwd_tol"]:
                    break
            (jtv,) = torch.autograd.grad(f0, z0, v, retain_graph=True)
        resid = torch.sqrt(torch.mean((g + jtv - v) ** 2))
        info["bwd_iter"] = n
        info["bwd_residual"] = float(resid)
        if state["fallback"] and (not torch.isfinite(resid) or resid > state["threshold"]):
            info["fallback_used"] = True
            return g, None
        info["fallback_used"] = False
        return v, None


class _RichardsonAuxGrad(torch.autograd.Function):
    """Like :class:`_RichardsonGrad`, with auxiliary outputs computed at the end point.

    The auxiliary outputs ``aux(w*, theta)`` share the end-point step's graph;
    their upstream gradients reach ``w*`` through that graph and are added to
    ``g`` before the solve (``v = (I - J^T)^{-1} (g + (d aux / d w)^T g_aux)``).
    """

    @staticmethod
    def forward(ctx, state, w_out, *aux):
        ctx.state = state
        return (w_out.view_as(w_out), *(a.view_as(a) for a in aux))

    @staticmethod
    def backward(ctx, g, *g_aux):
        state = ctx.state
        z0 = state["z0"]
        pairs = [(a, ga) for a, ga in zip(state["aux"], g_aux)
                 if ga is not None and a.requires_grad]
        g = torch.zeros_like(z0) if g is None else g
        if pairs:
            with torch.enable_grad():
                (gz,) = torch.autograd.grad([a for a, _ in pairs], z0,
                                            [ga for _, ga in pairs], retain_graph=True,
                                            allow_unused=True)
            if gz is not None:
                g = g + gz
        v, _ = _RichardsonGrad.backward(ctx, g)
        return (None, v, *g_aux)


def fixed_point(
    F,
    w0,
    params,
    *,
    mode="implicit",
    max_iter=10,
    tol=1e-5,
    bwd_max_iter=10,
    bwd_tol=1e-5,
    damping=0.5,
    fallback=True,
    fallback_threshold=1e2,
    final=None,
):
    """Iterate ``w <- F(w, *params)`` and return the end point with gradients.

    Parameters
    ----------
    F : callable
        ``F(w, *params) -> w_new`` (tensors of the same shape).
    w0 : Tensor
        Starting point (treated as a constant).
    params : tuple of Tensor
        Inputs that gradients flow to.
    mode : {"implicit", "unrolled", "none"}
        ``"implicit"``: iterate without a graph, then one differentiable step
        whose backward solves the IFT system (see module docstring).
        ``"unrolled"``: back-propagate through every iteration (memory grows
        with the number of iterations). ``"none"``: no gradient flows through
        the iteration (``w*`` is returned detached).
    max_iter : int
        Forward iterations at most; stops earlier when the largest absolute
        change is below ``tol``.
    bwd_max_iter, bwd_tol, damping : int, float, float
        Richardson iterations cap, stopping tolerance on the mean squared
        change, and damping ``d``.
    fallback : bool
        Use ``v = g`` when the forward loop did not converge or the solve
        diverged (the authors' "capped" solver); ``False`` always uses the solve.
    fallback_threshold : float
        Residual RMS above which the solve is rejected.
    final : callable, default=None
        ``final(w, *params) -> (w_new, aux)`` with ``w_new == F(w, *params)`` and
        ``aux`` a tuple of tensors wanted downstream (e.g. the KL and smoother
        moments at the end point). The last, differentiable step then evaluates
        ``final`` instead of ``F`` and its graph is shared by ``w_new`` and
        ``aux`` (one stored step instead of two); the function returns
        ``(w, aux, info)``.

    Returns
    -------
    w : Tensor
    aux : tuple of Tensor
        Only when ``final`` is given.
    info : dict
        ``n_iter``, ``converged`` and, after backward in implicit mode,
        ``bwd_iter``, ``bwd_residual`` and ``fallback_used``.
    """
    info = {"n_iter": 0, "converged": False}
    w = w0.detach()
    if mode == "unrolled":
        for i in range(max_iter):
            w_new = F(w, *params)
            change = float(torch.max(torch.abs(w_new.detach() - w.detach())))
            w = w_new
            info["n_iter"] = i + 1
            if change < tol:
                info["converged"] = True
                break
        if final is not None:
            w, aux = final(w, *params)
            return w, tuple(aux), info
        return w, info
    with torch.no_grad():
        for i in range(max_iter):
            w_new = F(w, *params)
            change = float(torch.max(torch.abs(w_new - w)))
            w = w_new
            info["n_iter"] = i + 1
            if change < tol:
                info["converged"] = True
                break
    if mode == "none":
        if final is not None:
            w, aux = final(w.detach(), *params)
            return w, tuple(aux), info
        return w.detach(), info
    if mode != "implicit":
        raise ValueError(f"mode must be 'implicit', 'unrolled' or 'none', got {mode!r}.")
    if final is not None:
        return _implicit_with_aux(final, w, params, info, bwd_max_iter, bwd_tol, damping,
                                  fallback, fallback_threshold)
    if not torch.is_grad_enabled():
        return F(w, *params), info
    # One differentiable step from the end point. Its graph serves twice: the
    # Richardson solve takes VJPs w.r.t. ``z0`` through it (retaining it), then
    # the adjoint ``v`` flows on through it to ``params``.
    z0 = w.detach().requires_grad_(True)
    f0 = F(z0, *params)
    if not f0.requires_grad:
        return f0, info
    state = {
        "z0": z0,
        "f0": f0,
        "info": info,
        "damping": damping,
        "bwd_max_iter": bwd_max_iter,
        "bwd_tol": bwd_tol,
        "fallback": fallback,
        "threshold": fallback_threshold,
    }
    return _RichardsonGrad.apply(f0, state), info


def _implicit_with_aux(final, w, params, info, bwd_max_iter, bwd_tol, damping, fallback,
                       threshold):
    if not torch.is_grad_enabled():
        w_new, aux = final(w, *params)
        return w_new, tuple(aux), info
    z0 = w.detach().requires_grad_(True)
    f0, aux = final(z0, *params)
    aux = tuple(aux)
    if not f0.requires_grad:
        return f0, aux, info
    state = {"z0": z0, "f0": f0, "aux": aux, "info": info, "damping": damping,
             "bwd_max_iter": bwd_max_iter, "bwd_tol": bwd_tol, "fallback": fallback,
             "threshold": threshold}
    outs = _RichardsonAuxGrad.apply(state, f0, *aux)
    return outs[0], tuple(outs[1:]), info
