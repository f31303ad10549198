"""Save and load a network as .npz, with allow_pickle=False (issue 2, point 9)."""
import numpy as np
import pytest

import bplib


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_round_trip_keeps_architecture_weights_and_outputs(tmp_path, dtype):
    net = bplib.MLP([3, 5, 4, 2], activation="leaky_relu", output="sigmoid", init="xavier", seed=3, dtype=dtype,
                    l1=1e-3, l2=2e-3)
    X = np.random.default_rng(0).standard_normal((6, 3))
    bplib.train(net, X, np.eye(2)[[0, 1, 1, 0, 1, 0]], epochs=2, lr=0.1, batch_size=3, progress=False)
    path = tmp_path / "net.npz"
    net.save(path)
    loaded = bplib.load(path)
    assert (loaded.sizes, loaded.activation, loaded.output, loaded.init, loaded.dtype, loaded.l1, loaded.l2) == \
        (net.sizes, net.activation, net.output, net.init, np.dtype(dtype), net.l1, net.l2)
    for a, b in zip(net.params(), loaded.params()):
        assert a.dtype == b.dtype == dtype
        np.testing.assert_array_equal(a, b)                          # bit for bit
    np.testing.assert_array_equal(net.forward(X), loaded.forward(X))
    assert repr(loaded) == repr(net)


def test_the_file_is_plain_arrays_without_pickle(tmp_path):
    net = bplib.MLP([2, 3, 2], seed=0)
    path = tmp_path / "plain.npz"
    bplib.save(net, path)
    with np.load(path, allow_pickle=False) as f:                    # would raise if any object array were inside
        assert {"sizes", "activation", "output", "W1", "b1", "W2", "b2"} <= set(f.files)
        assert all(f[k].dtype != object for k in f.files)
        assert f["W1"].shape == (3, 2)                               # W(l) keeps the article's (n_l, n_{l-1})
    assert not list(tmp_path.glob("*.tmp*"))                         # written atomically, no leftovers


def test_a_file_that_is_not_a_network_is_rejected(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, x=np.zeros(3))
    with pytest.raises(ValueError, match=r"is not a saved bplib network: missing"):
        bplib.load(path)


def test_a_weight_of_the_wrong_shape_is_rejected(tmp_path):
    net = bplib.MLP([2, 3, 2], seed=0)
    path = tmp_path / "net.npz"
    net.save(path)
    with np.load(path) as f:
        arrays = dict(f)
    arrays["W2"] = arrays["W2"].T
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=r"W2 is missing or has the wrong shape \(expected \(2, 3\)\)"):
        bplib.load(path)
