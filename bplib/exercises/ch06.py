"""Self-checks for chapter 06 (activations, initialisation, momentum and Adam; article 3.3 points 1-3).

Exercises: 06.1 `check_he_init`, 06.2 `check_momentum_step`, 06.3 `check_adam_step`, 06.4 `check_softplus_forward`
then `check_softplus`.
`check_batchnorm_forward` (an earlier 06.3) moved to chapter 07 with BatchNorm; the name still works here.
"""
import numpy as np

from . import Hint, check, expect_array, expect_true, run
from ..activations import sigmoid as _sigmoid
from ..i18n import tr
from .ch07 import check_batchnorm_forward  # noqa: F401 (the earlier exercise 06.3)


@check
def check_he_init(he_init):
    """Exercise 06.1: he_init(n_in, n_out, rng) -> W of shape (n_out, n_in), zero-mean normal, std √(2 / n_in)."""
    n_in, n_out = 400, 300
    W = run(he_init, n_in, n_out, np.random.default_rng(601))
    if W is None:
        raise Hint(tr("he_init returned None: did you forget the `return` statement?"))
    W = np.asarray(W, dtype=np.float64)
    if W.shape == (n_in, n_out):
        raise Hint(tr("W has shape {shape}, expected ({n_out}, {n_in}): W(l) has shape (n_l, n_{{l-1}}) = "
                      "(n_out, n_in); did you transpose?", shape=W.shape, n_out=n_out, n_in=n_in))
    expect_true(W.shape == (n_out, n_in), tr("W has shape {shape}, expected (n_out, n_in) = ({n_out}, {n_in})",
                                             shape=W.shape, n_out=n_out, n_in=n_in))
    std, target = float(W.std()), np.sqrt(2 / n_in)
    expect_true(abs(float(W.mean())) < 0.1 * target,
                tr("the weights should have mean 0, got mean {mean:.4f}: use rng.standard_normal, not rng.random",
                   mean=W.mean()))
    wrong = {
        tr("√(1 / n_in) is LeCun/Xavier-style scaling; He's ReLU init doubles the variance: √(2 / n_in)"):
            np.sqrt(1 / n_in),
        tr("you used the fan-out n_out; He init divides by the fan-in n_in"): np.sqrt(2 / n_out),
        tr("you used the variance 2 / n_in as the standard deviation: take the square root"): 2 / n_in,
        tr("this is Xavier's √(2 / (n_in + n_out)); He init for ReLU uses √(2 / n_in)"): np.sqrt(2 / (n_in + n_out)),
        tr("std 0.01 is the 'small random numbers' init; He init scales with the fan-in: √(2 / n_in)"): 0.01,
        tr("std 1: rng.standard_normal must be multiplied by √(2 / n_in)"): 1.0,
    }
    if abs(std / target - 1) < 0.02:
        again = np.asarray(run(he_init, n_in, n_out, np.random.default_rng(601)), dtype=np.float64)
        other = np.asarray(run(he_init, n_in, n_out, np.random.default_rng(602)), dtype=np.float64)
        expect_true(np.array_equal(again, W) and not np.array_equal(other, W),
                    tr("draw the weights from the rng passed in (rng.standard_normal), so that a seed reproduces "
                       "them and another generator gives other weights"))
        small = np.asarray(run(he_init, 3, 2, np.random.default_rng(603)), dtype=np.float64)
        expect_true(small.shape == (2, 3), tr("he_init(3, 2, rng) has shape {shape}, expected (2, 3)",
                                              shape=small.shape))
        return tr("W has shape ({n_out}, {n_in}) and std {std:.4f} ≈ √(2/{n_in}) = {target:.4f}.", n_out=n_out,
                  n_in=n_in, std=std, target=target)
    for hint, value in wrong.items():
        if abs(std / value - 1) < 0.02:
            raise Hint(tr("the weights have std {std:.4f}: {hint}", std=std, hint=hint))
    raise Hint(tr("the weights have std {std:.4f}, expected √(2 / n_in) = {target:.4f}", std=std, target=target))


@check
def check_momentum_step(momentum_step):
    """Exercise 06.2: momentum_step(W, v, g, lr, mu) -> (W_new, v_new) with v := μ v - α g, W := W + v."""
    rng = np.random.default_rng(602)
    W, v, g = rng.standard_normal((3, 2)), rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    lr, mu = 0.1, 0.9
    out = run(momentum_step, W, v, g, lr, mu)
    expect_true(isinstance(out, (tuple, list)) and len(out) == 2,
                tr("return a pair (W_new, v_new), got {type}", type=type(out).__name__))
    W_new, v_new = out
    v_ok = mu * v - lr * g
    expect_array(v_new, v_ok, "v_new", mistakes={
        tr("the velocity forgets its past: v := μ v - α g, not just -α g"): -lr * g,
        tr("the sign of the gradient term: v := μ v - α g"): mu * v + lr * g,
        tr("μ multiplies the old velocity, not the gradient: v := μ v - α g"): v - mu * lr * g,
    })
    expect_array(W_new, W + v_ok, "W_new", mistakes={
        tr("you stepped with the old velocity; update v first, then W := W + v_new"): W + v,
        tr("W := W + v_new (v already carries the minus sign of the step)"): W - v_ok,
    })
    return tr("v := μ v - α g; W := W + v: steps build up along directions where the gradient keeps its sign.")


# ---------------------------------------------------------------------- 06.3 Adam
def _adam(W, m, v, g, t, lr, beta1, beta2, eps, mistake=None):
    if mistake == "betas swapped":
        beta1, beta2 = beta2, beta1
    m_new = beta1 * m + (1 - beta1) * g
    v_new = beta2 * v + (1 - beta2) * (np.abs(g) if mistake == "abs" else g * g)
    tt = t - 1 if mistake == "t-1" else t
    with np.errstate(divide="ignore", invalid="ignore"):
        m_hat = m_new if mistake == "no correction" else m_new / (1 - beta1 ** tt)
        v_hat = v_new if mistake == "no correction" else v_new / (1 - beta2 ** tt)
        if mistake == "eps inside":
            W_new = W - lr * m_hat / np.sqrt(v_hat + eps)
        else:
            W_new = W - lr * m_hat / (np.sqrt(v_hat) + eps)
    if mistake == "plus":
        W_new = 2 * W - W_new
    if mistake == "store hat":
        m_new, v_new = m_hat, v_hat
    return W_new, m_new, v_new


@check
def check_adam_step(adam_step):
    """Exercise 06.3: adam_step(W, m, v, g, t, lr, beta1, beta2, eps) -> (W_new, m_new, v_new); t = 1, 2, ...

    m := β1 m + (1-β1) g;  v := β2 v + (1-β2) g²;  m̂ = m / (1-β1^t), v̂ = v / (1-β2^t);  W := W - α m̂ / (√v̂ + ε).
    """
    hints = {
        "no correction": tr("the bias correction is missing: m and v start at 0, so early on they are too small "
                            "by the factors 1 - β1^t and 1 - β2^t; divide by them (m̂, v̂)"),
        "t-1": tr("t counts this step: the first call has t = 1, so the correction is 1 - β^t, not 1 - β^(t-1)"),
        "eps inside": tr("ε is added to √v̂, outside the square root: W - α m̂ / (√v̂ + ε)"),
        "abs": tr("the second moment averages g² (the squared gradient), not |g|"),
        "betas swapped": tr("β1 (0.9) belongs to the first moment m, β2 (0.999) to the second moment v"),
        "plus": tr("the sign: Adam steps against the gradient, W - α m̂ / (√v̂ + ε)"),
        "store hat": tr("return the running moments m and v themselves; m̂ and v̂ are only used for the step "
                        "(stored, they would be corrected again at every step)"),
    }
    rng = np.random.default_rng(606)
    shape = (3, 2)
    cases = [  # the first step from zero moments, a later step, and small gradients where ε shows
        (rng.standard_normal(shape), np.zeros(shape), np.zeros(shape), rng.standard_normal(shape), 1, 0.01, 1e-8),
        (rng.standard_normal(shape), 0.1 * rng.standard_normal(shape), 0.01 * rng.uniform(0.1, 1, shape),
         rng.standard_normal(shape), 3, 0.05, 1e-8),
        (rng.standard_normal((2, 4)), 1e-4 * rng.standard_normal((2, 4)), 1e-8 * rng.uniform(0.5, 1, (2, 4)),
         1e-4 * rng.standard_normal((2, 4)), 5, 0.1, 1e-4),
    ]
    beta1, beta2 = 0.9, 0.999
    for W, m, v, g, t, lr, eps in cases:
        with np.errstate(divide="ignore", invalid="ignore"):        # t - 1 = 0 divides by zero: hinted below
            got = run(adam_step, W, m, v, g, t, lr, beta1, beta2, eps)
        if got is None:
            raise Hint(tr("adam_step returned None: return the triple (W_new, m_new, v_new)"))
        expect_true(isinstance(got, (tuple, list)) and len(got) == 3,
                    tr("return a triple (W_new, m_new, v_new), got {type}", type=type(got).__name__))
        expected = _adam(W, m, v, g, t, lr, beta1, beta2, eps)
        for idx, name in ((1, "m_new"), (2, "v_new"), (0, "W_new")):
            mistakes = {}
            for mistake, hint in hints.items():
                wrong = _adam(W, m, v, g, t, lr, beta1, beta2, eps, mistake)[idx]
                if np.all(np.isfinite(wrong)) and not np.allclose(wrong, expected[idx]):
                    mistakes[hint] = wrong
            if idx == 0 and np.shape(got[0]) == W.shape and not np.all(np.isfinite(np.asarray(got[0], float))) \
                    and t == 1:
                raise Hint(tr("t counts this step: the first call has t = 1, so the correction is 1 - β^t, not "
                              "1 - β^(t-1) (with t - 1 = 0 the correction divides by zero)"))
            expect_array(got[idx], expected[idx], name, mistakes=mistakes)
    return tr("m and v are running means of g and g², m̂ and v̂ undo their start at zero, and every weight steps "
              "by about α, whatever the scale of its gradient.")


# ---------------------------------------------------------------------- 06.4 a new activation: softplus
def _softplus(z):
    return np.logaddexp(0.0, z)


_BIG = np.array([[-1000.0, -40.0, 40.0, 1000.0]])


def _check_softplus_values(softplus):
    """softplus on a matrix (named mistakes), then finite and right at z = ±1000, ±40; raises Hint."""
    z = np.array([[-3.0, -0.5, 0.0], [0.5, 2.0, 4.0]])           # matrix-shaped: element-wise, any shape
    expect_array(run(softplus, z), _softplus(z), "softplus(z)", mistakes={
        tr("that is ReLU, max(0, z); softplus is its smooth version ln(1 + e^z)"): np.maximum(0, z),
        tr("that is the sigmoid; softplus is ln(1 + e^z) (the sigmoid is its derivative)"): _sigmoid(z),
        tr("log10? use the natural log: ln(1 + e^z)"): np.log10(1 + np.exp(z)),
    })
    with np.errstate(over="ignore", invalid="ignore", under="ignore", divide="ignore"):
        got = run(softplus, _BIG)
    if got is not None and np.shape(got) == _BIG.shape and not np.all(np.isfinite(np.asarray(got, float))):
        raise Hint(tr("softplus([[-1000, -40, 40, 1000]]) gives inf or NaN: e^1000 overflows. For large z, "
                      "ln(1 + e^z) = z + ln(1 + e^-z): write it as max(z, 0) + log1p(exp(-|z|)) "
                      "(or np.logaddexp(0, z))"))
    expect_array(got, _softplus(_BIG), tr("softplus(z) for z = ±1000, ±40"), rtol=1e-9)


@check
def check_softplus_forward(softplus):
    """Exercise 06.4, first step: softplus(z) = ln(1 + e^z) alone, element-wise, finite for any z."""
    _check_softplus_values(softplus)
    return tr("ln(1 + e^z) = max(z, 0) + ln(1 + e^-|z|): element-wise and finite at z = ±1000. Now its "
              "derivative.")


@check
def check_softplus(softplus, softplus_prime):
    """Exercise 06.4: softplus(z) = ln(1 + e^z) and its derivative, element-wise, stable for any z; plugged
    into a network with two hidden softplus layers and gradient-checked."""
    from .ch09 import _backprop_L, _loss_L
    from ..gradcheck import numerical_gradient, relative_error

    if not callable(softplus_prime):
        raise TypeError(tr("check_softplus expects your two functions: check_softplus(softplus, softplus_prime)"))
    _check_softplus_values(softplus)
    z = np.array([[-3.0, -0.5, 0.0], [0.5, 2.0, 4.0]])
    expect_array(run(softplus_prime, z), _sigmoid(z), "softplus_prime(z)", mistakes={
        tr("that is the sigmoid's own derivative σ(z)(1 - σ(z)); differentiate ln(1 + e^z): e^z / (1 + e^z), "
           "which is the sigmoid itself"): _sigmoid(z) * (1 - _sigmoid(z)),
        tr("a sign: d/dz ln(1 + e^z) = e^z / (1 + e^z) = 1 / (1 + e^-z), not 1 / (1 + e^z)"): _sigmoid(-z),
        tr("that is the derivative of ln(1 + z), not of ln(1 + e^z)"): 1 / (1 + z),
        tr("that is softplus itself; its derivative is e^z / (1 + e^z)"): _softplus(z),
    })
    with np.errstate(over="ignore", invalid="ignore", under="ignore", divide="ignore"):
        d_big = run(softplus_prime, _BIG)
    if d_big is not None and np.shape(d_big) == _BIG.shape and not np.all(np.isfinite(np.asarray(d_big, float))):
        raise Hint(tr("softplus_prime([[-1000, -40, 40, 1000]]) gives inf or NaN: e^1000 overflows. Write the "
                      "derivative as 1 / (1 + e^-z) for z ≥ 0, e^z / (1 + e^z) for z < 0 (or 0.5 (1 + tanh(z / 2)))"))
    expect_array(d_big, _sigmoid(_BIG), tr("softplus_prime(z) for z = ±1000, ±40"), rtol=1e-9)
    # plugged into a 3-4-5-2 network (two hidden softplus layers, softmax output): backprop vs central differences
    rng = np.random.default_rng(604)
    X, Y = rng.standard_normal((6, 3)), np.eye(2)[rng.integers(0, 2, 6)]
    weights = [rng.standard_normal((4, 3)), rng.standard_normal((5, 4)), rng.standard_normal((2, 5))]
    biases = [0.1 * rng.standard_normal(n) for n in (4, 5, 2)]
    sigma = lambda z: np.asarray(softplus(z.copy()), dtype=np.float64)          # noqa: E731
    sigma_prime = lambda z: np.asarray(softplus_prime(z.copy()), dtype=np.float64)  # noqa: E731
    dW, _ = _backprop_L(X, Y, weights, biases, sigma, sigma_prime)
    worst = 0.0
    for l in range(3):
        def J(W_l, l=l):
            ws = list(weights)
            ws[l] = W_l
            return _loss_L(X, Y, ws, biases, sigma)
        worst = max(worst, relative_error(dW[l], numerical_gradient(J, weights[l], eps=1e-5)))
    expect_true(worst < 1e-7, tr("plugged into a network, your derivative disagrees with central differences of "
                                 "your softplus (relative error {worst:.1e}): the two functions do not match",
                                 worst=worst))
    return tr("softplus and its derivative, the sigmoid, stable at z = ±1000; in a 3-4-5-2 softplus network "
              "backprop matches central differences (worst relative error {worst:.0e}).", worst=worst)
