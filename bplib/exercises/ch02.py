"""Self-checks for chapter 02 (loss functions and gradient descent, article 2.2)."""
import numpy as np

from . import Hint, check, expect_array, expect_scalar, run


def _regression_data():
    rng = np.random.default_rng(201)
    y_hat = rng.standard_normal((6, 3))
    y = rng.standard_normal((6, 3))
    return y_hat, y


@check
def check_mse(mse):
    """Exercise 02.1: mse(y_hat, y) = (1/2m) Σ_i Σ_j (y_hat_ij - y_ij)², y_hat and y of shape (m, k)."""
    y_hat, y = _regression_data()
    m = y.shape[0]
    sq = np.sum((y_hat - y) ** 2)
    J = run(mse, y_hat, y)
    expect_scalar(J, sq / (2 * m), "J", mistakes={
        "you forgot the ½ in J = (1/2m) Σ (y_hat - y)²": sq / m,
        "you summed over the batch: divide by m (J is the mean over examples)": sq / 2,
        "you divided by every entry (m·k); divide by m only, then sum over the k outputs": sq / (2 * y.size),
        "you averaged over all m·k entries and forgot the ½": sq / y.size,
    })
    return "J = (1/2m) Σ (y_hat - y)²: the mean over examples of half the squared error."


def _class_data():
    rng = np.random.default_rng(202)
    z = rng.standard_normal((5, 3))
    P = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    Y = np.eye(3)[rng.integers(0, 3, 5)]
    return P, Y


@check
def check_cross_entropy(cross_entropy):
    """Exercise 02.2: cross_entropy(P, Y) = -(1/m) Σ_i Σ_j Y_ij log P_ij for probabilities P and one-hot Y (m, k)."""
    P, Y = _class_data()
    m = Y.shape[0]
    s = np.sum(Y * np.log(P))
    J = run(cross_entropy, P, Y)
    expect_scalar(J, -s / m, "J", mistakes={
        "the sign is wrong: J = -(1/m) Σ y log p is positive, since log p < 0": s / m,
        "you summed over the batch: divide by m": -s,
        "you divided by m·k; divide by m only": -s / Y.size,
        "you used log(1 - p) too: for softmax outputs only the true class's log p counts":
            -(s + np.sum((1 - Y) * np.log(1 - P))) / m,
    })
    return "J = -(1/m) Σ y log p: minus the mean log probability of the true class."


def _quadratic():
    A = np.array([[3.0, 0.5], [0.5, 1.0]])
    return A, (lambda w: A @ w), np.array([2.0, -1.5])


def _reference_path(grad, w0, lr, steps, sign=-1.0, include_start=True):
    w = np.array(w0, dtype=np.float64)
    path = [w.copy()] if include_start else []
    for _ in range(steps):
        w = w + sign * lr * grad(w)
        path.append(w.copy())
    return np.array(path)


@check
def check_gradient_descent(gradient_descent):
    """Exercise 02.3: gradient_descent(grad, w0, lr, steps) -> path of shape (steps + 1, d), path[0] = w0."""
    A, grad, w0 = _quadratic()
    lr, steps = 0.1, 20
    path = run(gradient_descent, grad, w0, lr, steps)
    expected = _reference_path(grad, w0, lr, steps)
    if np.shape(path) == (steps, 2):
        if np.allclose(path, expected[1:]):
            raise Hint("path has 20 rows, expected 21: put the starting point w0 in path[0]")
        if np.allclose(path, expected[:-1]):
            raise Hint("path has 20 rows, expected 21: you stopped one step early (or appended before updating)")
    expect_array(path, expected, "path", mistakes={
        "you stepped uphill: the update is w := w - lr * grad(w)": _reference_path(grad, w0, lr, steps, sign=1.0),
        "the learning rate is missing: the update is w := w - lr * grad(w)":
            _reference_path(grad, w0, 1.0, steps),
        "every row is the final w: you appended one array and then changed it in place (w -= ...); "
        "append a copy, or write w = w - lr * grad(w)": np.repeat(expected[-1:], steps + 1, axis=0),
    })
    moved = run(gradient_descent, grad, w0, lr, 0)
    expect_array(moved, w0.reshape(1, 2), "gradient_descent(..., steps=0)")
    return "w := w - lr ∇J(w), 20 steps on a 2-D quadratic bowl; path[0] is the start."
