"""Plain gradient descent on small loss surfaces (article 2.2), for chapter 02's pictures and widget.

    w := w - lr ∇J(w)                                    (one gradient-descent step)

Surfaces: a 1-D and a 2-D linear-regression loss (quadratic bowls), an ill-conditioned 2-D quadratic (zig-zag),
and a non-convex 1-D "double well" with two minima (erratum 6: no global-optimum guarantee). Every J accepts
points of shape (..., d) and returns shape (...), so the same function draws a whole curve or contour grid.
"""
import numbers

import numpy as np

from .. import _checks
from ..i18n import tr

#: a path stops early once |w| exceeds this (the run is diverging; the number would overflow soon)
DIVERGED = 1e6
#: colours of the paths drawn by `plot_contours`, in order; use them in companion plots so a run keeps its colour
PATH_COLORS = ("#d62728", "#ff7f0e", "#9467bd", "#2ca02c")


# ------------------------------------------------------------------ surfaces
def regression_data(m=40, seed=0):
    """Seeded 1-D regression data: x (m,) in [-1.5, 1.5], y = 2x + 1 + noise (std 0.3) -> (x, y)."""
    m = _checks.positive_int(m, "m")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.5, 1.5, m)
    y = 2.0 * x + 1.0 + 0.3 * rng.standard_normal(m)
    return x, y


def _points(params, d, name="params"):
    p = np.asarray(params, dtype=np.float64)
    if p.ndim == 0 and d == 1:
        p = p.reshape(1)
    if p.shape[-1:] != (d,):
        raise ValueError(tr("{name} must have shape (..., {d}), got {shape}", name=name, d=d, shape=p.shape))
    return p


def _data(x, y):
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape or x.size == 0:
        raise ValueError(tr("x and y must be 1-D arrays of the same length m >= 1, got shapes {x_shape} and {y_shape}",
                            x_shape=x.shape, y_shape=y.shape))
    return x, y


def linreg_loss(params, x, y):
    """J(w, b) = (1/2m) Σ_i (w x_i + b - y_i)² for params (..., 2) = (w, b) -> (...)."""
    x, y = _data(x, y)
    p = _points(params, 2)
    residual = p[..., :1] * x + p[..., 1:] - y          # (..., m)
    return 0.5 * np.mean(residual ** 2, axis=-1)


def linreg_grad(params, x, y):
    """∇J(w, b) = ((1/m) Σ r_i x_i, (1/m) Σ r_i) with r_i = w x_i + b - y_i; params (2,), x, y (m,) -> (2,)."""
    x, y = _data(x, y)
    w, b = _points(params, 2)
    r = w * x + b - y
    return np.array([np.mean(r * x), np.mean(r)])


def slope_loss(w, x, y):
    """1-D: J(w) = (1/2m) Σ_i (w x_i - y_i)² (a line through the origin) for w of any shape -> w's shape."""
    x, y = _data(x, y)
    w = np.asarray(w, dtype=np.float64)
    return 0.5 * np.mean((w[..., None] * x - y) ** 2, axis=-1)


def slope_grad(w, x, y):
    """dJ/dw = (1/m) Σ_i (w x_i - y_i) x_i for the 1-D slope loss; w of any shape -> w's shape."""
    x, y = _data(x, y)
    w = np.asarray(w, dtype=np.float64)
    return np.mean((w[..., None] * x - y) * x, axis=-1)


def quadratic(A, center=(0.0, 0.0)):
    """An n-D quadratic bowl J(w) = ½ (w - c)ᵀ A (w - c): returns (J, grad), J: (..., n) -> (...), grad: (n,) -> (n,).

    A must be symmetric positive definite; its condition number (largest / smallest eigenvalue) sets how much
    gradient descent zig-zags.
    """
    A = np.asarray(A, dtype=np.float64)
    c = np.asarray(center, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or c.shape != (A.shape[0],):
        raise ValueError(tr("A must be square (n, n) and center (n,), got {A_shape} and {c_shape}",
                            A_shape=A.shape, c_shape=c.shape))
    if not np.allclose(A, A.T) or np.linalg.eigvalsh(A).min() <= 0:
        raise ValueError(tr("A must be symmetric positive definite"))
    n = A.shape[0]

    def J(w):
        d = _points(w, n, "w") - c
        return 0.5 * np.einsum("...i,ij,...j->...", d, A, d)

    def grad(w):
        return A @ (_points(w, n, "w") - c)

    return J, grad


def double_well(w):
    """A non-convex 1-D loss J(w) = w⁴/4 - w² + 0.3 w: a global minimum near w = -1.48, a local one near 1.33."""
    w = np.asarray(w, dtype=np.float64)
    return w ** 4 / 4 - w ** 2 + 0.3 * w


def double_well_grad(w):
    """dJ/dw = w³ - 2w + 0.3 for `double_well`."""
    w = np.asarray(w, dtype=np.float64)
    return w ** 3 - 2 * w + 0.3


# ------------------------------------------------------------------ descent
def gradient_descent(grad, w0, lr, steps):
    """Run `steps` steps of w := w - lr grad(w) from w0; return the path (k + 1, d) with path[0] = w0.

    Args:
        grad: function mapping a point (d,) to its gradient (d,).
        w0: start, a number or an array (d,).
        lr: learning rate α > 0.
        steps: number of steps >= 0.
    Returns:
        path of shape (k + 1, d): k = steps, or fewer if the run diverged (|w| > DIVERGED or not finite),
        in which case the last row is the first diverged point.
    """
    lr = _checks.positive_number(lr, "lr")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(tr("steps must be an integer >= 0, got {steps!r}", steps=steps))
    w = np.atleast_1d(np.array(w0, dtype=np.float64))
    if w.ndim != 1:
        raise ValueError(tr("w0 must be a number or a 1-D array (d,), got shape {shape}", shape=w.shape))
    path = [w.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            w = w - lr * np.atleast_1d(np.asarray(grad(w), dtype=np.float64))
            path.append(w.copy())
            if not np.all(np.isfinite(w)) or np.abs(w).max() > DIVERGED:
                break
    return np.array(path)


def diverged(path):
    """True if a path from `gradient_descent` stopped because it diverged."""
    last = np.asarray(path)[-1]
    return bool(not np.all(np.isfinite(last)) or np.abs(last).max() > DIVERGED)


def sgd_path(batch_grad, m, w0, lr, epochs, batch_size, seed=0):
    """Mini-batch gradient descent; the path of the parameters after every update.

    Args:
        batch_grad: function (w (d,), idx (b,) int array) -> gradient (d,) of the mean loss over examples idx.
        m: number of examples; w0: start (d,) or a number; lr: learning rate α > 0.
        epochs: passes over the data; each shuffles the m examples (seeded) and takes ceil(m / batch_size) steps.
        batch_size: m is batch GD, 1 is stochastic GD, in between is mini-batch GD.
    Returns:
        array (1 + updates, d), row 0 = w0.
    """
    m = _checks.positive_int(m, "m")
    lr = _checks.positive_number(lr, "lr")
    epochs = _checks.positive_int(epochs, "epochs")
    batch_size = _checks.positive_int(batch_size, "batch_size")
    if batch_size > m:
        raise ValueError(tr("batch_size must be at most m = {m}, got {batch_size}", m=m, batch_size=batch_size))
    rng = np.random.default_rng(seed)
    w = np.atleast_1d(np.array(w0, dtype=np.float64))
    path = [w.copy()]
    for _ in range(epochs):
        order = rng.permutation(m)
        for start in range(0, m, batch_size):
            w = w - lr * np.atleast_1d(batch_grad(w, order[start:start + batch_size]))
            path.append(w.copy())
    return np.array(path)


def sgd_linreg(x, y, w0, lr, epochs, batch_size, seed=0):
    """Mini-batch gradient descent on the 2-D linear-regression loss J(w, b); path (1 + updates, 2) of (w, b)."""
    x, y = _data(x, y)
    w0 = _points(w0, 2, "w0")
    return sgd_path(lambda p, idx: linreg_grad(p, x[idx], y[idx]), x.size, w0, lr, epochs, batch_size, seed)


def sgd_slope(x, y, w0, lr, epochs, batch_size, seed=0):
    """Mini-batch gradient descent on the 1-D slope loss J(w); path (1 + updates, 1) of w."""
    x, y = _data(x, y)
    return sgd_path(lambda w, idx: slope_grad(w, x[idx], y[idx]), x.size, w0, lr, epochs, batch_size, seed)


def lr_regime(lr, curvature):
    """Name what gradient descent does on a quadratic J = ½ a (w - w*)² with a = curvature and step lr.

    Each step multiplies the distance to the minimum by r = 1 - lr a:
    r <= -1 "diverging", -1 < r < 0 "oscillating", 0 <= r < 0.8 "right", r >= 0.8 "too small".
    """
    lr = _checks.positive_number(lr, "lr")
    curvature = _checks.positive_number(curvature, "curvature")
    r = 1 - lr * curvature
    if r <= -1:
        return "diverging"
    if r < 0:
        return "oscillating"
    if r < 0.8:
        return "right"
    return "too small"


def regime_name(regime):
    """The name of a regime from `lr_regime` ("too small", "right", "oscillating", "diverging") in the reader's
    language, for titles and status lines (`lr_regime` itself always returns the English key)."""
    names = {"too small": tr("too small"), "right": tr("right"), "oscillating": tr("oscillating"),
             "diverging": tr("diverging")}
    return names[regime]


# ------------------------------------------------------------------ pictures
def plot_descent_1d(J, path, ax, wlim=(-1.0, 5.0), label=None, color="#d62728"):
    """Draw J(w) over wlim and a gradient-descent path on it (points joined in order); returns ax.

    label: the path's legend entry (None: "GD path" in the reader's language).
    """
    label = tr("GD path") if label is None else label
    w = np.linspace(*wlim, 400)
    ax.plot(w, J(w), color="0.3", lw=2, label="J(w)")
    path = np.asarray(path, dtype=np.float64).reshape(-1)
    path = path[np.isfinite(path)]
    with np.errstate(over="ignore", invalid="ignore"):
        ax.plot(path, J(path), "o-", color=color, ms=5, lw=1, label=label)   # points outside wlim are clipped
    if path.size:
        ax.plot(path[:1], J(path[:1]), "s", color="k", ms=8, label=tr("start"))
    ax.set(xlabel=tr("weight w"), ylabel=tr("loss J(w)"), xlim=wlim)
    return ax


def plot_contours(J, ax, xlim, ylim, paths=None, levels=20, labels=("w", "b"), resolution=200):
    """Contours of a 2-D J over xlim × ylim (log-spaced levels) and paths {label: (k, 2) array}; returns ax."""
    xs, ys = np.linspace(*xlim, resolution), np.linspace(*ylim, resolution)
    ww, bb = np.meshgrid(xs, ys)
    values = J(np.stack([ww, bb], axis=-1))
    lo, hi = values.min(), values.max()
    lv = np.geomspace(max(lo, 1e-3 * hi, 1e-12), hi, levels) if hi > 0 else levels
    ax.contour(ww, bb, values, levels=lv, cmap="viridis", linewidths=1)
    for (name, path), color in zip((paths or {}).items(), PATH_COLORS):
        path = np.asarray(path)
        ax.plot(path[:, 0], path[:, 1], ".-", color=color, lw=1.2, ms=4, label=name)
    ax.set(xlim=xlim, ylim=ylim, xlabel=labels[0], ylabel=labels[1])
    if paths:
        ax.legend(loc="upper left")
    return ax
