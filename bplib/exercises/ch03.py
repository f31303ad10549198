"""Self-checks for chapter 03 (the chain rule on graphs, the error terms δ and their recursion; article 2.3, 3.2)."""
import numpy as np

from . import Hint, check, expect_array, expect_scalar, run
from ..activations import sigmoid as _sigmoid, softmax as _softmax
from ..i18n import tr

# ------------------------------------------------------------------------------------------------ 03.1 gates
GATE_NODES = ("s", "t", "q", "r", "x", "y", "z", "w")
#: inputs (x, y, z, w): x > z, then z > x (max routes the other way), then negative values
GATE_CASES = ((1.5, -2.0, 0.5, 3.0), (0.5, 1.0, 2.0, -1.0), (-1.0, 0.5, -3.0, 2.0))


def gate_reference(x, y, z, w):
    """∂f/∂node for f = exp(x·y) + max(x, z)·w, with q = x·y, r = max(x, z), s = exp(q), t = r·w, f = s + t."""
    q, r = x * y, max(x, z)
    s = np.exp(q)
    df_ds = df_dt = 1.0
    df_dq = df_ds * s
    df_dr = df_dt * w
    x_wins = 1.0 if x > z else 0.0
    return {"s": df_ds, "t": df_dt, "q": df_dq, "r": df_dr, "w": df_dt * r, "y": df_dq * x,
            "z": df_dr * (1 - x_wins), "x": df_dq * y + df_dr * x_wins}


@check
def check_gate_gradients(gate_gradients):
    """Exercise 03.1: gate_gradients(x, y, z, w) -> {node: ∂f/∂node} for f = exp(x·y) + max(x, z)·w."""
    for x, y, z, w in GATE_CASES:
        got = run(gate_gradients, x, y, z, w)
        if not isinstance(got, dict):
            raise Hint(tr("return a dict with one entry per node: {nodes}", nodes=", ".join(GATE_NODES)))
        missing = [n for n in GATE_NODES if n not in got]
        if missing:
            raise Hint(tr("the dict lacks the node(s) {nodes}", nodes=", ".join(missing)))
        ref = gate_reference(x, y, z, w)
        q, r = x * y, max(x, z)
        s = np.exp(q)
        x_wins = x > z
        point = (x, y, z, w)

        def at(node):
            return tr("{derivative} at (x, y, z, w) = {point}", derivative=f"∂f/∂{node}", point=point)

        expect_scalar(got["s"], 1.0, at("s"), mistakes={
            tr("f = s + t: an add gate passes the gradient through unchanged, so ∂f/∂s = 1"): s})
        expect_scalar(got["t"], 1.0, at("t"), mistakes={
            tr("f = s + t: an add gate passes the gradient through unchanged, so ∂f/∂t = 1"): r * w})
        expect_scalar(got["q"], ref["q"], at("q"), mistakes={
            tr("s = exp(q): the local gradient of exp is exp(q) = s itself, times the upstream ∂f/∂s = 1"): 1.0,
            tr("the local gradient of exp(q) is exp(q), not q"): q})
        expect_scalar(got["r"], ref["r"], at("r"), mistakes={
            tr("t = r·w: a multiply gate sends each input the OTHER input times the upstream gradient: "
               "∂f/∂r = w"): r})
        expect_scalar(got["w"], ref["w"], at("w"), mistakes={
            tr("t = r·w: a multiply gate sends each input the OTHER input times the upstream gradient: "
               "∂f/∂w = r"): w})
        expect_scalar(got["y"], ref["y"], at("y"), mistakes={
            tr("q = x·y gives ∂q/∂y = x, but multiply by the upstream ∂f/∂q = exp(q): chain the local "
               "gradients"): x,
            tr("a multiply gate sends y the other input, x (times ∂f/∂q), not y itself"): s * y})
        if x_wins:
            routed_to_z = tr("max routes the whole gradient to the larger input only; here the larger is x, so z "
                             "gets 0")
            routed_only = tr("max routes the gradient to the larger input only (x here)")
        else:
            routed_to_z = tr("max routes the whole gradient to the larger input only; here the larger is z, so z "
                             "gets all of ∂f/∂r")
            routed_only = tr("max routes the gradient to the larger input only (z here)")
        expect_scalar(got["z"], ref["z"], at("z"), mistakes={
            routed_to_z: (w if x_wins else 0.0),
            tr("max is not an add gate: it does not copy the gradient to both inputs"): w})
        only_q, only_r = s * y, (w if x_wins else 0.0)
        expect_scalar(got["x"], ref["x"], at("x"), mistakes={
            tr("x reaches f along two paths, through q = x·y and through r = max(x, z): add the two products "
               "(you have only the path through q)"): only_q,
            tr("x reaches f along two paths, through q = x·y and through r = max(x, z): add the two products "
               "(you have only the path through r)"): only_r,
            routed_only: s * y + w,
        })
    return tr("add passes the gradient on, multiply swaps its inputs, max routes it to the winner, exp multiplies "
              "by itself, and x, on two paths, gets the SUM of the two products.")


# ------------------------------------------------------------------------------------------------ 03.2 δ(L)
def _output_cases():
    rng = np.random.default_rng(301)
    A = _softmax(rng.standard_normal((4, 3)))
    Y = np.eye(3)[[0, 2, 1, 2]]
    Z2 = np.array([[1000.0, 0.0, -5.0], [-3.0, 0.0, 1200.0]])           # logits spread >= 1000: a holds 0 and 1
    A2 = _softmax(Z2)
    Y2 = np.eye(3)[[1, 2]]
    A3 = _softmax(rng.standard_normal((3, 4)))
    Y3 = np.full((3, 4), 0.05)                                           # smoothed labels: rows sum to 1
    Y3[np.arange(3), [0, 3, 1]] = 0.85
    return [(A, Y), (A2, Y2), (A3, Y3)]


@check
def check_output_delta(output_delta):
    """Exercise 03.2: output_delta(A_L, Y) -> δ(L) for softmax + cross-entropy, one row per example, shape (m, k)."""
    for case, (A, Y) in enumerate(_output_cases()):
        with np.errstate(all="ignore"):
            delta = run(output_delta, A, Y)
        m, k = A.shape
        if np.shape(delta) in ((k,), (1, k)) and m > 1:
            raise Hint(tr("δ(L) has shape {got}, expected {expected}: keep one row per example; the mean over the "
                          "batch is taken later, in ∂J/∂W and ∂J/∂b (chapter 04)", got=np.shape(delta),
                          expected=(m, k)))
        arr = np.asarray(delta, dtype=float) if delta is not None else None
        if case == 1 and arr is not None and arr.shape == A.shape and not np.all(np.isfinite(arr)):
            raise Hint(tr("NaN or inf where a probability is exactly 0 (logits spread by 1000): you divided by a "
                          "(the -y/a of ∂J/∂a). Multiply the Jacobian out on paper first: the sum collapses to a "
                          "formula without any division"))
        mistakes = {
            tr("the sign is flipped: δ(L) = ∂J/∂z(L) and J falls as a moves towards y"): Y - A,
            tr("erratum 4: this is the article's ∇aJ ⊙ σ'(z) with only the diagonal a(1 - a) of the softmax "
               "Jacobian; softmax is not element-wise, every a_j depends on every z_k"): -Y * (1 - A),
            tr("erratum 4: you multiplied by the diagonal a(1 - a) of the softmax Jacobian only; softmax is not "
               "element-wise, so use the whole Jacobian a_j (1[j = k] - a_k)"): (A - Y) * A * (1 - A),
            tr("you divided by m: δ(L) is per example (δ_i = ∂J_i/∂z_i); the 1/m belongs to ∂J/∂W and ∂J/∂b"):
                (A - Y) / m,
        }
        if case == 2:
            onehot = np.eye(k)[Y.argmax(axis=1)]
            mistakes[tr("your answer assumes one-hot targets; the derivation only needs each row of y to sum to 1 "
                        "(here the labels are smoothed: 0.85 / 0.05)")] = A - onehot
        expect_array(delta, A - Y, "δ(L)", mistakes=mistakes)
    return tr("δ(L) = a(L) - y: softmax and cross-entropy together; it needs only Σ_j y_j = 1 and never divides "
              "by a.")


# ------------------------------------------------------------------------------------------------ 03.3 Jacobian
def _jacobian_cases():
    rng = np.random.default_rng(303)
    return [(rng.standard_normal((3, 4)), rng.standard_normal(4)),     # non-square: n_{l+1} = 3, n_l = 4
            (rng.standard_normal((3, 3)), rng.standard_normal(3) * 2),  # square: row/column mix-ups run silently
            (rng.standard_normal((1, 2)), np.array([0.0, 3.0]))]


@check
def check_next_z_jacobian(next_z_jacobian):
    """Exercise 03.3: next_z_jacobian(W_next, z) -> ∂z(l+1)_k / ∂z(l)_j for one example, shape (n_{l+1}, n_l)."""
    for W, z in _jacobian_cases():
        s = _sigmoid(z)
        sp = s * (1 - s)
        J = run(next_z_jacobian, W, z)
        mistakes = {
            tr("you left out σ'(z(l)_j): z(l+1) depends on z(l) through a(l) = σ(z(l))"): W,
            tr("you used σ(z(l)_j) where its derivative σ'(z(l)_j) = σ(1 - σ) belongs"): W * s,
            tr("you used z(1 - z) for σ'(z); it is σ(z)(1 - σ(z))"): W * z * (1 - z),
        }
        if W.shape[0] == W.shape[1]:
            mistakes[tr("σ'(z(l)_j) belongs to column j (the unit j of layer l that the path goes through), not to "
                        "row k: multiply W(l+1) by σ'(z) along its columns, W * sp (broadcast over rows)")] = \
                W * sp[:, None]
        expect_array(J, W * sp, tr("the Jacobian for W(l+1) of shape {shape}", shape=W.shape), mistakes=mistakes)
    return tr("∂z(l+1)_k/∂z(l)_j = W(l+1)_kj σ'(z(l)_j); summing over k with the δ's gives "
              "δ(l)_j = Σ_k W(l+1)_kj δ(l+1)_k σ'(z(l)_j).")


# ------------------------------------------------------------------------------------------------ 03.4 recursion
def _hidden_cases():
    rng = np.random.default_rng(302)
    cases = []
    for m, n_next, n in ((5, 2, 3), (1, 4, 4), (3, 3, 3)):
        cases.append((rng.standard_normal((m, n_next)), rng.standard_normal((n_next, n)), rng.standard_normal((m, n))))
    return cases


@check
def check_hidden_delta(hidden_delta):
    """Exercise 03.4: hidden_delta(delta_next, W_next, z) -> δ(l) = (δ(l+1) @ W(l+1)) ⊙ σ'(z(l)), shape (m, n_l)."""
    for delta_next, W_next, z in _hidden_cases():
        s = _sigmoid(z)
        back = delta_next @ W_next
        mistakes = {
            tr("you forgot the factor σ'(z(l)): δ(l) = (W(l+1)ᵀ δ(l+1)) ⊙ σ'(z(l))"): back,
            tr("you multiplied by σ(z(l)) instead of its derivative σ'(z(l)) = σ(1 - σ)"): back * s,
            tr("you used z(1 - z) for σ'(z); it is σ(z)(1 - σ(z))"): back * z * (1 - z),
        }
        if W_next.shape[0] == W_next.shape[1]:
            mistakes[tr("you multiplied by W(l+1)ᵀ in the batch form: one example per row means δ(l+1) @ W(l+1) "
                        "(the transpose of W(l+1)ᵀ δ(l+1)); in this square layer the shapes fit silently")] = \
                (delta_next @ W_next.T) * s * (1 - s)
        expect_array(run(hidden_delta, delta_next, W_next, z), back * s * (1 - s),
                     tr("δ(l) for m = {m}, W(l+1) {shape}", m=z.shape[0], shape=W_next.shape), mistakes=mistakes)
    return tr("δ(l) = (W(l+1)ᵀ δ(l+1)) ⊙ σ'(z(l)); batch-major: (delta_next @ W_next) * σ'(z), for any layer shape.")


# ------------------------------------------------------------------------------------------------ kept for older material
@check
def check_sigmoid_prime(sigmoid_prime):
    """σ'(z) = σ(z)(1 - σ(z)), element-wise, any shape (exercise 03.1 of the first edition)."""
    z = np.linspace(-4, 4, 9).reshape(3, 3)
    s = _sigmoid(z)
    d = run(sigmoid_prime, z)
    expect_array(d, s * (1 - s), "σ'(z)", mistakes={
        tr("you used z where σ(z) belongs: σ'(z) = σ(z)(1 - σ(z)), not z(1 - z)"): z * (1 - z),
        tr("this is σ(z) itself; the derivative is σ(z)(1 - σ(z))"): s,
        tr("the sign is wrong: σ'(z) = σ(z)(1 - σ(z)) is positive"): -s * (1 - s),
        tr("this is σ(z)(1 + σ(z)); the derivative is σ(z)(1 - σ(z))"): s * (1 + s),
    })
    far = np.array([[-800.0, 0.0, 800.0]])
    with np.errstate(all="ignore"):
        expect_array(run(sigmoid_prime, far), [[0.0, 0.25, 0.0]], "σ'([-800, 0, 800])")
    return tr("σ'(z) = σ(z)(1 - σ(z)), largest (0.25) at z = 0.")


__all__ = ["check_gate_gradients", "check_output_delta", "check_next_z_jacobian", "check_hidden_delta",
           "check_sigmoid_prime", "gate_reference"]
