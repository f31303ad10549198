"""A first check that the package imports and its gradients agree with central differences."""
import numpy as np

import bplib


def test_gradcheck_small_relu_softmax_net():
    rng = np.random.default_rng(0)
    net = bplib.MLP([3, 4, 2], activation="tanh", output="softmax", seed=0)
    X = rng.standard_normal((5, 3))
    y = rng.integers(0, 2, 5)
    assert bplib.gradcheck(net, X, y) < 1e-7
