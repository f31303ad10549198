"""Self-checks for chapter 07 (overfitting and regularisation, vanishing gradients, BatchNorm, residual blocks;
article 3.3 points 4 and 5).

Exercises: 07.1 `check_early_stopping`, 07.2 `check_batchnorm_forward`, 07.3 `check_batchnorm_backward`,
07.4 `check_residual_backward`.
The MNIST chapter's checks used to live here (chapter 07 before the renumbering); their names still work:
`check_softmax`, `check_cross_entropy`, `check_confusion_matrix` (now in ch08).
"""
import numpy as np

from . import Hint, check, expect_array, expect_true, run
from ..i18n import tr
from .ch08 import check_confusion_matrix, check_cross_entropy, check_softmax  # noqa: F401 (old names)


# ---------------------------------------------------------------------- 07.1 early stopping
def _early_stop(losses, patience, mistake=None):
    """(best epoch, stop epoch), epochs counted from 1; or the answer of one typical mistake."""
    best, best_epoch, waited = np.inf, 0, 0
    previous = np.inf
    for epoch, loss in enumerate(losses, start=1):
        reference = previous if mistake == "previous" else best
        if loss < reference:
            if loss < best:
                best, best_epoch = loss, epoch
            if mistake != "no reset":
                waited = 0
        else:
            waited += 1
        previous = loss
        if waited >= (1 if mistake == "no patience" else patience):
            stop = epoch
            break
    else:
        stop = len(losses)
    if mistake == "previous":
        best_epoch = int(np.argmin(losses[:stop])) + 1
    if mistake == "global":
        best_epoch = int(np.argmin(losses)) + 1
    return best_epoch, stop


_STOP_CASES = [
    ([1.0, 0.8, 0.7, 0.72, 0.69, 0.71, 0.73, 0.74, 0.6, 0.5], 3),
    ([1.0, 0.5, 0.7, 0.6, 0.65, 0.55, 0.9, 0.8], 2),
    ([0.9, 0.8, 0.7, 0.6, 0.5], 2),                       # always improving: never stops early
    ([0.5, 0.6, 0.55, 0.52, 0.7, 0.4], 4),
]


@check
def check_early_stopping(early_stopping):
    """Exercise 07.1: early_stopping(val_losses, patience) -> (best_epoch, stop_epoch), epochs counted from 1.

    Training stops after `patience` epochs in a row without a new lowest validation loss; best_epoch is the epoch
    of the lowest validation loss seen up to then (the weights to keep).
    """
    hints = {
        "zero-based": tr("count epochs from 1, as history['epoch'] does (the first epoch is epoch 1, not 0)"),
        "global": tr("the best epoch must be chosen among the epochs actually run: after stopping you never see "
                     "the later validation losses"),
        "no patience": tr("stop only after `patience` epochs in a row without improvement, not at the first "
                          "epoch that is worse"),
        "no reset": tr("reset the count of epochs without improvement to 0 whenever the validation loss reaches a "
                       "new lowest value"),
        "previous": tr("compare each validation loss with the best (lowest) so far, not with the previous "
                       "epoch's"),
    }
    for losses, patience in _STOP_CASES:
        got = run(early_stopping, list(losses), patience)
        if got is None:
            raise Hint(tr("early_stopping returned None: return the pair (best_epoch, stop_epoch)"))
        expect_true(isinstance(got, (tuple, list, np.ndarray)) and len(got) == 2,
                    tr("return a pair (best_epoch, stop_epoch), got {type}", type=type(got).__name__))
        try:
            got = tuple(int(v) for v in got if float(v).is_integer()) if all(
                np.ndim(v) == 0 for v in got) else ()
        except (TypeError, ValueError):
            got = ()
        expect_true(len(got) == 2, tr("best_epoch and stop_epoch should be two whole numbers (epoch numbers)"))
        expected = _early_stop(losses, patience)
        if got == expected:
            continue
        if got == (expected[0] - 1, expected[1] - 1):
            raise Hint(hints["zero-based"])
        for mistake in ("global", "no patience", "no reset", "previous"):
            if got == _early_stop(losses, patience, mistake) != expected:
                raise Hint(hints[mistake])
        raise Hint(tr("early_stopping({losses}, patience={patience}) = {got}, expected {expected}", losses=losses,
                      patience=patience, got=got, expected=expected))
    return tr("stop after `patience` epochs without a new best validation loss, and keep the weights of the best "
              "epoch: training time is chosen on held-out data, not on the training loss.")


# ---------------------------------------------------------------------- 07.2 BatchNorm forward
@check
def check_batchnorm_forward(batchnorm_forward):
    """Exercise 07.2: batchnorm_forward(u, gamma, beta, eps) -> γ ⊙ (u - μ) / √(σ² + ε) + β, statistics per unit."""
    rng = np.random.default_rng(603)
    u = 3 + 2 * rng.standard_normal((8, 4))
    gamma, beta, eps = rng.uniform(0.5, 2, 4), rng.standard_normal(4), 1e-5
    u[:, 3] = 5 + 0.002 * (u[:, 3] - 3)                 # a unit that hardly varies: σ² ≈ 2e-5, so ε matters

    def bn(mu, var):
        return gamma * (u - mu) / np.sqrt(var + eps) + beta

    expected = bn(u.mean(axis=0), u.var(axis=0))
    out = run(batchnorm_forward, u, gamma, beta, eps)
    if out is not None and np.shape(out) == u.shape:
        out_arr = np.asarray(out, dtype=np.float64)
        if np.allclose(out_arr, (u - u.mean(axis=0)) / np.sqrt(u.var(axis=0) + eps)):
            raise Hint(tr("you normalised but forgot the learned scale and shift: return γ ⊙ û + β"))
    expect_array(out, expected, tr("the output"), rtol=1e-6, mistakes={
        tr("the statistics are per unit over the batch (axis=0), not per example (axis=1)"):
            gamma * (u - u.mean(axis=1, keepdims=True)) / np.sqrt(u.var(axis=1, keepdims=True) + eps) + beta,
        tr("use the batch variance u.var(axis=0) (dividing by m), not the unbiased ddof=1 estimate"):
            bn(u.mean(axis=0), u.var(axis=0, ddof=1)),
        tr("divide by the standard deviation √(σ² + ε), not the variance"):
            gamma * (u - u.mean(0)) / (u.var(0) + eps) + beta,
        tr("γ and β are swapped: γ scales, β shifts"): beta * (u - u.mean(0)) / np.sqrt(u.var(0) + eps) + gamma,
        tr("you left out ε: divide by √(σ² + ε), which stays safe for a unit that hardly varies over the batch "
           "(the last column here)"): bn(u.mean(axis=0), u.var(axis=0) - eps),
        tr("ε belongs inside the square root: √(σ² + ε), not √σ² + ε"):
            gamma * (u - u.mean(0)) / (np.sqrt(u.var(0)) + eps) + beta,
    })
    u2 = rng.standard_normal((5, 3))                    # another shape: m = 5 examples, 3 units
    g2, b2 = rng.uniform(0.5, 2, 3), rng.standard_normal(3)
    expect_array(run(batchnorm_forward, u2, g2, b2, eps),
                 g2 * (u2 - u2.mean(0)) / np.sqrt(u2.var(0) + eps) + b2, tr("the output for u of shape (5, 3)"))
    return tr("every unit now has mean β and standard deviation ≈ γ over the batch, whatever the scale of u "
              "(a little less than γ where σ² is as small as ε).")


# ---------------------------------------------------------------------- 07.3 BatchNorm backward
def _bn_backward(dz, u, gamma, eps, mistake=None):
    mu, var = u.mean(axis=0), u.var(axis=0)
    std = np.sqrt(var + eps)
    u_hat = (u - mu) / std
    g = dz if mistake == "no gamma" else dz * gamma
    if mistake == "constants":
        du = g / std
    elif mistake == "no mean path":
        du = (g - u_hat * (g * u_hat).mean(axis=0)) / std
    elif mistake == "no var path":
        du = (g - g.mean(axis=0)) / std
    else:
        du = (g - g.mean(axis=0) - u_hat * (g * u_hat).mean(axis=0)) / std
    dgamma = (dz * (u if mistake == "raw u" else u_hat)).sum(axis=0)
    dbeta = dz.sum(axis=0)
    if mistake == "mean":
        dgamma, dbeta = dgamma / len(u), dbeta / len(u)
    if mistake == "swapped":
        dgamma, dbeta = dbeta, dgamma
    if mistake == "one example":
        dgamma, dbeta = dz[0] * u_hat[0], dz[0]
    return du, dgamma, dbeta


def _bn_case(k):
    rng = np.random.default_rng(730 + k)
    m, n = (6, 4) if k == 0 else (5, 3)
    u = 1 + 2 * rng.standard_normal((m, n))
    u[:, -1] = 4 + 0.003 * rng.standard_normal(m)      # a unit that hardly varies: ε matters
    gamma, dz = rng.uniform(0.5, 2, n), rng.standard_normal((m, n)) / m
    return dz, u, gamma, 1e-5


@check
def check_batchnorm_backward(batchnorm_backward):
    """Exercise 07.3: batchnorm_backward(dz, u, gamma, eps) -> (du, dgamma, dbeta).

    z = γ ⊙ û + β with û = (u - μ) / √(σ² + ε), μ and σ² over the batch; dz = ∂J/∂z (m, n) for the batch loss J.
    """
    hints = {
        "constants": tr("μ and σ² depend on every example of the batch, so u reaches z by three paths (directly, "
                        "through μ, through σ²): du = (g - mean(g) - û ⊙ mean(g ⊙ û)) / √(σ² + ε) with g = dz ⊙ γ"),
        "no mean path": tr("you left out the path through the mean μ: subtract mean(g) over the batch"),
        "no var path": tr("you left out the path through the variance σ²: subtract û ⊙ mean(g ⊙ û) over the "
                          "batch"),
        "no gamma": tr("z = γ ⊙ û + β, so ∂J/∂û = dz ⊙ γ: multiply by γ before going back through the "
                       "normalisation"),
        "raw u": tr("∂z/∂γ = û, the normalised input, not u: dgamma = Σ_i dz_i ⊙ û_i"),
        "mean": tr("dz is already ∂J/∂z of the batch loss (the 1/m is inside it): sum over the batch for dgamma "
                   "and dbeta, do not average again"),
        "swapped": tr("dgamma and dbeta are swapped: dbeta = Σ_i dz_i, dgamma = Σ_i dz_i ⊙ û_i"),
        "one example": tr("γ and β are shared by every example of the batch: sum dz_i ⊙ û_i and dz_i over all "
                          "examples i, not just the first"),
    }
    for k in (0, 1):
        dz, u, gamma, eps = _bn_case(k)
        got = run(batchnorm_backward, dz, u, gamma, eps)
        if got is None:
            raise Hint(tr("batchnorm_backward returned None: return the triple (du, dgamma, dbeta)"))
        expect_true(isinstance(got, (tuple, list)) and len(got) == 3,
                    tr("return a triple (du, dgamma, dbeta), got {type}", type=type(got).__name__))
        expected = _bn_backward(dz, u, gamma, eps)
        for idx, name in enumerate(("du", "dgamma", "dbeta")):
            mistakes = {}
            for mistake, hint in hints.items():
                wrong = _bn_backward(dz, u, gamma, eps, mistake)[idx]
                if not np.allclose(wrong, expected[idx]):
                    mistakes[hint] = wrong
            expect_array(got[idx], expected[idx], name, mistakes=mistakes)
    return tr("du = (g - mean(g) - û ⊙ mean(g ⊙ û)) / √(σ² + ε): the paths through μ and σ² take out exactly the "
              "components of g that a shift or rescaling of the batch cannot change.")


# ---------------------------------------------------------------------- 07.4 the residual block's backward
def _res_backward(dh, h_prev, W, mistake=None):
    a_prev = np.tanh(h_prev)
    back = dh @ (W.T if mistake == "W.T" else W)
    local = 1 - h_prev ** 2 if mistake == "1-h^2" else 1 - a_prev ** 2
    branch = back * local
    dh_prev = branch if mistake == "no skip" else dh if mistake == "only skip" else branch + dh
    dW = dh.T @ (h_prev if mistake == "h_prev" else a_prev)
    db = dh.mean(axis=0) if mistake == "mean" else dh.sum(axis=0)
    return dh_prev, dW, db


@check
def check_residual_backward(residual_backward):
    """Exercise 07.4: residual_backward(dh, h_prev, W) -> (dh_prev, dW, db) for h = h_prev + tanh(h_prev) Wᵀ + b."""
    hints = {
        "no skip": tr("h = h_prev + ...: the skip path carries dh back unchanged, so dh_prev = dh + (branch "
                      "term)"),
        "only skip": tr("you kept only the skip path: add the branch term (dh W) ⊙ tanh'(h_prev)"),
        "W.T": tr("in batch-major rows, Wᵀ δ becomes dh @ W (as in δ(l) = (δ(l+1) W(l+1)) ⊙ σ'(z(l))), not "
                  "dh @ W.T"),
        "1-h^2": tr("tanh'(x) = 1 - tanh(x)², so use 1 - tanh(h_prev)², not 1 - h_prev²"),
        "h_prev": tr("the branch multiplies W by a_prev = tanh(h_prev), so dW = dhᵀ a_prev, not dhᵀ h_prev"),
        "mean": tr("dh is already ∂J/∂h of the batch loss: db = Σ_i dh_i, do not average again"),
    }
    for k, (m, n) in enumerate([(5, 4), (3, 6)]):
        rng = np.random.default_rng(740 + k)
        dh, h_prev, W = rng.standard_normal((m, n)) / m, rng.standard_normal((m, n)), rng.standard_normal((n, n))
        got = run(residual_backward, dh, h_prev, W)
        if got is None:
            raise Hint(tr("residual_backward returned None: return the triple (dh_prev, dW, db)"))
        expect_true(isinstance(got, (tuple, list)) and len(got) == 3,
                    tr("return a triple (dh_prev, dW, db), got {type}", type=type(got).__name__))
        expected = _res_backward(dh, h_prev, W)
        for idx, name in enumerate(("dh_prev", "dW", "db")):
            mistakes = {}
            for mistake, hint in hints.items():
                wrong = _res_backward(dh, h_prev, W, mistake)[idx]
                if not np.allclose(wrong, expected[idx]):
                    mistakes[hint] = wrong
            expect_array(got[idx], expected[idx], name, mistakes=mistakes)
    return tr("dh_prev = dh + (dh W) ⊙ tanh'(h_prev): the article's recursion plus the skip term, which carries "
              "the error back unchanged however small the branch term becomes.")
