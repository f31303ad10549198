"""Self-checks for chapter 06 (initialisation, momentum, BatchNorm; article 3.3 points 2, 3 and 5)."""
import numpy as np

from . import Hint, check, expect_array, expect_true, run


@check
def check_he_init(he_init):
    """Exercise 06.1: he_init(n_in, n_out, rng) -> W of shape (n_out, n_in), zero-mean normal, std √(2 / n_in)."""
    n_in, n_out = 400, 300
    W = run(he_init, n_in, n_out, np.random.default_rng(601))
    if W is None:
        raise Hint("he_init returned None: did you forget the `return` statement?")
    W = np.asarray(W, dtype=np.float64)
    if W.shape == (n_in, n_out):
        raise Hint(f"W has shape {W.shape}, expected ({n_out}, {n_in}): W(l) has shape (n_l, n_{{l-1}}) = "
                   f"(n_out, n_in); did you transpose?")
    expect_true(W.shape == (n_out, n_in), f"W has shape {W.shape}, expected (n_out, n_in) = ({n_out}, {n_in})")
    std, target = float(W.std()), np.sqrt(2 / n_in)
    expect_true(abs(float(W.mean())) < 0.1 * target,
                f"the weights should have mean 0, got mean {W.mean():.4f}: use rng.standard_normal, not rng.random")
    wrong = {
        "√(1 / n_in) is LeCun/Xavier-style scaling; He's ReLU init doubles the variance: √(2 / n_in)":
            np.sqrt(1 / n_in),
        "you used the fan-out n_out; He init divides by the fan-in n_in": np.sqrt(2 / n_out),
        "you used the variance 2 / n_in as the standard deviation: take the square root": 2 / n_in,
        "this is Xavier's √(2 / (n_in + n_out)); He init for ReLU uses √(2 / n_in)": np.sqrt(2 / (n_in + n_out)),
        "std 0.01 is the 'small random numbers' init; He init scales with the fan-in: √(2 / n_in)": 0.01,
        "std 1: rng.standard_normal must be multiplied by √(2 / n_in)": 1.0,
    }
    if abs(std / target - 1) < 0.02:
        again = np.asarray(run(he_init, n_in, n_out, np.random.default_rng(601)), dtype=np.float64)
        expect_true(np.array_equal(again, W), "draw the weights from the rng passed in, so a seed reproduces them")
        return f"W has shape ({n_out}, {n_in}) and std {std:.4f} ≈ √(2/{n_in}) = {target:.4f}."
    for hint, value in wrong.items():
        if abs(std / value - 1) < 0.02:
            raise Hint(f"the weights have std {std:.4f}: {hint}")
    raise Hint(f"the weights have std {std:.4f}, expected √(2 / n_in) = {target:.4f}")


@check
def check_momentum_step(momentum_step):
    """Exercise 06.2: momentum_step(W, v, g, lr, mu) -> (W_new, v_new) with v := μ v - α g, W := W + v."""
    rng = np.random.default_rng(602)
    W, v, g = rng.standard_normal((3, 2)), rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    lr, mu = 0.1, 0.9
    out = run(momentum_step, W, v, g, lr, mu)
    expect_true(isinstance(out, tuple) and len(out) == 2,
                f"return a pair (W_new, v_new), got {type(out).__name__}")
    W_new, v_new = out
    v_ok = mu * v - lr * g
    expect_array(v_new, v_ok, "v_new", mistakes={
        "the velocity forgets its past: v := μ v - α g, not just -α g": -lr * g,
        "the sign of the gradient term: v := μ v - α g": mu * v + lr * g,
        "μ multiplies the old velocity, not the gradient: v := μ v - α g": v - mu * lr * g,
    })
    expect_array(W_new, W + v_ok, "W_new", mistakes={
        "you stepped with the old velocity; update v first, then W := W + v_new": W + v,
        "W := W + v_new (v already carries the minus sign of the step)": W - v_ok,
    })
    return "v := μ v - α g; W := W + v: steps build up along directions where the gradient keeps its sign."


@check
def check_batchnorm_forward(batchnorm_forward):
    """Exercise 06.3: batchnorm_forward(u, gamma, beta, eps) -> γ ⊙ (u - μ) / √(σ² + ε) + β, statistics per unit."""
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
            raise Hint("you normalised but forgot the learned scale and shift: return γ ⊙ û + β")
    expect_array(out, expected, "the output", rtol=1e-6, mistakes={
        "the statistics are per unit over the batch (axis=0), not per example (axis=1)":
            gamma * (u - u.mean(axis=1, keepdims=True)) / np.sqrt(u.var(axis=1, keepdims=True) + eps) + beta,
        "use the batch variance u.var(axis=0) (dividing by m), not the unbiased ddof=1 estimate":
            bn(u.mean(axis=0), u.var(axis=0, ddof=1)),
        "divide by the standard deviation √(σ² + ε), not the variance": gamma * (u - u.mean(0)) / (u.var(0) + eps)
            + beta,
        "γ and β are swapped: γ scales, β shifts": beta * (u - u.mean(0)) / np.sqrt(u.var(0) + eps) + gamma,
        "you left out ε: divide by √(σ² + ε), which stays safe for a unit that hardly varies over the batch "
        "(the last column here)": bn(u.mean(axis=0), u.var(axis=0) - eps),
        "ε belongs inside the square root: √(σ² + ε), not √σ² + ε":
            gamma * (u - u.mean(0)) / (np.sqrt(u.var(0)) + eps) + beta,
    })
    return ("every unit now has mean β and standard deviation ≈ γ over the batch, whatever the scale of u "
            "(a little less than γ where σ² is as small as ε).")
