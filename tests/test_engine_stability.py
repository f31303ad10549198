"""Numerical stability: no overflow warning, no NaN, for |z| up to 1e4, in float64 and float32."""
import warnings

import numpy as np
import pytest

import bplib
from bplib import activations as act, losses

BIG = 1e4
DTYPES = [np.float64, np.float32]


@pytest.fixture(autouse=True)
def strict_floats():
    """Turn every floating-point overflow/invalid/divide event and every warning into an error."""
    with np.errstate(over="raise", invalid="raise", divide="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def extreme(dtype):
    return np.array([[BIG, -BIG, 0.0], [-BIG, -BIG, -BIG], [BIG, BIG - 1, 5.0], [1e-3, -2.0, 30.0]], dtype=dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_and_log_softmax(dtype):
    z = extreme(dtype)
    p = act.softmax(z)
    assert p.dtype == dtype and np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_allclose(p[0], [1, 0, 0], atol=1e-7)
    np.testing.assert_allclose(p[1], [1 / 3] * 3, rtol=1e-6)       # equal logits: uniform, however negative
    log_p = act.log_softmax(z)
    assert np.all(np.isfinite(log_p)) and np.all(log_p <= 0)
    assert log_p[0, 1] == pytest.approx(-2 * BIG, rel=1e-6)        # exact, where log(softmax) would be -inf
    assert log_p[2, 1] == pytest.approx(-1 - np.log1p(np.exp(-1)), rel=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid(dtype):
    z = np.array([-BIG, -50.0, -1.0, 0.0, 1.0, 50.0, BIG], dtype=dtype)
    a = act.sigmoid(z)
    assert a.dtype == dtype and np.all(np.isfinite(a))
    assert a[0] == 0 and a[-1] == 1 and a[3] == 0.5
    np.testing.assert_allclose(a[2], 1 / (1 + np.e), rtol=1e-6)
    np.testing.assert_allclose(a + act.sigmoid(-z), 1, rtol=1e-6)  # σ(-z) = 1 - σ(z)
    assert np.all(np.isfinite(act.sigmoid_prime(z)))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "identity"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_every_activation_and_derivative_is_finite_and_keeps_dtype(name, dtype):
    sigma, sigma_prime = act.get(name)
    z = extreme(dtype)
    a = sigma(z)
    d = sigma_prime(z, a)
    assert a.dtype == dtype and d.dtype == dtype
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))
    np.testing.assert_array_equal(d, sigma_prime(z))               # with or without the cached a


@pytest.mark.parametrize("dtype", DTYPES)
def test_losses_from_extreme_logits(dtype):
    z = extreme(dtype)
    onehot = np.eye(3, dtype=dtype)[[1, 0, 2, 2]]
    ce = losses.softmax_cross_entropy(z, onehot)
    # row 0: the true class has logit -1e4 against 1e4: a loss of 2e4, not inf
    expected_row0 = 2 * BIG
    assert np.isfinite(ce) and ce >= expected_row0 / 4
    bce = losses.sigmoid_binary_cross_entropy(z, np.ones_like(z))
    assert np.isfinite(bce) and bce > 0
    # -log σ(-1e4) = 1e4 + log(1 + e^-1e4) = 1e4: check one entry exactly
    assert losses.sigmoid_binary_cross_entropy(np.array([[-BIG]], dtype=dtype), np.ones((1, 1), dtype=dtype)) \
        == pytest.approx(BIG, rel=1e-6)
    assert losses.sigmoid_binary_cross_entropy(np.array([[BIG]], dtype=dtype), np.ones((1, 1), dtype=dtype)) == 0
    assert np.isfinite(losses.half_mean_squared_error(z, np.zeros_like(z)))


@pytest.mark.parametrize("output", ["softmax", "sigmoid", "identity"])
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_a_network_with_huge_pre_activations_gives_finite_loss_and_gradients(output, activation, dtype):
    net = bplib.MLP([2, 3, 2], activation=activation, output=output, dtype=dtype, seed=0)
    # weights chosen so that z(1) and z(2) reach about ±1e4
    net.weights[0] = np.array([[1e4, 0.0], [-1e4, 0.0], [0.0, 1e4]], dtype=dtype)
    net.weights[1] = np.array([[1.0, -1.0, 1.0], [-1.0, 1.0, -1.0]], dtype=dtype)
    X = np.array([[1.0, -1.0], [-1.0, 1.0]], dtype=dtype)
    Y = np.array([0, 1]) if output == "softmax" else np.array([[0.0, 1.0], [1.0, 0.0]])
    zs, _ = net.forward_pass(net.prepare(X))
    assert np.abs(zs[0]).max() == pytest.approx(1e4)
    loss, dW, db = net.loss_and_grads(X, Y)
    assert np.isfinite(loss)
    assert all(np.all(np.isfinite(g)) and g.dtype == dtype for g in dW + db)


def test_input_check_handles_huge_finite_float64_values():
    # a sum of 1e308's overflows, which must not be mistaken for a non-finite input (nor warn)
    net = bplib.MLP([2, 2], output="identity", init="zeros", seed=0)
    out = net.forward(np.full((3, 2), 1e308))
    assert np.all(np.isfinite(out))
