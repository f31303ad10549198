"""Update rules (article 3.2 end, 3.3 point 3): every optimiser has the same interface,

    opt = make_optimizer("adam")            # or Sgd(), Momentum(mu), Adam(beta1, beta2, eps)
    opt.step(params, grads, lr)             # updates each array in `params` in place

and keeps its own state (velocities, moments) for the list of arrays it was first called with.
Scalars are Python floats, so float32 parameters (and their state) stay float32: no silent upcast.
"""
import numbers

import numpy as np

from . import _checks
from .i18n import tr


def _check_step(params, grads, state):
    """The same number of params and grads, with matching shapes; state (if any) built for the same list."""
    if len(params) != len(grads):
        raise ValueError(tr("step got {n_params} parameter arrays but {n_grads} gradients", n_params=len(params),
                            n_grads=len(grads)))
    for i, (p, g) in enumerate(zip(params, grads)):
        if p.shape != g.shape:
            raise ValueError(tr("gradient {i} has shape {g_shape}, but its parameter has shape {p_shape}", i=i,
                                g_shape=g.shape, p_shape=p.shape))
    if state is not None and [s.shape for s in state] != [p.shape for p in params]:
        raise ValueError(tr("this optimiser's state was built for other parameters; make a new optimiser per "
                            "network"))


class Sgd:
    """Plain gradient descent: W := W - α ∂J/∂W (article 2.2)."""

    name = "sgd"

    def step(self, params, grads, lr):
        """Update each array of `params` in place with its gradient in `grads` and learning rate lr = α."""
        _check_step(params, grads, None)
        lr = float(lr)
        for p, g in zip(params, grads):
            p -= lr * g


class Momentum:
    """Heavy-ball momentum: v := μ v - α g;  W := W + v. μ = 0.9 by default (article 3.3 point 3)."""

    name = "momentum"

    def __init__(self, mu=0.9):
        self.mu = _checks.fraction(mu, "mu")
        self.velocity = None

    def step(self, params, grads, lr):
        """Update `params` in place; the velocities start at zero on the first call."""
        _check_step(params, grads, self.velocity)
        lr = float(lr)
        if self.velocity is None:
            self.velocity = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.velocity):
            v *= self.mu
            v -= lr * g
            p += v


class Adam:
    """Adam (Kingma & Ba 2015): running means of g and g², bias-corrected, per-parameter step sizes.

        m := β1 m + (1 - β1) g;   v := β2 v + (1 - β2) g²;   W := W - α m̂ / (√v̂ + ε)
    with m̂ = m / (1 - β1^t), v̂ = v / (1 - β2^t) after t steps.
    """

    name = "adam"

    def __init__(self, beta1=0.9, beta2=0.999, eps=1e-8):
        self.beta1, self.beta2 = _checks.fraction(beta1, "beta1"), _checks.fraction(beta2, "beta2")
        if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0 < eps < 1:
            raise ValueError(tr("eps must be a small positive number, got {eps!r}", eps=eps))
        self.eps = float(eps)
        self.m = self.v = None
        self.t = 0

    def step(self, params, grads, lr):
        """Update `params` in place; the moments start at zero on the first call."""
        _check_step(params, grads, self.m)
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        # bias correction folded into α; a Python float, so float32 moments are not upcast to float64
        step_size = float(lr) * float(np.sqrt(1 - b2 ** self.t)) / (1 - b1 ** self.t)
        eps_hat = self.eps * float(np.sqrt(1 - b2 ** self.t))   # ε moved inside the folded form, as in the paper
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            p -= step_size * m / (np.sqrt(v) + eps_hat)


OPTIMIZERS = {"sgd": Sgd, "momentum": Momentum, "adam": Adam}


def make_optimizer(name, **kwargs):
    """A fresh optimiser by name ("sgd", "momentum", "adam"); kwargs go to its constructor."""
    _checks.choice(name, OPTIMIZERS, "optimizer")
    cls = OPTIMIZERS[name]
    try:
        return cls(**kwargs)
    except TypeError:
        import inspect
        valid = [p for p in inspect.signature(cls).parameters]
        raise TypeError(tr("optimizer {name!r} takes the arguments {valid}, got {given}", name=name, valid=valid,
                           given=sorted(kwargs))) from None


# ---------------------------------------------------------------------- learning-rate schedules
# A schedule is a function (epoch, lr) -> the learning rate for that epoch (epoch counts from 0).

def step_decay(drop=0.5, every=10):
    """Multiply the learning rate by `drop` every `every` epochs."""
    return lambda epoch, lr: lr * drop ** (epoch // every)


def exponential_decay(gamma=0.95):
    """lr · gamma^epoch."""
    return lambda epoch, lr: lr * gamma ** epoch


def cosine_decay(epochs, final_fraction=0.0):
    """Cosine from lr at epoch 0 down to final_fraction · lr at the last epoch."""
    def schedule(epoch, lr):
        progress = epoch / max(epochs - 1, 1)
        return float(lr * (final_fraction + (1 - final_fraction) * 0.5 * (1 + np.cos(np.pi * progress))))
    return schedule
