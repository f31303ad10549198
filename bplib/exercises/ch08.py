"""Self-checks for chapter 08 (the whole algorithm in one function, gradient clipping, learning-rate decay)."""
import numpy as np

from . import Hint, check, expect_array, expect_true, run


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
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    a2 = e / e.sum(axis=1, keepdims=True)
    delta2 = a2 - Y
    delta1 = (delta2 @ W2) * ((z1 > 0) if relu_mask else 1)
    s = 1 / m if scale else 1
    return delta1.T @ X * s, delta1.sum(axis=0) * s, delta2.T @ a1 * s, delta2.sum(axis=0) * s


@check
def check_backprop_784_100_10(backprop):
    """Exercise 08.1: backprop(X, Y, W1, b1, W2, b2) -> (dW1, db1, dW2, db2) for the article's ReLU/softmax net."""
    case = _two_layer_case()
    got = run(backprop, *case)
    expect_true(isinstance(got, (tuple, list)) and len(got) == 4,
                f"return the four gradients (dW1, db1, dW2, db2), got {type(got).__name__}")
    expected = _reference(*case)
    no_mask = _reference(*case, relu_mask=False)
    no_m = _reference(*case, scale=False)
    for name, g, e, nm, ns in zip(("dW1", "db1", "dW2", "db2"), got, expected, no_mask, no_m):
        mistakes = {"you forgot the 1/m of the batch mean": ns}
        if name in ("dW1", "db1"):
            mistakes["δ(1) needs the ReLU derivative: (δ(2) W(2)) ⊙ 1(z(1) > 0)"] = nm
        expect_array(g, e, name, mistakes=mistakes)
    return "all four gradients match: δ(2) = a(2) - y, δ(1) = (δ(2) W(2)) ⊙ 1(z(1) > 0), dW = (1/m) δᵀ a_prev."


@check
def check_clip_by_norm(clip_by_norm):
    """Exercise 08.2: clip_by_norm(grads, max_norm) -> grads scaled so their global norm is at most max_norm."""
    rng = np.random.default_rng(802)
    grads = [rng.standard_normal((3, 2)) * 10, rng.standard_normal(3) * 10]
    total = np.sqrt(sum(float(np.sum(g * g)) for g in grads))
    max_norm = 1.0
    got = run(clip_by_norm, grads, max_norm)
    expect_true(isinstance(got, (list, tuple)) and len(got) == 2,
                f"return a list with one array per gradient (2 here), got {type(got).__name__}")
    per_array = [g * min(1, max_norm / np.linalg.norm(g)) for g in grads]
    for k, (g, out) in enumerate(zip(grads, got)):
        expect_array(out, g * max_norm / total, f"grads[{k}]", mistakes={
            "scale all arrays by the same factor max_norm / (global norm over *all* arrays), so the direction "
            "of the full gradient is kept": per_array[k],
            "you clipped each entry to [-max_norm, max_norm]; rescale the whole gradient instead":
                np.clip(g, -max_norm, max_norm),
        })
    small = [g * 1e-3 for g in grads]
    got_small = run(clip_by_norm, small, max_norm)
    for k, (g, out) in enumerate(zip(small, got_small)):
        expect_array(out, g, f"grads[{k}] (already small)", mistakes={
            "a gradient whose norm is already below max_norm must be left unchanged (scale only when too big)":
                g * max_norm / (total * 1e-3),
        })
    return "one global scale factor min(1, max_norm / ‖g‖): a common guard against exploding gradients."


@check
def check_step_decay(step_decay):
    """Exercise 08.3: step_decay(epoch, lr0, drop, every) -> lr0 · drop^(epoch // every), epochs counted from 0."""
    lr0, drop, every = 0.1, 0.5, 10
    for epoch, expected in [(0, 0.1), (9, 0.1), (10, 0.05), (25, 0.025)]:
        got = run(step_decay, epoch, lr0, drop, every)
        if got is None:
            raise Hint("step_decay returned None: did you forget the `return` statement?")
        value = float(np.asarray(got, dtype=float))
        if epoch == 9 and np.isclose(value, lr0 * drop ** (epoch / every)):
            raise Hint("the rate should stay constant within each block of `every` epochs: use integer division "
                       "epoch // every")
        if epoch == 10 and np.isclose(value, lr0 * drop ** (epoch // every - 1)) and value != expected:
            raise Hint("at epoch 10 the first drop has happened: lr0 · drop^(10 // 10) = 0.05")
        expect_true(np.isclose(value, expected),
                    f"step_decay({epoch}, {lr0}, {drop}, {every}) = {value:g}, expected {expected:g}")
    lr0, drop, every = 1.0, 0.1, 3                      # drop ≠ 1 - drop, so the two readings differ
    for epoch, expected in [(2, 1.0), (3, 0.1), (7, 0.01)]:
        value = float(np.asarray(run(step_decay, epoch, lr0, drop, every), dtype=float))
        if np.isclose(value, lr0 * (1 - drop) ** (epoch // every)) and not np.isclose(value, expected):
            raise Hint(f"`drop` is the factor the rate is multiplied by (drop = {drop} keeps {drop:.0%} of it), "
                       f"not the fraction taken away: lr0 · drop^(epoch // every)")
        expect_true(np.isclose(value, expected),
                    f"step_decay({epoch}, {lr0}, {drop}, {every}) = {value:g}, expected {expected:g}")
    return "lr0 · drop^(epoch // every): big steps early, finer steps as the loss flattens."
