"""The gradient check must catch a wrong backward pass: plant one classic bug at a time, expect a large error.

Each bug is planted in a subclass that overrides `backward_pass`, the method that holds the δ recursion, so
the forward pass and the loss (what the numerical gradient sees) stay correct.
"""
import numpy as np
import pytest

import bplib
from bplib.network import MLP

LARGE = 1e-2


class TransposedDW(MLP):
    """Bug: ∂J/∂W(l) = a(l-1) δ(l)ᵀ, the transpose (the article's form in 3.2, erratum 1)."""

    def backward_pass(self, zs, activations, T):
        deltas, dW, db = super().backward_pass(zs, activations, T)
        return deltas, [g.T for g in dW], db


class MissingSigmaPrime(MLP):
    """Bug: δ(l-1) = W(l)ᵀ δ(l), forgetting the factor σ'(z(l-1))."""

    def backward_pass(self, zs, activations, T):
        m, L = T.shape[0], self.n_layers
        deltas, dW, db = [None] * L, [None] * L, [None] * L
        delta = activations[L] - T
        for l in range(L, 0, -1):
            deltas[l - 1] = delta
            dW[l - 1] = delta.T @ activations[l - 1] / m
            db[l - 1] = delta.sum(axis=0) / m
            if l > 1:
                delta = delta @ self.weights[l - 1]                 # ⊙ σ'(z(l-1)) missing
        return deltas, dW, db


class MissingOneOverM(MLP):
    """Bug: sum the per-example gradients over the batch instead of averaging them (no 1/m)."""

    def backward_pass(self, zs, activations, T):
        m = T.shape[0]
        deltas, dW, db = super().backward_pass(zs, activations, T)
        return deltas, [g * m for g in dW], [g * m for g in db]


def data(n_in, n_out, m=8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, n_in)), rng.integers(0, n_out, m)


def with_offset_biases(net, seed=0):
    """Non-zero biases, so no z sits exactly on the ReLU kink (see test_engine_gradients.checkable_net)."""
    rng = np.random.default_rng(seed)
    for b in net.biases:
        b[:] = rng.uniform(0.05, 0.2, b.shape)
    return net


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_the_correct_backward_pass_passes(activation):
    net = with_offset_biases(MLP([4, 4, 4], activation=activation, output="softmax", seed=0))
    assert bplib.gradcheck(net, *data(4, 4)) < 1e-7


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_transposed_dW_is_caught_on_square_layers(activation):
    # square layers (4-4-4): the transposed gradient has the right shape, so only the values can give it away
    net = with_offset_biases(TransposedDW([4, 4, 4], activation=activation, output="softmax", seed=0))
    errors = bplib.gradcheck(net, *data(4, 4), return_all=True)
    assert errors["W1"] > LARGE and errors["W2"] > LARGE
    assert errors["b1"] < 1e-7 and errors["b2"] < 1e-7       # the bug is localised to the weights


def test_transposed_dW_on_a_non_square_layer_is_a_clear_shape_error():
    net = TransposedDW([3, 5, 2], activation="tanh", output="softmax", seed=0)
    with pytest.raises(ValueError, match=r"gradient for W1 has shape \(3, 5\), but W1 has shape \(5, 3\).*transposed"):
        bplib.gradcheck(net, *data(3, 2))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_missing_sigma_prime_is_caught(activation):
    net = MissingSigmaPrime([3, 5, 4, 2], activation=activation, output="softmax", init="xavier", seed=1)
    errors = bplib.gradcheck(net, *data(3, 2, seed=1), return_all=True)
    assert errors["W1"] > LARGE and errors["W2"] > LARGE
    assert errors["W3"] < 1e-7                                 # δ(L) = a - y needs no σ': the last layer is right


def test_missing_sigma_prime_is_caught_for_relu_when_units_are_inactive():
    # for ReLU, σ' is 0 or 1: forgetting it only matters for units with z < 0, which negative biases ensure
    net = MissingSigmaPrime([3, 6, 2], activation="relu", output="softmax", seed=2)
    net.biases[0][:] = -0.3
    assert bplib.gradcheck(net, *data(3, 2, seed=2)) > LARGE


@pytest.mark.parametrize("output", ["softmax", "sigmoid", "identity"])
def test_missing_one_over_m_is_caught(output):
    X, y = data(3, 2, m=8, seed=3)
    Y = y if output == "softmax" else np.eye(2)[y]
    net = with_offset_biases(MissingOneOverM([3, 4, 2], activation="tanh", output=output, seed=3))
    # a gradient m = 8 times too large: ‖8g - g‖ / (‖8g‖ + ‖g‖) = 7/9 for every parameter
    errors = bplib.gradcheck(net, X, Y, return_all=True)
    assert min(errors.values()) == pytest.approx(7 / 9, rel=1e-6)


def test_missing_one_over_m_is_invisible_for_a_single_example():
    # a limitation worth knowing: with m = 1 the sum is the mean, so check with a batch (m > 1)
    net = with_offset_biases(MissingOneOverM([3, 4, 2], activation="tanh", output="softmax", seed=4))
    assert bplib.gradcheck(net, *data(3, 2, m=1, seed=4)) < 1e-7
