"""Self-checks for chapter 09 (summary): backprop for an L-layer network of any depth (the capstone), gradient
clipping, learning-rate decay. The 784-100-10 backprop of the earlier chapter-08 exercise is kept here too.

Exercises: 09.1 `check_backprop_L`, 09.2 `check_clip_by_norm`, 09.3 `check_step_decay`.
"""
import numpy as np

from . import Hint, check, expect_array, expect_true, run
from ..activations import softmax as _softmax
from ..i18n import tr


def _forward_L(X, weights, biases, sigma):
    """(zs, activations) of an MLP with hidden activation sigma and a softmax output; batch-major."""
    zs, acts = [], [X]
    L = len(weights)
    for l in range(1, L + 1):
        z = acts[-1] @ weights[l - 1].T + biases[l - 1]
        zs.append(z)
        acts.append(_softmax(z) if l == L else sigma(z))
    return zs, acts


def _loss_L(X, Y, weights, biases, sigma):
    """Mean cross-entropy of the softmax output."""
    a = _forward_L(X, weights, biases, sigma)[1][-1]
    return float(-np.mean(np.sum(Y * np.log(a), axis=1)))


def _backprop_L(X, Y, weights, biases, sigma, sigma_prime, mistake=None):
    """Reference gradients (dW, db) of the mean cross-entropy, or those of one typical mistake."""
    m, L = X.shape[0], len(weights)
    zs, acts = _forward_L(X, weights, biases, sigma)
    delta = acts[L] - Y                                          # δ(L) = a - y, row i per example
    if mistake == "elementwise":
        delta = -Y * (1 - acts[L])                              # the article's ∇aJ ⊙ diag(softmax')
    dW, db = [None] * L, [None] * L
    s = 1.0 if mistake == "no 1/m" else 1.0 / m
    for l in range(L, 0, -1):
        dW[l - 1] = delta.T @ acts[l - 1] * s
        db[l - 1] = delta[0] if mistake == "one example" else delta.sum(axis=0) * s
        if l > 1:
            back = delta @ weights[l - 1]
            if mistake == "no sigma'":
                delta = back
            elif mistake == "sigma'(a)":
                delta = back * sigma_prime(acts[l - 1])
            else:
                delta = back * sigma_prime(zs[l - 2])
    return dW, db


def _L_cases():
    """Depth 1 (no hidden layer), 2 and 4, non-square layers, m = 5, tanh and ReLU-like activations."""
    tanh = (np.tanh, lambda z: 1 - np.tanh(z) ** 2)
    softplus = (lambda z: np.logaddexp(0, z), lambda z: 0.5 * (1 + np.tanh(z / 2)))
    cases = []
    for k, (sizes, act) in enumerate([([4, 6, 3], tanh), ([5, 7, 3, 6, 4], softplus), ([4, 3], tanh)]):
        rng = np.random.default_rng(901 + k)
        m = 5
        X = rng.standard_normal((m, sizes[0]))
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], m)]
        weights = [rng.standard_normal((n_out, n_in)) / np.sqrt(n_in) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        biases = [0.1 * rng.standard_normal(n) for n in sizes[1:]]
        cases.append((X, Y, weights, biases, *act))
    return cases


def _two_lists(got, L, what="backprop"):
    if got is None:
        raise Hint(tr("{name} returned None: did you forget the `return` statement?", name=what))
    if isinstance(got, (tuple, list)):
        expect_true(len(got) == 2, tr("return a pair (dW, db) of two lists, got {type} of length {length}",
                                      type=type(got).__name__, length=len(got)))
    expect_true(isinstance(got, (tuple, list)), tr("return a pair (dW, db) of two lists, got {type}",
                                                   type=type(got).__name__))
    dW, db = got
    for name, g in (("dW", dW), ("db", db)):
        expect_true(isinstance(g, (tuple, list)), tr("{name} should be a list with one array per layer, got {type}",
                                                     name=name, type=type(g).__name__))
        expect_true(len(g) == L, tr("{name} has {n} entries, but this network has L = {L} layers: one gradient per "
                                    "layer, for any depth (loop l = L, ..., 1; don't hard-code two layers)",
                                    name=name, n=len(g), L=L))
    return dW, db


@check
def check_backprop_L(backprop):
    """Exercise 09.1: backprop(X, Y, weights, biases, sigma, sigma_prime) -> (dW, db) for any depth L >= 1.

    Softmax output, mean cross-entropy, hidden activation sigma with derivative sigma_prime (functions of z).
    """
    for X, Y, weights, biases, sigma, sigma_prime in _L_cases():
        L = len(weights)
        got = run(backprop, X, Y, weights, biases, sigma, sigma_prime)
        dW, db = _two_lists(got, L)
        ref_W, ref_b = _backprop_L(X, Y, weights, biases, sigma, sigma_prime)
        wrong = {k: _backprop_L(X, Y, weights, biases, sigma, sigma_prime, mistake=k)
                 for k in ("no 1/m", "no sigma'", "sigma'(a)", "elementwise", "one example")}
        hints = {
            "no 1/m": tr("you forgot the 1/m: J is the mean over the batch, so dW(l) = (1/m) Σ_i δ(l)_i "
                         "a(l-1)_iᵀ"),
            "no sigma'": tr("the recursion needs the derivative: δ(l) = (δ(l+1) W(l+1)) ⊙ σ'(z(l))"),
            "sigma'(a)": tr("σ' takes z(l), the layer's input to σ, not its output a(l) = σ(z(l))"),
            "elementwise": tr("δ(L) for softmax + cross-entropy is a - y; the element-wise ∇aJ ⊙ σ'(z(L)) ignores "
                              "that every softmax output depends on every z (the article's erratum 4)"),
            "one example": tr("db(l) is the mean of δ(l) over the batch, not the first example's δ (erratum 3)"),
        }
        if L > 1 and len(dW) == L and np.shape(dW[0]) == ref_W[-1].shape and np.shape(dW[-1]) == ref_W[0].shape \
                and ref_W[0].shape != ref_W[-1].shape:
            raise Hint(tr("your lists run from the output back to the input: dW[0] must be ∂J/∂W(1), the first "
                          "layer's (fill dW[l - 1] while l runs from L down to 1)"))
        for l in range(L):
            for name, g, e, idx in ((f"dW[{l}]", dW[l], ref_W[l], 0), (f"db[{l}]", db[l], ref_b[l], 1)):
                expect_array(g, e, name, mistakes={hints[k]: w[idx][l] for k, w in wrong.items()
                                                   if not np.allclose(w[idx][l], e)})
    return tr("dW and db for depth 1, 2 and 4, non-square layers, two activations: δ(L) = a - y, "
              "δ(l) = (δ(l+1) W(l+1)) ⊙ σ'(z(l)), dW(l) = (1/m) δ(l)ᵀ a(l-1), db(l) = mean of δ(l).")


# ---------------------------------------------------------------------- the earlier 08.1 (784-100-10 form)
def _two_layer_case():
    rng = np.random.default_rng(801)
    m, n0, n1, k = 5, 4, 3, 3
    X = rng.standard_normal((m, n0))
    Y = np.eye(k)[rng.integers(0, k, m)]
    W1, b1 = rng.standard_normal((n1, n0)), 0.1 * rng.standard_normal(n1)
    W2, b2 = rng.standard_normal((k, n1)), 0.1 * rng.standard_normal(k)
    return X, Y, W1, b1, W2, b2


def _reference(X, Y, W1, b1, W2, b2, relu_mask=True, scale=True):
    m = X.shape[0]
    z1 = X @ W1.T + b1
    a1 = np.maximum(z1, 0)
    z2 = a1 @ W2.T + b2
    delta2 = _softmax(z2) - Y
    delta1 = (delta2 @ W2) * ((z1 > 0) if relu_mask else 1)
    s = 1 / m if scale else 1
    return delta1.T @ X * s, delta1.sum(axis=0) * s, delta2.T @ a1 * s, delta2.sum(axis=0) * s


@check
def check_backprop_784_100_10(backprop):
    """backprop(X, Y, W1, b1, W2, b2) -> (dW1, db1, dW2, db2) for the article's ReLU/softmax net (earlier 08.1)."""
    case = _two_layer_case()
    got = run(backprop, *case)
    expect_true(isinstance(got, (tuple, list)) and len(got) == 4,
                tr("return the four gradients (dW1, db1, dW2, db2), got {type}", type=type(got).__name__))
    expected = _reference(*case)
    no_mask = _reference(*case, relu_mask=False)
    no_m = _reference(*case, scale=False)
    for name, g, e, nm, ns in zip(("dW1", "db1", "dW2", "db2"), got, expected, no_mask, no_m):
        mistakes = {tr("you forgot the 1/m of the batch mean"): ns}
        if name in ("dW1", "db1"):
            mistakes[tr("δ(1) needs the ReLU derivative: (δ(2) W(2)) ⊙ 1(z(1) > 0)")] = nm
        expect_array(g, e, name, mistakes=mistakes)
    return tr("all four gradients match: δ(2) = a(2) - y, δ(1) = (δ(2) W(2)) ⊙ 1(z(1) > 0), dW = (1/m) δᵀ a_prev.")


# ---------------------------------------------------------------------- 09.2 and 09.3
@check
def check_clip_by_norm(clip_by_norm):
    """Exercise 09.2: clip_by_norm(grads, max_norm) -> a new list, scaled so the global norm is at most max_norm."""
    rng = np.random.default_rng(802)
    grads = [rng.standard_normal((3, 2)) * 10, rng.standard_normal(3) * 10, rng.standard_normal((2, 4))]
    total = np.sqrt(sum(float(np.sum(g * g)) for g in grads))
    max_norm = 2.0
    got = run(clip_by_norm, grads, max_norm)
    if got is None:
        raise Hint(tr("clip_by_norm returned None: return the list of (possibly rescaled) gradient arrays"))
    expect_true(isinstance(got, (list, tuple)) and len(got) == len(grads),
                tr("return a list with one array per gradient ({n} here), got {type}", n=len(grads),
                   type=type(got).__name__))
    per_array = [g * min(1, max_norm / np.linalg.norm(g)) for g in grads]
    sum_of_norms = sum(float(np.linalg.norm(g)) for g in grads)
    for k, (g, out) in enumerate(zip(grads, got)):
        expect_array(out, g * max_norm / total, f"grads[{k}]", mistakes={
            tr("scale all arrays by the same factor max_norm / (global norm over *all* arrays), so the direction "
               "of the full gradient is kept"): per_array[k],
            tr("you clipped each entry to [-max_norm, max_norm]; rescale the whole gradient instead"):
                np.clip(g, -max_norm, max_norm),
            tr("the factor is max_norm / norm, not norm / max_norm"): g * total / max_norm,
            tr("the global norm is √(Σ_k ‖g_k‖²) (square root of the sum of all squared entries), not the sum of "
               "the arrays' norms Σ_k ‖g_k‖"): g * max_norm / sum_of_norms,
        })
    small = [g * 1e-2 for g in grads]                       # global norm ≈ 0.3 < max_norm
    got_small = run(clip_by_norm, small, max_norm)
    expect_true(isinstance(got_small, (list, tuple)) and len(got_small) == len(small),
                tr("return a list with one array per gradient, also when nothing needs clipping"))
    for k, (g, out) in enumerate(zip(small, got_small)):
        expect_array(out, g, tr("grads[{k}] (norm already below max_norm)", k=k), mistakes={
            tr("a gradient whose norm is already below max_norm must be left unchanged (scale only when too big)"):
                g * max_norm / (total * 1e-2),
        })
    return tr("one global scale factor min(1, max_norm / ‖g‖): a common guard against exploding gradients.")


@check
def check_step_decay(step_decay):
    """Exercise 09.3: step_decay(epoch, lr0, drop, every) -> lr0 · drop^(epoch // every), epochs counted from 0."""
    def value_of(epoch, lr0, drop, every):
        got = run(step_decay, epoch, lr0, drop, every)
        if got is None:
            raise Hint(tr("step_decay returned None: did you forget the `return` statement?"))
        try:
            return float(np.asarray(got, dtype=float))
        except (TypeError, ValueError):
            raise Hint(tr("step_decay should return one number, got {type}", type=type(got).__name__)) from None

    lr0, drop, every = 0.1, 0.5, 10
    for epoch, expected in [(0, 0.1), (9, 0.1), (10, 0.05), (25, 0.025)]:
        value = value_of(epoch, lr0, drop, every)
        if epoch == 9 and np.isclose(value, lr0 * drop ** (epoch / every)):
            raise Hint(tr("the rate should stay constant within each block of `every` epochs: use integer "
                          "division epoch // every"))
        if epoch == 10 and np.isclose(value, lr0 * drop ** (epoch // every - 1)) and value != expected:
            raise Hint(tr("at epoch 10 the first drop has happened: lr0 · drop^(10 // 10) = 0.05"))
        expect_true(np.isclose(value, expected),
                    tr("step_decay({epoch}, {lr0}, {drop}, {every}) = {value:g}, expected {expected:g}", epoch=epoch,
                       lr0=lr0, drop=drop, every=every, value=value, expected=expected))
    lr0, drop, every = 1.0, 0.1, 3                      # drop ≠ 1 - drop, so the two readings differ
    for epoch, expected in [(2, 1.0), (3, 0.1), (7, 0.01)]:
        value = value_of(epoch, lr0, drop, every)
        if np.isclose(value, lr0 * (1 - drop) ** (epoch // every)) and not np.isclose(value, expected):
            raise Hint(tr("`drop` is the factor the rate is multiplied by (drop = {drop} keeps {drop:.0%} of it), "
                          "not the fraction taken away: lr0 · drop^(epoch // every)", drop=drop))
        expect_true(np.isclose(value, expected),
                    tr("step_decay({epoch}, {lr0}, {drop}, {every}) = {value:g}, expected {expected:g}", epoch=epoch,
                       lr0=lr0, drop=drop, every=every, value=value, expected=expected))
    return tr("lr0 · drop^(epoch // every): big steps early, finer steps as the loss flattens.")
