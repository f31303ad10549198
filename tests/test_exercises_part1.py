"""The exercise machinery (bplib.exercises) and the self-checks of chapters 01-04.

Every check must pass on a correct solution and fail, with its specific hint, on a stub that raises
NotImplementedError and on typical wrong answers.
"""
import numpy as np
import pytest

import bplib
from bplib import exercises as ex


# ---------------------------------------------------------------- the machinery
@ex.check
def _double_check(f):
    X = np.arange(6.0).reshape(2, 3)
    ex.expect_array(ex.run(f, X), 2 * X, "Y", mistakes={"you returned X itself": X})
    return "Y = 2 X."


def _stub(X):
    raise NotImplementedError("Exercise: write the body of _stub()")


def test_result_is_truthy_iff_passed_and_shows_its_message():
    good = _double_check(lambda X: 2 * X)
    assert good and good.passed and repr(good) == str(good) == "✅ Correct: Y = 2 X."
    bad = _double_check(lambda X: X)
    assert not bad and not bad.passed and bad.message.startswith("❌ Not yet: ")


@pytest.mark.parametrize("answer, hint", [
    (_stub, "not implemented yet"),
    (lambda X: X, "you returned X itself"),
    (lambda X: (2 * X).T, "has shape (3, 2), expected (2, 3): did you transpose?"),
    (lambda X: None, "forget the `return`"),
    (lambda X: 1 / 0, "raised ZeroDivisionError"),
    (lambda X: 2 * X + np.eye(2, 3), "wrong values: Y[0, 0] = 1, expected 0"),
    (lambda X: np.full((2, 3), np.nan), "NaN or inf"),
    (lambda X: "text", "array of numbers"),
    (lambda X: (2 * X).reshape(6), "same number of entries"),
])
def test_failures_give_specific_hints(answer, hint):
    result = _double_check(answer)
    assert not result
    assert hint in result.message, result.message


def test_run_passes_copies_and_names_an_argument_changed_in_place():
    def mutating(A, X):
        X[...] = 0
        return X

    X = np.ones(3)
    with pytest.raises(ex.Hint, match="changed its argument `X` in place"):
        ex.run(mutating, np.ones(2), X)
    assert np.all(X == 1)                                   # the check's own data is untouched
    assert np.all(ex.run(mutating, np.ones(2), X, may_modify=("X",)) == 0)   # where the task allows it
    nested = [np.ones(2), np.ones(2)]

    def mutate_list(params):
        params[1] -= 1
        return params

    with pytest.raises(ex.Hint, match="`params` in place"):
        ex.run(mutate_list, nested)


def test_a_matmul_shape_mismatch_becomes_a_transpose_hint_with_the_shapes():
    def layer(A_prev, W, b):
        return A_prev @ W + b

    with pytest.raises(ex.Hint, match=r"did you transpose.*A_prev has shape \(4, 3\), W has shape \(2, 3\)"):
        ex.run(layer, np.ones((4, 3)), np.ones((2, 3)), np.zeros(2))


def test_square_transpose_is_detected():
    with pytest.raises(ex.Hint, match="transpose"):
        ex.expect_array([[1.0, 3.0], [2.0, 4.0]], [[1.0, 2.0], [3.0, 4.0]], "dW")


def test_expect_scalar_hints():
    assert ex.expect_scalar(np.float64(0.5), 0.5, "J") == 0.5
    with pytest.raises(ex.Hint, match="one number"):
        ex.expect_scalar(np.ones(3), 0.5, "J")
    with pytest.raises(ex.Hint, match="missing 1/m"):
        ex.expect_scalar(1.5, 0.5, "J", mistakes={"missing 1/m": 1.5})
    with pytest.raises(ex.Hint, match="expected 0.5"):
        ex.expect_scalar(0.7, 0.5, "J")


def test_check_rejects_a_non_function_with_a_clear_type_error():
    with pytest.raises(TypeError, match="expects your function itself"):
        _double_check(np.ones(3))


def test_unknown_chapter_module_is_an_attribute_error():
    with pytest.raises(AttributeError, match="ch99"):
        ex.ch99


# ---------------------------------------------------------------- chapter checks: solution, stub, typical mistakes
from bplib.activations import sigmoid as _sig, softmax as _softmax  # noqa: E402


def _stub_any(*args, **kwargs):
    raise NotImplementedError("Exercise: stub")


# chapter 01
def layer_forward(A_prev, W, b):
    return A_prev @ W.T + b


def layer_forward_loop(A_prev, W, b):
    return np.array([W @ a + b for a in A_prev])


def layer_forward_einsum(A_prev, W, b):
    return np.einsum("mi,ni->mn", A_prev, W) + b


def layer_forward_in_place(A_prev, W, b):
    A_prev *= 1.0
    W += 0.0
    b += 1.0                       # changes the caller's b
    return A_prev @ W.T + b - 1


def sigmoid(z):
    return 1 / (1 + np.exp(-np.clip(z, -500, 500)))


def sigmoid_where(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_tanh(z):
    return 0.5 * (1 + np.tanh(np.asarray(z) / 2))


def sigmoid_rows_only(z):
    import math
    return np.array([1 / (1 + math.exp(-v)) for v in np.ravel(z)])     # flattens: shape lost


def sigmoid_clip_in_place(z):
    np.clip(z, -500, 500, out=z)
    return 1 / (1 + np.exp(-z))


def forward(X, weights, biases):
    a = X
    for W, b in zip(weights, biases):
        a = sigmoid(a @ W.T + b)
    return a


def forward_recursive(X, weights, biases):
    if not weights:
        return X
    return forward_recursive(sigmoid(X @ weights[0].T + biases[0]), weights[1:], biases[1:])


def forward_tuples(X, weights, biases):
    a = X
    for l in range(len(weights)):
        a = sigmoid_tanh(np.einsum("mi,ni->mn", a, weights[l]) + biases[l])
    return a


def forward_linear_last(X, weights, biases):
    a = X
    for l, (W, b) in enumerate(zip(weights, biases)):
        z = a @ W.T + b
        a = sigmoid(z) if l < len(weights) - 1 else z
    return a


def forward_pops(X, weights, biases):
    a = X
    while weights:
        W, b = weights.pop(0), biases.pop(0)          # empties the caller's lists
        a = sigmoid(a @ W.T + b)
    return a


def xor_weights():
    return [np.array([[20.0, 20.0], [20.0, 20.0]]), np.array([[20.0, -20.0]])], [np.array([-10.0, -30.0]),
                                                                                  np.array([-10.0])]


def xor_weights_tuple_three_hidden():
    W1 = np.array([[10.0, 10.0], [10.0, 10.0], [0.0, 0.0]])
    return (W1, [[10.0, -10.0, 0.0]]), ([-5.0, -15.0, 0.0], [-5.0])


def xor_or():
    return [np.array([[20.0, 20.0], [20.0, 20.0]]), np.array([[20.0, 0.0]])], [np.array([-10.0, -30.0]),
                                                                               np.array([-10.0])]


def xor_small():
    return [np.array([[4.0, 4.0], [4.0, 4.0]]), np.array([[4.0, -4.0]])], [np.array([-2.0, -6.0]), np.array([-1.5])]


def xor_transposed():
    Ws, bs = xor_weights()
    return [Ws[0], Ws[1].T], bs


def xor_zeros():
    return [np.zeros((2, 2)), np.zeros((1, 2))], [np.zeros(2), np.zeros(1)]


# chapter 02
def mse(y_hat, y):
    return 0.5 * np.sum((y_hat - y) ** 2) / y.shape[0]


def mse_and_grad(y_hat, y):
    m = y.shape[0]
    return 0.5 * np.sum((y_hat - y) ** 2) / m, (y_hat - y) / m


def mse_and_grad_list(y_hat, y):
    m = len(y)
    r = y_hat - y
    return [np.array(np.einsum("ij,ij->", r, r) / (2 * m)), r / m]


def cross_entropy(P, Y):
    return -np.mean(np.log(P[Y == 1]))


def cross_entropy_where(P, Y):
    logs = np.log(P, where=Y > 0, out=np.zeros_like(P))
    return -np.sum(Y * logs) / Y.shape[0]


def cross_entropy_clip(P, Y):
    return -np.sum(Y * np.log(np.clip(P, 1e-300, 1))) / len(Y)


def gradient_descent(grad, w0, lr, steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(steps):
        w = w - lr * grad(w)
        path.append(w)
    return np.array(path)


def gradient_descent_prealloc(grad, w0, lr, steps):
    w0 = np.asarray(w0, dtype=float)
    path = np.empty((steps + 1, w0.size))
    path[0] = w0
    for k in range(steps):
        path[k + 1] = path[k] - lr * grad(path[k])
    return path


def gd_in_place(grad, w0, lr, steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(steps):
        w -= lr * grad(w)
        path.append(w)
    return np.array(path)


def gd_changes_w0(grad, w0, lr, steps):
    w = np.asarray(w0, dtype=float)     # no copy for an array argument
    path = [w.copy()]
    for _ in range(steps):
        w -= lr * grad(w)
        path.append(w.copy())
    return np.array(path)


def gd_no_start(grad, w0, lr, steps):
    return gradient_descent(grad, w0, lr, steps)[1:]


def gd_two_d_only(grad, w0, lr, steps):
    path = np.zeros((steps + 1, 2))      # hard-coded d = 2
    path[0] = w0[:2]
    for k in range(steps):
        path[k + 1] = path[k] - lr * np.asarray(grad(path[k]))[:2]
    return path


def lr_answers():
    return {"grad_at_0": -13 / 3, "curvature": 14 / 3, "w_star": 13 / 14, "lr_max": 3 / 7, "w_after_one_step": 1.3 / 3}


def lr_answers_rounded():
    return {"grad_at_0": np.float64(-4.333), "curvature": 4.667, "w_star": 0.9286, "lr_max": 0.4286,
            "w_after_one_step": np.array(0.4333)}


def _lr_with(**changes):
    def answers():
        return {**lr_answers(), **changes}
    return answers


# chapter 03
def gate_gradients(x, y, z, w):
    q, r = x * y, max(x, z)
    s, t = np.exp(q), r * w
    ds = dt = 1.0
    dq, dr, dw = ds * s, dt * w, dt * r
    dx = dq * y + (dr if x > z else 0.0)
    return {"s": ds, "t": dt, "q": dq, "r": dr, "w": dw, "y": dq * x, "z": 0.0 if x > z else dr, "x": dx}


def gate_gradients_numeric(x, y, z, w):
    def f(v):
        return np.exp(v[0] * v[1]) + max(v[0], v[2]) * v[3]
    v = np.array([x, y, z, w], dtype=float)
    g = bplib.numerical_gradient(f, v, eps=1e-7)
    q, r = x * y, max(x, z)
    return {"s": np.array(1.0), "t": 1, "q": np.exp(q), "r": w, "x": g[0], "y": g[1], "z": g[2], "w": g[3]}


def _gates_with(**changes):
    def answer(x, y, z, w):
        d = gate_gradients(x, y, z, w)
        for key, fn in changes.items():
            d[key] = fn(x, y, z, w)
        return d
    return answer


def output_delta(A_L, Y):
    return A_L - Y


def output_delta_jacobian(A_L, Y):
    """Through the full softmax Jacobian, without dividing by a: δ_k = Σ_j (-y_j) (1[j=k] - a_k) = a_k Σy - y_k."""
    return A_L * Y.sum(axis=1, keepdims=True) - Y


def next_z_jacobian(W_next, z):
    s = _sig(z)
    return W_next * (s * (1 - s))


def next_z_jacobian_loops(W_next, z):
    J = np.zeros(W_next.shape)
    for k in range(W_next.shape[0]):
        for j in range(W_next.shape[1]):
            s = 1 / (1 + np.exp(-z[j]))
            J[k, j] = W_next[k, j] * s * (1 - s)
    return J


def next_z_jacobian_diag(W_next, z):
    s = _sig(z)
    return W_next @ np.diag(s * (1 - s))


def sigmoid_prime(z):
    s = _sig(z)
    return s * (1 - s)


def hidden_delta(delta_next, W_next, z):
    return (delta_next @ W_next) * sigmoid_prime(z)


def hidden_delta_index(delta_next, W_next, z):
    m, n = z.shape
    out = np.zeros((m, n))
    for i in range(m):
        for j in range(n):
            s = _sig(z[i, j])
            out[i, j] = sum(W_next[k, j] * delta_next[i, k] for k in range(W_next.shape[0])) * s * (1 - s)
    return out


def hidden_delta_einsum(delta_next, W_next, z):
    return np.einsum("mk,kj->mj", delta_next, W_next) * sigmoid_prime(z)


def hidden_delta_in_place(delta_next, W_next, z):
    z[...] = sigmoid_prime(z)          # overwrites the caller's z
    return (delta_next @ W_next) * z


# chapter 04
def weight_grad(delta, A_prev):
    return delta.T @ A_prev / delta.shape[0]


def weight_grad_sum_outer(delta, A_prev):
    return sum(np.outer(d, a) for d, a in zip(delta, A_prev)) / len(delta)


def weight_grad_einsum(delta, A_prev):
    return np.einsum("mi,mj->ij", delta, A_prev) / delta.shape[0]


def weight_grad_in_place(delta, A_prev):
    delta /= delta.shape[0]
    return delta.T @ A_prev


def bias_grad(delta):
    return delta.mean(axis=0)


def bias_grad_sum(delta):
    return np.sum(delta, axis=0) / len(delta)


def bias_grad_ones(delta):
    return np.ones(delta.shape[0]) @ delta / delta.shape[0]


def bias_grad_in_place(delta):
    delta[0] = delta.mean(axis=0)
    return delta[0]


def numerical_gradient(f, x, eps=1e-6):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x, dtype=float)
    for i in range(x.size):
        e = np.zeros_like(x, dtype=float)
        e.flat[i] = eps
        g.flat[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def numerical_gradient_ndindex(f, x, eps=1e-6):
    x = np.array(x, dtype=float)
    g = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        fp = f(x)
        x[idx] = old - eps
        fm = f(x)
        x[idx] = old
        g[idx] = (fp - fm) / (2 * eps)
    return g


def numerical_gradient_not_restored(f, x, eps=1e-6):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in range(x.size):
        x.flat[i] += eps
        f_plus = f(x)
        x.flat[i] -= 2 * eps          # x[i] stays at x[i] - eps for the next entries
        g.flat[i] = (f_plus - f(x)) / (2 * eps)
    return g


def numerical_gradient_changes_x(f, x, eps=1e-6):
    g = numerical_gradient(f, x, eps)
    x += 1                            # right values, but the caller's array is changed
    return g


def numerical_gradient_int_copy(f, x, eps=1e-6):
    x = x.copy()                      # keeps an integer dtype: x + ε is rounded back
    g = np.zeros(x.shape)
    for i in range(x.size):
        old = x.flat[i]
        x.flat[i] = old + eps
        fp = f(x)
        x.flat[i] = old - eps
        fm = f(x)
        x.flat[i] = old
        g.flat[i] = (fp - fm) / (2 * eps)
    return g


def numerical_gradient_rows(f, x, eps=1e-6):
    x = np.array(x, dtype=float)
    g = np.zeros(len(x))              # one entry per ROW: fine for a vector, wrong for a matrix
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def numerical_gradient_flat(f, x, eps=1e-6):
    return numerical_gradient(f, x, eps).ravel()


def numerical_gradient_library(f, x, eps=1e-6):
    return bplib.numerical_gradient(f, x, eps)


def relative_error(g, n):
    return np.linalg.norm(g - n) / max(np.linalg.norm(g) + np.linalg.norm(n), 1e-12)


def relative_error_ravel(g, n):
    g, n = np.ravel(g), np.ravel(n)
    return np.array(np.sqrt(np.sum((g - n) ** 2)) / max(np.sqrt(g @ g) + np.sqrt(n @ n), 1e-12))


def grad_check(net, X, Y, eps=1e-5):
    _, dW, db = net.loss_and_grads(X, Y)
    report = {}
    for kind, params, grads in (("W", net.weights, dW), ("b", net.biases, db)):
        for l, (p, g) in enumerate(zip(params, grads), start=1):
            num = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + eps
                jp = net.loss(X, Y)
                p[idx] = old - eps
                jm = net.loss(X, Y)
                p[idx] = old
                num[idx] = (jp - jm) / (2 * eps)
            report[f"{kind}{l}"] = np.linalg.norm(g - num) / max(np.linalg.norm(g) + np.linalg.norm(num), 1e-12)
    return report


def grad_check_with_library(net, X, Y, eps=1e-5):
    _, dW, db = net.loss_and_grads(X, Y)
    report = {}
    for l in range(1, net.n_layers + 1):
        for name, arrays, grads in (("W", net.weights, dW), ("b", net.biases, db)):
            def J(value, arrays=arrays, l=l):
                saved = arrays[l - 1]
                arrays[l - 1] = value
                try:
                    return net.loss(X, Y)
                finally:
                    arrays[l - 1] = saved
            report[f"{name}{l}"] = bplib.relative_error(grads[l - 1], bplib.numerical_gradient(J, arrays[l - 1], eps))
    return report


def grad_check_one_sided(net, X, Y, eps=1e-5):
    _, dW, db = net.loss_and_grads(X, Y)
    report = {}
    for kind, params, grads in (("W", net.weights, dW), ("b", net.biases, db)):
        for l, (p, g) in enumerate(zip(params, grads), start=1):
            num = np.zeros_like(p)
            j0 = net.loss(X, Y)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + eps
                num[idx] = (net.loss(X, Y) - j0) / eps
                p[idx] = old
            report[f"{kind}{l}"] = bplib.relative_error(g, num)
    return report


def grad_check_copy(net, X, Y, eps=1e-5):
    _, dW, db = net.loss_and_grads(X, Y)
    report = {}
    for kind, params, grads in (("W", net.weights, dW), ("b", net.biases, db)):
        for l, (p, g) in enumerate(zip(params, grads), start=1):
            q = p.copy()                                       # perturbs a copy: the loss never changes
            num = np.zeros_like(q)
            for idx in np.ndindex(q.shape):
                old = q[idx]
                q[idx] = old + eps
                jp = net.loss(X, Y)
                q[idx] = old - eps
                num[idx] = (jp - net.loss(X, Y)) / (2 * eps)
                q[idx] = old
            report[f"{kind}{l}"] = bplib.relative_error(g, num)
    return report


def grad_check_not_restored(net, X, Y, eps=1e-5):
    report = grad_check(net, X, Y, eps)
    net.weights[0][0, 0] += eps
    return report


def grad_check_self(net, X, Y, eps=1e-5):
    _, dW, db = net.loss_and_grads(X, Y)
    _, dW2, db2 = net.loss_and_grads(X, Y)            # analytic against analytic: never finds a bug
    return {**{f"W{l}": bplib.relative_error(a, b) for l, (a, b) in enumerate(zip(dW, dW2), 1)},
            **{f"b{l}": bplib.relative_error(a, b) for l, (a, b) in enumerate(zip(db, db2), 1)}}


def grad_check_two_layers(net, X, Y, eps=1e-5):
    report = grad_check(net, X, Y, eps)
    return {k: report[k] for k in ("W1", "W2", "b1", "b2")}


def grad_check_max(net, X, Y, eps=1e-5):
    """One number for all parameters: cannot say where the bug is."""
    report = grad_check(net, X, Y, eps)
    worst = max(report.values())
    return {k: worst for k in report}


def backprop_fixed(weights, biases, X, Y):
    m, L = X.shape[0], len(weights)
    zs, acts = [], [X]
    for l, (W, b) in enumerate(zip(weights, biases), start=1):
        z = acts[-1] @ W.T + b
        zs.append(z)
        acts.append(_softmax(z) if l == L else _sig(z))
    dW, db = [None] * L, [None] * L
    delta = acts[L] - Y
    for l in range(L, 0, -1):
        dW[l - 1] = delta.T @ acts[l - 1] / m
        db[l - 1] = delta.sum(axis=0) / m
        if l > 1:
            s = _sig(zs[l - 2])
            delta = (delta @ weights[l - 1]) * s * (1 - s)
    return dW, db


def backprop_fixed_with_activations(weights, biases, X, Y):
    """A different correct form: σ' from the stored activations a(1 - a), lists built by appending, a tuple."""
    acts = [X]
    for l, (W, b) in enumerate(zip(weights, biases)):
        z = acts[-1] @ W.T + b
        acts.append(_softmax(z) if l == len(weights) - 1 else _sig(z))
    delta = (acts[-1] - Y) / X.shape[0]
    dW, db = [], []
    for l in reversed(range(len(weights))):
        dW.insert(0, np.einsum("mi,mj->ij", delta, acts[l]))
        db.insert(0, delta.sum(axis=0))
        if l > 0:
            delta = (delta @ weights[l]) * acts[l] * (1 - acts[l])
    return tuple(dW), tuple(db)


def _backprop_bug(bug):
    def answer(weights, biases, X, Y):
        return ex.ch04.backprop_variant(weights, biases, X, Y, bug)
    return answer


def backprop_two_layers_only(weights, biases, X, Y):
    dW, db = backprop_fixed(weights[:2], biases[:2], X, Y) if len(weights) >= 2 else backprop_fixed(weights, biases, X, Y)
    return dW, db


def backprop_overwrites_Y(weights, biases, X, Y):
    Y -= 0                                   # harmless
    out = backprop_fixed(weights, biases, X, Y)
    Y[...] = 0                               # overwrites the caller's targets
    return out


CASES = {
    # check name: (chapter, solution, [correct alternatives], [(wrong answer, expected hint fragment), ...])
    "check_layer_forward": ("ch01", layer_forward, [layer_forward_loop, layer_forward_einsum], [
        (lambda A, W, b: A @ W.T, "forgot to add the bias"),
        (lambda A, W, b: A @ W + b, "did you transpose"),
        (lambda A, W, b: (A @ W.T + b).T, "did you transpose?"),
        (lambda A, W, b: _sig(A @ W.T + b), "before the activation"),
        (lambda A, W, b: (W @ A[0] + b)[None, :], "expected (4, 2)"),            # generality: first example only
        (layer_forward_in_place, "changed its argument `b` in place"),
    ]),
    "check_sigmoid": ("ch01", sigmoid, [sigmoid_where, sigmoid_tanh], [
        (lambda z: 1 / (1 + np.exp(z)), "sign in the exponent"),
        (np.tanh, "tanh"),
        (lambda z: np.exp(z) / (1 + np.exp(z)), "NaN or inf"),
        (lambda z: 1 - sigmoid(z), "this is σ(-z) = 1 - σ(z)"),
        (sigmoid_rows_only, "expected (13, 2)"),
        (sigmoid_clip_in_place, "changed its argument `z` in place"),
    ]),
    "check_forward": ("ch01", forward, [forward_recursive, forward_tuples], [
        (forward_linear_last, "the last one included"),
        (lambda X, Ws, bs: sigmoid(X @ Ws[0].T + bs[0]), "first layer's output"),
        (lambda X, Ws, bs: forward(X, Ws[:-1], bs[:-1]), "one layer early"),
        (lambda X, Ws, bs: forward(X, Ws, [0 * b for b in bs]), "left out the biases"),
        (lambda X, Ws, bs: forward(X, [W.T for W in Ws], bs), "did you transpose"),
        (forward_pops, "changed its argument `weights` in place"),
    ]),
    "check_xor_weights": ("ch01", xor_weights, [xor_weights_tuple_three_hidden], [
        (xor_or, "computes OR"),
        (xor_small, "scale all weights"),
        (xor_transposed, "did you transpose"),
        (xor_zeros, "same answer for every input"),
        (lambda: [np.ones((2, 2))], "weights and biases"),
    ]),
    "check_mse": ("ch02", mse, [mse_and_grad, lambda yh, y: np.array(0.5 * np.mean(np.sum((yh - y) ** 2, axis=1)))], [
        (lambda yh, y: np.sum((yh - y) ** 2) / y.shape[0], "forgot the ½"),
        (lambda yh, y: 0.5 * np.sum((yh - y) ** 2), "divide by m"),
        (lambda yh, y: np.mean((yh - y) ** 2), "averaged over all m·k entries"),
        (lambda yh, y: 0.5 * np.mean((yh - y) ** 2), "divided by every entry"),
        (lambda yh, y: 0.5 * np.sum((yh - y) ** 2) / y.shape[1], "divided by k"),
        (lambda yh, y: 0.5 * np.mean((yh - y) ** 2, axis=0), "one number"),
    ]),
    "check_mse_and_grad": ("ch02", mse_and_grad, [mse_and_grad_list], [
        (lambda yh, y: mse(yh, y), "return two things"),
        (lambda yh, y: (mse(yh, y), yh - y), "forgot the 1/m"),
        (lambda yh, y: (mse(yh, y), (y - yh) / len(y)), "sign is wrong"),
        (lambda yh, y: (mse(yh, y), 2 * (yh - y) / len(y)), "the ½ cancels"),
        (lambda yh, y: (mse(yh, y), (yh - y) / y.size), "divided by m·k"),
        (lambda yh, y: (np.sum((yh - y) ** 2) / len(y), (yh - y) / len(y)), "forgot the ½"),
    ]),
    "check_cross_entropy": ("ch02", cross_entropy, [cross_entropy_where, cross_entropy_clip], [
        (lambda P, Y: -np.sum(Y * np.log(P)) / Y.shape[0], "0 · log 0"),
        (lambda P, Y: -cross_entropy(P, Y), "sign is wrong"),
        (lambda P, Y: cross_entropy(P, Y) * len(Y), "divide by m"),
        (lambda P, Y: cross_entropy(P, Y) / Y.shape[1], "m·k"),
        (lambda P, Y: -np.sum(Y * np.log(P) + (1 - Y) * np.log(1 - P)) / len(Y), "log(1 - p)"),
    ]),
    "check_gradient_descent": ("ch02", gradient_descent, [gradient_descent_prealloc], [
        (gd_in_place, "every row is the final w"),
        (gd_changes_w0, "changed its argument `w0` in place"),
        (gd_no_start, "path[0]"),
        (lambda g, w0, lr, n: gradient_descent(lambda w: -g(w), w0, lr, n), "uphill"),
        (lambda g, w0, lr, n: gradient_descent(g, w0, 1.0, n), "learning rate is missing"),
        (gd_two_d_only, "could not be broadcast"),
    ]),
    "check_lr_numbers": ("ch02", lr_answers, [lr_answers_rounded], [
        (_lr_with(grad_at_0=-13.0), "forgot the 1/m"),
        (_lr_with(curvature=28 / 3), "this is 2a"),
        (_lr_with(lr_max=3 / 14), "start to overshoot"),
        (_lr_with(w_star=np.mean([1.0, 1.5, 2 / 3])), "w* solves dJ/dw = 0"),
        (_lr_with(w_after_one_step=-1.3 / 3), "uphill"),
        (lambda: [1, 2, 3], "return a dict"),
        (lambda: {"grad_at_0": 1.0}, "lacks"),
    ]),
    "check_gate_gradients": ("ch03", gate_gradients, [gate_gradients_numeric], [
        (_gates_with(x=lambda x, y, z, w: np.exp(x * y) * y), "only the path through q"),
        (_gates_with(x=lambda x, y, z, w: w if x > z else 0.0), "only the path through r"),
        (_gates_with(z=lambda x, y, z, w: w), "max routes the whole gradient"),
        (_gates_with(q=lambda x, y, z, w: 1.0), "local gradient of exp"),
        (_gates_with(r=lambda x, y, z, w: max(x, z)), "multiply gate sends each input the OTHER"),
        (_gates_with(y=lambda x, y, z, w: x), "chain the local gradients"),
        (lambda x, y, z, w: [1.0] * 8, "return a dict"),
    ]),
    "check_output_delta": ("ch03", output_delta, [output_delta_jacobian,
                                                  lambda A, Y: np.subtract(A, Y, dtype=float)], [
        (lambda A, Y: Y - A, "sign is flipped"),
        (lambda A, Y: (A - Y) * A * (1 - A), "erratum 4"),
        (lambda A, Y: -Y * (1 - A), "erratum 4"),
        (lambda A, Y: (A - Y) / A.shape[0], "divided by m"),
        (lambda A, Y: (A - Y).mean(axis=0), "one row per example"),
        (lambda A, Y: A - np.eye(A.shape[1])[Y.argmax(axis=1)], "assumes one-hot"),
        (lambda A, Y: np.einsum("mj,mjk->mk", -Y / A, A[:, :, None] * (np.eye(A.shape[1]) - A[:, None, :])),
         "divided by a"),
    ]),
    "check_next_z_jacobian": ("ch03", next_z_jacobian, [next_z_jacobian_loops, next_z_jacobian_diag], [
        (lambda W, z: W, "left out σ'"),
        (lambda W, z: W * _sig(z), "where its derivative"),
        (lambda W, z: W * z * (1 - z), "z(1 - z)"),
        (lambda W, z: (W.T * sigmoid_prime(z)[:, None]), "did you transpose"),
        (lambda W, z: W * sigmoid_prime(z)[:, None] if W.shape[0] == W.shape[1] else W * sigmoid_prime(z),
         "belongs to column j"),
    ]),
    "check_hidden_delta": ("ch03", hidden_delta, [hidden_delta_index, hidden_delta_einsum], [
        (lambda d, W, z: d @ W, "forgot the factor σ'(z(l))"),
        (lambda d, W, z: (d @ W) * _sig(z), "instead of its derivative"),
        (lambda d, W, z: (d @ W.T) * sigmoid_prime(z), "did you transpose"),
        (lambda d, W, z: (d @ W) * z * (1 - z), "z(1 - z)"),
        (lambda d, W, z: (d @ W.T) * sigmoid_prime(z) if W.shape[0] == W.shape[1] else hidden_delta(d, W, z),
         "square layer"),
        (hidden_delta_in_place, "changed its argument `z` in place"),
    ]),
    "check_sigmoid_prime": ("ch03", sigmoid_prime, [lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2 if np.max(np.abs(z)) < 100
                                                    else sigmoid_prime(z),
                                                    lambda z: 0.25 / np.cosh(np.asarray(z) / 2) ** 2], [
        (lambda z: z * (1 - z), "you used z where σ(z) belongs"),
        (_sig, "this is σ(z) itself"),
        (lambda z: -sigmoid_prime(z), "sign is wrong"),
        (lambda z: _sig(z) * (1 + _sig(z)), "σ(z)(1 + σ(z))"),
    ]),
    "check_weight_grad": ("ch04", weight_grad, [weight_grad_sum_outer, weight_grad_einsum], [
        (lambda d, A: A.T @ d / d.shape[0], "did you transpose?"),
        (lambda d, A: d.T @ A, "forgot the 1/m"),
        (lambda d, A: np.outer(d[0], A[0]), "only the first example"),
        (lambda d, A: np.outer(d[0], A[0]) / len(d), "only the first example"),
        (lambda d, A: A.T @ d / len(d) if d.shape[1] == A.shape[1] else weight_grad(d, A), "erratum 1"),
        (weight_grad_in_place, "changed its argument `delta` in place"),
    ]),
    "check_bias_grad": ("ch04", bias_grad, [bias_grad_sum, bias_grad_ones], [
        (lambda d: d.sum(axis=0), "forgot the 1/m"),
        (lambda d: d[0], "erratum 3"),
        (lambda d: d[0] / len(d), "erratum 3"),
        (lambda d: d.mean(axis=1), "axis=0"),
        (lambda d: d.mean(axis=0, keepdims=True), "b(l) is a vector"),
        (bias_grad_in_place, "changed its argument `delta` in place"),
    ]),
    "check_numerical_gradient": ("ch04", numerical_gradient, [numerical_gradient_ndindex], [
        (lambda f, x, eps: np.array([(f(x + eps * e) - f(x)) / eps for e in np.eye(x.size)]), "one-sided"),
        (lambda f, x, eps: np.array([(f(x + eps * e) - f(x - eps * e)) / eps for e in np.eye(x.size)]), "2ε"),
        (numerical_gradient_not_restored, "did not put x[i] back"),
        (numerical_gradient_changes_x, "changed its argument `x` in place"),
        (numerical_gradient_int_copy, "integer dtype"),
        (numerical_gradient_rows, "expected (2, 3)"),
        (numerical_gradient_flat, "same number of entries"),
        (numerical_gradient_library, "calls bplib.numerical_gradient"),
    ]),
    "check_relative_error": ("ch04", relative_error, [relative_error_ravel], [
        (lambda g, n: np.linalg.norm(g - n), "absolute error"),
        (lambda g, n: np.linalg.norm(g - n) / np.linalg.norm(g), "‖g‖ only"),
        (lambda g, n: np.linalg.norm(g - n) / (np.linalg.norm(g) + np.linalg.norm(n)), "0 / 0"),
        (lambda g, n: np.abs(g - n) / np.maximum(np.abs(g) + np.abs(n), 1e-12), "not entry by entry"),
    ]),
    "check_grad_check": ("ch04", grad_check, [grad_check_with_library], [
        (grad_check_one_sided, "one-sided"),
        (grad_check_copy, "perturb a copy"),
        (grad_check_not_restored, "put every perturbed entry back"),
        (grad_check_self, "missed a planted bug"),
        (grad_check_two_layers, "any depth"),
        (grad_check_max, "also flags"),
        (lambda net, X, Y, eps: [0.0], "return a dict"),
    ]),
    "check_backprop_fixed": ("ch04", backprop_fixed, [backprop_fixed_with_activations], [
        (_backprop_bug("planted"), "still the planted bug"),
        (_backprop_bug("single_bias"), "erratum 3"),
        (_backprop_bug("single_bias_m"), "erratum 3"),
        (_backprop_bug("no_1/m"), "m times too large"),
        (_backprop_bug("transpose"), "erratum 1"),
        (_backprop_bug("no_sigma_prime"), "lost its σ'"),
        (backprop_two_layers_only, "any depth"),
        (backprop_overwrites_Y, "changed its argument `Y` in place"),
    ]),
}
WRONG = [(name, i) for name, (_, _, _, wrongs) in CASES.items() for i in range(len(wrongs))]
RIGHT = [(name, i) for name, (_, _, rights, _) in CASES.items() for i in range(len(rights))]


def _check(name):
    return getattr(getattr(ex, CASES[name][0]), name)


@pytest.mark.parametrize("name", CASES)
def test_check_passes_on_the_solution(name):
    result = _check(name)(CASES[name][1])
    assert result.passed, result.message
    assert result.message.startswith("✅ Correct: ")


@pytest.mark.parametrize("name, i", RIGHT)
def test_check_passes_on_a_correct_alternative_form(name, i):
    with np.errstate(all="ignore"):
        result = _check(name)(CASES[name][2][i])
    assert result.passed, result.message


@pytest.mark.parametrize("name", CASES)
def test_check_fails_on_the_stub(name):
    result = _check(name)(_stub_any)
    assert not result
    assert result.message.startswith("❌ Not yet: not implemented yet"), result.message


@pytest.mark.parametrize("name, i", WRONG)
def test_check_fails_on_a_typical_mistake_with_its_hint(name, i):
    wrong, hint = CASES[name][3][i]
    with np.errstate(all="ignore"):
        result = _check(name)(wrong)
    assert not result
    assert hint in result.message, result.message


def test_every_check_has_four_wrong_answers_and_two_correct_forms():
    for name, (_, _, rights, wrongs) in CASES.items():
        assert len(wrongs) >= 4, name
        assert len(rights) + 1 >= 2, name


def test_every_chapter_check_is_tested():
    for chapter in ("ch01", "ch02", "ch03", "ch04"):
        module = getattr(ex, chapter)
        names = {n for n in dir(module) if n.startswith("check_")}
        assert names == {n for n, (c, _, _, _) in CASES.items() if c == chapter}, chapter


def test_the_backprop_oracle_matches_bplib_and_central_differences():
    for weights, biases, X, Y in ex.ch04._backprop_cases():
        sizes = [weights[0].shape[1]] + [W.shape[0] for W in weights]
        net = bplib.MLP(sizes, activation="sigmoid", output="softmax")
        net.weights, net.biases = [W.copy() for W in weights], [b.copy() for b in biases]
        _, dW, db = net.loss_and_grads(X, Y)
        ref_W, ref_b = ex.ch04.backprop_variant(weights, biases, X, Y)
        for a, b in zip(dW + db, ref_W + ref_b):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
        assert bplib.gradcheck(net, X, Y) < 1e-7


def test_the_gate_oracle_matches_central_differences():
    for x, y, z, w in ex.ch03.GATE_CASES:
        g = bplib.numerical_gradient(lambda v: np.exp(v[0] * v[1]) + max(v[0], v[2]) * v[3], np.array([x, y, z, w]))
        ref = ex.ch03.gate_reference(x, y, z, w)
        np.testing.assert_allclose([ref["x"], ref["y"], ref["z"], ref["w"]], g, rtol=1e-7, atol=1e-9)


def test_checks_reject_a_result_instead_of_a_function():
    with pytest.raises(TypeError, match="not its result"):
        ex.ch04.check_bias_grad(np.zeros(3))


# ---------------------------------------------------------------- the Chinese edition: the same checks, in Chinese
import ast  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import string  # noqa: E402
from pathlib import Path  # noqa: E402

from bplib import i18n  # noqa: E402

#: the machinery and chapters 01-04 speak through tr(); their Chinese templates live in one catalogue
SOURCES_01_04 = [Path(ex.__file__)] + [Path(ex.__file__).with_name(f"ch0{n}.py") for n in range(1, 5)]
ZH_CATALOGUE_01_04 = Path(bplib.__file__).parent / "locale" / "zh" / "exercises_ch01_04.json"
#: one prefix each for the whole course: a passing check, a failing one, and a stub's hint (after the failing prefix)
ZH_PASS, ZH_FAIL, ZH_NOT_IMPLEMENTED = "✅ 正确：", "❌ 还没有通过：", "尚未实现"


def tr_literals(paths):
    """{English template: ["file:line", ...]} of every tr("...") call in `paths` (a quick coverage scanner).

    Fails on a call whose template is not a literal str, and on a template with braces called without values
    (tr formats only when given values, so an escaped {{ would be shown as it is).
    """
    found = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = node.func if isinstance(node, ast.Call) else None
            if getattr(func, "id", getattr(func, "attr", None)) != "tr":
                continue
            where = f"{path.name}:{node.lineno}"
            first = node.args[0] if node.args else None
            assert isinstance(first, ast.Constant) and isinstance(first.value, str), f"{where}: tr needs a literal"
            assert node.keywords or not re.search("[{}]", first.value), f"{where}: braces in a template without values"
            found.setdefault(first.value, []).append(where)
    return found


def _fields(template):
    return sorted((name, spec, conv) for _, name, spec, conv in string.Formatter().parse(template) if name is not None)


def test_zh_catalogue_has_exactly_the_templates_of_the_machinery_and_chapters_01_04():
    literals = tr_literals(SOURCES_01_04)
    catalogue = json.loads(ZH_CATALOGUE_01_04.read_text(encoding="utf-8"))
    assert len(literals) > 150
    assert sorted(set(literals) - set(catalogue)) == [], "templates without a Chinese translation"
    assert sorted(set(catalogue) - set(literals)) == [], "translations whose English template is gone"
    for en, zh in catalogue.items():
        assert _fields(zh) == _fields(en), (en, zh)           # same placeholders, format specs and conversions
        words = re.sub(r"\{[^{}]*\}", "", en)
        assert not re.search("[A-Za-z]{2,}", words) or re.search("[\u4e00-\u9fff]", zh), (en, zh)


@pytest.fixture
def chinese():
    i18n.set_language("zh")
    try:
        yield
    finally:
        i18n.set_language("en")


def test_in_chinese_a_stub_a_wrong_and_a_right_answer_get_chinese_messages(chinese):
    stub = ex.ch01.check_layer_forward(_stub_any)
    assert not stub and stub.message == (
        ZH_FAIL + ZH_NOT_IMPLEMENTED + "：请在 `_stub_any` 中写着 `raise NotImplementedError` 的地方写出函数体，"
        "运行那个单元格，然后重新运行这个检查。")
    wrong = ex.ch01.check_layer_forward(lambda A_prev, W, b: A_prev @ W.T)
    assert not wrong and wrong.message == ZH_FAIL + "Z 不对：你忘了加上偏置 b"
    wrong = ex.ch02.check_mse(lambda y_hat, y: np.sum((y_hat - y) ** 2) / len(y))
    assert not wrong and wrong.message == ZH_FAIL + "J = 6.5713 不对：你忘了 J = (1/2m) Σ (y_hat - y)² 中的 ½"
    right = ex.ch01.check_layer_forward(layer_forward)
    assert right and right.message == (ZH_PASS + "Z = A_prev @ W.T + b 为每个样本给出一行 z = W a + b，"
                                       "对任意 m 和任意层形状都成立。")
    assert ex.ch04.check_backprop_fixed(_backprop_bug("transpose")).message.startswith(
        ZH_FAIL + "4-4-4-4 网络，m = 6：dW 被转置了（勘误 1）")


def test_in_chinese_a_transposed_matmul_gives_the_transpose_hint_with_the_shapes(chinese):
    result = ex.ch01.check_layer_forward(lambda A_prev, W, b: A_prev @ W + b)
    assert not result
    assert result.message.startswith(ZH_FAIL + "`<lambda>`（`<lambda>` 的第 1 行）：矩阵乘法的形状不匹配：是不是忘了转置，"
                                     "或者乘的顺序反了？A_prev 的形状为 (4, 3)，W 的形状为 (2, 3)，b 的形状为 (2,)。"), \
        result.message
    transposed = ex.ch04.check_weight_grad(lambda delta, A_prev: (delta.T @ A_prev / len(delta)).T)
    assert transposed.message == ZH_FAIL + "dW (m = 6, n_l = 3, n_(l-1) = 4) 的形状为 (4, 3)，应为 (3, 4)：是不是转置了？"


def _english_words(message):
    """Runs of three English words in a message, outside `code` (what an untranslated hint would leave)."""
    return re.findall(r"[A-Za-z]{2,} [A-Za-z]{2,} [A-Za-z]{2,}", re.sub(r"`[^`]*`", "", message))


@pytest.mark.parametrize("name", CASES)
def test_in_chinese_every_check_speaks_chinese(name, chinese):
    check = _check(name)
    _, solution, _, wrongs = CASES[name]
    assert check(solution).message.startswith(ZH_PASS)
    assert check(_stub_any).message.startswith(ZH_FAIL + ZH_NOT_IMPLEMENTED)
    for wrong, _ in wrongs:
        with np.errstate(all="ignore"):
            message = check(wrong).message
        assert message.startswith(ZH_FAIL), message
        if "抛出了" not in message:                       # an exception's own text (NumPy's, Python's) stays English
            assert not _english_words(message), message


def test_switching_back_to_english_restores_the_english_messages():
    i18n.set_language("zh")
    try:
        assert ex.ch01.check_layer_forward(_stub_any).message.startswith(ZH_FAIL)
    finally:
        i18n.set_language("en")
    assert ex.ch01.check_layer_forward(_stub_any).message.startswith("❌ Not yet: not implemented yet")


# ---------------------------------------------------------------- chapters 01-04's helpers: tiny, gd, widgets, graph
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from bplib.course import descent as gd, graph, tiny  # noqa: E402
from bplib.widgets import learning_rate as gd_widgets  # noqa: E402


def test_tiny_network_matches_hand_computed_values():
    """Independent oracle: the numbers worked out by hand (scalar arithmetic, no bplib) in chapter 01/03."""
    net = tiny.tiny_net()
    X, y = tiny.tiny_example()
    z1 = np.array([0.15 * 0.05 + 0.20 * 0.10 + 0.35, 0.25 * 0.05 + 0.30 * 0.10 + 0.35])
    a1 = 1 / (1 + np.exp(-z1))
    z2 = np.array([0.40 * a1[0] + 0.45 * a1[1] + 0.60, 0.50 * a1[0] + 0.55 * a1[1] + 0.60])
    a2 = np.exp(z2) / np.exp(z2).sum()
    np.testing.assert_allclose(net.forward(X)[0], a2, rtol=1e-13)
    np.testing.assert_allclose(z1, [0.3775, 0.3925], rtol=1e-13)
    d2 = a2 - [0, 1]
    d1 = np.array([0.40 * d2[0] + 0.50 * d2[1], 0.45 * d2[0] + 0.55 * d2[1]]) * a1 * (1 - a1)
    deltas = net.deltas(X, y)
    np.testing.assert_allclose(deltas[1][0], d2, rtol=1e-12)
    np.testing.assert_allclose(deltas[0][0], d1, rtol=1e-12)
    Xb, yb = tiny.tiny_batch()
    assert Xb.shape == (2, 2) and list(yb) == [1, 0]
    assert bplib.gradcheck(net, Xb, yb, eps=1e-5) < 1e-7
    other = tiny.tiny_net()
    other.weights[0][0, 0] = 9.0
    assert tiny.tiny_net().weights[0][0, 0] == 0.15          # fresh arrays every call


def test_gradient_descent_on_a_quadratic_matches_the_closed_form():
    J, grad = gd.quadratic(np.diag([1.0, 4.0]), center=(1.0, -1.0))
    path = gd.gradient_descent(grad, (3.0, 1.0), lr=0.1, steps=5)
    assert path.shape == (6, 2)
    k = np.arange(6)
    np.testing.assert_allclose(path[:, 0], 1 + 2 * 0.9 ** k)       # distance shrinks by 1 - lr a each step
    np.testing.assert_allclose(path[:, 1], -1 + 2 * 0.6 ** k)
    assert J(path[-1]) < J(path[0])


def test_gradient_descent_stops_and_reports_divergence():
    path = gd.gradient_descent(lambda w: 10 * w, 1.0, lr=1.0, steps=1000)
    assert gd.diverged(path) and len(path) < 20 and np.all(np.isfinite(path))
    assert not gd.diverged(gd.gradient_descent(lambda w: w, 1.0, lr=0.5, steps=10))


@pytest.mark.parametrize("call, message", [
    (lambda: gd.gradient_descent(lambda w: w, 1.0, lr=-1, steps=3), "lr must be a positive"),
    (lambda: gd.gradient_descent(lambda w: w, 1.0, lr=0.1, steps=-1), "steps must be an integer"),
    (lambda: gd.quadratic(np.ones((2, 3))), "square"),
    (lambda: gd.quadratic(np.diag([1.0, -1.0])), "positive definite"),
    (lambda: gd.sgd_linreg([1.0, 2.0], [1.0, 2.0], (0, 0), 0.1, 1, batch_size=3), "at most m"),
    (lambda: gd.linreg_loss(np.zeros(3), [1.0], [1.0]), r"shape \(\.\.\., 2\)"),
    (lambda: gd.slope_loss(1.0, [1.0, 2.0], [1.0]), "same length"),
])
def test_gd_rejects_bad_input_clearly(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_linreg_gradient_matches_central_differences():
    x, y = gd.regression_data(m=30, seed=1)
    p = np.array([0.3, -0.7])
    numeric = bplib.numerical_gradient(lambda q: gd.linreg_loss(q, x, y), p)
    assert bplib.relative_error(gd.linreg_grad(p, x, y), numeric) < 1e-8
    assert bplib.relative_error(gd.slope_grad(0.4, x, y),
                                bplib.numerical_gradient(lambda w: gd.slope_loss(w, x, y), 0.4)) < 1e-8


def test_batch_sgd_equals_plain_gradient_descent_and_minibatches_take_more_steps():
    x, y = gd.regression_data(m=40, seed=0)
    batch = gd.sgd_linreg(x, y, (0.0, 0.0), lr=0.3, epochs=4, batch_size=40)
    plain = gd.gradient_descent(lambda p: gd.linreg_grad(p, x, y), (0.0, 0.0), lr=0.3, steps=4)
    np.testing.assert_allclose(batch, plain, rtol=1e-12)
    assert gd.sgd_linreg(x, y, (0.0, 0.0), lr=0.3, epochs=4, batch_size=8).shape == (21, 2)
    slope_batch = gd.sgd_slope(x, y, 0.0, lr=0.3, epochs=3, batch_size=40)
    np.testing.assert_allclose(slope_batch, gd.gradient_descent(lambda w: gd.slope_grad(w, x, y), 0.0, 0.3, 3))
    assert gd.sgd_slope(x, y, 0.0, lr=0.3, epochs=3, batch_size=1).shape == (121, 1)
    np.testing.assert_array_equal(gd.sgd_linreg(x, y, (0, 0), 0.1, 2, 1, seed=3),
                                  gd.sgd_linreg(x, y, (0, 0), 0.1, 2, 1, seed=3))


def test_double_well_has_two_minima_reached_from_two_starts():
    left = gd.gradient_descent(gd.double_well_grad, -0.5, lr=0.1, steps=200)[-1, 0]
    right = gd.gradient_descent(gd.double_well_grad, 0.5, lr=0.1, steps=200)[-1, 0]
    assert left < -1 and right > 1
    assert gd.double_well(left) < gd.double_well(right) - 0.5       # the right one is only a local minimum


@pytest.mark.parametrize("factor, regime", [(0.05, "too small"), (0.6, "right"), (1.8, "oscillating"),
                                            (2.15, "diverging")])
def test_lr_regimes_match_the_observed_paths(factor, regime):
    _, _, curvature, _ = gd_widgets._problem(0)
    run = gd_widgets.run_lr(factor / curvature)
    assert run["regime"] == regime
    err = np.abs(run["path"] - run["w_star"])
    steps = np.diff(run["path"])
    if regime == "diverging":
        assert err[-1] > err[0]
    else:
        assert err[-1] < err[0]
    if regime == "oscillating":
        assert np.all(steps[:-1] * steps[1:] < 0)                    # every step changes direction
    if regime in ("too small", "right"):
        assert np.all(steps > 0)                                     # monotone towards w* from the left


def test_learning_rate_widget_is_driven_by_value_and_reports_divergence():
    panel = gd_widgets.learning_rate_widget(lr=0.3)
    first = panel.image.value
    assert "right" in panel.status.value and first[:8] == b"\x89PNG\r\n\x1a\n"
    panel.slider.value = 5.0
    assert "diverging" in panel.status.value and "stopped" in panel.status.value
    assert panel.image.value != first
    panel.slider.value = 2.0
    assert "oscillating" in panel.status.value
    assert repr(panel) == "[learning-rate widget]"
    assert not plt.get_fignums()                                     # figures are closed after drawing


def test_regimes_figure_has_four_titled_panels():
    fig = gd_widgets.regimes_figure()
    titles = [ax.get_title() for ax in fig.axes]
    assert [t.split(":")[0] for t in titles] == ["too small", "right", "oscillating", "diverging"]
    assert all(ax.get_xlabel() and ax.get_ylabel() for ax in fig.axes)
    plt.close(fig)


def test_graph_shows_the_tiny_networks_numbers():
    net = tiny.tiny_net()
    X, y = tiny.tiny_example()
    values = graph.node_values(net, X, y)
    assert values["z1"] == "(0.378, 0.392)" and values["delta2"] == "(0.470, -0.470)"
    ax = graph.draw_graph(net, X, y)
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "δ(1) = (W(2)ᵀ δ(2)) ⊙ σ'(z(1))" in texts and "(-0.011, -0.011)" in texts
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="exactly 2 layers"):
        graph.node_values(bplib.MLP([2, 3, 3, 2]), X, y)
    with pytest.raises(ValueError, match="one example"):
        graph.node_values(net, *tiny.tiny_batch())
