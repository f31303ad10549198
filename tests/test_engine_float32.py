"""float32 end to end: asked for float32, every array stays float32, with no silent upcast."""
import numpy as np
import pytest

import bplib
from bplib import optim


def float32_net(**kwargs):
    options = dict(activation="relu", output="softmax", seed=0, dtype=np.float32)
    options.update(kwargs)
    return bplib.MLP([2, 8, 8, 2], **options)


def test_construction_forward_and_gradients_are_float32():
    net = float32_net()
    assert all(p.dtype == np.float32 for p in net.params())
    X, y = bplib.data.make_moons(n=20, seed=0)                  # float64 data is converted once, on entry
    assert net.forward(X).dtype == np.float32
    zs, activations = net.forward_pass(net.prepare(X))
    assert all(a.dtype == np.float32 for a in zs + activations)
    loss, dW, db = net.loss_and_grads(X, y)
    assert isinstance(loss, float)
    assert all(g.dtype == np.float32 for g in dW + db)
    assert all(d.dtype == np.float32 for d in net.deltas(X, y))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
@pytest.mark.parametrize("output", ["softmax", "sigmoid", "identity"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_training_keeps_every_array_float32(activation, output, optimizer):
    X, y = bplib.data.make_moons(n=32, seed=0)
    Y = y if output == "softmax" else np.eye(2)[y]
    net = float32_net(activation=activation, output=output, l1=1e-4, l2=1e-3)
    ids = [id(p) for p in net.params()]
    seen = []
    original = net.loss_grads_output

    def spy(Xb, Tb):                                                # look inside the training loop
        seen.append({Xb.dtype, Tb.dtype})
        loss, grads, out = original(Xb, Tb)
        seen.append({g.dtype for g in grads} | {out.dtype})
        return loss, grads, out

    net.loss_grads_output = spy
    history = bplib.train(net, X, Y, epochs=2, lr=0.01, batch_size=8, optimizer=optimizer, seed=0,
                          X_val=X, Y_val=Y, track_grad_norms=True, progress=False)
    assert all(s == {np.dtype(np.float32)} for s in seen)
    assert [id(p) for p in net.params()] == ids                     # updated in place, never replaced
    assert all(p.dtype == np.float32 for p in net.params())
    assert np.all(np.isfinite(history["loss"]))


def test_train_rejects_gradients_of_another_dtype():
    X, y = bplib.data.make_moons(n=16, seed=0)
    net = float32_net()
    original = net.loss_grads_output

    def upcasting(Xb, Tb):                                          # a buggy network that upcasts its gradients
        loss, grads, out = original(Xb, Tb)
        return loss, [g.astype(np.float64) for g in grads], out

    net.loss_grads_output = upcasting
    with pytest.raises(TypeError, match=r"gradient 0 is float64 \(8, 2\), but its parameter is float32 \(8, 2\)"):
        bplib.train(net, X, y, epochs=1, progress=False)


@pytest.mark.parametrize("lr", [0.1, np.float64(0.1)])
def test_sgd_update_is_computed_in_float32(lr):
    # an upcast (w - lr g in float64, then rounded) differs from float32 arithmetic in the last bit of some entries
    rng = np.random.default_rng(0)
    w = rng.standard_normal(10_000).astype(np.float32)
    g = rng.standard_normal(10_000).astype(np.float32)
    expected = w - np.float32(lr) * g                              # pure float32 arithmetic
    params = [w.copy()]
    optim.Sgd().step(params, [g], lr)
    np.testing.assert_array_equal(params[0], expected)


def test_float32_trains_as_well_as_float64():
    X, y = bplib.data.make_spirals(n=200, seed=0)
    accuracies = []
    for dtype in (np.float32, np.float64):
        net = bplib.MLP([2, 32, 32, 2], activation="tanh", output="softmax", seed=0, dtype=dtype)
        bplib.train(net, X, y, epochs=150, lr=0.01, batch_size=32, optimizer="adam", seed=0, progress=False)
        accuracies.append(net.accuracy(X, y))
    assert min(accuracies) >= 0.95
