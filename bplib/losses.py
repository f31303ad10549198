"""Output layers and their losses (article 2.2 and 4.2).

Each output is a pair (output activation, loss) chosen so that the error term of the output layer is simply

    δ(L) = a(L) - y                        (per example; J is the mean over the batch)

- "softmax":  a = softmax(z), J = -(1/m) Σ_i Σ_j y_ij log a_ij                 (cross-entropy)
- "sigmoid":  a = σ(z),       J = -(1/m) Σ_i Σ_j [y log a + (1-y) log(1-a)]   (binary cross-entropy)
- "identity": a = z,          J = (1/2m) Σ_i Σ_j (a_ij - y_ij)²               (mean squared error, with ½)

The article's general rule δ(L) = ∇_a J ⊙ σ'(z(L)) (3.2) gives a - y for the sigmoid and identity pairs; for
softmax it does not apply, because softmax is not element-wise (erratum 4): a - y comes from the Jacobian of
softmax and the cross-entropy taken together. Losses are computed from z (logits), never from a rounded a, so
they stay finite for |z| up to 1e4.
"""
import numpy as np

from . import _checks, activations


def softmax_cross_entropy(z, y):
    """Mean cross-entropy of softmax(z) against one-hot (or soft) targets y; z, y: (m, k) -> float.

    -Σ_j y_j log softmax(z)_j = Σ_j y_j lse(z) - Σ_j y_j z_j with lse(z) = log Σ_j e^{z_j}, computed after
    shifting z by its row maximum (which cancels), so no exp overflows and no (m, k) product is formed.
    """
    shifted = z - z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=1))
    return float((np.dot(lse, y.sum(axis=1)) - np.vdot(y, shifted)) / z.shape[0])


def sigmoid_binary_cross_entropy(z, y):
    """Mean BCE of σ(z) against y in [0, 1]; z, y: (m, k) -> float.

    Uses log(1 + e^z) - y z = max(z, 0) - y z + log(1 + e^-|z|), which never overflows.
    """
    per_entry = np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))
    return float(np.sum(per_entry) / z.shape[0])


def half_mean_squared_error(a, y):
    """J = (1/2m) Σ (a - y)²; a, y: (m, k) -> float. The ½ makes ∂J/∂a = (a - y)/m."""
    return float(0.5 * np.sum((a - y) ** 2) / a.shape[0])


#: name -> (output activation, loss(z, a, y)).
OUTPUTS = {
    "softmax": (activations.softmax, lambda z, a, y: softmax_cross_entropy(z, y)),
    "sigmoid": (activations.sigmoid, lambda z, a, y: sigmoid_binary_cross_entropy(z, y)),
    "identity": (activations.identity, lambda z, a, y: half_mean_squared_error(a, y)),
}

def get(name):
    """Return (output activation, loss) for an output name, or raise a ValueError listing the valid names."""
    _checks.choice(name, OUTPUTS, "output")
    return OUTPUTS[name]


def predict(a_out, output):
    """Turn network outputs (m, k) into predictions: argmax labels (softmax), 0/1 labels (sigmoid, k = 1)."""
    if output == "softmax":
        return a_out.argmax(axis=1)
    if output == "sigmoid":
        labels = (a_out > 0.5).astype(np.int64)
        return labels[:, 0] if labels.shape[1] == 1 else labels
    return a_out


def n_correct(a_out, T, output):
    """The number of correct predictions for outputs a_out (m, k) and targets T (m, k) (0 for regression).

    softmax: the largest output is the target's class; sigmoid: each output unit on the right side of 0.5
    (a unit counts as 1/k of an example, so multi-label outputs give fractional counts).
    """
    if output == "softmax":
        return int(np.count_nonzero(a_out.argmax(axis=1) == T.argmax(axis=1)))
    if output == "sigmoid":
        return float(np.count_nonzero((a_out > 0.5) == (T > 0.5))) / a_out.shape[1]
    return 0


def accuracy(a_out, T, output):
    """Fraction of correct predictions for outputs a_out (m, k) and targets T (m, k); NaN for regression."""
    if output == "identity":
        return float("nan")
    return n_correct(a_out, T, output) / a_out.shape[0]
