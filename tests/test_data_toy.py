"""The seeded 2-D toy sets (bplib.data.toy): deterministic per seed, balanced, and on their curves when noise=0."""
import numpy as np
import pytest

from bplib.data import toy as datasets

NAMES = sorted(datasets.TOY_SETS)


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_arrays_bit_for_bit(name):
    X1, y1 = datasets.make_toy(name, n=301, seed=7)
    X2, y2 = datasets.make_toy(name, n=301, seed=7)
    assert X1.tobytes() == X2.tobytes() and y1.tobytes() == y2.tobytes()
    X3, y3 = datasets.TOY_SETS[name](n=301, seed=np.random.default_rng(7))  # a Generator with the same seed
    np.testing.assert_array_equal(X1, X3)


@pytest.mark.parametrize("name", NAMES)
def test_different_seeds_differ(name):
    X1, _ = datasets.make_toy(name, n=200, seed=0)
    X2, _ = datasets.make_toy(name, n=200, seed=1)
    assert not np.allclose(X1, X2)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n", [2, 7, 200])
def test_shapes_dtypes_and_balance(name, n):
    X, y = datasets.make_toy(name, n=n, seed=0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert np.bincount(y, minlength=2).tolist() == [(n + 1) // 2, n // 2]
    assert np.all(np.isfinite(X))


def test_circles_without_noise_lie_on_their_radii():
    X, y = datasets.make_circles(n=400, noise=0.0, seed=0, factor=0.3)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)


def test_moons_without_noise_lie_on_their_half_circles():
    X, y = datasets.make_moons(n=400, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert np.all(upper[:, 1] >= 0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert np.all(lower[:, 1] <= 0.5)


def test_spirals_without_noise_follow_their_arms():
    turns = 1.5
    X, y = datasets.make_spirals(n=400, noise=0.0, seed=0, turns=turns)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all((r >= 0.05 - 1e-12) & (r <= 1 + 1e-12))
    expected = 2 * np.pi * turns * r + y * np.pi  # angle of arm k at radius r
    diff = np.angle(np.exp(1j * (np.arctan2(X[:, 1], X[:, 0]) - expected)))
    np.testing.assert_allclose(diff, 0, atol=1e-9)


def test_xor_without_noise_sits_on_the_four_centres_with_xor_labels():
    X, y = datasets.make_xor(n=400, noise=0.0, seed=0)
    np.testing.assert_allclose(np.abs(X), 0.5)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))
    assert len({tuple(p) for p in X}) == 4


def test_noise_is_gaussian_with_the_given_std():
    X0, y = datasets.make_xor(n=20000, noise=0.0, seed=3)
    X1, _ = datasets.make_xor(n=20000, noise=0.2, seed=3)  # same centres, then noise drawn afterwards
    offsets = X1 - X0
    assert abs(offsets.std() - 0.2) < 0.005 and abs(offsets.mean()) < 0.005


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(name="blobs"), ValueError, "unknown toy data set 'blobs'"),
    (dict(name="moons", n=1), ValueError, "n must be at least 2"),
    (dict(name="moons", n=2.5), ValueError, "n must be a positive integer"),
    (dict(name="moons", noise=-0.1), ValueError, "noise must be a finite number >= 0"),
    (dict(name="moons", seed="0"), TypeError, "seed must be an int >= 0 or a np.random.Generator"),
])
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        datasets.make_toy(**kwargs)
