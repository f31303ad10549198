"""Update rules (article 3.2 end, 3.3 point 3): every optimiser has the same interface,

    opt = make_optimizer("adam")            # or Sgd(), Momentum(mu), Adam(beta1, beta2, eps)
    opt.step(params, grads, lr)             # updates each array in `params` in place

and keeps its own state (velocities, moments) for the list of arrays it was first called with.
Scalars are Python floats, so float32 parameters stay float32.
"""
import numpy as np


class Sgd:
    """Plain gradient descent: W := W - α ∂J/∂W."""

    name = "sgd"

    def step(self, params, grads, lr):
        for p, g in zip(params, grads):
            p -= lr * g


class Momentum:
    """Heavy-ball momentum: v := μ v - α g;  W := W + v. μ = 0.9 by default."""

    name = "momentum"

    def __init__(self, mu=0.9):
        self.mu = float(mu)
        self.velocity = None

    def step(self, params, grads, lr):
        if self.velocity is None:
            self.velocity = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.velocity):
            v *= self.mu
            v -= lr * g
            p += v


class Adam:
    """Adam (Kingma & Ba 2015): running means of g and g², bias-corrected, per-parameter step sizes."""

    name = "adam"

    def __init__(self, beta1=0.9, beta2=0.999, eps=1e-8):
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.m = self.v = None
        self.t = 0

    def step(self, params, grads, lr):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step_size = lr * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)   # bias correction folded into α
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            p -= step_size * m / (np.sqrt(v) + self.eps)


OPTIMIZERS = {"sgd": Sgd, "momentum": Momentum, "adam": Adam}


def make_optimizer(name, **kwargs):
    """A fresh optimiser by name ("sgd", "momentum", "adam"); kwargs go to its constructor."""
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; expected one of {sorted(OPTIMIZERS)}")
    return OPTIMIZERS[name](**kwargs)


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
        return lr * (final_fraction + (1 - final_fraction) * 0.5 * (1 + np.cos(np.pi * progress)))
    return schedule
