"""Gradient checking with central differences (article 3.2, checked numerically).

    ∂f/∂x_i ≈ (f(x + ε e_i) - f(x - ε e_i)) / (2ε)        error O(ε²)

The relative error of an analytic gradient g against its numerical estimate n is

    rel(g, n) = ‖g - n‖ / max(‖g‖ + ‖n‖, floor)

taken per parameter array (W(1), b(1), ...). Using norms rather than single entries keeps round-off in entries
that are nearly zero from dominating; the floor keeps an all-zero gradient from dividing by zero. In float64 a
correct backward pass gives about 1e-9 or less; a wrong one gives something near 1.
"""
import numpy as np

from . import _checks
from .i18n import tr


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of a scalar function f at x (any shape) -> array of x's shape (float64).

    f is called with a perturbed float64 copy of x; the caller's array is never modified.
    """
    x = np.array(x, dtype=np.float64)            # a copy we are free to perturb
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = float(f(x))
        flat[i] = old - eps
        f_minus = float(f(x))
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(g, n, floor=1e-12):
    """‖g - n‖ / max(‖g‖ + ‖n‖, floor) for two arrays of the same shape."""
    g, n = np.asarray(g, dtype=np.float64), np.asarray(n, dtype=np.float64)
    return float(np.linalg.norm(g - n) / max(np.linalg.norm(g) + np.linalg.norm(n), floor))


def gradcheck(net, X, Y, eps=1e-5, max_entries=None, seed=0, return_all=False, floor=1e-12):
    """Largest relative error between the analytic gradients of `net` and central differences.

    Args:
        net: a bplib network (anything with prepare, params, param_names, loss_grads_output, loss_output).
        X, Y: a small batch (m, n_0) and its labels or targets.
        eps: the finite-difference step ε. 1e-5 balances the two errors of a central difference in float64:
            truncation ~ ε² |J'''| and round-off ~ 1e-16 |J| / ε. A smaller ε lets round-off dominate where
            gradients are small (the first layers of a deep sigmoid net, where ‖∂J/∂W(1)‖ ~ 1e-3).
        max_entries: check at most this many randomly chosen entries per parameter (None: all of them).
        seed: seed for choosing the entries (an int >= 0 or a np.random.Generator).
        return_all: if True, return {name: relative error} for every parameter instead of the maximum (True or
            False: a string such as "no" would be truthy and silently change the return type).
        floor: the smallest denominator of the relative error (a positive number).
    Returns:
        float, the maximum relative error over all parameters (or the dict, see return_all).
    Raises:
        FloatingPointError naming the parameter if an analytic or numerical gradient holds NaN or inf: such a
        gradient is wrong, and a maximum over errors must never skip it.
    Use a float64 network: float32 round-off alone gives errors around 1e-3.
    """
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating)) or not 0 < eps < 1:
        raise ValueError(tr("eps must be a small positive number such as 1e-5, got {eps!r}", eps=eps))
    if max_entries is not None and (isinstance(max_entries, bool) or not isinstance(max_entries, (int, np.integer))
                                    or max_entries < 1):
        raise ValueError(tr("max_entries must be None or a positive integer, got {value!r}", value=max_entries))
    rng = _checks.rng(seed)
    return_all = _checks.boolean(return_all, "return_all")
    floor = _checks.positive_number(floor, "floor")
    X, T = net.prepare(X, Y)
    _, grads, _ = net.loss_grads_output(X, T)
    errors = {}
    for name, p, g in zip(net.param_names(), net.params(), grads):
        g = np.asarray(g)
        if g.shape != p.shape:
            raise ValueError(tr("the analytic gradient for {name} has shape {g_shape}, but {name} has shape "
                                "{p_shape}: a gradient must have its parameter's shape (a transposed dW?)",
                                name=name, g_shape=g.shape, p_shape=p.shape))
        idx = np.arange(p.size)
        if max_entries is not None and p.size > max_entries:
            idx = np.sort(rng.choice(p.size, size=max_entries, replace=False))
        numeric = np.empty(idx.size)
        for k, i in enumerate(idx):
            entry = np.unravel_index(i, p.shape)   # index p itself: p.reshape(-1) may be a copy (non-contiguous p)
            old = p[entry]
            p[entry] = old + eps
            f_plus = net.loss_output(X, T)[0]
            p[entry] = old - eps
            f_minus = net.loss_output(X, T)[0]
            p[entry] = old                       # restore exactly
            numeric[k] = (f_plus - f_minus) / (2 * eps)
        analytic = g[np.unravel_index(idx, p.shape)]
        if not np.isfinite(analytic).all():
            raise FloatingPointError(tr(
                "gradcheck: the analytic gradient of {name} contains NaN or infinite values, so it cannot be "
                "checked: the backward pass produced them", name=name))
        if not np.isfinite(numeric).all():
            raise FloatingPointError(tr(
                "gradcheck: the numerical gradient of {name} contains NaN or infinite values, so it cannot be "
                "checked: the loss itself is not finite near these weights (try a smaller eps or smaller inputs)",
                name=name))
        errors[name] = relative_error(analytic, numeric, floor)
    return errors if return_all else max(errors.values())
