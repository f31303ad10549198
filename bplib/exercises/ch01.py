"""Self-checks for chapter 01 (the forward pass, article 2.1 and 3.1).

Each check tries several inputs chosen to expose the generality the task asks for (one example and a batch,
non-square and square layers, arrays of any shape, extreme z), and names the typical mistakes.
"""
import numpy as np

from . import Hint, check, expect_array, run
from ..activations import sigmoid as _sigmoid
from ..i18n import tr


def _layer_cases():
    rng = np.random.default_rng(101)
    cases = []
    for m, n_prev, n in ((4, 3, 2), (1, 5, 3), (6, 3, 3)):    # non-square, one example, square (W works silently)
        cases.append((rng.standard_normal((m, n_prev)), rng.standard_normal((n, n_prev)), rng.standard_normal(n)))
    return cases


@check
def check_layer_forward(layer_forward):
    """Exercise 01.1: layer_forward(A_prev, W, b) -> Z = A_prev @ W.T + b, shape (m, n_l)."""
    for A_prev, W, b in _layer_cases():
        Z = run(layer_forward, A_prev, W, b)
        square = W.shape[0] == W.shape[1]
        expect_array(Z, A_prev @ W.T + b, "Z", mistakes={
            tr("you forgot to add the bias b"): A_prev @ W.T,
            tr("you subtracted the bias: add it"): A_prev @ W.T - b,
            tr("this is σ(Z): the task asks for the weighted input Z, before the activation"):
                _sigmoid(A_prev @ W.T + b),
            **({tr("you multiplied by W, not by its transpose: in this square layer the shapes fit, but row i of W "
                   "holds the weights INTO unit i, so Z = A_prev @ W.T + b"): A_prev @ W + b} if square else {}),
        })
    return tr("Z = A_prev @ W.T + b gives one row z = W a + b per example, for any m and any layer shape.")


@check
def check_sigmoid(sigmoid):
    """Exercise 01.2: sigmoid(z) = 1 / (1 + e^(-z)), element-wise, any shape, no overflow."""
    z = np.linspace(-6, 6, 13).reshape(13, 1) * np.array([1.0, 0.5])
    a = run(sigmoid, z)
    expect_array(a, _sigmoid(z), "σ(z)", mistakes={
        tr("this is σ(-z) = 1 - σ(z): the sign in the exponent is flipped; σ(z) = 1 / (1 + e^(-z))"):
            1 / (1 + np.exp(z)),
        tr("this is tanh(z); the sigmoid maps to (0, 1)"): np.tanh(z),
    })
    cube = np.arange(-12, 12, dtype=float).reshape(2, 3, 4) / 2
    expect_array(run(sigmoid, cube), _sigmoid(cube), tr("σ(z) for z of shape (2, 3, 4)"))
    with np.errstate(all="ignore"):
        big = run(sigmoid, np.array([[-800.0, 800.0], [-50.0, 50.0]]))
    expect_array(big, _sigmoid(np.array([[-800.0, 800.0], [-50.0, 50.0]])), "σ([[-800, 800], [-50, 50]])")
    return tr("σ(z) = 1 / (1 + e^(-z)), element-wise for any shape, 0 and 1 (not NaN) at z = ∓800.")


def _net_cases():
    rng = np.random.default_rng(102)
    cases = []
    for sizes, m in (([3, 4, 4, 2], 5), ([2, 3], 4), ([4, 6, 3, 5, 2], 1)):
        weights = [rng.standard_normal((n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        biases = [rng.standard_normal(n_out) for n_out in sizes[1:]]
        cases.append((rng.standard_normal((m, sizes[0])), weights, biases))
    return cases


def _forward(X, weights, biases, last_sigma=True, bias=True):
    a = X
    L = len(weights)
    for l in range(L):
        z = a @ weights[l].T + (biases[l] if bias else 0)
        a = _sigmoid(z) if (last_sigma or l < L - 1) else z
    return a


@check
def check_forward(forward):
    """Exercise 01.3: forward(X, weights, biases) -> a(L) of an L-layer sigmoid network, shape (m, n_L)."""
    for X, weights, biases in _net_cases():
        a_L = run(forward, X, weights, biases)
        L = len(weights)
        mistakes = {
            tr("apply σ after every layer, the last one included (this exercise's network is all sigmoid)"):
                _forward(X, weights, biases, last_sigma=False),
            tr("you left out the biases: z(l) = W(l) a(l-1) + b(l)"): _forward(X, weights, biases, bias=False),
        }
        if L > 1:
            mistakes[tr("this is a({layer}): your loop stops one layer early; use every layer", layer=L - 1)] = \
                _forward(X, weights[:-1], biases[:-1])
        expected = _forward(X, weights, biases)
        if L > 1 and a_L is not None and np.shape(a_L) != expected.shape:
            for k in (1, L - 1):
                partial = _forward(X, weights[:k], biases[:k])
                if np.shape(a_L) == partial.shape and np.allclose(np.asarray(a_L, dtype=float), partial):
                    if k == 1:
                        raise Hint(tr("a(L) has shape {got}, expected {expected}: this is the first layer's output; "
                                      "feed each layer's activation into the next, for all {L} layers",
                                      got=np.shape(a_L), expected=expected.shape, L=L))
                    raise Hint(tr("a(L) has shape {got}, expected {expected}: this is a({layer}): your loop stops one "
                                  "layer early; feed each layer's activation into the next, for all {L} layers",
                                  got=np.shape(a_L), expected=expected.shape, layer=L - 1, L=L))
        arch = "-".join(str(w.shape[1]) for w in weights) + f"-{weights[-1].shape[0]}"
        expect_array(a_L, _forward(X, weights, biases), tr("a(L) of the {arch} network", arch=arch), mistakes=mistakes)
    return tr("a(L) for networks of 1, 3 and 4 layers: a loop of z = a @ W.T + b, a = σ(z), any depth and batch size.")


XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0.0, 1.0, 1.0, 0.0])


def _as_param_list(value, name, count):
    if not isinstance(value, (list, tuple)):
        raise Hint(tr("{name} should be a list of {count} arrays (one per layer), got {got}", name=name, count=count,
                      got=type(value).__name__))
    if len(value) != count:
        raise Hint(tr("{name} should be a list of {count} arrays (one per layer), got {got} of length {length}",
                      name=name, count=count, got=type(value).__name__, length=len(value)))
    try:
        return [np.asarray(v, dtype=np.float64) for v in value]
    except (TypeError, ValueError):
        raise Hint(tr("every entry of {name} should be an array of numbers", name=name)) from None


@check
def check_xor_weights(xor_weights):
    """Exercise 01.4: xor_weights() -> (weights, biases) of a 2-h-1 sigmoid network computing XOR on {0, 1}²."""
    answer = run(xor_weights)
    if not isinstance(answer, (list, tuple)) or len(answer) != 2:
        raise Hint(tr("return two things, weights and biases: `return [W1, W2], [b1, b2]`"))
    weights = _as_param_list(answer[0], "weights", 2)
    biases = _as_param_list(answer[1], "biases", 2)
    W1, W2 = weights
    b1, b2 = biases
    if W1.ndim != 2 or W1.shape[1] != 2:
        if W1.ndim == 2 and W1.shape[0] == 2:
            raise Hint(tr("W(1) has shape {got}: did you transpose? W(1) has shape (n_1, n_0) = (hidden units, 2)",
                          got=W1.shape))
        raise Hint(tr("W(1) must have shape (h, 2) for h hidden units, got {got}", got=W1.shape))
    h = W1.shape[0]
    if b1.shape != (h,):
        raise Hint(tr("b(1) must have shape ({h},), one bias per hidden unit, got {got}", h=h, got=b1.shape))
    if W2.shape != (1, h):
        if W2.shape == (h, 1):
            raise Hint(tr("W(2) has shape {got}: did you transpose? W(2) has shape (1, {h})", got=W2.shape, h=h))
        raise Hint(tr("W(2) must have shape (1, {h}) (one output unit), got {got}", h=h, got=W2.shape))
    if b2.shape not in ((1,), ()):
        raise Hint(tr("b(2) must have shape (1,), got {got}", got=b2.shape))
    if not all(np.all(np.isfinite(p)) for p in (W1, b1, W2, b2)):
        raise Hint(tr("your weights contain NaN or inf"))
    with np.errstate(over="ignore"):
        out = _sigmoid(_sigmoid(XOR_X @ W1.T + b1) @ W2.T + b2.reshape(-1))[:, 0]
    shown = ", ".join(f"{tuple(int(v) for v in x)} -> {o:.2f}" for x, o in zip(XOR_X, out))
    if np.all(np.abs(out - XOR_Y) < 0.1):
        return tr("your network computes XOR: {shown}. One hidden layer is enough; no single layer can do it.",
                  shown=shown)
    ok = (out > 0.5) == (XOR_Y > 0.5)
    if np.all(ok):
        raise Hint(tr("the right side of 0.5 everywhere ({shown}), but not within 0.1 of 0 and 1: scale all weights "
                      "and biases up (e.g. ×10) so the sigmoids saturate", shown=shown))
    patterns = {"OR": [0, 1, 1, 1], "AND": [0, 0, 0, 1], "NAND": [1, 1, 1, 0], "NOR": [1, 0, 0, 0],
                "XNOR": [1, 0, 0, 1]}
    got = (out > 0.5).astype(int).tolist()
    for name, pattern in patterns.items():
        if got == pattern:
            if name == "XNOR":
                raise Hint(tr("your network computes XNOR (XOR inverted) ({shown}), not XOR. Idea: hidden unit 1 ≈ "
                              "OR, hidden unit 2 ≈ AND, output ≈ unit 1 AND NOT unit 2", shown=shown))
            raise Hint(tr("your network computes {gate} ({shown}), not XOR. Idea: hidden unit 1 ≈ OR, hidden unit "
                          "2 ≈ AND, output ≈ unit 1 AND NOT unit 2", gate=name, shown=shown))
    if len(set(got)) == 1:
        raise Hint(tr("your network gives the same answer for every input ({shown}): the hidden units must respond "
                      "differently to the four points", shown=shown))
    raise Hint(tr("not XOR yet: {shown}; wanted 0, 1, 1, 0. Idea: hidden unit 1 ≈ OR, hidden unit 2 ≈ AND, "
                  "output ≈ unit 1 AND NOT unit 2", shown=shown))
