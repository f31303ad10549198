"""Initialisation: the documented scales, and bit-identical weights from the same seed."""
import numpy as np
import pytest

import bplib


@pytest.mark.parametrize("init", ["he", "xavier", "normal", "zeros"])
def test_same_seed_same_weights_bit_for_bit(init):
    a = bplib.MLP([5, 7, 3], init=init, seed=42)
    b = bplib.MLP([5, 7, 3], init=init, seed=42)
    for p, q in zip(a.params(), b.params()):
        np.testing.assert_array_equal(p, q)


def test_a_generator_can_be_passed_and_different_seeds_differ():
    a = bplib.MLP([5, 7, 3], seed=np.random.default_rng(1))
    b = bplib.MLP([5, 7, 3], seed=1)
    c = bplib.MLP([5, 7, 3], seed=2)
    np.testing.assert_array_equal(a.weights[0], b.weights[0])
    assert not np.array_equal(b.weights[0], c.weights[0])


def test_float32_weights_are_the_float64_draws_rounded():
    a = bplib.MLP([5, 7, 3], seed=0, dtype=np.float32)
    b = bplib.MLP([5, 7, 3], seed=0)
    np.testing.assert_array_equal(a.weights[0], b.weights[0].astype(np.float32))


@pytest.mark.parametrize("init,expected_std", [
    ("he", np.sqrt(2 / 400)),
    ("xavier", np.sqrt(2 / (400 + 300))),
    ("normal", 0.05),
])
def test_weight_scale_follows_the_rule(init, expected_std):
    net = bplib.MLP([400, 300, 1], init=init, scale=0.05, seed=0)
    W = net.weights[0]
    assert W.shape == (300, 400)                                     # W(1): (n_1, n_0)
    assert W.std() == pytest.approx(expected_std, rel=0.02)          # 120,000 draws: 2% is ~10 standard errors
    assert abs(W.mean()) < 0.01 * expected_std * 10


def test_biases_start_at_zero_and_shapes_match_the_article():
    net = bplib.MLP([4, 6, 5, 3], seed=0)
    assert [W.shape for W in net.weights] == [(6, 4), (5, 6), (3, 5)]
    assert [b.shape for b in net.biases] == [(6,), (5,), (3,)]
    assert all(np.all(b == 0) for b in net.biases)
    assert net.n_params == 6 * 4 + 6 + 5 * 6 + 5 + 3 * 5 + 3
    assert net.param_names() == ["W1", "W2", "W3", "b1", "b2", "b3"]


def test_copy_is_independent():
    net = bplib.MLP([2, 3, 2], seed=0)
    clone = net.copy()
    clone.weights[0][0, 0] += 1
    assert net.weights[0][0, 0] != clone.weights[0][0, 0]
