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
from bplib.activations import sigmoid as _sig  # noqa: E402


def _stub_any(*args, **kwargs):
    raise NotImplementedError("Exercise: stub")


# chapter 01
def layer_forward(A_prev, W, b):
    return A_prev @ W.T + b


def sigmoid(z):
    return 1 / (1 + np.exp(-np.clip(z, -500, 500)))


def forward(X, weights, biases):
    a = X
    for W, b in zip(weights, biases):
        a = sigmoid(a @ W.T + b)
    return a


def forward_linear_last(X, weights, biases):
    a = X
    for l, (W, b) in enumerate(zip(weights, biases)):
        z = a @ W.T + b
        a = sigmoid(z) if l < len(weights) - 1 else z
    return a


# chapter 02
def mse(y_hat, y):
    return 0.5 * np.sum((y_hat - y) ** 2) / y.shape[0]


def cross_entropy(P, Y):
    return -np.sum(Y * np.log(P)) / Y.shape[0]


def gradient_descent(grad, w0, lr, steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(steps):
        w = w - lr * grad(w)
        path.append(w)
    return np.array(path)


def gd_in_place(grad, w0, lr, steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(steps):
        w -= lr * grad(w)
        path.append(w)
    return np.array(path)


def gd_no_start(grad, w0, lr, steps):
    return gradient_descent(grad, w0, lr, steps)[1:]


# chapter 03
def sigmoid_prime(z):
    s = _sig(z)
    return s * (1 - s)


def output_delta(A_L, Y):
    return A_L - Y


def hidden_delta(delta_next, W_next, z):
    return (delta_next @ W_next) * sigmoid_prime(z)


# chapter 04
def weight_grad(delta, A_prev):
    return delta.T @ A_prev / delta.shape[0]


def bias_grad(delta):
    return delta.mean(axis=0)


def numerical_gradient(f, x, eps=1e-6):
    g = np.zeros_like(x, dtype=float)
    for i in range(x.size):
        e = np.zeros_like(x, dtype=float)
        e.flat[i] = eps
        g.flat[i] = (f(x + e) - f(x - e)) / (2 * eps)
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
    x += 1.0                          # right values, but the caller's array is changed
    return g


def relative_error(g, n):
    return np.linalg.norm(g - n) / max(np.linalg.norm(g) + np.linalg.norm(n), 1e-12)


CASES = {
    # check name: (chapter, solution, [(wrong answer, expected hint fragment), ...])
    "check_layer_forward": ("ch01", layer_forward, [
        (lambda A, W, b: A @ W.T, "forgot to add the bias"),
        (lambda A, W, b: A @ W + b, "did you transpose"),
        (lambda A, W, b: (A @ W.T + b).T, "did you transpose?"),
    ]),
    "check_sigmoid": ("ch01", sigmoid, [
        (lambda z: 1 / (1 + np.exp(z)), "sign in the exponent"),
        (np.tanh, "tanh"),
        (lambda z: 1 / (1 + np.exp(-z)) if np.max(np.abs(z)) < 100 else np.exp(z) / (1 + np.exp(z)), "NaN or inf"),
    ]),
    "check_forward": ("ch01", forward, [
        (forward_linear_last, "the last one included"),
        (lambda X, Ws, bs: sigmoid(X @ Ws[0].T + bs[0]), "expected (5, 2)"),
    ]),
    "check_mse": ("ch02", mse, [
        (lambda yh, y: np.sum((yh - y) ** 2) / y.shape[0], "forgot the ½"),
        (lambda yh, y: 0.5 * np.sum((yh - y) ** 2), "divide by m"),
        (lambda yh, y: np.mean((yh - y) ** 2), "forgot the ½"),
        (lambda yh, y: 0.5 * np.mean((yh - y) ** 2, axis=0), "one number"),
    ]),
    "check_cross_entropy": ("ch02", cross_entropy, [
        (lambda P, Y: np.sum(Y * np.log(P)) / Y.shape[0], "sign is wrong"),
        (lambda P, Y: -np.sum(Y * np.log(P)), "divide by m"),
        (lambda P, Y: -np.mean(Y * np.log(P)), "m·k"),
    ]),
    "check_gradient_descent": ("ch02", gradient_descent, [
        (gd_in_place, "in place"),
        (gd_no_start, "path[0]"),
        (lambda g, w0, lr, n: gradient_descent(lambda w: -g(w), w0, lr, n), "uphill"),
        (lambda g, w0, lr, n: gradient_descent(g, w0, 1.0, n), "learning rate is missing"),
    ]),
    "check_sigmoid_prime": ("ch03", sigmoid_prime, [
        (lambda z: z * (1 - z), "you used z where σ(z) belongs"),
        (_sig, "this is σ(z) itself"),
    ]),
    "check_output_delta": ("ch03", output_delta, [
        (lambda A, Y: Y - A, "sign is flipped"),
        (lambda A, Y: (A - Y) * A * (1 - A), "erratum 4"),
        (lambda A, Y: (A - Y) / A.shape[0], "divided by m"),
        (lambda A, Y: (A - Y).mean(axis=0), "one row per example"),
    ]),
    "check_hidden_delta": ("ch03", hidden_delta, [
        (lambda d, W, z: d @ W, "forgot the factor σ'(z(l))"),
        (lambda d, W, z: (d @ W) * _sig(z), "instead of its derivative"),
        (lambda d, W, z: (d @ W.T) * sigmoid_prime(z), "did you transpose"),
    ]),
    "check_weight_grad": ("ch04", weight_grad, [
        (lambda d, A: A.T @ d / d.shape[0], "did you transpose?"),
        (lambda d, A: d.T @ A, "forgot the 1/m"),
        (lambda d, A: np.outer(d[0], A[0]), "only the first example"),
    ]),
    "check_bias_grad": ("ch04", bias_grad, [
        (lambda d: d.sum(axis=0), "forgot the 1/m"),
        (lambda d: d[0], "erratum 3"),
        (lambda d: d.mean(axis=1), "axis=0"),
        (lambda d: d.mean(axis=0, keepdims=True), "b(l) is a vector"),
    ]),
    "check_numerical_gradient": ("ch04", numerical_gradient, [
        (lambda f, x, eps: np.array([(f(x + eps * e) - f(x)) / eps for e in np.eye(x.size)]), "one-sided"),
        (lambda f, x, eps: np.array([(f(x + eps * e) - f(x - eps * e)) / eps for e in np.eye(x.size)]), "2ε"),
        (numerical_gradient_not_restored, "did not put x[i] back"),
        (numerical_gradient_changes_x, "changed its argument `x` in place"),
    ]),
    "check_relative_error": ("ch04", relative_error, [
        (lambda g, n: np.linalg.norm(g - n), "absolute error"),
        (lambda g, n: np.linalg.norm(g - n) / np.linalg.norm(g), "‖g‖ only"),
        (lambda g, n: np.linalg.norm(g - n) / (np.linalg.norm(g) + np.linalg.norm(n)), "0 / 0"),
    ]),
}
WRONG = [(name, i) for name, (_, _, wrongs) in CASES.items() for i in range(len(wrongs))]


def _check(name):
    return getattr(getattr(ex, CASES[name][0]), name)


@pytest.mark.parametrize("name", CASES)
def test_check_passes_on_the_solution(name):
    result = _check(name)(CASES[name][1])
    assert result.passed, result.message
    assert result.message.startswith("✅ Correct: ")


@pytest.mark.parametrize("name", CASES)
def test_check_fails_on_the_stub(name):
    result = _check(name)(_stub_any)
    assert not result
    assert result.message.startswith("❌ Not yet: not implemented yet"), result.message


@pytest.mark.parametrize("name, i", WRONG)
def test_check_fails_on_a_typical_mistake_with_its_hint(name, i):
    wrong, hint = CASES[name][2][i]
    with np.errstate(all="ignore"):
        result = _check(name)(wrong)
    assert not result
    assert hint in result.message, result.message


def test_every_chapter_check_is_tested():
    for chapter in ("ch01", "ch02", "ch03", "ch04"):
        module = getattr(ex, chapter)
        names = {n for n in dir(module) if n.startswith("check_")}
        assert names == {n for n, (c, _, _) in CASES.items() if c == chapter}, chapter


def test_checks_reject_a_result_instead_of_a_function():
    with pytest.raises(TypeError, match="not its result"):
        ex.ch04.check_bias_grad(np.zeros(3))


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
