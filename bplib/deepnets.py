"""The article's remedies for vanishing/exploding gradients (3.3 point 5): BatchNorm and residual connections.

Both networks are subclasses of `bplib.MLP`, so `bplib.train`, `bplib.gradcheck` and `bplib.plots` work on them
unchanged (they use the protocol prepare / params / param_names / loss_grads_output / loss_output /
grad_layer_names / forward / output), and `bplib.save` / `bplib.load` store them with their own settings.
Forward and backward passes are written out by hand, in the course's notation: batch-major,
Z = A_prev @ W.T + b, per-example error terms δ (one row per example: row i is ∂J_i/∂z_i, J_i being example i's
own loss), gradients averaged over the batch of m examples.

BatchNorm (Ioffe & Szegedy 2015), for hidden layer l and a batch of m rows:

    u = a(l-1) W(l)ᵀ                      (no bias: β(l) takes its place)
    μ = mean of u over the batch,  v = variance of u over the batch      (train mode)
    û = (u - μ) / √(v + ε)
    z(l) = γ(l) ⊙ û + β(l),   a(l) = σ(z(l))

Backward (δ(l) per example, one row each; means over the batch of m rows):

    ∂J/∂γ(l) = (1/m) Σ_i δ_i ⊙ û_i,   ∂J/∂β(l) = (1/m) Σ_i δ_i
    g = δ ⊙ γ;   δ_u = (g - mean(g) - û ⊙ mean(g ⊙ û)) / √(v + ε)     (means over the batch)
    ∂J/∂W(l) = (1/m) δ_uᵀ a(l-1),   δ(l-1) = (δ_u W(l)) ⊙ σ'(z(l-1))

Residual network (He et al. 2016), hidden layers of equal width, blocks l = 2..L-1:

    z(l) = W(l) a(l-1) + b(l),   h(l) = h(l-1) + z(l)   (h(1) = z(1)),   a(l) = σ(h(l))

Backward, with δ(l) the per-example error term of h(l) (row i = ∂J_i/∂h(l)_i):  δ(l) = (W(l+1)ᵀ δ(l+1)) ⊙ σ'(h(l)) + δ(l+1)  when layer l+1 is a block. The
"+ δ(l+1)" is the skip path: the error term reaches early layers without being multiplied by any σ' or W.
"""
import numpy as np

from . import _checks
from .i18n import tr
from .network import MLP


class BatchNormMLP(MLP):
    """An MLP with batch normalisation (批量规范化) before every hidden activation.

    Args:
        sizes, activation, output, init, seed, dtype: as for bplib.MLP.
        momentum: running statistics are updated as r := momentum r + (1 - momentum) batch statistic.
        eps: ε added to the variance before the square root.
        l2: L2 penalty on the weights (as in MLP; γ and β are not penalised). L1 is not offered.
    Attributes:
        weights[l-1] = W(l), shape (n_l, n_{l-1}).
        biases[l-1] = β(l) for hidden layers (the shift after normalisation) and b(L) for the output layer.
        gammas[l-1] = γ(l), shape (n_l,), hidden layers only (starts at 1).
        running_means[l-1], running_vars[l-1]: the statistics eval mode uses (start at 0 and 1).
        training: True (batch statistics) or False (running statistics); see train_mode() / eval_mode().
    `loss_grads_output` is a training step: it always uses batch statistics and updates the running ones.
    `loss_output` and `forward` follow `training`, and never change the running statistics. gradcheck needs
    training=True (the default), so that loss_output computes the same function that was differentiated.
    """

    def __init__(self, sizes, activation="relu", output="softmax", init="he", seed=0, dtype=np.float64,
                 momentum=0.9, eps=1e-5, l2=0.0):
        super().__init__(sizes, activation=activation, output=output, init=init, seed=seed, dtype=dtype, l2=l2)
        if len(self.sizes) < 3:
            raise ValueError(tr("a BatchNormMLP needs at least one hidden layer, got sizes={sizes}", sizes=self.sizes))
        self.momentum = _checks.fraction(momentum, "momentum")
        self.eps = _checks.positive_number(eps, "eps")
        hidden = self.sizes[1:-1]
        self.gammas = [np.ones(n, dtype=self.dtype) for n in hidden]
        self.running_means = [np.zeros(n, dtype=self.dtype) for n in hidden]
        self.running_vars = [np.ones(n, dtype=self.dtype) for n in hidden]
        self.training = True

    def train_mode(self):
        """Use batch statistics in forward / loss_output (the default). Returns self."""
        self.training = True
        return self

    def eval_mode(self):
        """Use the running statistics in forward / loss_output (for test data, single examples). Returns self."""
        self.training = False
        return self

    # ------------------------------------------------------------------ the two passes
    def forward_pass(self, X, batch_stats=None, update_running=False):
        """Forward pass on validated X (m, n_0), keeping what the backward pass needs.

        batch_stats: True for batch statistics, False for running ones, None to follow self.training.
        update_running: fold this batch's statistics into the running ones (training steps only).
        Returns (zs, activations, cache): zs[l-1] = z(l) (after normalisation for hidden layers),
        activations[l] = a(l) with activations[0] = X, cache[l-1] = (û, 1/√(v+ε)) for hidden layer l.
        """
        batch_stats = self.training if batch_stats is None else batch_stats
        L = self.n_layers
        a = X
        zs, activations, cache = [], [X], []
        for l in range(1, L):
            u = a @ self.weights[l - 1].T                              # (m, n_l), no bias before BN
            if batch_stats:
                mu, var = u.mean(axis=0), u.var(axis=0)
                if update_running:
                    k = self.momentum
                    self.running_means[l - 1] = k * self.running_means[l - 1] + (1 - k) * mu
                    self.running_vars[l - 1] = k * self.running_vars[l - 1] + (1 - k) * var
            else:
                mu, var = self.running_means[l - 1], self.running_vars[l - 1]
            inv_std = 1 / np.sqrt(var + self.eps)
            u_hat = (u - mu) * inv_std                                  # û: zero mean, unit variance per unit
            z = self.gammas[l - 1] * u_hat + self.biases[l - 1]         # z(l) = γ ⊙ û + β
            a = self._sigma(z)
            zs.append(z)
            activations.append(a)
            cache.append((u_hat, inv_std))
        z = a @ self.weights[L - 1].T + self.biases[L - 1]              # output layer: no BatchNorm
        zs.append(z)
        activations.append(self._out(z))
        return zs, activations, cache

    def backward_pass(self, zs, activations, T, cache):
        """Backpropagate from targets T (m, n_L); returns (dW, db, dgamma), each a list over layers (no penalty)."""
        m = T.shape[0]
        L = self.n_layers
        dW, db, dgamma = [None] * L, [None] * L, [None] * (L - 1)
        delta = activations[L] - T                                      # δ(L) = a(L) - y
        dW[L - 1] = (delta.T @ activations[L - 1]) * (1 / m)
        db[L - 1] = delta.sum(axis=0) * (1 / m)
        delta = (delta @ self.weights[L - 1]) * self._sigma_prime(zs[L - 2], activations[L - 1])
        for l in range(L - 1, 0, -1):                                   # δ now holds δ(l), row i = ∂J_i/∂z(l)_i
            u_hat, inv_std = cache[l - 1]
            dgamma[l - 1] = (delta * u_hat).sum(axis=0) * (1 / m)
            db[l - 1] = delta.sum(axis=0) * (1 / m)                     # ∂J/∂β(l)
            g = delta * self.gammas[l - 1]                              # m ∂J/∂û
            delta_u = (g - g.mean(axis=0) - u_hat * (g * u_hat).mean(axis=0)) * inv_std
            dW[l - 1] = (delta_u.T @ activations[l - 1]) * (1 / m)
            if l > 1:
                delta = (delta_u @ self.weights[l - 1]) * self._sigma_prime(zs[l - 2], activations[l - 1])
        return dW, db, dgamma

    def calibrate(self, X):
        """Set the running statistics to the statistics of X under the current weights, then switch to eval mode.

        During training the running averages trail the weights, which keep changing; in a deep network the
        small mismatches add up and eval-mode accuracy can drop far below train-mode accuracy. One full pass
        over (a large sample of) the training data X (m, n_0) with frozen weights fixes that. Returns self.
        """
        X = self.prepare(X)
        momentum, self.momentum = self.momentum, 0.0        # momentum 0: running statistic := this batch's
        try:
            self.forward_pass(X, batch_stats=True, update_running=True)
        finally:
            self.momentum = momentum
        return self.eval_mode()

    # ------------------------------------------------------------------ the protocol
    def params(self):
        """[W(1)..W(L), β(1)..β(L-1), b(L), γ(1)..γ(L-1)], updated in place by optimisers."""
        return self.weights + self.biases + self.gammas

    def param_names(self):
        L = self.n_layers
        return ([f"W{l}" for l in range(1, L + 1)] + [f"beta{l}" for l in range(1, L)] + [f"b{L}"]
                + [f"gamma{l}" for l in range(1, L)])

    def loss_grads_output(self, X, T):
        """A training step's forward and backward pass (batch statistics; running statistics updated)."""
        zs, activations, cache = self.forward_pass(X, batch_stats=True, update_running=True)
        loss = self.data_loss(zs[-1], activations[-1], T) + self.penalty()
        dW, db, dgamma = self.backward_pass(zs, activations, T, cache)
        return loss, self.add_penalty_grads(dW) + db + dgamma, activations[-1]

    def loss_output(self, X, T):
        """Loss and output a(L) on validated X, T; batch or running statistics according to self.training."""
        zs, activations, _ = self.forward_pass(X)
        return self.data_loss(zs[-1], activations[-1], T) + self.penalty(), activations[-1]

    def loss_and_grads(self, X, Y):
        """Mean loss J and gradients: (loss, dW, db) with db[l-1] = ∂J/∂β(l) for hidden layers, ∂J/∂b(L) last.

        The γ gradients are in `grads(X, Y)`, which returns every gradient by name.
        """
        X, T = self.prepare(X, Y)
        loss, grads, _ = self.loss_grads_output(X, T)
        L = self.n_layers
        return loss, grads[:L], grads[L:2 * L]

    def grads(self, X, Y):
        """{name: gradient} for every parameter (names as in param_names()), from one training step's pass."""
        X, T = self.prepare(X, Y)
        _, grads, _ = self.loss_grads_output(X, T)
        return dict(zip(self.param_names(), grads))

    def deltas(self, X, Y):
        raise NotImplementedError(tr("deltas() is defined for a plain MLP only"))

    def __repr__(self):
        return (f"BatchNormMLP(sizes={self.sizes}, activation={self.activation!r}, output={self.output!r}, "
                f"init={self.init!r}, dtype={self.dtype.name}, momentum={self.momentum:g}, "
                f"training={self.training})")


class ResidualMLP(MLP):
    """An MLP with skip connections (残差连接): hidden layers 2..L-1 add their output to a running sum h.

        z(l) = W(l) a(l-1) + b(l)            for every layer, as in the plain MLP
        h(1) = z(1);   h(l) = h(l-1) + z(l)  for the blocks l = 2..L-1 (the skip connection)
        a(l) = σ(h(l)) for hidden layers;    a(L) = output activation of z(L)

    So the only change from a plain MLP is that σ is applied to the running sum h(l) rather than to z(l) alone
    (a pre-activation residual block, He et al. 2016: h + W σ(h) + b). Backward, δ(l) per example (row i is
∂J_i/∂h(l)_i):

        δ(l) = (W(l+1)ᵀ δ(l+1)) ⊙ σ'(h(l))  +  δ(l+1)  [only if layer l+1 is a block]

    the article's recursion (3.2) plus the skip term δ(l+1), which carries the error back unchanged: however
    small σ' and W make the first term, the second still reaches the early layers.

    Args:
        sizes: [n_0, w, w, ..., w, n_L]: every hidden layer has the same width w (h(l-1) + z(l) adds vectors),
            at least two hidden layers (one block).
        activation, output, init, seed, dtype, scale, l1, l2: as for bplib.MLP.
        branch_scale: the blocks' initial weights W(2)..W(L-1) are multiplied by this (None: 1/√(number of
            blocks)), so that the sum of many blocks does not blow h up at the start.
    Parameters are exactly those of an MLP of the same sizes, so loss_and_grads returns (loss, dW, db).
    """

    def __init__(self, sizes, activation="relu", output="softmax", init="he", seed=0, dtype=np.float64,
                 scale=0.01, l1=0.0, l2=0.0, branch_scale=None):
        super().__init__(sizes, activation=activation, output=output, init=init, seed=seed, dtype=dtype,
                         scale=scale, l1=l1, l2=l2)
        hidden = self.sizes[1:-1]
        if len(hidden) < 2:
            raise ValueError(tr("a ResidualMLP needs at least two hidden layers (one block), got sizes={sizes}",
                                sizes=self.sizes))
        if len(set(hidden)) != 1:
            raise ValueError(tr("every hidden layer of a ResidualMLP must have the same width (h(l-1) + z(l) adds "
                                "vectors), got hidden widths {hidden}", hidden=hidden))
        n_blocks = len(hidden) - 1
        if branch_scale is None:
            branch_scale = 1 / np.sqrt(n_blocks)
        self.branch_scale = _checks.positive_number(branch_scale, "branch_scale")
        for l in range(2, self.n_layers):                   # W(2)..W(L-1) are the blocks
            self.weights[l - 1] = (self.weights[l - 1] * self.branch_scale).astype(self.dtype)

    def forward_pass(self, X):
        """Forward pass on validated X (m, n_0).

        Returns (hs, activations): hs[l-1] = h(l) for hidden layers and z(L) for the output layer, each (m, n_l);
        activations[l] = a(l), with activations[0] = X.
        """
        L = self.n_layers
        a, h = X, None
        hs, activations = [], [X]
        for l in range(1, L + 1):
            z = a @ self.weights[l - 1].T + self.biases[l - 1]      # z(l) = W(l) a(l-1) + b(l)
            if l == L:
                h, a = z, self._out(z)
            else:
                h = z if l == 1 else h + z                          # the skip: h(l) = h(l-1) + z(l)
                a = self._sigma(h)
            hs.append(h)
            activations.append(a)
        return hs, activations

    def backward_pass(self, hs, activations, T, keep_deltas=False):
        """Backpropagate from targets T (m, n_L); returns (deltas, dW, db) like MLP.backward_pass.

        deltas[l-1] = δ(l), row i = ∂J_i/∂h(l)_i (∂J_i/∂z(L)_i for the output layer); None unless keep_deltas.
        """
        m = T.shape[0]
        L = self.n_layers
        deltas, dW, db = ([None] * L if keep_deltas else None), [None] * L, [None] * L
        delta = activations[L] - T                                  # δ(L) = a(L) - y
        for l in range(L, 0, -1):
            if keep_deltas:
                deltas[l - 1] = delta
            dW[l - 1] = (delta.T @ activations[l - 1]) * (1 / m)    # ∂J/∂W(l) = δ(l) a(l-1)ᵀ, batch mean
            db[l - 1] = delta.sum(axis=0) * (1 / m)
            if l > 1:
                back = (delta @ self.weights[l - 1]) * self._sigma_prime(hs[l - 2], activations[l - 1])
                delta = back + delta if l < L else back             # blocks 2..L-1 add the skip term δ(l)
        return deltas, dW, db

    def __repr__(self):
        return (f"ResidualMLP(sizes={self.sizes}, activation={self.activation!r}, output={self.output!r}, "
                f"init={self.init!r}, dtype={self.dtype.name}, branch_scale={self.branch_scale:g})")
