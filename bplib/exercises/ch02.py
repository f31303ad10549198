"""Self-checks for chapter 02 (loss functions and gradient descent, article 2.2).

Inputs are chosen so that every named mistake gives a different number (m = 5 examples, k = 3 outputs: m is not
a multiple of k, so "divide by k" and "divide by m" differ), and each check tries more than one input.
"""
import numpy as np

from . import Hint, check, expect_array, expect_scalar, run
from ..i18n import tr


def _regression_cases():
    rng = np.random.default_rng(201)
    return [(rng.standard_normal((5, 3)), rng.standard_normal((5, 3))),
            (rng.standard_normal((4, 1)), rng.standard_normal((4, 1)))]


def _mse_mistakes(y_hat, y):
    m, k = y.shape
    sq = np.sum((y_hat - y) ** 2)
    mistakes = {
        tr("you forgot the ½ in J = (1/2m) Σ (y_hat - y)²"): sq / m,
        tr("you summed over the batch: divide by m (J is the mean over examples)"): sq / 2,
        tr("you averaged over all m·k entries and forgot the ½"): sq / y.size,
    }
    if k > 1:
        mistakes[tr("you divided by every entry (m·k); divide by m only, then sum over the k outputs")] = \
            sq / (2 * y.size)
        mistakes[tr("you divided by k, the number of outputs; divide by m, the number of examples")] = sq / (2 * k)
    return sq / (2 * m), mistakes


@check
def check_mse(mse):
    """Exercise 02.1 (the loss value alone): mse(y_hat, y) = (1/2m) Σ_i Σ_j (y_hat_ij - y_ij)², shapes (m, k)."""
    for y_hat, y in _regression_cases():
        out = run(mse, y_hat, y)
        if isinstance(out, (tuple, list)) and len(out) == 2:
            out = out[0]                              # the two-output version of exercise 02.1 is fine here too
        expected, mistakes = _mse_mistakes(y_hat, y)
        expect_scalar(out, expected, "J", mistakes=mistakes)
    return tr("J = (1/2m) Σ (y_hat - y)²: the mean over examples of half the squared error.")


@check
def check_mse_and_grad(mse_and_grad):
    """Exercise 02.1: mse_and_grad(y_hat, y) -> (J, dJ/dy_hat) with J = (1/2m) Σ (y_hat - y)², dJ/dy_hat (m, k)."""
    for y_hat, y in _regression_cases():
        out = run(mse_and_grad, y_hat, y)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise Hint(tr("return two things: the loss J (a number) and the gradient dJ/dy_hat (an array of y_hat's "
                          "shape), e.g. `return J, G`"))
        J, G = out
        m, k = y.shape
        expected, mistakes = _mse_mistakes(y_hat, y)
        expect_scalar(J, expected, "J", mistakes=mistakes)
        grad = (y_hat - y) / m
        grad_mistakes = {
            tr("you forgot the 1/m: J is a mean over m examples, so each example's share of the gradient is 1/m"):
                y_hat - y,
            tr("the sign is wrong: J grows when y_hat moves away from y, so dJ/dy_hat = (y_hat - y) / m"): -grad,
            tr("the ½ cancels the 2 of the square: d/dŷ ½(ŷ - y)² = ŷ - y, not 2(ŷ - y)"): 2 * grad,
        }
        if k > 1:
            grad_mistakes[tr("you divided by m·k; J divides by m only, so dJ/dy_hat = (y_hat - y) / m")] = grad / k
        expect_array(G, grad, "dJ/dy_hat", mistakes=grad_mistakes)
    return tr("J = (1/2m) Σ (ŷ - y)² and dJ/dŷ = (ŷ - y) / m: the ½ cancels the square's 2, the 1/m stays.")


def _class_cases():
    rng = np.random.default_rng(202)
    z = rng.standard_normal((5, 3))
    P = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    Y = np.eye(3)[rng.integers(0, 3, 5)]
    z2 = np.array([[0.0, 1000.0, -1000.0], [2.0, 1.0, -900.0], [-800.0, 0.5, 0.0], [10.0, -990.0, 9.0]])
    P2 = np.exp(z2 - z2.max(axis=1, keepdims=True))
    P2 /= P2.sum(axis=1, keepdims=True)               # several probabilities underflow to exactly 0
    Y2 = np.eye(3)[[1, 0, 2, 0]]                       # ... but never the true class's
    return [(P, Y), (P2, Y2)]


@check
def check_cross_entropy(cross_entropy):
    """Exercise 02.2: cross_entropy(P, Y) = -(1/m) Σ_i Σ_j Y_ij log P_ij; P may hold exact zeros outside the true class."""
    for case, (P, Y) in enumerate(_class_cases()):
        m = Y.shape[0]
        true_p = P[Y == 1]
        s = np.sum(np.log(true_p))
        with np.errstate(all="ignore"):
            J = run(cross_entropy, P, Y)
        if case == 1 and J is not None and np.size(J) == 1 and not np.isfinite(float(np.asarray(J, float).ravel()[0])):
            raise Hint(tr("J is NaN or inf for probabilities that underflowed to exactly 0 in classes that are NOT "
                          "the true one: Y * np.log(P) computes 0 · log 0 = 0 · (-inf) = NaN. Only the true class's "
                          "log p counts: take log of P[Y == 1] (or np.log(P, where=Y > 0, ...))"))
        mistakes = {
            tr("the sign is wrong: J = -(1/m) Σ y log p is positive, since log p < 0"): s / m,
            tr("you summed over the batch: divide by m"): -s,
            tr("you divided by m·k; divide by m only"): -s / Y.size,
        }
        if case == 0:
            mistakes[tr("you used log(1 - p) too: for softmax outputs only the true class's log p counts")] = \
                -(s + np.sum((1 - Y) * np.log(1 - P))) / m
        expect_scalar(J, -s / m, "J", rtol=1e-6, atol=1e-9, mistakes=mistakes)
    return tr("J = -(1/m) Σ log p_true: minus the mean log probability of the true class, finite even where other "
              "classes' probabilities are 0.")


def _reference_path(grad, w0, lr, steps, sign=-1.0):
    w = np.array(w0, dtype=np.float64)
    path = [w.copy()]
    for _ in range(steps):
        w = w + sign * lr * grad(w)
        path.append(w.copy())
    return np.array(path)


def _gd_cases():
    A = np.array([[3.0, 0.5], [0.5, 1.0]])
    B = np.diag([1.0, 4.0, 0.5])
    c = np.array([1.0, -2.0, 0.5])
    return [((lambda w: A @ w), np.array([2.0, -1.5]), 0.1, 20),
            ((lambda w: B @ (w - c)), [0.0, 1.0, -1.0], 0.2, 7),       # w0 as a list, d = 3
            ((lambda w: 2 * w), np.array([1.0]), 0.25, 3)]


@check
def check_gradient_descent(gradient_descent):
    """Exercise 02.3: gradient_descent(grad, w0, lr, steps) -> path of shape (steps + 1, d), path[0] = w0."""
    for grad, w0, lr, steps in _gd_cases():
        path = run(gradient_descent, grad, w0, lr, steps)
        expected = _reference_path(grad, w0, lr, steps)
        d = expected.shape[1]
        if np.shape(path) == (steps, d):
            if np.allclose(path, expected[1:]):
                raise Hint(tr("path has {steps} rows, expected {rows}: put the starting point w0 in path[0]",
                              steps=steps, rows=steps + 1))
            if np.allclose(path, expected[:-1]):
                raise Hint(tr("path has {steps} rows, expected {rows}: you stopped one step early",
                              steps=steps, rows=steps + 1))
        expect_array(path, expected, tr("path (d = {d}, {steps} steps)", d=d, steps=steps), mistakes={
            tr("you stepped uphill: the update is w := w - lr * grad(w)"):
                _reference_path(grad, w0, lr, steps, sign=1.0),
            tr("the learning rate is missing: the update is w := w - lr * grad(w)"):
                _reference_path(grad, w0, 1.0, steps),
            tr("every row is the final w: you appended one array and then changed it in place (w -= ...); "
               "append a copy, or write w = w - lr * grad(w)"): np.repeat(expected[-1:], steps + 1, axis=0),
        })
    grad, w0, lr, _ = _gd_cases()[0]
    expect_array(run(gradient_descent, grad, w0, lr, 0), w0.reshape(1, 2), "gradient_descent(..., steps=0)")
    return tr("w := w - lr ∇J(w) in 1, 2 and 3 dimensions; path[0] is the start, and the start is left unchanged.")


LR_X = np.array([1.0, 2.0, 3.0])
LR_Y = np.array([1.0, 3.0, 2.0])
LR_KEYS = ("grad_at_0", "curvature", "w_star", "lr_max", "w_after_one_step")


@check
def check_lr_numbers(lr_answers):
    """Exercise 02.4: five numbers for J(w) = (1/2m) Σ (w x_i - y_i)², x = (1, 2, 3), y = (1, 3, 2), worked by hand."""
    answers = run(lr_answers)
    if not isinstance(answers, dict):
        raise Hint(tr("return a dict with the keys {keys}", keys=", ".join(LR_KEYS)))
    missing = [k for k in LR_KEYS if k not in answers]
    if missing:
        raise Hint(tr("the dict lacks {keys}", keys=", ".join(missing)))
    m = LR_X.size
    sxy, sxx = float(LR_X @ LR_Y), float(LR_X @ LR_X)
    a = sxx / m
    g0 = -sxy / m
    tol = dict(rtol=2e-3, atol=1e-4)                  # four significant digits are enough
    expect_scalar(answers["grad_at_0"], g0, tr("grad_at_0 = dJ/dw at w = 0"), **tol, mistakes={
        tr("you forgot the 1/m: J is a mean, so dJ/dw = (1/m) Σ (w x_i - y_i) x_i"): -sxy,
        tr("the sign is wrong: at w = 0, dJ/dw = (1/m) Σ (0 - y_i) x_i < 0"): -g0,
    })
    expect_scalar(answers["curvature"], a, tr("curvature a = d²J/dw²"), **tol, mistakes={
        tr("you forgot the 1/m: a = (1/m) Σ x_i²"): sxx,
        tr("this is 2a: the ½ in J cancels the 2 of the square"): 2 * a,
    })
    expect_scalar(answers["w_star"], sxy / sxx, "w_star", **tol, mistakes={
        tr("w* solves dJ/dw = 0: Σ (w x_i - y_i) x_i = 0, so w* = Σ x_i y_i / Σ x_i²"): float(np.mean(LR_Y / LR_X)),
        tr("this is Σ y_i / Σ x_i; set dJ/dw = 0 instead"): float(LR_Y.sum() / LR_X.sum()),
    })
    expect_scalar(answers["lr_max"], 2 / a, "lr_max", **tol, mistakes={
        tr("1/a is where the steps start to overshoot (1 - α a < 0), but they still converge up to 2/a, where "
           "|1 - α a| reaches 1"): 1 / a,
        tr("each step multiplies the error by 1 - α a: it shrinks while |1 - α a| < 1, i.e. α < 2/a "
           "(a = (1/m) Σ x², with the 1/m)"): 2 / sxx,
    })
    expect_scalar(answers["w_after_one_step"], -0.1 * g0, "w_after_one_step", **tol, mistakes={
        tr("you stepped uphill: w := w - α dJ/dw"): 0.1 * g0,
        tr("you left out the 1/m in dJ/dw"): 0.1 * sxy,
    })
    return tr("dJ/dw(0) = {g0:.4f}, a = {a:.4f}, w* = {w_star:.4f}, α < 2/a = {lr_max:.4f}, one step from 0 with "
              "α = 0.1 gives w = {w1:.4f}.", g0=g0, a=a, w_star=sxy / sxx, lr_max=2 / a, w1=-0.1 * g0)
