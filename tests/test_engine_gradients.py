"""Analytic gradients (article 3.2's δ recursion) against central differences, for every configuration.

The oracle is independent of the backward pass: it only calls the loss, (J(θ + ε) - J(θ - ε)) / 2ε.
"""
import numpy as np
import pytest

import bplib
from bplib.gradcheck import numerical_gradient, relative_error

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu"]
OUTPUTS = ["softmax", "sigmoid", "identity"]
PENALTIES = [(0.0, 0.0), (1e-2, 0.0), (0.0, 1e-2), (1e-2, 3e-2)]
N_IN, WIDTH, N_OUT, M = 3, 5, 3, 6


def targets(output, rng):
    """Targets of the right kind for each output: class labels, multi-label 0/1 targets, real values."""
    if output == "softmax":
        return rng.integers(0, N_OUT, M)
    if output == "sigmoid":
        return rng.integers(0, 2, (M, N_OUT)).astype(float)
    return rng.standard_normal((M, N_OUT))


def checkable_net(activation, output, depth, l1=0.0, l2=0.0, seed=0):
    """A float64 net with `depth` hidden layers whose biases are small random non-zero numbers.

    Why the biases: they start at exactly 0. With ReLU, an example whose previous layer is entirely dead
    (all zeros) then has z = 0 exactly, on the kink, where the analytic derivative takes one side (0) and a
    central difference straddles both sides (1/2): the check would report a disagreement that is an artefact
    of the kink, not a bug. Random biases move every z off the kink; the tolerance stays at 1e-7.
    """
    sizes = [N_IN] + [WIDTH] * depth + [N_OUT]
    init = "xavier" if activation in ("sigmoid", "tanh") else "he"
    net = bplib.MLP(sizes, activation=activation, output=output, init=init, seed=seed, l1=l1, l2=l2)
    rng = np.random.default_rng(seed + 100)
    for b in net.biases:
        b[:] = rng.uniform(0.05, 0.2, b.shape) * rng.choice([-1, 1], b.shape)
    return net


@pytest.mark.parametrize("l1,l2", PENALTIES, ids=lambda v: f"{v:g}")
@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize("activation", HIDDEN)
def test_gradcheck_every_activation_output_depth_penalty(activation, output, depth, l1, l2):
    rng = np.random.default_rng(depth)
    net = checkable_net(activation, output, depth, l1, l2, seed=depth)
    X = rng.standard_normal((M, N_IN))
    errors = bplib.gradcheck(net, X, targets(output, rng), return_all=True)
    assert set(errors) == set(net.param_names())
    assert max(errors.values()) < 1e-7, errors


def test_gradcheck_returns_the_largest_per_parameter_error():
    rng = np.random.default_rng(0)
    net = checkable_net("tanh", "softmax", 2)
    X, y = rng.standard_normal((M, N_IN)), rng.integers(0, N_OUT, M)
    errors = bplib.gradcheck(net, X, y, return_all=True)
    assert bplib.gradcheck(net, X, y) == max(errors.values())


def test_gradcheck_leaves_the_parameters_exactly_as_it_found_them():
    rng = np.random.default_rng(1)
    net = checkable_net("sigmoid", "sigmoid", 2)
    before = [p.copy() for p in net.params()]
    bplib.gradcheck(net, rng.standard_normal((4, N_IN)), rng.integers(0, 2, (4, N_OUT)))
    for p, q in zip(net.params(), before):
        np.testing.assert_array_equal(p, q)


def test_gradcheck_on_a_sample_of_entries_of_a_larger_layer():
    rng = np.random.default_rng(2)
    net = bplib.MLP([20, 30, 4], activation="tanh", output="softmax", init="xavier", seed=2)
    X, y = rng.standard_normal((8, 20)), rng.integers(0, 4, 8)
    assert bplib.gradcheck(net, X, y, max_entries=25, seed=3) < 1e-7


def test_penalty_is_part_of_the_loss_and_of_the_gradient():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((M, N_IN)), rng.integers(0, N_OUT, M)
    plain = checkable_net("tanh", "softmax", 1)
    penalised = checkable_net("tanh", "softmax", 1, l1=0.1, l2=0.2)
    W_all = plain.weights
    expected = 0.1 * sum(np.abs(W).sum() for W in W_all) + 0.5 * 0.2 * sum((W ** 2).sum() for W in W_all)
    assert penalised.loss(X, y) - plain.loss(X, y) == pytest.approx(expected, rel=1e-12)
    _, dW_plain, db_plain = plain.loss_and_grads(X, y)
    _, dW_pen, db_pen = penalised.loss_and_grads(X, y)
    for W, g0, g1 in zip(W_all, dW_plain, dW_pen):
        np.testing.assert_allclose(g1 - g0, 0.1 * np.sign(W) + 0.2 * W, atol=1e-14)
    for g0, g1 in zip(db_plain, db_pen):                       # biases are not penalised
        np.testing.assert_array_equal(g0, g1)


def test_numerical_gradient_of_known_functions():
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sum(v ** 3), x), 3 * x ** 2, rtol=1e-8)
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sin(v).sum(), x), np.cos(x), rtol=1e-8)
    assert numerical_gradient(lambda v: float(v[0] * v[1]), [3.0, 4.0]).tolist() == pytest.approx([4.0, 3.0])


def test_numerical_gradient_does_not_modify_its_argument():
    x = np.array([1.0, 2.0, 3.0])
    numerical_gradient(lambda v: float(np.sum(v ** 2)), x)
    assert x.tolist() == [1.0, 2.0, 3.0]


def test_relative_error_uses_norms_and_a_floor():
    assert relative_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert relative_error([0.0, 0.0], [0.0, 0.0]) == 0.0        # the floor: no 0/0
    assert relative_error([1.0], [-1.0]) == pytest.approx(1.0)  # opposite signs: as wrong as it gets
    assert relative_error([2.0], [1.0]) == pytest.approx(1 / 3)


def test_gradcheck_works_on_non_contiguous_parameters():
    # a weight assigned as a transposed view: p.reshape(-1) would be a copy, and perturbing it would change nothing
    rng = np.random.default_rng(4)
    net = checkable_net("tanh", "softmax", 1)
    net.weights[0] = np.asfortranarray(net.weights[0])
    net.weights[1] = net.weights[1].T.copy().T                   # a non-contiguous view of the same numbers
    assert not net.weights[1].flags.c_contiguous
    X, y = rng.standard_normal((M, N_IN)), rng.integers(0, N_OUT, M)
    assert bplib.gradcheck(net, X, y) < 1e-7
