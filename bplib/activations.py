"""Activation functions σ and their derivatives σ' (article 3.1, 3.3 point 1).

Every activation is a pair of functions that work element-wise on arrays of any shape:

    forward(z)      -> a = σ(z)
    derivative(z, a) -> σ'(z), given z and the already computed a = σ(z)

Passing `a` lets sigmoid and tanh reuse the forward value (σ' = a(1 - a), 1 - a²), which is the trick the
article's `sigmoid_grad(a)` uses. All functions are numerically stable for |z| up to 1e4 (no overflow warning).
"""
import numpy as np

from . import _checks


def _float(z):
    """z as a floating array (float32 stays float32; ints and lists become float64)."""
    z = np.asarray(z)
    return z if z.dtype.kind == "f" else z.astype(np.float64)


def sigmoid(z):
    """σ(z) = 1 / (1 + e^-z), computed without overflow: e^-|z| never exceeds 1."""
    z = _float(z)
    e = np.exp(-np.abs(z))          # in (0, 1], never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_prime(z, a=None):
    """σ'(z) = σ(z)(1 - σ(z))."""
    a = sigmoid(z) if a is None else a
    return a * (1 - a)


def tanh(z):
    """tanh(z), in (-1, 1)."""
    return np.tanh(z)


def tanh_prime(z, a=None):
    """tanh'(z) = 1 - tanh(z)²."""
    a = np.tanh(z) if a is None else a
    return 1 - a * a


def relu(z):
    """ReLU(z) = max(0, z)."""
    return np.maximum(z, 0)


def relu_prime(z, a=None):
    """ReLU'(z) = 1 where z > 0, else 0 (the article's 1(z > 0); we take 0 at z = 0)."""
    z = _float(z)
    return (z > 0).astype(z.dtype)


LEAKY_SLOPE = 0.01


def leaky_relu(z):
    """Leaky ReLU: z for z > 0, 0.01 z otherwise (dead units still get a small gradient)."""
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def leaky_relu_prime(z, a=None):
    """1 for z > 0, 0.01 otherwise."""
    z = _float(z)
    one, slope = z.dtype.type(1), z.dtype.type(LEAKY_SLOPE)     # scalars of z's dtype: float32 stays float32
    return np.where(z > 0, one, slope)


def identity(z):
    """Identity σ(z) = z (the output of a regression network)."""
    return z


def identity_prime(z, a=None):
    """σ'(z) = 1."""
    return np.ones_like(z)


def softmax(z):
    """Row-wise softmax of z (m, k): e^{z_j - max z} / Σ_i e^{z_i - max z}.

    Subtracting the row maximum is what the article's section-5 softmax forgets (erratum 5): without it,
    exp(1000) overflows to inf and the result is NaN.
    """
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(z):
    """Row-wise log softmax, stable: (z - max z) - log Σ e^{z - max z}."""
    z = np.asarray(z)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


#: name -> (σ, σ'): the hidden-layer activations an MLP accepts.
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
    "identity": (identity, identity_prime),
}


def get(name):
    """Return (σ, σ') for an activation name, or raise a ValueError listing the valid names."""
    _checks.choice(name, ACTIVATIONS, "activation")
    return ACTIVATIONS[name]
