"""Self-checks for chapter 04 (gradients from δ, batch averaging, gradient checking, debugging; article 3.2, 4.2)."""
import inspect

import numpy as np

from . import Hint, check, expect_array, expect_scalar, run
from ..activations import sigmoid as _sigmoid, softmax as _softmax
from ..i18n import tr
from ..network import MLP


# ------------------------------------------------------------------------------------------------ 04.1, 04.2
def _grad_cases():
    rng = np.random.default_rng(401)
    # (m, n_l, n_{l-1}): non-square; one example; square (a transposed answer has the right shape); m = 7
    return [(rng.standard_normal((m, n)), rng.standard_normal((m, n_prev)))
            for m, n, n_prev in ((6, 3, 4), (1, 2, 5), (5, 3, 3), (7, 4, 2))]


@check
def check_weight_grad(weight_grad):
    """Exercise 04.1: weight_grad(delta, A_prev) -> ∂J/∂W(l) = (1/m) δᵀ A_prev, shape (n_l, n_{l-1})."""
    for delta, A_prev in _grad_cases():
        m = delta.shape[0]
        mistakes = {tr("you forgot the 1/m: J is the mean over the batch, so ∂J/∂W(l) = (1/m) Σ_i δ_i a_iᵀ"):
                    delta.T @ A_prev}
        if m > 1:
            mistakes[tr("you used only the first example; sum δ_i a_iᵀ over the whole batch, times 1/m")] = \
                np.outer(delta[0], A_prev[0])
            mistakes[tr("you used only the first example's δ_i a_iᵀ, times 1/m; sum over the whole batch")] = \
                np.outer(delta[0], A_prev[0]) / m
        if delta.shape[1] == A_prev.shape[1]:
            mistakes[tr("this is the article's a(l-1) δ(l)ᵀ (erratum 1), the transpose of the gradient: in this "
                        "square layer the shapes fit silently; ∂J/∂W(l) = δ(l) a(l-1)ᵀ")] = A_prev.T @ delta / m
        expect_array(run(weight_grad, delta, A_prev), delta.T @ A_prev / m,
                     f"dW (m = {m}, n_l = {delta.shape[1]}, n_(l-1) = {A_prev.shape[1]})", mistakes=mistakes)
    return tr("dW = (1/m) δᵀ A_prev, the shape of W(l), for any batch and layer shape.")


@check
def check_bias_grad(bias_grad):
    """Exercise 04.2: bias_grad(delta) -> ∂J/∂b(l) = (1/m) Σ_i δ_i, shape (n_l,)."""
    for delta, _ in _grad_cases():
        m, n = delta.shape
        db = run(bias_grad, delta)
        if np.shape(db) == (1, n):
            raise Hint(tr("db has shape (1, {n}), expected ({n},): b(l) is a vector; use delta.mean(axis=0) "
                          "(without keepdims)", n=n))
        if np.shape(db) == (m,) and m != n:
            raise Hint(tr("db has shape ({m},), expected ({n},): average over the examples (axis=0), not over the "
                          "units", m=m, n=n))
        mistakes = {tr("you forgot the 1/m: ∂J/∂b(l) = (1/m) Σ_i δ_i"): delta.sum(axis=0)}
        if m > 1:
            mistakes[tr("erratum 3: you took one example's δ; the bias gradient sums δ over the batch, times "
                        "1/m")] = delta[0]
            mistakes[tr("erratum 3: this is the article's (1/m) δ(l) for a single example; the bias gradient sums "
                        "δ_i over all m examples, then divides by m")] = delta[0] / m
        expect_array(db, delta.mean(axis=0), f"db (m = {m})", mistakes=mistakes)
    return tr("db = (1/m) Σ_i δ_i = delta.mean(axis=0), shape (n_l,), for any batch.")


# ------------------------------------------------------------------------------------------------ 04.3
def _uses_library(func, name):
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return False
    body = source.split(":", 1)[-1]
    return f"bplib.{name}" in body or f"gradcheck.{name}" in body


@check
def check_numerical_gradient(numerical_gradient):
    """Exercise 04.3: numerical_gradient(f, x, eps) -> central differences (f(x+εe_i) - f(x-εe_i)) / 2ε, x's shape."""
    if _uses_library(numerical_gradient, "numerical_gradient"):
        raise Hint(tr("your function calls bplib.numerical_gradient: write the loop over the entries yourself"))

    def f(x):
        return float(np.sum(x ** 3) + np.prod(x.reshape(-1)[:2]))

    def g_exact(x):
        flat = x.reshape(-1)
        extra = np.zeros(flat.size)
        extra[:2] = flat[1], flat[0]
        return 3 * x ** 2 + extra.reshape(x.shape)

    eps = 1e-3
    cases = [np.array([0.5, -1.0, 2.0]),                          # a vector
             np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]),   # a matrix: loop over every entry, keep the shape
             np.array([[1, -2], [3, 0]])]                         # integers: x + ε must not be rounded back
    for x in cases:
        xf = x.astype(float)
        forward = np.zeros(xf.shape)
        missing_2 = np.zeros(xf.shape)
        not_restored, shifted = np.zeros(xf.shape), xf.copy()
        for i in range(xf.size):
            e = np.zeros(xf.size)
            e[i] = eps
            e = e.reshape(xf.shape)
            forward.flat[i] = (f(xf + e) - f(xf)) / eps
            missing_2.flat[i] = (f(xf + e) - f(xf - e)) / eps
            shifted.flat[i] = xf.flat[i] + eps
            f_plus = f(shifted)
            shifted.flat[i] = xf.flat[i] - eps
            not_restored.flat[i] = (f_plus - f(shifted)) / (2 * eps)
        if x.dtype.kind == "i":
            name = tr("the numerical gradient for x of shape {shape} (integers)", shape=x.shape)
        else:
            name = tr("the numerical gradient for x of shape {shape}", shape=x.shape)
        g = run(numerical_gradient, f, x, eps)
        if x.dtype.kind == "i" and g is not None and np.shape(g) == x.shape and not np.allclose(
                np.asarray(g, dtype=float), g_exact(xf), rtol=1e-5, atol=1e-5):
            raise Hint(tr("right for float x, wrong for an integer x: x ± ε was rounded to an integer because your "
                          "copy kept x's integer dtype; make a float copy, x = np.array(x, dtype=float)"))
        expect_array(g, g_exact(xf), name, rtol=1e-5, atol=1e-5, mistakes={
            tr("this is the one-sided difference (f(x+ε) - f(x)) / ε, with error O(ε); "
               "use the central difference (f(x+ε) - f(x-ε)) / 2ε, error O(ε²)"): forward,
            tr("you divided by ε; the central difference divides by 2ε"): missing_2,
            tr("you did not put x[i] back after measuring entry i, so the later entries were measured at a shifted "
               "point: restore the old value before moving on"): not_restored,
        })
    return tr("central differences agree with the exact gradient to O(ε²) for vectors, matrices and integer x.")


@check
def check_relative_error(relative_error):
    """relative_error(g, n) = ‖g - n‖ / max(‖g‖ + ‖n‖, 1e-12) (exercise 04.4 of the first edition)."""
    g = np.array([[1e-4, -2e-4], [3e-4, 0.5e-4]])
    n = g + np.array([[1e-9, 0.0], [-2e-9, 0.0]])
    diff, size = np.linalg.norm(g - n), np.linalg.norm(g) + np.linalg.norm(n)
    r = run(relative_error, g, n)
    if r is not None and np.size(r) != 1:
        raise Hint(tr("relative error should be one number, got an array of shape {shape}: take the norm of the "
                      "whole array, np.linalg.norm(g - n), not entry by entry", shape=np.shape(r)))
    expect_scalar(r, diff / size, tr("relative error"), rtol=1e-6, atol=0, mistakes={
        tr("this is the absolute error ‖g - n‖: divide by ‖g‖ + ‖n‖ so the size of the gradient drops out"): diff,
        tr("you divided by ‖g‖ only; use ‖g‖ + ‖n‖"): diff / np.linalg.norm(g),
    })
    with np.errstate(all="ignore"):
        zero = run(relative_error, np.zeros(3), np.zeros(3))
    if zero is not None and np.size(zero) == 1 and not np.isfinite(float(np.asarray(zero, dtype=float).ravel()[0])):
        raise Hint(tr("relative_error(0, 0) is NaN (0 / 0): divide by max(‖g‖ + ‖n‖, 1e-12)"))
    expect_scalar(zero, 0.0, "relative_error(0, 0)", atol=1e-300)
    return tr("relative error = ‖g - n‖ / max(‖g‖ + ‖n‖, 1e-12) = {error:.1e} here, whatever the gradient's scale.",
              error=diff / size)


# ------------------------------------------------------------------------------------------------ 04.4
class _PlantedBugMLP(MLP):
    """An MLP whose backward pass has one planted bug in one parameter's gradient (for checking a gradient check)."""

    def __init__(self, *args, bug, **kwargs):
        super().__init__(*args, **kwargs)
        self.bug = bug

    def loss_and_grads(self, X, Y):
        loss, dW, db = super().loss_and_grads(X, Y)
        dW, db = [g.copy() for g in dW], [g.copy() for g in db]
        kind, layer = self.bug
        if kind == "W":
            dW[layer - 1] = dW[layer - 1] * 1.5
        else:
            db[layer - 1] = -db[layer - 1]
        return loss, dW, db


def _nets_for_grad_check():
    rng = np.random.default_rng(404)
    plain = MLP([3, 4, 2], activation="sigmoid", output="softmax", init="xavier", seed=4)
    deep = MLP([2, 5, 3, 4], activation="tanh", output="softmax", init="xavier", seed=5)
    bug_b = _PlantedBugMLP([3, 4, 2], activation="sigmoid", output="softmax", init="xavier", seed=6, bug=("b", 2))
    bug_w = _PlantedBugMLP([2, 5, 3, 4], activation="tanh", output="softmax", init="xavier", seed=7, bug=("W", 1))
    X3, y3 = rng.standard_normal((5, 3)), rng.integers(0, 2, 5)
    X2, y2 = rng.standard_normal((4, 2)), rng.integers(0, 4, 4)
    return [(plain, X3, y3, None), (deep, X2, y2, None), (bug_b, X3, y3, "b2"), (bug_w, X2, y2, "W1")]


@check
def check_grad_check(grad_check):
    """Exercise 04.4: grad_check(net, X, Y, eps) -> {"W1": rel. error, ..., "bL": ...}, analytic vs central differences."""
    for net, X, Y, bug in _nets_for_grad_check():
        before = [p.copy() for p in net.params()]
        names = net.param_names()
        with np.errstate(all="ignore"):
            report = run(grad_check, net, X, Y, 1e-5)
        if any(not np.array_equal(p, q) for p, q in zip(net.params(), before)):
            for p, q in zip(net.params(), before):
                p[...] = q
            raise Hint(tr("after your check the network's weights were changed: put every perturbed entry back to "
                          "its old value (or the rest of the notebook trains a different network)"))
        if not isinstance(report, dict):
            raise Hint(tr("return a dict {{name: relative error}} with the keys {keys}", keys=", ".join(names)))
        if sorted(report) != sorted(names):
            raise Hint(tr("the keys should be exactly {keys} for this {layers}-layer network (one per W(l) and b(l), "
                          "any depth); got {got}", keys=", ".join(names), layers=len(net.sizes) - 1,
                          got=", ".join(map(str, report))))
        try:
            errors = {k: float(np.asarray(v, dtype=float)) for k, v in report.items()}
        except (TypeError, ValueError):
            raise Hint(tr("each value should be one number, the relative error of that parameter's whole gradient "
                          "(‖g - n‖ / max(‖g‖ + ‖n‖, 1e-12) over all its entries)")) from None
        arch = "-".join(map(str, net.sizes))
        if bug is None:
            worst = max(errors, key=errors.get)
            if errors[worst] > 1e-7:
                e = errors[worst]
                if e > 0.5:
                    raise Hint(tr("on a CORRECT {arch} network your check reports {worst}: {error:.1e} (> 1e-7): "
                                  "your numerical gradient is (nearly) zero: did you perturb a copy of the weights? "
                                  "Change net.weights[l - 1][i, j] itself, call net.loss(X, Y), then restore it",
                                  arch=arch, worst=worst, error=e))
                raise Hint(tr("on a CORRECT {arch} network your check reports {worst}: {error:.1e} (> 1e-7): errors "
                              "this size on a correct float64 network come from the method: a one-sided difference "
                              "(use (J(θ+ε) - J(θ-ε)) / 2ε) or a wrong ε", arch=arch, worst=worst, error=e))
        else:
            if errors[bug] < 1e-4:
                raise Hint(tr("your check missed a planted bug in {bug} of a {arch} network (it reports {error:.1e}): "
                              "compare net.loss_and_grads's gradient with central differences of net.loss(X, Y), "
                              "never the analytic gradient with itself", bug=bug, arch=arch, error=errors[bug]))
            wrong = [k for k in names if k != bug and errors[k] > 1e-7]
            if wrong:
                raise Hint(tr("a {arch} network with a bug only in {bug}: your check also flags {flagged}: compare "
                              "each parameter's own analytic gradient with its own numerical one", arch=arch,
                              bug=bug, flagged=", ".join(wrong)))
    return tr("your check passes correct networks (< 1e-7) and points at exactly the parameter with a planted bug, "
              "for any depth; the weights are restored.")


# ------------------------------------------------------------------------------------------------ 04.5
def backprop_variant(weights, biases, X, Y, bug=None):
    """Reference backward pass (sigmoid hidden layers, softmax + cross-entropy), optionally with one named bug.

    bug: None, "planted" (the chapter's suspect: σ'(z) computed as z(1 - z)), "single_bias" (erratum 3),
    "single_bias_m", "no_1/m", "transpose", "no_sigma_prime". Returns (dW list, db list).
    """
    m, L = X.shape[0], len(weights)
    zs, acts = [], [X]
    for l, (W, b) in enumerate(zip(weights, biases), start=1):
        z = acts[-1] @ W.T + b
        zs.append(z)
        acts.append(_softmax(z) if l == L else _sigmoid(z))
    dW, db = [None] * L, [None] * L
    delta = acts[L] - Y
    scale = 1.0 if bug == "no_1/m" else 1.0 / m
    for l in range(L, 0, -1):
        g = delta.T @ acts[l - 1] * scale
        dW[l - 1] = g.T if bug == "transpose" else g
        if bug == "single_bias":
            db[l - 1] = delta[0].copy()
        elif bug == "single_bias_m":
            db[l - 1] = delta[0] / m
        else:
            db[l - 1] = delta.sum(axis=0) * scale
        if l > 1:
            z = zs[l - 2]
            s = _sigmoid(z)
            sp = z * (1 - z) if bug == "planted" else (1.0 if bug == "no_sigma_prime" else s * (1 - s))
            delta = (delta @ weights[l - 1]) * sp
    return dW, db


def _backprop_cases():
    rng = np.random.default_rng(405)
    cases = []
    for sizes, m in (([4, 4, 4, 4], 6), ([3, 5, 2], 7), ([2, 6, 4, 3, 5], 1), ([5, 3], 4)):
        weights = [rng.standard_normal((n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        biases = [rng.standard_normal(n_out) for n_out in sizes[1:]]
        X = rng.standard_normal((m, sizes[0]))
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], m)]
        cases.append((weights, biases, X, Y))
    return cases


#: the bugs `backprop_variant` can plant, in the order `check_backprop_fixed` looks for them
BUGS = ("planted", "single_bias", "single_bias_m", "no_1/m", "transpose", "no_sigma_prime")


def _bug_hint(bug, arch, m):
    """The hint for a backward pass that reproduces `bug` (one whole sentence per bug, in the reader's language)."""
    if bug == "planted":
        return tr("{arch} network, m = {m}: this is still the planted bug: compare the σ' line with chapter 03 "
                  "(σ'(z) = σ(z)(1 - σ(z)))", arch=arch, m=m)
    if bug == "single_bias":
        return tr("{arch} network, m = {m}: erratum 3: db uses one example's δ; the bias gradient sums δ over the "
                  "batch, times 1/m", arch=arch, m=m)
    if bug == "single_bias_m":
        return tr("{arch} network, m = {m}: erratum 3: db is the article's (1/m) δ of a single example; sum δ_i over "
                  "the batch, then /m", arch=arch, m=m)
    if bug == "no_1/m":
        return tr("{arch} network, m = {m}: every gradient is m times too large: J is the batch MEAN, divide by m",
                  arch=arch, m=m)
    if bug == "transpose":
        return tr("{arch} network, m = {m}: dW is transposed (erratum 1): ∂J/∂W(l) = (1/m) δᵀ A_prev has W(l)'s "
                  "shape (n_l, n_{{l-1}})", arch=arch, m=m)
    if bug == "no_sigma_prime":
        return tr("{arch} network, m = {m}: the step back lost its σ'(z(l)) factor: δ(l) = (δ(l+1) @ W(l+1)) * "
                  "σ'(z(l))", arch=arch, m=m)
    raise ValueError(f"unknown bug {bug!r}")


@check
def check_backprop_fixed(backprop_fixed):
    """Exercise 04.5: backprop_fixed(weights, biases, X, Y) -> (dW, db) for a sigmoid/softmax network of any depth."""
    for weights, biases, X, Y in _backprop_cases():
        arch = "-".join([str(weights[0].shape[1])] + [str(W.shape[0]) for W in weights])
        with np.errstate(all="ignore"):
            out = run(backprop_fixed, weights, biases, X, Y)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise Hint(tr("return two lists, (dW, db): dW[l - 1] is ∂J/∂W(l), db[l - 1] is ∂J/∂b(l)"))
        dW, db = out
        L = len(weights)
        if not isinstance(dW, (list, tuple)) or not isinstance(db, (list, tuple)) or len(dW) != L or len(db) != L:
            raise Hint(tr("for the {arch} network dW and db must be lists of {L} arrays each (one per layer, any "
                          "depth)", arch=arch, L=L))
        ref_W, ref_b = backprop_variant(weights, biases, X, Y)
        for bug in BUGS:
            bad_W, bad_b = backprop_variant(weights, biases, X, Y, bug)
            if all(np.shape(g) == r.shape and np.allclose(np.asarray(g, float), r) for g, r in zip(dW, bad_W)) and \
                    all(np.shape(g) == r.shape and np.allclose(np.asarray(g, float), r) for g, r in zip(db, bad_b)) and \
                    not all(np.allclose(r, q) for r, q in zip(bad_W + bad_b, ref_W + ref_b)):
                raise Hint(_bug_hint(bug, arch, X.shape[0]))
        for l in range(1, L + 1):
            expect_array(dW[l - 1], ref_W[l - 1], tr("dW[{index}] = ∂J/∂W({l}) of the {arch} network (m = {m})",
                                                     index=l - 1, l=l, arch=arch, m=X.shape[0]))
            expect_array(db[l - 1], ref_b[l - 1], tr("db[{index}] = ∂J/∂b({l}) of the {arch} network (m = {m})",
                                                     index=l - 1, l=l, arch=arch, m=X.shape[0]))
    return tr("your backward pass matches central differences' oracle for networks of depth 1 to 4, square and "
              "non-square, m = 1 to 7: bug found and fixed.")
