"""The multilayer perceptron: forward pass (article 3.1) and backpropagation (article 3.2, 4.2).

Notation (as in the course): layer l = 1..L has n_l units, W(l) has shape (n_l, n_{l-1}), b(l) shape (n_l,).
Code is batch-major: a batch X has shape (m, n_0), one example per row, so the article's column form
z = W a + b becomes Z = A_prev @ W.T + b, with Z of shape (m, n_l).

Indexing: Python lists start at 0, the article's layers at 1. `weights[l - 1]` is W(l), `zs[l - 1]` is z(l),
and `activations[l]` is a(l) with activations[0] = x = a(0).
"""
import numbers

import numpy as np

from . import _checks, activations as act, init as init_mod, losses
from .i18n import tr

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_NO_TARGETS = object()          # prepare(X) without Y; Y=None is a mistake and gets a clear error


class MLP:
    """A fully connected network: hidden layers with one activation, an output layer with its loss.

    Args:
        sizes: [n_0, n_1, ..., n_L], at least 2 positive ints (input width, hidden widths, output width).
        activation: hidden activation, one of "sigmoid", "tanh", "relu", "leaky_relu".
        output: "softmax" (cross-entropy), "sigmoid" (binary cross-entropy) or "identity" (mean squared error).
        init: "he", "xavier", "normal" (std `scale`) or "zeros"; see `bplib.init`.
        seed: int or np.random.Generator for the initial weights (same seed, bit-identical weights).
        dtype: np.float64 (default, for checking) or np.float32 (faster; kept end to end).
        scale: standard deviation for init="normal".
        l1, l2: penalty strengths; J = data loss + l1 Σ|W| + (l2/2) Σ W² over all weights (not biases).
    """

    def __init__(self, sizes, activation="relu", output="softmax", init="he", seed=0, dtype=np.float64,
                 scale=0.01, l1=0.0, l2=0.0):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
            raise ValueError(tr("sizes must list at least 2 layer widths [n_0, ..., n_L], got {sizes!r}", sizes=sizes))
        if not all(isinstance(n, numbers.Integral) and not isinstance(n, bool) and n >= 1 for n in sizes):
            raise ValueError(tr("every layer width in sizes must be a positive integer, got {sizes!r}",
                                sizes=list(sizes)))
        self.sizes = [int(n) for n in sizes]
        self.activation = _checks.choice(activation, set(act.ACTIVATIONS) - {"identity"}, "activation")
        self.output = _checks.choice(output, losses.OUTPUTS, "output")
        self.init = _checks.choice(init, init_mod.INITS, "init")
        try:
            known = dtype is not None and np.dtype(dtype) in FLOAT_DTYPES   # (np.dtype(None) would be float64)
        except TypeError:
            known = False
        if not known:
            raise TypeError(tr("dtype must be np.float32 or np.float64, got {dtype!r}", dtype=dtype))
        self.dtype = np.dtype(dtype)
        self.scale = _checks.positive_number(scale, "scale")
        self.l1 = _checks.non_negative_number(l1, "l1")
        self.l2 = _checks.non_negative_number(l2, "l2")
        rng = _checks.rng(seed, allow_none=True)
        self.weights, self.biases = init_mod.init_params(self.sizes, init, rng, self.dtype, self.scale)
        self._sigma, self._sigma_prime = act.get(self.activation)
        self._out, self._loss = losses.get(self.output)

    # ------------------------------------------------------------------ the two passes
    @property
    def n_layers(self):
        """L, the number of layers with weights (hidden layers + the output layer)."""
        return len(self.weights)

    def sigma(self, z):
        """The hidden activation σ(z), element-wise (e.g. ReLU for activation="relu")."""
        return self._sigma(z)

    def sigma_prime(self, z, a=None):
        """σ'(z), the derivative of the hidden activation, element-wise; a = σ(z) may be passed to save work."""
        return self._sigma_prime(z, a)

    def forward_pass(self, X):
        """Run the forward pass (article 3.1) on an already validated X (m, n_0); keep every z and a.

        Returns:
            zs: [z(1), ..., z(L)], z(l) of shape (m, n_l)
            activations: [a(0) = X, a(1), ..., a(L)], a(l) of shape (m, n_l)
        """
        a = X
        zs, activations = [], [X]
        L = self.n_layers
        for l in range(1, L + 1):
            W, b = self.weights[l - 1], self.biases[l - 1]
            z = a @ W.T                                       # z(l) = W(l) a(l-1) + b(l), one row per example
            z += b                                            # (+ b in place: one temporary fewer)
            a = self._out(z) if l == L else self._sigma(z)    # a(l) = σ(z(l)); the output layer has its own σ
            zs.append(z)
            activations.append(a)
        return zs, activations

    def backward_pass(self, zs, activations, T, keep_deltas=False):
        """Backpropagate (article 3.2, corrected as in errata 1, 3, 4) from targets T (m, n_L).

        Returns (deltas, dW, db), without the L1/L2 penalty terms (loss_grads_output adds them).

        deltas[l - 1] = δ(l) of shape (m, n_l), one row per example: δ(l)_i = ∂J_i/∂z(l)_i, the error term of
            example i's own loss J_i (the input layer has none). Only kept if keep_deltas, else deltas is None.
        dW[l - 1] = ∂J/∂W(l) = (1/m) Σ_i δ(l)_i a(l-1)_iᵀ, shape (n_l, n_{l-1}).
        db[l - 1] = ∂J/∂b(l) = (1/m) Σ_i δ(l)_i, shape (n_l,).

        The loop carries g = δ/m rather than δ: the recursion is linear in δ, so g(l-1) = (g(l) W(l)) ⊙ σ'(z(l-1))
        holds too, and then ∂J/∂W(l) = g(l)ᵀ a(l-1) and ∂J/∂b(l) = Σ_i g(l)_i need no division of their own.
        """
        m = T.shape[0]
        L = self.n_layers
        deltas, dW, db = ([None] * L if keep_deltas else None), [None] * L, [None] * L
        g = activations[L] - T                                # δ(L) = a(L) - y for all three output/loss pairs
        g *= 1 / m                                            # g(L) = δ(L) / m: J is the mean over the batch
        for l in range(L, 0, -1):
            if keep_deltas:
                deltas[l - 1] = g * m
            dW[l - 1] = g.T @ activations[l - 1]              # ∂J/∂W(l) = (1/m) Σ_i δ(l)_i a(l-1)_iᵀ
            db[l - 1] = g.sum(axis=0)                         # ∂J/∂b(l) = batch mean of δ(l)
            if l > 1:                                         # δ(l-1) = (W(l)ᵀ δ(l)) ⊙ σ'(z(l-1))
                g = g @ self.weights[l - 1]
                g *= self._sigma_prime(zs[l - 2], activations[l - 1])
        return deltas, dW, db

    # ------------------------------------------------------------------ loss with penalties
    def data_loss(self, z_out, a_out, T):
        """The loss J without penalties, from the output layer's z(L) and a(L) and the targets T (m, n_L)."""
        return self._loss(z_out, a_out, T)

    def penalty(self):
        """l1 Σ|W| + (l2/2) Σ W² over all weight matrices (0 when both are off)."""
        total = 0.0
        if self.l1:
            total += self.l1 * sum(float(np.abs(W).sum()) for W in self.weights)
        if self.l2:
            total += 0.5 * self.l2 * sum(float(np.vdot(W, W)) for W in self.weights)
        return total

    def add_penalty_grads(self, dW):
        """Add the penalties' gradients l2 W(l) + l1 sign(W(l)) to each dW[l - 1] in place; returns dW."""
        if self.l1 or self.l2:
            for l, W in enumerate(self.weights):
                if self.l2:
                    dW[l] += self.l2 * W
                if self.l1:
                    dW[l] += self.l1 * np.sign(W)
        return dW

    # ------------------------------------------------------------------ public API
    def check_params(self):
        """Raise a clear error if weights/biases were replaced by arrays of the wrong shape or kind.

        W(l) = weights[l - 1] must be a float array of shape (n_l, n_{l-1}) and b(l) = biases[l - 1] one of
        shape (n_l,), as in the article; a transposed W is the classic mistake when setting weights by hand.
        """
        L = len(self.sizes) - 1
        if len(self.weights) != L or len(self.biases) != L:
            raise ValueError(tr("the network has {L} layers (sizes {sizes}) but {n_weights} weight matrices and "
                                "{n_biases} bias vectors", L=L, sizes=self.sizes, n_weights=len(self.weights),
                                n_biases=len(self.biases)))
        for l in range(1, L + 1):
            n_out, n_in = self.sizes[l], self.sizes[l - 1]
            for name, p, shape in ((f"weights[{l - 1}] (W({l}))", self.weights[l - 1], (n_out, n_in)),
                                   (f"biases[{l - 1}] (b({l}))", self.biases[l - 1], (n_out,))):
                if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
                    if hasattr(p, "dtype"):
                        raise TypeError(tr("{name} must be a float NumPy array of shape {shape}, got {type} of dtype "
                                           "{dtype}", name=name, shape=shape, type=type(p).__name__, dtype=p.dtype))
                    raise TypeError(tr("{name} must be a float NumPy array of shape {shape}, got {type}",
                                       name=name, shape=shape, type=type(p).__name__))
                if p.shape == shape[::-1] and p.shape != shape:
                    raise ValueError(tr("{name} has shape {got}, expected {shape} (transposed? W(l) has shape "
                                        "{w_shape})", name=name, got=p.shape, shape=shape, w_shape="(n_l, n_{l-1})"))
                if p.shape != shape:
                    raise ValueError(tr("{name} has shape {got}, expected {shape}", name=name, got=p.shape,
                                        shape=shape))

    def prepare(self, X, Y=_NO_TARGETS):
        """Validate inputs once: X -> (m, n_0) array of the net's dtype; Y -> targets (m, n_L) (see `_checks`).

        prepare(X) returns X alone; prepare(X, Y) returns (X, T), and rejects Y = None with a clear TypeError.
        """
        self.check_params()
        X = _checks.as_inputs(X, self.sizes[0], self.dtype)
        if Y is _NO_TARGETS:
            return X
        return X, _checks.as_targets(Y, X.shape[0], self.sizes[-1], self.output, self.dtype)

    def forward(self, X):
        """Network output a(L) for X (m, n_0): probabilities for softmax/sigmoid, values for identity. -> (m, n_L)"""
        X = self.prepare(X)
        return self.forward_pass(X)[1][-1]

    def predict(self, X):
        """Class labels (m,) for softmax and sigmoid outputs; the outputs (m, n_L) for identity."""
        return losses.predict(self.forward(X), self.output)

    def loss(self, X, Y):
        """Mean loss J over the batch, penalties included."""
        X, T = self.prepare(X, Y)
        zs, activations = self.forward_pass(X)
        return self.data_loss(zs[-1], activations[-1], T) + self.penalty()

    def accuracy(self, X, Y):
        """Fraction of examples classified correctly (softmax or sigmoid outputs)."""
        X, T = self.prepare(X, Y)
        return losses.accuracy(self.forward_pass(X)[1][-1], T, self.output)

    def forward_all(self, X):
        """The whole forward pass for X (m, n_0): (zs, activations) with zs[l - 1] = z(l) and activations[l] = a(l).

        activations[0] is X itself (as the network's dtype), activations[L] the output a(L); see forward_pass.
        """
        return self.forward_pass(self.prepare(X))

    def deltas(self, X, Y):
        """The error terms [δ(1), ..., δ(L)] for a batch, δ(l) of shape (m, n_l): row i is ∂J_i/∂z(l)_i."""
        X, T = self.prepare(X, Y)
        zs, activations = self.forward_pass(X)
        return self.backward_pass(zs, activations, T, keep_deltas=True)[0]

    def loss_and_grads(self, X, Y):
        """Mean loss J and its gradients for a batch X (m, n_0) with labels (m,) or targets (m, n_L).

        Returns (loss, dW, db): dW[l - 1] = ∂J/∂W(l) with the shape of weights[l - 1], db[l - 1] = ∂J/∂b(l).
        """
        X, T = self.prepare(X, Y)
        loss, grads, _ = self.loss_grads_output(X, T)
        L = self.n_layers
        return loss, grads[:L], grads[L:]

    # ------------------------------------------------------------------ the protocol train() and gradcheck() use
    def params(self):
        """All trainable arrays, updated in place by optimisers: [W(1)..W(L), b(1)..b(L)]."""
        return self.weights + self.biases

    def param_names(self):
        """Names matching `params()`: ["W1", ..., "WL", "b1", ..., "bL"] (article numbering)."""
        return [f"W{l}" for l in range(1, self.n_layers + 1)] + [f"b{l}" for l in range(1, self.n_layers + 1)]

    def loss_grads_output(self, X, T):
        """One forward and backward pass on validated X and T: (loss, grads matching params(), output a(L))."""
        zs, activations = self.forward_pass(X)
        loss = self.data_loss(zs[-1], activations[-1], T) + self.penalty()
        _, dW, db = self.backward_pass(zs, activations, T)
        return loss, self.add_penalty_grads(dW) + db, activations[-1]

    def loss_output(self, X, T):
        """Loss (penalties included) and output a(L) on validated X, T, without gradients."""
        zs, activations = self.forward_pass(X)
        return self.data_loss(zs[-1], activations[-1], T) + self.penalty(), activations[-1]

    def grad_layer_names(self):
        """Names of the weight matrices, in order; train(track_grad_norms=True) records one norm per name."""
        return [f"W{l}" for l in range(1, self.n_layers + 1)]

    # ------------------------------------------------------------------ conveniences
    def copy(self):
        """An independent copy of the same class: every array (and list of arrays) is copied, settings are shared.

        Works unchanged for the subclasses (BatchNormMLP's γ and running statistics are lists of arrays too).
        """
        new = object.__new__(type(self))
        for name, value in self.__dict__.items():
            if isinstance(value, np.ndarray):
                value = value.copy()
            elif isinstance(value, list) and value and all(isinstance(v, np.ndarray) for v in value):
                value = [v.copy() for v in value]
            new.__dict__[name] = value
        return new

    @property
    def n_params(self):
        """The number of trainable numbers."""
        return sum(p.size for p in self.params())

    def save(self, path):
        """Save architecture and weights to an .npz file (no pickle); load with `bplib.load`."""
        from .serialize import save
        save(self, path)

    def __repr__(self):
        return (f"MLP(sizes={self.sizes}, activation={self.activation!r}, output={self.output!r}, "
                f"init={self.init!r}, dtype={self.dtype.name}, l1={self.l1:g}, l2={self.l2:g})")
