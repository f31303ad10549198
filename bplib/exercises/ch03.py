"""Self-checks for chapter 03 (the error terms δ and their recursion, article 2.3 and 3.2)."""
import numpy as np

from . import Hint, check, expect_array, run
from ..activations import sigmoid as _sigmoid, softmax as _softmax


@check
def check_sigmoid_prime(sigmoid_prime):
    """Exercise 03.1: sigmoid_prime(z) = σ(z)(1 - σ(z)), element-wise."""
    z = np.linspace(-4, 4, 9).reshape(3, 3)
    s = _sigmoid(z)
    d = run(sigmoid_prime, z)
    expect_array(d, s * (1 - s), "σ'(z)", mistakes={
        "you used z where σ(z) belongs: σ'(z) = σ(z)(1 - σ(z)), not z(1 - z)": z * (1 - z),
        "this is σ(z) itself; the derivative is σ(z)(1 - σ(z))": s,
        "the sign is wrong: σ'(z) = σ(z)(1 - σ(z)) is positive": -s * (1 - s),
        "this is σ(z)(1 + σ(z)); the derivative is σ(z)(1 - σ(z))": s * (1 + s),
    })
    return "σ'(z) = σ(z)(1 - σ(z)), largest (0.25) at z = 0."


def _output_data():
    rng = np.random.default_rng(301)
    A = _softmax(rng.standard_normal((4, 3)))
    Y = np.eye(3)[[0, 2, 1, 2]]
    return A, Y


@check
def check_output_delta(output_delta):
    """Exercise 03.2: output_delta(A_L, Y) -> δ(L) = a(L) - y for softmax + cross-entropy, shape (m, k)."""
    A, Y = _output_data()
    delta = run(output_delta, A, Y)
    if np.shape(delta) in ((3,), (1, 3)):
        raise Hint(f"δ(L) has shape {np.shape(delta)}, expected (4, 3): keep one row per example; the mean over "
                   f"the batch is taken later, in ∂J/∂W and ∂J/∂b (chapter 04)")
    expect_array(delta, A - Y, "δ(L)", mistakes={
        "the sign is flipped: δ(L) = a - y (the loss grows as a moves away from y)": Y - A,
        "you multiplied by the diagonal a(1 - a) of the softmax Jacobian (erratum 4): softmax is not "
        "element-wise, and with cross-entropy the factors cancel to δ(L) = a - y": (A - Y) * A * (1 - A),
        "you divided by m: δ(L) is per example; the 1/m belongs to the gradients ∂J/∂W, ∂J/∂b": (A - Y) / 4,
    })
    return "δ(L) = a(L) - y: softmax and cross-entropy together give this simple error term."


def _hidden_data():
    rng = np.random.default_rng(302)
    delta_next = rng.standard_normal((5, 2))   # δ(l+1): (m, n_{l+1})
    W_next = rng.standard_normal((2, 3))       # W(l+1): (n_{l+1}, n_l)
    z = rng.standard_normal((5, 3))            # z(l): (m, n_l)
    return delta_next, W_next, z


@check
def check_hidden_delta(hidden_delta):
    """Exercise 03.3: hidden_delta(delta_next, W_next, z) -> δ(l) = (δ(l+1) @ W(l+1)) ⊙ σ'(z(l)), shape (m, n_l)."""
    delta_next, W_next, z = _hidden_data()
    s = _sigmoid(z)
    back = delta_next @ W_next
    delta = run(hidden_delta, delta_next, W_next, z)
    expect_array(delta, back * s * (1 - s), "δ(l)", mistakes={
        "you forgot the factor σ'(z(l)): δ(l) = (W(l+1)ᵀ δ(l+1)) ⊙ σ'(z(l))": back,
        "you multiplied by σ(z(l)) instead of its derivative σ'(z(l)) = σ(1 - σ)": back * s,
        "you used z(1 - z) for σ'(z); it is σ(z)(1 - σ(z))": back * z * (1 - z),
    })
    return "δ(l) = (W(l+1)ᵀ δ(l+1)) ⊙ σ'(z(l)); batch-major: (delta_next @ W_next) * σ'(z)."
