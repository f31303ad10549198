"""Weight initialisation (article 3.3 point 2).

W(l) has shape (n_l, n_{l-1}) and is drawn with standard deviation
    "normal": scale (default 0.01, "small random numbers")
    "xavier": sqrt(2 / (n_{l-1} + n_l))    (Glorot & Bengio 2010; keeps variance for tanh/sigmoid)
    "he":     sqrt(2 / n_{l-1})            (He et al. 2015; keeps variance for ReLU)
    "zeros":  all zero (a counter-example: every unit of a layer stays identical, the symmetry is never broken)
Biases start at zero. Every draw comes from the `np.random.Generator` passed in.
"""
import numpy as np

from .i18n import tr

INITS = ("normal", "xavier", "he", "zeros")


def init_std(name, n_in, n_out, scale=0.01):
    """The standard deviation of W(l) for init `name`, fan-in n_in = n_{l-1} and fan-out n_out = n_l."""
    if name == "normal":
        return float(scale)
    if name == "xavier":
        return float(np.sqrt(2.0 / (n_in + n_out)))
    if name == "he":
        return float(np.sqrt(2.0 / n_in))
    if name == "zeros":
        return 0.0
    raise ValueError(tr("unknown {name} {value!r}; expected one of {valid}", name="init", value=name,
                        valid=sorted(INITS)))


def init_params(sizes, init, rng, dtype=np.float64, scale=0.01):
    """Weights [W(1)..W(L)] with W(l): (sizes[l], sizes[l-1]) and zero biases [b(1)..b(L)] with b(l): (sizes[l],)."""
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        std = init_std(init, n_in, n_out, scale)
        weights.append((rng.standard_normal((n_out, n_in)) * std).astype(dtype))
        biases.append(np.zeros(n_out, dtype=dtype))
    return weights, biases
