"""Self-checks for chapter 04 (gradients from δ, batch averaging, gradient checking; article 3.2, 4.2)."""
import numpy as np

from . import Hint, check, expect_array, expect_scalar, run


def _grad_data():
    rng = np.random.default_rng(401)
    delta = rng.standard_normal((6, 3))       # δ(l): (m, n_l) = (6, 3)
    A_prev = rng.standard_normal((6, 4))      # a(l-1): (m, n_{l-1}) = (6, 4)
    return delta, A_prev


@check
def check_weight_grad(weight_grad):
    """Exercise 04.1: weight_grad(delta, A_prev) -> ∂J/∂W(l) = (1/m) δᵀ A_prev, shape (n_l, n_{l-1})."""
    delta, A_prev = _grad_data()
    m = delta.shape[0]
    dW = run(weight_grad, delta, A_prev)
    expect_array(dW, delta.T @ A_prev / m, "dW", mistakes={
        "you forgot the 1/m: J is the mean over the batch, so ∂J/∂W(l) = (1/m) Σ_i δ_i a_iᵀ": delta.T @ A_prev,
        "you used only the first example; sum δ_i a_iᵀ over the whole batch, times 1/m":
            np.outer(delta[0], A_prev[0]),
    })
    return "dW = (1/m) δᵀ A_prev, shape (n_l, n_{l-1}) = (3, 4): the shape of W(l), as it must be."


@check
def check_bias_grad(bias_grad):
    """Exercise 04.2: bias_grad(delta) -> ∂J/∂b(l) = (1/m) Σ_i δ_i, shape (n_l,)."""
    delta, _ = _grad_data()
    m = delta.shape[0]
    db = run(bias_grad, delta)
    if np.shape(db) == (1, 3):
        raise Hint("db has shape (1, 3), expected (3,): b(l) is a vector; use delta.mean(axis=0) "
                   "(or keepdims=False)")
    if np.shape(db) == (6,):
        raise Hint("db has shape (6,), expected (3,): average over the examples (axis=0), not the units")
    expect_array(db, delta.mean(axis=0), "db", mistakes={
        "you forgot the 1/m: ∂J/∂b(l) = (1/m) Σ_i δ_i": delta.sum(axis=0),
        "you took one example's δ; the bias gradient sums δ over the batch, times 1/m (erratum 3)": delta[0],
    })
    return "db = (1/m) Σ_i δ_i = delta.mean(axis=0), shape (n_l,) = (3,)."


@check
def check_numerical_gradient(numerical_gradient):
    """Exercise 04.3: numerical_gradient(f, x, eps) -> central differences (f(x+εe_i) - f(x-εe_i)) / 2ε, x's shape."""
    def f(x):
        return float(np.sum(x ** 3) + np.prod(x[:2]))

    x = np.array([0.5, -1.0, 2.0])
    eps = 1e-3
    exact = 3 * x ** 2 + np.array([x[1], x[0], 0.0])
    forward = np.array([(f(x + eps * e) - f(x)) / eps for e in np.eye(3)])
    missing_2 = np.array([(f(x + eps * e) - f(x - eps * e)) / eps for e in np.eye(3)])
    not_restored, shifted = np.zeros(3), x.copy()     # x[i] left at x[i] - ε before the next entry is measured
    for i in range(3):
        shifted[i] = x[i] + eps
        f_plus = f(shifted)
        shifted[i] = x[i] - eps
        not_restored[i] = (f_plus - f(shifted)) / (2 * eps)
    g = run(numerical_gradient, f, x, eps)
    expect_array(g, exact, "the numerical gradient", rtol=1e-5, atol=1e-5, mistakes={
        "this is the one-sided difference (f(x+ε) - f(x)) / ε, with error O(ε); "
        "use the central difference (f(x+ε) - f(x-ε)) / 2ε, error O(ε²)": forward,
        "you divided by ε; the central difference divides by 2ε": missing_2,
        "you did not put x[i] back after measuring entry i, so the later entries were measured at a shifted "
        "point: restore the old value before moving on": not_restored,
    })
    probe = x.copy()                                  # passed without a copy: does the function change its input?
    run(lambda: numerical_gradient(f, probe, eps))
    if not np.allclose(probe, x, rtol=0, atol=1e-12):
        raise Hint(f"your function changed the caller's x (it is now {np.round(probe, 6).tolist()}, was "
                   f"{x.tolist()}): work on a copy, x = np.array(x, dtype=float), or restore every entry")
    return "central differences agree with the exact gradient to O(ε²) (about 1e-6 here for ε = 1e-3)."


@check
def check_relative_error(relative_error):
    """Exercise 04.4: relative_error(g, n) = ‖g - n‖ / max(‖g‖ + ‖n‖, 1e-12)."""
    g = np.array([1e-4, -2e-4, 3e-4])
    n = g + np.array([1e-9, 0.0, -2e-9])
    diff, size = np.linalg.norm(g - n), np.linalg.norm(g) + np.linalg.norm(n)
    r = run(relative_error, g, n)
    expect_scalar(r, diff / size, "relative error", rtol=1e-6, atol=0, mistakes={
        "this is the absolute error ‖g - n‖: divide by ‖g‖ + ‖n‖ so the size of the gradient drops out": diff,
        "you divided by ‖g‖ only; use ‖g‖ + ‖n‖": diff / np.linalg.norm(g),
    })
    zero = run(relative_error, np.zeros(3), np.zeros(3))
    if zero is not None and np.size(zero) == 1 and not np.isfinite(float(np.asarray(zero, dtype=float).ravel()[0])):
        raise Hint("relative_error(0, 0) is NaN (0 / 0): divide by max(‖g‖ + ‖n‖, 1e-12)")
    expect_scalar(zero, 0.0, "relative_error(0, 0)", atol=1e-300)
    return (f"relative error = ‖g - n‖ / max(‖g‖ + ‖n‖, 1e-12) = {diff / size:.1e} here, "
            f"whatever the gradient's scale.")
