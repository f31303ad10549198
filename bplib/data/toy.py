"""Seeded 2-D toy data sets for the playground and the chapters.

Every function returns (X, y): X of shape (n, 2) float64 and integer labels y of shape (n,) with values 0/1,
balanced (n // 2 of each class; an odd n gives class 0 one extra point). The same arguments and seed give the
same arrays, bit for bit.
"""
import numpy as np

from .. import _checks
from ..i18n import tr


def _setup(n, noise, seed):
    n = _checks.positive_int(n, "n")
    if n < 2:
        raise ValueError(tr("n must be at least 2 (one point per class), got {n}", n=n))
    noise = _checks.non_negative_number(noise, "noise")
    rng = _checks.rng(seed)
    return n, noise, rng, (n + 1) // 2, n // 2


def _finish(parts, labels, noise, rng):
    X = np.concatenate(parts)
    X = X + noise * rng.standard_normal(X.shape)
    y = np.concatenate([np.full(len(p), c, dtype=np.int64) for p, c in zip(parts, labels)])
    return X, y


def make_moons(n=200, noise=0.1, seed=0):
    """Two interleaving half circles (radius 1), the upper one class 0, the lower one class 1."""
    n, noise, rng, n0, n1 = _setup(n, noise, seed)
    t0 = rng.uniform(0, np.pi, n0)
    t1 = rng.uniform(0, np.pi, n1)
    upper = np.c_[np.cos(t0), np.sin(t0)]
    lower = np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]
    return _finish([upper, lower], [0, 1], noise, rng)


def make_circles(n=200, noise=0.05, seed=0, factor=0.5):
    """A circle of radius 1 (class 0) around a circle of radius `factor` (class 1), 0 < factor < 1."""
    n, noise, rng, n0, n1 = _setup(n, noise, seed)
    factor = _checks.fraction(factor, tr("factor (the inner circle's radius)"), low_open=True)
    t0 = rng.uniform(0, 2 * np.pi, n0)
    t1 = rng.uniform(0, 2 * np.pi, n1)
    outer = np.c_[np.cos(t0), np.sin(t0)]
    inner = factor * np.c_[np.cos(t1), np.sin(t1)]
    return _finish([outer, inner], [0, 1], noise, rng)


def make_spirals(n=200, noise=0.05, seed=0, turns=1.5):
    """Two interleaved spiral arms of radius up to 1, winding `turns` (> 0) times around the origin."""
    n, noise, rng, n0, n1 = _setup(n, noise, seed)
    turns = _checks.positive_number(turns, "turns")
    arms = []
    for k, size in enumerate((n0, n1)):
        r = np.sqrt(rng.uniform(0.0025, 1, size))      # sqrt: points spread evenly along the arm's area
        t = 2 * np.pi * turns * r + k * np.pi
        arms.append(np.c_[r * np.cos(t), r * np.sin(t)])
    return _finish(arms, [0, 1], noise, rng)


def make_xor(n=200, noise=0.15, seed=0):
    """Four Gaussian clusters at (±0.5, ±0.5); the label is XOR of the two signs (same sign: class 0)."""
    n, noise, rng, n0, n1 = _setup(n, noise, seed)
    c0 = np.array([[0.5, 0.5], [-0.5, -0.5]])
    c1 = np.array([[0.5, -0.5], [-0.5, 0.5]])
    p0 = c0[rng.integers(0, 2, n0)]
    p1 = c1[rng.integers(0, 2, n1)]
    return _finish([p0, p1], [0, 1], noise, rng)


#: name -> generator of the 2-D toy sets
TOY_SETS = {"moons": make_moons, "circles": make_circles, "spirals": make_spirals, "xor": make_xor}


def make_toy(name, n=200, noise=None, seed=0):
    """A toy set by name ("moons", "circles", "spirals", "xor"); noise=None uses that set's default."""
    _checks.choice(name, TOY_SETS, tr("toy data set"))
    fn = TOY_SETS[name]
    return fn(n=n, seed=seed) if noise is None else fn(n=n, noise=noise, seed=seed)


def limits(X, margin=0.25, square=False):
    """(xlim, ylim): a box around the 2-D points X (n, 2), `margin` times the larger side added on each side.

    square=True makes both sides equal (the larger one), centred on the points: a picture with equal axes.
    """
    X = np.asarray(X, dtype=np.float64)
    lo, hi = X.min(axis=0), X.max(axis=0)
    if square:
        centre, half = (lo + hi) / 2, (hi - lo).max() / 2 * (1 + 2 * margin)
        return (centre[0] - half, centre[0] + half), (centre[1] - half, centre[1] + half)
    pad = margin * (hi - lo).max()
    return (lo[0] - pad, hi[0] + pad), (lo[1] - pad, hi[1] + pad)
