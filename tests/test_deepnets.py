"""BatchNorm and residual networks (bplib.deepnets): gradients against central differences, train/eval behaviour,
independent forward oracles, and the headline: a 20-layer plain net fails where BN and residual nets train."""
import numpy as np
import pytest

import bplib
from bplib.deepnets import BatchNormMLP, ResidualMLP

PAIRS = [(act, out) for act in ("sigmoid", "tanh", "relu") for out in ("softmax", "sigmoid", "identity")]


def _batch(out, m=8, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, 3))
    if out == "softmax":
        return X, rng.integers(0, k, m), k
    if out == "sigmoid":
        return X, rng.integers(0, 2, (m, 1)).astype(float), 1
    return X, rng.standard_normal((m, k)), k


def _bn_net(act, out, k, seed=1):
    net = BatchNormMLP([3, 5, 4, k], activation=act, output=out, seed=seed)
    rng = np.random.default_rng(seed + 100)            # move γ, β away from 1, 0 so their gradients are tested
    for g in net.gammas:
        g[:] = rng.uniform(0.5, 1.5, g.shape)
    for b in net.biases:
        b[:] = 0.3 * rng.standard_normal(b.shape)
    return net


def _res_net(act, out, k, seed=1):
    net = ResidualMLP([3, 5, 5, 5, k], activation=act, output=out, seed=seed)
    rng = np.random.default_rng(seed + 100)
    for b in net.biases:
        b[:] = 0.3 * rng.standard_normal(b.shape)
    return net


# ---------------------------------------------------------------------- gradients
@pytest.mark.parametrize("act,out", PAIRS)
def test_batchnorm_gradcheck_train_mode(act, out):
    X, Y, k = _batch(out)
    net = _bn_net(act, out, k)
    errors = bplib.gradcheck(net, X, Y, return_all=True)
    assert set(errors) == set(net.param_names())
    assert {"gamma1", "gamma2", "beta1", "beta2", "b3"} <= set(errors)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("act,out", PAIRS)
def test_residual_gradcheck(act, out):
    X, Y, k = _batch(out)
    assert bplib.gradcheck(_res_net(act, out, k), X, Y) < 1e-7


def test_gradcheck_catches_a_batchnorm_backward_without_the_mean_terms():
    """The check must be able to fail: drop the two batch-mean terms of the BN backward (a classic mistake)."""
    class Broken(BatchNormMLP):
        def backward_pass(self, zs, activations, T, cache):
            m, L = T.shape[0], self.n_layers
            dW, db, dgamma = super().backward_pass(zs, activations, T, cache)
            # recompute dW(1) as if û did not depend on the batch: δ_u = δ γ / √(v + ε)
            delta = activations[L] - T
            delta = (delta @ self.weights[L - 1]) * self._sigma_prime(zs[L - 2], activations[L - 1])
            for l in range(L - 1, 0, -1):
                delta_u = delta * self.gammas[l - 1] * cache[l - 1][1]
                dW[l - 1] = (delta_u.T @ activations[l - 1]) / m
                if l > 1:
                    delta = (delta_u @ self.weights[l - 1]) * self._sigma_prime(zs[l - 2], activations[l - 1])
            return dW, db, dgamma

    X, Y, k = _batch("softmax")
    good, bad = _bn_net("tanh", "softmax", k), _bn_net("tanh", "softmax", k)
    bad.__class__ = Broken
    assert bplib.gradcheck(good, X, Y) < 1e-7
    assert bplib.gradcheck(bad, X, Y) > 1e-3


def test_gradcheck_catches_a_residual_backward_without_the_skip_term():
    class NoSkip(ResidualMLP):
        def backward_pass(self, hs, activations, T):
            m, L = T.shape[0], self.n_layers
            deltas, dW, db = [None] * L, [None] * L, [None] * L
            delta = activations[L] - T
            for l in range(L, 0, -1):
                dW[l - 1] = (delta.T @ activations[l - 1]) / m
                db[l - 1] = delta.sum(axis=0) / m
                if l > 1:   # the plain recursion: forgets + δ(l) from the skip path
                    delta = (delta @ self.weights[l - 1]) * self._sigma_prime(hs[l - 2], activations[l - 1])
            return deltas, dW, db

    X, Y, k = _batch("softmax")
    bad = _res_net("tanh", "softmax", k)
    bad.__class__ = NoSkip
    assert bplib.gradcheck(bad, X, Y) > 1e-3


# ---------------------------------------------------------------------- forward oracles
def test_batchnorm_forward_matches_the_textbook_formula():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((10, 3))
    net = _bn_net("tanh", "softmax", 2)
    W1, W2, W3 = net.weights
    (g1, g2), (be1, be2, b3) = net.gammas, net.biases

    def bn(u, g, be):
        return g * (u - u.mean(0)) / np.sqrt(u.var(0) + 1e-5) + be

    a1 = np.tanh(bn(X @ W1.T, g1, be1))
    a2 = np.tanh(bn(a1 @ W2.T, g2, be2))
    z3 = a2 @ W3.T + b3
    expected = np.exp(z3) / np.exp(z3).sum(1, keepdims=True)
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-12)


def test_residual_with_zero_blocks_is_the_two_layer_network():
    """With W(2..L-1) = 0 and b(2..L-1) = 0 every block is the identity on h: the net is σ(W1 x + b1) -> output."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((6, 3))
    net = ResidualMLP([3, 5, 5, 5, 5, 2], activation="tanh", output="softmax", seed=2)
    for l in (1, 2, 3):
        net.weights[l][:] = 0
    small = bplib.MLP([3, 5, 2], activation="tanh", output="softmax", seed=0)
    small.weights[0][:], small.biases[0][:] = net.weights[0], net.biases[0]
    small.weights[1][:], small.biases[1][:] = net.weights[-1], net.biases[-1]
    np.testing.assert_allclose(net.forward(X), small.forward(X), rtol=1e-12)


def test_residual_skip_adds_delta_to_the_plain_recursion():
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((4, 3)), np.array([0, 1, 1, 0])
    net = ResidualMLP([3, 4, 4, 4, 2], activation="sigmoid", output="softmax", seed=0)
    X, T = net.prepare(X, y)
    hs, acts = net.forward_pass(X)
    deltas = net.backward_pass(hs, acts, T, keep_deltas=True)[0]
    sp = acts[2] * (1 - acts[2])
    np.testing.assert_allclose(deltas[1], (deltas[2] @ net.weights[2]) * sp + deltas[2], rtol=1e-12)


# ---------------------------------------------------------------------- train / eval modes
def test_batchnorm_normalises_each_unit_over_the_batch_in_train_mode():
    rng = np.random.default_rng(6)
    X = 5 + 3 * rng.standard_normal((50, 3))
    net = BatchNormMLP([3, 7, 2], activation="relu", seed=0)
    _, _, cache = net.forward_pass(net.prepare(X), batch_stats=True)
    u_hat = cache[0][0]
    np.testing.assert_allclose(u_hat.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(u_hat.var(0), 1, rtol=1e-4)


def test_running_statistics_update_only_in_training_steps():
    rng = np.random.default_rng(7)
    X, y = 2 + rng.standard_normal((20, 3)), rng.integers(0, 2, 20)
    net = BatchNormMLP([3, 4, 2], activation="tanh", seed=0, momentum=0.9)
    Xp, T = net.prepare(X, y)
    net.loss_output(Xp, T)
    net.forward(X)
    np.testing.assert_array_equal(net.running_means[0], 0)        # evaluation leaves them alone
    u = Xp @ net.weights[0].T
    net.loss_grads_output(Xp, T)
    np.testing.assert_allclose(net.running_means[0], 0.1 * u.mean(0), rtol=1e-12)
    np.testing.assert_allclose(net.running_vars[0], 0.9 + 0.1 * u.var(0), rtol=1e-12)


def test_eval_mode_treats_examples_independently_and_train_mode_does_not():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((16, 3))
    net = BatchNormMLP([3, 6, 3], activation="relu", seed=0)
    net.train_mode()
    assert not np.allclose(net.forward(X)[:4], net.forward(X[:4]))   # batch statistics couple the rows
    net.eval_mode()
    np.testing.assert_allclose(net.forward(X)[:4], net.forward(X[:4]), rtol=1e-12)
    np.testing.assert_allclose(net.forward(X)[5:6], net.forward(X[5:6]), rtol=1e-12)


def test_calibrate_makes_eval_output_equal_train_output_on_that_data():
    rng = np.random.default_rng(9)
    X, y = rng.standard_normal((40, 3)), rng.integers(0, 2, 40)
    net = BatchNormMLP([3, 6, 6, 2], activation="tanh", seed=0)
    bplib.train(net, X, y, epochs=3, lr=0.1, batch_size=8, seed=0)
    expected = net.train_mode().forward(X)
    assert not np.allclose(net.eval_mode().forward(X), expected)
    net.calibrate(X)
    assert net.training is False
    np.testing.assert_allclose(net.forward(X), expected, rtol=1e-10)
    assert net.momentum == 0.9


def test_copy_keeps_the_class_and_is_independent():
    X, y = np.random.default_rng(0).standard_normal((6, 2)), np.array([0, 1, 0, 1, 1, 0])
    for net in (BatchNormMLP([2, 4, 4, 2], seed=0), ResidualMLP([2, 4, 4, 2], seed=0)):
        twin = net.copy()
        assert type(twin) is type(net)
        np.testing.assert_array_equal(twin.forward(X), net.forward(X))
        assert bplib.gradcheck(twin, X, y) < 1e-7
    net = BatchNormMLP([2, 4, 2], seed=0)
    twin = net.copy()
    twin.gammas[0][:] = 7
    twin.running_means[0][:] = 7
    twin.weights[0][:] = 7
    assert net.gammas[0][0] == 1 and net.running_means[0][0] == 0 and net.weights[0][0, 0] != 7


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize("make,match", [
    (lambda: ResidualMLP([2, 8, 6, 2]), "same width"),
    (lambda: ResidualMLP([2, 8, 2]), "at least two hidden layers"),
    (lambda: BatchNormMLP([2, 2]), "at least one hidden layer"),
    (lambda: BatchNormMLP([2, 4, 2], momentum=1.0), "momentum"),
    (lambda: BatchNormMLP([2, 4, 2], eps=0), "eps"),
    (lambda: ResidualMLP([2, 4, 4, 2], branch_scale=-1), "branch_scale"),
    (lambda: BatchNormMLP([2, 4, 2], activation="softplus"), "activation"),
])
def test_bad_arguments_raise_clear_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_input_shape_is_reported():
    with pytest.raises(ValueError, match=r"expected shape \(m, 2\)"):
        BatchNormMLP([2, 4, 2]).forward(np.zeros((3, 5)))


def test_copy_keeps_the_class_and_shares_no_array():
    X, y = bplib.data.make_moons(n=32, seed=0)
    for net in (BatchNormMLP([2, 6, 6, 2], seed=1), ResidualMLP([2, 6, 6, 6, 2], seed=1)):
        bplib.train(net, X, y, epochs=2, lr=0.05, batch_size=8, progress=False)
        twin = net.copy()
        assert type(twin) is type(net)
        np.testing.assert_array_equal(twin.forward(X), net.forward(X))
        for name, value in vars(net).items():
            arrays = value if isinstance(value, list) else [value]
            for a, b in zip(arrays, vars(twin)[name] if isinstance(value, list) else [vars(twin)[name]]):
                if isinstance(a, np.ndarray):
                    assert not np.shares_memory(a, b), name


# ---------------------------------------------------------------------- training: the headline
def test_train_runs_unchanged_with_every_optimizer_and_tracks_grad_norms():
    X, y = bplib.data.make_moons(n=64, seed=0)
    for cls in (BatchNormMLP, ResidualMLP):
        for opt in ("sgd", "momentum", "adam"):
            net = cls([2, 8, 8, 8, 2], activation="relu", seed=0)
            hist = bplib.train(net, X, y, epochs=3, lr=0.01, batch_size=16, optimizer=opt, seed=0,
                               X_val=X, Y_val=y, track_grad_norms=True, progress=False)
            assert hist["diverged"] is None and len(hist["loss"]) == 3
            assert len(hist["grad_norms"][-1]) == 4 and np.all(np.isfinite(hist["grad_norms"][-1]))


def test_deep_plain_net_fails_where_batchnorm_and_residual_nets_train():
    """20 hidden ReLU layers of width 16 (He init), circles, 40 epochs of SGD, lr 0.1, batch 32, same seed."""
    X, y = bplib.data.make_circles(n=300, seed=0)
    X_test, y_test = bplib.data.make_circles(n=300, seed=1)
    sizes = [2] + [16] * 20 + [2]
    results = {}
    for name, cls in (("plain", bplib.MLP), ("batchnorm", BatchNormMLP), ("residual", ResidualMLP)):
        net = cls(sizes, activation="relu", output="softmax", init="he", seed=0)
        hist = bplib.train(net, X, y, epochs=40, lr=0.1, batch_size=32, seed=0, progress=False)
        if name == "batchnorm":
            net.calibrate(X)
        results[name] = (hist["loss"][-1], net.accuracy(X_test, y_test))
    plain_loss, plain_acc = results["plain"]
    assert plain_loss > 0.65 and plain_acc < 0.7, results          # stuck near ln 2: chance level
    for name in ("batchnorm", "residual"):
        loss, acc = results[name]
        assert loss < 0.5 and acc > 0.9, results


# ---------------------------------------------------------------------- bplib.course.diagnostics
from bplib.course import diagnostics  # noqa: E402
from bplib.widgets import depth_widget  # noqa: E402


def test_confusion_matrix_counts_pairs_like_a_loop():
    rng = np.random.default_rng(10)
    t, p = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    C = diagnostics.confusion_matrix(t, p, k=5)
    expected = np.zeros((5, 5), dtype=int)
    for a, b in zip(t, p):
        expected[a, b] += 1
    np.testing.assert_array_equal(C, expected)
    assert C.sum() == 200 and C[4].sum() == 0


@pytest.mark.parametrize("args,match", [
    ((np.array([0, 1]), np.array([0, 1, 1])), "same"),
    ((np.array([0.0, 1.0]), np.array([0, 1])), "integer class labels"),
    ((np.array([0, 3]), np.array([0, 1]), 3), "0..2"),
])
def test_confusion_matrix_rejects_bad_labels(args, match):
    with pytest.raises(ValueError, match=match):
        diagnostics.confusion_matrix(*args)


def test_grad_norms_per_layer_matches_loss_and_grads_and_leaves_batchnorm_alone():
    X, y = bplib.data.make_moons(n=40, seed=0)
    net = bplib.MLP([2, 6, 6, 2], activation="tanh", seed=0)
    _, dW, _ = net.loss_and_grads(X, y)
    np.testing.assert_allclose(diagnostics.grad_norms_per_layer(net, X, y), [np.linalg.norm(g) for g in dW])
    bn = BatchNormMLP([2, 6, 6, 2], seed=0)
    norms = diagnostics.grad_norms_per_layer(bn, X, y)
    assert norms.shape == (3,) and np.all(norms > 0)
    np.testing.assert_array_equal(bn.running_means[0], 0)


def test_sigmoid_gradients_vanish_with_depth_and_the_remedies_restore_them():
    X, y = bplib.data.make_circles(n=100, seed=0)
    ratio = {}
    for kind in diagnostics.NET_KINDS:
        norms = diagnostics.grad_norms_per_layer(diagnostics.make_deep_net(kind, 20, activation="sigmoid"), X, y)
        ratio[kind] = norms[0] / norms[-1]
    assert ratio["plain"] < 1e-8 and ratio["batchnorm"] > 1e-2 and ratio["residual"] > 1e-2, ratio
    assert "vanishing" in diagnostics.describe_norms([1e-9, 1.0])
    assert "exploding" in diagnostics.describe_norms([1e4, 1.0])
    assert "healthy" in diagnostics.describe_norms([0.5, 1.0])


def test_depth_widget_redraws_when_driven_by_value():
    panel = depth_widget(depth=12, activation="sigmoid", kind="plain")
    assert "vanishing" in panel.status.value
    first_png = panel.image.value
    panel.kind.value = "residual"
    assert "healthy" in panel.status.value and panel.image.value != first_png
    panel.depth.value = 3
    panel.activation.value = "relu"
    assert "healthy" in panel.status.value
    assert repr(panel) == "[depth widget]"


def test_histograms_and_misclassified_grid_draw_what_they_are_given():
    import matplotlib.pyplot as plt

    axes = diagnostics.layer_histograms([np.zeros(5), np.ones(5), np.arange(5)])
    assert len(axes) == 3 and axes[2].get_title().startswith("layer 3")
    images = np.random.default_rng(0).random((10, 784))
    y_true, y_pred = np.arange(10), np.array([0, 1, 3, 3, 4, 6, 6, 7, 8, 0])
    fig = diagnostics.misclassified_grid(images, y_true, y_pred, n=8, cols=4)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["2 → 3", "5 → 6", "9 → 0"]
    plt.close("all")
