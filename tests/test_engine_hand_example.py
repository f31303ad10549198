"""The course's hand-worked 2-2-2 network (sigmoid hidden layer, softmax + cross-entropy), done with scalars.

Every number below is computed one scalar at a time with `math`, the way chapter 01/03/04 do it on paper,
then compared with bplib's vectorised forward pass, δ's and gradients to 1e-12.
Subscripts: z1_2 is z(1) of unit 2; W2_12 is W(2) row 1, column 2 (weight from hidden unit 2 to output 1).
"""
import math

import numpy as np
import pytest

import bplib

TOL = 1e-12


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def tiny_net():
    """Built as chapter 01 describes it: MLP([2, 2, 2], sigmoid, softmax, seed=0), weights set."""
    net = bplib.MLP([2, 2, 2], activation="sigmoid", output="softmax", seed=0)
    net.weights[0] = np.array([[0.15, 0.20], [0.25, 0.30]])
    net.biases[0] = np.array([0.35, 0.35])
    net.weights[1] = np.array([[0.40, 0.45], [0.50, 0.55]])
    net.biases[1] = np.array([0.60, 0.60])
    return net


def by_hand(x1, x2, label):
    """Forward pass, δ's and per-example gradients of the tiny net for one example, scalar by scalar."""
    h = {}
    # layer 1: z(1) = W(1) x + b(1), a(1) = σ(z(1))
    h["z1"] = (0.15 * x1 + 0.20 * x2 + 0.35, 0.25 * x1 + 0.30 * x2 + 0.35)
    a1_1, a1_2 = sigmoid(h["z1"][0]), sigmoid(h["z1"][1])
    h["a1"] = (a1_1, a1_2)
    # layer 2: z(2) = W(2) a(1) + b(2), a(2) = softmax(z(2))
    z2_1 = 0.40 * a1_1 + 0.45 * a1_2 + 0.60
    z2_2 = 0.50 * a1_1 + 0.55 * a1_2 + 0.60
    h["z2"] = (z2_1, z2_2)
    e1, e2 = math.exp(z2_1), math.exp(z2_2)                    # small z: no max-shift needed by hand
    a2_1, a2_2 = e1 / (e1 + e2), e2 / (e1 + e2)
    h["a2"] = (a2_1, a2_2)
    y1, y2 = (1.0, 0.0) if label == 0 else (0.0, 1.0)          # one-hot label
    h["loss"] = -(y1 * math.log(a2_1) + y2 * math.log(a2_2))  # cross-entropy
    # output error term: δ(2) = a(2) - y (softmax with cross-entropy)
    d2_1, d2_2 = a2_1 - y1, a2_2 - y2
    h["delta2"] = (d2_1, d2_2)
    # hidden error term: δ(1)_j = (Σ_i W(2)_ij δ(2)_i) σ'(z(1)_j), σ' = a(1 - a)
    d1_1 = (0.40 * d2_1 + 0.50 * d2_2) * a1_1 * (1 - a1_1)
    d1_2 = (0.45 * d2_1 + 0.55 * d2_2) * a1_2 * (1 - a1_2)
    h["delta1"] = (d1_1, d1_2)
    # gradients: ∂J/∂W(l)_ij = δ(l)_i a(l-1)_j, ∂J/∂b(l)_i = δ(l)_i
    h["dW2"] = ((d2_1 * a1_1, d2_1 * a1_2), (d2_2 * a1_1, d2_2 * a1_2))
    h["db2"] = (d2_1, d2_2)
    h["dW1"] = ((d1_1 * x1, d1_1 * x2), (d1_2 * x1, d1_2 * x2))
    h["db1"] = (d1_1, d1_2)
    return h


def test_hand_values_agree_with_the_classic_worked_example():
    # independent anchors: z(1) exactly, and a(1) = σ(0.3775), σ(0.3925) as printed in many tutorials
    h = by_hand(0.05, 0.10, 1)
    assert h["z1"] == pytest.approx((0.3775, 0.3925), abs=1e-15)
    assert h["a1"] == pytest.approx((0.593269992, 0.596884378), abs=1e-9)
    assert sum(h["a2"]) == pytest.approx(1.0, abs=1e-15)


def test_forward_pass_matches_the_hand_calculation():
    net = tiny_net()
    h = by_hand(0.05, 0.10, 1)
    zs, activations = net.forward_pass(np.array([[0.05, 0.10]]))
    np.testing.assert_allclose(zs[0][0], h["z1"], rtol=0, atol=TOL)
    np.testing.assert_allclose(activations[1][0], h["a1"], rtol=0, atol=TOL)
    np.testing.assert_allclose(zs[1][0], h["z2"], rtol=0, atol=TOL)
    np.testing.assert_allclose(activations[2][0], h["a2"], rtol=0, atol=TOL)
    np.testing.assert_allclose(net.forward([[0.05, 0.10]])[0], h["a2"], rtol=0, atol=TOL)
    assert net.loss([[0.05, 0.10]], [1]) == pytest.approx(h["loss"], abs=TOL)


def test_deltas_and_gradients_match_the_hand_calculation():
    net = tiny_net()
    h = by_hand(0.05, 0.10, 1)
    delta1, delta2 = net.deltas([[0.05, 0.10]], [1])
    np.testing.assert_allclose(delta2[0], h["delta2"], rtol=0, atol=TOL)
    np.testing.assert_allclose(delta1[0], h["delta1"], rtol=0, atol=TOL)
    loss, dW, db = net.loss_and_grads([[0.05, 0.10]], [1])
    assert loss == pytest.approx(h["loss"], abs=TOL)
    for got, key in ((dW[0], "dW1"), (db[0], "db1"), (dW[1], "dW2"), (db[1], "db2")):
        np.testing.assert_allclose(got, h[key], rtol=0, atol=TOL)
    assert dW[0].shape == (2, 2) and db[0].shape == (2,)


def test_batched_variant_averages_the_two_examples():
    # chapter 04: add x = (0.10, 0.20) with label 0; J and every gradient are the means over m = 2
    net = tiny_net()
    h1, h2 = by_hand(0.05, 0.10, 1), by_hand(0.10, 0.20, 0)
    X, y = np.array([[0.05, 0.10], [0.10, 0.20]]), np.array([1, 0])
    loss, dW, db = net.loss_and_grads(X, y)
    assert loss == pytest.approx((h1["loss"] + h2["loss"]) / 2, abs=TOL)
    for got, key in ((dW[0], "dW1"), (db[0], "db1"), (dW[1], "dW2"), (db[1], "db2")):
        mean = (np.array(h1[key]) + np.array(h2[key])) / 2
        np.testing.assert_allclose(got, mean, rtol=0, atol=TOL)
    deltas = net.deltas(X, y)                                  # δ's are per example (rows), not averaged
    np.testing.assert_allclose(deltas[1], [h1["delta2"], h2["delta2"]], rtol=0, atol=TOL)
    np.testing.assert_allclose(deltas[0], [h1["delta1"], h2["delta1"]], rtol=0, atol=TOL)


def test_the_shared_tiny_module_builds_the_same_network():
    from bplib.course import tiny

    net, mine = tiny.tiny_net(), tiny_net()
    for a, b in zip(net.params(), mine.params()):
        np.testing.assert_array_equal(a, b)
    X, y = tiny.tiny_batch()
    np.testing.assert_array_equal(X, [[0.05, 0.10], [0.10, 0.20]])
    np.testing.assert_array_equal(y, [1, 0])


def test_one_hand_made_sgd_step_matches_train():
    # W := W - α ∂J/∂W on the one example, by hand, vs bplib.train with batch_size = m = 1, one epoch
    net, h, lr = tiny_net(), by_hand(0.05, 0.10, 1), 0.5
    bplib.train(net, [[0.05, 0.10]], [1], epochs=1, lr=lr, batch_size=1, progress=False)
    expected_W1 = np.array([[0.15, 0.20], [0.25, 0.30]]) - lr * np.array(h["dW1"])
    expected_b2 = np.array([0.60, 0.60]) - lr * np.array(h["db2"])
    np.testing.assert_allclose(net.weights[0], expected_W1, rtol=0, atol=TOL)
    np.testing.assert_allclose(net.biases[1], expected_b2, rtol=0, atol=TOL)
