"""Self-checks for chapter 01 (the forward pass, article 2.1 and 3.1)."""
import numpy as np

from . import check, expect_array, run
from ..activations import sigmoid as _sigmoid


def _layer_data():
    rng = np.random.default_rng(101)
    A_prev = rng.standard_normal((4, 3))      # m = 4 examples, n_{l-1} = 3
    W = rng.standard_normal((2, 3))           # W(l): (n_l, n_{l-1}) = (2, 3)
    b = rng.standard_normal(2)
    return A_prev, W, b


@check
def check_layer_forward(layer_forward):
    """Exercise 01.1: layer_forward(A_prev, W, b) -> Z = A_prev @ W.T + b, shape (m, n_l)."""
    A_prev, W, b = _layer_data()
    Z = run(layer_forward, A_prev, W, b)
    expect_array(Z, A_prev @ W.T + b, "Z", mistakes={
        "you forgot to add the bias b": A_prev @ W.T,
        "you subtracted the bias: Z = A_prev @ W.T + b": A_prev @ W.T - b,
    })
    return "Z = A_prev @ W.T + b gives one row z = W a + b per example, shape (m, n_l) = (4, 2)."


@check
def check_sigmoid(sigmoid):
    """Exercise 01.2: sigmoid(z) = 1 / (1 + e^(-z)), element-wise, any shape."""
    z = np.linspace(-6, 6, 13).reshape(13, 1) * np.array([1.0, 0.5])
    a = run(sigmoid, z)
    expect_array(a, _sigmoid(z), "σ(z)", mistakes={
        "the sign in the exponent is flipped: σ(z) = 1 / (1 + e^(-z))": 1 / (1 + np.exp(z)),
        "this is 1 - σ(z) = e^(-z) / (1 + e^(-z)); σ(z) = 1 / (1 + e^(-z))": 1 - _sigmoid(z),
        "this is tanh(z); the sigmoid maps to (0, 1)": np.tanh(z),
    })
    big = run(sigmoid, np.array([-800.0, 800.0]))
    expect_array(big, [0.0, 1.0], "σ([-800, 800])")
    return "σ(z) = 1 / (1 + e^(-z)), element-wise, with σ(0) = 0.5."


def _net_data():
    rng = np.random.default_rng(102)
    sizes = [3, 4, 4, 2]
    weights = [rng.standard_normal((n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    biases = [rng.standard_normal(n_out) for n_out in sizes[1:]]
    X = rng.standard_normal((5, 3))
    return X, weights, biases


def _forward(X, weights, biases, last_sigma=True):
    a = X
    L = len(weights)
    for l in range(L):
        z = a @ weights[l].T + biases[l]
        a = _sigmoid(z) if (last_sigma or l < L - 1) else z
    return a


@check
def check_forward(forward):
    """Exercise 01.3: forward(X, weights, biases) -> a(L) of an L-layer sigmoid network, shape (m, n_L)."""
    X, weights, biases = _net_data()
    a_L = run(forward, X, weights, biases)
    expect_array(a_L, _forward(X, weights, biases), "a(L)", mistakes={
        "apply σ after every layer, the last one included (this exercise's network is all sigmoid)":
            _forward(X, weights, biases, last_sigma=False),
    })
    return "a(L) for a 3-4-4-2 sigmoid network on a batch of 5: a loop of z = a @ W.T + b, a = σ(z)."
