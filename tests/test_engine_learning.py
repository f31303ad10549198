"""bplib.train learns, is reproducible bit for bit, uses every example, and stops cleanly when it diverges."""
import numpy as np
import pytest

import bplib

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_xor_is_solved(seed):
    net = bplib.MLP([2, 4, 2], activation="tanh", output="softmax", init="xavier", seed=seed)
    history = bplib.train(net, XOR_X, XOR_Y, epochs=500, lr=0.5, batch_size=4, seed=seed, progress=False)
    assert net.accuracy(XOR_X, XOR_Y) == 1.0
    assert net.predict(XOR_X).tolist() == [0, 1, 1, 0]
    assert history["loss"][-1] < 0.05 < history["loss"][0]


def test_xor_with_a_single_sigmoid_output_and_binary_cross_entropy():
    net = bplib.MLP([2, 4, 1], activation="tanh", output="sigmoid", init="xavier", seed=0)
    bplib.train(net, XOR_X, XOR_Y, epochs=300, lr=0.05, batch_size=4, optimizer="adam", progress=False)
    assert net.predict(XOR_X).tolist() == [0, 1, 1, 0]


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_two_spirals_reach_95_percent_training_accuracy(activation):
    X, y = bplib.data.make_spirals(n=300, seed=0)
    net = bplib.MLP([2, 32, 32, 2], activation=activation, output="softmax", seed=0)
    history = bplib.train(net, X, y, epochs=200, lr=0.01, batch_size=32, optimizer="adam", seed=0, progress=False)
    assert net.accuracy(X, y) >= 0.95
    assert history["acc"][-1] >= 0.95 > history["acc"][0]


def test_regression_with_an_identity_output_fits_a_smooth_function():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, (200, 1))
    Y = np.sin(X)
    net = bplib.MLP([1, 16, 1], activation="tanh", output="identity", init="xavier", seed=0)
    history = bplib.train(net, X, Y, epochs=300, lr=0.01, batch_size=20, optimizer="adam", progress=False)
    assert history["loss"][-1] < 0.005                       # J = (1/2m) Σ (a - y)²
    assert np.isnan(history["acc"][-1])                      # no accuracy for regression


def spirals_run(seed=0, **kwargs):
    X, y = bplib.data.make_spirals(n=120, seed=1)
    net = bplib.MLP([2, 16, 2], activation="relu", output="softmax", seed=seed)
    options = dict(epochs=5, lr=0.05, batch_size=16, optimizer="momentum", seed=seed, X_val=X[:40], Y_val=y[:40],
                   track_grad_norms=True, progress=False)
    options.update(kwargs)
    return net, bplib.train(net, X, y, **options)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_same_seed_gives_bit_identical_history_and_weights(optimizer):
    net_a, hist_a = spirals_run(optimizer=optimizer)
    net_b, hist_b = spirals_run(optimizer=optimizer)
    for key in ("loss", "acc", "val_loss", "val_acc", "lr"):
        assert hist_a[key] == hist_b[key]                    # exact float equality
    for g_a, g_b in zip(hist_a["grad_norms"], hist_b["grad_norms"]):
        np.testing.assert_array_equal(g_a, g_b)
    for p_a, p_b in zip(net_a.params(), net_b.params()):
        np.testing.assert_array_equal(p_a, p_b)


def test_a_different_seed_gives_a_different_run():
    net_a, hist_a = spirals_run(seed=0)
    net_b, hist_b = spirals_run(seed=1)
    assert hist_a["loss"] != hist_b["loss"]
    assert not np.array_equal(net_a.weights[0], net_b.weights[0])


def test_history_has_one_entry_per_epoch():
    net, history = spirals_run(epochs=4)
    assert history["epoch"] == [1, 2, 3, 4]
    for key in ("loss", "acc", "val_loss", "val_acc", "lr", "grad_norms", "time"):
        assert len(history[key]) == 4, key
    assert all(g.shape == (net.n_layers,) and np.all(g > 0) for g in history["grad_norms"])
    assert history["diverged"] is None


def test_the_last_partial_batch_is_used_not_dropped():
    X, y = bplib.data.make_xor(n=10, seed=0)
    net = bplib.MLP([2, 3, 2], activation="tanh", output="softmax", seed=0)
    seen = []
    original = net.loss_grads_output

    def spy(Xb, Tb):
        seen.append(Xb.copy())
        return original(Xb, Tb)

    net.loss_grads_output = spy
    bplib.train(net, X, y, epochs=2, lr=0.1, batch_size=4, seed=0, progress=False)
    assert [len(b) for b in seen] == [4, 4, 2, 4, 4, 2]
    # each epoch visits every example exactly once, in a new (seeded) order
    epoch1, epoch2 = np.concatenate(seen[:3]), np.concatenate(seen[3:])
    assert sorted(map(tuple, epoch1)) == sorted(map(tuple, X)) == sorted(map(tuple, epoch2))
    assert not np.array_equal(epoch1, epoch2)


def test_epoch_loss_is_the_example_weighted_mean_of_batch_losses():
    X, y = bplib.data.make_moons(n=10, seed=0)
    net = bplib.MLP([2, 3, 2], activation="tanh", output="softmax", seed=0)
    start = net.copy()
    history = bplib.train(net, X, y, epochs=1, lr=1e-300, batch_size=4, shuffle=False, progress=False)
    # lr tiny: the weights do not move, so the mean over batches of sizes 4, 4, 2 is the full-batch loss
    assert history["loss"][0] == pytest.approx(start.loss(X, y), rel=1e-12)


def test_learning_rate_schedule_is_applied_and_recorded():
    _, history = spirals_run(epochs=4, lr=0.1, lr_schedule=bplib.optim.step_decay(drop=0.5, every=2))
    assert history["lr"] == [0.1, 0.1, 0.05, 0.05]
    _, history = spirals_run(epochs=3, lr=0.1, lr_schedule=bplib.optim.exponential_decay(0.5))
    assert history["lr"] == pytest.approx([0.1, 0.05, 0.025])
    schedule = bplib.optim.cosine_decay(epochs=5, final_fraction=0.1)
    assert schedule(0, 1.0) == pytest.approx(1.0) and schedule(4, 1.0) == pytest.approx(0.1)


def test_callback_can_stop_training():
    calls = []
    _, history = spirals_run(epochs=10, callback=lambda epoch, hist: calls.append(epoch) or epoch < 3)
    assert calls == [1, 2, 3] and history["epoch"] == [1, 2, 3]


def test_huge_learning_rate_triggers_the_divergence_message(capsys):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 3))
    Y = X @ rng.standard_normal((3, 2))
    net = bplib.MLP([3, 8, 2], activation="relu", output="identity", seed=0)
    history = bplib.train(net, X, Y, epochs=20, lr=1e4, batch_size=16, seed=0, progress=False,
                          diverge_factor=None)                  # only NaN/inf counts here
    diverged = history["diverged"]
    assert diverged is not None
    out = capsys.readouterr().out
    assert f"Training diverged in epoch {diverged['epoch']}, batch {diverged['batch']}" in out
    assert "smaller learning rate" in out and "lr = 10000" in out
    assert diverged["message"] in out
    assert not np.isfinite(diverged["loss"])
    assert all(np.isfinite(history["loss"]))                  # nothing non-finite reaches a plot
    assert len(history["loss"]) == diverged["epoch"] - 1


def test_divergence_by_growth_is_reported_and_can_be_silenced(capsys):
    X, y = bplib.data.make_moons(n=64, seed=0)
    net = bplib.MLP([2, 16, 2], activation="relu", output="softmax", seed=0)
    history = bplib.train(net, X, y, epochs=30, lr=50.0, batch_size=64, seed=0, progress=False, verbose=False)
    assert history["diverged"] is not None
    assert "Try a smaller learning rate" in history["diverged"]["message"]
    assert capsys.readouterr().out == ""                      # verbose=False: recorded, not printed
    assert all(np.isfinite(history["loss"]))


def test_training_does_not_touch_the_callers_arrays():
    X, y = bplib.data.make_moons(n=40, seed=0)
    X_before, y_before = X.copy(), y.copy()
    net = bplib.MLP([2, 4, 2], activation="tanh", output="softmax", seed=0)
    bplib.train(net, X, y, epochs=2, lr=0.1, batch_size=8, progress=False)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_progress_bar_can_be_forced_and_is_silent_when_off(capsys):
    pytest.importorskip("tqdm")
    X, y = bplib.data.make_moons(n=20, seed=0)
    net = bplib.MLP([2, 3, 2], activation="tanh", output="softmax", seed=0)
    bplib.train(net, X, y, epochs=2, lr=0.1, batch_size=10, progress=False)
    assert capsys.readouterr().err == ""
    bplib.train(net, X, y, epochs=2, lr=0.1, batch_size=10, progress="auto")   # a short run shows no bar
    assert capsys.readouterr().err == ""
    bplib.train(net, X, y, epochs=2, lr=0.1, batch_size=10, progress=True)
    assert "epoch" in capsys.readouterr().err
